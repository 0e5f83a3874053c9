"""Reductions over axes: sum, mean, amax, amin, prod, and those built from them (var, std, norm...)."""
from __future__ import annotations

import builtins
from typing import Any, NamedTuple

import numpy as np

from ..engine import Op, raw
from .registry import Samples, register_function
from .shape import BroadcastTo


def resolve_axis(axis: Any, dim: Any, keepdims: bool | None = False,
                 keepdim: bool | None = None) -> tuple[Any, bool]:
    """Accept numpy's ``axis``/``keepdims`` or PyTorch's ``dim``/``keepdim``."""
    if dim is not None:
        if axis is not None:
            raise TypeError("pass either axis= or dim=, not both")
        axis = dim
    if isinstance(axis, list):
        axis = tuple(axis)
    return axis, bool(keepdim if keepdim is not None else keepdims)


def normalize_axes(axis: Any, ndim: int, op: str = "reduction") -> tuple[int, ...]:
    """``axis`` (None, an int or a tuple, negatives allowed) as a sorted tuple of non-negative axes."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    out = []
    for a in axes:
        if not -builtins.max(ndim, 1) <= a < builtins.max(ndim, 1):  # a 0-d tensor takes dim 0 or -1, as in PyTorch
            raise np.exceptions.AxisError(f"{op}: axis {a} is out of range for a tensor with {ndim} dimensions")
        out.append(int(a) % builtins.max(ndim, 1))
    return tuple(sorted(set(out))) if ndim else ()


def kept_shape(shape: tuple[int, ...], axis: Any) -> tuple[int, ...]:
    """The shape a reduction over ``axis`` has with ``keepdims=True``."""
    axes = normalize_axes(axis, len(shape))
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def spread(g: Any, x_shape: tuple[int, ...], axis: Any) -> Any:
    """Send a reduced gradient back over the reduced axes (reshape to keepdims, then broadcast)."""
    return BroadcastTo(x_shape).apply(g.reshape(kept_shape(x_shape, axis)))


class _Reduction(Op):
    __slots__ = ("axis", "keepdims")

    def __init__(self, axis: Any = None, keepdims: bool = False) -> None:
        self.axis, self.keepdims = axis, keepdims

    def label(self) -> str:
        return self.name if self.axis is None else f"{self.name}(axis={self.axis})"


class Sum(_Reduction, name="sum", derivatives=("1",), saves=()):
    """sum(x) = Σᵢ xᵢ over the axes.   ∂/∂xᵢ = 1"""
    __slots__ = ()

    def forward(self, x):
        return np.sum(x, axis=self.axis, keepdims=self.keepdims)

    def backward(self, g, y, x):
        return (spread(g, np.shape(raw(x)), self.axis),)


class Mean(_Reduction, name="mean", derivatives=("1/n",), saves=()):
    """mean(x) = (1/n) Σᵢ xᵢ over the axes.   ∂/∂xᵢ = 1/n"""
    __slots__ = ()

    def forward(self, x):
        return np.mean(x, axis=self.axis if np.ndim(x) else None, keepdims=self.keepdims)  # 0-d: dim -1 is fine

    def backward(self, g, y, x):
        shape = np.shape(raw(x))
        n = int(np.prod(shape)) // builtins.max(int(np.prod(kept_shape(shape, self.axis))), 1)
        return (spread(g / n, shape, self.axis),)


class Max(_Reduction, name="max", derivatives=("[xᵢ = max] / (number of maxima)",), saves=("x", "y")):
    """max(x) over the axes.   ∂/∂xᵢ = [xᵢ = max] / (number of maxima)  (ties share, as torch.amax)"""
    __slots__ = ()

    def forward(self, x):
        return np.max(x, axis=self.axis, keepdims=self.keepdims)

    def backward(self, g, y, x):
        return (spread(g, np.shape(raw(x)), self.axis) * _winners(raw(x), raw(y), self.axis, raw(g)),)


class Min(_Reduction, name="min", derivatives=("[xᵢ = min] / (number of minima)",), saves=("x", "y")):
    """min(x) over the axes.   ∂/∂xᵢ = [xᵢ = min] / (number of minima)  (ties share, as torch.amin)"""
    __slots__ = ()

    def forward(self, x):
        return np.min(x, axis=self.axis, keepdims=self.keepdims)

    def backward(self, g, y, x):
        return (spread(g, np.shape(raw(x)), self.axis) * _winners(raw(x), raw(y), self.axis, raw(g)),)


def _winners(x: np.ndarray, y: np.ndarray, axis: Any, g: Any) -> np.ndarray:
    """1/count where x equals the reduced extreme y, else 0: ties share the gradient.

    A NaN is the extreme of its slice (max and min propagate it), and it alone gets
    the gradient there, as in PyTorch: ``max([nan, 1, 2])`` passes ``[1, 0, 0]``.
    """
    extreme = np.reshape(y, kept_shape(x.shape, axis))
    hit = (x == extreme) | (np.isnan(x) & np.isnan(extreme))
    count = hit.sum(axis=normalize_axes(axis, x.ndim), keepdims=True)
    return (hit / count).astype(np.result_type(g), copy=False)


class Prod(_Reduction, name="prod", derivatives=("Πⱼ≠ᵢ xⱼ  (y/xᵢ where xᵢ ≠ 0)",), saves=("x", "y")):
    """prod(x) = Πᵢ xᵢ over the axes.   ∂/∂xᵢ = Πⱼ≠ᵢ xⱼ  (y/xᵢ where xᵢ ≠ 0)"""
    __slots__ = ()

    def forward(self, x):
        return np.prod(x, axis=self.axis, keepdims=self.keepdims)

    def backward(self, g, y, x):
        data = raw(x)
        shape = np.shape(data)
        spread_g = spread(g, shape, self.axis)
        if np.all(data != 0):
            return (spread_g * spread(y, shape, self.axis) / x,)
        # A zero among the factors: y/x would be 0/0. The product of the others, computed directly
        # (as a constant: a gradient at a zero factor is not differentiated again).
        others = np.empty_like(data)
        for i in np.ndindex(shape):
            without_i = data.copy()
            without_i[i] = 1
            others[i] = np.prod(without_i, axis=self.axis, keepdims=True)[_slice_of(i, shape, self.axis)]
        return (spread_g * others,)


def _slice_of(index: tuple[int, ...], shape: tuple[int, ...], axis: Any) -> tuple[int, ...]:
    """The position in a keepdims reduction that element ``index`` of ``shape`` reduces into."""
    axes = normalize_axes(axis, len(shape))
    return tuple(0 if a in axes else i for a, i in enumerate(index))


def _reduce_samples(**changes: Any) -> Samples:
    settings = ({}, {"dim": -1}, {"dim": 0, "keepdim": True})
    return Samples(min_dims=changes.pop("min_dims", 1), settings=changes.pop("settings", settings), **changes)


@register_function(op=Sum, samples=_reduce_samples(linear=True))
def sum(x: Any, axis: Any = None, keepdims: bool = False, *, dim: Any = None,  # noqa: A001 (torch.sum)
        keepdim: bool | None = None) -> Any:
    """Σ over the axes (all by default): numpy's ``axis``/``keepdims`` or PyTorch's ``dim``/``keepdim``.

    >>> Tensor([[1.0, 2.0], [3.0, 4.0]]).sum(dim=0)
    Tensor([4., 6.])
    """
    return Sum(*resolve_axis(axis, dim, keepdims, keepdim))(x)


@register_function(op=Mean, samples=_reduce_samples(linear=True))
def mean(x: Any, axis: Any = None, keepdims: bool = False, *, dim: Any = None, keepdim: bool | None = None) -> Any:
    """The mean over the axes (all by default).

    >>> Tensor([[1.0, 2.0], [3.0, 4.0]]).mean(dim=1)
    Tensor([1.5, 3.5])
    """
    return Mean(*resolve_axis(axis, dim, keepdims, keepdim))(x)


@register_function(op=Max, samples=_reduce_samples())
def amax(x: Any, axis: Any = None, keepdims: bool = False, *, dim: Any = None, keepdim: bool | None = None) -> Any:
    """The largest values over the axes (all by default, or several); ties share the gradient (``torch.amax``).

    >>> Tensor([[1.0, 5.0], [7.0, 2.0]]).amax(dim=1)
    Tensor([5., 7.])
    """
    return Max(*resolve_axis(axis, dim, keepdims, keepdim))(x)


@register_function(op=Min, samples=_reduce_samples())
def amin(x: Any, axis: Any = None, keepdims: bool = False, *, dim: Any = None, keepdim: bool | None = None) -> Any:
    """The smallest values over the axes; ties share the gradient (``torch.amin``).

    >>> Tensor([[1.0, 5.0], [7.0, 2.0]]).amin(dim=1)
    Tensor([1., 2.])
    """
    return Min(*resolve_axis(axis, dim, keepdims, keepdim))(x)


class ValuesIndices(NamedTuple):
    """``(values, indices)``, what ``max(dim)``, ``sort``, ``topk``... return (PyTorch's ``torch.return_types``).

    ``values`` is differentiable (its gradient goes to the picked places);
    ``indices`` is an integer tensor without history.
    """
    values: Any
    indices: Any


def integer_tensor(x: Any, data: np.ndarray) -> Any:
    """``data`` (indices, counts, flags) as a tensor of ``x``'s kind, without history."""
    return x._graph_kind._from_op(np.asarray(data), None)


def _extreme_along(x: Any, dim: Any, keepdim: bool, largest: bool, name: str) -> ValuesIndices:
    if not isinstance(dim, (int, np.integer)):
        raise TypeError(f"{name}: dim must be one axis (an int) to get (values, indices); got {dim!r}; "
                        f"use a{name} for the {name} over several axes")
    data = raw(x)
    axis = normalize_axes(dim, np.ndim(data), name)[0] if np.ndim(data) else 0
    from .sorting import ExtremeAlong  # sorting.py builds on this file
    return ValuesIndices(*ExtremeAlong(axis, keepdim, largest)(x))


@register_function(op=Max, samples=_reduce_samples(settings=({}, {"dim": -1}, {"dim": 0, "keepdim": True})))
def max(x: Any, dim: Any = None, keepdim: bool = False, *, axis: Any = None,  # noqa: A001 (torch.max)
        keepdims: bool | None = None) -> Any:
    """The largest value; with ``dim``, ``(values, indices)`` along that axis, as ``torch.max(x, dim)``.

    With a tensor for ``dim``: the elementwise ``maximum``, as ``torch.max(a, b)``.
    Values over several axes: ``amax``. A NaN is the largest value (it propagates, as in PyTorch).

    >>> Tensor([[1.0, 5.0], [7.0, 2.0]]).max(dim=1)
    ValuesIndices(values=Tensor([5., 7.]), indices=Tensor([1, 0], dtype=int64))
    >>> Tensor([[1.0, 5.0], [7.0, 2.0]]).max()
    Tensor(7.)
    """
    from .elementwise import Maximum
    if dim is not None and not isinstance(dim, (int, np.integer, tuple, list)):
        return Maximum()(x, dim)
    axis, keep = resolve_axis(axis, dim, keepdims if keepdims is not None else keepdim)
    if axis is None:
        return Max(None, keep)(x)
    return _extreme_along(x, axis, keep, True, "max")


@register_function(op=Min, samples=_reduce_samples(settings=({}, {"dim": -1}, {"dim": 0, "keepdim": True})))
def min(x: Any, dim: Any = None, keepdim: bool = False, *, axis: Any = None,  # noqa: A001 (torch.min)
        keepdims: bool | None = None) -> Any:
    """The smallest value; with ``dim``, ``(values, indices)``; with a tensor, ``minimum`` (as :func:`max`).

    >>> Tensor([[1.0, 5.0], [7.0, 2.0]]).min(dim=0).indices
    Tensor([0, 1], dtype=int64)
    """
    from .elementwise import Minimum
    if dim is not None and not isinstance(dim, (int, np.integer, tuple, list)):
        return Minimum()(x, dim)
    axis, keep = resolve_axis(axis, dim, keepdims if keepdims is not None else keepdim)
    if axis is None:
        return Min(None, keep)(x)
    return _extreme_along(x, axis, keep, False, "min")


def _count(x: Any, axis: Any) -> int:
    shape = np.shape(raw(x))
    return int(np.prod([shape[a] for a in normalize_axes(axis, len(shape), "var")]))


_VAR_SAMPLES = _reduce_samples(min_side=2, settings=({}, {"dim": -1, "correction": 0}, {"dim": 0, "keepdim": True}))


@register_function(samples=_VAR_SAMPLES)
def var(x: Any, axis: Any = None, keepdims: bool = False, *, dim: Any = None, keepdim: bool | None = None,
        correction: int = 1, ddof: int | None = None) -> Any:
    """Variance; ``correction=1`` (the unbiased estimate) by default, as in PyTorch; ``ddof=0`` for numpy's.

    >>> Tensor([1.0, 3.0]).var()
    Tensor(2.)
    """
    axis, keep = resolve_axis(axis, dim, keepdims, keepdim)
    if ddof is not None:
        correction = ddof
    centred = x - mean(x, axis, keepdims=True)
    return sum(centred * centred, axis, keepdims=keep) / builtins.max(_count(x, axis) - correction, 0)


@register_function(samples=_VAR_SAMPLES)
def std(x: Any, axis: Any = None, keepdims: bool = False, *, dim: Any = None, keepdim: bool | None = None,
        correction: int = 1, ddof: int | None = None) -> Any:
    """Standard deviation, √var; ``correction=1`` by default, as in PyTorch.

    >>> Tensor([1.0, 3.0]).std()
    Tensor(1.4142135)
    """
    return var(x, axis, keepdims, dim=dim, keepdim=keepdim, correction=correction, ddof=ddof) ** 0.5


@register_function(op=Prod, samples=_reduce_samples(away=0.3, settings=({}, {"dim": -1}, {"dim": 0, "keepdim": True})))
def prod(x: Any, axis: Any = None, keepdims: bool = False, *, dim: Any = None, keepdim: bool | None = None) -> Any:
    """Π over the axes (all by default).

    >>> Tensor([[1.0, 2.0], [3.0, 4.0]]).prod(dim=1)
    Tensor([ 2., 12.])
    """
    return Prod(*resolve_axis(axis, dim, keepdims, keepdim))(x)


@register_function(samples=_reduce_samples(away=0.2, settings=(
    {}, {"p": 1}, {"p": float("inf"), "dim": -1}, {"p": "fro", "dim": 0, "keepdim": True}, {"p": 3})))
def norm(x: Any, p: float | str = "fro", dim: Any = None, keepdim: bool = False, *, axis: Any = None,
         keepdims: bool | None = None) -> Any:
    """The p-norm over the axes (all by default): ``p`` = 2 or ``"fro"`` (√Σx², the default), 1 (Σ|x|),
    ``inf`` (max |x|), ``-inf`` (min |x|), or any other number ((Σ|x|ᵖ)^(1/p)), as ``torch.norm``.

    >>> Tensor([3.0, -4.0]).norm()
    Tensor(5.)
    >>> Tensor([3.0, -4.0]).norm(p=1)
    Tensor(7.)
    """
    axis, keep = resolve_axis(axis, dim, keepdims if keepdims is not None else keepdim)
    if p in ("fro", 2, 2.0):
        return sum(x * x, axis, keep) ** 0.5
    if isinstance(p, str):
        raise ValueError(f"norm: p must be a number or 'fro'; got {p!r}")
    if p == 1:
        return sum(abs(x), axis, keep)
    if p == float("inf"):
        return amax(abs(x), axis, keep)
    if p == float("-inf"):
        return amin(abs(x), axis, keep)
    if p == 0:
        raise ValueError("norm: p=0 counts nonzero entries and has no gradient; use count_nonzero")
    return sum(abs(x) ** p, axis, keep) ** (1 / p)


_FLAGS = Samples(min_dims=1, settings=({}, {"dim": -1}), differentiable=False)


@register_function(samples=_FLAGS)
def any(x: Any, dim: Any = None, keepdim: bool = False, *, axis: Any = None,  # noqa: A001 (torch.any)
        keepdims: bool | None = None) -> Any:
    """Whether any element is nonzero (over ``dim``, or all): a bool tensor without history.

    >>> Tensor([0.0, 2.0]).any()
    Tensor(True, dtype=bool)
    """
    axis, keep = resolve_axis(axis, dim, keepdims if keepdims is not None else keepdim)
    return integer_tensor(x, np.any(raw(x), axis=axis, keepdims=keep))


@register_function(samples=_FLAGS)
def all(x: Any, dim: Any = None, keepdim: bool = False, *, axis: Any = None,  # noqa: A001 (torch.all)
        keepdims: bool | None = None) -> Any:
    """Whether every element is nonzero (over ``dim``, or all): a bool tensor without history.

    >>> Tensor([0.0, 2.0]).all()
    Tensor(False, dtype=bool)
    """
    axis, keep = resolve_axis(axis, dim, keepdims if keepdims is not None else keepdim)
    return integer_tensor(x, np.all(raw(x), axis=axis, keepdims=keep))


@register_function(samples=_FLAGS)
def count_nonzero(x: Any, dim: Any = None, *, axis: Any = None) -> Any:
    """How many elements are nonzero (over ``dim``, or all): an int64 tensor without history.

    >>> Tensor([0.0, 2.0, -1.0]).count_nonzero()
    Tensor(2, dtype=int64)
    """
    axis = resolve_axis(axis, dim)[0]
    return integer_tensor(x, np.asarray(np.count_nonzero(raw(x), axis=axis), dtype=np.int64))


@register_function(samples=_FLAGS)
def argmax(x: Any, axis: Any = None, keepdims: bool = False, *, dim: Any = None, keepdim: bool | None = None) -> Any:
    """Where the largest value is (the first, at ties), over ``dim`` or the flattened tensor.

    >>> Tensor([[1.0, 5.0], [7.0, 2.0]]).argmax(dim=1)
    Tensor([1, 0], dtype=int64)
    """
    axis, keep = resolve_axis(axis, dim, keepdims, keepdim)
    return integer_tensor(x, np.argmax(raw(x), axis=axis, keepdims=keep))


@register_function(samples=_FLAGS)
def argmin(x: Any, axis: Any = None, keepdims: bool = False, *, dim: Any = None, keepdim: bool | None = None) -> Any:
    """Where the smallest value is (the first, at ties).

    >>> Tensor([[1.0, 5.0], [7.0, 2.0]]).argmin(dim=1)
    Tensor([0, 1], dtype=int64)
    """
    axis, keep = resolve_axis(axis, dim, keepdims, keepdim)
    return integer_tensor(x, np.argmin(raw(x), axis=axis, keepdims=keep))
