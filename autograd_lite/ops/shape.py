"""Ops that move numbers around without changing them: reshape, permute, broadcast, sum back, concatenate."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ..engine import MultiOutputOp, Op, ShapeError, raw, use_unbroadcast


class Reshape(Op, name="reshape", derivatives=("g reshaped to x's shape",), vjp=True, saves=()):
    """reshape(x): the same numbers in a new shape.   ∂L/∂x = g reshaped to x's shape"""
    __slots__ = ("shape",)

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape

    def label(self) -> str:
        return f"reshape{self.shape}"

    def forward(self, x):
        return np.reshape(x, self.shape)

    def backward(self, g, y, x):
        return (g.reshape(np.shape(raw(x))),)

    def explain_error(self, nodes, error):
        return ShapeError(f"reshape: cannot reshape a tensor of shape {nodes[0].shape} "
                          f"({nodes[0].data.size} elements) into shape {self.shape}")


class Permute(Op, name="permute", derivatives=("g permuted by the inverse order",), vjp=True, saves=()):
    """permute(x): the axes reordered.   ∂L/∂x = g permuted by the inverse order"""
    __slots__ = ("axes",)

    def __init__(self, axes: Sequence[int] | None) -> None:
        self.axes = None if axes is None else tuple(axes)

    def label(self) -> str:
        return "transpose" if self.axes is None else f"permute{self.axes}"

    def forward(self, x):
        return np.transpose(x, self.axes)

    def backward(self, g, y, x):
        inverse = None if self.axes is None else tuple(np.argsort(self.axes))
        return (Permute(inverse).apply(g),)


class BroadcastTo(Op, name="broadcast_to", derivatives=("g summed over the repeated axes",), vjp=True, saves=()):
    """broadcast_to(x): repeated along new or length-1 axes.   ∂L/∂x = g summed over the repeated axes"""
    __slots__ = ("shape",)

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = tuple(shape)

    def label(self) -> str:
        return f"broadcast_to{self.shape}"

    def forward(self, x):
        return np.broadcast_to(x, self.shape)

    def backward(self, g, y, x):
        return (SumTo(np.shape(raw(x))).apply(g),)

    def explain_error(self, nodes, error):
        return ShapeError(f"broadcast_to: cannot broadcast shape {nodes[0].shape} to {self.shape}")


class SumTo(Op, name="sum_to", derivatives=("1",), saves=()):
    """sum_to(x): summed down to ``shape`` (the adjoint of broadcasting).   ∂/∂xᵢ = 1"""
    __slots__ = ("shape",)

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = tuple(shape)

    def label(self) -> str:
        return f"sum_to{self.shape}"

    def forward(self, x):
        shape = np.shape(x)
        if shape == self.shape:
            return x
        lead = len(shape) - len(self.shape)
        axes = tuple(range(lead)) + tuple(
            lead + i for i, n in enumerate(self.shape) if n == 1 and shape[lead + i] != 1)
        out = np.sum(x, axis=axes, keepdims=True)
        return out.reshape(self.shape) if lead else out

    def backward(self, g, y, x):
        return (BroadcastTo(np.shape(raw(x))).apply(g),)


use_unbroadcast(SumTo)  # the engine's one unbroadcast step


class Concat(Op, name="concat", vjp=True, saves=()):
    """concat(x0, x1, ...) along an axis.   ∂L/∂xᵢ = g[the slice of xᵢ]"""
    __slots__ = ("axis", "count")

    def __init__(self, axis: int = 0) -> None:
        self.axis, self.count = axis, 0

    @property
    def arg_names(self) -> tuple[str, ...]:  # type: ignore[override]
        return tuple(f"x{i}" for i in range(self.count))

    @property
    def derivatives(self) -> tuple[str, ...]:  # type: ignore[override]
        return tuple(f"g[the slice of {n}]" for n in self.arg_names)

    def label(self) -> str:
        return f"concat(axis={self.axis})"

    def forward(self, *xs):
        self.count = len(xs)
        return np.concatenate(xs, axis=self.axis)

    def backward(self, g, y, *xs):
        ndim = np.ndim(raw(g))
        axis = self.axis % ndim
        grads, start = [], 0
        for x in xs:
            stop = start + np.shape(raw(x))[axis]
            grads.append(g[(slice(None),) * axis + (slice(start, stop),)])
            start = stop
        return tuple(grads)

    def explain_error(self, nodes, error):
        shapes = ", ".join(str(x.shape) for x in nodes)
        return ShapeError(f"concat: shapes {shapes} cannot be joined along axis {self.axis} ({error})")


class Split(MultiOutputOp, name="split", derivatives=("the gradients of the pieces, joined along the axis",),
            vjp=True, saves=()):
    """split(x) into pieces of the given sizes along an axis: one op with several results.

    ∂L/∂x = the gradients of the pieces, joined along the axis (zeros for a piece no gradient reached).
    ``squeeze=True`` drops the axis from each piece (``unbind``, pieces of size 1).
    """
    __slots__ = ("sizes", "axis", "squeeze")

    def __init__(self, sizes: Sequence[int], axis: int, squeeze: bool = False) -> None:
        self.sizes, self.axis, self.squeeze = tuple(sizes), axis, squeeze

    def label(self) -> str:
        return f"unbind(dim={self.axis})" if self.squeeze else f"split({list(self.sizes)}, dim={self.axis})"

    def forward(self, x):
        pieces = np.split(x, np.cumsum(self.sizes)[:-1], axis=self.axis)
        return tuple(np.squeeze(p, self.axis) for p in pieces) if self.squeeze else tuple(pieces)

    def backward(self, gs, ys, x):
        if self.squeeze:
            shape = list(np.shape(raw(x)))
            shape[self.axis] = 1
            gs = [g.reshape(tuple(shape)) for g in gs]
        return (Concat(self.axis).apply(*gs),)
