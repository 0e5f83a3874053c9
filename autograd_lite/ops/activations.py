"""Activation functions and the stable softmax family."""
from __future__ import annotations

import numpy as np

from ..engine import Op, raw
from ._lib import lib
from .elementwise import Exp
from .reductions import kept_shape


class Sigmoid(Op):
    """sigmoid(x) = σ(x) = 1 / (1 + e⁻ˣ).   ∂/∂x = σ(x)·(1 - σ(x))"""
    __slots__ = ()
    name, derivatives = "sigmoid", ("σ(x)·(1 - σ(x))",)

    def forward(self, x):
        return lib(x).sigmoid(x)

    def backward(self, g, y, x):
        return (g * (y * (1 - y)),)


class ReLU(Op):
    """relu(x) = max(x, 0).   ∂/∂x = [x > 0]  (0 at x = 0, as in PyTorch)"""
    __slots__ = ()
    name, derivatives = "relu", ("[x > 0]",)

    def forward(self, x):
        return max(x, 0.0) if type(x) is float else np.maximum(x, 0)

    def backward(self, g, y, x):
        return (g * (raw(x) > 0),)


class LeakyReLU(Op):
    """leaky_relu(x) = x if x > 0 else slope·x.   ∂/∂x = 1 if x > 0 else slope"""
    __slots__ = ("slope",)
    name, derivatives = "leaky_relu", ("1 if x > 0 else slope",)

    def __init__(self, slope: float = 0.01) -> None:
        self.slope = slope

    def label(self) -> str:
        return f"leaky_relu({self.slope:g})"

    def forward(self, x):
        if type(x) is float:
            return x if x > 0 else self.slope * x
        return np.where(x > 0, x, x * np.asarray(self.slope, dtype=x.dtype))

    def backward(self, g, y, x):
        x = raw(x)
        if type(x) is float:
            return (g * (1.0 if x > 0 else self.slope),)
        return (g * np.where(x > 0, 1, self.slope).astype(np.result_type(raw(g)), copy=False),)


class Softmax(Op):
    """softmax(x)ᵢ = yᵢ = e^xᵢ / Σⱼ e^xⱼ along an axis.   ∂L/∂x = y·(g - Σ g·y)  (Σ along the axis)"""
    __slots__ = ("axis",)
    name, derivatives, vjp = "softmax", ("y·(g - Σ g·y)",), True

    def __init__(self, axis: int = -1) -> None:
        self.axis = axis

    def label(self) -> str:
        return f"{self.name}(axis={self.axis})"

    def forward(self, x):
        e = np.exp(x - np.max(x, axis=self.axis, keepdims=True))
        return e / np.sum(e, axis=self.axis, keepdims=True)

    def backward(self, g, y, x):
        return (y * (g - (g * y).sum(axis=self.axis, keepdims=True)),)


class LogSoftmax(Op):
    """log_softmax(x)ᵢ = xᵢ - log Σⱼ e^xⱼ along an axis.   ∂L/∂x = g - softmax(x)·Σ g  (Σ along the axis)"""
    __slots__ = ("axis",)
    name, derivatives, vjp = "log_softmax", ("g - softmax(x)·Σ g",), True

    def __init__(self, axis: int = -1) -> None:
        self.axis = axis

    def label(self) -> str:
        return f"{self.name}(axis={self.axis})"

    def forward(self, x):
        shifted = x - np.max(x, axis=self.axis, keepdims=True)
        return shifted - np.log(np.sum(np.exp(shifted), axis=self.axis, keepdims=True))

    def backward(self, g, y, x):
        return (g - Exp().apply(y) * g.sum(axis=self.axis, keepdims=True),)


class LogSumExp(Op):
    """logsumexp(x) = log Σᵢ e^xᵢ over the axes, computed stably.   ∂/∂x = softmax(x)"""
    __slots__ = ("axis", "keepdims")
    name, derivatives = "logsumexp", ("softmax(x)",)

    def __init__(self, axis=None, keepdims: bool = False) -> None:
        self.axis, self.keepdims = axis, keepdims

    def label(self) -> str:
        return self.name if self.axis is None else f"{self.name}(axis={self.axis})"

    def forward(self, x):
        m = np.max(x, axis=self.axis, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)  # rows of -inf stay -inf instead of nan
        with np.errstate(divide="ignore"):  # log(0) = -inf is the right answer for such a row
            out = np.log(np.sum(np.exp(x - m), axis=self.axis, keepdims=True)) + m
        return out if self.keepdims else np.squeeze(out, axis=self.axis) if self.axis is not None else out.reshape(())

    def backward(self, g, y, x):
        shape = kept_shape(np.shape(raw(x)), self.axis)
        return (g.reshape(shape) * Exp().apply(x - y.reshape(shape)),)
