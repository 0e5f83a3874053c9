"""RMSprop: divide each step by a running root mean square of the gradients."""
from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer, check_non_negative

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """v ← α·v + (1-α)·g²;  p ← p - lr·g / (√v + ε)   (PyTorch's rule and defaults: lr 0.01, α 0.99, ε 1e-8).

    ``centered=True`` uses v - (running mean of g)² in place of v; ``momentum``
    μ keeps b ← μ·b + g/(√v + ε) and steps by lr·b.

    Keras's RMSprop (``ag.optim.get("rmsprop")``) differs in its defaults (lr
    1e-3, rho 0.9, epsilon 1e-7) and in where ε goes: p ← p - lr·g / √(v + ε).
    ``eps_inside_sqrt=True`` selects that form. It matters where gradients are
    small: for v = 1e-8 the two denominators are 3.3e-4 and 1e-4.

    >>> from autograd_lite import nn
    >>> model = nn.Linear(2, 1, seed=0)
    >>> opt = RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7, eps_inside_sqrt=True)   # Keras's
    """

    def __init__(self, params: Iterable[Any] | None = None, lr: float = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False,
                 *, eps_inside_sqrt: bool = False) -> None:
        check_non_negative("RMSprop", lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum)
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
                                      centered=centered, eps_inside_sqrt=eps_inside_sqrt))

    def _update(self, p: Tensor, g: np.ndarray, group: dict[str, Any]) -> None:
        alpha, eps, tmp = group["alpha"], group["eps"], self._scratch_for(p)
        if group["weight_decay"]:
            g = g + group["weight_decay"] * p.data
        state = self._state(p)
        if not state:
            state["step"] = 0
            state["square_avg"] = np.zeros_like(p.data)
        state["step"] += 1
        square_avg = state["square_avg"]
        square_avg *= alpha
        np.multiply(g, g, out=tmp)
        tmp *= 1 - alpha
        square_avg += tmp
        v = square_avg
        if group["centered"]:
            grad_avg = state.setdefault("grad_avg", np.zeros_like(p.data))
            grad_avg *= alpha
            grad_avg += (1 - alpha) * g
            np.multiply(grad_avg, grad_avg, out=tmp)
            v = np.subtract(square_avg, tmp, out=tmp)
        if group["eps_inside_sqrt"]:
            np.add(v, eps, out=tmp)
            np.sqrt(tmp, out=tmp)
        else:
            np.sqrt(v, out=tmp)
            tmp += eps
        np.divide(g, tmp, out=tmp)
        if group["momentum"]:
            buf = state.setdefault("momentum_buffer", np.zeros_like(p.data))
            buf *= group["momentum"]
            buf += tmp
            np.multiply(buf, group["lr"], out=tmp)
        else:
            tmp *= group["lr"]
        p.data -= tmp
