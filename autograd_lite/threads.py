"""How many threads numpy's BLAS uses for matrix products, and the default policy that picks it.

Only BLAS's products use a second core. autograd-lite's own ops do not split
their work over Python threads: measured on this project's 2-core machine,
handing half of a convolution to a waiting thread costs 40-60 µs before it starts
and 40 µs to hear that it finished, and every return from a numpy call is a
wait for Python's lock, so a CNN step took 1.3x longer on two threads than on one
(11.1-11.5 ms against 8.7 ms; the split was removed).

>>> import autograd_lite as ag
>>> ag.set_num_threads(1)        # as torch.set_num_threads: from now on, one BLAS thread
>>> ag.get_num_threads()
1

**The default** (until ``set_num_threads`` is called, and unless one of
``OPENBLAS_NUM_THREADS``, ``OMP_NUM_THREADS``, ``MKL_NUM_THREADS`` or
``BLIS_NUM_THREADS`` is set, in which case the BLAS's own setting is left
alone): at most once a second, before a matrix product (``matmul``,
``linear``), autograd-lite looks at how busy the machine's cores were since the
last look with other processes' work (Linux's ``/proc/stat``, less this
process's own CPU time) and gives BLAS the cores left free (a core counts when
at least three quarters of it were idle), at least one and at most the BLAS's
own default (every core). So on a quiet 2-core
machine products use 2 threads, and with a job running on the other core they
use 1.

Why not keep the BLAS's default, as PyTorch keeps its own: OpenBLAS threads
wait for each other by spinning, so when another process holds one of the cores
a product waits for a thread that is not running. Measured on a 2-core machine
beside a process spinning on one core (``python benchmarks/bench_mlp_epoch.py
--busy 2``; numbers in the README): the seed-002 MLP trained 6-7x slower with 2
BLAS threads than with 1 (PyTorch with its 2 threads: 10-12x slower than with 1),
while on a quiet machine the second thread saved 4-14% of an epoch.

The last digits of results depend on the thread count (BLAS splits a product
into blocks by thread, which can change its summation order), so under the
default two runs of the same program can differ in their last digits when the
machine's load differed. Call ``set_num_threads`` for figures that must repeat
digit for digit.

The setting goes through `threadpoolctl <https://github.com/joblib/threadpoolctl>`_
when it is installed (``pip install 'autograd-lite[threads]'``; it reaches
OpenBLAS, MKL and BLIS, and sets every BLAS loaded in the process, SciPy's too). Without it, autograd-lite calls OpenBLAS's own
``openblas_set_num_threads`` in the OpenBLAS that numpy loaded (the numpy wheels
from PyPI bundle one); with a numpy built on another BLAS (MKL, Apple's
Accelerate) and no threadpoolctl, ``set_num_threads`` warns and does nothing,
``get_num_threads`` raises a RuntimeError saying so, and the default policy
leaves the BLAS alone.
"""
from __future__ import annotations

import ctypes
import glob
import os
import time
import warnings
from typing import Callable

import numpy as np

__all__ = ["set_num_threads", "get_num_threads"]

# Environment variables with which a user (or a job scheduler) already chose the BLAS's threads.
_USER_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS")
CHECK_EVERY = 1.0  # seconds between two looks at the machine's load
_MIN_WINDOW = 0.25  # a look sooner than this after the previous one would measure mostly the clock's tick


class _BlasControl:
    """Get and set the thread count of numpy's BLAS: through threadpoolctl, else OpenBLAS's own functions.

    ``last`` remembers the count, so that ops can read it at every call without asking the BLAS
    (threadpoolctl's answer takes a scan of the loaded libraries)."""

    def __init__(self, get: Callable[[], int], set_: Callable[[int], None]) -> None:
        self._get, self._set = get, set_
        self.last: int | None = None

    def get(self) -> int:
        self.last = self._get()
        return self.last

    def set(self, n: int) -> None:
        self._set(n)
        self.last = n


def _threadpoolctl_control() -> _BlasControl | None:
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return None
    controller = ThreadpoolController().select(user_api="blas")
    if not controller.lib_controllers:
        return None
    return _BlasControl(lambda: max(lib["num_threads"] for lib in controller.info()),
                        lambda n: controller.limit(limits=n))


def _openblas_paths() -> list[str]:
    """Files of the OpenBLAS libraries loaded in this process (Linux), numpy's first (SciPy may bring
    its own); else those numpy's wheel bundles."""
    try:
        with open("/proc/self/maps") as maps:
            found = {line.split(None, 5)[-1].strip() for line in maps if "openblas" in line.lower()}
        if found:
            return sorted((path for path in found if os.path.isfile(path)), key=lambda path: ("numpy" not in path, path))
    except OSError:
        pass
    root = os.path.dirname(np.__file__)
    return sorted(glob.glob(os.path.join(root, os.pardir, "numpy.libs", "*openblas*"))
                  + glob.glob(os.path.join(root, ".dylibs", "*openblas*")))


def _openblas_control() -> _BlasControl | None:
    """OpenBLAS's ``openblas_get/set_num_threads``, under the prefix and suffix the build gave them
    (numpy's wheels: ``scipy_openblas_set_num_threads64_``)."""
    for path in _openblas_paths():
        try:
            lib = ctypes.CDLL(path)  # already loaded: this finds it, it does not load a second copy
        except OSError:
            continue
        for prefix in ("", "scipy_"):
            for suffix in ("", "64_", "_64"):
                getter = getattr(lib, f"{prefix}openblas_get_num_threads{suffix}", None)
                setter = getattr(lib, f"{prefix}openblas_set_num_threads{suffix}", None)
                if getter is not None and setter is not None:
                    getter.restype, setter.argtypes = ctypes.c_int, [ctypes.c_int]
                    return _BlasControl(getter, setter)
    return None


_control: _BlasControl | None = None
_control_found = False


def _blas() -> _BlasControl | None:
    global _control, _control_found
    if not _control_found:
        _control, _control_found = _threadpoolctl_control() or _openblas_control(), True
    return _control


_UNREACHABLE = ("cannot reach numpy's BLAS: it is not an OpenBLAS autograd-lite knows; install threadpoolctl "
                "(pip install 'autograd-lite[threads]'), which also knows MKL and BLIS, or set "
                "OPENBLAS_NUM_THREADS / OMP_NUM_THREADS before starting Python")


def set_num_threads(n: int) -> None:
    """Use ``n`` threads for numpy's matrix products from now on (``torch.set_num_threads``'s counterpart).

    This replaces the default policy (see the module's docstring) for the rest of
    the process. It sets numpy's BLAS itself, so it also holds for numpy code
    outside autograd-lite. Raises RuntimeError, as PyTorch does, for anything
    but a positive int. Where numpy's BLAS cannot be reached (see the module's
    docstring) it warns (RuntimeWarning) and changes nothing, so that code
    written on one machine still runs on another, as PyTorch's call always does.

    >>> import autograd_lite as ag
    >>> ag.set_num_threads(1)
    """
    global _policy
    if isinstance(n, bool) or not isinstance(n, int):
        raise RuntimeError(f"set_num_threads expects an int, but got {type(n).__name__}")
    if n < 1:
        raise RuntimeError(f"set_num_threads expects a positive integer, got {n}")
    control = _blas()
    if control is None:
        warnings.warn(f"set_num_threads({n}) did nothing: {_UNREACHABLE}", RuntimeWarning, stacklevel=2)
        return
    control.set(n)
    _policy = None


def get_num_threads() -> int:
    """The number of threads numpy's BLAS uses for a matrix product now (the largest, if there are several BLAS).

    Raises RuntimeError where numpy's BLAS cannot be reached (see the module's docstring).

    >>> import autograd_lite as ag
    >>> ag.get_num_threads() >= 1
    True
    """
    control = _blas()
    if control is None:
        raise RuntimeError(_UNREACHABLE)
    return control.get()


# -- the default policy --------------------------------------------------------
def _usable_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


_TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _busy_seconds() -> float | None:
    """CPU seconds all processes have spent working since boot, steal time included (Linux), else None."""
    try:
        with open("/proc/stat") as stat:
            fields = stat.readline().split()
    except OSError:
        return None
    # cpu  user nice system idle iowait irq softirq steal ...
    user, nice, system, _, _, irq, softirq, steal = (int(v) for v in fields[1:9])
    return (user + nice + system + irq + softirq + steal) / _TICKS_PER_SECOND


class _LoadPolicy:
    """Gives BLAS the cores that other processes left free over the last second (see the module's docstring)."""

    def __init__(self) -> None:
        self.next_look = 0.0
        self.most: int | None = None  # the BLAS's own default, learnt at the first look
        self.last = self._sample()

    @staticmethod
    def _sample() -> tuple[float, float, float | None]:
        return time.monotonic(), time.process_time(), _busy_seconds()

    def threads_for(self, others_busy: float) -> int:
        """The thread count when other processes kept ``others_busy`` cores busy on average.

        A core counts as free when at least three quarters of it were idle: a second thread
        that collides saves nothing and can cost several times the product (module docstring),
        and a neighbour squeezed by our own threads shows less than the core it wants.
        """
        free = _usable_cores() - others_busy
        return max(1, min(self.most or 1, int(free + 0.25)))

    def look(self) -> None:
        now, own, busy = sample = self._sample()
        wall = now - self.last[0]
        self.next_look = now + CHECK_EVERY
        if busy is None or self.last[2] is None or wall < _MIN_WINDOW:
            return
        others = max(0.0, (busy - self.last[2]) - (own - self.last[1])) / wall
        self.last = sample
        control = _blas()
        if control is None:
            return
        current = control.get()
        if self.most is None:
            self.most = current
        wanted = self.threads_for(others)
        if wanted != current:
            control.set(wanted)


_policy: _LoadPolicy | None = None if any(v in os.environ for v in _USER_VARIABLES) else _LoadPolicy()


def adapt_to_load() -> None:
    """Called before a matrix product: apply the default policy, at most once a second (a clock read otherwise)."""
    if _policy is not None and time.monotonic() >= _policy.next_look:
        _policy.look()
