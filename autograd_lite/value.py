"""The scalar Value: micrograd's interface on the shared engine.

>>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
>>> c = a * b + a
>>> c.backward()
>>> a.grad, b.grad
(-2.0, 2.0)
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .engine import Node, named_constant, raw
from .ops import registry
from .ops.arithmetic import ArithmeticOperators, Dot

__all__ = ["Value"]


class Value(ArithmeticOperators, Node):
    """A float in a graph. ``.data`` and ``.grad`` are floats, as in micrograd.

    Every ``Value`` made by hand takes part in backward (micrograd has no
    ``requires_grad``); plain numbers mixed in become constants. As in
    micrograd, and unlike a Tensor, every Value keeps its ``.grad`` after
    backward, intermediate results included, and the graph is kept (a drawn
    graph shows each node's gradient); call ``backward`` again only after
    setting the gradients back to 0.

    >>> a = Value(2.0)
    >>> b = a * a + 1
    >>> b.backward()
    >>> a.grad, b.grad
    (4.0, 1.0)

    Its methods for scalar functions (``exp``, ``tanh``, ``relu``...) are made
    from their declarations in :mod:`autograd_lite.ops.registry`.
    """

    __slots__ = ("label",)
    _retain_graph_by_default = True  # floats only: keeping the graph costs little, and it can be drawn afterwards
    shape: tuple[int, ...] = ()
    _broadcasts = False

    def __init__(self, data: float, label: str = "") -> None:
        self.data = _number(data, "Value: data")
        self.grad = 0.0
        self.requires_grad = True
        self._op = None
        self._hooks = None
        self._retains_grad = False
        self.label = label

    @staticmethod  # not a classmethod: binding cls would cost every op a little
    def _from_op(data: float, op: Any) -> "Value":
        v = Value.__new__(Value)
        v.data = data
        v.grad = 0.0
        v.requires_grad = op is not None
        v._op = op
        v._hooks = None
        v._retains_grad = True
        v.label = ""
        return v

    @classmethod
    def _constant(cls, x: Any, inputs: Sequence[Any]) -> "Value":
        return cls._from_op(x if type(x) is float else _number(x, "Value: an operand"), None)

    def _root_grad(self, g: Any, create_graph: bool) -> Any:
        g = 1.0 if g is None else self._check_grad(g if create_graph else raw(g), "backward")
        if create_graph and not isinstance(g, Node):  # the seed of a recorded backward, drawn by that name
            g = named_constant(g, self, "seed")
        return g

    def _check_grad(self, g: Any, where: str) -> Any:
        if isinstance(g, Value):
            return g
        return _number(g, f"{where}: the gradient of a Value")

    def _wrap_grad(self, g: Any) -> Any:
        return g

    def _accumulate_grad(self, g: Any, create_graph: bool, sole_reference: bool) -> None:
        self.grad = self.grad + g

    def __repr__(self) -> str:
        return f"Value(data={self.data:.6g}, grad={_grad_text(self.grad)})"

    @staticmethod
    def dot(ws: Sequence[Any], xs: Sequence[Any]) -> "Value":
        """Σ wᵢ·xᵢ as one node: a neuron's weighted sum, n times fewer nodes than ``sum(w * x ...)``.

        Plain numbers among ``ws`` and ``xs`` are constants. The same value and
        gradients as the sum of products (up to the rounding of the sum's order).

        >>> w, x = [Value(2.0), Value(3.0)], [Value(4.0), 5.0]
        >>> y = Value.dot(w, x)
        >>> y.backward()
        >>> y.data, w[0].grad, w[1].grad, x[0].grad
        (23.0, 4.0, 5.0, 2.0)
        """
        ws, xs = list(ws), list(xs)
        if len(ws) != len(xs) or not ws:
            raise ValueError(f"Value.dot: needs two equally long, non-empty lists; got {len(ws)} and {len(xs)} items")
        return Dot()(*ws, *xs)


def _number(x: Any, context: str) -> float:
    """``x`` as a float if it is a real number (strings, arrays and Tensors are refused)."""
    if isinstance(x, (int, float, np.integer, np.floating, np.bool_)):
        return float(x)
    hint = " (a Value and a Tensor cannot be mixed)" if isinstance(x, Node) else ""
    raise TypeError(f"{context} must be a real number, got {type(x).__name__} {x!r}{hint}")


def _grad_text(g: Any) -> str:
    return f"{g:.6g}" if isinstance(g, float) else repr(g)


Value._graph_kind = Value
registry.install_methods(Value, "value")  # exp, tanh, relu...: declared with their ops
