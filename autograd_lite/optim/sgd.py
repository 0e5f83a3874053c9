"""Stochastic gradient descent, with optional momentum, Nesterov momentum and weight decay."""
from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer, check_non_negative

__all__ = ["SGD"]


class SGD(Optimizer):
    """p ← p - lr·d, where d is the gradient (plus ``weight_decay``·p), or its momentum buffer.

    With momentum μ: b ← μ·b + (1 - dampening)·d (b = d at the first step),
    then d = b, or d + μ·b with ``nesterov=True``. PyTorch's defaults; Keras's
    ``SGD`` (``ag.optim.get("sgd")``) has lr 0.01 and the same update for a fixed
    learning rate (Keras keeps -lr·b in its velocity instead of b).

    >>> from autograd_lite import nn
    >>> model = nn.Linear(2, 1, seed=0)
    >>> opt = SGD(model.parameters(), lr=0.1, momentum=0.9)
    """

    def __init__(self, params: Iterable[Any] | None = None, lr: float = 1e-3, momentum: float = 0.0,
                 dampening: float = 0.0, weight_decay: float = 0.0, nesterov: bool = False) -> None:
        check_non_negative("SGD", lr=lr, momentum=momentum, weight_decay=weight_decay)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("SGD: Nesterov momentum needs momentum > 0 and dampening = 0")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov))

    def _update(self, p: Tensor, g: np.ndarray, group: dict[str, Any]) -> None:
        momentum, tmp = group["momentum"], self._scratch_for(p)
        if group["weight_decay"]:
            np.multiply(p.data, group["weight_decay"], out=tmp)
            tmp += g
            g = tmp
        if momentum:
            state = self._state(p)
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = g.copy()
            else:
                buf *= momentum
                buf += g if group["dampening"] == 0 else (1 - group["dampening"]) * g
            g = g + momentum * buf if group["nesterov"] else buf
        np.multiply(g, group["lr"], out=tmp)
        p.data -= tmp
