"""Sorting and order statistics: sort, argsort, topk, median.

The values are picked out of the input by an indexing op, so their gradient
goes to the places they came from; the indices are integer tensors without history.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..engine import raw
from .reductions import ValuesIndices, integer_tensor, normalize_axes, pick_along
from .registry import Samples, register_function

_ALONG = Samples(min_dims=1, settings=({}, {"dim": 0}, {"dim": -1, "descending": True}))


def _axis(x: Any, dim: int, name: str) -> int:
    return normalize_axes(dim, max(np.ndim(raw(x)), 1), name)[0]


def _order(data: np.ndarray, axis: int, descending: bool) -> np.ndarray:
    """Stable order along ``axis``; descending keeps equal values in their original order too."""
    if np.ndim(data) == 0:
        return np.zeros((), dtype=np.int64)
    if descending:  # sort the negation stably (NaN, largest in PyTorch's descending order, comes first)
        keyed = np.where(np.isnan(data), -np.inf, -data) if data.dtype.kind == "f" else -data.astype(np.int64)
        order = np.argsort(keyed, axis=axis, kind="stable")
        if data.dtype.kind == "f":  # NaN first
            nan_first = np.argsort(~np.isnan(np.take_along_axis(data, order, axis)), axis=axis, kind="stable")
            order = np.take_along_axis(order, nan_first, axis)
        return order
    return np.argsort(data, axis=axis, kind="stable")  # NaN last, as PyTorch


@register_function(samples=_ALONG)
def sort(x: Any, dim: int = -1, descending: bool = False, stable: bool = False) -> ValuesIndices:
    """The values along ``dim`` in order, and where each came from: ``(values, indices)``.

    Always stable (equal values keep their order), so ``stable`` is accepted for PyTorch's sake.

    >>> Tensor([3.0, 1.0, 2.0]).sort()
    ValuesIndices(values=Tensor([1., 2., 3.]), indices=Tensor([1, 2, 0], dtype=int64))
    """
    data = raw(x)
    if np.ndim(data) == 0:
        return ValuesIndices(x * 1, integer_tensor(x, np.zeros((), dtype=np.int64)))
    axis = _axis(x, dim, "sort")
    order = _order(data, axis, descending)
    return ValuesIndices(pick_along(x, order, axis), integer_tensor(x, order))


@register_function(samples=Samples(min_dims=1, settings=({}, {"dim": 0, "descending": True}), differentiable=False))
def argsort(x: Any, dim: int = -1, descending: bool = False, stable: bool = False) -> Any:
    """The indices that sort ``x`` along ``dim`` (an int64 tensor without history).

    >>> Tensor([3.0, 1.0, 2.0]).argsort()
    Tensor([1, 2, 0], dtype=int64)
    """
    return sort(x, dim, descending).indices


@register_function(samples=Samples(min_dims=1, settings=({"k": 1}, {"k": 1, "dim": 0, "largest": False})))
def topk(x: Any, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> ValuesIndices:  # noqa: A002
    """The ``k`` largest (or smallest) values along ``dim``, largest first: ``(values, indices)``.

    >>> Tensor([1.0, 5.0, 3.0]).topk(2)
    ValuesIndices(values=Tensor([5., 3.]), indices=Tensor([1, 2], dtype=int64))
    """
    data = raw(x)
    axis = _axis(x, dim, "topk")
    length = data.shape[axis] if np.ndim(data) else 1
    if not 0 <= k <= length:
        raise ValueError(f"topk: k={k} is out of range for dim {dim} of shape {np.shape(data)} (length {length})")
    if np.ndim(data) == 0:
        return sort(x)
    order = np.take(_order(data, axis, descending=largest), np.arange(k), axis=axis)
    return ValuesIndices(pick_along(x, order, axis), integer_tensor(x, order))


@register_function(samples=Samples(min_dims=1, settings=({}, {"dim": 0}, {"dim": -1, "keepdim": True})))
def median(x: Any, dim: int | None = None, keepdim: bool = False) -> Any:
    """The median: the lower of the two middle values for an even count, as PyTorch (not their mean, as numpy).

    Without ``dim``: the value of the flattened tensor; with ``dim``: ``(values, indices)``.
    The gradient goes to the element picked.

    >>> Tensor([4.0, 1.0, 3.0, 2.0]).median()
    Tensor(2.)
    >>> Tensor([[4.0, 1.0, 3.0]]).median(dim=1)
    ValuesIndices(values=Tensor([3.]), indices=Tensor([2], dtype=int64))
    """
    if dim is None:
        flat = x.reshape(-1)
        return median(flat, 0).values
    data = raw(x)
    if np.ndim(data) == 0:
        return ValuesIndices(x * 1, integer_tensor(x, np.zeros((), dtype=np.int64)))
    axis = _axis(x, dim, "median")
    n = data.shape[axis]
    if n == 0:
        raise ValueError(f"median: dim {dim} of shape {data.shape} is empty")
    middle = np.take(_order(data, axis, descending=False), [(n - 1) // 2], axis=axis)
    values = pick_along(x, middle, axis)
    if not keepdim:
        values, middle = values.squeeze(axis), np.squeeze(middle, axis)
    return ValuesIndices(values, integer_tensor(x, middle))
