"""Matrix product with numpy's rules for 1-D, 2-D and batched operands."""
from __future__ import annotations

import numpy as np

from ..engine import Op, ShapeError, raw
from ..threads import adapt_to_load
from .registry import Samples, register
from .shape import SumTo


@register(samples=Samples(inputs=2, shapes=((2, 3), (3, 4)), linear=True))
class MatMul(Op, name="matmul", symbol="@", args=("a", "b"), derivatives=("g @ bᵀ", "aᵀ @ g"), vjp=True,
             saves=("a", "b")):
    """a @ b.   ∂L/∂a = g @ bᵀ,  ∂L/∂b = aᵀ @ g  (1-D and batched operands as in numpy)"""
    __slots__ = ()

    def forward(self, a, b):
        adapt_to_load()
        return np.matmul(a, b)

    def backward(self, g, y, a, b):
        a_shape, b_shape = np.shape(raw(a)), np.shape(raw(b))
        # numpy treats a 1-D operand as a row (left) or a column (right) and drops that axis after.
        a2 = a.reshape((1,) + a_shape) if len(a_shape) == 1 else a
        b2 = b.reshape(b_shape + (1,)) if len(b_shape) == 1 else b
        g_shape = np.shape(raw(g))
        if len(a_shape) == 1:
            g_shape = g_shape[:-1] + (1,) + g_shape[-1:] if len(b_shape) > 1 else (1,)
        if len(b_shape) == 1:
            g_shape = g_shape + (1,)
        g2 = g.reshape(g_shape)
        ga = gb = None
        # A product with a data batch should not pay for the batch's (unused) gradient.
        if self.needs_input_grad(0):
            ga = MatMul().apply(g2, b2.swapaxes(-1, -2))
            ga = SumTo(np.shape(raw(a2))).apply(ga).reshape(a_shape)
        if self.needs_input_grad(1):
            gb = MatMul().apply(a2.swapaxes(-1, -2), g2)
            gb = SumTo(np.shape(raw(b2))).apply(gb).reshape(b_shape)
        return ga, gb

    def explain_error(self, nodes, error):
        sa, sb = nodes[0].shape, nodes[1].shape
        if len(sa) == 0 or len(sb) == 0:
            return ShapeError(f"matmul: operands must have at least one dimension, got shapes {sa} and {sb}")
        inner_a = sa[-1]
        inner_b = sb[0] if len(sb) == 1 else sb[-2]
        if inner_a != inner_b:
            return ShapeError(f"matmul: shapes {sa} and {sb} do not match: {sa} has {inner_a} columns "
                              f"but {sb} has {inner_b} rows")
        return ShapeError(f"matmul: batch dimensions of shapes {sa} and {sb} do not broadcast")


class LinearOp(Op, name="linear", args=("x", "w", "b"), derivatives=("g @ w", "gᵀ @ x", "Σ g over the batch"),
               vjp=True, saves=("x", "w")):
    """x @ wᵀ + b, a dense layer in one op (PyTorch's ``F.linear``).

    ∂L/∂x = g @ w,  ∂L/∂w = gᵀ @ x,  ∂L/∂b = Σ g over the batch

    The same numbers as ``x @ w.T + b`` written with three ops, fused for speed:
    no broadcast temporary for the bias, and ∂L/∂w comes out row-major like
    ``w`` itself (through ``w.T`` it would be a transposed view, and an
    optimizer's in-place update mixing the two layouts strides across memory,
    several times slower). ``b`` may be left out. ``x`` may have leading batch axes.
    """
    __slots__ = ()

    def forward(self, x, w, *b):
        adapt_to_load()
        y = np.matmul(x, w.T)
        if b:
            # y is fresh from matmul, so the bias goes in in place, unless it would change y's dtype
            y = np.add(y, b[0], out=y if np.result_type(y, b[0]) == y.dtype else None)
        return y

    def backward(self, g, y, x, w, *b):
        out_features, in_features = np.shape(raw(w))
        g2 = g.reshape((-1, out_features))  # batch axes flattened: one matrix product for ∂L/∂w
        gx = g @ w if self.needs_input_grad(0) else None  # a data batch does not pay for its unused gradient
        gw = g2.T @ x.reshape((-1, in_features)) if self.needs_input_grad(1) else None
        if not b:
            return gx, gw
        return gx, gw, (g2.sum(axis=0) if self.needs_input_grad(2) else None)
