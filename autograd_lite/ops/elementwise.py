"""Elementwise functions of one input, and the two-input choices (maximum, minimum, where, clip)."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..engine import Op, ShapeError, raw
from ._lib import lib


class Exp(Op):
    """exp(x) = eˣ.   ∂/∂x = exp(x)"""
    __slots__ = ()
    name, derivatives = "exp", ("exp(x)",)

    def forward(self, x):
        return lib(x).exp(x)

    def backward(self, g, y, x):
        return (g * y,)


class Log(Op):
    """log(x) = ln x.   ∂/∂x = 1/x"""
    __slots__ = ()
    name, derivatives = "log", ("1/x",)

    def forward(self, x):
        return lib(x).log(x)

    def backward(self, g, y, x):
        return (g / x,)


class Sqrt(Op):
    """sqrt(x) = √x.   ∂/∂x = 1/(2·sqrt(x))"""
    __slots__ = ()
    name, derivatives = "sqrt", ("1/(2·sqrt(x))",)

    def forward(self, x):
        return lib(x).sqrt(x)

    def backward(self, g, y, x):
        return (g / (2 * y),)


class Abs(Op):
    """abs(x) = |x|.   ∂/∂x = sign(x)  (0 at x = 0, as in PyTorch)"""
    __slots__ = ()
    name, derivatives = "abs", ("sign(x)",)

    def forward(self, x):
        return lib(x).abs(x)

    def backward(self, g, y, x):
        x = raw(x)
        return (g * lib(x).sign(x),)


class Sin(Op):
    """sin(x).   ∂/∂x = cos(x)"""
    __slots__ = ()
    name, derivatives = "sin", ("cos(x)",)

    def forward(self, x):
        return lib(x).sin(x)

    def backward(self, g, y, x):
        return (g * Cos().apply(x),)


class Cos(Op):
    """cos(x).   ∂/∂x = -sin(x)"""
    __slots__ = ()
    name, derivatives = "cos", ("-sin(x)",)

    def forward(self, x):
        return lib(x).cos(x)

    def backward(self, g, y, x):
        return (-g * Sin().apply(x),)


class Tanh(Op):
    """tanh(x).   ∂/∂x = 1 - tanh(x)²"""
    __slots__ = ()
    name, derivatives = "tanh", ("1 - tanh(x)²",)

    def forward(self, x):
        return lib(x).tanh(x)

    def backward(self, g, y, x):
        return (g * (1 - y * y),)


class Maximum(Op):
    """max(a, b) elementwise.   ∂/∂a = [a > b],  ∂/∂b = [b > a]  (at ties each gets ½, as in PyTorch)"""
    __slots__ = ()
    name, arg_names, derivatives, broadcasts = "maximum", ("a", "b"), ("[a > b]", "[b > a]"), True

    def forward(self, a, b):
        return lib(a).maximum(a, b)

    def backward(self, g, y, a, b):
        wa, wb = _choice_weights(raw(a), raw(b), raw(g))
        return g * wa, g * wb


class Minimum(Op):
    """min(a, b) elementwise.   ∂/∂a = [a < b],  ∂/∂b = [b < a]  (at ties each gets ½, as in PyTorch)"""
    __slots__ = ()
    name, arg_names, derivatives, broadcasts = "minimum", ("a", "b"), ("[a < b]", "[b < a]"), True

    def forward(self, a, b):
        return lib(a).minimum(a, b)

    def backward(self, g, y, a, b):
        wb, wa = _choice_weights(raw(a), raw(b), raw(g))
        return g * wa, g * wb


def _choice_weights(a: Any, b: Any, g: Any) -> tuple[Any, Any]:
    """Weights (for a, for b) of max(a, b): 1 where a wins, 0 where it loses, ½ at ties."""
    wa = (a > b) + 0.5 * (a == b)
    if isinstance(wa, np.ndarray):  # keep the gradient's dtype (float32 stays float32)
        wa = wa.astype(np.result_type(g), copy=False)
    return wa, 1 - wa


class Clip(Op):
    """clip(x, low, high).   ∂/∂x = [low ≤ x ≤ high]  (1 at the bounds, as in PyTorch)"""
    __slots__ = ("low", "high")
    name, derivatives = "clip", ("[low ≤ x ≤ high]",)

    def __init__(self, low: float | None, high: float | None) -> None:
        self.low, self.high = low, high

    def label(self) -> str:
        return f"clip[{self.low}, {self.high}]"

    def forward(self, x):
        return np.clip(x, self.low, self.high)

    def backward(self, g, y, x):
        x = raw(x)
        inside = np.ones(np.shape(x), dtype=bool)
        if self.low is not None:
            inside &= x >= self.low
        if self.high is not None:
            inside &= x <= self.high
        return (g * inside,)


class Where(Op):
    """where(cond, a, b): a where cond holds, else b.   ∂/∂a = [cond],  ∂/∂b = [not cond]"""
    __slots__ = ("condition",)
    name, arg_names, derivatives, broadcasts = "where", ("a", "b"), ("[cond]", "[not cond]"), True

    def __init__(self, condition: np.ndarray) -> None:
        self.condition = np.asarray(condition, dtype=bool)

    def forward(self, a, b):
        return np.where(self.condition, a, b)

    def backward(self, g, y, a, b):
        return g * self.condition, g * ~self.condition

    def explain_error(self, nodes, error):
        shapes = " and ".join(str(x.shape) for x in nodes)
        return ShapeError(f"where: the condition's shape {self.condition.shape} and the shapes {shapes} "
                          f"cannot be broadcast together")
