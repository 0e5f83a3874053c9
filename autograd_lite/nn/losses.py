"""Loss modules: PyTorch's, called ``(input, target)``, and Keras's loss objects, called ``(y_true, y_pred)``.

>>> criterion = CrossEntropyLoss()
>>> round(criterion([[2.0, 0.0]], [0]).item(), 4)                    # PyTorch order: (logits, labels)
0.1269
>>> loss_object = SparseCategoricalCrossentropy()
>>> round(loss_object([0], [[0.9, 0.1]]).item(), 4)                  # Keras order: (labels, probabilities)
0.1054
"""
from __future__ import annotations

from typing import Any

from .. import losses as L
from ..tensor import Tensor
from .module import Module

__all__ = [
    "CrossEntropyLoss", "NLLLoss", "MSELoss", "L1Loss", "BCELoss", "BCEWithLogitsLoss",
    "HuberLoss", "SmoothL1Loss", "KLDivLoss",
    "SparseCategoricalCrossentropy", "CategoricalCrossentropy", "BinaryCrossentropy",
    "MeanSquaredError", "MeanAbsoluteError", "get",
]


class _Loss(Module):
    """A loss function with its settings fixed; ``reduction`` is "mean", "sum" or "none"."""

    def __init__(self, reduction: str = "mean") -> None:
        L._check_reduction(reduction, type(self).__name__)
        self.reduction = reduction

    def extra_repr(self) -> str:
        return "" if self.reduction == "mean" else f"reduction={self.reduction!r}"


class CrossEntropyLoss(_Loss):
    """:func:`~autograd_lite.functional.cross_entropy` on ``(logits, labels or probabilities)``, with its
    ``weight``, ``ignore_index`` and ``label_smoothing`` (by name, as PyTorch users write them)."""

    def __init__(self, reduction: str = "mean", *, weight: Any = None, ignore_index: int = -100,
                 label_smoothing: float = 0.0) -> None:
        super().__init__(reduction)
        self.weight, self.ignore_index, self.label_smoothing = weight, ignore_index, label_smoothing

    def forward(self, input: Any, target: Any) -> Tensor:  # noqa: A002
        return L.cross_entropy(input, target, self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)


class NLLLoss(_Loss):
    """:func:`~autograd_lite.functional.nll_loss` on ``(log_probabilities, labels)``, with ``weight`` and ``ignore_index``."""

    def __init__(self, reduction: str = "mean", *, weight: Any = None, ignore_index: int = -100) -> None:
        super().__init__(reduction)
        self.weight, self.ignore_index = weight, ignore_index

    def forward(self, input: Any, target: Any) -> Tensor:  # noqa: A002
        return L.nll_loss(input, target, self.weight, ignore_index=self.ignore_index, reduction=self.reduction)


class MSELoss(_Loss):
    """:func:`~autograd_lite.functional.mse_loss`; ``half=True`` for ½·mean((input - target)²)."""

    def __init__(self, reduction: str = "mean", *, half: bool = False) -> None:
        super().__init__(reduction)
        self.half = half

    def extra_repr(self) -> str:
        return ", ".join(filter(None, [super().extra_repr(), "half=True" if self.half else ""]))

    def forward(self, input: Any, target: Any) -> Tensor:  # noqa: A002
        return L.mse_loss(input, target, self.reduction, half=self.half)


class L1Loss(_Loss):
    def forward(self, input: Any, target: Any) -> Tensor:  # noqa: A002
        return L.l1_loss(input, target, self.reduction)


class BCELoss(_Loss):
    """:func:`~autograd_lite.functional.binary_cross_entropy` on ``(probabilities, targets)``."""

    def forward(self, input: Any, target: Any) -> Tensor:  # noqa: A002
        return L.binary_cross_entropy(input, target, self.reduction)


class BCEWithLogitsLoss(_Loss):
    """:func:`~autograd_lite.functional.binary_cross_entropy_with_logits` on ``(logits, targets)``, with
    ``weight`` and ``pos_weight``."""

    def __init__(self, reduction: str = "mean", *, weight: Any = None, pos_weight: Any = None) -> None:
        super().__init__(reduction)
        self.weight, self.pos_weight = weight, pos_weight

    def forward(self, input: Any, target: Any) -> Tensor:  # noqa: A002
        return L.binary_cross_entropy_with_logits(input, target, self.weight, reduction=self.reduction,
                                                  pos_weight=self.pos_weight)


class HuberLoss(_Loss):
    """:func:`~autograd_lite.functional.huber_loss` with its ``delta``."""

    def __init__(self, reduction: str = "mean", *, delta: float = 1.0) -> None:
        super().__init__(reduction)
        self.delta = delta

    def forward(self, input: Any, target: Any) -> Tensor:  # noqa: A002
        return L.huber_loss(input, target, self.reduction, self.delta)


class SmoothL1Loss(_Loss):
    """:func:`~autograd_lite.functional.smooth_l1_loss` with its ``beta``."""

    def __init__(self, reduction: str = "mean", *, beta: float = 1.0) -> None:
        super().__init__(reduction)
        self.beta = beta

    def forward(self, input: Any, target: Any) -> Tensor:  # noqa: A002
        return L.smooth_l1_loss(input, target, self.reduction, self.beta)


class KLDivLoss(Module):
    """:func:`~autograd_lite.functional.kl_div` on ``(log_probabilities, target)``; ``reduction`` may also be
    ``"batchmean"`` (the KL divergence per sample)."""

    def __init__(self, reduction: str = "mean", *, log_target: bool = False) -> None:
        if reduction not in L._KL_REDUCTIONS:
            raise ValueError(f"KLDivLoss: reduction must be one of {', '.join(map(repr, L._KL_REDUCTIONS))}, "
                             f"got {reduction!r}")
        self.reduction, self.log_target = reduction, log_target

    def forward(self, input: Any, target: Any) -> Tensor:  # noqa: A002
        return L.kl_div(input, target, self.reduction, self.log_target)


class _KerasLoss(_Loss):
    """Keras's loss objects take ``(y_true, y_pred)``; the reduction "mean" is Keras's "sum_over_batch_size"."""

    def __init__(self, from_logits: bool = False, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.from_logits = from_logits

    def extra_repr(self) -> str:
        return ", ".join(filter(None, ["from_logits=True" if self.from_logits else "", super().extra_repr()]))


class SparseCategoricalCrossentropy(_KerasLoss):
    """Keras's loss object: ``loss_object(labels, probabilities)`` (or logits with ``from_logits=True``).

    >>> loss_object = SparseCategoricalCrossentropy()
    >>> round(loss_object([0], [[0.9, 0.1]]).item(), 4)
    0.1054
    """

    def forward(self, y_true: Any, y_pred: Any) -> Tensor:
        return L.sparse_categorical_crossentropy(y_pred, y_true, self.from_logits, self.reduction)


class CategoricalCrossentropy(_KerasLoss):
    """Keras's loss object for one-hot targets: ``loss_object(one_hot, probabilities)``."""

    def forward(self, y_true: Any, y_pred: Any) -> Tensor:
        return L.categorical_crossentropy(y_pred, y_true, self.from_logits, self.reduction)


class BinaryCrossentropy(_KerasLoss):
    """Keras's loss object for 0/1 targets: ``loss_object(targets, probabilities)``."""

    def forward(self, y_true: Any, y_pred: Any) -> Tensor:
        return L.binary_crossentropy(y_pred, y_true, self.from_logits, self.reduction)


class MeanSquaredError(_Loss):
    """Keras's loss object: mean((y_pred - y_true)²)."""

    def forward(self, y_true: Any, y_pred: Any) -> Tensor:
        return L.mse_loss(y_pred, y_true, self.reduction)


class MeanAbsoluteError(_Loss):
    """Keras's loss object: mean(|y_pred - y_true|)."""

    def forward(self, y_true: Any, y_pred: Any) -> Tensor:
        return L.l1_loss(y_pred, y_true, self.reduction)


_KERAS_NAMES: dict[str, type[_Loss]] = {
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "binary_crossentropy": BinaryCrossentropy,
    "mean_squared_error": MeanSquaredError, "mse": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError, "mae": MeanAbsoluteError,
}


def get(identifier: str | Module | Any) -> Any:
    """The loss object Keras's ``compile(loss=...)`` means by a name; objects and callables pass through.

    Like Keras's, the result is called ``loss(y_true, y_pred)``.

    >>> get("sparse_categorical_crossentropy")
    SparseCategoricalCrossentropy()
    """
    if callable(identifier):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in _KERAS_NAMES:
        return _KERAS_NAMES[identifier.lower()]()
    raise ValueError(f"unknown loss {identifier!r}; use one of {', '.join(sorted(_KERAS_NAMES))}, "
                     f"or pass a loss object or function")
