"""+ - * / ** % // and negation, and the other functions of two numbers (atan2, copysign, lerp)."""
from __future__ import annotations

import math
import operator
from typing import Any

import numpy as np

from ..engine import ArgumentError, Node, Op, named_constant, raw
from ._lib import lib
from .elementwise import Abs
from .registry import Samples, register, register_function

BINARY_LINEAR = Samples(inputs=2, linear=True)


@register(value=True, samples=BINARY_LINEAR)
class Add(Op, name="add", symbol="+", args=("a", "b"), derivatives=("1", "1"), broadcasts=True, saves=()):
    """a + b.   ∂/∂a = 1,  ∂/∂b = 1"""
    __slots__ = ()

    def forward(self, a, b):
        return a + b

    def backward(self, g, y, a, b):
        return g, g


@register(value=True, samples=BINARY_LINEAR)
class Sub(Op, name="sub", symbol="-", args=("a", "b"), derivatives=("1", "-1"), broadcasts=True, saves=()):
    """a - b.   ∂/∂a = 1,  ∂/∂b = -1"""
    __slots__ = ()

    def forward(self, a, b):
        return a - b

    def backward(self, g, y, a, b):
        return g, -g


@register(value=True, samples=Samples(inputs=2))
class Mul(Op, name="mul", symbol="*", args=("a", "b"), derivatives=("b", "a"), broadcasts=True, saves=("a", "b")):
    """a * b.   ∂/∂a = b,  ∂/∂b = a"""
    __slots__ = ()

    def forward(self, a, b):
        return a * b

    def backward(self, g, y, a, b):
        # x * 2 or x * data: the constant's gradient would cost a product that nobody reads
        return (g * b if self.needs_input_grad(0) else None), (g * a if self.needs_input_grad(1) else None)


class Div(Op, name="div", symbol="/", args=("a", "b"), derivatives=("1/b", "-a/b²"), broadcasts=True,
          saves=("b", "y")):
    """a / b.   ∂/∂a = 1/b,  ∂/∂b = -a/b²"""
    __slots__ = ()

    def forward(self, a, b):
        return a / b

    def backward(self, g, y, a, b):
        ga = g / b
        return ga, -ga * y  # -g·a/b² = -(g/b)·(a/b)


@register(value=True, samples=Samples(linear=True))
class Neg(Op, name="neg", symbol="-", derivatives=("-1",), saves=()):
    """-x.   ∂/∂x = -1"""
    __slots__ = ()

    def forward(self, x):
        return -x

    def backward(self, g, y, x):
        return (-g,)


class PowConst(Op, name="pow", derivatives=("n·x^(n-1)",), saves=("x",)):
    """x ** n for a constant number n.   ∂/∂x = n·x^(n-1)"""
    __slots__ = ("exponent",)

    def __init__(self, exponent: float) -> None:
        self.exponent = exponent

    def label(self) -> str:
        return f"**{_short(self.exponent)}"

    def describe_derivatives(self) -> list[str]:
        n = _short(self.exponent)
        return [f"∂(x**{n})/∂x = {n}·x^{_short(self.exponent - 1)}"]

    def forward(self, x):
        _refuse_negative_int_power(x, self.exponent)
        return lib(x).power(x, self.exponent)

    def backward(self, g, y, x):
        n = self.exponent
        if n == 0:  # x⁰ is constant; n·x⁻¹ would give 0·inf = nan at x = 0
            return (g * 0,)
        factor = named_constant(n, x, f"exponent {_short(n)}") if isinstance(x, Node) else n  # drawn as what it is
        return (g * (factor * PowConst(n - 1).apply(x)),)


class Pow(Op, name="pow", symbol="**", args=("a", "b"), derivatives=("b·a^(b-1)", "a^b·ln(a)"), broadcasts=True,
          saves=("a", "b", "y")):
    """a ** b with both sides differentiable.   ∂/∂a = b·a^(b-1),  ∂/∂b = a^b·ln(a)"""
    __slots__ = ()

    def forward(self, a, b):
        _refuse_negative_int_power(a, b)
        return lib(a).power(a, b)

    def backward(self, g, y, a, b):
        from .elementwise import Log
        ga = gb = None
        # At the domain's edges PyTorch takes limits, and so do we: ∂/∂a = 0 where b = 0 (b·a^(b-1)
        # would be 0·inf at a = 0); ∂/∂b = 0 where a = 0 and b ≥ 0 (a^b·ln a would be 0·(-inf)),
        # while a = 0, b < 0 gives inf·(-inf) = -inf.
        with np.errstate(divide="ignore", invalid="ignore"):  # the edges' 0·inf, replaced just after
            if self.needs_input_grad(0):
                ga = g * _where_not(raw(b) == 0, b * Pow().apply(a, b - 1))
            if self.needs_input_grad(1):
                gb = g * _where_not((raw(a) == 0) & (raw(b) >= 0), y * Log().apply(a))
        return ga, gb


@register_function(op=Div, value=True, samples=Samples(
    inputs=2, away=0.5, settings=({}, {"rounding_mode": "trunc"}, {"rounding_mode": "floor"})))
def div(a: Any, b: Any, *, rounding_mode: str | None = None) -> Any:
    """a / b; ``rounding_mode="trunc"`` rounds the quotient toward 0, ``"floor"`` down (as ``torch.div``).

    A rounded quotient passes gradient 0 to both inputs, as in PyTorch; on
    integer tensors it stays integer.

    >>> Tensor([7.0, -7.0]).div(2.0, rounding_mode="trunc")
    Tensor([ 3., -3.])
    """
    if rounding_mode is None:
        return Div()(a, b)
    if rounding_mode == "floor":
        return FloorDivide()(a, b)
    if rounding_mode == "trunc":
        return TruncDivide()(a, b)
    raise ValueError(f"div: rounding_mode must be None, 'trunc' or 'floor'; got {rounding_mode!r}")


@register_function(op=Pow, value=True, samples=Samples(inputs=2, low=0.5, high=2.0))
def pow(a: Any, b: Any) -> Any:  # noqa: A001 (torch.pow)
    """a ** b; a constant number b is a setting of the op (the graph shows ``**2``), not an input.

    >>> Tensor([2.0, 3.0]).pow(2)
    Tensor([4., 9.])
    """
    if isinstance(b, (int, float)) and not isinstance(b, bool):
        return PowConst(b)(a)
    return Pow()(a, b)


class _Rounded(Op, args=("a", "b"), derivatives=("0", "0"), broadcasts=True, saves=()):
    """Shared by the rounded quotients: their gradient is 0 wherever it exists (as in PyTorch)."""
    __slots__ = ()

    def backward(self, g, y, a, b):
        return g * 0, g * 0


@register(value=True, samples=Samples(inputs=2, low=0.5, high=3.0, torch="floor_divide"))
class FloorDivide(_Rounded, name="floor_divide", symbol="//"):
    """a // b = floor(a / b) (integers stay integers).   ∂/∂a = 0,  ∂/∂b = 0"""
    __slots__ = ()

    def forward(self, a, b):
        return lib(a).floor_divide(a, b)


class TruncDivide(_Rounded, name="trunc_divide"):
    """trunc(a / b), rounded toward 0 (``div(rounding_mode="trunc")``).   ∂/∂a = 0,  ∂/∂b = 0"""
    __slots__ = ()

    def forward(self, a, b):
        if type(a) is float:
            return float(math.trunc(a / b))
        quotient = np.trunc(np.true_divide(a, b))
        both_int = np.result_type(a).kind in "iu" and np.result_type(b).kind in "iu"
        return quotient.astype(np.result_type(a, b)) if both_int else quotient


# The remainders jump where a/b crosses an integer; samples keep a/b inside (0.1, 0.9) of one.
_REMAINDER_SAMPLES = Samples(inputs=2, low=(-0.9, 1.2), high=(0.9, 3.0), away=(0.1, 0.0))


@register(value=True, samples=_REMAINDER_SAMPLES)
class Remainder(Op, name="remainder", symbol="%", args=("a", "b"), derivatives=("1", "-floor(a/b)"),
                broadcasts=True, saves=("a", "b")):
    """a % b, with the sign of b (Python's %, ``torch.remainder``).   ∂/∂a = 1,  ∂/∂b = -floor(a/b)"""
    __slots__ = ()

    def forward(self, a, b):
        return lib(a).remainder(a, b)

    def backward(self, g, y, a, b):
        return g, -g * FloorDivide().forward(raw(a), raw(b))


@register(value=True, samples=_REMAINDER_SAMPLES)
class Fmod(Op, name="fmod", args=("a", "b"), derivatives=("1", "-trunc(a/b)"), broadcasts=True,
           saves=("a", "b")):
    """fmod(a, b), with the sign of a (C's fmod, ``torch.fmod``).   ∂/∂a = 1,  ∂/∂b = -trunc(a/b)"""
    __slots__ = ()

    def forward(self, a, b):
        return lib(a).fmod(a, b)

    def backward(self, g, y, a, b):
        return g, -g * TruncDivide().forward(raw(a), raw(b))


@register(value=True, samples=Samples(inputs=2, away=0.3))
class Atan2(Op, name="atan2", args=("a", "b"), derivatives=("b/(a² + b²)", "-a/(a² + b²)"), broadcasts=True,
            saves=("a", "b")):
    """atan2(a, b): the angle of the point (b, a).   ∂/∂a = b/(a² + b²),  ∂/∂b = -a/(a² + b²)"""
    __slots__ = ()

    def forward(self, a, b):
        return lib(a).atan2(a, b)

    def backward(self, g, y, a, b):
        scale = g / (a * a + b * b)
        return scale * b, -scale * a


@register(value=True, samples=Samples(inputs=2, away=0.2))
class Copysign(Op, name="copysign", args=("a", "b"), derivatives=("sign(a)·sign(b)", "0"), broadcasts=True,
               saves=("a", "b")):
    """copysign(a, b) = |a| with the sign of b.   ∂/∂a = sign(a)·sign(b),  ∂/∂b = 0"""
    __slots__ = ()

    def forward(self, a, b):
        return lib(a).copysign(a, b)

    def backward(self, g, y, a, b):
        a, b = raw(a), raw(b)
        # sign(a)·(sign of b, with -0.0 counted negative, as copysign reads it)
        flip = lib(a).sign(a) * lib(a).copysign(1.0, b)
        return g * flip, g * 0


@register(samples=Samples(inputs=3), value=True)
class Lerp(Op, name="lerp", args=("start", "end", "weight"), derivatives=("1 - weight", "weight", "end - start"),
           broadcasts=True, saves=("start", "end", "weight")):
    """lerp(start, end, weight) = start + weight·(end - start).   ∂/∂start = 1 - weight,  ∂/∂end = weight,  ∂/∂weight = end - start"""
    __slots__ = ()

    def forward(self, start, end, weight):
        return start + weight * (end - start)

    def backward(self, g, y, start, end, weight):
        return g * (1 - weight), g * weight, g * (end - start)


class Dot(Op, name="dot"):
    """Σ wᵢ·xᵢ over n pairs, in one node.   ∂/∂wᵢ = xᵢ,  ∂/∂xᵢ = wᵢ

    A neuron's weighted sum: one node and one backward step in place of n
    products and n - 1 sums (``Value.dot``). The inputs are w0 … wₙ₋₁, then x0 … xₙ₋₁.
    """
    __slots__ = ("count",)

    def __init__(self, count: int = 1) -> None:
        self.count = count  # the number of pairs (set again by forward, as Concat counts its inputs)

    @property
    def arg_names(self) -> tuple[str, ...]:  # type: ignore[override]
        return tuple(f"w{i}" for i in range(self.count)) + tuple(f"x{i}" for i in range(self.count))

    @property
    def derivatives(self) -> tuple[str, ...]:  # type: ignore[override]
        return tuple(f"x{i}" for i in range(self.count)) + tuple(f"w{i}" for i in range(self.count))

    def forward(self, *wx):
        n = self.count = len(wx) // 2
        return sum(map(operator.mul, wx[:n], wx[n:]))

    def backward(self, g, y, *wx):
        n = len(wx) // 2
        return tuple([g * x for x in wx[n:]] + [g * w for w in wx[:n]])


class ArithmeticOperators:
    """``+ - * / ** % //`` and unary ``-`` as recorded ops: written once for ``Value`` and ``Tensor``."""
    __slots__ = ()

    # Each operator calls its op's one shared instance (Op.shared): no op object per call.
    def __add__(self, other): return _ADD(self, other)
    def __radd__(self, other): return _ADD(other, self)
    def __sub__(self, other): return _SUB(self, other)
    def __rsub__(self, other): return _SUB(other, self)
    def __mul__(self, other): return _MUL(self, other)
    def __rmul__(self, other): return _MUL(other, self)
    def __truediv__(self, other): return _DIV(self, other)
    def __rtruediv__(self, other): return _DIV(other, self)
    def __neg__(self): return _NEG(self)
    def __abs__(self): return _ABS(self)

    def __pow__(self, other):
        # A constant exponent is a setting of the op, not an input: the graph shows "**2".
        if isinstance(other, (int, float)) and not isinstance(other, bool):
            return PowConst(other)(self)
        return _POW(self, other)

    def __rpow__(self, other): return _POW(other, self)
    def __mod__(self, other): return _REMAINDER(self, other)
    def __rmod__(self, other): return _REMAINDER(other, self)
    def __floordiv__(self, other): return _FLOOR_DIVIDE(self, other)
    def __rfloordiv__(self, other): return _FLOOR_DIVIDE(other, self)


_ADD, _SUB, _MUL, _DIV, _NEG, _ABS, _POW, _REMAINDER, _FLOOR_DIVIDE = (
    op.shared() for op in (Add, Sub, Mul, Div, Neg, Abs, Pow, Remainder, FloorDivide))


def _where_not(edge: Any, value: Any) -> Any:
    """``value``, with 0 where ``edge`` holds (``edge`` a bool for a Value's floats, else an array)."""
    from .elementwise import Where
    if isinstance(edge, (bool, np.bool_)):
        return 0.0 if edge else value
    return Where(edge).apply(0.0, value) if edge.any() else value


def _refuse_negative_int_power(base: Any, exponent: Any) -> None:
    """PyTorch refuses an integer tensor to a negative integer power (its result is not an integer)."""
    base_dtype = getattr(base, "dtype", None)  # None for a Value's float: the common case costs one lookup
    if base_dtype is None or base_dtype.kind not in "iu":
        return
    if np.result_type(exponent).kind in "iu" and np.any(np.asarray(exponent) < 0):
        raise ArgumentError("Integers to negative integer powers are not allowed "
                            "(make the base float, e.g. x.float() ** -1)")


def _short(n: Any) -> str:
    return f"{n:g}" if isinstance(n, float) else str(n)
