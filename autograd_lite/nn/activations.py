"""Activation functions as modules, and the names Keras layers accept for them.

>>> from autograd_lite import nn
>>> nn.Sequential(nn.Linear(2, 3, seed=0), nn.ReLU())[1]     # PyTorch style: a module
ReLU()
>>> nn.Dense(3, activation="relu").activation.__name__      # Keras style: a name picks a function
'relu'
"""
from __future__ import annotations

from typing import Any, Callable

from .. import functional as F
from ..tensor import Tensor, as_tensor
from .module import Module

__all__ = ["Identity", "ReLU", "Sigmoid", "Tanh", "LeakyReLU", "Softmax", "LogSoftmax", "get", "module"]


class Identity(Module):
    """Returns its input (Keras's ``activation="linear"``)."""

    def forward(self, x: Any) -> Tensor:
        return as_tensor(x)


class ReLU(Module):
    """max(x, 0) elementwise."""

    def forward(self, x: Any) -> Tensor:
        return F.relu(x)


class Sigmoid(Module):
    """1 / (1 + e⁻ˣ) elementwise."""

    def forward(self, x: Any) -> Tensor:
        return F.sigmoid(x)


class Tanh(Module):
    def forward(self, x: Any) -> Tensor:
        return F.tanh(x)


class LeakyReLU(Module):
    """x if x > 0 else negative_slope·x (PyTorch's default slope 0.01)."""

    def __init__(self, negative_slope: float = 0.01) -> None:
        self.negative_slope = negative_slope

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"

    def forward(self, x: Any) -> Tensor:
        return F.leaky_relu(x, self.negative_slope)


class Softmax(Module):
    """Probabilities along ``dim`` (the last axis by default, as in Keras; PyTorch asks for it)."""

    def __init__(self, dim: int = -1) -> None:
        self.dim = dim

    def extra_repr(self) -> str:
        return f"dim={self.dim}"

    def forward(self, x: Any) -> Tensor:
        return F.softmax(x, self.dim)


class LogSoftmax(Module):
    """log(softmax(x)) along ``dim``, computed stably (pair it with ``NLLLoss``)."""

    def __init__(self, dim: int = -1) -> None:
        self.dim = dim

    def extra_repr(self) -> str:
        return f"dim={self.dim}"

    def forward(self, x: Any) -> Tensor:
        return F.log_softmax(x, self.dim)


# Keras layers take names and store functions (keras.activations.get); MLP builds modules from names.
_FUNCTIONS: dict[str, Callable[..., Tensor] | None] = {
    "linear": None, "relu": F.relu, "sigmoid": F.sigmoid, "tanh": F.tanh, "softmax": F.softmax,
    "leaky_relu": F.leaky_relu, "log_softmax": F.log_softmax,
}
_MODULES: dict[str, type[Module]] = {
    "linear": Identity, "relu": ReLU, "sigmoid": Sigmoid, "tanh": Tanh, "softmax": Softmax,
    "leaky_relu": LeakyReLU, "log_softmax": LogSoftmax,
}


def _known(name: Any) -> str:
    if isinstance(name, str) and name.lower() in _FUNCTIONS:
        return name.lower()
    raise ValueError(f"unknown activation {name!r}; use one of {', '.join(sorted(_FUNCTIONS))}, "
                     f"a callable, or None")


def get(activation: str | Callable[[Tensor], Tensor] | None) -> Callable[[Tensor], Tensor] | None:
    """The function a Keras layer means by ``activation``: a name, a callable (kept as is) or ``None``.

    >>> get("relu")                    # autograd_lite.functional.relu
    <function relu at ...>
    """
    if activation is None or callable(activation):
        return activation
    return _FUNCTIONS[_known(activation)]


def module(activation: str | type[Module]) -> Module:
    """A new activation module for a name (``"relu"`` gives ``ReLU()``) or a module class."""
    if isinstance(activation, type) and issubclass(activation, Module):
        return activation()
    return _MODULES[_known(activation)]()


def describe(activation: Any) -> str:
    """A short name for an activation, for a layer's repr."""
    if activation is None:
        return "linear"
    if isinstance(activation, Module):
        return type(activation).__name__
    return getattr(activation, "__name__", repr(activation))
