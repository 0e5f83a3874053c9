"""Adagrad: each parameter's steps shrink with the sum of its squared gradients."""
from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer, check_non_negative

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """s ← s + g²;  p ← p - lr_t·g / (√s + ε), with lr_t = lr / (1 + (t-1)·lr_decay).

    PyTorch's rule and defaults (lr 0.01, initial accumulator 0, ε 1e-10).
    Keras's Adagrad (``ag.optim.get("adagrad")``) uses lr 1e-3, an initial
    accumulator of 0.1, ε 1e-7 and puts ε inside the root, √(s + ε):
    ``eps_inside_sqrt=True`` selects that form.

    >>> from autograd_lite import nn
    >>> model = nn.Linear(2, 1, seed=0)
    >>> opt = Adagrad(model.parameters(), lr=0.01)
    """

    def __init__(self, params: Iterable[Any] | None = None, lr: float = 1e-2, lr_decay: float = 0.0,
                 weight_decay: float = 0.0, initial_accumulator_value: float = 0.0, eps: float = 1e-10,
                 *, eps_inside_sqrt: bool = False) -> None:
        check_non_negative("Adagrad", lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                           initial_accumulator_value=initial_accumulator_value, eps=eps)
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value, eps=eps,
                                      eps_inside_sqrt=eps_inside_sqrt))

    def _update(self, p: Tensor, g: np.ndarray, group: dict[str, Any]) -> None:
        tmp = self._scratch_for(p)
        if group["weight_decay"]:
            g = g + group["weight_decay"] * p.data
        state = self._state(p)
        if not state:
            state["step"] = 0
            state["sum"] = np.full_like(p.data, group["initial_accumulator_value"])
        state["step"] += 1
        np.multiply(g, g, out=tmp)
        state["sum"] += tmp
        if group["eps_inside_sqrt"]:
            np.add(state["sum"], group["eps"], out=tmp)
            np.sqrt(tmp, out=tmp)
        else:
            np.sqrt(state["sum"], out=tmp)
            tmp += group["eps"]
        np.divide(g, tmp, out=tmp)
        tmp *= group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        p.data -= tmp
