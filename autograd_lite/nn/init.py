"""Initial weights: each function returns a new float32 array of the given shape.

Every initialiser takes ``seed``: an int, a ``numpy.random.Generator`` (to draw
several arrays from one stream), or ``None``. ``None`` draws from the library's
default generator (:mod:`autograd_lite.random`): ``ag.manual_seed(0)`` makes
the whole run repeatable, and before any ``manual_seed``, so does
``np.random.seed(0)`` at the top of a script (as the seed programs do).

Fans follow PyTorch's layout, a weight of shape ``(out_features, in_features)``:
``fan_in = shape[1]``, ``fan_out = shape[0]`` (times the receptive field for
more dimensions). Keras keeps kernels as ``(in, out)``; the numbers drawn have
the same distribution either way.

>>> w = normal((50, 784), std=0.01, seed=42)     # seed 001's weight_init_std * randn
>>> w.dtype, round(float(w.std()), 3)
(dtype('float32'), 0.01)
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from ..random import Seed, as_generator

__all__ = [
    "as_generator", "calculate_fans", "zeros", "ones", "normal", "uniform",
    "glorot_uniform", "glorot_normal", "he_uniform", "he_normal",
    "xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal",
]

Shape = Sequence[int] | int


def _shape(shape: Shape) -> tuple[int, ...]:
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    if any(int(n) < 0 for n in shape):
        raise ValueError(f"init: shape {shape} has a negative size")
    return tuple(int(n) for n in shape)


def calculate_fans(shape: Shape) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight shaped ``(out, in, *receptive_field)``, as PyTorch computes them."""
    shape = _shape(shape)
    if len(shape) < 2:
        raise ValueError(f"init: fans need a weight with at least 2 dimensions, got shape {shape}")
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def zeros(shape: Shape) -> np.ndarray:
    """All zeros (the bias default in both PyTorch's Dense-like layers and Keras)."""
    return np.zeros(_shape(shape), dtype=np.float32)


def ones(shape: Shape) -> np.ndarray:
    return np.ones(_shape(shape), dtype=np.float32)


def normal(shape: Shape, std: float = 1.0, mean: float = 0.0, seed: Seed = None) -> np.ndarray:
    """Gaussian with the given ``mean`` and ``std`` (seed 001 uses std 0.01, seed 003 std 0.1)."""
    if std < 0:
        raise ValueError(f"normal: std must be >= 0, got {std}")
    return as_generator(seed).normal(mean, std, _shape(shape)).astype(np.float32)


def uniform(shape: Shape, low: float = 0.0, high: float = 1.0, seed: Seed = None) -> np.ndarray:
    """Uniform in ``[low, high)`` (seed 002's NaiveDense uses ``[0, 0.1)``)."""
    if not low <= high:
        raise ValueError(f"uniform: need low <= high, got low={low}, high={high}")
    return as_generator(seed).uniform(low, high, _shape(shape)).astype(np.float32)


def glorot_uniform(shape: Shape, gain: float = 1.0, seed: Seed = None) -> np.ndarray:
    """U(-a, a) with a = gain·√(6 / (fan_in + fan_out)): Keras's default kernel initialiser."""
    fan_in, fan_out = calculate_fans(shape)
    limit = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform(shape, -limit, limit, seed)


def glorot_normal(shape: Shape, gain: float = 1.0, seed: Seed = None) -> np.ndarray:
    """N(0, σ²) with σ = gain·√(2 / (fan_in + fan_out)).

    PyTorch's ``xavier_normal_``; Keras's ``GlorotNormal`` draws from a normal truncated at 2σ instead.
    """
    fan_in, fan_out = calculate_fans(shape)
    return normal(shape, gain * math.sqrt(2.0 / (fan_in + fan_out)), seed=seed)


def he_uniform(shape: Shape, seed: Seed = None) -> np.ndarray:
    """U(-a, a) with a = √(6 / fan_in), for ReLU layers (He et al., 2015)."""
    fan_in, _ = calculate_fans(shape)
    limit = math.sqrt(6.0 / fan_in)
    return uniform(shape, -limit, limit, seed)


def he_normal(shape: Shape, seed: Seed = None) -> np.ndarray:
    """N(0, σ²) with σ = √(2 / fan_in).

    PyTorch's ``kaiming_normal_`` (for ReLU); Keras's ``HeNormal`` truncates at 2σ instead.
    """
    fan_in, _ = calculate_fans(shape)
    return normal(shape, math.sqrt(2.0 / fan_in), seed=seed)


# PyTorch's names for the same initialisers.
xavier_uniform = glorot_uniform
xavier_normal = glorot_normal
kaiming_uniform = he_uniform
kaiming_normal = he_normal
