"""One epoch of the issue's small convolutional network on Fashion-MNIST, NCHW float32, batch 64, Adam lr 1e-3:

    Conv2d(1, 8, 3, padding=1) ReLU MaxPool2d(2) Conv2d(8, 16, 3, padding=1) ReLU MaxPool2d(2) Flatten Linear(784, 10)

Rivals: autograd-lite and PyTorch eager (when installed) with 1 and with 2
threads, each timed; the faster of the two is the one to beat (on a busy
2-core machine OpenMP's second thread can make PyTorch many times slower).
autograd-lite runs under its default thread policy; ``--our-threads 1 2`` also
times it with fixed BLAS thread counts (``ag.set_num_threads``; only its
matrix products use a second core).
Rivals take turns slice by slice of the epoch (``common.time_in_parts``) and
start from the same weights. ``--per-op STEPS`` instead shows where a step's
time goes, op by op, for autograd-lite and for PyTorch at 1 and 2 threads.
Peak memory is measured per rival in a fresh
process: the growth of the resident set's high-water mark over 50 training
steps (PyTorch's buffers are not seen by tracemalloc, so both are measured the same way).
"""
from __future__ import annotations

import argparse
import collections
import multiprocessing
import time
from typing import Any, Callable

import numpy as np

from common import epoch_in_slices, fmt_timing, optional, our_training, ratio_lines, time_in_parts, with_thread_count

BATCH, LR, CLASSES = 64, 1e-3, 10
SLICES = 10  # an epoch is timed in slices, each run by every rival in turn
MEMORY_STEPS = 50


def load_data(limit: int | None = None) -> tuple[np.ndarray, np.ndarray, str]:
    import autograd_lite as ag
    try:
        x, y = ag.data.fashion_mnist("train", download=False, flatten=False)
        source = "Fashion-MNIST train (60,000 images)"
    except FileNotFoundError:
        rng = np.random.default_rng(0)
        x = rng.random((60000, 28, 28), dtype=np.float32)
        y = rng.integers(0, CLASSES, 60000).astype(np.uint8)
        source = "random data shaped like Fashion-MNIST (the data set was not found)"
    if limit:
        x, y = x[:limit], y[:limit]
        source += f", the first {len(x):,} of them"
    return np.ascontiguousarray(x.reshape(-1, 1, 28, 28), dtype=np.float32), y.astype(np.int64), source


def initial_weights(seed: int = 0) -> list[np.ndarray]:
    """Weights in PyTorch's layout and initialisation, shared by all rivals so they do identical arithmetic."""
    rng = np.random.default_rng(seed)
    shapes = [((8, 1, 3, 3), 9), ((8,), 9), ((16, 8, 3, 3), 72), ((16,), 72), ((10, 784), 784), ((10,), 784)]
    return [rng.uniform(-1, 1, shape).astype(np.float32) / np.float32(np.sqrt(fan_in)) for shape, fan_in in shapes]


def ours(x: np.ndarray, y: np.ndarray) -> Callable[[int, int], float]:
    import autograd_lite as ag
    nn = ag.nn
    model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(784, CLASSES))
    for p, w in zip(model.parameters(), initial_weights()):
        p.data[...] = w
    return our_training(model, ag.optim.Adam(model.parameters(), lr=LR), x, y, BATCH)


def pytorch(x: np.ndarray, y: np.ndarray, threads: int) -> Callable[[int, int], float] | None:
    torch = optional("torch")
    if torch is None:
        return None
    nn = torch.nn
    model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(784, CLASSES))
    with torch.no_grad():
        for p, w in zip(model.parameters(), initial_weights()):
            p.copy_(torch.from_numpy(w))
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    tx, ty = torch.from_numpy(x), torch.from_numpy(y)

    def train(start: int, stop: int, batch: int = BATCH) -> float:
        torch.set_num_threads(threads)  # the rivals take turns in one process: each sets its own count
        for i in range(start, stop, batch):
            loss = nn.functional.cross_entropy(model(tx[i:i + batch]), ty[i:i + batch])
            opt.zero_grad()
            loss.backward()
            opt.step()
        return loss.item()
    return train


def our_op_times(x: np.ndarray, y: np.ndarray, steps: int) -> dict[str, float]:
    """Milliseconds per training step in each op of autograd-lite, by op and pass ("conv2d forward"):
    a timer around every op class's forward and backward, less what the ops they call spend (a
    backward that runs ``conv_transpose2d`` counts only its own share)."""
    from autograd_lite.engine import Op
    train = ours(x, y)
    train(0, BATCH)  # the first step makes the optimizer's moments
    totals: collections.Counter[str] = collections.Counter()
    nested: list[float] = []  # per open timed call: the time spent in timed calls inside it

    def timed(method: Callable[..., Any], label: str) -> Callable[..., Any]:
        def run(self: Any, *args: Any) -> Any:
            nested.append(0.0)
            start = time.perf_counter()
            try:
                return method(self, *args)
            finally:
                spent = time.perf_counter() - start
                totals[f"{self.name} {label}"] += spent - nested.pop()
                if nested:
                    nested[-1] += spent
        return run

    classes, found = [], [Op]
    while found:  # every op class once (a class with two op bases is found twice)
        cls = found.pop()
        if cls not in classes:
            classes.append(cls)
            found.extend(cls.__subclasses__())
    patched = [(cls, name, cls.__dict__[name])
               for cls in classes for name in ("forward", "backward") if name in cls.__dict__]
    for cls, name, method in patched:
        setattr(cls, name, timed(method, name))
    try:
        start = time.perf_counter()
        train(0, steps * BATCH)
        whole = time.perf_counter() - start
    finally:
        for cls, name, method in patched:
            setattr(cls, name, method)
    totals["(outside the ops: engine, modules, optimizer)"] = whole - sum(totals.values())
    totals["(the whole step)"] = whole
    return {name: seconds / steps * 1e3 for name, seconds in totals.items()}


def pytorch_op_times(x: np.ndarray, y: np.ndarray, steps: int, threads: int) -> dict[str, float] | None:
    """Milliseconds per training step in each of PyTorch's ops (``torch.profiler``, self CPU time)."""
    torch = optional("torch")
    if torch is None:
        return None
    train = pytorch(x, y, threads)
    train(0, BATCH)
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as profile:
        train(0, steps * BATCH)
    return {event.key: event.self_cpu_time_total / steps / 1e3 for event in profile.key_averages()}


def print_op_times(x: np.ndarray, y: np.ndarray, steps: int, shown: int = 12) -> None:
    rivals = {"autograd-lite": our_op_times(x, y, steps)}
    for threads in (1, 2):
        times = pytorch_op_times(x, y, steps, threads)
        if times is not None:
            rivals[f"PyTorch eager, {threads} thread{'s' if threads > 1 else ''}"] = times
    for rival, times in rivals.items():
        print(f"{rival}, ms per step over {steps} steps of {BATCH} images (largest first):")
        for name, ms in sorted(times.items(), key=lambda item: -item[1])[:shown]:
            print(f"  {ms:7.3f}  {name}")


def peak_memory(rival: str) -> int:
    """Growth of this process's peak resident memory over MEMORY_STEPS training steps of ``rival``,
    in bytes; meant to run in a fresh process (``multiprocessing`` spawn), one per rival."""
    rng = np.random.default_rng(0)
    x = rng.random((BATCH * MEMORY_STEPS, 1, 28, 28), dtype=np.float32)
    y = rng.integers(0, CLASSES, len(x))
    train = ours(x, y) if rival == "autograd-lite" else pytorch(x, y, threads=1)
    # One step on a batch of one first: the library's one-time setup (PyTorch's kernels and
    # thread pool, Adam's moments) is not part of a step's memory; batches of 64 come fresh
    # from the allocator, and what one step frees stays resident for the next, so the peak
    # is what a step holds at once.
    train(0, 1, batch=1)
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # resets VmHWM, the peak resident size, to the current size (Linux)
    before = _status_bytes("VmRSS")
    train(0, len(x))
    return _status_bytes("VmHWM") - before


def _status_bytes(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"/proc/self/status has no {field}")


def run(rounds: int = 3, limit: int | None = None, our_threads: tuple[int, ...] = ()) -> dict[str, Any]:
    """The rivals' epochs in slices, and their peak memory. ``our_threads``: BLAS thread counts to time
    autograd-lite with besides its default policy (``ag.set_num_threads``)."""
    x, y, source = load_data(limit)
    rivals = {"autograd-lite": ours(x, y)}
    for threads in our_threads:
        rivals[f"autograd-lite, {threads} thread{'s' if threads > 1 else ''}"] = with_thread_count(ours(x, y), threads)
    skipped = []
    if optional("torch") is None:
        skipped.append("PyTorch (not installed)")
    else:
        for threads in (1, 2):
            rivals[f"PyTorch eager, {threads} thread{'s' if threads > 1 else ''}"] = pytorch(x, y, threads)
    timings = time_in_parts({name: epoch_in_slices(train, len(x), BATCH, SLICES) for name, train in rivals.items()}, rounds)
    memory = {}
    with multiprocessing.get_context("spawn").Pool(1, maxtasksperchild=1) as pool:
        for name in ("autograd-lite",) + (("PyTorch eager",) if len(rivals) > 1 else ()):
            memory[name] = pool.apply(peak_memory, (name,))
    return {"source": source, "timings": timings, "memory": memory, "skipped": skipped}


def fastest_pytorch(timings: dict[str, Any]) -> str | None:
    """The name of the faster PyTorch rival in this run (None without PyTorch)."""
    names = [name for name in timings if name.startswith("PyTorch")]
    return min(names, key=lambda name: timings[name].median) if names else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--limit", type=int, default=None, help="use only this many images")
    parser.add_argument("--per-op", type=int, default=0, metavar="STEPS",
                        help="instead of the race: the time per step of each op, over STEPS training steps")
    parser.add_argument("--our-threads", type=int, nargs="+", default=[], metavar="N",
                        help="also time autograd-lite with N threads (ag.set_num_threads), besides its default policy")
    args = parser.parse_args()
    if any(n < 1 for n in args.our_threads):
        parser.error("--our-threads: thread counts must be at least 1")
    if args.per_op < 0:
        parser.error("--per-op: the number of steps must be at least 1")
    if args.per_op:
        x, y, source = load_data(BATCH * (args.per_op + 1))
        print(source)
        print_op_times(x, y, args.per_op)
        return
    result = run(args.rounds, args.limit, tuple(args.our_threads))
    print(result["source"])
    for name, t in result["timings"].items():
        print(f"{name:>26}: {fmt_timing(t)} per epoch")
    print("\n".join(ratio_lines(result["timings"])))
    best = fastest_pytorch(result["timings"])
    if best:
        print(f"the rival to beat: {best}")
    for name, b in result["memory"].items():
        print(f"{name:>26}: peak memory growth over {MEMORY_STEPS} steps {b / 2**20:.1f} MiB")
    if len(result["memory"]) == 2:
        print(f"memory ratio autograd-lite / PyTorch: {result['memory']['autograd-lite'] / result['memory']['PyTorch eager']:.2f}")


if __name__ == "__main__":
    main()
