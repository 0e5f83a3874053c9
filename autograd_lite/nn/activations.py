"""Activation functions as modules, and the names Keras layers accept for them.

>>> from autograd_lite import nn
>>> nn.Sequential(nn.Linear(2, 3, seed=0), nn.ReLU())[1]     # PyTorch style: a module
ReLU()
>>> nn.Dense(3, activation="relu").activation.__name__      # Keras style: a name picks a function
'relu'
"""
from __future__ import annotations

import inspect
from typing import Any, Callable

from .. import functional as F
from ..ops import registry
from ..tensor import Tensor, as_tensor
from .module import Module

__all__ = ["Identity"]  # and, below, a module per activation


class Identity(Module):
    """Returns its input (Keras's ``activation="linear"``)."""

    def forward(self, x: Any) -> Tensor:
        return as_tensor(x)


class _Activation(Module):
    """A module for an activation function declared in ``ops.registry``: its settings are the
    function's parameters after the tensor (``LeakyReLU(negative_slope=0.2)``), with their defaults."""
    _function: Callable[..., Tensor]
    _settings: tuple[inspect.Parameter, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        signature = inspect.Signature([p.replace(annotation=inspect.Parameter.empty) for p in self._settings])
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError as error:
            raise TypeError(f"{type(self).__name__}: {error}; it takes {signature}") from None
        bound.apply_defaults()
        for name, value in bound.arguments.items():
            setattr(self, name, value)

    def extra_repr(self) -> str:
        return ", ".join(f"{p.name}={getattr(self, p.name)!r}" for p in self._settings
                         if getattr(self, p.name) is not None)

    def forward(self, x: Any) -> Tensor:
        return self._function(as_tensor(x), **{p.name: getattr(self, p.name) for p in self._settings})


def _module_for(entry: registry.Entry) -> type[Module]:
    """``nn.GELU`` for ``gelu``: a module class whose forward calls the declared function."""
    summary = (entry.function.__doc__ or entry.name).strip().splitlines()[0]
    cls = type(entry.module, (_Activation,), {
        "__doc__": f"The module form of :func:`autograd_lite.functional.{entry.name}`: {summary}",
        "__module__": __name__, "__qualname__": entry.module,
        "_function": staticmethod(entry.function), "_settings": tuple(registry.settings_of(entry.function)),
    })
    return cls


# Keras layers take names and store functions (keras.activations.get); MLP builds modules from names.
_FUNCTIONS: dict[str, Callable[..., Tensor] | None] = {"linear": None}
_MODULES: dict[str, type[Module]] = {"linear": Identity}
_KERAS_NAMES = {"silu": "swish", "hardsigmoid": "hard_sigmoid"}  # Keras's names for two of them


def _add(entry: registry.Entry) -> None:
    if entry.module:
        cls = globals()[entry.module] = _module_for(entry)
        __all__.append(entry.module)
        for name in (entry.name, _KERAS_NAMES.get(entry.name)):
            if name:
                _FUNCTIONS[name], _MODULES[name] = getattr(F, entry.name), cls


def _remove(entry: registry.Entry) -> None:
    if entry.module:
        globals().pop(entry.module, None)
        __all__.remove(entry.module)
        for name in (entry.name, _KERAS_NAMES.get(entry.name)):
            _FUNCTIONS.pop(name, None)
            _MODULES.pop(name, None)


registry.on_declare(_add, _remove)  # ReLU, Sigmoid, Tanh, GELU, ...: one module per activation declared in ops


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
