"""Layers: Linear (PyTorch), Dense (Keras), Dropout, Flatten."""
from __future__ import annotations

import math
from typing import Any, Callable, Mapping

import numpy as np

from ..engine import ShapeError
from ..ops.linalg import LinearOp
from ..tensor import Tensor, as_tensor
from . import activations, init
from .module import Module, Parameter, UninitializedParameter
from ..checks import check_count

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
        self.in_features, self.out_features = check_count(in_features, "in_features"), check_count(out_features, "out_features")
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
    given, as ``keras.layers.Dense(512, activation="relu")`` does. Until then
    (``built`` is False) its weight and bias are placeholders
    (:class:`UninitializedParameter`, as PyTorch's ``LazyLinear`` has), which
    the first call fills in place: an optimizer made before that call updates
    them. Loading a state dict builds the layer from the saved weight's shape.

    ``activation``: ``None``/``"linear"``, a name (``"relu"``, ``"sigmoid"``,
    ``"softmax"``, ``"tanh"``, ...) or any callable on tensors.

    The weight is stored as in :class:`Linear`, ``(units, in_features)``: Keras's
    kernel is its transpose. One layout lets Dense and Linear checkpoints be
    exchanged, and matches the transposed ``W_h``/``W_o`` arrays seed program 000 saves.
    ``kernel`` and ``get_weights()`` give Keras's layout, ``(in_features, units)``.

    >>> layer = Dense(4, activation="relu", seed=0)
    >>> layer(np.ones((2, 3), dtype=np.float32)).shape, layer.weight.shape
    ((2, 4), (4, 3))
    """

    def __init__(self, units: int, activation: str | Callable[[Tensor], Tensor] | None = None,
                 input_dim: int | None = None, seed: init.Seed = None, *, use_bias: bool = True) -> None:
        self.units = self.out_features = check_count(units, "units")
        self.in_features = None if input_dim is None else check_count(input_dim, "input_dim")
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.weight: Parameter = UninitializedParameter()
        self.bias: Parameter | None = UninitializedParameter() if use_bias else None
        self._rng = init.as_generator(seed)
        if input_dim is not None:
            self.build(input_dim)

    @property
    def built(self) -> bool:
        return not isinstance(self.weight, UninitializedParameter)

    def build(self, in_features: int) -> None:
        """Fill the weight for inputs with ``in_features`` columns, in place (done by the first call)."""
        if self.built:
            raise RuntimeError(f"Dense: already built, for inputs of {self.in_features} features")
        self.in_features = check_count(in_features, "in_features")
        self.weight.materialize(init.glorot_uniform((self.units, in_features), seed=self._rng))
        if self.bias is not None:
            self.bias.materialize(init.zeros((self.units,)))

    def _lazy_shapes(self, prefix: str, state_dict: Mapping[str, Any]) -> dict[str, tuple[int, ...]]:
        in_features = self._saved_in_features(prefix, state_dict)
        if self.built or in_features is None:
            return {}
        shapes = {prefix + "weight": (self.units, in_features)}
        if self.bias is not None:
            shapes[prefix + "bias"] = (self.units,)
        return shapes

    def _materialize(self, prefix: str, state_dict: Mapping[str, Any]) -> None:
        in_features = self._saved_in_features(prefix, state_dict)
        if not self.built and in_features is not None:
            self.build(in_features)

    def _saved_in_features(self, prefix: str, state_dict: Mapping[str, Any]) -> int | None:
        weight = state_dict.get(prefix + "weight")
        shape = np.shape(getattr(weight, "data", weight))
        return shape[1] if len(shape) == 2 and shape[0] == self.units and shape[1] > 0 else None

    @property
    def kernel(self) -> np.ndarray:
        """The weight in Keras's layout, ``(in_features, units)``: a transposed view of ``weight``."""
        self._check_built("kernel")
        return self.weight.data.T

    def get_weights(self) -> list[np.ndarray]:
        """Keras's ``[kernel, bias]`` (copies), the kernel as ``(in_features, units)``.

        >>> layer = Dense(3, input_dim=2, seed=0)
        >>> [w.shape for w in layer.get_weights()]
        [(2, 3), (3,)]
        """
        self._check_built("get_weights")
        return [self.kernel.copy()] + ([self.bias.data.copy()] if self.bias is not None else [])

    def set_weights(self, weights: list[Any]) -> None:
        """Set ``[kernel, bias]`` given in Keras's layout (building the layer from the kernel's shape if needed)."""
        expected = 2 if self.bias is not None else 1
        if len(weights) != expected:
            raise ValueError(f"Dense.set_weights: expected {expected} arrays ([kernel{', bias' if expected == 2 else ''}]), "
                             f"got {len(weights)}")
        kernel = np.asarray(weights[0])
        state = {"weight": kernel.T, **({"bias": np.asarray(weights[1])} if expected == 2 else {})}
        if kernel.ndim != 2 or kernel.shape[1] != self.units:
            raise ShapeError(f"Dense.set_weights: the kernel must have shape (in_features, {self.units}), "
                             f"got {kernel.shape}")
        self.load_state_dict(state)

    def _check_built(self, what: str) -> None:
        if not self.built:
            raise RuntimeError(f"Dense.{what}: the layer is not built yet (call it once on a batch, or give input_dim=)")

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


