"""+ - * / ** and negation."""
from __future__ import annotations

import operator
from typing import Any

import numpy as np

from ..engine import ArgumentError, Op, raw
from ._lib import lib


class Add(Op):
    """a + b.   ∂/∂a = 1,  ∂/∂b = 1"""
    __slots__ = ()
    name, symbol, arg_names, derivatives, broadcasts = "add", "+", ("a", "b"), ("1", "1"), True

    def forward(self, a, b):
        return a + b

    def backward(self, g, y, a, b):
        return g, g


class Sub(Op):
    """a - b.   ∂/∂a = 1,  ∂/∂b = -1"""
    __slots__ = ()
    name, symbol, arg_names, derivatives, broadcasts = "sub", "-", ("a", "b"), ("1", "-1"), True

    def forward(self, a, b):
        return a - b

    def backward(self, g, y, a, b):
        return g, -g


class Mul(Op):
    """a * b.   ∂/∂a = b,  ∂/∂b = a"""
    __slots__ = ()
    name, symbol, arg_names, derivatives, broadcasts = "mul", "*", ("a", "b"), ("b", "a"), True

    def forward(self, a, b):
        return a * b

    def backward(self, g, y, a, b):
        # x * 2 or x * data: the constant's gradient would cost a product that nobody reads
        return (g * b if self.needs_input_grad(0) else None), (g * a if self.needs_input_grad(1) else None)


class Div(Op):
    """a / b.   ∂/∂a = 1/b,  ∂/∂b = -a/b²"""
    __slots__ = ()
    name, symbol, arg_names, derivatives, broadcasts = "div", "/", ("a", "b"), ("1/b", "-a/b²"), True

    def forward(self, a, b):
        return a / b

    def backward(self, g, y, a, b):
        ga = g / b
        return ga, -ga * y  # -g·a/b² = -(g/b)·(a/b)


class Neg(Op):
    """-x.   ∂/∂x = -1"""
    __slots__ = ()
    name, symbol, derivatives = "neg", "-", ("-1",)

    def forward(self, x):
        return -x

    def backward(self, g, y, x):
        return (-g,)


class PowConst(Op):
    """x ** n for a constant number n.   ∂/∂x = n·x^(n-1)"""
    __slots__ = ("exponent",)
    name, derivatives = "pow", ("n·x^(n-1)",)

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
        return (g * (n * PowConst(n - 1).apply(x)),)


class Pow(Op):
    """a ** b with both sides differentiable.   ∂/∂a = b·a^(b-1),  ∂/∂b = a^b·ln(a)"""
    __slots__ = ()
    name, symbol, arg_names, derivatives, broadcasts = "pow", "**", ("a", "b"), ("b·a^(b-1)", "a^b·ln(a)"), True

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


class Dot(Op):
    """Σ wᵢ·xᵢ over n pairs, in one node.   ∂/∂wᵢ = xᵢ,  ∂/∂xᵢ = wᵢ

    A neuron's weighted sum: one node and one backward step in place of n
    products and n - 1 sums (``Value.dot``). The inputs are w0 … wₙ₋₁, then x0 … xₙ₋₁.
    """
    __slots__ = ("count",)
    name = "dot"

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
    """``+ - * / **`` and unary ``-`` as recorded ops: written once for ``Value`` and ``Tensor``."""
    __slots__ = ()

    def __add__(self, other): return Add()(self, other)
    def __radd__(self, other): return Add()(other, self)
    def __sub__(self, other): return Sub()(self, other)
    def __rsub__(self, other): return Sub()(other, self)
    def __mul__(self, other): return Mul()(self, other)
    def __rmul__(self, other): return Mul()(other, self)
    def __truediv__(self, other): return Div()(self, other)
    def __rtruediv__(self, other): return Div()(other, self)
    def __neg__(self): return Neg()(self)

    def __pow__(self, other):
        # A constant exponent is a setting of the op, not an input: the graph shows "**2".
        if isinstance(other, (int, float)) and not isinstance(other, bool):
            return PowConst(other)(self)
        return Pow()(self, other)

    def __rpow__(self, other): return Pow()(other, self)


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
