"""Ops that move numbers around without changing them: reshape, permute, broadcast, sum back, concatenate."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..engine import Op, ShapeError, raw


class Reshape(Op):
    """Same numbers, new shape.   The gradient is reshaped back."""
    __slots__ = ("shape",)
    name, derivatives = "reshape", ("reshape back",)

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


class Permute(Op):
    """Reorder the axes.   The gradient is permuted back with the inverse order."""
    __slots__ = ("axes",)
    name, derivatives = "permute", ("permute back",)

    def __init__(self, axes: Sequence[int] | None) -> None:
        self.axes = None if axes is None else tuple(axes)

    def label(self) -> str:
        return "transpose" if self.axes is None else f"permute{self.axes}"

    def forward(self, x):
        return np.transpose(x, self.axes)

    def backward(self, g, y, x):
        inverse = None if self.axes is None else tuple(np.argsort(self.axes))
        return (Permute(inverse).apply(g),)


class BroadcastTo(Op):
    """Repeat along new or length-1 axes.   The gradient is summed back over them."""
    __slots__ = ("shape",)
    name, derivatives = "broadcast_to", ("sum back",)

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


class SumTo(Op):
    """Sum a broadcast array back down to ``shape`` (the adjoint of broadcasting).   ∂/∂x = 1"""
    __slots__ = ("shape",)
    name, derivatives = "sum_to", ("1",)

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


class Concat(Op):
    """Join along an axis.   Each input gets its own slice of the gradient."""
    __slots__ = ("axis",)
    name, derivatives = "concat", ("its slice",)

    def __init__(self, axis: int = 0) -> None:
        self.axis = axis

    @property
    def arg_names(self) -> tuple[str, ...]:  # type: ignore[override]
        return tuple(f"x{i}" for i in range(len(self.inputs or ())))

    def describe_derivatives(self) -> list[str]:
        return [f"∂concat/∂{n} = its slice of the gradient" for n in self.arg_names]

    def label(self) -> str:
        return f"concat(axis={self.axis})"

    def forward(self, *xs):
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
