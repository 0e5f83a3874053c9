"""Timing, memory and machine-description helpers shared by the benchmarks.

Speed is compared as ratios measured in one process and one run (ours vs a
baseline), never as absolute seconds across runs: these machines are noisy.
"""
from __future__ import annotations

import contextlib
import gc
import os
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Sequence

import numpy as np

# Measure the checkout these scripts belong to, not whichever autograd_lite is installed.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@dataclass
class Timing:
    """Seconds per round: the median and the spread (min-max) of several rounds.

    ``parts`` holds the time of each part of each round, when a round was run in parts.
    """
    samples: list[float] = field(default_factory=list)
    parts: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def low(self) -> float:
        return min(self.samples)

    @property
    def high(self) -> float:
        return max(self.samples)


def time_rounds(fns: dict[str, Callable[[], Any]], rounds: int, warmup: int = 1) -> dict[str, Timing]:
    """Time each function ``rounds`` times, interleaved, so drifts in machine load hit all alike."""
    return time_in_parts({name: [fn] for name, fn in fns.items()}, rounds, warmup)


def time_in_parts(parts: dict[str, Sequence[Callable[[], Any]]], rounds: int, warmup: int = 1) -> dict[str, Timing]:
    """Time rounds made of parts (an epoch in slices, say): every rival runs part k, then
    every rival runs part k + 1, and so on. A round's time is the sum of its parts.

    The shorter the stretch between two rivals' runs of the same part, the less a
    slow spell of this shared machine tilts their ratio (see ``paired_ratio``).
    ``warmup`` runs of the first part come first and are not timed.
    """
    for part in parts.values():
        for _ in range(warmup):
            part[0]()
    out = {name: Timing() for name in parts}
    count = len(next(iter(parts.values())))
    for _ in range(rounds):
        for name in parts:
            out[name].samples.append(0.0)
        for k in range(count):
            for name, part in parts.items():
                gc.collect()
                start = time.perf_counter()
                part[k]()
                seconds = time.perf_counter() - start
                out[name].samples[-1] += seconds
                out[name].parts.append(seconds)
    return out


def our_training(model: Any, optimizer: Any, x: np.ndarray, y: np.ndarray,
                 batch: int) -> Callable[..., float]:
    """``train(start, stop)``: autograd-lite's plain loop (forward, cross-entropy, backward, step) over
    the images ``x[start:stop]`` in batches; returns the last batch's loss. Both epoch benchmarks use it."""
    import autograd_lite as ag
    from autograd_lite import functional as F
    images = ag.as_tensor(x)  # no copy, as torch.from_numpy; a slice of it is a view, as in PyTorch

    def train(start: int, stop: int, batch: int = batch) -> float:
        for i in range(start, stop, batch):
            loss = F.cross_entropy(model(images[i:i + batch]), y[i:i + batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        return loss.item()
    return train


def with_thread_count(train: Callable[..., float], threads: int) -> Callable[..., float]:
    """``train`` run with ``ag.set_num_threads(threads)`` (numpy's BLAS), and
    autograd-lite's default policy back after each run, so that rivals taking turns each get their own."""
    import autograd_lite as ag
    from autograd_lite import threads as policy_module

    def run(*args: Any, **kwargs: Any) -> float:
        policy, before = policy_module._policy, ag.get_num_threads()
        ag.set_num_threads(threads)
        try:
            return train(*args, **kwargs)
        finally:
            ag.set_num_threads(before)
            policy_module._policy = policy
    return run


def epoch_in_slices(train: Callable[[int, int], Any], n: int, batch: int, slices: int) -> list[Callable[[], Any]]:
    """One epoch over n examples as ``slices`` calls of ``train(start, stop)``, each a run of whole batches
    (the parts ``time_in_parts`` interleaves)."""
    steps = -(-n // batch)
    bounds = [min(n, batch * (steps * k // slices)) for k in range(slices + 1)]
    return [lambda lo=lo, hi=hi: train(lo, hi) for lo, hi in zip(bounds, bounds[1:])]


def paired_ratio(ours: Timing, rival: Timing) -> Timing:
    """Ours / rival part by part (``time_in_parts`` runs each part of every rival back to
    back), so a slow spell of the machine that hits one part hits both sides of its ratio."""
    return Timing([a / b for a, b in zip(ours.parts, rival.parts)])


def fmt_ratio(ours: Timing, rival: Timing) -> str:
    """The median of the part-by-part ratios ours / rival, and their range."""
    r = paired_ratio(ours, rival)
    return f"{r.median:.2f} ({r.low:.2f}-{r.high:.2f})"


def ratio_lines(timings: dict[str, Timing], ours: str = "autograd-lite") -> list[str]:
    """One line per rival: ``fmt_ratio`` of ours against it."""
    return [f"{ours} / {name}: {fmt_ratio(timings[ours], t)}" for name, t in timings.items() if name != ours]


def peak_traced_bytes(fn: Callable[[], Any]) -> int:
    """Peak bytes allocated through Python and numpy while ``fn`` runs (tracemalloc sees numpy's buffers)."""
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def resident_bytes() -> int:
    """Current resident set size of this process (Linux)."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


# The neighbour's whole program: spin until its own deadline, so it ends even if this process dies.
_SPIN = "import sys, time\nend = time.monotonic() + float(sys.argv[1])\nwhile time.monotonic() < end: pass\n"


@contextlib.contextmanager
def busy_neighbour(max_seconds: float = 600.0) -> Iterator[subprocess.Popen]:
    """Run the body with a second process spinning on one core, as another user's job would.

    The neighbour is pinned to the last core this process may use (Linux), so on
    a 2-core machine it takes one of the two cores that BLAS threads would share.
    It stops when the body ends, and in any case after ``max_seconds`` (its own
    deadline, so a crashed benchmark leaves no spinner behind).
    """
    neighbour = subprocess.Popen([sys.executable, "-c", _SPIN, str(max_seconds)])
    try:
        if hasattr(os, "sched_setaffinity"):
            os.sched_setaffinity(neighbour.pid, {max(os.sched_getaffinity(0))})
        yield neighbour
    finally:
        neighbour.terminate()
        neighbour.wait()


def optional(module: str) -> Any | None:
    """Import a rival library if it is installed; None (and the runner says it skipped it) if not."""
    try:
        return __import__(module)
    except ImportError:
        return None


def machine_description() -> list[str]:
    lines = [f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
             f"numpy {np.__version__}"]
    try:
        from threadpoolctl import threadpool_info
        for pool in threadpool_info():
            lines.append(f"  BLAS: {pool.get('internal_api')} {pool.get('version')} "
                         f"({pool.get('architecture', '?')}, {pool.get('num_threads')} threads)")
    except ImportError:
        lines.append("  BLAS: (install threadpoolctl to report it)")
    lines.append("autograd-lite: BLAS threads by its default policy (the cores other processes leave free)")
    torch = optional("torch")
    if torch is not None:
        lines.append(f"torch {torch.__version__} (the MLP race times it with 1 and 2 threads and reports the faster)")
    micrograd = optional("micrograd")
    if micrograd is not None:
        lines.append("micrograd installed")
    return lines


def fmt_seconds(s: float) -> str:
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.2f} ms"
    return f"{s * 1e6:.2f} µs"


def fmt_timing(t: Timing, scale: float = 1.0) -> str:
    return f"{fmt_seconds(t.median * scale)} ({fmt_seconds(t.low * scale)}-{fmt_seconds(t.high * scale)})"
