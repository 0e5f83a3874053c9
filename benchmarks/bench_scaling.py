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
RUNS = (15, 7, 3)  # runs per size, the best of which counts


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
    # The best of several runs: on a shared machine one slow run says more about the neighbours
    # than about us, and a 10 ms run (10^4 nodes) is easily caught by one. Small sizes get more runs.
    return {kind: [min(backward_seconds(kind, n) for _ in range(runs)) for n, runs in zip(SIZES, RUNS)]
            for kind in kinds}


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
