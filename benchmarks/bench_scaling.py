"""Backward time against graph size: chains of 10^4, 10^5 and 10^6 nodes should cost 10x more each step.

Also records how resident memory behaves over 20 training epochs: a graph
kept alive between steps would show up as steady growth.
"""
from __future__ import annotations

import argparse
import gc
import time
from typing import Any

import numpy as np

from common import resident_bytes

SIZES = (10_000, 100_000, 1_000_000)
ROUNDS, REPEATS = 4, (4, 2, 1)  # rounds over all sizes, and runs of each size per round


def backward_seconds(kind: str, n: int) -> float:
    import autograd_lite as ag
    x = ag.Value(0.5) if kind == "Value" else ag.Tensor(np.float32(0.5), requires_grad=True)
    y = x
    for _ in range(n):
        y = y * 1.0
    gc.collect()
    start = time.perf_counter()
    y.backward()
    return time.perf_counter() - start


def scaling(kinds: tuple[str, ...] = ("Value", "Tensor")) -> dict[str, list[float]]:
    """The best of several runs per size: on a shared machine one slow run says more about the
    neighbours than about us. Sizes take turns, so a slow spell hits all of them alike, and the
    short runs (10^4 nodes: a few ms, easily caught by one hiccup) are repeated more."""
    best = {(kind, n): float("inf") for kind in kinds for n in SIZES}
    for _ in range(ROUNDS):
        for kind in kinds:
            for n, repeats in zip(SIZES, REPEATS):
                for _ in range(repeats):
                    best[kind, n] = min(best[kind, n], backward_seconds(kind, n))
    return {kind: [best[kind, n] for n in SIZES] for kind in kinds}


def resident_over_epochs(epochs: int = 20, n: int = 6000) -> list[int]:
    """RSS after each epoch of the seed-002 MLP on ``n`` random images."""
    import autograd_lite as ag
    from autograd_lite import functional as F
    rng = np.random.default_rng(0)
    x = rng.random((n, 784), dtype=np.float32)
    y = rng.integers(0, 10, n)
    model = ag.nn.Sequential(ag.nn.Linear(784, 512), ag.nn.ReLU(), ag.nn.Linear(512, 10))
    opt = ag.optim.RMSprop(model.parameters(), lr=1e-3)
    out = []
    for _ in range(epochs):
        for i in range(0, n, 128):
            loss = F.cross_entropy(model(ag.Tensor(x[i:i + 128])), y[i:i + 128])
            opt.zero_grad()
            loss.backward()
            opt.step()
        out.append(resident_bytes())
    return out


def run() -> dict[str, Any]:
    return {"scaling": scaling(), "resident": resident_over_epochs()}


def main() -> None:
    argparse.ArgumentParser(description=__doc__).parse_args()
    result = run()
    for kind, secs in result["scaling"].items():
        ratios = ", ".join(f"{b / a:.1f}x" for a, b in zip(secs, secs[1:]))
        print(f"{kind}: " + ", ".join(f"{n:,} nodes {s:.3f} s" for n, s in zip(SIZES, secs)) + f" (steps: {ratios})")
    rss = result["resident"]
    print(f"resident memory over {len(rss)} epochs: first {rss[0] / 2**20:.1f} MiB, last {rss[-1] / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
