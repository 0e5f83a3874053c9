"""How numbers, arrays and shapes are written, in one place, so every view of a graph agrees."""
from __future__ import annotations

from typing import Any

import numpy as np


def number(x: float) -> str:
    """Four decimals, as micrograd's ``draw_dot`` writes them."""
    return f"{x:.4f}"


def shape_text(x: Any) -> str:
    """``(32, 128) float32``; ``scalar float32`` for a 0-d array."""
    shape, dtype = (x.shape, x.dtype) if hasattr(x, "dtype") else (np.shape(x), np.asarray(x).dtype)
    return f"{'scalar' if len(shape) == 0 else tuple(shape)} {dtype}"


def values(x: Any, max_elements: int) -> str:
    """A number, or a small array's values, or (above ``max_elements``) a larger array's shape and dtype."""
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        return number(float(x))
    a = np.asarray(x)
    if a.ndim == 0 and a.dtype.kind == "f":
        return number(float(a))
    if a.size > max_elements:
        return shape_text(a)
    text = np.array2string(a, precision=4, floatmode="fixed", separator=", ", max_line_width=10**9)
    return " ".join(text.split())  # one line: labels and explanations are read left to right


def gradient(g: Any, max_elements: int) -> str:
    """A small gradient's values; a larger one's norm, which shows vanishing and exploding at a glance."""
    a = np.asarray(g)
    return values(a, max_elements) if a.size <= max_elements else f"norm {number(float(np.linalg.norm(a)))}"


class Lines(str):
    """Text whose repr is itself, so ``viz.explain(c)`` in a REPL or notebook reads like printed output."""

    __slots__ = ()

    def __repr__(self) -> str:
        return str(self)
