"""Scalar engines: micrograd's demo (MLP 2-16-16-1 on 100 moons points, max-margin loss), per training step,
and backward through a chain of 1,500 scalar ops (micrograd's recursive sort stops there).

Both engines run the same demo code; only the ``Value`` class and the
neuron's weighted sum differ (micrograd's Neuron adds one product at a time;
ours calls ``Value.dot``, one node for the whole sum). A third rival runs
our ``Value`` on micrograd's code exactly as written, one product at a time.
"""
from __future__ import annotations

import argparse
import gc
import random
import time
from typing import Any, Callable

from common import fmt_timing, optional, ratio_lines, time_rounds

PLAIN = "autograd-lite, micrograd's code as written"


def moons_data() -> tuple[list[list[float]], list[float]]:
    import autograd_lite as ag
    x, y = ag.data.moons(100, noise=0.1, seed=1)
    return x.tolist(), [float(v) * 2 - 1 for v in y]


class Neuron:
    def __init__(self, value: type, nin: int, nonlin: bool, rng: random.Random, fused: bool) -> None:
        self.w = [value(rng.uniform(-1, 1)) for _ in range(nin)]
        self.b = value(0.0)
        self.nonlin, self.fused, self.value = nonlin, fused, value

    def __call__(self, x: list[Any]) -> Any:
        if self.fused:
            act = self.value.dot(self.w, x) + self.b
        else:
            act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.relu() if self.nonlin else act

    def parameters(self) -> list[Any]:
        return self.w + [self.b]


class MLP:
    def __init__(self, value: type, sizes: list[int], fused: bool, seed: int = 1337) -> None:
        rng = random.Random(seed)
        self.layers = [[Neuron(value, sizes[i], i != len(sizes) - 2, rng, fused) for _ in range(sizes[i + 1])]
                       for i in range(len(sizes) - 1)]

    def __call__(self, x: list[Any]) -> Any:
        for layer in self.layers:
            x = [n(x) for n in layer]
        return x[0]

    def parameters(self) -> list[Any]:
        return [p for layer in self.layers for n in layer for p in n.parameters()]


def training_step(value: type, fused: bool) -> Callable[[], float]:
    xs, ys = moons_data()
    model = MLP(value, [2, 16, 16, 1], fused)
    params = model.parameters()
    step = [0]

    def run() -> float:
        scores = [model([value(a), value(b)]) for a, b in xs]
        losses = [(1 + -yi * si).relu() for yi, si in zip(ys, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        total = data_loss + 1e-4 * sum(p * p for p in params)
        for p in params:
            p.grad = 0.0
        total.backward()
        lr = 1.0 - 0.9 * step[0] / 100
        for p in params:
            p.data -= lr * p.grad
        step[0] += 1
        return total.data
    return run


def chain_backward(value: type, length: int = 1500) -> Callable[[], str]:
    def run() -> str:
        x = value(0.5)
        y = x
        for _ in range(length):
            y = y * 1.0001 + 0.0
        try:
            y.backward()
            return "ok"
        except RecursionError:
            return "RecursionError"
    return run


def run(rounds: int = 5) -> dict[str, Any]:
    import autograd_lite as ag
    rivals = {"autograd-lite": training_step(ag.Value, fused=True),
              PLAIN: training_step(ag.Value, fused=False)}
    skipped, chains = [], {"autograd-lite": chain_backward(ag.Value)()}
    micrograd = optional("micrograd.engine")
    if micrograd is None:
        skipped.append("micrograd (not installed: pip install micrograd)")
    else:
        rivals["micrograd"] = training_step(micrograd.engine.Value, fused=False)
        chains["micrograd"] = chain_backward(micrograd.engine.Value)()
    timings = time_rounds(rivals, rounds)
    return {"timings": timings, "chains": chains, "skipped": skipped,
            "collector": {name: collector_share(step) for name, step in rivals.items()}}


def collector_share(step: Callable[[], Any]) -> float:
    """The share of one training step spent in Python's cyclic garbage collector."""
    spent, started = [0.0], [0.0]

    def watch(phase: str, info: dict) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            spent[0] += time.perf_counter() - started[0]

    gc.collect()
    gc.callbacks.append(watch)
    try:
        start = time.perf_counter()
        step()
        return spent[0] / (time.perf_counter() - start)
    finally:
        gc.callbacks.remove(watch)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    result = run(parser.parse_args().rounds)
    for name, t in result["timings"].items():
        print(f"{name:>14}: {fmt_timing(t)} per training step")
    t = result["timings"]
    print("\n".join(ratio_lines(t)))
    if "micrograd" in t:
        print("\n".join(ratio_lines({PLAIN: t[PLAIN], "micrograd": t["micrograd"]}, ours=PLAIN)))
    for name, share in result["collector"].items():
        print(f"{name:>14}: {share:.0%} of a step in Python's garbage collector")
    for name, outcome in result["chains"].items():
        print(f"{name:>14}: backward through 1,500 scalar ops: {outcome}")
    for s in result["skipped"]:
        print("skipped:", s)


if __name__ == "__main__":
    main()
