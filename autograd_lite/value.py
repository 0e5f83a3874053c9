"""The scalar Value: micrograd's interface on the shared engine.

>>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
>>> c = a * b + a
>>> c.backward()
>>> a.grad, b.grad
(-2.0, 2.0)
"""
from __future__ import annotations

from typing import Any, Sequence

from .engine import Node
from .ops.activations import ReLU, Sigmoid
from .ops.arithmetic import Add, Div, Mul, Neg, Pow, PowConst, Sub
from .ops.elementwise import Exp, Log, Tanh

__all__ = ["Value"]


class Value(Node):
    """A float in a graph. ``.data`` and ``.grad`` are floats, as in micrograd.

    Every ``Value`` made by hand takes part in backward (micrograd has no
    ``requires_grad``); plain numbers mixed in become constants.
    """

    __slots__ = ("label",)
    _retain_graph_by_default = True  # floats only: keeping the graph costs little, and it can be drawn afterwards
    shape: tuple[int, ...] = ()

    def __init__(self, data: float, label: str = "") -> None:
        if isinstance(data, Node):
            raise TypeError("Value: data must be a number, not a graph node (use .data)")
        try:
            self.data = float(data)
        except (TypeError, ValueError):
            raise TypeError(f"Value: data must be a real number; got {type(data).__name__} {data!r}") from None
        self.grad = 0.0
        self.requires_grad = True
        self._op = None
        self._hooks = None
        self._retains_grad = False
        self.label = label

    @classmethod
    def _from_op(cls, data: float, op: Any) -> "Value":
        v = Value.__new__(Value)
        v.data = data
        v.grad = 0.0
        v.requires_grad = op is not None
        v._op = op
        v._hooks = None
        v._retains_grad = False
        v.label = ""
        return v

    @classmethod
    def _constant(cls, x: Any, inputs: Sequence[Any]) -> "Value":
        if isinstance(x, Node):
            raise TypeError(f"cannot combine a Value with a {type(x).__name__}")
        try:
            return cls._from_op(float(x), None)
        except (TypeError, ValueError):
            raise TypeError(f"Value: cannot combine with {type(x).__name__} {x!r}") from None

    def _root_grad(self, g: Any, create_graph: bool) -> Any:
        g = 1.0 if g is None else self._check_grad(g, "backward")
        return Value._from_op(g, None) if create_graph and not isinstance(g, Node) else g

    def _check_grad(self, g: Any, where: str) -> Any:
        if isinstance(g, Node):
            return g
        try:
            return float(g)
        except (TypeError, ValueError):
            raise TypeError(f"{where}: the gradient of a Value must be a number; got {type(g).__name__}") from None

    def _wrap_grad(self, g: Any, create_graph: bool) -> Any:
        return g

    def _accumulate_grad(self, g: Any, create_graph: bool) -> None:
        self.grad = self.grad + g

    def __repr__(self) -> str:
        return f"Value(data={self.data:.6g}, grad={_grad_text(self.grad)})"

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
        if isinstance(other, (int, float)) and not isinstance(other, bool):
            return PowConst(other)(self)
        return Pow()(self, other)

    def __rpow__(self, other): return Pow()(other, self)

    def exp(self): return Exp()(self)
    def log(self): return Log()(self)
    def tanh(self): return Tanh()(self)
    def sigmoid(self): return Sigmoid()(self)
    def relu(self): return ReLU()(self)


def _grad_text(g: Any) -> str:
    return f"{g:.6g}" if isinstance(g, float) else repr(g)


Value._graph_kind = Value
