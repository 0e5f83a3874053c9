"""Per-op overhead: a chain of 1,000 tiny ops (16 elements: add, mul, tanh in turn), forward + backward.

With 16 elements the arithmetic is nothing; what is measured is the cost of
recording a node and of running its backward: the Python overhead per op.
Rivals: autograd-lite, PyTorch eager, HIPS autograd (when installed), and
plain numpy doing the forward only (no graph, a floor).
"""
from __future__ import annotations

import argparse
from typing import Any, Callable

import numpy as np

from common import fmt_timing, optional, ratio_lines, time_in_parts

N_OPS, SIZE = 1000, 16
REPEATS = 10  # chains per round, each timed as one part (see common.time_in_parts)
PER_ROUND = N_OPS * REPEATS  # ops per round


def _chain(x: Any, c: Any, tanh: Callable[[Any], Any]) -> Any:
    for i in range(N_OPS):
        step = i % 3
        x = x + c if step == 0 else x * c if step == 1 else tanh(x)
    return x


def ours() -> Callable[[], None]:
    import autograd_lite as ag
    rng = np.random.default_rng(0)
    x = ag.Tensor(rng.random(SIZE, dtype=np.float32), requires_grad=True)
    c = ag.Tensor(rng.random(SIZE, dtype=np.float32) * 0.5)

    def run() -> None:
        x.grad = None
        _chain(x, c, lambda t: t.tanh()).sum().backward()
    return run


def numpy_forward() -> Callable[[], None]:
    rng = np.random.default_rng(0)
    x, c = rng.random(SIZE, dtype=np.float32), rng.random(SIZE, dtype=np.float32) * 0.5
    return lambda: _chain(x, c, np.tanh).sum()


def pytorch() -> Callable[[], None] | None:
    torch = optional("torch")
    if torch is None:
        return None
    torch.set_num_threads(2)
    x = torch.rand(SIZE, requires_grad=True)
    c = torch.rand(SIZE) * 0.5

    def run() -> None:
        x.grad = None
        _chain(x, c, torch.tanh).sum().backward()
    return run


def hips_autograd() -> Callable[[], None] | None:
    autograd = optional("autograd")
    if autograd is None:
        return None
    anp = __import__("autograd.numpy", fromlist=["tanh"])
    rng = np.random.default_rng(0)
    x0, c = rng.random(SIZE), rng.random(SIZE) * 0.5
    gradient = autograd.grad(lambda x: anp.sum(_chain(x, c, anp.tanh)))
    return lambda: gradient(x0)


def run(rounds: int = 7) -> dict[str, Any]:
    rivals: dict[str, Callable[[], Any]] = {"autograd-lite": ours(), "numpy (forward only)": numpy_forward()}
    skipped = []
    for name, make in (("PyTorch eager", pytorch), ("HIPS autograd", hips_autograd)):
        fn = make()
        if fn is None:
            skipped.append(f"{name} (not installed)")
        else:
            rivals[name] = fn
    parts = {name: [fn] * REPEATS for name, fn in rivals.items()}
    return {"timings": time_in_parts(parts, rounds), "skipped": skipped}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=7)
    result = run(parser.parse_args().rounds)
    for name, t in result["timings"].items():
        print(f"{name:>22}: {fmt_timing(t, 1 / PER_ROUND)} per op")
    print("\n".join(ratio_lines(result["timings"])))
    for s in result["skipped"]:
        print("skipped:", s)


if __name__ == "__main__":
    main()
