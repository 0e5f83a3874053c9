"""Keras's optimizer names, with Keras's defaults: what ``compile(optimizer="rmsprop")`` means."""
from __future__ import annotations

from typing import Any, Iterable

from .adagrad import Adagrad
from .adam import Adam, AdamW
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["get"]

# Keras's defaults, in this package's argument names. Where Keras's update
# rule differs from PyTorch's, the flag that selects Keras's is set here too.
_KERAS = {
    "sgd": (SGD, dict(lr=0.01, momentum=0.0, nesterov=False)),
    "rmsprop": (RMSprop, dict(lr=1e-3, alpha=0.9, eps=1e-7, momentum=0.0, centered=False, eps_inside_sqrt=True)),
    "adam": (Adam, dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-7, amsgrad=False)),
    "adamw": (AdamW, dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-7, weight_decay=0.004, amsgrad=False)),
    "adagrad": (Adagrad, dict(lr=1e-3, initial_accumulator_value=0.1, eps=1e-7, eps_inside_sqrt=True)),
}

# Keras's argument names for the same settings.
_RENAME = {"learning_rate": "lr", "epsilon": "eps", "rho": "alpha"}


def get(identifier: str | Optimizer, params: Iterable[Any] | None = None, **overrides: Any) -> Optimizer:
    """The optimizer Keras means by ``identifier``, with Keras's defaults, over ``params``.

    ``overrides`` take this package's names or Keras's (``learning_rate``,
    ``epsilon``, ``rho``, ``beta_1``, ``beta_2``). An optimizer object is returned as it is.
    Remaining difference: Keras's Adam adds epsilon before bias correction (see :class:`Adam`).

    >>> from autograd_lite import nn
    >>> opt = get("rmsprop", nn.Linear(2, 1, seed=0).parameters())
    >>> opt.learning_rate
    0.001
    """
    if isinstance(identifier, Optimizer):
        return identifier
    if not isinstance(identifier, str) or identifier.lower() not in _KERAS:
        raise ValueError(f"unknown optimizer {identifier!r}; use one of {', '.join(sorted(_KERAS))}, "
                         f"or pass an optimizer object")
    cls, settings = _KERAS[identifier.lower()]
    settings = dict(settings)
    betas = list(settings.get("betas", (0.9, 0.999)))
    for key, value in overrides.items():
        if key in ("beta_1", "beta_2") and "betas" in settings:
            betas[key == "beta_2"] = value
            settings["betas"] = tuple(betas)
        else:
            settings[_RENAME.get(key, key)] = value
    try:
        return cls(params, **settings)
    except TypeError as error:
        raise TypeError(f"get({identifier!r}): {error}") from None
