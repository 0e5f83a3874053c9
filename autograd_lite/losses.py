"""Loss functions (re-exported by ``autograd_lite.functional``, as in ``torch.nn.functional``).

Every function takes the prediction first and the target second, as PyTorch
does, and ``reduction="mean" | "sum" | "none"``. The Keras-named functions
(``sparse_categorical_crossentropy``, ``categorical_crossentropy``,
``binary_crossentropy``) keep that order too: Keras's own functions take
``(y_true, y_pred)``, and its loss objects (``nn.SparseCategoricalCrossentropy``
and friends) still do.

>>> logits = Tensor([[2.0, 0.5, -1.0]], requires_grad=True)
>>> loss = cross_entropy(logits, [0])
>>> round(loss.item(), 4)
0.2413
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .engine import ShapeError
from .ops.losses import BinaryCrossEntropy, SigmoidCrossEntropy, SoftmaxCrossEntropy, one_hot
from .tensor import Tensor, as_tensor

__all__ = [
    "cross_entropy", "nll_loss", "sparse_categorical_crossentropy", "categorical_crossentropy",
    "binary_cross_entropy_with_logits", "binary_cross_entropy", "binary_crossentropy",
    "mse_loss", "l1_loss",
]

KERAS_EPSILON = 1e-7  # keras.backend.epsilon(): how far Keras keeps probabilities from 0 and 1

_REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(reduction: str, fn: str) -> None:
    if reduction not in _REDUCTIONS:  # checked before any work, so a typo fails fast
        raise ValueError(f"{fn}: reduction must be one of {', '.join(map(repr, _REDUCTIONS))}, got {reduction!r}")


def _reduce(losses: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return losses.mean()
    return losses.sum() if reduction == "sum" else losses


def _prediction(x: Any, fn: str) -> Tensor:
    x = as_tensor(x)
    if x.dtype.kind != "f":
        raise TypeError(f"{fn}: the prediction must be floating point, got dtype {x.dtype}")
    return x


def _like(target: Any, x: Tensor, fn: str) -> Tensor:
    """The target as a float tensor of x's shape (a Tensor that requires grad is kept, to be differentiated)."""
    t = target if isinstance(target, Tensor) and target.dtype == x.dtype else Tensor(np.asarray(
        target.data if isinstance(target, Tensor) else target, dtype=x.dtype))
    if t.shape != x.shape:
        raise ShapeError(f"{fn}: input shape {x.shape} and target shape {t.shape} differ; they must be equal "
                         f"(broadcasting them is a classic bug: reshape the target to {x.shape})")
    return t


def _labels(target: Any, x: Tensor, axis: int, fn: str) -> np.ndarray:
    """Class labels as int64, checked against x's shape and its number of classes along ``axis``."""
    labels = np.asarray(target.data if isinstance(target, Tensor) else target)
    expected = x.shape[:axis % x.ndim] + x.shape[axis % x.ndim + 1:]
    if labels.shape != expected:
        raise ShapeError(f"{fn}: input shape {x.shape} needs labels of shape {expected} (or targets of shape "
                         f"{x.shape}), got shape {labels.shape}")
    if labels.dtype.kind == "f":
        if not np.all(labels == np.round(labels)):
            raise ValueError(f"{fn}: labels must be whole numbers (class indices); got non-integer values")
    elif labels.dtype.kind not in "iu":
        raise TypeError(f"{fn}: labels must be integers, got dtype {labels.dtype}")
    labels = labels.astype(np.int64, copy=False)
    num_classes = x.shape[axis]
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        bad = labels.min() if labels.min() < 0 else labels.max()
        raise ValueError(f"{fn}: label {bad} is out of range for {num_classes} classes (0 to {num_classes - 1})")
    return labels


def _class_axis(x: Tensor, fn: str) -> int:
    """PyTorch's class axis: 1 for (N, C, ...) inputs, 0 for one unbatched (C,) input."""
    if x.ndim == 0:
        raise ShapeError(f"{fn}: input must have a class dimension, got a scalar")
    return 1 if x.ndim >= 2 else 0


def _pick(log_p: Tensor, labels: np.ndarray, axis: int) -> Tensor:
    """-log_p at each label along ``axis`` (a product with a one-hot constant, so any rank works)."""
    target = Tensor(one_hot(labels, log_p.shape[axis], axis, log_p.dtype), name="one-hot target")  # named for viz
    return -(log_p * target).sum(axis=axis)


def cross_entropy(input: Any, target: Any, reduction: str = "mean") -> Tensor:  # noqa: A002 (PyTorch's name)
    """Softmax cross-entropy straight from logits, fused and stable (PyTorch's ``F.cross_entropy``).

    ``target`` is either class labels (shape of ``input`` without the class
    axis 1; integer, or whole-number floats) or probabilities / one-hot rows
    of ``input``'s shape. The gradient of the mean over N samples is
    ``(softmax(input) - onehot) / N``.

    >>> round(cross_entropy([[1.0, 1.0]], [1]).item(), 4)     # log 2
    0.6931
    """
    fn = "cross_entropy"
    _check_reduction(reduction, fn)
    x = _prediction(input, fn)
    axis = _class_axis(x, fn)
    if np.shape(target.data if isinstance(target, Tensor) else target) == x.shape:
        t = _like(target, x, fn)
    else:
        t = Tensor(_labels(target, x, axis, fn))
    return _reduce(SoftmaxCrossEntropy(axis)(x, t), reduction)


def nll_loss(input: Any, target: Any, reduction: str = "mean") -> Tensor:  # noqa: A002
    """Negative log-likelihood of the labels, given log-probabilities (pair with ``log_softmax``).

    >>> round(nll_loss(Tensor([[1.0, 1.0]]).log_softmax(dim=1), [0]).item(), 4)
    0.6931
    """
    fn = "nll_loss"
    _check_reduction(reduction, fn)
    x = _prediction(input, fn)
    axis = _class_axis(x, fn)
    return _reduce(_pick(x, _labels(target, x, axis, fn), axis), reduction)


def _keras_log_probs(p: Tensor, axis: int) -> Tensor:
    """Keras's log of predicted probabilities: rescale each row to sum 1, clip into [ε, 1-ε], log."""
    p = p / p.sum(axis=axis, keepdims=True)
    return p.clip(KERAS_EPSILON, 1.0 - KERAS_EPSILON).log()


def sparse_categorical_crossentropy(probs_or_logits: Any, labels: Any, from_logits: bool = False,
                                    reduction: str = "mean", axis: int = -1) -> Tensor:
    """Keras's sparse categorical cross-entropy: integer labels, classes on the last axis.

    With ``from_logits=False`` (Keras's default) the input is probabilities
    (a softmax output): each row is rescaled to sum 1 and clipped into
    [1e-7, 1 - 1e-7] before the log, exactly as Keras does, so a confident
    wrong answer costs at most -log(1e-7) ≈ 16.1. With ``from_logits=True``
    it is the fused :func:`cross_entropy`. Labels of shape (N, 1) are accepted, as in Keras.

    Argument order: (prediction, labels), like every function here; Keras's
    ``keras.losses.sparse_categorical_crossentropy`` takes ``(y_true, y_pred)``.
    The loss object ``nn.SparseCategoricalCrossentropy()`` keeps Keras's order.

    >>> round(sparse_categorical_crossentropy([[0.9, 0.1]], [0]).item(), 4)
    0.1054
    """
    fn = "sparse_categorical_crossentropy"
    _check_reduction(reduction, fn)
    p = as_tensor(probs_or_logits)
    if p.dtype.kind != "f":
        raise TypeError(f"{fn}: the first argument must be the predicted probabilities (or logits), floating "
                        f"point; got dtype {p.dtype}. Note the order (prediction, labels): Keras's function takes "
                        f"(y_true, y_pred)")
    labels_array = np.asarray(labels.data if isinstance(labels, Tensor) else labels)
    if labels_array.ndim == p.ndim and labels_array.shape[-1:] == (1,):
        labels_array = labels_array[..., 0]
    if p.ndim == 0:
        raise ShapeError(f"{fn}: input must have a class dimension, got a scalar")
    lab = _labels(labels_array, p, axis, fn)
    if from_logits:
        return _reduce(SoftmaxCrossEntropy(axis)(p, Tensor(lab)), reduction)
    return _reduce(_pick(_keras_log_probs(p, axis), lab, axis), reduction)


def categorical_crossentropy(probs_or_logits: Any, target: Any, from_logits: bool = False,
                             reduction: str = "mean", axis: int = -1) -> Tensor:
    """Keras's categorical cross-entropy: one-hot (or probability) targets, classes on the last axis.

    Probabilities are rescaled and clipped as in :func:`sparse_categorical_crossentropy`.
    """
    fn = "categorical_crossentropy"
    _check_reduction(reduction, fn)
    p = _prediction(probs_or_logits, fn)
    t = _like(target, p, fn)
    if from_logits:
        return _reduce(SoftmaxCrossEntropy(axis)(p, t), reduction)
    return _reduce(-(t * _keras_log_probs(p, axis)).sum(axis=axis), reduction)


def binary_cross_entropy_with_logits(input: Any, target: Any, reduction: str = "mean") -> Tensor:  # noqa: A002
    """Sigmoid and binary cross-entropy in one stable op: max(x,0) - x·t + log(1 + e^-|x|).

    Gradient σ(x) - t, correct for any logit (no overflow at x = ±1000).
    ``target`` must have ``input``'s shape.

    >>> binary_cross_entropy_with_logits([1000.0], [1.0]).item()
    0.0
    """
    fn = "binary_cross_entropy_with_logits"
    _check_reduction(reduction, fn)
    x = _prediction(input, fn)
    return _reduce(SigmoidCrossEntropy()(x, _like(target, x, fn)), reduction)


def binary_cross_entropy(input: Any, target: Any, reduction: str = "mean") -> Tensor:  # noqa: A002
    """Binary cross-entropy of probabilities, with each log floored at -100 (PyTorch's rule).

    >>> round(binary_cross_entropy([0.9], [1.0]).item(), 4)
    0.1054
    """
    fn = "binary_cross_entropy"
    _check_reduction(reduction, fn)
    p = _prediction(input, fn)
    if p.size and (p.data.min() < 0 or p.data.max() > 1):
        raise ValueError(f"{fn}: input must be probabilities in [0, 1] (got values from {p.data.min():g} to "
                         f"{p.data.max():g}); for logits use binary_cross_entropy_with_logits")
    return _reduce(BinaryCrossEntropy()(p, _like(target, p, fn)), reduction)


def binary_crossentropy(probs_or_logits: Any, target: Any, from_logits: bool = False,
                        reduction: str = "mean") -> Tensor:
    """Keras's binary cross-entropy: probabilities clipped into [1e-7, 1 - 1e-7] (or logits, fused).

    With ``reduction="none"`` it returns the loss per element (Keras's function
    also averages over the last axis).
    """
    fn = "binary_crossentropy"
    if from_logits:
        return binary_cross_entropy_with_logits(probs_or_logits, target, reduction)
    _check_reduction(reduction, fn)
    p = _prediction(probs_or_logits, fn)
    t = _like(target, p, fn)
    p = p.clip(KERAS_EPSILON, 1.0 - KERAS_EPSILON)
    return _reduce(-(t * p.log() + (1 - t) * (1 - p).log()), reduction)


def mse_loss(input: Any, target: Any, reduction: str = "mean", *, half: bool = False) -> Tensor:  # noqa: A002
    """Mean of squared differences; ``half=True`` gives ½·mean((input - target)²), seed program 004's loss.

    The ½ makes the gradient of one squared error ``input - target``.
    ``target`` must have ``input``'s shape.

    >>> mse_loss([1.0, 3.0], [0.0, 0.0]).item(), mse_loss([1.0, 3.0], [0.0, 0.0], half=True).item()
    (5.0, 2.5)
    """
    fn = "mse_loss"
    _check_reduction(reduction, fn)
    x = _prediction(input, fn)
    diff = x - _like(target, x, fn)
    loss = _reduce(diff * diff, reduction)
    return loss * 0.5 if half else loss


def l1_loss(input: Any, target: Any, reduction: str = "mean") -> Tensor:  # noqa: A002
    """Mean absolute difference. ``target`` must have ``input``'s shape.

    >>> l1_loss([1.0, -3.0], [0.0, 0.0]).item()
    2.0
    """
    fn = "l1_loss"
    _check_reduction(reduction, fn)
    x = _prediction(input, fn)
    return _reduce((x - _like(target, x, fn)).abs(), reduction)
