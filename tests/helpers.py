"""Shared test helpers: hypothesis strategies for operands, and one gradient check.

Import from any test module (pytest puts ``tests/`` on the path):

    from helpers import FAST, check_grads, operands

    @FAST
    @given(operands(2))                     # two float64 arrays whose shapes broadcast together
    def test_mul(xs):
        check_grads(lambda a, b: a * b, *xs)

Stable API:

* ``FAST``: hypothesis ``settings`` for quick property tests (25 examples, no deadline).
* ``shapes(...)``: strategy for one array shape.
* ``operands(n, ...)``: strategy for ``n`` float64 arrays whose shapes broadcast together
  (``broadcast=False`` gives one shared shape); values uniform in ``[low, high]``,
  or kept ``away`` from 0 by at least that much (for kinks such as relu and abs).
* ``check_grads(fn, *arrays, order=2)``: ``gradcheck`` of ``fn``, and with
  ``order=2`` also of its vector-Jacobian product built with ``create_graph=True``
  (so the second derivatives are checked against finite differences too).
* ``call_declared(entry, xs, setting)``: a registry entry's function on the inputs ``xs`` and one
  setting of its samples (``function=``: another library's function, called the same way).
* ``mnist_at_hand()``: whether the MNIST test split is on this machine (no download).
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

import autograd_lite as ag

__all__ = ["FAST", "shapes", "operands", "check_grads", "call_declared"]

FAST = settings(max_examples=25, deadline=None)


def shapes(min_dims: int = 0, max_dims: int = 3, min_side: int = 1, max_side: int = 3) -> st.SearchStrategy:
    """One shape, e.g. ``()``, ``(3,)``, ``(2, 1, 3)``."""
    return st.lists(st.integers(min_side, max_side), min_size=min_dims, max_size=max_dims).map(tuple)


@st.composite
def operands(draw: Any, n: int = 1, broadcast: bool = True, min_dims: int = 0, max_dims: int = 3,
             max_side: int = 3, low: float = -2.0, high: float = 2.0, away: float = 0.0) -> list[np.ndarray]:
    """``n`` float64 arrays whose shapes broadcast together (or share one shape)."""
    if broadcast:
        drawn = draw(mutually_broadcastable_shapes(num_shapes=n, min_dims=min_dims, max_dims=max_dims,
                                                   min_side=1, max_side=max_side))
        found = list(drawn.input_shapes)
    else:
        found = [draw(shapes(min_dims, max_dims, 1, max_side))] * n
    # Values come from a seeded generator rather than hypothesis' float search: gradient checks want
    # well-spread values, not the edge cases (0, huge, subnormal) that a float strategy hunts for.
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    arrays = []
    for shape in found:
        if away:
            magnitude = rng.uniform(away, max(abs(low), abs(high)), shape)
            arrays.append(np.where(rng.random(shape) < 0.5, -magnitude, magnitude) if low < 0 else magnitude)
        else:
            arrays.append(rng.uniform(low, high, shape))
    return arrays


def check_grads(fn: Callable[..., Any], *arrays: Any, order: int = 2, eps: float = 1e-6,
                atol: float = 1e-5, rtol: float = 1e-3) -> bool:
    """Check ``fn``'s gradients (and with ``order=2`` its second derivatives) by finite differences.

    Raises ``GradcheckError`` naming the input and element that disagree.
    """
    ag.gradcheck(fn, list(arrays), eps=eps, atol=atol, rtol=rtol)
    if order >= 2:
        ag.gradcheck(_vjp(fn), list(arrays), eps=eps, atol=atol, rtol=rtol)
    return True


def _vjp(fn: Callable[..., Any]) -> Callable[..., Any]:
    """x ↦ Σ w·(vᵀ ∂fn/∂x) for fixed random v, w: its gradient holds fn's second derivatives."""
    def vjp(*xs: Any) -> Any:
        with ag.enable_grad():  # gradcheck evaluates under no_grad; the inner gradient needs a graph
            out = fn(*xs)
            rng = np.random.default_rng(1)
            grads = ag.grad(out, list(xs), grad_outputs=_random_like(out, rng), create_graph=True,
                            allow_unused=True)
            total = sum(_sum(x * 0) for x in xs)  # keeps the result in the graph when fn is linear
            for g in grads:
                if g is not None:
                    total = total + _sum(g * _random_like(g, rng))
            return total
    return vjp


def _random_like(x: Any, rng: np.random.Generator) -> Any:
    if isinstance(x, ag.Value):
        return float(rng.standard_normal())
    return ag.Tensor(rng.standard_normal(x.shape))


def _sum(x: Any) -> Any:
    return x if isinstance(x, ag.Value) else x.sum()


def call_declared(entry: Any, xs: Any, setting: dict, function: Callable[..., Any] | None = None) -> Any:
    """The op declared by ``entry`` on ``xs``: the last inputs by keyword where the samples name them,
    as the op takes them after its settings (scatter's ``src``)."""
    named = entry.samples.named_inputs
    positional = list(xs[:len(xs) - len(named)])
    return (function or entry.function)(*positional, **dict(zip(named, xs[len(positional):])), **setting)


def mnist_at_hand() -> bool:
    """Whether the MNIST test split is on this machine (no download)."""
    import autograd_lite as ag
    try:
        ag.data.mnist("test", download=False)
    except ag.data.DatasetNotFoundError:
        return False
    return True
