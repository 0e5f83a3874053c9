"""Adam and AdamW: steps scaled by running estimates of the gradient's first and second moments."""
from __future__ import annotations

import math
from typing import Any, Iterable

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer, check_non_negative

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    """m ← β₁m + (1-β₁)g;  v ← β₂v + (1-β₂)g²;  p ← p - lr·m̂ / (√v̂ + ε), with m̂ = m/(1-β₁ᵗ), v̂ = v/(1-β₂ᵗ).

    PyTorch's rule and defaults (lr 1e-3, betas (0.9, 0.999), eps 1e-8);
    ``weight_decay`` adds ``weight_decay·p`` to the gradient (L2), ``amsgrad``
    uses the largest v so far.

    Keras's Adam (``ag.optim.get("adam")``) has epsilon 1e-7 and adds it to
    √v before bias correction, which equals this rule with ε·√(1-β₂ᵗ) in place
    of ε; the two differ only where √v̂ is as small as ε.

    >>> from autograd_lite import nn
    >>> model = nn.Linear(2, 1, seed=0)
    >>> opt = Adam(model.parameters(), lr=1e-3)
    """

    decoupled_weight_decay = False

    def __init__(self, params: Iterable[Any] | None = None, lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0.0,
                 amsgrad: bool = False) -> None:
        name = type(self).__name__
        check_non_negative(name, lr=lr, eps=eps, weight_decay=weight_decay)
        if len(betas) != 2 or not all(0.0 <= b < 1.0 for b in betas):
            raise ValueError(f"{name}: betas must be two numbers in [0, 1), got {betas}")
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, amsgrad=amsgrad))

    def _update(self, p: Tensor, g: np.ndarray, group: dict[str, Any]) -> None:
        lr, (beta1, beta2), wd, tmp = group["lr"], group["betas"], group["weight_decay"], self._scratch_for(p)
        if wd and self.decoupled_weight_decay:
            p.data *= 1 - lr * wd
        elif wd:
            g = g + wd * p.data
        state = self._state(p)
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(p.data)
            state["exp_avg_sq"] = np.zeros_like(p.data)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = np.zeros_like(p.data)
        state["step"] += 1
        step, m, v = state["step"], state["exp_avg"], state["exp_avg_sq"]
        m *= beta1
        np.multiply(g, 1 - beta1, out=tmp)
        m += tmp
        v *= beta2
        np.multiply(g, g, out=tmp)
        tmp *= 1 - beta2
        v += tmp
        if group["amsgrad"]:
            v = np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
        np.sqrt(v, out=tmp)
        tmp *= 1.0 / math.sqrt(1 - beta2 ** step)
        tmp += group["eps"]
        np.divide(m, tmp, out=tmp)
        tmp *= lr / (1 - beta1 ** step)
        p.data -= tmp


class AdamW(Adam):
    """Adam with decoupled weight decay: p ← p·(1 - lr·weight_decay) before the Adam step (Loshchilov & Hutter).

    PyTorch's default weight_decay 0.01; Keras's ``AdamW`` (``ag.optim.get("adamw")``) uses 0.004 and epsilon 1e-7.
    """

    decoupled_weight_decay = True

    def __init__(self, params: Iterable[Any] | None = None, lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, weight_decay: float = 1e-2,
                 amsgrad: bool = False) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)
