"""Tensors made from nothing: ``zeros ones full empty arange linspace eye rand randn randint`` and the ``*_like`` forms.

PyTorch's names, arguments and default dtypes: float32 unless the numbers say
otherwise (``arange(5)`` and ``full((2,), 7)`` are int64, ``full((2,), True)``
is bool, as in PyTorch). Every function takes ``dtype=`` and
``requires_grad=``; the random ones take ``generator=`` (a
``numpy.random.Generator``) or ``seed=`` (an int), and otherwise draw from the
default generator that :func:`autograd_lite.manual_seed` seeds.

>>> import autograd_lite as ag
>>> ag.zeros(2, 3).shape, ag.arange(4).tolist(), ag.eye(2).tolist()
((2, 3), [0, 1, 2, 3], [[1.0, 0.0], [0.0, 1.0]])
>>> _ = ag.manual_seed(0); a = ag.randn(3); _ = ag.manual_seed(0)
>>> a.tolist() == ag.randn(3).tolist()
True
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from .dtypes import DEFAULT_FLOAT, as_dtype
from .engine import ArgumentError
from .random import as_generator
from .tensor import Tensor

__all__ = ["zeros", "ones", "full", "empty", "arange", "linspace", "eye", "rand", "randn", "randint",
           "zeros_like", "ones_like", "full_like", "empty_like", "rand_like", "randn_like", "randint_like"]


def _size(size: Sequence[Any], fn: str) -> tuple[int, ...]:
    """``(2, 3)`` from ``f(2, 3)``, ``f((2, 3))`` or ``f([2, 3])``, checked."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for n in size:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
            raise TypeError(f"{fn}: sizes must be ints, got {n!r} in {tuple(size)}")
        if n < 0:
            raise ArgumentError(f"{fn}: negative size {n} in {tuple(size)}")
    return tuple(int(n) for n in size)


def _dtype(dtype: Any, default: Any, fn: str) -> np.dtype:
    return np.dtype(default) if dtype is None else as_dtype(dtype, fn)


def _made(data: np.ndarray, requires_grad: bool) -> Tensor:
    t = Tensor._from_op(data, None)  # freshly made: no copy needed
    return t.requires_grad_(True) if requires_grad else t


def zeros(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros (``torch.zeros``).

    >>> zeros(2, dtype="int64").tolist()
    [0, 0]
    """
    return _made(np.zeros(_size(size, "zeros"), _dtype(dtype, DEFAULT_FLOAT, "zeros")), requires_grad)


def ones(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones (``torch.ones``)."""
    return _made(np.ones(_size(size, "ones"), _dtype(dtype, DEFAULT_FLOAT, "ones")), requires_grad)


def empty(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor whose values are not set (``torch.empty``); here they are zeros, so nothing uninitialised leaks."""
    return _made(np.zeros(_size(size, "empty"), _dtype(dtype, DEFAULT_FLOAT, "empty")), requires_grad)


def _number_dtype(value: Any) -> Any:
    """PyTorch's dtype for a Python number: bool, int64, or the default float."""
    if isinstance(value, (bool, np.bool_)):
        return np.bool_
    if isinstance(value, (int, np.integer)):
        return np.int64
    return DEFAULT_FLOAT


def full(size: Sequence[int] | int, fill_value: Any, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor filled with ``fill_value`` (``torch.full``); an int fill gives int64, as in PyTorch.

    >>> full((2,), 7).tolist(), full((2,), 0.5).dtype
    ([7, 7], dtype('float32'))
    """
    shape = _size((size,) if isinstance(size, (int, np.integer)) else (size,), "full")
    return _made(np.full(shape, fill_value, _dtype(dtype, _number_dtype(fill_value), "full")), requires_grad)


def arange(start: float, end: float | None = None, step: float = 1, *, dtype: Any = None,
           requires_grad: bool = False) -> Tensor:
    """``start, start + step, ...`` up to but not including ``end`` (``torch.arange``).

    int64 when all three are ints, else float32.

    >>> arange(1, 2, 0.25).tolist()
    [1.0, 1.25, 1.5, 1.75]
    """
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ArgumentError("arange: step must be nonzero")
    if (end - start) * step < 0:
        raise ArgumentError(f"arange: upper bound and step sign do not agree (start={start}, end={end}, step={step})")
    ints = all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in (start, end, step))
    wanted = _dtype(dtype, np.int64 if ints else DEFAULT_FLOAT, "arange")
    count = max(math.ceil((end - start) / step), 0)
    # Computed in float64 (or int64) and cast once, as PyTorch does, so float32 steps do not drift.
    values = start + step * np.arange(count, dtype=np.int64 if ints else np.float64)
    return _made(values.astype(wanted), requires_grad)


def linspace(start: float, end: float, steps: int, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced numbers from ``start`` to ``end``, both included (``torch.linspace``).

    >>> linspace(0, 1, 5).tolist()
    [0.0, 0.25, 0.5, 0.75, 1.0]
    """
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ArgumentError(f"linspace: steps must be a non-negative int, got {steps!r}")
    wanted = _dtype(dtype, DEFAULT_FLOAT, "linspace")
    return _made(np.linspace(start, end, int(steps)).astype(wanted), requires_grad)


def eye(n: int, m: int | None = None, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """An ``n`` × ``m`` matrix with ones on the diagonal (``torch.eye``)."""
    n, m = _size((n, n if m is None else m), "eye")
    return _made(np.eye(n, m, dtype=_dtype(dtype, DEFAULT_FLOAT, "eye")), requires_grad)


def _float_dtype(dtype: Any, fn: str) -> np.dtype:
    wanted = _dtype(dtype, DEFAULT_FLOAT, fn)
    if wanted.kind != "f":
        raise TypeError(f"{fn}: dtype must be floating point, got {wanted}")
    return wanted


def rand(*size: Any, generator: np.random.Generator | None = None, seed: int | None = None,
         dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform numbers in [0, 1) (``torch.rand``).

    >>> rand(2, 3, seed=0).shape
    (2, 3)
    """
    wanted = _float_dtype(dtype, "rand")
    rng = as_generator(seed, generator)
    data = rng.random(_size(size, "rand"), dtype=np.float64 if wanted == np.float64 else np.float32)
    return _made(data.astype(wanted, copy=False), requires_grad)


def randn(*size: Any, generator: np.random.Generator | None = None, seed: int | None = None,
          dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard normal numbers (``torch.randn``)."""
    wanted = _float_dtype(dtype, "randn")
    rng = as_generator(seed, generator)
    data = rng.standard_normal(_size(size, "randn"), dtype=np.float64 if wanted == np.float64 else np.float32)
    return _made(data.astype(wanted, copy=False), requires_grad)


def randint(low: int, high: int | None = None, size: Sequence[int] = (), *,
            generator: np.random.Generator | None = None, seed: int | None = None,
            dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Integers from ``low`` up to but not including ``high`` (``torch.randint(low, high, size)``;
    ``randint(high, size)`` starts at 0). int64 by default.

    >>> randint(0, 10, (3,), seed=0).dtype
    dtype('int64')
    """
    if high is None or (size == () and isinstance(high, (tuple, list))):
        if isinstance(high, (tuple, list)):
            size = high
        low, high = 0, low
    if high <= low:
        raise ArgumentError(f"randint: need low < high, got low={low}, high={high}")
    wanted = _dtype(dtype, np.int64, "randint")
    rng = as_generator(seed, generator)
    return _made(rng.integers(low, high, _size((size,), "randint")).astype(wanted), requires_grad)


def _like(x: Any) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"expected a Tensor to take the shape of, got {type(x).__name__}")
    return x


def zeros_like(input: Tensor, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:  # noqa: A002
    """Zeros of ``input``'s shape and dtype (``torch.zeros_like``)."""
    x = _like(input)
    return zeros(x.shape, dtype=x.dtype if dtype is None else dtype, requires_grad=requires_grad)


def ones_like(input: Tensor, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:  # noqa: A002
    """Ones of ``input``'s shape and dtype (``torch.ones_like``)."""
    x = _like(input)
    return ones(x.shape, dtype=x.dtype if dtype is None else dtype, requires_grad=requires_grad)


def empty_like(input: Tensor, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:  # noqa: A002
    """``empty`` of ``input``'s shape and dtype."""
    x = _like(input)
    return empty(x.shape, dtype=x.dtype if dtype is None else dtype, requires_grad=requires_grad)


def full_like(input: Tensor, fill_value: Any, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:  # noqa: A002
    """``fill_value`` in ``input``'s shape and dtype (``torch.full_like``)."""
    x = _like(input)
    return full(x.shape, fill_value, dtype=x.dtype if dtype is None else dtype, requires_grad=requires_grad)


def rand_like(input: Tensor, *, generator: np.random.Generator | None = None, seed: int | None = None,  # noqa: A002
              dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """``rand`` of ``input``'s shape and dtype."""
    x = _like(input)
    return rand(x.shape, generator=generator, seed=seed, dtype=x.dtype if dtype is None else dtype, requires_grad=requires_grad)


def randn_like(input: Tensor, *, generator: np.random.Generator | None = None, seed: int | None = None,  # noqa: A002
               dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """``randn`` of ``input``'s shape and dtype."""
    x = _like(input)
    return randn(x.shape, generator=generator, seed=seed, dtype=x.dtype if dtype is None else dtype, requires_grad=requires_grad)


def randint_like(input: Tensor, low: int, high: int | None = None, *,  # noqa: A002
                 generator: np.random.Generator | None = None, seed: int | None = None, dtype: Any = None) -> Tensor:
    """``randint`` of ``input``'s shape and dtype."""
    x = _like(input)
    return randint(low, high, x.shape, generator=generator, seed=seed, dtype=x.dtype if dtype is None else dtype)
