"""Tests of numbers and logical combinations: bool tensors without history (no gradient, as in PyTorch)."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..engine import raw
from .reductions import integer_tensor
from .registry import Samples, register_function

_ONE = Samples(differentiable=False)
_TWO = Samples(inputs=2, differentiable=False)


@register_function(samples=_ONE)
def isnan(x: Any) -> Any:
    """Where x is nan.

    >>> Tensor([1.0, float("nan")]).isnan()
    Tensor([False,  True], dtype=bool)
    """
    return integer_tensor(x, np.isnan(raw(x)))


@register_function(samples=_ONE)
def isinf(x: Any) -> Any:
    """Where x is inf or -inf.

    >>> Tensor([1.0, float("-inf")]).isinf()
    Tensor([False,  True], dtype=bool)
    """
    return integer_tensor(x, np.isinf(raw(x)))


@register_function(samples=_ONE)
def isfinite(x: Any) -> Any:
    """Where x is neither nan nor ±inf.

    >>> Tensor([1.0, float("inf")]).isfinite()
    Tensor([ True, False], dtype=bool)
    """
    return integer_tensor(x, np.isfinite(raw(x)))


@register_function(samples=_ONE)
def logical_not(x: Any) -> Any:
    """Where x is zero (``not x``).

    >>> Tensor([0.0, 2.0]).logical_not()
    Tensor([ True, False], dtype=bool)
    """
    return integer_tensor(x, np.logical_not(raw(x)))


@register_function(samples=_TWO)
def logical_and(x: Any, other: Any) -> Any:
    """Where both are nonzero.

    >>> Tensor([0.0, 2.0, 3.0]).logical_and(Tensor([1.0, 0.0, 1.0]))
    Tensor([False, False,  True], dtype=bool)
    """
    return integer_tensor(x, np.logical_and(raw(x), raw(other)))


@register_function(samples=_TWO)
def logical_or(x: Any, other: Any) -> Any:
    """Where either is nonzero.

    >>> Tensor([0.0, 2.0, 0.0]).logical_or(Tensor([1.0, 0.0, 0.0]))
    Tensor([ True,  True, False], dtype=bool)
    """
    return integer_tensor(x, np.logical_or(raw(x), raw(other)))


@register_function(samples=Samples(inputs=2, differentiable=False, settings=({}, {"rtol": 0.5, "atol": 0.5})))
def isclose(x: Any, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> Any:
    """Where |x - other| ≤ atol + rtol·|other| (PyTorch's defaults and test).

    >>> Tensor([1.0, 2.0]).isclose(Tensor([1.0, 2.1]))
    Tensor([ True, False], dtype=bool)
    """
    return integer_tensor(x, np.isclose(raw(x), raw(other), rtol=rtol, atol=atol, equal_nan=equal_nan))


@register_function(samples=Samples(inputs=2, differentiable=False, settings=({}, {"rtol": 0.5, "atol": 0.5})))
def allclose(x: Any, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:
    """Whether every element is close (:func:`isclose`): a Python bool, as ``torch.allclose``.

    >>> Tensor([1.0, 2.0]).allclose(Tensor([1.0, 2.0 + 1e-9]))
    True
    """
    return bool(np.allclose(raw(x), raw(other), rtol=rtol, atol=atol, equal_nan=equal_nan))
