"""Moving numbers around: flip roll repeat tile repeat_interleave tril triu diagonal diag movedim narrow chunk unbind.

Each is written with the engine's shape and indexing ops (``getitem``,
``index_add``, ``reshape``, ``broadcast_to``, ``permute``, ``where``), as
micrograd writes ``a / b`` with ``*`` and ``**``: their derivatives are those
ops' derivatives, already stated and checked once, so none is restated here.
A drawn graph shows, e.g., ``flip`` as ``[::-1]``.

Each is declared once, here (:func:`~.registry.register_function`): its
``Tensor`` method, its ``ag.functional`` function and its gradient and PyTorch
checks come from that declaration. PyTorch's names and argument conventions throughout.
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from ..engine import ArgumentError, ShapeError, raw
from .elementwise import Where
from .indexing import GetItem, IndexAdd
from .reductions import normalize_axes
from .registry import Samples, register_function
from .shape import BroadcastTo, Permute, Split

__all__ = ["flip", "roll", "repeat", "tile", "repeat_interleave", "tril", "triu", "diagonal", "diag",
           "movedim", "narrow", "split", "chunk", "unbind", "select_along", "dims_of"]


def dims_of(dims: Any, ndim: int, fn: str) -> tuple[int, ...]:
    """``dims`` (an int or a sequence, negatives allowed) as non-negative axes, in the order given, no repeats."""
    given = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
    out = tuple(normalize_axes(d, ndim, fn)[0] if ndim else 0 for d in given)
    if len(set(out)) != len(out):
        raise ArgumentError(f"{fn}: dim {given} names an axis twice")
    return out


def select_along(x: Any, dim: int, index: Any) -> Any:
    """``x[:, ..., index]`` with ``index`` (an int, a slice or an index array) at axis ``dim``."""
    return GetItem((slice(None),) * dim + (index,))(x)


def _moves(**samples: Any) -> Samples:
    """The samples of an op that moves numbers: linear, so also checked squared (its backward then meets a
    gradient with history in the second-order check)."""
    return Samples(linear=True, **samples)


@register_function(varargs="dims", samples=_moves(min_dims=2, settings=({"dims": (0,)}, {"dims": (0, -1)})))
def flip(x: Any, dims: Any) -> Any:
    """Reverse the order along ``dims`` (``torch.flip``).

    >>> flip(Tensor([[1.0, 2.0], [3.0, 4.0]]), 1).tolist()
    [[2.0, 1.0], [4.0, 3.0]]
    """
    axes = dims_of(dims, x.ndim, "flip")
    if not axes or x.ndim == 0:
        return GetItem(())(x)
    return GetItem(tuple(slice(None, None, -1) if a in axes else slice(None) for a in range(x.ndim)))(x)


@register_function(samples=_moves(min_dims=2, settings=(
    {"shifts": 1, "dims": 0}, {"shifts": -2}, {"shifts": (1, -4), "dims": (0, 1)})))
def roll(x: Any, shifts: int | Sequence[int], dims: int | Sequence[int] | None = None) -> Any:
    """Shift along ``dims`` with wrap-around (``torch.roll``); no ``dims``: roll the flattened tensor.

    >>> roll(Tensor([1.0, 2.0, 3.0]), 1).tolist()
    [3.0, 1.0, 2.0]
    """
    if dims is None:
        if not isinstance(shifts, (int, np.integer)):
            raise ArgumentError(f"roll: without dims, shifts must be one int, got {shifts!r}")
        return roll(x.reshape(-1), shifts, 0).reshape(x.shape)
    shifts_t = (shifts,) if isinstance(shifts, (int, np.integer)) else tuple(shifts)
    axes = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
    if len(shifts_t) != len(axes):
        raise ArgumentError(f"roll: {len(shifts_t)} shifts for {len(axes)} dims ({shifts!r}, {dims!r})")
    out = x
    for shift, axis in zip(shifts_t, axes):
        a = normalize_axes(axis, x.ndim, "roll")[0]
        n = x.shape[a]
        out = select_along(out, a, (np.arange(n) - int(shift)) % n) if n else out
    return out


# A method only: PyTorch has no function torch.repeat.
@register_function(varargs="repeats", functional=False, samples=_moves(
    settings=({"repeats": (2, 1, 1)}, {"repeats": (2, 1, 3, 3, 3)}), torch="Tensor.repeat"))
def repeat(x: Any, repeats: Any) -> Any:
    """Tile ``x`` ``repeats[i]`` times along axis i (``torch.Tensor.repeat``; numpy's ``tile``).

    Leading extra counts add new axes. Done as a reshape to (1, n) pairs, a
    broadcast to (r, n), and a reshape to r·n: the gradient sums the copies.

    >>> Tensor([1.0, 2.0]).repeat(2, 2).tolist()
    [[1.0, 2.0, 1.0, 2.0], [1.0, 2.0, 1.0, 2.0]]
    """
    sizes = (repeats,) if isinstance(repeats, (int, np.integer)) else tuple(repeats)
    if len(sizes) < x.ndim:
        raise ShapeError(f"repeat: {len(sizes)} repeat counts {sizes} for a tensor of shape {x.shape}; "
                         f"give at least one per dimension")
    if any(int(r) < 0 for r in sizes):
        raise ArgumentError(f"repeat: counts must be >= 0, got {sizes}")
    shape = (1,) * (len(sizes) - x.ndim) + tuple(x.shape)
    paired = tuple(n for side in shape for n in (1, side))
    spread = tuple(n for r, side in zip(sizes, shape) for n in (int(r), side))
    return BroadcastTo(spread)(x.reshape(paired)).reshape(tuple(int(r) * side for r, side in zip(sizes, shape)))


@register_function(varargs="dims", samples=_moves(settings=({"dims": (2,)}, {"dims": (2, 1, 1, 2)})))
def tile(x: Any, dims: Sequence[int]) -> Any:
    """``torch.tile``: :func:`repeat`, with missing leading counts taken as 1."""
    dims = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
    return repeat(x, (1,) * (x.ndim - len(dims)) + dims)


@register_function(samples=_moves(min_dims=1, settings=({"repeats": 2, "dim": 0}, {"repeats": 3})))
def repeat_interleave(x: Any, repeats: Any, dim: int | None = None) -> Any:
    """Repeat each element ``repeats`` times along ``dim`` (``torch.repeat_interleave``); no ``dim``: flattened.

    >>> repeat_interleave(Tensor([1.0, 2.0]), 2).tolist()
    [1.0, 1.0, 2.0, 2.0]
    """
    if dim is None:
        x, dim = x.reshape(-1), 0
    axis = normalize_axes(dim, x.ndim, "repeat_interleave")[0]
    counts = np.asarray(raw(repeats))
    if counts.dtype.kind not in "iu" or counts.ndim > 1:
        raise ArgumentError(f"repeat_interleave: repeats must be an int or a 1-D array of ints, got {repeats!r}")
    if np.any(counts < 0):
        raise ArgumentError("repeat_interleave: repeats must be >= 0")
    n = x.shape[axis]
    if counts.ndim == 1 and counts.size != n:
        raise ShapeError(f"repeat_interleave: {counts.size} repeat counts for dimension {axis} of length {n}")
    return select_along(x, axis, np.repeat(np.arange(n), counts))


def _triangle(x: Any, diagonal: int, lower: bool, fn: str) -> Any:
    if x.ndim < 2:
        raise ShapeError(f"{fn}: needs a tensor with at least 2 dimensions, got shape {x.shape}")
    rows, cols = x.shape[-2:]
    keep = np.tri(rows, cols, int(diagonal), dtype=bool) if lower else ~np.tri(rows, cols, int(diagonal) - 1, dtype=bool)
    return Where(keep)(x, 0)  # where, not a product with the mask: inf outside the band gives 0, not nan


@register_function(samples=_moves(min_dims=2, settings=({}, {"diagonal": 1})))
def tril(x: Any, diagonal: int = 0) -> Any:
    """The lower triangle of the last two axes, the rest 0 (``torch.tril``).

    >>> tril(Tensor([[1.0, 2.0], [3.0, 4.0]])).tolist()
    [[1.0, 0.0], [3.0, 4.0]]
    """
    return _triangle(x, diagonal, True, "tril")


@register_function(samples=_moves(min_dims=2, settings=({}, {"diagonal": -1})))
def triu(x: Any, diagonal: int = 0) -> Any:
    """The upper triangle of the last two axes, the rest 0 (``torch.triu``)."""
    return _triangle(x, diagonal, False, "triu")


@register_function(aliases=("moveaxis",), samples=_moves(min_dims=2, settings=(
    {"source": 0, "destination": -1}, {"source": (0, 1), "destination": (-1, 0)})))
def movedim(x: Any, source: int | Sequence[int], destination: int | Sequence[int]) -> Any:
    """Move axes ``source`` to positions ``destination``, the others keeping their order (``torch.movedim``).

    >>> movedim(Tensor(np.zeros((2, 3, 4))), 0, -1).shape
    (3, 4, 2)
    """
    src, dst = dims_of(source, x.ndim, "movedim"), dims_of(destination, x.ndim, "movedim")
    if len(src) != len(dst):
        raise ArgumentError(f"movedim: {len(src)} source dims {source!r} but {len(dst)} destinations {destination!r}")
    order: list[int | None] = [None] * x.ndim
    for s, d in zip(src, dst):
        order[d] = s
    rest = iter(a for a in range(x.ndim) if a not in src)
    return Permute(tuple(a if a is not None else next(rest) for a in order))(x)


@register_function(samples=_moves(min_dims=2, settings=({}, {"offset": 1, "dim1": 1, "dim2": 0},
                                                      {"offset": -1, "dim1": -1, "dim2": 0})))
def diagonal(x: Any, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Any:
    """The diagonal of the planes ``(dim1, dim2)``, as a new last axis (``torch.diagonal``).

    >>> diagonal(Tensor([[1.0, 2.0], [3.0, 4.0]])).tolist()
    [1.0, 4.0]
    """
    return _diagonal(x, offset, dim1, dim2)


def _diagonal(x: Any, offset: int, dim1: int, dim2: int) -> Any:
    if x.ndim < 2:
        raise ShapeError(f"diagonal: needs a tensor with at least 2 dimensions, got shape {x.shape}")
    a, b = dims_of((dim1, dim2), x.ndim, "diagonal")
    moved = movedim(x, (a, b), (-2, -1))
    rows, cols = moved.shape[-2:]
    start_row, start_col = max(-offset, 0), max(offset, 0)
    length = max(min(rows - start_row, cols - start_col), 0)
    steps = np.arange(length)
    return GetItem((Ellipsis, start_row + steps, start_col + steps))(moved)


@register_function(samples=_moves(min_dims=1, max_dims=2, settings=({}, {"diagonal": 1}, {"diagonal": -1})))
def diag(x: Any, diagonal: int = 0) -> Any:
    """A 1-D ``x`` as the given diagonal of a square matrix; of a 2-D ``x``, that diagonal (``torch.diag``).

    >>> diag(Tensor([1.0, 2.0])).tolist()
    [[1.0, 0.0], [0.0, 2.0]]
    """
    if x.ndim == 2:
        return _diagonal(x, diagonal, 0, 1)
    if x.ndim != 1:
        raise ShapeError(f"diag: needs a 1-D or 2-D tensor, got shape {x.shape}")
    n = x.shape[0] + abs(int(diagonal))
    steps = np.arange(x.shape[0])
    rows, cols = steps + max(-diagonal, 0), steps + max(diagonal, 0)
    return IndexAdd((rows, cols), (n, n))(x)


@register_function(samples=_moves(min_dims=1, settings=(
    {"dim": 0, "start": 0, "length": 1}, {"dim": -1, "start": -1, "length": 1})))
def narrow(x: Any, dim: int, start: int, length: int) -> Any:
    """``length`` entries from ``start`` along ``dim`` (``torch.narrow``)."""
    axis = normalize_axes(dim, x.ndim, "narrow")[0]
    size = x.shape[axis]
    begin = start + size if start < 0 else start
    if not 0 <= begin <= size or length < 0 or begin + length > size:
        raise ShapeError(f"narrow: start {start} and length {length} do not fit dimension {axis} of length {size} "
                         f"(shape {x.shape})")
    return select_along(x, axis, slice(begin, begin + length))


@register_function(op=Split, samples=_moves(min_dims=1, settings=({"chunks": 2, "dim": -1}, {"chunks": 3})))
def chunk(x: Any, chunks: int, dim: int = 0) -> tuple[Any, ...]:
    """Cut into ``chunks`` pieces of ``ceil(n / chunks)`` along ``dim`` (the last smaller; maybe fewer pieces),
    as ``torch.chunk``.

    >>> [c.tolist() for c in chunk(Tensor([1.0, 2.0, 3.0]), 2)]
    [[1.0, 2.0], [3.0]]
    """
    if isinstance(chunks, bool) or not isinstance(chunks, (int, np.integer)) or chunks < 1:
        raise ArgumentError(f"chunk: chunks must be a positive int, got {chunks!r}")
    axis = normalize_axes(dim, x.ndim, "chunk")[0]
    size = x.shape[axis]
    step = max(math.ceil(size / chunks), 1)
    if size == 0:
        return (x,)
    return Split([min(step, size - s) for s in range(0, size, step)], axis)(x)


@register_function(op=Split, samples=_moves(min_dims=1, settings=(
    {"split_size_or_sections": 2, "dim": -1}, {"split_size_or_sections": 1})))
def split(x: Any, split_size_or_sections: int | Sequence[int], dim: int = 0, *,
          axis: int | None = None) -> tuple[Any, ...]:
    """Cut along ``dim`` into pieces of a given size (an int: the last may be smaller) or of the given
    sizes (a list adding up to the axis's length), as ``torch.split``: one op with several results.
    ``axis`` is numpy's name for ``dim``.

    >>> [p.tolist() for p in split(Tensor([1.0, 2.0, 3.0]), 2)]
    [[1.0, 2.0], [3.0]]
    """
    if axis is not None:
        dim = axis
    if x.ndim == 0:
        raise ShapeError("split: cannot split a 0-d tensor")
    axis = normalize_axes(dim, x.ndim, "split")[0]
    length = x.shape[axis]
    if isinstance(split_size_or_sections, (int, np.integer)) and not isinstance(split_size_or_sections, bool):
        size = int(split_size_or_sections)
        if size <= 0:
            raise ArgumentError(f"split: size must be positive, got {size}")
        sizes = [size] * (length // size) + ([length % size] if length % size else [])
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if any(s < 0 for s in sizes):
            raise ArgumentError(f"split: sizes must not be negative, got {sizes}")
        if sum(sizes) != length:
            raise ShapeError(f"split: sizes {sizes} add up to {sum(sizes)}, but dim {axis} of "
                             f"shape {x.shape} has length {length}")
    return Split(sizes, axis)(x) if sizes else (x,)


@register_function(op=Split, samples=_moves(min_dims=1, settings=({}, {"dim": -1})))
def unbind(x: Any, dim: int = 0) -> tuple[Any, ...]:
    """The slices along ``dim``, each without that axis (``torch.unbind``)."""
    if x.ndim == 0:
        raise ShapeError("unbind: a 0-d tensor has no dimension to unbind")
    axis = normalize_axes(dim, x.ndim, "unbind")[0]
    if x.shape[axis] == 0:
        return ()
    return Split([1] * x.shape[axis], axis, squeeze=True)(x)
