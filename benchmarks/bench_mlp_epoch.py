"""One epoch of seed program 002's MLP (784-512-10 ReLU, softmax cross-entropy, RMSprop, batch 128).

Rivals: autograd-lite, the same network written by hand in straightforward
numpy, and PyTorch eager (when installed), on the 60,000 Fashion-MNIST
training images (Debian's dataset-fashion-mnist; random data of the same
shape if it is absent, and the table says so).

autograd-lite runs with its default thread policy (``ag.set_num_threads``'s
docstring); PyTorch runs with 1 and with 2 threads, taking turns with the
others, and is reported at whichever was faster in this run, as a user would
choose. ``--busy`` repeats the race with a second process spinning on one core
(``common.busy_neighbour``), as another user's job would on a shared machine.
"""
from __future__ import annotations

import argparse
from functools import partial
from typing import Any, Callable

import numpy as np

from common import (busy_neighbour, epoch_in_slices, fmt_timing, optional, our_training, peak_traced_bytes,
                    ratio_lines, time_in_parts, with_thread_count)

HIDDEN, CLASSES, BATCH, LR, RHO, EPS = 512, 10, 128, 1e-3, 0.9, 1e-7
SLICES = 10  # an epoch is timed in slices, each run by every rival in turn (see common.time_in_parts)
THREAD_COUNTS = (1, 2)  # PyTorch is timed with each (the faster stands for PyTorch), and so are we


def load_data(limit: int | None = None) -> tuple[np.ndarray, np.ndarray, str]:
    import autograd_lite as ag
    try:
        x, y = ag.data.fashion_mnist("train", download=False)
        source = "Fashion-MNIST train (60,000 images)"
    except FileNotFoundError:
        rng = np.random.default_rng(0)
        x = rng.random((60000, 784), dtype=np.float32)
        y = rng.integers(0, CLASSES, 60000).astype(np.uint8)
        source = "random data shaped like Fashion-MNIST (the data set was not found)"
    if limit:
        x, y = x[:limit], y[:limit]
        source += f", the first {len(x):,} of them"
    return x, y.astype(np.int64), source


def initial_weights(seed: int = 0) -> list[np.ndarray]:
    """Weights in PyTorch's (out, in) layout, shared by all rivals so they do identical arithmetic."""
    rng = np.random.default_rng(seed)
    w1 = rng.uniform(-1, 1, (HIDDEN, 784)).astype(np.float32) / np.sqrt(784)
    w2 = rng.uniform(-1, 1, (CLASSES, HIDDEN)).astype(np.float32) / np.sqrt(HIDDEN)
    return [w1, np.zeros(HIDDEN, np.float32), w2, np.zeros(CLASSES, np.float32)]


def ours(x: np.ndarray, y: np.ndarray) -> Callable[[int, int], float]:
    import autograd_lite as ag
    model = ag.nn.Sequential(ag.nn.Linear(784, HIDDEN), ag.nn.ReLU(), ag.nn.Linear(HIDDEN, CLASSES))
    for p, w in zip(model.parameters(), initial_weights()):
        p.data[...] = w
    return our_training(model, ag.optim.RMSprop(model.parameters(), lr=LR, alpha=RHO, eps=EPS), x, y, BATCH)


def numpy_by_hand(x: np.ndarray, y: np.ndarray) -> Callable[[int, int], float]:
    params = initial_weights()
    squares = [np.zeros_like(p) for p in params]

    def train(start: int, stop: int) -> float:
        w1, b1, w2, b2 = params
        for i in range(start, stop, BATCH):
            xb, yb = x[i:i + BATCH], y[i:i + BATCH]
            n = len(xb)
            h = xb @ w1.T + b1
            a = np.maximum(h, 0)
            z = a @ w2.T + b2
            z = z - z.max(axis=1, keepdims=True)
            e = np.exp(z)
            p = e / e.sum(axis=1, keepdims=True)
            loss = -np.log(p[np.arange(n), yb]).mean()
            dz = p
            dz[np.arange(n), yb] -= 1
            dz /= n
            dw2, db2 = dz.T @ a, dz.sum(axis=0)
            dh = (dz @ w2) * (h > 0)
            dw1, db1 = dh.T @ xb, dh.sum(axis=0)
            for param, grad, sq in zip(params, (dw1, db1, dw2, db2), squares):
                sq[...] = RHO * sq + (1 - RHO) * grad ** 2
                param -= LR * grad / (np.sqrt(sq) + EPS)
        return float(loss)
    return train


def pytorch(x: np.ndarray, y: np.ndarray, threads: int) -> Callable[[int, int], float]:
    import torch
    model = torch.nn.Sequential(torch.nn.Linear(784, HIDDEN), torch.nn.ReLU(), torch.nn.Linear(HIDDEN, CLASSES))
    with torch.no_grad():
        for p, w in zip(model.parameters(), initial_weights()):
            p.copy_(torch.from_numpy(w))
    opt = torch.optim.RMSprop(model.parameters(), lr=LR, alpha=RHO, eps=EPS)
    tx, ty = torch.from_numpy(x), torch.from_numpy(y)

    def train(start: int, stop: int) -> float:
        torch.set_num_threads(threads)  # each run: the rival with the other count ran just before
        for i in range(start, stop, BATCH):
            loss = torch.nn.functional.cross_entropy(model(tx[i:i + BATCH]), ty[i:i + BATCH])
            opt.zero_grad()
            loss.backward()
            opt.step()
        return loss.item()
    return train


def in_slices(train: Callable[[int, int], float], n: int) -> list[Callable[[], float]]:
    """One epoch over n images as SLICES calls, each a run of whole batches."""
    return epoch_in_slices(train, n, BATCH, SLICES)


def race(x: np.ndarray, y: np.ndarray, rounds: int, by_hand: bool = True,
         ours_fixed: tuple[int, ...] = ()) -> dict[str, Any]:
    """Time the rivals on (x, y), epochs in slices. ``timings["PyTorch eager"]`` is PyTorch under
    its faster thread count in this run, ``pytorch_best`` names it; ``skipped`` lists absent rivals.
    ``ours_fixed``: thread counts to time autograd-lite with besides its default policy."""
    rivals = {"autograd-lite": ours(x, y)}
    for threads in ours_fixed:
        rivals[f"autograd-lite, {threads} thread{'s' if threads > 1 else ''}"] = with_thread_count(ours(x, y), threads)
    if by_hand:
        rivals["numpy by hand"] = numpy_by_hand(x, y)
    torch_names = []
    for threads in THREAD_COUNTS if optional("torch") else ():
        torch_names.append(f"PyTorch eager, {threads} thread{'s' if threads > 1 else ''}")
        rivals[torch_names[-1]] = pytorch(x, y, threads)
    timings = time_in_parts({name: in_slices(train, len(x)) for name, train in rivals.items()}, rounds)
    if not torch_names:
        return {"timings": timings, "pytorch_best": None, "skipped": ["PyTorch (not installed)"]}
    best = min(torch_names, key=lambda name: timings[name].median)
    timings["PyTorch eager"] = timings[best]
    return {"timings": timings, "pytorch_best": best, "skipped": []}


def run(rounds: int = 3, limit: int | None = None, busy_rounds: int = 0) -> dict[str, Any]:
    """The race on a quiet machine, then (``busy_rounds`` > 0) with a busy neighbour; peak memory."""
    x, y, source = load_data(limit)
    result = race(x, y, rounds, ours_fixed=THREAD_COUNTS)
    if busy_rounds:
        # the neighbour ends with the race, or by itself after an hour (a race that collapses 20x)
        with busy_neighbour(max_seconds=3600):
            result["busy"] = race(x, y, busy_rounds, by_hand=False, ours_fixed=THREAD_COUNTS)
    small = (x[:BATCH * 50], y[:BATCH * 50])  # peak memory is per step; 50 steps show it
    memory = {name: peak_traced_bytes(partial(make(*small), 0, len(small[0])))  # built before tracing starts
              for name, make in (("autograd-lite", ours), ("numpy by hand", numpy_by_hand))}
    return {"source": source, **result, "memory": memory}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--limit", type=int, default=None, help="use only this many images")
    parser.add_argument("--busy", type=int, default=0, metavar="ROUNDS",
                        help="also race this many rounds with a process spinning on one core")
    args = parser.parse_args()
    result = run(args.rounds, args.limit, args.busy)
    print(result["source"])
    for title, race_result in (("quiet", result), ("busy neighbour", result.get("busy"))):
        if race_result is None:
            continue
        print(f"-- {title}: PyTorch's faster setting was {race_result.get('pytorch_best', 'n/a')}")
        for name, t in race_result["timings"].items():
            print(f"{name:>25}: {fmt_timing(t)} per epoch")
        print("\n".join(ratio_lines(race_result["timings"])))
    for name, b in result["memory"].items():
        print(f"{name:>15}: peak traced memory {b / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
