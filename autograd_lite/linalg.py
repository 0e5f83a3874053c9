"""``ag.linalg``: PyTorch's ``torch.linalg`` norms (``norm``, ``vector_norm``, ``matrix_norm``).

Written with the engine's ops (sums, ``abs``, ``amax``/``amin``, ``sqrt``,
``where``), so gradients of any order come with them. At a zero vector the
2-norm's gradient is 0 (a subgradient), as PyTorch gives, not 0/0.
The spectral norms (``ord=2``/``-2`` of a matrix, ``"nuc"``) need a differentiable
SVD, which the engine does not have: they are refused with that reason.

>>> import autograd_lite as ag
>>> ag.linalg.norm(ag.tensor([3.0, 4.0])).item()
5.0
>>> ag.linalg.norm(ag.tensor([[1.0, -2.0], [3.0, 4.0]]), ord=1).item()      # largest column sum of |x|
6.0
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from .engine import ArgumentError, ShapeError
from .ops.elementwise import Where
from .ops.reductions import normalize_axes
from .tensor import Tensor, as_tensor

__all__ = ["norm", "vector_norm", "matrix_norm"]


def _float(x: Any, fn: str) -> Tensor:
    x = as_tensor(x)
    if x.dtype.kind != "f":
        raise TypeError(f"{fn}: needs a floating point tensor, got dtype {x.dtype}")
    return x


def _safe_root(total: Tensor, p: float) -> Tensor:
    """total^(1/p), with 0 (and a zero gradient) where total is 0, where the root's derivative is infinite."""
    positive = total.data > 0
    return Where(positive)(Where(positive)(total, 1.0) ** (1.0 / p), 0.0)


def vector_norm(x: Any, ord: float = 2, dim: int | Sequence[int] | None = None,  # noqa: A002 (torch's name)
                keepdim: bool = False) -> Tensor:
    """``(Σ |x|^ord)^(1/ord)`` over ``dim`` (all axes by default); ``ord`` = inf, -inf: max, min of |x|;
    0: the number of nonzero entries (no gradient). As ``torch.linalg.vector_norm``.

    >>> vector_norm(Tensor([3.0, -4.0]), ord=1).item()
    7.0
    """
    fn = "vector_norm"
    x = _float(x, fn)
    axes = normalize_axes(dim, x.ndim, fn) if x.ndim else None
    axis = None if axes is None or len(axes) == x.ndim and dim is None else axes
    if isinstance(ord, str):
        raise ArgumentError(f"{fn}: ord must be a number, got {ord!r} (use matrix_norm for 'fro' and 'nuc')")
    if ord == math.inf:
        return x.abs().amax(axis, keepdims=keepdim)
    if ord == -math.inf:
        return x.abs().amin(axis, keepdims=keepdim)
    if ord == 0:
        return Tensor._from_op(np.sum(x.data != 0, axis=axis, keepdims=keepdim).astype(x.dtype), None)
    if ord == 1:
        return x.abs().sum(axis, keepdims=keepdim)
    if ord == 2:
        return _safe_root((x * x).sum(axis, keepdims=keepdim), 2.0)
    if ord < 0:  # Σ|x|^p with p < 0: a zero entry gives inf, and the norm 0, as PyTorch
        return (x.abs() ** ord).sum(axis, keepdims=keepdim) ** (1.0 / ord)
    return _safe_root((x.abs() ** ord).sum(axis, keepdims=keepdim), float(ord))


def matrix_norm(x: Any, ord: Any = "fro", dim: Sequence[int] = (-2, -1), keepdim: bool = False) -> Tensor:  # noqa: A002
    """Matrix norms over the two axes ``dim`` (``torch.linalg.matrix_norm``): ``"fro"``; 1, -1 (largest,
    smallest column sum of |x|); inf, -inf (largest, smallest row sum).

    >>> matrix_norm(Tensor([[1.0, -2.0], [3.0, 4.0]]), ord=float("inf")).item()
    7.0
    """
    fn = "matrix_norm"
    x = _float(x, fn)
    if x.ndim < 2:
        raise ShapeError(f"{fn}: needs at least 2 dimensions, got shape {x.shape}")
    dims = tuple(dim)
    if len(dims) != 2:
        raise ShapeError(f"{fn}: dim must name two axes, got {dim!r}")
    rows, cols = (normalize_axes(d, x.ndim, fn)[0] for d in dims)
    if rows == cols:
        raise ArgumentError(f"{fn}: dim names one axis twice: {dim!r}")
    if ord == "fro":
        return _safe_root((x * x).sum((rows, cols), keepdims=keepdim), 2.0)
    if ord in (2, -2, "nuc"):
        raise ArgumentError(f"{fn}: ord={ord!r} needs singular values (a differentiable SVD), which the engine "
                            f"does not have; 'fro', 1, -1, inf and -inf are available")
    if ord in (1, -1, math.inf, -math.inf):
        summed_axis, kept_axis = (rows, cols) if abs(ord) == 1 else (cols, rows)
        sums = x.abs().sum(summed_axis, keepdims=True)
        extreme = sums.amax(kept_axis, keepdims=True) if ord > 0 else sums.amin(kept_axis, keepdims=True)
        return extreme if keepdim else extreme.squeeze((rows, cols))
    raise ArgumentError(f"{fn}: ord must be 'fro', 1, -1, inf or -inf, got {ord!r}")


def norm(x: Any, ord: Any = None, dim: int | Sequence[int] | None = None, keepdim: bool = False) -> Tensor:  # noqa: A002
    """``torch.linalg.norm``: a vector norm over one axis (``dim`` an int), a matrix norm over two (``dim``
    a pair), and without ``dim`` the 2-norm of everything (``ord=None``) or, given ``ord``, the vector norm
    of a 1-D ``x`` or the matrix norm of a 2-D one.

    >>> norm(Tensor([[3.0, 0.0], [0.0, 4.0]])).item()
    5.0
    """
    fn = "norm"
    x = _float(x, fn)
    if dim is None:
        if ord is None:
            return vector_norm(x, 2, None, keepdim)
        if x.ndim == 1:
            return vector_norm(x, ord, None, keepdim)
        if x.ndim == 2:
            return matrix_norm(x, ord, (0, 1), keepdim)
        raise ShapeError(f"{fn}: with ord={ord!r} and no dim, x must be 1-D or 2-D, got shape {x.shape}")
    if isinstance(dim, (int, np.integer)) or len(dim) == 1:
        return vector_norm(x, 2 if ord is None else ord, dim, keepdim)
    if len(dim) == 2:
        return matrix_norm(x, "fro" if ord is None else ord, dim, keepdim)
    raise ShapeError(f"{fn}: dim must be an int or a pair of axes, got {dim!r}")
