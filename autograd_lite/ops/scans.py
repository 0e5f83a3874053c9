"""Scans along one axis: running sums, products, log-sum-exps, maxima and minima."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..engine import Op, raw
from .elementwise import Exp
from .reductions import ValuesIndices, normalize_axes, resolve_axis
from .registry import Samples, register_function
from .sorting import PickAlong

_ALONG = Samples(min_dims=1, settings=({"dim": 0}, {"dim": -1}))


def _scan_axis(x: Any, dim: Any, axis: Any, name: str) -> int:
    dim = resolve_axis(axis, dim)[0]
    if dim is None:
        raise TypeError(f"{name}: give the axis to scan along (dim=)")
    return normalize_axes(dim, _scan_ndim(x), name)[0]


def _scan_ndim(x: Any) -> int:
    return max(np.ndim(raw(x)), 1)  # a 0-d tensor scans along its one element, as in PyTorch


class _Scan(Op):
    __slots__ = ("axis",)

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def label(self) -> str:
        return f"{self.name}(dim={self.axis})"


class CumSum(_Scan, name="cumsum", derivatives=("Σⱼ≥ᵢ gⱼ  (the running sum of g from the end)",), vjp=True,
             saves=()):
    """cumsum(x)ᵢ = Σⱼ≤ᵢ xⱼ along an axis.   ∂L/∂xᵢ = Σⱼ≥ᵢ gⱼ  (the running sum of g from the end)"""
    __slots__ = ("reverse",)

    def __init__(self, axis: int, reverse: bool = False) -> None:
        super().__init__(axis)
        self.reverse = reverse  # summing from the end: the adjoint of summing from the start

    def forward(self, x):
        if np.ndim(x) == 0:
            return np.array(x, copy=True)
        if self.reverse:
            return np.flip(np.cumsum(np.flip(x, self.axis), axis=self.axis), self.axis)
        return np.cumsum(x, axis=self.axis)

    def backward(self, g, y, x):
        return (CumSum(self.axis, not self.reverse).apply(g),)


class CumProd(_Scan, name="cumprod", derivatives=("Σⱼ≥ᵢ gⱼ·yⱼ / xᵢ  (exact at zeros too)",), vjp=True,
              saves=("x", "y")):
    """cumprod(x)ᵢ = Πⱼ≤ᵢ xⱼ along an axis.   ∂L/∂xᵢ = Σⱼ≥ᵢ gⱼ·yⱼ / xᵢ  (exact at zeros too)"""
    __slots__ = ()

    def forward(self, x):
        return np.cumprod(x, axis=self.axis) if np.ndim(x) else np.array(x, copy=True)

    def backward(self, g, y, x):
        data = raw(x)
        if np.all(data != 0):
            return (CumSum(self.axis, reverse=True).apply(g * y) / x,)
        # A zero factor: y/x would be 0/0. The sums of the products without xᵢ, computed directly
        # (a constant: the gradient at a zero factor is not differentiated again).
        g_data, moved = np.moveaxis(raw(g), self.axis, -1), np.moveaxis(data, self.axis, -1)
        out = np.zeros_like(moved)
        n = moved.shape[-1]
        for i in range(n):
            without_i = moved.copy()
            without_i[..., i] = 1
            running = np.cumprod(without_i, axis=-1)
            out[..., i] = np.sum(g_data[..., i:] * running[..., i:], axis=-1)
        return (np.moveaxis(out, -1, self.axis),)


class LogCumSumExp(_Scan, name="logcumsumexp", derivatives=("Σⱼ≥ᵢ gⱼ·e^(xᵢ - yⱼ)",), vjp=True, saves=("x", "y")):
    """logcumsumexp(x)ᵢ = log Σⱼ≤ᵢ e^xⱼ along an axis, computed stably.   ∂L/∂xᵢ = Σⱼ≥ᵢ gⱼ·e^(xᵢ - yⱼ)"""
    __slots__ = ()

    def forward(self, x):
        if np.ndim(x) == 0:
            return np.array(x, copy=True)
        return np.logaddexp.accumulate(x, axis=self.axis)

    def backward(self, g, y, x):
        # e^(xᵢ - yⱼ) = e^(xᵢ - m)·e^(m - yⱼ), m the largest x of the slice: neither factor overflows
        m = np.max(raw(x), axis=self.axis, keepdims=True) if np.ndim(raw(x)) else raw(x)
        return (Exp().apply(x - m) * CumSum(self.axis, reverse=True).apply(g * Exp().apply(m - y)),)


@register_function(op=CumSum, samples=_ALONG)
def cumsum(x: Any, dim: int | None = None, *, axis: int | None = None) -> Any:
    """The running sum along ``dim``.

    >>> Tensor([1.0, 2.0, 3.0]).cumsum(0)
    Tensor([1., 3., 6.])
    """
    return CumSum(_scan_axis(x, dim, axis, "cumsum"))(x)


@register_function(op=CumProd, samples=_ALONG)
def cumprod(x: Any, dim: int | None = None, *, axis: int | None = None) -> Any:
    """The running product along ``dim``.

    >>> Tensor([1.0, 2.0, 3.0]).cumprod(0)
    Tensor([1., 2., 6.])
    """
    return CumProd(_scan_axis(x, dim, axis, "cumprod"))(x)


@register_function(op=LogCumSumExp, samples=_ALONG)
def logcumsumexp(x: Any, dim: int | None = None, *, axis: int | None = None) -> Any:
    """log of the running sum of eˣ along ``dim``, computed stably.

    >>> Tensor([0.0, 0.0]).logcumsumexp(0).exp()
    Tensor([1., 2.])
    """
    return LogCumSumExp(_scan_axis(x, dim, axis, "logcumsumexp"))(x)


class RunningExtreme(PickAlong):
    """cummax (or cummin) along an axis: the best so far, and where it was found: (values, indices).
    ∂L/∂x = g put back where each value was picked from (one place can collect several)"""
    __slots__ = ("largest",)

    def __init__(self, axis: int, largest: bool) -> None:
        super().__init__(axis)
        self.largest = largest

    @property
    def name(self) -> str:  # type: ignore[override]
        return "cummax" if self.largest else "cummin"

    def choose(self, x):
        moved = np.moveaxis(x, self.axis, -1)
        indices = np.zeros(moved.shape, dtype=np.int64)
        best = moved[..., 0]
        for i in range(1, moved.shape[-1]):
            # ties and NaN take the later index, as PyTorch's cummax/cummin do
            later = (moved[..., i] >= best) if self.largest else (moved[..., i] <= best)
            later |= np.isnan(moved[..., i])
            later &= ~np.isnan(best) | np.isnan(moved[..., i])
            indices[..., i] = np.where(later, i, indices[..., i - 1])
            best = np.where(later, moved[..., i], best)
        return np.moveaxis(indices, -1, self.axis)


def _running_extreme(x: Any, dim: Any, axis: Any, largest: bool, name: str) -> ValuesIndices:
    return ValuesIndices(*RunningExtreme(_scan_axis(x, dim, axis, name), largest)(x))


@register_function(op=RunningExtreme, samples=_ALONG)
def cummax(x: Any, dim: int | None = None, *, axis: int | None = None) -> ValuesIndices:
    """The running maximum along ``dim``, and where it was found: ``(values, indices)``.

    >>> Tensor([1.0, 3.0, 2.0]).cummax(0)
    ValuesIndices(values=Tensor([1., 3., 3.]), indices=Tensor([0, 1, 1], dtype=int64))
    """
    return _running_extreme(x, dim, axis, True, "cummax")


@register_function(op=RunningExtreme, samples=_ALONG)
def cummin(x: Any, dim: int | None = None, *, axis: int | None = None) -> ValuesIndices:
    """The running minimum along ``dim``, and where it was found: ``(values, indices)``.

    >>> Tensor([2.0, 1.0, 3.0]).cummin(0)
    ValuesIndices(values=Tensor([2., 1., 1.]), indices=Tensor([0, 1, 1], dtype=int64))
    """
    return _running_extreme(x, dim, axis, False, "cummin")
