"""Changing a tensor's dtype (``float() double() half() int() long() bool() to() type()``) and ``clone``."""
from __future__ import annotations

import numpy as np

from ..engine import Op, raw

__all__ = ["Cast", "Clone"]


class Cast(Op, name="cast", args=("x",), derivatives=("1 (g cast back to x's dtype; none to an integer x)",),
           saves=()):
    """cast(x) to a dtype.   ∂/∂x = 1 (g cast back to x's dtype; none to an integer x)

    Between float types the gradient flows (cast back); an integer or bool
    result has no gradient, and an integer input none to receive, as in PyTorch.
    """
    __slots__ = ("dtype",)
    chooses_dtype = True  # the dtype rules must not turn an int-to-float64 cast into float32

    def __init__(self, dtype: np.dtype) -> None:
        self.dtype = np.dtype(dtype)

    def label(self) -> str:
        return f"to({self.dtype})"

    def forward(self, x):
        return x.astype(self.dtype)

    def backward(self, g, y, x):
        x_dtype = np.result_type(raw(x))
        if x_dtype.kind != "f" or self.dtype.kind != "f":
            return (None,)
        return (Cast(x_dtype).apply(g) if np.result_type(raw(g)) != x_dtype else g,)


class Clone(Op, name="clone", args=("x",), derivatives=("1",), saves=()):
    """clone(x): a copy that shares no memory with x.   ∂/∂x = 1"""
    __slots__ = ()

    def forward(self, x):
        return np.array(x, copy=True)

    def backward(self, g, y, x):
        return (g,)
