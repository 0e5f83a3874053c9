"""The gradient-check overlay: each op's backward against finite differences of its own forward.

Each op is checked on its own, at the inputs it recorded, so a wrong backward
marks that op alone instead of every node upstream of it.
"""
from __future__ import annotations

import copy
from typing import Any, Iterable

import numpy as np

from autograd_lite import Value
from autograd_lite.engine import Node

from .graph import Graph

OK_BELOW = 1e-4    # relative error of a correct backward in float64: ~1e-8
WRONG_FROM = 1e-2  # between the two: suspicious (a kink, or a badly conditioned input)


def local_errors(graph: Graph, positions: Iterable[int]) -> dict[int, float]:
    """Node position -> the largest relative error of its op's backward (NaN when undefined), for the op nodes given."""
    return {i: op_error(graph.nodes[i]) for i in positions if graph.nodes[i].grad_fn is not None}


def op_error(node: Node, samples: int = 16, eps: float = 1e-6) -> float:
    """max |analytic - numeric| / max(|analytic|, |numeric|, 1e-3) over up to ``samples`` entries per input."""
    inputs = node.grad_fn.input_nodes
    op = copy.copy(node.grad_fn.op)  # some ops keep what forward computed for backward; leave the graph's op as it was
    index = node.grad_fn.result_index  # which result of an op with several (None: its only one)
    scalar = isinstance(node, Value)
    xs = [x.data if not x.requires_grad else float(x.data) if scalar else np.array(x.data, dtype=np.float64)
          for x in inputs]
    rng = np.random.default_rng(0)

    def forward(values: list) -> Any:
        out = op.forward(*values)
        return out if index is None else out[index]

    ys = op.forward(*xs)
    y = ys if index is None else ys[index]
    weights = 1.0 if scalar else rng.standard_normal(np.shape(y))  # checks every entry of the vector-Jacobian product
    if index is None:
        grads = op.input_grads(weights, y, xs)  # before any moved forward: backward may read what forward kept
    else:  # the other results' gradients are 0
        grads = op.input_grads(tuple(weights if i == index else np.zeros_like(out) if np.asarray(out).dtype.kind == "f"
                                     else None for i, out in enumerate(ys)), ys, xs)

    def objective(k: int, e: int, delta: float) -> float:
        moved = list(xs)
        if scalar:
            moved[k] = xs[k] + delta
        else:
            moved[k] = xs[k].copy()
            moved[k].flat[e] += delta
        return float(np.sum(weights * forward(moved)))

    worst = 0.0
    for k, (x, g) in enumerate(zip(inputs, grads)):
        if g is None or not x.requires_grad:
            continue
        g = np.asarray(g, dtype=np.float64)
        size = g.size
        picks = range(size) if size <= samples else np.sort(rng.choice(size, samples, replace=False))
        for e in picks:
            numeric = (objective(k, e, eps) - objective(k, e, -eps)) / (2 * eps)
            analytic = g.flat[e]
            error = abs(analytic - numeric) / max(abs(analytic), abs(numeric), 1e-3)
            if not np.isfinite(error):
                return float("nan")
            worst = max(worst, float(error))
    return worst


def verdict(error: float) -> str:
    """``ok``, ``suspicious``, ``wrong``, or ``undefined`` (NaN: the op's value is not finite there)."""
    if not np.isfinite(error):
        return "undefined"
    return "ok" if error < OK_BELOW else "suspicious" if error < WRONG_FROM else "wrong"


def check_text(error: float) -> str:
    return f"check: {verdict(error)} ({error:.1e})" if np.isfinite(error) else "check: undefined"
