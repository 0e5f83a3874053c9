"""Reductions over axes: sum, mean, max, min (var and the like are built from these)."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..engine import Op, raw
from .shape import BroadcastTo

def normalize_axes(axis: Any, ndim: int, op: str = "reduction") -> tuple[int, ...]:
    """``axis`` (None, an int or a tuple, negatives allowed) as a sorted tuple of non-negative axes."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    out = []
    for a in axes:
        if not -max(ndim, 1) <= a < max(ndim, 1):  # a 0-d tensor takes dim 0 or -1, as in PyTorch
            raise np.exceptions.AxisError(f"{op}: axis {a} is out of range for a tensor with {ndim} dimensions")
        out.append(int(a) % max(ndim, 1))
    return tuple(sorted(set(out))) if ndim else ()


def kept_shape(shape: tuple[int, ...], axis: Any) -> tuple[int, ...]:
    """The shape a reduction over ``axis`` has with ``keepdims=True``."""
    axes = normalize_axes(axis, len(shape))
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def spread(g: Any, x_shape: tuple[int, ...], axis: Any) -> Any:
    """Send a reduced gradient back over the reduced axes (reshape to keepdims, then broadcast)."""
    return BroadcastTo(x_shape).apply(g.reshape(kept_shape(x_shape, axis)))


class _Reduction(Op):
    __slots__ = ("axis", "keepdims")

    def __init__(self, axis: Any = None, keepdims: bool = False) -> None:
        self.axis, self.keepdims = axis, keepdims

    def label(self) -> str:
        return self.name if self.axis is None else f"{self.name}(axis={self.axis})"


class Sum(_Reduction):
    """sum(x) = Σᵢ xᵢ over the axes.   ∂/∂xᵢ = 1"""
    __slots__ = ()
    name, derivatives = "sum", ("1",)

    def forward(self, x):
        return np.sum(x, axis=self.axis, keepdims=self.keepdims)

    def backward(self, g, y, x):
        return (spread(g, np.shape(raw(x)), self.axis),)


class Mean(_Reduction):
    """mean(x) = (1/n) Σᵢ xᵢ over the axes.   ∂/∂xᵢ = 1/n"""
    __slots__ = ()
    name, derivatives = "mean", ("1/n",)

    def forward(self, x):
        return np.mean(x, axis=self.axis if np.ndim(x) else None, keepdims=self.keepdims)  # 0-d: dim -1 is fine

    def backward(self, g, y, x):
        shape = np.shape(raw(x))
        n = int(np.prod(shape)) // max(int(np.prod(kept_shape(shape, self.axis))), 1)
        return (spread(g / n, shape, self.axis),)


class Max(_Reduction):
    """max(x) over the axes.   ∂/∂xᵢ = [xᵢ = max] / (number of maxima)  (ties share, as torch.amax)"""
    __slots__ = ()
    name, derivatives = "max", ("[xᵢ = max] / (number of maxima)",)

    def forward(self, x):
        return np.max(x, axis=self.axis, keepdims=self.keepdims)

    def backward(self, g, y, x):
        return (spread(g, np.shape(raw(x)), self.axis) * _winners(raw(x), raw(y), self.axis, raw(g)),)


class Min(_Reduction):
    """min(x) over the axes.   ∂/∂xᵢ = [xᵢ = min] / (number of minima)  (ties share, as torch.amin)"""
    __slots__ = ()
    name, derivatives = "min", ("[xᵢ = min] / (number of minima)",)

    def forward(self, x):
        return np.min(x, axis=self.axis, keepdims=self.keepdims)

    def backward(self, g, y, x):
        return (spread(g, np.shape(raw(x)), self.axis) * _winners(raw(x), raw(y), self.axis, raw(g)),)


def _winners(x: np.ndarray, y: np.ndarray, axis: Any, g: Any) -> np.ndarray:
    """1/count where x equals the reduced extreme y, else 0: ties share the gradient."""
    hit = x == np.reshape(y, kept_shape(x.shape, axis))
    count = hit.sum(axis=normalize_axes(axis, x.ndim), keepdims=True)
    return (hit / count).astype(np.result_type(g), copy=False)
