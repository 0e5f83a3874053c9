"""Elementwise functions of one input, and the two-input choices (maximum, minimum, where, clip).

The functions without settings are one row each (:func:`~.registry.elementwise`):
name, forward on arrays and on floats, the derivative for readers, the
derivative in engine ops. The older ones keep their classes (same shape, longer).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..engine import ArgumentError, Op, ShapeError, raw
from ._lib import lib, scalar_integral, scalar_nan_outside as _domain
from .registry import Samples, elementwise, register, register_function


@register(value=True, draw=True)
class Exp(Op, name="exp", derivatives=("exp(x)",), saves=("y",)):
    """exp(x) = eˣ.   ∂/∂x = exp(x)"""
    __slots__ = ()

    def forward(self, x):
        return lib(x).exp(x)

    def backward(self, g, y, x):
        return (g * y,)


@register(value=True, draw=True, samples=Samples(low=0.5, high=3.0))
class Log(Op, name="log", derivatives=("1/x",), saves=("x",)):
    """log(x) = ln x.   ∂/∂x = 1/x"""
    __slots__ = ()

    def forward(self, x):
        return lib(x).log(x)

    def backward(self, g, y, x):
        return (g / x,)


@register(value=True, draw=True, samples=Samples(low=0.5, high=3.0))
class Sqrt(Op, name="sqrt", derivatives=("1/(2·sqrt(x))",), saves=("y",)):
    """sqrt(x) = √x.   ∂/∂x = 1/(2·sqrt(x))"""
    __slots__ = ()

    def forward(self, x):
        return lib(x).sqrt(x)

    def backward(self, g, y, x):
        return (g / (2 * y),)


@register(value=True, draw=True, samples=Samples(away=0.1))
class Abs(Op, name="abs", derivatives=("sign(x)",), saves=("x",)):
    """abs(x) = |x|.   ∂/∂x = sign(x)  (0 at x = 0, as in PyTorch)"""
    __slots__ = ()

    def forward(self, x):
        return lib(x).abs(x)

    def backward(self, g, y, x):
        x = raw(x)
        return (g * lib(x).sign(x),)


@register(value=True, draw=True)
class Sin(Op, name="sin", derivatives=("cos(x)",), saves=("x",)):
    """sin(x).   ∂/∂x = cos(x)"""
    __slots__ = ()

    def forward(self, x):
        return lib(x).sin(x)

    def backward(self, g, y, x):
        return (g * Cos().apply(x),)


@register(value=True, draw=True)
class Cos(Op, name="cos", derivatives=("-sin(x)",), saves=("x",)):
    """cos(x).   ∂/∂x = -sin(x)"""
    __slots__ = ()

    def forward(self, x):
        return lib(x).cos(x)

    def backward(self, g, y, x):
        return (-g * Sin().apply(x),)


@register(value=True, draw=True, module="Tanh")
class TanhOp(Op, name="tanh", derivatives=("1 - tanh(x)²",), saves=("y",)):
    """tanh(x).   ∂/∂x = 1 - tanh(x)²"""
    __slots__ = ()

    def forward(self, x):
        return lib(x).tanh(x)

    def backward(self, g, y, x):
        return (g * (1 - y * y),)


@register(value=True, samples=Samples(inputs=2))
class Maximum(Op, name="maximum", args=("a", "b"), derivatives=("[a > b]", "[b > a]"), broadcasts=True,
              saves=("a", "b")):
    """max(a, b) elementwise.   ∂/∂a = [a > b],  ∂/∂b = [b > a]  (at ties each gets ½, as in PyTorch)"""
    __slots__ = ()

    def forward(self, a, b):
        return lib(a).maximum(a, b)

    def backward(self, g, y, a, b):
        wa, wb = _choice_weights(raw(a), raw(b), raw(g))
        return g * wa, g * wb


@register(value=True, samples=Samples(inputs=2))
class Minimum(Op, name="minimum", args=("a", "b"), derivatives=("[a < b]", "[b < a]"), broadcasts=True,
              saves=("a", "b")):
    """min(a, b) elementwise.   ∂/∂a = [a < b],  ∂/∂b = [b < a]  (at ties each gets ½, as in PyTorch)"""
    __slots__ = ()

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


class Clip(Op, name="clip", derivatives=("[low ≤ x ≤ high]",), saves=("x",)):
    """clip(x, low, high).   ∂/∂x = [low ≤ x ≤ high]  (1 at the bounds, as in PyTorch)"""
    __slots__ = ("low", "high")

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


class Where(Op, name="where", args=("a", "b"), derivatives=("[cond]", "[not cond]"), broadcasts=True, saves=()):
    """where(cond, a, b): a where cond holds, else b.   ∂/∂a = [cond],  ∂/∂b = [not cond]"""
    __slots__ = ("condition",)

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


@register_function(op=Clip, samples=Samples(settings=({"min": -0.5, "max": 0.5}, {"min": 0.3})),
                   aliases=("clamp",))
def clip(x: Any, min: float | None = None, max: float | None = None) -> Any:  # noqa: A002 (PyTorch's names)
    """x limited to ``[min, max]`` (either may be left out); ``clamp`` is the same.

    >>> Tensor([-2.0, 0.5, 3.0]).clip(-1, 1)
    Tensor([-1. ,  0.5,  1. ])
    """
    if min is None and max is None:
        raise ArgumentError("clip: give at least one of min and max")
    return Clip(min, max)(x)


# -- one row per function: name, on arrays, on floats, ∂y/∂x for readers, ∂y/∂x in engine ops -------------
_INSIDE_1 = Samples(low=-0.9, high=0.9)  # asin, acos, atanh: their domain is (-1, 1)
_OFF_INTEGERS = Samples(off_integers=True)  # the rounding ops jump at integers
_LN2, _LN10 = math.log(2), math.log(10)

Tan = elementwise("tan", np.tan, math.tan, "1 + tan(x)²", lambda x, y: 1 + y * y, saves=("y",),
                  samples=Samples(low=-1.2, high=1.2))
Asin = elementwise("asin", np.arcsin, _domain(math.asin), "1/√(1 - x²)",
                   lambda x, y: (1 - x * x) ** -0.5, saves=("x",), samples=_INSIDE_1)
Acos = elementwise("acos", np.arccos, _domain(math.acos), "-1/√(1 - x²)",
                   lambda x, y: -(1 - x * x) ** -0.5, saves=("x",), samples=_INSIDE_1)
Atan = elementwise("atan", np.arctan, math.atan, "1/(1 + x²)", lambda x, y: 1 / (1 + x * x), saves=("x",))
Sinh = elementwise("sinh", np.sinh, _domain(math.sinh), "cosh(x)", lambda x, y: Cosh().apply(x), saves=("x",))
Cosh = elementwise("cosh", np.cosh, _domain(math.cosh), "sinh(x)", lambda x, y: Sinh().apply(x), saves=("x",))
Asinh = elementwise("asinh", np.arcsinh, math.asinh, "1/√(x² + 1)",
                    lambda x, y: (x * x + 1) ** -0.5, saves=("x",))
Acosh = elementwise("acosh", np.arccosh, _domain(math.acosh), "1/√(x² - 1)",
                    lambda x, y: (x * x - 1) ** -0.5, saves=("x",), samples=Samples(low=1.2, high=3.0))
Atanh = elementwise("atanh", np.arctanh, _domain(math.atanh, 1.0, math.inf), "1/(1 - x²)",
                    lambda x, y: 1 / (1 - x * x), saves=("x",), samples=_INSIDE_1)
Log2 = elementwise("log2", np.log2, _domain(math.log2, 0.0), "1/(x·ln 2)", lambda x, y: 1 / (x * _LN2),
                   saves=("x",), samples=Samples(low=0.5, high=3.0))
Log10 = elementwise("log10", np.log10, _domain(math.log10, 0.0), "1/(x·ln 10)", lambda x, y: 1 / (x * _LN10),
                    saves=("x",), samples=Samples(low=0.5, high=3.0))
Log1p = elementwise("log1p", np.log1p, _domain(math.log1p, -1.0), "1/(1 + x)", lambda x, y: 1 / (1 + x),
                    saves=("x",), samples=Samples(low=-0.5, high=2.0))
Exp2 = elementwise("exp2", np.exp2, _domain(lambda x: 2.0 ** x), "2ˣ·ln 2", lambda x, y: y * _LN2, saves=("y",))
Expm1 = elementwise("expm1", np.expm1, _domain(math.expm1), "exp(x)", lambda x, y: y + 1, saves=("y",))
Rsqrt = elementwise("rsqrt", lambda x: 1 / np.sqrt(x), _domain(lambda x: 1 / math.sqrt(x), 0.0, math.inf),
                    "-1/(2·x^(3/2))", lambda x, y: -0.5 * (y * y * y), saves=("y",), samples=Samples(low=0.5, high=3.0))
Square = elementwise("square", np.square, lambda x: x * x, "2·x", lambda x, y: 2 * x, saves=("x",))
Reciprocal = elementwise("reciprocal", lambda x: 1 / x, _domain(lambda x: 1 / x, 0.0, math.inf), "-1/x²",
                         lambda x, y: -(y * y), saves=("y",), samples=Samples(away=0.5))
Sign = elementwise("sign", np.sign, lambda x: float((x > 0) - (x < 0)) if x == x else x, "0", None, saves=(),
                   samples=Samples(away=0.1))
Floor = elementwise("floor", np.floor, scalar_integral(math.floor), "0", None, saves=(), samples=_OFF_INTEGERS)
Ceil = elementwise("ceil", np.ceil, scalar_integral(math.ceil), "0", None, saves=(), samples=_OFF_INTEGERS)
Round = elementwise("round", np.round, scalar_integral(round), "0", None, saves=(), samples=_OFF_INTEGERS)
Trunc = elementwise("trunc", np.trunc, scalar_integral(math.trunc), "0", None, saves=(), samples=_OFF_INTEGERS)
Frac = elementwise("frac", lambda x: x - np.trunc(x), lambda x: x - math.trunc(x) if math.isfinite(x) else math.nan,
                   "1", lambda x, y: 1, saves=(), samples=_OFF_INTEGERS)


class NanToNum(Op, name="nan_to_num", derivatives=("[x is finite]",), saves=("x",)):
    """nan_to_num(x): nan, inf and -inf replaced by numbers.   ∂/∂x = [x is finite]  (as in PyTorch)"""
    __slots__ = ("nan", "posinf", "neginf")

    def __init__(self, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None) -> None:
        self.nan, self.posinf, self.neginf = nan, posinf, neginf

    def forward(self, x):
        if type(x) is float:
            return float(np.nan_to_num(x, nan=self.nan, posinf=self.posinf, neginf=self.neginf))
        return np.nan_to_num(x, nan=self.nan, posinf=self.posinf, neginf=self.neginf)

    def backward(self, g, y, x):
        x = raw(x)
        return (g * (math.isfinite(x) if type(x) is float else np.isfinite(x)),)


@register_function(op=NanToNum, value=True, samples=Samples(settings=({}, {"nan": 1.0, "posinf": 5.0})))
def nan_to_num(x: Any, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None) -> Any:
    """nan becomes ``nan``; inf and -inf become ``posinf``/``neginf`` (the dtype's largest and smallest
    numbers by default), as ``torch.nan_to_num``.

    >>> Tensor([np.nan, 1.0, np.inf]).nan_to_num(posinf=9.0)
    Tensor([0., 1., 9.])
    """
    return NanToNum(nan, posinf, neginf)(x)
