"""The math library for raw data: ``math`` for a Value's floats, numpy for arrays.

Ops call ``lib(x).exp(x)`` so that a scalar ``Value`` stays a Python float
(several times faster than a numpy scalar) while tensors use numpy.
"""
from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any

import numpy as np


def _sigmoid(x: float) -> float:
    # Two branches so that exp never overflows, for any x.
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _log(x: float) -> float:
    # numpy's convention (log 0 = -inf, log of a negative = nan) rather than math's ValueError.
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


scalar = SimpleNamespace(
    exp=_exp, log=_log, sqrt=_sqrt, tanh=math.tanh, sin=math.sin, cos=math.cos,
    abs=abs, sign=lambda x: float((x > 0) - (x < 0)), sigmoid=_sigmoid,
    maximum=max, minimum=min,
)


def _np_sigmoid(x: np.ndarray) -> np.ndarray:
    # sigmoid(x) = (1 + tanh(x/2)) / 2: stable for any x and a single transcendental call.
    return (np.tanh(x * 0.5) + 1) * 0.5


array = SimpleNamespace(
    exp=np.exp, log=np.log, sqrt=np.sqrt, tanh=np.tanh, sin=np.sin, cos=np.cos,
    abs=np.abs, sign=np.sign, sigmoid=_np_sigmoid, maximum=np.maximum, minimum=np.minimum,
)


def lib(x: Any) -> SimpleNamespace:
    return scalar if type(x) is float else array
