"""Fused loss ops: cross-entropy straight from logits, each with its derivative stated once.

Fused because the composed version is either unstable (``log(softmax(x))``
overflows or takes ``log 0``) or has the wrong gradient at a kink (the
stable composition of binary cross-entropy has ``|x|`` in it). Each backward
is written with ops, so ``create_graph=True`` still gives second derivatives.
"""
from __future__ import annotations

import numpy as np

from ..engine import Node, Op, raw
from .activations import LogSoftmaxOp, SigmoidOp
from .elementwise import Exp, Log, Maximum

_TINY = 1e-12  # PyTorch's floor on p(1-p) in binary_cross_entropy's gradient


def one_hot(labels: np.ndarray, num_classes: int, axis: int, dtype: np.dtype) -> np.ndarray:
    """1 at each label's class along ``axis``, 0 elsewhere."""
    classes_shape = [1] * (labels.ndim + 1)
    classes_shape[axis] = num_classes
    return (np.expand_dims(labels, axis) == np.arange(num_classes).reshape(classes_shape)).astype(dtype)


class SoftmaxCrossEntropy(Op, name="softmax_cross_entropy", args=("x", "t"),
                          derivatives=("softmax(x)·Σt - t", "-log softmax(x)"), saves=("x", "t")):
    """Per-sample -Σ_c t_c · log softmax(x)_c along ``axis``, with t one-hot labels or probabilities.

    ∂/∂x = softmax(x)·Σt - t   (softmax(x) - onehot for labels, whose Σt is 1),   ∂/∂t = -log softmax(x).
    The mean over a batch of N then gives the familiar (softmax - onehot)/N.
    Integer ``t`` are class labels (no gradient); float ``t`` of x's shape are probabilities.
    """
    __slots__ = ("axis", "log_p")

    def __init__(self, axis: int = -1) -> None:
        self.axis = axis

    def label(self) -> str:
        return f"softmax_cross_entropy(axis={self.axis})"

    def forward(self, x, t):
        log_p = self.log_p = LogSoftmaxOp(self.axis).forward(x)  # kept for backward: saves an exp and a log
        if _is_labels(t):
            if self._rows_of_classes(log_p):  # the common (batch, classes) case, indexed directly
                return -log_p[np.arange(len(t)), t]
            picked = np.take_along_axis(log_p, np.expand_dims(t, self.axis), self.axis)
            return -np.squeeze(picked, self.axis)
        return -np.sum(t * log_p, axis=self.axis)

    def backward(self, g, y, x, t):
        labels = _is_labels(raw(t))
        g = g.reshape(np.expand_dims(raw(g), self.axis).shape)
        if isinstance(x, Node):  # create_graph: build the gradient from ops so it can be differentiated
            log_p = LogSoftmaxOp(self.axis).apply(x)
        else:
            log_p = self.log_p
        p = Exp().apply(log_p)
        if labels and not isinstance(p, Node) and self._rows_of_classes(p):
            # (batch, classes) on raw arrays: p is a fresh array, so subtract the one-hot and scale in place
            p[np.arange(len(raw(t))), raw(t)] -= 1
            return np.multiply(p, g, out=p if np.result_type(p, g) == p.dtype else None), None
        if labels:
            return g * (p - one_hot(raw(t), raw(x).shape[self.axis], self.axis, raw(x).dtype)), None
        gx = g * (p * t.sum(axis=self.axis, keepdims=True) - t)
        return gx, (-g * log_p if self.needs_input_grad(1) else None)

    def _rows_of_classes(self, log_p: np.ndarray) -> bool:
        return np.ndim(log_p) == 2 and self.axis in (1, -1)

    def release(self) -> None:
        super().release()
        self.log_p = None

    def explain_error(self, nodes, error):
        return error


class SigmoidCrossEntropy(Op, name="sigmoid_cross_entropy", args=("x", "t"), derivatives=("σ(x) - t", "-x"),
                          saves=("x", "t")):
    """Binary cross-entropy from logits, elementwise: max(x, 0) - x·t + log(1 + e^-|x|).

    ∂/∂x = σ(x) - t,   ∂/∂t = -x.   Stable for any x (no exp of a large positive number).
    """
    __slots__ = ()

    def forward(self, x, t):
        return np.maximum(x, 0) - x * t + np.log1p(np.exp(-np.abs(x)))

    def backward(self, g, y, x, t):
        return g * (SigmoidOp().apply(x) - t), (-g * x if self.needs_input_grad(1) else None)


class BinaryCrossEntropy(Op, name="binary_cross_entropy", args=("p", "t"),
                         derivatives=("(p - t) / max(p(1-p), 1e-12)", "log(1-p) - log(p)"), saves=("p", "t")):
    """-(t·log p + (1-t)·log(1-p)) elementwise, each log floored at -100 as PyTorch does.

    ∂/∂p = (p - t) / max(p(1-p), 1e-12),   ∂/∂t = log(1-p) - log(p).
    """
    __slots__ = ()

    def forward(self, p, t):
        with np.errstate(divide="ignore"):  # log 0 = -inf, floored just below
            log_p, log_q = np.maximum(np.log(p), -100), np.maximum(np.log1p(-p), -100)
        return -(t * log_p + (1 - t) * log_q)

    def backward(self, g, y, p, t):
        gp = g * (p - t) / Maximum().apply(p * (1 - p), _TINY)
        if not self.needs_input_grad(1):
            return gp, None
        with np.errstate(divide="ignore"):
            return gp, g * (Log().apply(1 - p) - Log().apply(p))


def _is_labels(t) -> bool:
    return np.asarray(t).dtype.kind in "iu"

