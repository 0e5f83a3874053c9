"""Sorting and order statistics: sort, argsort, topk, median, and max/min along a dim.

Each is one op with two results (:class:`~autograd_lite.engine.MultiOutputOp`): the values,
picked out of the input along an axis, and the indices they came from (an integer tensor
without history). The gradient of the values goes back to the places they came from.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..engine import MultiOutputOp, no_grad, raw
from .indexing import IndexAdd
from .reductions import ValuesIndices, normalize_axes
from .registry import Samples, register_function


class PickAlong(MultiOutputOp, vjp=True, saves=(), derivatives=("g put back where each value was picked from",)):
    """values, indices = x picked along ``axis`` at indices chosen from x itself.

    ∂L/∂x = g put back where each value was picked from (0 elsewhere). A subclass says how the
    indices are chosen (:meth:`choose`, keeping the axis) and names the op.
    """
    __slots__ = ("axis", "keepdim")

    def __init__(self, axis: int, keepdim: bool = True) -> None:
        self.axis, self.keepdim = axis, keepdim

    def choose(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def label(self) -> str:
        return f"{self.name}(dim={self.axis})"

    def forward(self, x):
        if np.ndim(x) == 0:  # a single number is its own pick, at index 0
            return np.array(x, copy=True), np.zeros((), dtype=np.int64)
        indices = self.choose(x)
        values = np.take_along_axis(x, indices, self.axis)
        if not self.keepdim:
            return np.squeeze(values, self.axis), np.squeeze(indices, self.axis)
        return values, indices

    def backward(self, gs, ys, x):
        g, indices = gs[0], ys[1]
        if np.ndim(raw(x)) == 0:
            return (g,)
        if not self.keepdim:
            indices = np.expand_dims(indices, self.axis)
            g = g.reshape(indices.shape)
        grid = list(np.indices(indices.shape, sparse=True))
        grid[self.axis] = indices
        return (IndexAdd(tuple(grid), np.shape(raw(x))).apply(g),)


class SortOp(PickAlong):
    """sort(x) along an axis (or its first k: topk): (values, indices).
    ∂L/∂x = g put back where each value was picked from"""
    __slots__ = ("descending", "k")

    def __init__(self, axis: int, descending: bool = False, k: int | None = None) -> None:
        super().__init__(axis)
        self.descending, self.k = descending, k

    @property
    def name(self) -> str:  # type: ignore[override]
        return "sort" if self.k is None else "topk"

    def label(self) -> str:
        order = "descending" if self.descending else "ascending"
        return f"sort(dim={self.axis}, {order})" if self.k is None else f"topk(k={self.k}, dim={self.axis})"

    def choose(self, x):
        order = _order(x, self.axis, self.descending)
        return order if self.k is None else np.take(order, np.arange(self.k), axis=self.axis)


class ExtremeAlong(PickAlong):
    """max (or min) along an axis: (values, indices).   ∂L/∂x = g put back where each value was picked from"""
    __slots__ = ("largest",)

    def __init__(self, axis: int, keepdim: bool, largest: bool) -> None:
        super().__init__(axis, keepdim)
        self.largest = largest

    @property
    def name(self) -> str:  # type: ignore[override]
        return "max" if self.largest else "min"

    def choose(self, x):
        find = np.argmax if self.largest else np.argmin
        return find(x, axis=self.axis, keepdims=True)


class MedianOp(PickAlong, name="median"):
    """median along an axis (the lower middle value): (values, indices).
    ∂L/∂x = g put back where each value was picked from"""
    __slots__ = ()

    def choose(self, x):
        n = x.shape[self.axis]
        return np.take(_order(x, self.axis, descending=False), [(n - 1) // 2], axis=self.axis)


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


@register_function(op=SortOp, samples=_ALONG)
def sort(x: Any, dim: int = -1, descending: bool = False, stable: bool = False) -> ValuesIndices:
    """The values along ``dim`` in order, and where each came from: ``(values, indices)``.

    Always stable (equal values keep their order), so ``stable`` is accepted for PyTorch's sake.

    >>> Tensor([3.0, 1.0, 2.0]).sort()
    ValuesIndices(values=Tensor([1., 2., 3.]), indices=Tensor([1, 2, 0], dtype=int64))
    """
    return ValuesIndices(*SortOp(_axis(x, dim, "sort"), descending)(x))


@register_function(samples=Samples(min_dims=1, settings=({}, {"dim": 0, "descending": True}), differentiable=False))
def argsort(x: Any, dim: int = -1, descending: bool = False, stable: bool = False) -> Any:
    """The indices that sort ``x`` along ``dim`` (an int64 tensor without history).

    >>> Tensor([3.0, 1.0, 2.0]).argsort()
    Tensor([1, 2, 0], dtype=int64)
    """
    with no_grad():  # indices have no gradient: the sort's values are not recorded either
        return sort(x, dim, descending).indices


@register_function(op=SortOp, samples=Samples(min_dims=1, settings=({"k": 1}, {"k": 1, "dim": 0, "largest": False})))
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
    return ValuesIndices(*SortOp(axis, descending=largest, k=k)(x))


@register_function(op=MedianOp, samples=Samples(min_dims=1, settings=({}, {"dim": 0}, {"dim": -1, "keepdim": True})))
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
    axis = _axis(x, dim, "median")
    if np.ndim(data) and data.shape[axis] == 0:
        raise ValueError(f"median: dim {dim} of shape {data.shape} is empty")
    return ValuesIndices(*MedianOp(axis, keepdim)(x))
