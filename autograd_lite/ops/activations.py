"""Activation functions and the stable softmax family.

An op class whose function is also an ``nn`` module ends in ``Op`` (``ReLUOp``
records ``relu``; ``nn.ReLU`` is the module), so the two are never confused.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..engine import Op, raw
from ._lib import lib
from .elementwise import Abs, Exp, TanhOp
from .reductions import kept_shape, resolve_axis
from .registry import Samples, elementwise, register, register_function


@register(value=True, draw=True, module="Sigmoid")
class SigmoidOp(Op, name="sigmoid", derivatives=("σ(x)·(1 - σ(x))",), saves=("y",)):
    """sigmoid(x) = σ(x) = 1 / (1 + e⁻ˣ).   ∂/∂x = σ(x)·(1 - σ(x))"""
    __slots__ = ()

    def forward(self, x):
        return lib(x).sigmoid(x)

    def backward(self, g, y, x):
        return (g * (y * (1 - y)),)


@register(value=True, draw=True, module="ReLU", samples=Samples(away=0.1))
class ReLUOp(Op, name="relu", derivatives=("[x > 0]",), saves=("x",)):
    """relu(x) = max(x, 0).   ∂/∂x = [x > 0]  (0 at x = 0, as in PyTorch)"""
    __slots__ = ()

    def forward(self, x):
        if type(x) is float:
            return max(x, 0.0)
        # Against an array of zeros, numpy's maximum runs its vectorized loop; against the scalar 0 it
        # does not: measured 57 against 160 µs on a CNN's (64, 8, 28, 28) float32 activations.
        return np.maximum(x, np.zeros(np.shape(x), dtype=np.result_type(x)))

    def backward(self, g, y, x):
        return (g * (raw(x) > 0),)


class LeakyReLUOp(Op, name="leaky_relu", derivatives=("1 if x > 0 else slope",), saves=("x",)):
    """leaky_relu(x) = x if x > 0 else slope·x.   ∂/∂x = 1 if x > 0 else slope"""
    __slots__ = ("slope",)

    def __init__(self, slope: float = 0.01) -> None:
        self.slope = slope

    def label(self) -> str:
        return f"leaky_relu({self.slope:g})"

    def forward(self, x):
        if type(x) is float:
            return x if x > 0 else self.slope * x
        return np.where(x > 0, x, x * np.asarray(self.slope, dtype=x.dtype))

    def backward(self, g, y, x):
        x = raw(x)
        if type(x) is float:
            return (g * (1.0 if x > 0 else self.slope),)
        return (g * np.where(x > 0, 1, self.slope).astype(np.result_type(raw(g)), copy=False),)


class _AlongAnAxis(Op):
    """An op with one setting, the axis it works along (softmax, log_softmax)."""
    __slots__ = ("axis",)

    def __init__(self, axis: int = -1) -> None:
        self.axis = axis

    def label(self) -> str:
        return f"{self.name}(axis={self.axis})"


class SoftmaxOp(_AlongAnAxis, name="softmax", derivatives=("y·(g - Σ g·y)",), vjp=True, saves=("y",)):
    """softmax(x)ᵢ = yᵢ = e^xᵢ / Σⱼ e^xⱼ along an axis.   ∂L/∂x = y·(g - Σ g·y)  (Σ along the axis)"""
    __slots__ = ()

    def forward(self, x):
        e = np.exp(x - np.max(x, axis=self.axis, keepdims=True))
        return e / np.sum(e, axis=self.axis, keepdims=True)

    def backward(self, g, y, x):
        return (y * (g - (g * y).sum(axis=self.axis, keepdims=True)),)


class LogSoftmaxOp(_AlongAnAxis, name="log_softmax", derivatives=("g - softmax(x)·Σ g",), vjp=True, saves=("y",)):
    """log_softmax(x)ᵢ = xᵢ - log Σⱼ e^xⱼ along an axis.   ∂L/∂x = g - softmax(x)·Σ g  (Σ along the axis)"""
    __slots__ = ()

    def forward(self, x):
        shifted = x - np.max(x, axis=self.axis, keepdims=True)
        return shifted - np.log(np.sum(np.exp(shifted), axis=self.axis, keepdims=True))

    def backward(self, g, y, x):
        return (g - Exp().apply(y) * g.sum(axis=self.axis, keepdims=True),)


class LogSumExp(Op, name="logsumexp", derivatives=("softmax(x)",), saves=("x", "y")):
    """logsumexp(x) = log Σᵢ e^xᵢ over the axes, computed stably.   ∂/∂x = softmax(x)"""
    __slots__ = ("axis", "keepdims")

    def __init__(self, axis=None, keepdims: bool = False) -> None:
        self.axis, self.keepdims = axis, keepdims

    def label(self) -> str:
        return self.name if self.axis is None else f"{self.name}(axis={self.axis})"

    def forward(self, x):
        m = np.max(x, axis=self.axis, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)  # rows of -inf stay -inf instead of nan
        with np.errstate(divide="ignore"):  # log(0) = -inf is the right answer for such a row
            out = np.log(np.sum(np.exp(x - m), axis=self.axis, keepdims=True)) + m
        return out if self.keepdims else np.squeeze(out, axis=self.axis) if self.axis is not None else out.reshape(())

    def backward(self, g, y, x):
        shape = kept_shape(np.shape(raw(x)), self.axis)
        return (g.reshape(shape) * Exp().apply(x - y.reshape(shape)),)


@register_function(op=LeakyReLUOp, value=True, module="LeakyReLU",
                   samples=Samples(away=0.1, settings=({}, {"negative_slope": 0.2}), torch="nn.functional.leaky_relu"))
def leaky_relu(x: Any, negative_slope: float = 0.01) -> Any:
    """x if x > 0 else negative_slope·x (PyTorch's default slope 0.01).

    >>> Tensor([-2.0, 3.0]).leaky_relu(0.1)
    Tensor([-0.2,  3. ])
    """
    return LeakyReLUOp(negative_slope)(x)


def _one_axis(axis: int | None, dim: int | None) -> int:
    """numpy's ``axis=`` or PyTorch's ``dim=``; the last axis when neither is given."""
    axis = resolve_axis(axis, dim)[0]
    return -1 if axis is None else axis


_ALONG_AN_AXIS = Samples(min_dims=1, settings=({"dim": -1}, {"dim": 0}))


@register_function(op=SoftmaxOp, module="Softmax", samples=_ALONG_AN_AXIS)
def softmax(x: Any, dim: int | None = None, *, axis: int | None = None) -> Any:
    """Probabilities along ``dim`` (the last axis by default, as in Keras; PyTorch asks for it).

    >>> Tensor([0.0, 0.0]).softmax()
    Tensor([0.5, 0.5])
    """
    return SoftmaxOp(_one_axis(axis, dim))(x)


@register_function(op=LogSoftmaxOp, module="LogSoftmax", samples=_ALONG_AN_AXIS)
def log_softmax(x: Any, dim: int | None = None, *, axis: int | None = None) -> Any:
    """log(softmax(x)) along ``dim``, computed stably (pair it with ``NLLLoss``).

    >>> Tensor([0.0, 0.0]).log_softmax().exp()
    Tensor([0.5, 0.5])
    """
    return LogSoftmaxOp(_one_axis(axis, dim))(x)


@register_function(op=LogSumExp, samples=Samples(settings=({"dim": -1}, {"dim": 0, "keepdim": True}), min_dims=1))
def logsumexp(x: Any, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
              keepdim: bool | None = None) -> Any:
    """log Σ e^x over the axes (all by default), computed stably.

    >>> Tensor([0.0, 0.0]).logsumexp()
    Tensor(0.6931472)
    """
    return LogSumExp(*resolve_axis(axis, dim, keepdims, keepdim))(x)


# -- the activations of issue 13 --------------------------------------------------------------------------
def _scalar_or_array(out: Any, x: Any) -> Any:
    """numpy's result, as a float again for a Value's float."""
    return float(out) if type(x) is float else out


def _erf(x: np.ndarray) -> np.ndarray:
    """math.erf over an array (numpy has no erf; the extra cost buys float64 exactness)."""
    return np.vectorize(math.erf, otypes=[np.float64])(x).astype(np.result_type(x, np.float32), copy=False)


_SQRT_2, _SQRT_2_OVER_PI, _SQRT_2PI = math.sqrt(2), math.sqrt(2 / math.pi), math.sqrt(2 * math.pi)


class NormalCDF(Op, name="normal_cdf", derivatives=("exp(-x²/2)/√(2π)",), saves=("x",)):
    """Φ(x) = (1 + erf(x/√2))/2, the standard normal distribution function (inside gelu).   ∂/∂x = exp(-x²/2)/√(2π)"""
    __slots__ = ()

    def forward(self, x):
        if type(x) is float:
            return 0.5 * (1 + math.erf(x / _SQRT_2))
        return 0.5 * (1 + _erf(x / _SQRT_2))

    def backward(self, g, y, x):
        return (g * (Exp().apply(-0.5 * (x * x)) / _SQRT_2PI),)


class GELUOp(Op, name="gelu", derivatives=("Φ(x) + x·φ(x)  (tanh form: its derivative)",), saves=("x",)):
    """gelu(x) = x·Φ(x), or with approximate="tanh" x/2·(1 + tanh(√(2/π)(x + 0.044715x³))).
    ∂/∂x = Φ(x) + x·φ(x)  (tanh form: its derivative)"""
    __slots__ = ("approximate",)

    def __init__(self, approximate: str = "none") -> None:
        if approximate not in ("none", "tanh"):
            raise ValueError(f"gelu: approximate must be 'none' or 'tanh'; got {approximate!r}")
        self.approximate = approximate

    def label(self) -> str:
        return "gelu" if self.approximate == "none" else "gelu(tanh)"

    def forward(self, x):
        if self.approximate == "tanh":
            return 0.5 * x * (1 + lib(x).tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)))
        return x * NormalCDF().forward(x)

    def backward(self, g, y, x):
        if self.approximate == "tanh":
            t = TanhOp().apply(_SQRT_2_OVER_PI * (x + 0.044715 * (x * x * x)))
            return (g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * (_SQRT_2_OVER_PI * (1 + 0.134145 * (x * x)))),)
        return (g * (NormalCDF().apply(x) + x * Exp().apply(-0.5 * (x * x)) / _SQRT_2PI),)


@register_function(op=GELUOp, value=True, module="GELU",
                   samples=Samples(settings=({}, {"approximate": "tanh"}), torch="nn.functional.gelu"))
def gelu(x: Any, approximate: str = "none") -> Any:
    """x·Φ(x), Φ the standard normal distribution function; ``approximate="tanh"`` is the tanh form (as PyTorch).

    >>> round(Tensor([1.0]).gelu().item(), 4)
    0.8413
    """
    return GELUOp(approximate)(x)


class ELUOp(Op, name="elu", derivatives=("1 if x > 0 else y + α",), saves=("x", "y")):
    """elu(x) = x if x > 0 else α·(eˣ - 1).   ∂/∂x = 1 if x > 0 else y + α"""
    __slots__ = ("alpha",)

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = alpha

    def label(self) -> str:
        return f"elu({self.alpha:g})"

    def forward(self, x):
        return _scalar_or_array(np.where(x > 0, x, self.alpha * np.expm1(np.minimum(x, 0))), x)

    def backward(self, g, y, x):
        x = raw(x)  # masks, not ~mask: a Value's float gives Python bools, and ~True is -2
        return (g * ((x > 0) + (y + self.alpha) * (x <= 0)),)


@register_function(op=ELUOp, value=True, module="ELU", samples=Samples(
    away=0.1, settings=({}, {"alpha": 0.5}), torch="nn.functional.elu"))
def elu(x: Any, alpha: float = 1.0) -> Any:
    """x if x > 0 else alpha·(eˣ - 1).

    >>> Tensor([-1.0, 2.0]).elu()
    Tensor([-0.63212055,  2.        ])
    """
    return ELUOp(alpha)(x)


class CELUOp(Op, name="celu", derivatives=("1 if x > 0 else e^(x/α)",), saves=("x", "y")):
    """celu(x) = x if x > 0 else α·(e^(x/α) - 1).   ∂/∂x = 1 if x > 0 else e^(x/α)"""
    __slots__ = ("alpha",)

    def __init__(self, alpha: float = 1.0) -> None:
        if alpha == 0:
            raise ValueError("celu: alpha must not be 0 (it divides x)")
        self.alpha = alpha

    def label(self) -> str:
        return f"celu({self.alpha:g})"

    def forward(self, x):
        return _scalar_or_array(np.where(x > 0, x, self.alpha * np.expm1(np.minimum(x, 0) / self.alpha)), x)

    def backward(self, g, y, x):
        x = raw(x)
        return (g * ((x > 0) + (y / self.alpha + 1) * (x <= 0)),)  # e^(x/α) = y/α + 1 where x ≤ 0


@register_function(op=CELUOp, value=True, module="CELU", samples=Samples(
    away=0.1, settings=({}, {"alpha": 0.5}), torch="nn.functional.celu"))
def celu(x: Any, alpha: float = 1.0) -> Any:
    """x if x > 0 else alpha·(e^(x/alpha) - 1).

    >>> Tensor([2.0]).celu(alpha=0.5)
    Tensor([2.])
    """
    return CELUOp(alpha)(x)


class SoftplusOp(Op, name="softplus", derivatives=("σ(β·x)  (1 where β·x > threshold)",), saves=("x",)):
    """softplus(x) = log(1 + e^(β·x))/β, x itself where β·x > threshold.   ∂/∂x = σ(β·x)  (1 where β·x > threshold)"""
    __slots__ = ("beta", "threshold")

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        self.beta, self.threshold = beta, threshold

    def label(self) -> str:
        return "softplus" if (self.beta, self.threshold) == (1.0, 20.0) else f"softplus({self.beta:g}, {self.threshold:g})"

    def forward(self, x):
        bx = x * self.beta
        return _scalar_or_array(np.where(bx > self.threshold, x, np.logaddexp(0, bx) / self.beta), x)

    def backward(self, g, y, x):
        scaled = raw(x) * self.beta
        return (g * (SigmoidOp().apply(x * self.beta) * (scaled <= self.threshold) + (scaled > self.threshold)),)


@register_function(op=SoftplusOp, value=True, module="Softplus", samples=Samples(
    settings=({}, {"beta": 2.0, "threshold": 1.0}), torch="nn.functional.softplus"))
def softplus(x: Any, beta: float = 1.0, threshold: float = 20.0) -> Any:
    """log(1 + e^(beta·x))/beta, a smooth relu; linear where beta·x > threshold (as PyTorch).

    >>> Tensor([0.0]).softplus()
    Tensor([0.6931472])
    """
    return SoftplusOp(beta, threshold)(x)


class HardtanhOp(Op, name="hardtanh", derivatives=("[low < x < high]",), saves=("x",)):
    """hardtanh(x) = x limited to [low, high].   ∂/∂x = [low < x < high]  (0 at the bounds, as in PyTorch)"""
    __slots__ = ("low", "high")

    def __init__(self, low: float = -1.0, high: float = 1.0) -> None:
        if low > high:
            raise ValueError(f"hardtanh: min_val {low} is above max_val {high}")
        self.low, self.high = low, high

    def label(self) -> str:
        return f"hardtanh[{self.low:g}, {self.high:g}]"

    def forward(self, x):
        return _scalar_or_array(np.clip(x, self.low, self.high), x)

    def backward(self, g, y, x):
        x = raw(x)
        return (g * ((self.low < x) & (x < self.high)),)


@register_function(op=HardtanhOp, value=True, module="Hardtanh", samples=Samples(
    away=0.05, settings=({}, {"min_val": -0.5, "max_val": 1.5}), torch="nn.functional.hardtanh"))
def hardtanh(x: Any, min_val: float = -1.0, max_val: float = 1.0) -> Any:
    """x limited to ``[min_val, max_val]``; gradient 0 at and beyond the bounds (as PyTorch).

    >>> Tensor([-3.0, 0.5, 3.0]).hardtanh()
    Tensor([-1. ,  0.5,  1. ])
    """
    return HardtanhOp(min_val, max_val)(x)


@register_function(op=HardtanhOp, value=True, module="ReLU6",
                   samples=Samples(low=-2.0, high=8.0, away=0.05, torch="nn.functional.relu6"))
def relu6(x: Any) -> Any:
    """min(max(x, 0), 6): hardtanh between 0 and 6.

    >>> Tensor([-1.0, 3.0, 9.0]).relu6()
    Tensor([0., 3., 6.])
    """
    return HardtanhOp(0.0, 6.0)(x)


# -- activations without settings: one row each --------------------------------------------------------------
_SELU_ALPHA, _SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


SELUOp = elementwise(
    "selu", lambda x: _SELU_SCALE * np.where(x > 0, x, _SELU_ALPHA * np.expm1(np.minimum(x, 0))),
    lambda x: _SELU_SCALE * (x if x > 0 else _SELU_ALPHA * math.expm1(x)), "λ if x > 0 else y + λ·α",
    lambda x, y: _SELU_SCALE * (raw(x) > 0) + (y + _SELU_SCALE * _SELU_ALPHA) * (raw(x) <= 0), saves=("x", "y"),
    module="SELU", samples=Samples(away=0.1, torch="nn.functional.selu"),
    doc="λ·(x if x > 0 else α·(eˣ - 1)), λ ≈ 1.0507, α ≈ 1.6733")
SiLUOp = elementwise(
    "silu", lambda x: x * lib(x).sigmoid(x), lambda x: x * lib(x).sigmoid(x), "σ(x)·(1 + x·(1 - σ(x)))",
    lambda x, y: _silu_slope(x), saves=("x",), module="SiLU", samples=Samples(torch="nn.functional.silu"),
    doc="x·σ(x), also called swish")
MishOp = elementwise(
    "mish", lambda x: x * np.tanh(np.logaddexp(0, x)), lambda x: x * math.tanh(float(np.logaddexp(0, x))),
    "tanh(softplus(x)) + x·σ(x)·(1 - tanh(softplus(x))²)", lambda x, y: _mish_slope(x), saves=("x",),
    module="Mish", samples=Samples(torch="nn.functional.mish"), doc="x·tanh(softplus(x))")
HardsigmoidOp = elementwise(
    "hardsigmoid", lambda x: np.clip(x / 6 + 0.5, 0, 1), lambda x: min(max(x / 6 + 0.5, 0.0), 1.0),
    "1/6 if -3 < x < 3 else 0", lambda x, y: ((-3 < raw(x)) & (raw(x) < 3)) / 6, saves=("x",),
    module="Hardsigmoid", samples=Samples(low=-4.0, high=4.0, torch="nn.functional.hardsigmoid"),
    doc="relu6(x + 3)/6")
HardswishOp = elementwise(
    "hardswish", lambda x: x * np.clip(x / 6 + 0.5, 0, 1), lambda x: x * min(max(x / 6 + 0.5, 0.0), 1.0),
    "0 if x < -3, 1 if x > 3, else x/3 + 1/2", lambda x, y: _hardswish_slope(x), saves=("x",),
    module="Hardswish", samples=Samples(low=-4.0, high=4.0, torch="nn.functional.hardswish"),
    doc="x·relu6(x + 3)/6")
SoftsignOp = elementwise(
    "softsign", lambda x: x / (1 + np.abs(x)), lambda x: x / (1 + abs(x)), "1/(1 + |x|)²",
    lambda x, y: 1 / ((1 + Abs().apply(x)) ** 2), saves=("x",), module="Softsign",
    samples=Samples(away=0.1, torch="nn.functional.softsign"), doc="x/(1 + |x|)")
LogSigmoidOp = elementwise(
    "logsigmoid", lambda x: -np.logaddexp(0, -x), lambda x: -float(np.logaddexp(0, -x)), "σ(-x)",
    lambda x, y: SigmoidOp().apply(-x), saves=("x",), module="LogSigmoid",
    samples=Samples(torch="nn.functional.logsigmoid"), doc="log σ(x) = -softplus(-x), computed stably")
TanhshrinkOp = elementwise(
    "tanhshrink", lambda x: x - np.tanh(x), lambda x: x - math.tanh(x), "tanh(x)²",
    lambda x, y: TanhOp().apply(x) ** 2, saves=("x",), module="Tanhshrink",
    samples=Samples(torch="nn.functional.tanhshrink"), doc="x - tanh(x)")


def _silu_slope(x: Any) -> Any:
    s = SigmoidOp().apply(x)
    return s * (1 + x * (1 - s))


def _mish_slope(x: Any) -> Any:
    t = TanhOp().apply(SoftplusOp().apply(x))
    return t + x * SigmoidOp().apply(x) * (1 - t * t)


def _hardswish_slope(x: Any) -> Any:
    data = raw(x)
    return (x / 3 + 0.5) * ((-3 < data) & (data < 3)) + (data >= 3)
