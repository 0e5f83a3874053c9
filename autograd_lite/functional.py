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

from .engine import ShapeError
from .ops import registry
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
    return Concat(axis)(*tensors)


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
    return Concat(axis)(*[t.unsqueeze(axis) for t in tensors])


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


from .losses import *  # noqa: E402,F401,F403  (the losses are functional names too, as in torch.nn.functional)
from .losses import __all__ as _loss_names  # noqa: E402

__all__ += _loss_names
