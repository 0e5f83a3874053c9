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

from .engine import ArgumentError, ShapeError
from .ops.losses import BinaryCrossEntropy, SigmoidCrossEntropy, SoftmaxCrossEntropy, one_hot
from .tensor import Tensor, as_tensor

__all__ = [
    "cross_entropy", "nll_loss", "sparse_categorical_crossentropy", "categorical_crossentropy",
    "binary_cross_entropy_with_logits", "binary_cross_entropy", "binary_crossentropy",
    "mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss", "kl_div", "cosine_similarity",
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


def cross_entropy(input: Any, target: Any, weight: Any = None, *, ignore_index: int = -100,  # noqa: A002
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Softmax cross-entropy straight from logits, fused and stable (PyTorch's ``F.cross_entropy``).

    ``target`` is either class labels (shape of ``input`` without the class
    axis 1; integer, or whole-number floats) or probabilities / one-hot rows
    of ``input``'s shape (soft targets, which may require grad). The gradient
    of the mean over N samples is ``(softmax(input) - onehot) / N``.

    PyTorch's options: ``weight`` (one weight per class: each sample's loss
    is scaled by its class's weight, and ``"mean"`` divides by the sum of
    those weights), ``ignore_index`` (samples with that label add nothing and
    are not counted), ``label_smoothing`` ε (the target becomes
    (1-ε)·onehot + ε/C). Every case is the one fused op with the target
    written as a row of class weights ``T``: loss = -Σ_c T_c · log softmax(x)_c.

    >>> round(cross_entropy([[1.0, 1.0]], [1]).item(), 4)     # log 2
    0.6931
    >>> round(cross_entropy([[2.0, 0.0]], [0], label_smoothing=0.2).item(), 4)
    0.3269
    """
    fn = "cross_entropy"
    _check_reduction(reduction, fn)
    x = _prediction(input, fn)
    axis = _class_axis(x, fn)
    num_classes = x.shape[axis]
    w = _class_weights(weight, num_classes, x.dtype, fn)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ArgumentError(f"{fn}: label_smoothing must be in [0, 1], got {label_smoothing}")
    if np.shape(target.data if isinstance(target, Tensor) else target) == x.shape:  # probabilities
        t = _like(target, x, fn)
        if label_smoothing:
            t = t * (1.0 - label_smoothing) + label_smoothing / num_classes
        if w is not None:
            t = t * _along(w, axis, x.ndim)
        return _reduce(SoftmaxCrossEntropy(axis)(x, t), reduction)
    labels, kept = _labels_kept(target, x, axis, ignore_index, fn)
    if w is None and label_smoothing == 0.0 and kept.all():
        return _reduce(SoftmaxCrossEntropy(axis)(x, Tensor(labels)), reduction)  # the common case, the fastest
    # Each sample's target row: (1-ε)·onehot scaled by its label's weight, plus ε/C times each class's weight;
    # an ignored sample gets an all-zero row (no loss, no gradient) and no weight in the mean's denominator.
    per_sample = kept * (1.0 if w is None else w[labels])
    class_weights = 1.0 if w is None else _along(w, axis, x.ndim)
    rows = (one_hot(labels, num_classes, axis, x.dtype) * (1.0 - label_smoothing) * np.expand_dims(per_sample, axis)
            + label_smoothing / num_classes * class_weights * np.expand_dims(kept, axis))
    losses = SoftmaxCrossEntropy(axis)(x, Tensor(rows.astype(x.dtype, copy=False)))
    return _reduce_weighted(losses, np.asarray(per_sample, dtype=x.dtype), reduction)


def _class_weights(weight: Any, num_classes: int, dtype: np.dtype, fn: str) -> np.ndarray | None:
    """``weight`` as a float array of one weight per class (``None`` stays ``None``)."""
    if weight is None:
        return None
    if isinstance(weight, str):
        raise TypeError(f"{fn}: weight must be one number per class, got the string {weight!r} "
                        f"(pass the reduction by name: reduction={weight!r})")
    w = np.asarray(weight.data if isinstance(weight, Tensor) else weight, dtype=dtype)
    if w.shape != (num_classes,):
        raise ShapeError(f"{fn}: weight must have shape ({num_classes},), one per class; got shape {w.shape}")
    return w


def _along(values: np.ndarray, axis: int, ndim: int) -> np.ndarray:
    """A per-class vector shaped to broadcast along the class axis of an ``ndim``-dimensional input."""
    shape = [1] * ndim
    shape[axis] = values.size
    return values.reshape(shape)


def _labels_kept(target: Any, x: Tensor, axis: int, ignore_index: int, fn: str) -> tuple[np.ndarray, np.ndarray]:
    """The labels (ignored ones set to 0) and a mask of the samples that are not ignored."""
    raw_labels = np.asarray(target.data if isinstance(target, Tensor) else target)
    kept = raw_labels != ignore_index
    labels = _labels(np.where(kept, raw_labels, 0), x, axis, fn)
    return labels, kept


def _reduce_weighted(losses: Tensor, per_sample: np.ndarray, reduction: str) -> Tensor:
    """PyTorch's weighted reduction: ``"mean"`` divides by the total weight of the samples counted."""
    if reduction == "mean":
        total = per_sample.sum()
        if total == 0:  # every sample ignored: nan, as PyTorch's 0/0, but a zero gradient (not 0·inf)
            return losses.sum() * 0.0 + float("nan")
        return losses.sum() / total
    return _reduce(losses, reduction)


def nll_loss(input: Any, target: Any, weight: Any = None, *, ignore_index: int = -100,  # noqa: A002
             reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of the labels, given log-probabilities (pair with ``log_softmax``).

    ``weight`` and ``ignore_index`` as in :func:`cross_entropy` (``"mean"``
    divides by the summed weights of the samples not ignored).

    >>> round(nll_loss(Tensor([[1.0, 1.0]]).log_softmax(dim=1), [0]).item(), 4)
    0.6931
    """
    fn = "nll_loss"
    _check_reduction(reduction, fn)
    x = _prediction(input, fn)
    axis = _class_axis(x, fn)
    w = _class_weights(weight, x.shape[axis], x.dtype, fn)
    labels, kept = _labels_kept(target, x, axis, ignore_index, fn)
    if w is None and kept.all():
        return _reduce(_pick(x, labels, axis), reduction)
    per_sample = (kept * (1.0 if w is None else w[labels])).astype(x.dtype)
    return _reduce_weighted(_pick(x, labels, axis) * per_sample, per_sample, reduction)


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


def binary_cross_entropy_with_logits(input: Any, target: Any, weight: Any = None, *,  # noqa: A002
                                     reduction: str = "mean", pos_weight: Any = None) -> Tensor:
    """Sigmoid and binary cross-entropy in one stable op: max(x,0) - x·t + log(1 + e^-|x|).

    Gradient σ(x) - t, correct for any logit (no overflow at x = ±1000).
    ``target`` must have ``input``'s shape. ``weight`` scales each element's
    loss (broadcast); ``pos_weight`` (one per class, along the last axis)
    scales the positive term, as PyTorch's: ``-(p·t·log σ(x) + (1-t)·log(1-σ(x)))``,
    written ``(1 + (p-1)·t)·softplus(-x) + (1-t)·x`` so it stays stable.

    >>> binary_cross_entropy_with_logits([1000.0], [1.0]).item()
    0.0
    >>> round(binary_cross_entropy_with_logits([0.0], [1.0], pos_weight=[3.0]).item(), 4)   # 3·log 2
    2.0794
    """
    fn = "binary_cross_entropy_with_logits"
    _check_reduction(reduction, fn)
    x = _prediction(input, fn)
    t = _like(target, x, fn)
    if pos_weight is None:
        losses = SigmoidCrossEntropy()(x, t)
    else:
        p = _broadcastable(pos_weight, x, "pos_weight", fn)
        softplus_of_minus_x = SigmoidCrossEntropy()(x, np.ones((), x.dtype))  # max(x,0) - x + log(1+e^-|x|)
        losses = (1 + (p - 1) * t) * softplus_of_minus_x + (1 - t) * x
    if weight is not None:
        losses = losses * _broadcastable(weight, x, "weight", fn)
    return _reduce(losses, reduction)


def _broadcastable(values: Any, x: Tensor, name: str, fn: str) -> Any:
    """A weight that broadcasts to x's shape (a Tensor that requires grad is kept, to be differentiated)."""
    if isinstance(values, str):
        raise TypeError(f"{fn}: {name} must be numbers, got the string {values!r} (pass the reduction by name)")
    v = values if isinstance(values, Tensor) and values.requires_grad else np.asarray(
        values.data if isinstance(values, Tensor) else values, dtype=x.dtype)
    try:
        if np.broadcast_shapes(np.shape(v.data if isinstance(v, Tensor) else v), x.shape) != x.shape:
            raise ValueError
    except ValueError:
        raise ShapeError(f"{fn}: {name} of shape {np.shape(v.data if isinstance(v, Tensor) else v)} does not "
                         f"broadcast to the input's shape {x.shape}") from None
    return v


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
        return binary_cross_entropy_with_logits(probs_or_logits, target, reduction=reduction)
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


def huber_loss(input: Any, target: Any, reduction: str = "mean", delta: float = 1.0) -> Tensor:  # noqa: A002
    """½d² where |d| < δ, else δ·(|d| - ½δ), with d = input - target (``F.huber_loss``): squared near 0, linear far out.

    >>> huber_loss([0.5, 3.0], [0.0, 0.0], reduction="none").tolist()
    [0.125, 2.5]
    """
    fn = "huber_loss"
    _check_reduction(reduction, fn)
    if not delta > 0:
        raise ArgumentError(f"{fn}: delta must be > 0, got {delta}")
    x = _prediction(input, fn)
    return _reduce(_huber(x - _like(target, x, fn), delta), reduction)


def _huber(d: Tensor, delta: float) -> Tensor:
    inside = np.abs(d.data) < delta  # where, not a product: the branch not taken cannot leak inf or nan
    return where(inside, d * d * 0.5, (d.abs() - 0.5 * delta) * delta)


def smooth_l1_loss(input: Any, target: Any, reduction: str = "mean", beta: float = 1.0) -> Tensor:  # noqa: A002
    """½d²/β where |d| < β, else |d| - ½β (``F.smooth_l1_loss``): :func:`huber_loss` divided by β; β = 0 is L1.

    >>> smooth_l1_loss([0.5, 3.0], [0.0, 0.0], reduction="none", beta=2.0).tolist()
    [0.0625, 2.0]
    """
    fn = "smooth_l1_loss"
    _check_reduction(reduction, fn)
    if beta < 0:
        raise ArgumentError(f"{fn}: beta must be >= 0, got {beta}")
    if beta == 0:
        return l1_loss(input, target, reduction)
    x = _prediction(input, fn)
    return _reduce(_huber(x - _like(target, x, fn), beta) / beta, reduction)


_KL_REDUCTIONS = ("mean", "batchmean", "sum", "none")


def kl_div(input: Any, target: Any, reduction: str = "mean", log_target: bool = False) -> Tensor:  # noqa: A002
    """Kullback-Leibler divergence Σ t·(log t - input), ``input`` being log-probabilities (``F.kl_div``).

    ``log_target=True`` takes ``target`` as log-probabilities too. As in
    PyTorch, ``"mean"`` averages over every element; ``"batchmean"`` (the
    true KL divergence per sample) sums and divides by the batch size. A
    target of 0 adds 0 (0·log 0 = 0).

    >>> round(kl_div(Tensor([0.5, 0.5]).log(), [0.25, 0.75], reduction="sum").item(), 4)
    0.1308
    """
    fn = "kl_div"
    if reduction not in _KL_REDUCTIONS:
        raise ArgumentError(f"{fn}: reduction must be one of {', '.join(map(repr, _KL_REDUCTIONS))}, got {reduction!r}")
    x = _prediction(input, fn)
    t = _like(target, x, fn)
    if log_target:
        pointwise = t.exp() * (t - x)
    else:
        positive = t.data > 0
        safe_t = where(positive, t, 1.0)
        pointwise = where(positive, t * (safe_t.log() - x), 0.0)
    if reduction == "batchmean":
        return pointwise.sum() / (x.shape[0] if x.ndim else 1)
    return _reduce(pointwise, reduction)


def cosine_similarity(x1: Any, x2: Any, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """x1·x2 / (max(‖x1‖, ε)·max(‖x2‖, ε)) along ``dim``, x1 and x2 broadcast (``F.cosine_similarity``).

    >>> cosine_similarity([[1.0, 0.0]], [[1.0, 1.0]]).tolist()   # cos 45°
    [0.7071067690849304]
    """
    fn = "cosine_similarity"
    a, b = _prediction(x1, fn), _prediction(x2, fn)
    try:
        shape = np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ShapeError(f"{fn}: shapes {a.shape} and {b.shape} do not broadcast together") from None
    if not shape:
        raise ShapeError(f"{fn}: needs at least one dimension, got 0-d inputs")

    def unit(v: Tensor) -> Tensor:
        return v / (v * v).sum(axis=dim, keepdims=True).sqrt().clip(min=eps)

    return (unit(a) * unit(b)).sum(axis=dim)


from .functional import where  # noqa: E402  (functional imports this module at its end; where is defined by then)
