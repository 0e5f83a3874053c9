"""Layers: Linear (PyTorch), Dense (Keras), Dropout, Flatten."""
from __future__ import annotations

import math
from typing import Any, Callable, Mapping

import numpy as np

from ..engine import ShapeError
from ..ops.linalg import Linear as LinearOp
from ..tensor import Tensor, as_tensor
from . import activations, init
from .module import Module, Parameter

__all__ = ["Linear", "Dense", "Dropout", "Flatten"]


class Linear(Module):
    """y = x @ weightᵀ + bias, with ``weight`` of shape ``(out_features, in_features)`` as in PyTorch.

    Initialised as PyTorch does: weight and bias uniform in ±1/√in_features
    (what ``kaiming_uniform_(a=√5)`` comes to). Inputs that are not Tensors
    are converted to the weight's dtype (float32), as Keras does.

    >>> layer = Linear(2, 3, seed=0)
    >>> layer(np.ones((4, 2), dtype=np.float32)).shape
    (4, 3)
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, seed: init.Seed = None) -> None:
        self.in_features, self.out_features = _positive(in_features, "in_features"), _positive(out_features, "out_features")
        rng = init.as_generator(seed)
        bound = 1.0 / math.sqrt(in_features)
        self.weight = Parameter(init.uniform((out_features, in_features), -bound, bound, rng))
        self.bias = Parameter(init.uniform((out_features,), -bound, bound, rng)) if bias else None

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"

    def forward(self, x: Any) -> Tensor:
        # Plain arrays (uint8 pixels, float64 data) take the weight's dtype, as Keras converts its inputs.
        x = x if isinstance(x, Tensor) else Tensor(np.asarray(x, dtype=self.weight.dtype))
        if x.ndim == 0 or x.shape[-1] != self.in_features:
            raise ShapeError(f"{type(self).__name__}: input of shape {x.shape} does not fit: its last dimension "
                             f"must be in_features={self.in_features} (weight has shape {self.weight.shape})")
        if self.bias is None:
            return LinearOp()(x, self.weight)
        return LinearOp()(x, self.weight, self.bias)


class Dense(Linear):
    """Keras's Dense layer: ``activation(x @ weightᵀ + bias)`` with Glorot-uniform weights and zero bias.

    The input size is inferred at the first call unless ``input_dim`` is
    given, as ``keras.layers.Dense(512, activation="relu")`` does; until then
    the layer has no parameters (``built`` is False), so build it (one call on
    a batch) before handing ``parameters()`` to an optimizer. Loading a state
    dict builds it from the saved weight's shape.

    ``activation``: ``None``/``"linear"``, a name (``"relu"``, ``"sigmoid"``,
    ``"softmax"``, ``"tanh"``, ...) or any callable on tensors.

    The weight is stored as in :class:`Linear`, ``(units, in_features)``: Keras's
    kernel is its transpose. One layout lets Dense and Linear checkpoints be
    exchanged, and matches the transposed ``W_h``/``W_o`` arrays seed program 000 saves.

    >>> layer = Dense(4, activation="relu", seed=0)
    >>> layer(np.ones((2, 3), dtype=np.float32)).shape, layer.weight.shape
    ((2, 4), (4, 3))
    """

    def __init__(self, units: int, activation: str | Callable[[Tensor], Tensor] | None = None,
                 input_dim: int | None = None, seed: init.Seed = None, *, use_bias: bool = True) -> None:
        self.units = self.out_features = _positive(units, "units")
        self.in_features = None if input_dim is None else _positive(input_dim, "input_dim")
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.weight: Parameter | None = None  # set here so that weight comes before bias once built
        self.bias: Parameter | None = None
        self._rng = init.as_generator(seed)
        if input_dim is not None:
            self.build(input_dim)

    @property
    def built(self) -> bool:
        return self.weight is not None

    def build(self, in_features: int) -> None:
        """Create the weight for inputs with ``in_features`` columns (done by the first call)."""
        self.in_features = _positive(in_features, "in_features")
        self.weight = Parameter(init.glorot_uniform((self.units, in_features), seed=self._rng))
        self.bias = Parameter(init.zeros((self.units,))) if self.use_bias else None

    def _materialize(self, prefix: str, state_dict: Mapping[str, Any]) -> None:
        weight = state_dict.get(prefix + "weight")
        shape = np.shape(getattr(weight, "data", weight))
        if not self.built and len(shape) == 2 and shape[0] == self.units:
            self.build(shape[1])

    def extra_repr(self) -> str:
        size = "" if self.built else ", not built"
        return f"units={self.units}, activation={activations.describe(self.activation)}{size}"

    def forward(self, x: Any) -> Tensor:
        if not self.built:
            shape = np.shape(getattr(x, "data", x))
            if not shape:
                raise ShapeError("Dense: input must have at least one dimension, got a scalar")
            self.build(shape[-1])
        y = super().forward(x)
        return y if self.activation is None else self.activation(y)


class Dropout(Module):
    """In training, zero each element with probability ``p`` and scale the rest by 1/(1-p); in eval, do nothing.

    >>> drop = Dropout(0.5, seed=0)
    >>> drop.eval()(np.ones(3)).tolist()
    [1.0, 1.0, 1.0]
    """

    def __init__(self, p: float = 0.5, seed: init.Seed = None) -> None:
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"{type(self).__name__}: p is a probability and must be in [0, 1], got {p}")
        self.p = p
        self._rng = init.as_generator(seed)

    def extra_repr(self) -> str:
        return f"p={self.p}"

    def forward(self, x: Any) -> Tensor:
        x = as_tensor(x)
        if not self.training or self.p == 0.0:
            return x
        if self.p == 1.0:
            return x * 0.0
        keep = self._rng.random(x.shape) >= self.p
        return x * (keep * np.asarray(1.0 / (1.0 - self.p), dtype=x.dtype))


class Flatten(Module):
    """Merge the dimensions from ``start_dim`` to ``end_dim`` (by default all but the batch one, as in both frameworks)."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        self.start_dim, self.end_dim = start_dim, end_dim

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"

    def forward(self, x: Any) -> Tensor:
        return as_tensor(x).flatten(self.start_dim, self.end_dim)


def _positive(n: Any, what: str) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n <= 0:
        raise ValueError(f"{what} must be a positive integer, got {n!r}")
    return int(n)
