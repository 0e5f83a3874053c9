"""Metrics: Keras-style running metrics, and scikit-learn-style functions of labels.

Running metrics (as seed program 000 uses them):

>>> train_loss, train_accuracy = Mean(name="train_loss"), SparseCategoricalAccuracy()
>>> train_loss(0.5)                                   # returns the running result
0.5
>>> train_loss(0.3)
0.4
>>> train_accuracy([1, 0], [[0.2, 0.8], [0.3, 0.7]])   # y_true first, then scores
0.5
>>> train_loss.reset_states()

Functions (the same numbers scikit-learn gives for the same labels):

>>> f1_score([0, 1, 2, 2], [0, 2, 2, 2], average="macro")
0.6

Every input may be a Tensor, an ndarray or a list.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .engine import ShapeError

__all__ = [
    "Metric", "Mean", "Accuracy", "SparseCategoricalAccuracy", "CategoricalAccuracy", "BinaryAccuracy", "get",
    "accuracy", "precision", "recall", "f1_score", "confusion_matrix",
]


def _array(x: Any) -> np.ndarray:
    return np.asarray(getattr(x, "data", x))


# -- running metrics ---------------------------------------------------------------
class Metric:
    """A value accumulated over batches: ``update_state(...)`` (or call it), ``result()``, ``reset()``.

    ``reset_state`` (Keras 3) and ``reset_states`` (Keras 2, as the seed programs write) are the same as ``reset``.
    """

    def __init__(self, name: str | None = None) -> None:
        self.name = name or _snake(type(self).__name__)
        self.reset()

    def update_state(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError

    def result(self) -> float:
        raise NotImplementedError

    def reset(self) -> None:
        raise NotImplementedError

    def reset_state(self) -> None:
        self.reset()

    def reset_states(self) -> None:
        self.reset()

    def __call__(self, *args: Any, **kwargs: Any) -> float:
        """Update with a batch and return the running result (as Keras's metrics do)."""
        self.update_state(*args, **kwargs)
        return self.result()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, result={self.result():.6g})"


class Mean(Metric):
    """The (weighted) mean of every value given so far; 0.0 before any.

    >>> m = Mean()
    >>> m.update_state([1.0, 2.0]); m.update_state(6.0)
    >>> m.result()
    3.0
    """

    def reset(self) -> None:
        self.total, self.count = 0.0, 0.0

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        values = _array(values).astype(np.float64)
        if sample_weight is None:
            self.total += float(values.sum())
            self.count += values.size
            return
        weights = np.broadcast_to(_array(sample_weight).astype(np.float64), values.shape)
        self.total += float((values * weights).sum())
        self.count += float(weights.sum())

    def result(self) -> float:
        return self.total / self.count if self.count else 0.0


class _MeanOfMatches(Mean):
    """The running fraction of samples whose prediction is right; subclasses say what "right" is."""

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        super().update_state(self._matches(_array(y_true), _array(y_pred)), sample_weight)

    def _matches(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class Accuracy(_MeanOfMatches):
    """How often ``y_pred`` equals ``y_true`` exactly (both are labels): Keras's ``Accuracy``.

    For class scores use :class:`SparseCategoricalAccuracy` (integer labels)
    or :class:`CategoricalAccuracy` (one-hot labels).
    """

    def _matches(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        _same_shape(y_true, y_pred, self.name)
        return y_true == y_pred


class SparseCategoricalAccuracy(_MeanOfMatches):
    """How often the highest score in ``y_pred`` (N, C) is at the integer label ``y_true`` (N,) or (N, 1)."""

    def _matches(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        if y_true.ndim == y_pred.ndim and y_true.shape[-1:] == (1,):
            y_true = y_true[..., 0]
        if y_pred.shape[:-1] != y_true.shape:
            raise ShapeError(f"{self.name}: scores of shape {y_pred.shape} need labels of shape {y_pred.shape[:-1]}, "
                             f"got {y_true.shape} (the order is y_true, y_pred)")
        return y_pred.argmax(axis=-1) == y_true


class CategoricalAccuracy(_MeanOfMatches):
    """How often the highest score in ``y_pred`` is where the one-hot ``y_true`` has its 1."""

    def _matches(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        _same_shape(y_true, y_pred, self.name)
        return y_pred.argmax(axis=-1) == y_true.argmax(axis=-1)


class BinaryAccuracy(_MeanOfMatches):
    """How often ``y_pred > threshold`` agrees with the 0/1 ``y_true``."""

    def __init__(self, name: str | None = None, threshold: float = 0.5) -> None:
        self.threshold = threshold
        super().__init__(name)

    def _matches(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        _same_shape(y_true, y_pred, self.name)
        return (y_pred > self.threshold) == (y_true > 0.5)


_BY_NAME = {"mean": Mean, "accuracy": Accuracy, "sparse_categorical_accuracy": SparseCategoricalAccuracy,
            "categorical_accuracy": CategoricalAccuracy, "binary_accuracy": BinaryAccuracy}


def get(identifier: str | Metric) -> Metric:
    """A new metric for a Keras name; a metric object passes through.

    Note: in Keras's ``compile(metrics=["accuracy"])`` the word is resolved by
    the loss (sparse categorical accuracy for sparse cross-entropy); here
    ``"accuracy"`` is the exact-match :class:`Accuracy`.
    """
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in _BY_NAME:
        return _BY_NAME[identifier.lower()]()
    raise ValueError(f"unknown metric {identifier!r}; use one of {', '.join(sorted(_BY_NAME))}, or a Metric")


def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() and i else c.lower() for i, c in enumerate(name))


def _same_shape(y_true: np.ndarray, y_pred: np.ndarray, fn: str) -> None:
    if y_true.shape != y_pred.shape:
        raise ShapeError(f"{fn}: y_true has shape {y_true.shape} but y_pred has shape {y_pred.shape}")


# -- functions of labels, as in scikit-learn -------------------------------------------
def _labels(y_true: Any, y_pred: Any, fn: str) -> tuple[np.ndarray, np.ndarray]:
    """Both as 1-D label arrays; scores (one more dimension than y_true) become their argmax."""
    t, p = _array(y_true), _array(y_pred)
    if p.ndim == t.ndim + 1:
        p = p.argmax(axis=-1)
    if t.ndim != 1 or t.shape != p.shape:
        raise ShapeError(f"{fn}: y_true must be 1-D labels and y_pred labels of the same shape (or scores with one "
                         f"more dimension); got shapes {t.shape} and {_array(y_pred).shape}")
    return t, p


def accuracy(y_true: Any, y_pred: Any) -> float:
    """The fraction of predictions equal to the labels (``sklearn.metrics.accuracy_score``).

    >>> accuracy([0, 1, 1], [0, 1, 0])
    0.6666666666666666
    """
    t, p = _labels(y_true, y_pred, "accuracy")
    return float(np.mean(t == p)) if t.size else 0.0


def confusion_matrix(y_true: Any, y_pred: Any, labels: Any = None) -> np.ndarray:
    """Counts: row i is the true class ``labels[i]``, column j the predicted ``labels[j]`` (scikit-learn's layout).

    ``labels`` defaults to the sorted classes found in either input.

    >>> confusion_matrix([0, 1, 1], [0, 1, 0])
    array([[1, 0],
           [1, 1]])
    """
    t, p = _labels(y_true, y_pred, "confusion_matrix")
    classes = np.union1d(t, p) if labels is None else _array(labels)
    out = np.zeros((len(classes), len(classes)), dtype=np.int64)
    known = np.isin(t, classes) & np.isin(p, classes)  # pairs with a class outside ``labels`` are left out
    order = np.argsort(classes, kind="stable")
    rows = order[np.searchsorted(classes[order], t[known])]
    cols = order[np.searchsorted(classes[order], p[known])]
    np.add.at(out, (rows, cols), 1)
    return out


_AVERAGES = ("binary", "micro", "macro", "weighted", None)


def _scores(y_true: Any, y_pred: Any, average: str | None, pos_label: Any, zero_division: float,
            fn: str) -> tuple[np.ndarray, ...] | tuple[float, ...]:
    """(precision, recall, f1), per class or averaged, from the confusion matrix."""
    if average not in _AVERAGES:
        raise ValueError(f"{fn}: average must be one of {', '.join(map(repr, _AVERAGES))}, got {average!r}")
    t, p = _labels(y_true, y_pred, fn)
    classes = np.union1d(t, p)
    if average == "binary":
        if len(classes) > 2:
            raise ValueError(f"{fn}: the labels have {len(classes)} classes but average='binary'; choose "
                             f"average='micro', 'macro', 'weighted' or None")
        classes = np.asarray([pos_label])
        t, p = t == pos_label, p == pos_label
        tp = np.array([np.sum(t & p)])
        fp, fn_count = np.array([np.sum(~t & p)]), np.array([np.sum(t & ~p)])
    else:
        cm = confusion_matrix(t, p, classes)
        tp = np.diag(cm)
        fp, fn_count = cm.sum(axis=0) - tp, cm.sum(axis=1) - tp
    if average == "micro":
        tp, fp, fn_count = tp.sum(keepdims=True), fp.sum(keepdims=True), fn_count.sum(keepdims=True)
    precision = _ratio(tp, tp + fp, zero_division)
    recall = _ratio(tp, tp + fn_count, zero_division)
    f1 = _ratio(2 * tp, 2 * tp + fp + fn_count, zero_division)
    if average is None:
        return precision, recall, f1
    if average == "weighted":
        support = tp + fn_count
        weights = support / support.sum() if support.sum() else np.zeros_like(support, dtype=float)
        return tuple(float(np.sum(s * weights)) for s in (precision, recall, f1))
    return tuple(float(np.mean(s)) for s in (precision, recall, f1))


def _ratio(num: np.ndarray, den: np.ndarray, zero_division: float) -> np.ndarray:
    out = np.full(num.shape, float(zero_division))
    np.divide(num, den, out=out, where=den > 0)
    return out


_SCORE_DOC = """{what} of each class, or averaged: scikit-learn's ``{name}`` on the same inputs.

    ``average``: "binary" (scikit-learn's default: the score of ``pos_label``, for
    two classes), "micro" (pooled counts; equals accuracy for single-label data),
    "macro" (unweighted mean over classes), "weighted" (by support), or None
    (an array, one score per class in sorted order). Where a score is 0/0 it is
    ``zero_division`` (0.0), without scikit-learn's warning.
    """


def precision(y_true: Any, y_pred: Any, average: str | None = "binary", pos_label: Any = 1,
              zero_division: float = 0.0) -> float | np.ndarray:
    return _scores(y_true, y_pred, average, pos_label, zero_division, "precision")[0]


def recall(y_true: Any, y_pred: Any, average: str | None = "binary", pos_label: Any = 1,
           zero_division: float = 0.0) -> float | np.ndarray:
    return _scores(y_true, y_pred, average, pos_label, zero_division, "recall")[1]


def f1_score(y_true: Any, y_pred: Any, average: str | None = "binary", pos_label: Any = 1,
             zero_division: float = 0.0) -> float | np.ndarray:
    return _scores(y_true, y_pred, average, pos_label, zero_division, "f1_score")[2]


precision.__doc__ = _SCORE_DOC.format(what="Precision tp / (tp + fp)", name="precision_score")
recall.__doc__ = _SCORE_DOC.format(what="Recall tp / (tp + fn)", name="recall_score")
f1_score.__doc__ = _SCORE_DOC.format(what="F1 = 2·precision·recall / (precision + recall)", name="f1_score") + \
    """
    >>> f1_score([0, 1, 2, 2], [0, 2, 2, 2], average="macro")
    0.6
    """
