"""Reading and writing at computed positions: gather scatter scatter_add scatter_reduce index_select index_add
masked_fill masked_select take_along_dim nonzero.

``gather``, ``scatter`` and ``scatter_reduce`` are ops with their derivatives
stated here; the others are written with them or with ``getitem``/``index_add``
(the adjoint pair in ``indexing.py``) and ``where``. PyTorch's conventions:
``index`` has as many dimensions as ``x``, is at most as long as ``x`` along
every other dimension, and holds non-negative positions.

Each function is declared once, here: its ``Tensor`` method, its
``ag.functional`` function and its checks come from the declaration. The
samples fix the shapes, so that the positions they give fit.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..engine import ArgumentError, Op, ShapeError, raw
from .elementwise import Where
from .indexing import GetItem, IndexAdd
from .reductions import integer_tensor, normalize_axes
from .registry import Samples, register_function
from .reorder import select_along

__all__ = ["IndexOutOfRange", "Gather", "Scatter", "ScatterReduce", "gather", "scatter", "scatter_add",
           "scatter_reduce", "index_select", "index_add", "masked_fill", "masked_select", "take_along_dim",
           "nonzero"]


class IndexOutOfRange(IndexError, RuntimeError):
    """A position outside the tensor; also a ``RuntimeError``, which PyTorch raises here."""


def _index_array(index: Any, fn: str) -> np.ndarray:
    array = np.asarray(raw(index))
    if array.dtype.kind not in "iu":
        raise TypeError(f"{fn}: index must hold integers, got dtype {array.dtype}")
    return array.astype(np.intp, copy=False)


def _grid(shape: tuple[int, ...], dim: int, index: Any, fn: str, other: tuple[int, ...] | None = None) -> tuple:
    """The advanced index that picks ``x[..., index[i, j, ...], ...]`` (``index`` at axis ``dim``) for every
    position of ``index``: ``index`` at ``dim`` and an ``arange`` on every other axis."""
    idx = _index_array(index, fn)
    if idx.ndim != len(shape):
        raise ShapeError(f"{fn}: index has {idx.ndim} dimensions but the tensor has {len(shape)} (shape {shape}); "
                         f"they must be equal")
    for d, (n, m) in enumerate(zip(idx.shape, shape)):
        if d != dim and n > m:
            raise ShapeError(f"{fn}: index shape {idx.shape} is larger than the tensor's shape {shape} "
                             f"along dimension {d}")
        if other is not None and n > other[d]:
            raise ShapeError(f"{fn}: index shape {idx.shape} is larger than src's shape {other} along dimension {d}")
    if idx.size and (idx.min() < 0 or idx.max() >= shape[dim]):
        bad = idx.min() if idx.min() < 0 else idx.max()
        raise IndexOutOfRange(f"{fn}: index {bad} is out of bounds for dimension {dim} with size {shape[dim]}")
    return tuple(idx if d == dim else np.arange(n).reshape((-1,) + (1,) * (idx.ndim - d - 1))
                 for d, n in enumerate(idx.shape))


def _head(shape: tuple[int, ...]) -> tuple[slice, ...]:
    """The leading block of that shape: ``src[:n0, :n1, ...]``, the part of ``src`` that ``index`` covers."""
    return tuple(slice(0, n) for n in shape)


class Gather(Op, name="gather", args=("x",), derivatives=("g added back at index along dim",), vjp=True, saves=()):
    """gather(x, dim, index): ``y[i][j] = x[index[i][j]][j]`` (for dim 0).   ∂L/∂x = g added back at index along dim"""
    __slots__ = ("dim", "grid")

    def __init__(self, dim: int, grid: tuple) -> None:
        self.dim, self.grid = dim, grid

    def label(self) -> str:
        return f"gather(dim={self.dim})"

    def forward(self, x):
        return x[self.grid]

    def backward(self, g, y, x):
        return (IndexAdd(self.grid, np.shape(raw(x))).apply(g),)  # np.add.at: a position picked twice gets both


class Scatter(Op, name="scatter", args=("x", "src"), vjp=True, saves=(),
              derivatives=("g with the written places set to 0", "g[index] (g at the places src went to)")):
    """scatter(x, dim, index, src): x with ``src`` written at index along dim.

    ∂L/∂x = g with the written places set to 0,  ∂L/∂src = g[index] (g at the places src went to).
    Where ``index`` repeats a place, which value lands is unspecified (numpy keeps the last,
    PyTorch does not promise), and every one of them gets that place's gradient, as in PyTorch.
    """
    __slots__ = ("dim", "grid", "written")

    def __init__(self, dim: int, grid: tuple, shape: tuple[int, ...]) -> None:
        self.dim, self.grid = dim, grid
        self.written = np.zeros(shape, dtype=bool)
        self.written[grid] = True

    def label(self) -> str:
        return f"scatter(dim={self.dim})"

    def forward(self, x, src):
        out = x.copy()
        out[self.grid] = src[_head(self.grid[self.dim].shape)]
        return out

    def backward(self, g, y, x, src):
        gx = Where(self.written).apply(0.0, g) if self.needs_input_grad(0) else None
        gsrc = _to_src(GetItem(self.grid).apply(g), np.shape(raw(src))) if self.needs_input_grad(1) else None
        return gx, gsrc


def _to_src(g_at_index: Any, src_shape: tuple[int, ...]) -> Any:
    """The gradient for ``src`` from the gradient at its used block (zeros beyond ``index``'s shape)."""
    if np.shape(raw(g_at_index)) == tuple(src_shape):
        return g_at_index
    return IndexAdd(_head(np.shape(raw(g_at_index))), tuple(src_shape)).apply(g_at_index)


_REDUCE_IDENTITY = {"sum": 0.0, "mean": 0.0, "prod": 1.0, "amax": -np.inf, "amin": np.inf}
_REDUCE_UFUNC = {"sum": np.add, "mean": np.add, "prod": np.multiply, "amax": np.maximum, "amin": np.minimum}


class ScatterReduce(Op, name="scatter_reduce", args=("x", "src"), vjp=True, saves=("x", "src", "y"),
                    derivatives=("g where x took part, shared as the reduction shares",
                                 "g[index], shared as the reduction shares")):
    """scatter_reduce(x, dim, index, src, reduce): each place of x reduced with the src values sent to it.

    ∂L/∂x = g where x took part, shared as the reduction shares;  ∂L/∂src = g[index], shared as the reduction shares.
    Sharing: ``sum`` passes g on; ``mean`` divides by the count; ``amax``/``amin`` split g evenly among the
    values equal to the result (as PyTorch); ``prod`` multiplies by the product of the others (exact
    where a value is 0, from the group's other values, but not differentiable twice there).
    ``include_self=False`` leaves x out of the places src writes to.
    """
    __slots__ = ("dim", "grid", "reduce", "include_self", "count")

    def __init__(self, dim: int, grid: tuple, reduce: str, include_self: bool, shape: tuple[int, ...]) -> None:
        self.dim, self.grid, self.reduce, self.include_self = dim, grid, reduce, include_self
        count = np.zeros(shape)
        np.add.at(count, grid, 1.0)
        self.count = count  # how many src values reach each place of x

    def label(self) -> str:
        return f"scatter_reduce(dim={self.dim}, {self.reduce!r})"

    def _base(self, x: np.ndarray) -> np.ndarray:
        out = x.copy()
        if not self.include_self:
            out[self.count > 0] = _REDUCE_IDENTITY[self.reduce]
        return out

    def forward(self, x, src):
        out = self._base(x)
        _REDUCE_UFUNC[self.reduce].at(out, self.grid, src[_head(self.grid[self.dim].shape)])
        if self.reduce == "mean":
            out = out / (self.count + self.include_self).clip(min=1)
            if x.dtype.kind in "iu":
                out = np.floor(out)  # PyTorch's integer mean rounds down
        return out.astype(x.dtype, copy=False)

    def backward(self, g, y, x, src):
        src_shape = np.shape(raw(src))
        part = _head(self.grid[self.dim].shape)
        x_in = (self.count == 0) | self.include_self  # where x took part in its place's result
        if self.reduce in ("sum", "mean"):
            share = (self.count + self.include_self).clip(min=1) if self.reduce == "mean" else 1.0
            share = _like(g, 1.0 / share)
            gx, gs = g * _like(g, x_in * share), GetItem(self.grid).apply(g * share)
        elif self.reduce in ("amax", "amin"):
            x_wins = x_in & (raw(x) == raw(y))
            src_wins = raw(src)[part] == raw(y)[self.grid]
            ties = x_wins.astype(float)
            np.add.at(ties, self.grid, src_wins)
            shared = g * _like(g, 1.0 / np.maximum(ties, 1))
            gx, gs = shared * _like(g, x_wins), GetItem(self.grid).apply(shared) * _like(g, src_wins)
        else:
            gx, gs = self._prod_grads(g, y, x, src, part, x_in)
        return (gx if self.needs_input_grad(0) else None,
                _to_src(gs, src_shape) if self.needs_input_grad(1) else None)

    def _prod_grads(self, g, y, x, src, part, x_in):
        """g times the product of the others in each group: y / value, or, where the value is 0, the
        product of the group's nonzero values if it has no other 0 (else 0), computed from the numbers."""
        raw_x, raw_src = raw(x), raw(src)[part]
        zeros = np.where(x_in, raw_x == 0, False).astype(float)
        np.add.at(zeros, self.grid, raw_src == 0)
        nonzero_product = np.where(x_in & (raw_x != 0), raw_x, 1.0)
        np.multiply.at(nonzero_product, self.grid, np.where(raw_src == 0, 1.0, raw_src))

        def others(value, raw_value, y_at, zeros_at, product_at):
            at_zero = np.where(zeros_at == 1, product_at, 0.0)
            safe = Where(raw_value == 0).apply(1.0, value)
            return Where(raw_value == 0).apply(at_zero, y_at / safe)

        gx = g * others(x, raw_x, y, zeros, nonzero_product) * _like(g, x_in)
        y_at = GetItem(self.grid).apply(y)
        gs = GetItem(self.grid).apply(g) * others(src[part], raw_src, y_at, zeros[self.grid],
                                                  nonzero_product[self.grid])
        return gx, gs


def _like(g: Any, constant: Any) -> Any:
    """A constant in the gradient's dtype (a float64 mask would turn a float32 gradient float64)."""
    return np.asarray(constant, dtype=np.result_type(raw(g)))


def _dim(x: Any, dim: int, fn: str) -> int:
    return normalize_axes(dim, x.ndim, fn)[0] if x.ndim else 0


def _positions_of(rows: list) -> np.ndarray:
    """Positions for the samples: int64, as PyTorch takes them."""
    return np.array(rows, dtype=np.int64)


@register_function(op=Gather, samples=Samples(shapes=((3, 4),), linear=True, settings=(
    {"dim": 0, "index": _positions_of([[0, 2, 1, 0], [2, 2, 0, 1]])},
    {"dim": -1, "index": _positions_of([[3, 0], [1, 1], [0, 2]])})))
def gather(x: Any, dim: int, index: Any) -> Any:
    """``torch.gather``: along ``dim``, the entries of ``x`` at ``index`` (the result has ``index``'s shape).

    >>> gather(Tensor([[1.0, 2.0], [3.0, 4.0]]), 1, np.array([[0, 0], [1, 0]])).tolist()
    [[1.0, 1.0], [4.0, 3.0]]
    """
    d = _dim(x, dim, "gather")
    return Gather(d, _grid(x.shape, d, index, "gather"))(x)


def _src_for(src: Any, x: Any, index: np.ndarray, fn: str) -> Any:
    """``src`` as given, or a number broadcast to ``index``'s shape in x's dtype (``scatter(dim, index, value)``)."""
    if isinstance(src, (int, float, np.number)) and not isinstance(src, bool):
        return np.full(index.shape, src, dtype=x.dtype)
    if np.ndim(raw(src)) != x.ndim:
        raise ShapeError(f"{fn}: src has shape {np.shape(raw(src))} but must have as many dimensions as the "
                         f"tensor's shape {x.shape}")
    return src


# No place written twice: where two src values race for one place, only one lands (finite differences see
# that one) while each gets the place's gradient, as in PyTorch.
@register_function(op=Scatter, samples=Samples(inputs=2, named_inputs=("src",), shapes=((3, 4), (2, 4)), settings=(
    {"dim": 0, "index": _positions_of([[0, 2, 1, 0], [2, 1, 0, 1]])},
    {"dim": 1, "index": _positions_of([[3, 0, 1, 2], [1, 2, 0, 3]])})))
def scatter(x: Any, dim: int, index: Any, src: Any = None, *, value: Any = None, reduce: str | None = None) -> Any:
    """``torch.scatter``: ``x`` with ``src`` (or a number ``value``) written at ``index`` along ``dim``.

    ``reduce="add"``/``"multiply"`` is PyTorch's older spelling of :func:`scatter_reduce`.

    >>> scatter(Tensor([0.0, 0.0, 0.0]), 0, np.array([2, 0]), Tensor([5.0, 6.0])).tolist()
    [6.0, 0.0, 5.0]
    """
    fn = "scatter"
    if (src is None) == (value is None):
        raise ArgumentError(f"{fn}: give src (a tensor or number) or value=, one of them")
    d = _dim(x, dim, fn)
    idx = _index_array(index, fn)
    src = _src_for(value if src is None else src, x, idx, fn)
    if reduce is not None:
        modes = {"add": "sum", "multiply": "prod"}
        if reduce not in modes:
            raise ArgumentError(f"{fn}: reduce must be 'add' or 'multiply', got {reduce!r}")
        return scatter_reduce(x, dim, index, src, modes[reduce])
    return Scatter(d, _grid(x.shape, d, idx, fn, np.shape(raw(src))), x.shape)(x, src)


@register_function(op=ScatterReduce, samples=Samples(inputs=2, named_inputs=("src",), shapes=((3, 4), (3, 5)),
                                                     settings=({"dim": -1, "index": _positions_of(
                                                         [[0, 3, 3, 1, 0], [2, 2, 2, 1, 0], [1, 0, 3, 3, 3]])},)))
def scatter_add(x: Any, dim: int, index: Any, src: Any) -> Any:
    """``torch.scatter_add``: ``x`` plus ``src`` added at ``index`` along ``dim`` (repeated places add up).

    >>> scatter_add(Tensor([0.0, 0.0]), 0, np.array([1, 1, 0]), Tensor([1.0, 2.0, 3.0])).tolist()
    [3.0, 3.0]
    """
    return scatter_reduce(x, dim, index, src, "sum")


@register_function(op=ScatterReduce, samples=Samples(
    inputs=2, named_inputs=("src",), shapes=((2, 3), (2, 5)), away=0.5,  # prod divides by the values
    settings=tuple({"dim": 1, "index": _positions_of([[0, 2, 2, 0, 2], [1, 1, 0, 1, 1]]), "reduce": reduce,
                    "include_self": include_self}
                   for reduce in _REDUCE_UFUNC for include_self in (True, False))))
def scatter_reduce(x: Any, dim: int, index: Any, src: Any, reduce: str, *, include_self: bool = True) -> Any:
    """``torch.scatter_reduce``: each place of ``x`` combined with the ``src`` values sent to it by
    ``reduce`` (``"sum" "prod" "mean" "amax" "amin"``); ``include_self=False`` leaves x's own value out.

    >>> scatter_reduce(Tensor([1.0, 1.0]), 0, np.array([0, 0, 1]), Tensor([3.0, 5.0, 0.5]), "amax").tolist()
    [5.0, 1.0]
    """
    fn = "scatter_reduce"
    if reduce not in _REDUCE_UFUNC:
        raise ArgumentError(f"{fn}: reduce must be one of {', '.join(map(repr, _REDUCE_UFUNC))}, got {reduce!r}")
    d = _dim(x, dim, fn)
    idx = _index_array(index, fn)
    src = _src_for(src, x, idx, fn)
    grid = _grid(x.shape, d, idx, fn, np.shape(raw(src)))
    return ScatterReduce(d, grid, reduce, bool(include_self), x.shape)(x, src)


@register_function(samples=Samples(shapes=((3, 4),), linear=True, settings=(
    {"dim": 0, "index": _positions_of([0, 1, 0, 2])}, {"dim": -1, "index": _positions_of([3, 3])})))
def index_select(x: Any, dim: int, index: Any) -> Any:
    """``torch.index_select``: the slices of ``x`` at the positions ``index`` (1-D) along ``dim``.

    >>> index_select(Tensor([[1.0, 2.0], [3.0, 4.0]]), 1, [1, 1, 0]).tolist()
    [[2.0, 2.0, 1.0], [4.0, 4.0, 3.0]]
    """
    fn = "index_select"
    d = _dim(x, dim, fn)
    idx = _positions(index, x.shape[d] if x.ndim else 1, fn)
    return select_along(x, d, idx) if x.ndim else GetItem(())(x)


def _positions(index: Any, size: int, fn: str) -> np.ndarray:
    idx = _index_array(index, fn)
    if idx.ndim > 1:
        raise ShapeError(f"{fn}: index must be 1-D (or 0-d), got shape {idx.shape}")
    if idx.size and (idx.min() < -size or idx.max() >= size):
        bad = idx.min() if idx.min() < -size else idx.max()
        raise IndexOutOfRange(f"{fn}: index {bad} is out of bounds for a dimension of size {size}")
    return idx.reshape(-1)


@register_function(samples=Samples(inputs=2, named_inputs=("source",), shapes=((3, 4), (4, 4)), linear=True,
                                   settings=({"dim": 0, "index": _positions_of([1, 0, 1, 2]), "alpha": 0.5},)))
def index_add(x: Any, dim: int, index: Any, source: Any, *, alpha: float = 1) -> Any:
    """``torch.index_add``: ``x`` with ``alpha * source``'s slices added at positions ``index`` along ``dim``.

    >>> index_add(Tensor([0.0, 0.0, 0.0]), 0, [0, 0, 2], Tensor([1.0, 2.0, 3.0])).tolist()
    [3.0, 0.0, 3.0]
    """
    fn = "index_add"
    d = _dim(x, dim, fn)
    idx = _positions(index, x.shape[d], fn)
    expected = tuple(x.shape[:d]) + (idx.size,) + tuple(x.shape[d + 1:])
    if tuple(np.shape(raw(source))) != expected:
        raise ShapeError(f"{fn}: source must have shape {expected} (x's shape {x.shape} with {idx.size} "
                         f"at dimension {d}), got {np.shape(raw(source))}")
    added = IndexAdd((slice(None),) * d + (idx,), x.shape)(source)
    return x + (added if alpha == 1 else added * alpha)


@register_function(samples=Samples(shapes=((2, 3),), settings=({"mask": np.array([True, False, True]),
                                                                 "value": -1.5},)))
def masked_fill(x: Any, mask: Any, value: Any) -> Any:
    """``torch.masked_fill``: ``value`` where ``mask`` (broadcast to ``x``) holds, else ``x``.

    >>> masked_fill(Tensor([1.0, 2.0]), np.array([True, False]), 0.0).tolist()
    [0.0, 2.0]
    """
    condition = _bool_mask(mask, "masked_fill")
    try:
        np.broadcast_to(condition, x.shape)
    except ValueError:
        raise ShapeError(f"masked_fill: mask of shape {condition.shape} does not broadcast to the tensor's "
                         f"shape {x.shape}") from None
    if np.ndim(raw(value)) != 0:
        raise ArgumentError(f"masked_fill: value must be a number or a 0-d tensor, got shape {np.shape(raw(value))}")
    if not hasattr(value, "requires_grad"):
        value = np.asarray(value, dtype=x.dtype)  # a number takes x's dtype, as in PyTorch
    return Where(condition)(value, x)


def _bool_mask(mask: Any, fn: str) -> np.ndarray:
    condition = np.asarray(raw(mask))
    if condition.dtype != bool:
        raise TypeError(f"{fn}: mask must be boolean, got dtype {condition.dtype}")
    return condition


# The mask is a setting, so the result's shape is fixed for the samples; values never decide it.
@register_function(samples=Samples(shapes=((2, 3),), linear=True, settings=(
    {"mask": np.array([[True, False, True], [False, True, True]])}, {"mask": np.array([False, True, True])})))
def masked_select(x: Any, mask: Any) -> Any:
    """``torch.masked_select``: the entries where ``mask`` holds, as a 1-D tensor (x and mask broadcast together).

    >>> masked_select(Tensor([[1.0, 2.0], [3.0, 4.0]]), np.array([True, False])).tolist()
    [1.0, 3.0]
    """
    condition = _bool_mask(mask, "masked_select")
    try:
        shape = np.broadcast_shapes(x.shape, condition.shape)
    except ValueError:
        raise ShapeError(f"masked_select: mask of shape {condition.shape} and tensor of shape {x.shape} "
                         f"do not broadcast together") from None
    if shape != x.shape:
        x = x.broadcast_to(shape)
    return GetItem(np.broadcast_to(condition, shape))(x)


@register_function(samples=Samples(shapes=((3, 4),), linear=True, settings=(
    {"indices": _positions_of([[2, 0, 1, 0], [1, 1, 2, 0]]), "dim": 0},
    {"indices": _positions_of([0, 5, 11, 5])},
    {"indices": _positions_of([[1, 3]]), "dim": -1})))
def take_along_dim(x: Any, indices: Any, dim: int | None = None) -> Any:
    """``torch.take_along_dim``: ``gather`` with ``x`` and ``indices`` broadcast along the other dimensions;
    no ``dim``: both flattened.

    >>> take_along_dim(Tensor([[10.0, 30.0], [40.0, 20.0]]), np.array([[1], [0]]), 1).tolist()
    [[30.0], [40.0]]
    """
    fn = "take_along_dim"
    idx = _index_array(indices, fn)
    if dim is None:
        return gather(x.reshape(-1), 0, idx.reshape(-1))
    d = _dim(x, dim, fn)
    if idx.ndim != x.ndim:
        raise ShapeError(f"{fn}: indices have {idx.ndim} dimensions but the tensor has {x.ndim} (shape {x.shape})")
    try:
        x_shape = np.broadcast_shapes(tuple(n if a != d else 1 for a, n in enumerate(x.shape)),
                                      tuple(n if a != d else 1 for a, n in enumerate(idx.shape)))
    except ValueError:
        raise ShapeError(f"{fn}: shapes {x.shape} and {idx.shape} do not broadcast outside dimension {d}") from None
    x_full = tuple(x.shape[d] if a == d else n for a, n in enumerate(x_shape))
    i_full = tuple(idx.shape[d] if a == d else n for a, n in enumerate(x_shape))
    if x_full != x.shape:
        x = x.broadcast_to(x_full)
    return gather(x, d, np.broadcast_to(idx, i_full))


@register_function(samples=Samples(differentiable=False))
def nonzero(x: Any, *, as_tuple: bool = False) -> Any:
    """``torch.nonzero``: the positions of the nonzero entries, an int64 tensor of shape (count, ndim)
    (or, ``as_tuple=True``, one 1-D tensor per dimension). Positions have no gradient.

    >>> nonzero(Tensor([[0.0, 1.0], [2.0, 0.0]])).tolist()
    [[0, 1], [1, 0]]
    """
    data = np.asarray(raw(x))
    if data.ndim == 0:  # numpy refuses np.nonzero of a 0-d array; PyTorch gives (1, 0) or (0, 0)
        found: tuple = ()
        count = int(data != 0)
    else:
        found = np.nonzero(data)
        count = found[0].size
    if as_tuple:
        positions = tuple(np.asarray(f, dtype=np.int64) for f in found) if found else (np.zeros(count, np.int64),)
        return tuple(integer_tensor(x, p) for p in positions)
    return integer_tensor(x, np.stack(found, axis=1).astype(np.int64) if found else np.zeros((count, 0), np.int64))
