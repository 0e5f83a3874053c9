"""Max and average pooling over the windows of ``ops/conv.py``, each one recorded op.

Both loop over the kernel's taps (4 for a 2x2 kernel), each tap a strided
slice of the padded input covering every window at once: no window is
gathered into a copy, and no ``np.add.at``.

Their gradients are ops too, so that second derivatives exist:

* max pooling sends ``g`` to the element each window picked (``max_pool2d_scatter``);
  the adjoint of that scatter is a gather of the same elements (``max_pool2d_gather``);
* average pooling is linear: its adjoint spreads ``g``/count over each window
  (``avg_pool2d_scatter``), whose adjoint is average pooling again.
"""
from __future__ import annotations

import numpy as np

from ..engine import Op, raw
from .conv import Window2d

__all__ = ["MaxPool2d", "MaxPool2dScatter", "MaxPool2dGather", "AvgPool2d", "AvgPool2dScatter", "avg_pool_divisor"]


def _lowest(dtype: np.dtype) -> float | int:
    """The padding max pooling never picks: -inf, or the smallest integer."""
    return -np.inf if np.dtype(dtype).kind == "f" else np.iinfo(dtype).min


def _tap_dtype(window: Window2d) -> type:
    return np.uint8 if window.kernel[0] * window.kernel[1] <= 256 else np.int32


def _windows_overlap(window: Window2d) -> bool:
    """Whether two windows can share an input element (stride shorter than the kernel's span)."""
    return any(s < d * (k - 1) + 1 for s, d, k in zip(window.stride, window.dilation, window.kernel))


class MaxPool2d(Op, name="max_pool2d", args=("x",), vjp=True, saves=(),
                derivatives=("g sent to the element each window picked",)):
    """max_pool2d(x): the largest element of each window.   ∂L/∂x = g sent to the element each window picked

    Ties go to the first tap in row-major order, as in PyTorch; a NaN in a window is picked.
    """
    __slots__ = ("window", "picked")

    def __init__(self, window: Window2d) -> None:
        self.window = window
        self.picked: np.ndarray | None = None  # the tap each window picked (set by forward)

    def label(self) -> str:
        return f"max_pool2d {self.window.describe()}"

    def forward(self, x):
        padded = self.window.pad(x, _lowest(x.dtype))
        out_size = self.window.output_size(*x.shape[2:])
        taps = self.window.taps(out_size)
        _, first = next(taps)
        best = padded[(slice(None), slice(None)) + first].copy()
        picked = np.zeros(best.shape, dtype=_tap_dtype(self.window))
        has_nan = x.dtype.kind == "f" and np.isnan(np.sum(x))  # one pass; NaN-aware comparisons only if needed
        for k, (rows, cols) in taps:
            candidate = padded[:, :, rows, cols]
            better = candidate > best
            if has_nan:
                better |= np.isnan(candidate) & ~np.isnan(best)
            np.copyto(best, candidate, where=better)
            picked[better] = k
        self.picked = picked
        return best

    def backward(self, g, y, x):
        return (MaxPool2dScatter(self.window, self.picked, np.shape(raw(x))).apply(g),)


class MaxPool2dScatter(Op, name="max_pool2d_scatter", args=("g",), vjp=True, saves=(),
                       derivatives=("∂L/∂y read at the element each window picked",)):
    """The gradient of max pooling: zeros, with each window's ``g`` added at the element it picked.

    ∂L/∂g = ∂L/∂y read at the element each window picked (``max_pool2d_gather``)
    """
    __slots__ = ("window", "picked", "shape")

    def __init__(self, window: Window2d, picked: np.ndarray, shape: tuple[int, ...]) -> None:
        self.window, self.picked, self.shape = window, picked, tuple(shape)

    def forward(self, g):
        padded = np.zeros(self.shape[:2] + self.window.padded_size(*self.shape[2:]), dtype=g.dtype)
        overlap = _windows_overlap(self.window)
        for k, (rows, cols) in self.window.taps(g.shape[2:]):
            mine = self.picked == k
            if overlap:
                padded[:, :, rows, cols] += np.where(mine, g, 0)
            else:  # every (window, tap) is its own element: a masked copy, no temporary
                np.copyto(padded[:, :, rows, cols], g, where=mine)
        return self.window.crop(padded, *self.shape[2:])

    def backward(self, gy, y, g):
        return (MaxPool2dGather(self.window, self.picked).apply(gy),)


class MaxPool2dGather(Op, name="max_pool2d_gather", args=("x",), vjp=True, saves=(),
                      derivatives=("g sent to the element each window picked",)):
    """x read at the elements a max pooling picked (the adjoint of ``max_pool2d_scatter``).

    ∂L/∂x = g sent to the element each window picked (``max_pool2d_scatter``)
    """
    __slots__ = ("window", "picked")

    def __init__(self, window: Window2d, picked: np.ndarray) -> None:
        self.window, self.picked = window, picked

    def forward(self, x):
        padded = self.window.pad(x)
        out = np.zeros(x.shape[:2] + self.picked.shape[2:], dtype=x.dtype)
        for k, (rows, cols) in self.window.taps(self.picked.shape[2:]):
            np.copyto(out, padded[:, :, rows, cols], where=self.picked == k)
        return out

    def backward(self, g, y, x):
        return (MaxPool2dScatter(self.window, self.picked, np.shape(raw(x))).apply(g),)


def avg_pool_divisor(window: Window2d, height: int, width: int, count_include_pad: bool) -> np.ndarray:
    """What each window's sum is divided by, shape (Ho, Wo), by PyTorch's rule: the window's size,
    cut at the padding's outer edge (ceil mode), and without the padding unless ``count_include_pad``."""
    out_size = window.output_size(height, width)
    counts = []
    for axis, length in enumerate((height, width)):
        before, after = window.padding[axis]
        start = np.arange(out_size[axis]) * window.stride[axis] - before
        end = np.minimum(start + window.kernel[axis], length + after)
        if not count_include_pad:
            start, end = np.maximum(start, 0), np.minimum(end, length)
        counts.append(end - start)
    return np.outer(counts[0], counts[1])


class AvgPool2d(Op, name="avg_pool2d", args=("x",), vjp=True, saves=(),
                derivatives=("g / count, spread over each window",)):
    """avg_pool2d(x): each window's sum divided by its count.   ∂L/∂x = g / count, spread over each window"""
    __slots__ = ("window", "divisor")

    def __init__(self, window: Window2d, divisor: np.ndarray) -> None:
        self.window, self.divisor = window, divisor

    def label(self) -> str:
        return f"avg_pool2d {self.window.describe()}"

    def forward(self, x):
        padded = self.window.pad(x)
        taps = self.window.taps(self.divisor.shape)
        _, first = next(taps)
        total = padded[(slice(None), slice(None)) + first].copy()
        for _, (rows, cols) in taps:
            total += padded[:, :, rows, cols]
        return total / self.divisor.astype(total.dtype)

    def backward(self, g, y, x):
        return (AvgPool2dScatter(self.window, self.divisor, np.shape(raw(x))).apply(g),)


class AvgPool2dScatter(Op, name="avg_pool2d_scatter", args=("g",), vjp=True, saves=(),
                       derivatives=("avg_pool2d(∂L/∂y)",)):
    """The gradient of average pooling: g / count added over each window.   ∂L/∂g = avg_pool2d(∂L/∂y)"""
    __slots__ = ("window", "divisor", "shape")

    def __init__(self, window: Window2d, divisor: np.ndarray, shape: tuple[int, ...]) -> None:
        self.window, self.divisor, self.shape = window, divisor, tuple(shape)

    def forward(self, g):
        share = g / self.divisor.astype(g.dtype)
        padded = np.zeros(self.shape[:2] + self.window.padded_size(*self.shape[2:]), dtype=share.dtype)
        for _, (rows, cols) in self.window.taps(self.divisor.shape):
            padded[:, :, rows, cols] += share
        return self.window.crop(padded, *self.shape[2:])

    def backward(self, gy, y, g):
        return (AvgPool2d(self.window, self.divisor).apply(gy),)
