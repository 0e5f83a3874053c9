"""How numbers, arrays and shapes are written, in one place, so every view of a graph agrees."""
from __future__ import annotations

from typing import Any

import numpy as np

PREVIEW = 3  # values shown after the shape of an array too large to print whole


def number(x: float) -> str:
    """Four decimals, as micrograd's ``draw_dot`` writes them (node boxes)."""
    return f"{x:.4f}"


def short(x: float) -> str:
    """At most four significant digits and no trailing zeros (``-3.0``, ``0.7071``, ``6.8e-12``): for explanations."""
    text = f"{float(x):.4g}"
    return text if any(c in text for c in ".eninf") else text + ".0"


def shape_text(x: Any) -> str:
    """``(32, 128) float32``; ``scalar float32`` for a 0-d array (or a Tensor, read without its values)."""
    shape, dtype = (x.shape, x.dtype) if hasattr(x, "dtype") else (np.shape(x), np.asarray(x).dtype)
    return f"{'scalar' if len(shape) == 0 else tuple(shape)} {dtype}"


def values(x: Any, max_elements: int, compact: bool = False) -> str:
    """A number, or a small array's values, or (above ``max_elements``) a larger array's shape and dtype.

    ``compact=True`` (explanations, edge labels) writes numbers with :func:`short` and
    follows a large array's shape with its first few values: ``(4, 3) float32 [0.12, -0.5, 0.33, …]``.
    """
    write = short if compact else number
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        return write(float(x))
    a = np.asarray(x)
    if a.ndim == 0 and a.dtype.kind == "f":
        return write(float(a))
    if a.size > max_elements:
        if not compact or a.dtype.kind not in "fiub":
            return shape_text(a)
        return f"{shape_text(a)} [{', '.join(write(v) for v in a.flat[:PREVIEW])}, …]"
    if compact and a.dtype.kind == "f":
        text = np.array2string(a, separator=", ", max_line_width=10**9, formatter={"float_kind": short})
    else:
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
