"""pad: constant, reflect, replicate and circular padding, with PyTorch's pad-tuple order.

Declared once, here, as a function (``ag.functional.pad``; PyTorch has no ``Tensor.pad``), checked by its samples.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..engine import ArgumentError, Op, ShapeError, raw
from .indexing import GetItem, IndexAdd
from .registry import Samples, register_function

__all__ = ["Pad", "pad", "MODES"]

MODES = ("constant", "reflect", "replicate", "circular")


class Pad(Op, name="pad", args=("x",), vjp=True, saves=(),
          derivatives=("g at the places that copy x, added up where a place is copied several times",)):
    """pad(x): x with borders (PyTorch's ``F.pad``).

    ∂L/∂x = g at the places that copy x, added up where a place is copied several times:
    ``constant`` mode crops g back to x; ``reflect``, ``replicate`` and ``circular`` copy
    entries of x into the border, so their gradient is summed back onto those entries.
    """
    __slots__ = ("widths", "mode", "value")

    def __init__(self, widths: Sequence[tuple[int, int]], mode: str = "constant", value: float = 0.0) -> None:
        self.widths, self.mode, self.value = tuple(widths), mode, value  # (before, after) for every axis

    def label(self) -> str:
        padded = [w for w in self.widths if w != (0, 0)]
        return f"pad({self.mode}, {padded})"

    def _sources(self, shape: tuple[int, ...]) -> list[tuple[int, np.ndarray]]:
        """For each padded axis, the position in x that each output position copies."""
        sources = []
        for axis, ((before, after), n) in enumerate(zip(self.widths, shape)):
            if before == after == 0:
                continue
            p = np.arange(-before, n + after)
            if self.mode == "replicate":
                p = np.clip(p, 0, n - 1)
            elif self.mode == "circular":
                p = p % n
            else:  # reflect: the edge is not repeated
                p = np.abs(p)
                p = np.where(p > n - 1, 2 * (n - 1) - p, p)
            sources.append((axis, p))
        return sources

    def _regions(self, shape: tuple[int, ...]) -> tuple[tuple[slice, ...], tuple[slice, ...]]:
        """Constant mode: the part of x that is kept, and where it lands in the output (negative pads crop)."""
        kept, placed = [], []
        for (before, after), n in zip(self.widths, shape):
            start, stop = max(-before, 0), n - max(-after, 0)
            kept.append(slice(start, stop))
            placed.append(slice(max(before, 0), max(before, 0) + stop - start))
        return tuple(kept), tuple(placed)

    def forward(self, x):
        if self.mode != "constant":
            for axis, source in self._sources(x.shape):
                x = np.take(x, source, axis=axis)
            return x
        kept, placed = self._regions(x.shape)
        shape = tuple(n + before + after for (before, after), n in zip(self.widths, x.shape))
        out = np.full(shape, self.value, dtype=x.dtype)
        out[placed] = x[kept]
        return out

    def backward(self, g, y, x):
        shape = np.shape(raw(x))
        if self.mode == "constant":
            kept, placed = self._regions(shape)
            inner = GetItem(placed).apply(g)
            cropped = any(s != slice(0, n) for s, n in zip(kept, shape))
            return (IndexAdd(kept, shape).apply(inner) if cropped else inner,)
        sources = self._sources(shape)
        for axis, source in reversed(sources):  # undo the copies, last axis first; np.add.at sums repeats
            target = list(np.shape(raw(g)))
            target[axis] = shape[axis]
            g = IndexAdd((slice(None),) * axis + (source,), tuple(target)).apply(g)
        return (g,)


# Fixed (2, 3, 4) inputs: PyTorch pads in the non-constant modes only the last axes of 2-D to 5-D inputs.
@register_function(op=Pad, tensor=False, samples=Samples(
    shapes=((2, 3, 4),), torch="nn.functional.pad", linear=True, settings=(
        {"pad": (1, 2), "value": 0.5}, {"pad": (0, 1, 2, 0)}, {"pad": (-1, 1)}, {"pad": (2, 1), "mode": "reflect"},
        {"pad": (3, 1, 1, 2), "mode": "replicate"}, {"pad": (1, 2), "mode": "circular"})))
def pad(input: Any, pad: Sequence[int], mode: str = "constant", value: float | None = None) -> Any:  # noqa: A002
    """Pad ``input`` (``torch.nn.functional.pad``).

    ``pad`` lists (before, after) widths starting from the LAST axis, as
    PyTorch does: ``(1, 2)`` pads the last axis by 1 before and 2 after;
    ``(1, 1, 2, 2)`` pads the last axis by 1 and the one before by 2. Modes:
    ``"constant"`` (``value``, default 0; negative widths crop), ``"reflect"``
    (mirror without repeating the edge; widths smaller than the axis),
    ``"replicate"`` (repeat the edge), ``"circular"`` (wrap around; widths at
    most the axis). PyTorch limits the non-constant modes to the last 1-3 axes
    of batched inputs; here any axes may be padded.

    >>> pad(Tensor([1.0, 2.0, 3.0]), (2, 1), mode="reflect").tolist()
    [3.0, 2.0, 1.0, 2.0, 3.0, 2.0]
    """
    x, widths = input, tuple(pad)
    if any(isinstance(w, bool) or not isinstance(w, (int, np.integer)) for w in widths):
        raise TypeError(f"pad: widths must be ints, got {widths}")
    if len(widths) % 2 or len(widths) // 2 > x.ndim:
        raise ShapeError(f"pad: the pad tuple {widths} must have an even length of at most 2 × {x.ndim} "
                         f"(two widths per padded axis of shape {x.shape})")
    if mode not in MODES:
        raise ArgumentError(f"pad: mode must be one of {', '.join(map(repr, MODES))}, got {mode!r}")
    if value is not None and mode != "constant":
        raise ArgumentError(f"pad: value= is for mode 'constant' only, not {mode!r}")
    pairs = [(0, 0)] * x.ndim
    for i in range(len(widths) // 2):
        pairs[x.ndim - 1 - i] = (int(widths[2 * i]), int(widths[2 * i + 1]))
    for axis, (before, after) in enumerate(pairs):
        n = x.shape[axis]
        if mode == "constant":
            if n + before + after < 0:
                raise ShapeError(f"pad: widths {(before, after)} leave a negative size for axis {axis} of shape {x.shape}")
            continue
        if before < 0 or after < 0:
            raise ArgumentError(f"pad: negative widths crop only in mode 'constant', got {(before, after)} in {mode!r}")
        if (before or after) and mode == "reflect" and max(before, after) >= n:
            raise ShapeError(f"pad: reflect widths must be smaller than the axis: {(before, after)} for axis "
                             f"{axis} of length {n} (shape {x.shape})")
        if (before or after) and mode == "circular" and max(before, after) > n:
            raise ShapeError(f"pad: circular widths must be at most the axis: {(before, after)} for axis "
                             f"{axis} of length {n} (shape {x.shape})")
        if (before or after) and n == 0:
            raise ShapeError(f"pad: cannot pad the empty axis {axis} of shape {x.shape} in mode {mode!r}")
    return Pad(pairs, mode, 0.0 if value is None else value)(x)
