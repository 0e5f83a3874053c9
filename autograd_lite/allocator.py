"""Keep freed array memory in the process between training steps (glibc's malloc, Linux).

A training step allocates its activations and gradients, and frees most of them
at the end of ``backward``. glibc's malloc gives the top of its heap back to the
operating system as soon as more than twice the largest block freed so far lies
free there (a few MB for a small CNN), so each step hands back what it used and
the next one faults it in again, page by page, as zeroed memory. Measured on the
issue's Fashion-MNIST CNN (``python benchmarks/bench_cnn_epoch.py``, batch 64):
about 2,400 page faults and 5 ms of kernel time in a 12 ms step; PyTorch, whose
kernels keep fewer temporaries, faulted 60 times a step.

So when autograd-lite is imported it sets malloc's thresholds once, as glibc
itself would settle after freeing a 32 MB block: blocks under 32 MB come from
the heap (``M_MMAP_THRESHOLD``), and up to 64 MB may lie free at its top before
it is trimmed (``M_TRIM_THRESHOLD``). The peak memory of a step is unchanged;
up to 64 MB freed by one step stay with the process for the next. This is
process-wide, as numpy's BLAS threads are (``threads.py``).

Left alone: other C libraries than glibc, and a process whose user already chose
malloc's settings (any of the ``MALLOC_*_`` variables below, or ``GLIBC_TUNABLES``
naming ``glibc.malloc``), or that set ``AUTOGRAD_LITE_NO_MALLOPT=1``.

>>> from autograd_lite import allocator
>>> allocator.MMAP_THRESHOLD // 2**20, allocator.TRIM_THRESHOLD // 2**20
(32, 64)
"""
from __future__ import annotations

import ctypes
import os

__all__ = ["MMAP_THRESHOLD", "TRIM_THRESHOLD", "keep_freed_memory"]

MMAP_THRESHOLD = 32 << 20  # glibc's own ceiling for its dynamic mmap threshold (64-bit)
TRIM_THRESHOLD = 2 * MMAP_THRESHOLD  # what glibc pairs with it when it raises the threshold itself

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # from glibc's malloc.h
_USER_VARIABLES = ("MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TOP_PAD_", "MALLOC_MMAP_MAX_",
                   "AUTOGRAD_LITE_NO_MALLOPT")


def _glibc() -> bool:
    try:
        return os.confstr("CS_GNU_LIBC_VERSION").startswith("glibc")
    except (AttributeError, ValueError, OSError):  # not a POSIX system, or not glibc
        return False


def _user_chose() -> bool:
    return any(name in os.environ for name in _USER_VARIABLES) or "glibc.malloc" in os.environ.get("GLIBC_TUNABLES", "")


def keep_freed_memory() -> bool:
    """Set glibc's malloc thresholds as the module's docstring says; True when they were set.

    Called once when autograd-lite is imported. Returns False, changing nothing,
    off glibc or where the user already chose malloc's settings.
    """
    if not _glibc() or _user_chose():
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
