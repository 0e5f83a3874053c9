"""The ops (and, from the models layer, the losses) as functions, with PyTorch's names.

Each function accepts Tensors or anything ``np.asarray`` takes (made a constant
Tensor). Reductions take numpy's ``axis=``/``keepdims=`` or PyTorch's
``dim=``/``keepdim=``.
"""
from __future__ import annotations

import builtins
import functools
from typing import Any, Callable, Sequence

import numpy as np

from .dtypes import promote_types
from .engine import ShapeError
from .ops import einsum as einsum_ops, gather_scatter, padding, registry, reorder
from .ops.elementwise import Where
from .ops.reductions import normalize_axes
from .ops.shape import Concat
from .tensor import Tensor, as_tensor, resolve_axis

__all__ = [
    "where",
    "reshape", "transpose", "permute", "broadcast_to", "expand", "squeeze", "unsqueeze", "flatten",
    "concat", "cat", "stack", "split",
]


def _on_tensors(method: Callable[..., Any]) -> Callable[..., Any]:
    """The function for a method: its first argument may be anything ``as_tensor`` takes."""
    @functools.wraps(method)
    def function(x: Any, *args: Any, **kwargs: Any) -> Any:
        return method(as_tensor(x), *args, **kwargs)
    return function


def _add(entry: registry.Entry) -> None:
    if entry.functional:
        for name in registry.names(entry):
            globals()[name] = _on_tensors(entry.function)
            __all__.append(name)


def _remove(entry: registry.Entry) -> None:
    if entry.functional:
        for name in registry.names(entry):
            globals().pop(name, None)
            __all__.remove(name)


registry.on_declare(_add, _remove)  # exp, sum, softmax, gelu...: one function per op declared in ops


def where(condition: Any, a: Any, b: Any) -> Tensor:
    """``a`` where ``condition`` holds, else ``b`` (broadcast together)."""
    cond = np.asarray(condition.data if isinstance(condition, Tensor) else condition, dtype=bool)
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        a = as_tensor(a)
    return Where(cond)(a, b)


def reshape(x: Any, shape: Sequence[int]) -> Tensor: return as_tensor(x).reshape(shape)
def transpose(x: Any, *axes: Any) -> Tensor: return as_tensor(x).transpose(*axes)
def permute(x: Any, axes: Sequence[int]) -> Tensor: return as_tensor(x).permute(axes)
def broadcast_to(x: Any, shape: Sequence[int]) -> Tensor: return as_tensor(x).broadcast_to(shape)
def expand(x: Any, shape: Sequence[int]) -> Tensor: return as_tensor(x).expand(shape)
def flatten(x: Any, start_dim: int = 0, end_dim: int = -1) -> Tensor: return as_tensor(x).flatten(start_dim, end_dim)


def squeeze(x: Any, axis=None, *, dim=None) -> Tensor:
    return as_tensor(x).squeeze(axis, dim=dim)


def unsqueeze(x: Any, axis: int | None = None, *, dim: int | None = None) -> Tensor:
    return as_tensor(x).unsqueeze(axis, dim=dim)


def concat(tensors: Sequence[Any], axis: int = 0, *, dim: int | None = None) -> Tensor:
    """Join tensors along an existing axis (``torch.cat``, ``np.concatenate``)."""
    axis = resolve_axis(axis if dim is None else None, dim)[0]
    tensors = [as_tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("concat: needs at least one tensor")
    return Concat(axis)(*_one_dtype(tensors))


cat = concat


def stack(tensors: Sequence[Any], axis: int = 0, *, dim: int | None = None) -> Tensor:
    """Join tensors of one shape along a new axis."""
    axis = resolve_axis(axis if dim is None else None, dim)[0]
    tensors = [as_tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("stack: needs at least one tensor")
    shapes = {t.shape for t in tensors}
    if len(shapes) > 1:
        raise ShapeError(f"stack: all tensors must have one shape; got {', '.join(map(str, (t.shape for t in tensors)))}")
    return Concat(axis)(*[t.unsqueeze(axis) for t in _one_dtype(tensors)])


def split(x: Any, split_size_or_sections: int | Sequence[int], axis: int = 0, *,
          dim: int | None = None) -> tuple[Tensor, ...]:
    """Cut along an axis into pieces of a given size (int) or of the given sizes (list), as ``torch.split``."""
    x = as_tensor(x)
    if x.ndim == 0:
        raise ShapeError("split: cannot split a 0-d tensor")
    axis = normalize_axes(resolve_axis(axis if dim is None else None, dim)[0], x.ndim, "split")[0]
    length = x.shape[axis]
    if isinstance(split_size_or_sections, int):
        if split_size_or_sections <= 0:
            raise ValueError(f"split: size must be positive, got {split_size_or_sections}")
        sizes = [split_size_or_sections] * (length // split_size_or_sections)
        if length % split_size_or_sections:
            sizes.append(length % split_size_or_sections)
    else:
        sizes = list(split_size_or_sections)
        if builtins.sum(sizes) != length:
            raise ShapeError(f"split: sizes {sizes} add up to {builtins.sum(sizes)}, but axis {axis} of "
                             f"shape {x.shape} has length {length}")
    pieces, start = [], 0
    for size in sizes:
        pieces.append(x[(slice(None),) * axis + (slice(start, start + size),)])
        start += size
    return tuple(pieces)


# == Shape, indexing and products (engine breadth, issue 13): functions over ops/padding.py, ops/reorder.py,
# == ops/gather_scatter.py and ops/einsum.py, with PyTorch's names and arguments.
def pad(input: Any, pad: Sequence[int], mode: str = "constant", value: float | None = None) -> Tensor:  # noqa: A002
    """``F.pad``: borders in PyTorch's pad-tuple order (last axis first); see :func:`autograd_lite.ops.padding.pad`."""
    return padding.pad(as_tensor(input), pad, mode, value)


def flip(x: Any, dims: Any) -> Tensor: return reorder.flip(as_tensor(x), dims)
def roll(x: Any, shifts: Any, dims: Any = None) -> Tensor: return reorder.roll(as_tensor(x), shifts, dims)
def tile(x: Any, dims: Sequence[int]) -> Tensor: return reorder.tile(as_tensor(x), dims)
def tril(x: Any, diagonal: int = 0) -> Tensor: return reorder.tril(as_tensor(x), diagonal)
def triu(x: Any, diagonal: int = 0) -> Tensor: return reorder.triu(as_tensor(x), diagonal)
def diag(x: Any, diagonal: int = 0) -> Tensor: return reorder.diag(as_tensor(x), diagonal)
def movedim(x: Any, source: Any, destination: Any) -> Tensor: return reorder.movedim(as_tensor(x), source, destination)
def narrow(x: Any, dim: int, start: int, length: int) -> Tensor: return reorder.narrow(as_tensor(x), dim, start, length)
def chunk(x: Any, chunks: int, dim: int = 0) -> tuple[Tensor, ...]: return reorder.chunk(as_tensor(x), chunks, dim)
def unbind(x: Any, dim: int = 0) -> tuple[Tensor, ...]: return reorder.unbind(as_tensor(x), dim)


def repeat_interleave(x: Any, repeats: Any, dim: int | None = None) -> Tensor:
    return reorder.repeat_interleave(as_tensor(x), repeats, dim)


def diagonal(x: Any, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    return reorder.diagonal(as_tensor(x), offset, dim1, dim2)


def gather(x: Any, dim: int, index: Any) -> Tensor: return gather_scatter.gather(as_tensor(x), dim, index)
def index_select(x: Any, dim: int, index: Any) -> Tensor: return gather_scatter.index_select(as_tensor(x), dim, index)
def masked_fill(x: Any, mask: Any, value: Any) -> Tensor: return gather_scatter.masked_fill(as_tensor(x), mask, value)
def masked_select(x: Any, mask: Any) -> Tensor: return gather_scatter.masked_select(as_tensor(x), mask)
def nonzero(x: Any, *, as_tuple: bool = False) -> Any: return as_tensor(x).nonzero(as_tuple=as_tuple)


def scatter(x: Any, dim: int, index: Any, src: Any = None, *, value: Any = None, reduce: str | None = None) -> Tensor:
    return gather_scatter.scatter(as_tensor(x), dim, index, src, value=value, reduce=reduce)


def scatter_add(x: Any, dim: int, index: Any, src: Any) -> Tensor:
    return gather_scatter.scatter_add(as_tensor(x), dim, index, src)


def scatter_reduce(x: Any, dim: int, index: Any, src: Any, reduce: str, *, include_self: bool = True) -> Tensor:
    return gather_scatter.scatter_reduce(as_tensor(x), dim, index, src, reduce, include_self=include_self)


def index_add(x: Any, dim: int, index: Any, source: Any, *, alpha: float = 1) -> Tensor:
    return gather_scatter.index_add(as_tensor(x), dim, index, source, alpha=alpha)


def take_along_dim(x: Any, indices: Any, dim: int | None = None) -> Tensor:
    return gather_scatter.take_along_dim(as_tensor(x), indices, dim)


def _one_dtype(tensors: list[Tensor]) -> list[Tensor]:
    """The tensors cast to the dtype they promote to by PyTorch's table, as ``torch.cat`` and ``torch.stack``
    join them (an int64 and a float32 tensor join as float32; numpy would make float64)."""
    target = functools.reduce(promote_types, (t.dtype for t in tensors))
    return [t if t.dtype == target else t.to(target) for t in tensors]


def einsum(subscripts: str, *operands: Any) -> Tensor:
    """``torch.einsum``: any subscripts, a gradient through every operand; see :func:`autograd_lite.ops.einsum.einsum`.

    >>> einsum("ii->", Tensor([[1.0, 2.0], [3.0, 4.0]])).item()
    5.0
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    return einsum_ops.einsum(subscripts, *[as_tensor(x) for x in operands])


def outer(a: Any, b: Any) -> Tensor: return einsum_ops.outer(as_tensor(a), as_tensor(b))
def dot(a: Any, b: Any) -> Tensor: return einsum_ops.dot(as_tensor(a), as_tensor(b))
def mv(m: Any, v: Any) -> Tensor: return einsum_ops.mv(as_tensor(m), as_tensor(v))
def bmm(a: Any, b: Any) -> Tensor: return einsum_ops.bmm(as_tensor(a), as_tensor(b))
def tensordot(a: Any, b: Any, dims: Any = 2) -> Tensor: return einsum_ops.tensordot(as_tensor(a), as_tensor(b), dims)


__all__ += [
    "pad", "flip", "roll", "tile", "tril", "triu", "diag", "diagonal", "movedim", "narrow", "chunk", "unbind",
    "repeat_interleave", "gather", "scatter", "scatter_add", "scatter_reduce", "index_select", "index_add",
    "masked_fill", "masked_select", "take_along_dim", "nonzero", "einsum", "outer", "dot", "mv", "bmm", "tensordot",
]
# == end of the engine-breadth block ==


from .losses import *  # noqa: E402,F401,F403  (the losses are functional names too, as in torch.nn.functional)
from .losses import __all__ as _loss_names  # noqa: E402

__all__ += _loss_names
