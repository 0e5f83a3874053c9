"""+ - * / ** and negation."""
from __future__ import annotations

from typing import Any

from ..engine import Op
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
    """a · b.   ∂/∂a = b,  ∂/∂b = a"""
    __slots__ = ()
    name, symbol, arg_names, derivatives, broadcasts = "mul", "*", ("a", "b"), ("b", "a"), True

    def forward(self, a, b):
        return a * b

    def backward(self, g, y, a, b):
        return g * b, g * a


class Div(Op):
    """a / b.   ∂/∂a = 1/b,  ∂/∂b = -a/b²"""
    __slots__ = ()
    name, symbol, arg_names, derivatives, broadcasts = "div", "/", ("a", "b"), ("1/b", "-a/b²"), True

    def forward(self, a, b):
        return a / b

    def backward(self, g, y, a, b):
        ga = g / b
        return ga, -ga * y


class Neg(Op):
    """-x.   d/dx = -1"""
    __slots__ = ()
    name, symbol, derivatives = "neg", "-", ("-1",)

    def forward(self, x):
        return -x

    def backward(self, g, y, x):
        return (-g,)


class PowConst(Op):
    """x ** n for a constant number n.   d/dx = n·xⁿ⁻¹"""
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
        return x ** self.exponent

    def backward(self, g, y, x):
        n = self.exponent
        return (g * (n * x ** (n - 1)),)


class Pow(Op):
    """a ** b with both sides differentiable.   ∂/∂a = b·a^(b-1),  ∂/∂b = a^b·ln a"""
    __slots__ = ()
    name, symbol, arg_names, derivatives, broadcasts = "pow", "**", ("a", "b"), ("b·a^(b-1)", "a^b·ln(a)"), True

    def forward(self, a, b):
        return a ** b

    def backward(self, g, y, a, b):
        from .elementwise import Log
        return g * (b * a ** (b - 1)), g * (y * Log().apply(a))


def _short(n: Any) -> str:
    return f"{n:g}" if isinstance(n, float) else str(n)
