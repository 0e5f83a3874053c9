"""Check the engine's gradients against central finite differences, in float64."""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from .engine import Node, grad, no_grad
from .tensor import Tensor
from .value import Value

__all__ = ["gradcheck", "GradcheckError"]


class GradcheckError(AssertionError):
    """The engine's gradient and the finite-difference estimate disagree."""


def gradcheck(fn: Callable[..., Any], inputs: Sequence[Any] | Any, eps: float = 1e-6,
              atol: float = 1e-5, rtol: float = 1e-3, seed: int = 0) -> bool:
    """True if ``fn``'s engine gradients match central differences; else raise :class:`GradcheckError`.

    ``inputs`` are Tensors (or Values, or arrays); each is copied to float64.
    Non-scalar outputs are reduced to ``sum(out * r)`` with a fixed random
    ``r``, which checks every entry of the vector-Jacobian product. The finite
    differences evaluate ``fn`` under ``no_grad()`` (nothing needs recording
    there), so a ``fn`` that itself takes gradients (``grad(..., create_graph=True)``)
    must wrap its body in ``enable_grad()``.

    >>> gradcheck(lambda a, b: (a * b).tanh(), [np.random.rand(3, 1), np.random.rand(4)])
    True
    """
    inputs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    leaves = [_float64_leaf(x) for x in inputs]
    rng = np.random.default_rng(seed)
    out = fn(*leaves)
    if not isinstance(out, Node):
        raise TypeError(f"gradcheck: fn must return a Tensor or Value, got {type(out).__name__}")
    weights = None if isinstance(out, Value) else rng.standard_normal(out.shape)

    def scalar(out: Any) -> Any:
        return out if weights is None else (out * weights).sum()

    loss = scalar(out)
    analytic = [np.asarray(g, dtype=np.float64) if g is not None else None
                for g in _grads(loss, leaves)]
    for i, (leaf, g) in enumerate(zip(leaves, analytic)):
        numeric = _numeric_grad(lambda: float(np.asarray(scalar(fn(*leaves)).data)), leaf, eps)
        if g is None:
            g = np.zeros_like(numeric)
        err = np.abs(g - numeric)
        bad = err > atol + rtol * np.abs(numeric)
        if np.any(bad):
            where = tuple(int(j) for j in np.argwhere(bad)[0]) if np.ndim(bad) else ()
            raise GradcheckError(
                f"gradcheck: input {i} (shape {np.shape(numeric)}), element {where}: "
                f"numerical {numeric[where]:.8g}, analytical {g[where]:.8g}, "
                f"error {err[where]:.3g} > atol {atol:g} + rtol {rtol:g} * |numerical|")
    return True


def _float64_leaf(x: Any) -> Node:
    if isinstance(x, Value):
        return Value(x.data, label=x.label)
    data = x.data if isinstance(x, Tensor) else x
    return Tensor(np.array(data, dtype=np.float64), requires_grad=True)


def _grads(loss: Any, leaves: list[Node]) -> list[Any]:
    gs = grad(loss, leaves, allow_unused=True)
    return [None if g is None else (g.data if isinstance(g, Tensor) else g) for g in gs]


def _numeric_grad(f: Callable[[], float], leaf: Node, eps: float) -> np.ndarray:
    with no_grad():
        if isinstance(leaf, Value):
            x0 = leaf.data
            leaf.data = x0 + eps
            up = f()
            leaf.data = x0 - eps
            down = f()
            leaf.data = x0
            return np.asarray((up - down) / (2 * eps))
        data = leaf.data
        out = np.zeros_like(data)
        for j in np.ndindex(data.shape):
            x0 = data[j]
            data[j] = x0 + eps
            up = f()
            data[j] = x0 - eps
            down = f()
            data[j] = x0
            out[j] = (up - down) / (2 * eps)
        return out
