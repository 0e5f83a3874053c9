"""The math library for raw data: ``math`` for a Value's floats, numpy for arrays.

Ops call ``lib(x).exp(x)`` so that a scalar ``Value`` stays a Python float
(several times faster than a numpy scalar) while tensors use numpy. The
scalar versions follow numpy's (and PyTorch's) conventions at the edges:
inf or nan where ``math`` would raise.
"""
from __future__ import annotations

import math
import operator
from types import SimpleNamespace
from typing import Any, Callable

import numpy as np


def _sigmoid(x: float) -> float:
    # Two branches so that exp never overflows, for any x.
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _log(x: float) -> float:
    if x > 0:
        return math.log(x)
    return -math.inf if x == 0 else math.nan


def _sqrt(x: float) -> float:
    return math.sqrt(x) if x >= 0 else math.nan


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def _power(x: float, n: float) -> float:
    y = x ** n  # ZeroDivisionError and OverflowError are turned into inf by the engine
    return math.nan if type(y) is complex else y  # a negative base to a fractional power


def _fmod(a: float, b: float) -> float:
    return math.fmod(a, b) if b != 0 else math.nan  # math.fmod raises where numpy gives nan


scalar = SimpleNamespace(
    exp=_exp, log=_log, sqrt=_sqrt, tanh=math.tanh, sin=math.sin, cos=math.cos,
    abs=abs, sign=lambda x: float((x > 0) - (x < 0)), sigmoid=_sigmoid,
    maximum=max, minimum=min, power=_power,
    floor_divide=operator.floordiv, remainder=operator.mod, fmod=_fmod, atan2=math.atan2, copysign=math.copysign,
)


def _np_sigmoid(x: np.ndarray) -> np.ndarray:
    # PyTorch's form: tiny results keep their relative precision (the tanh form rounds
    # sigmoid(-20) in float32 to 0). For x < -88 exp overflows to inf and 1/inf = 0, which is right.
    # (A two-branch np.where form is as exact but several times slower.)
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-x))


array = SimpleNamespace(
    exp=np.exp, log=np.log, sqrt=np.sqrt, tanh=np.tanh, sin=np.sin, cos=np.cos,
    abs=np.abs, sign=np.sign, sigmoid=_np_sigmoid, maximum=np.maximum, minimum=np.minimum,
    power=np.power,
    floor_divide=np.floor_divide, remainder=np.remainder, fmod=np.fmod, atan2=np.arctan2, copysign=np.copysign,
)


def scalar_nan_outside(fn: Callable[[float], float], pole: float | None = None,
                       at_pole: float = -math.inf) -> Callable[[float], float]:
    """A ``math`` function on floats that answers as numpy does where ``math`` raises:
    ``at_pole`` at ``pole`` (log's -inf at 0), nan outside the domain, inf on overflow."""
    def safe(x: float) -> float:
        if x == pole:
            return at_pole
        try:
            return fn(x)
        except ValueError:
            return math.nan
        except OverflowError:
            return math.copysign(math.inf, x) if fn is not math.cosh else math.inf
    safe.__name__ = getattr(fn, "__name__", "function")
    return safe


def scalar_integral(fn: Callable[[float], Any]) -> Callable[[float], float]:
    """floor, ceil, round, trunc on a float, returning a float (inf and nan pass through)."""
    def rounded(x: float) -> float:
        return float(fn(x)) if math.isfinite(x) else x
    rounded.__name__ = getattr(fn, "__name__", "function")
    return rounded


def lib(x: Any) -> SimpleNamespace:
    """``scalar`` for a Python float, ``array`` for everything else."""
    return scalar if type(x) is float else array
