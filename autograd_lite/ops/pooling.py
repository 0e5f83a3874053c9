"""Max and average pooling over the windows of ``ops/conv.py``, each one recorded op.

Both work along one axis at a time (a window's maximum or sum is that of its
rows' maxima or sums), looping over the kernel's taps along that axis (2 for a
2x2 kernel), each tap one strided slice covering every window at once: no
window is gathered into a copy, and no ``np.add.at``. Max pooling and its
gradient split a big batch over ``threads.op_threads()`` threads (``threads.batch_parts``).

Their gradients are ops too, so that second derivatives exist:

* max pooling sends ``g`` to the element each window picked (``max_pool2d_scatter``);
  the adjoint of that scatter is a gather of the same elements (``max_pool2d_gather``);
* average pooling is linear: its adjoint spreads ``g``/count over each window
  (``avg_pool2d_scatter``), whose adjoint is average pooling again.
"""
from __future__ import annotations

import numpy as np

from ..engine import Op, raw
from ..threads import batch_parts, map_in_threads
from .conv import Window2d

__all__ = ["MaxPool2dOp", "MaxPool2dScatter", "MaxPool2dGather", "AvgPool2dOp", "AvgPool2dScatter", "avg_pool_divisor",
           "max_pool_indices"]


def _lowest(dtype: np.dtype) -> float | int:
    """The padding max pooling never picks: -inf, or the smallest integer."""
    return -np.inf if np.dtype(dtype).kind == "f" else np.iinfo(dtype).min


def _axis_taps(window: Window2d, axis: int, out_len: int) -> list[tuple[slice, ...]]:
    """For each tap t of the kernel along ``axis`` (0: height, 1: width), the index of the
    padded (N, C, H, W) array it reads, one element per output position along that axis."""
    k, s, d = window.kernel[axis], window.stride[axis], window.dilation[axis]
    lead = (slice(None),) * (2 + axis)
    return [lead + (slice(t * d, t * d + s * (out_len - 1) + 1, s),) for t in range(k)]


def _overlaps(window: Window2d, axis: int) -> bool:
    """Whether two windows can share an element along ``axis`` (stride shorter than the kernel's span)."""
    return window.stride[axis] < window.dilation[axis] * (window.kernel[axis] - 1) + 1


def _pick(a: np.ndarray, taps: list[tuple[slice, ...]], picked: np.ndarray,
          best: np.ndarray | None = None) -> np.ndarray:
    """The largest of ``a[tap]`` over the taps (into ``best``, or a new array), and which tap held it
    (into ``picked``; the first of equals, as PyTorch). Where the taps hold a NaN, the NaN is the
    largest, but which tap held it is left to ``_pick_first_nan``."""
    if len(taps) == 1:
        picked[...] = 0
        if best is None:
            return a[taps[0]].copy()
        best[...] = a[taps[0]]
        return best
    first, second = a[taps[0]], a[taps[1]]
    if picked.dtype == np.uint8:
        np.greater(second, first, out=picked.view(bool))  # 0 or 1, straight into place
    else:
        np.greater(second, first, out=picked, casting="unsafe")
    best = np.maximum(first, second, out=best)  # np.maximum keeps a NaN, as PyTorch's max pooling does
    for t in range(2, len(taps)):
        candidate = a[taps[t]]
        better = candidate > best
        np.maximum(best, candidate, out=best)  # np.maximum keeps a NaN, as PyTorch's max pooling does
        # picked < t so far, so "t where better" is a maximum: measured 100x faster than np.copyto(where=)
        np.maximum(picked, better * picked.dtype.type(t), out=picked)
    return best


def _pick_first_nan(a: np.ndarray, taps: list[tuple[slice, ...]], picked: np.ndarray) -> None:
    """Where ``a[tap]`` holds a NaN for some tap, make ``picked`` the first such tap (in place)."""
    seen = np.zeros(picked.shape, dtype=bool)
    for t, tap in enumerate(taps):
        nan = np.isnan(a[tap])
        np.copyto(picked, t, where=nan & ~seen)
        seen |= nan


def _tiles(window: Window2d, axis: int, out_len: int, length: int) -> bool:
    """Whether the windows along ``axis`` cover its ``length`` elements once each (kernel = stride,
    no dilation, no remainder): then a gradient sent back writes every element, with no zeros first."""
    k, s, d = window.kernel[axis], window.stride[axis], window.dilation[axis]
    return d == 1 and s == k and out_len * s == length


def _send_back(g: np.ndarray, picked: np.ndarray, taps: list[tuple[slice, ...]], out: np.ndarray,
               overlap: bool) -> np.ndarray:
    """``out`` (zeros, or any values where the taps cover every element once) with each ``g`` added
    at the tap ``picked`` for it: the adjoint of ``_pick``'s choice.

    Masks are applied by multiplying (several times faster than ``np.where``), so an
    infinite gradient gives NaN, not 0, beside its picked element."""
    for t, tap in enumerate(taps):
        if overlap:
            out[tap] += g * (picked == t)
        else:  # each element belongs to one window: written once, straight into place
            np.multiply(g, picked == t, out=out[tap])
    return out


def _landing(shape: tuple[int, ...], dtype: np.dtype, tiles: bool) -> np.ndarray:
    """Where ``_send_back`` writes: fresh memory when the windows tile it (each element gets written), else zeros."""
    return np.empty(shape, dtype=dtype) if tiles else np.zeros(shape, dtype=dtype)


def _read_picked(a: np.ndarray, picked: np.ndarray, taps: list[tuple[slice, ...]]) -> np.ndarray:
    """``a`` read at the tap ``picked`` for each output position (the gather ``_pick`` chose)."""
    out = a[taps[0]] * (picked == 0)
    for t in range(1, len(taps)):
        out += a[taps[t]] * (picked == t)
    return out


class MaxPool2dOp(Op, name="max_pool2d", args=("x",), vjp=True, saves=(),
                derivatives=("g sent to the element each window picked",)):
    """max_pool2d(x): the largest element of each window.   ∂L/∂x = g sent to the element each window picked

    Ties go to the first element in row-major order, as in PyTorch; a NaN in a window is picked.

    The window's maximum is found in two passes, as a 2-D maximum is the maximum of
    its rows' maxima: along the width (for every padded row), then along the height.
    Each pass reads whole rows, so numpy's loops run long; one pass over 2-D tap
    slices runs short strided loops, measured 10-30x slower. ``picked`` keeps the
    column picked in every row and window, and the row picked in every window.
    """
    __slots__ = ("window", "picked")

    def __init__(self, window: Window2d) -> None:
        self.window = window
        self.picked: tuple[np.ndarray, np.ndarray] | None = None  # (rows, columns) picked, set by forward

    def label(self) -> str:
        return f"max_pool2d {self.window.describe()}"

    def forward(self, x):
        padded = self.window.pad(x, _lowest(x.dtype))
        n, channels, hp, _ = padded.shape
        ho, wo = self.window.output_size(*x.shape[2:])
        along_width, along_height = _axis_taps(self.window, 1, wo), _axis_taps(self.window, 0, ho)
        index = np.uint8 if max(self.window.kernel) <= 256 else np.int32
        best = np.empty((n, channels, ho, wo), dtype=x.dtype)
        rows, columns = np.empty(best.shape, dtype=index), np.empty((n, channels, hp, wo), dtype=index)

        def images(part: slice) -> None:
            row_max = _pick(padded[part], along_width, columns[part])
            _pick(row_max, along_height, rows[part], best[part])
            # A NaN in a window makes its maximum NaN, so one look at the result finds them all (rare: a
            # window with a NaN picks its first NaN, as in PyTorch).
            if best.dtype.kind == "f" and np.isnan(np.sum(best[part])):
                _pick_first_nan(padded[part], along_width, columns[part])
                _pick_first_nan(row_max, along_height, rows[part])
        map_in_threads(images, batch_parts(n, padded.nbytes))
        self.picked = rows, columns
        return best

    def backward(self, g, y, x):
        return (MaxPool2dScatter(self.window, self.picked, np.shape(raw(x))).apply(g),)


class MaxPool2dScatter(Op, name="max_pool2d_scatter", args=("g",), vjp=True, saves=(),
                       derivatives=("∂L/∂y read at the element each window picked",)):
    """The gradient of max pooling: zeros, with each window's ``g`` added at the element it picked.

    ∂L/∂g = ∂L/∂y read at the element each window picked (``max_pool2d_gather``)
    """
    __slots__ = ("window", "picked", "shape")

    def __init__(self, window: Window2d, picked: tuple[np.ndarray, np.ndarray], shape: tuple[int, ...]) -> None:
        self.window, self.picked, self.shape = window, picked, tuple(shape)

    def forward(self, g):
        rows, columns = self.picked
        padded_shape = self.shape[:2] + self.window.padded_size(*self.shape[2:])
        # back through the two passes of the forward: to the picked row, then to the picked column in it
        ho, wo = g.shape[2:]
        along_height, along_width = _axis_taps(self.window, 0, ho), _axis_taps(self.window, 1, wo)
        rows_tile, columns_tile = _tiles(self.window, 0, ho, columns.shape[2]), _tiles(self.window, 1, wo, padded_shape[3])
        padded = _landing(padded_shape, g.dtype, columns_tile)

        def images(part: slice) -> None:
            to_rows = _send_back(g[part], rows[part], along_height, _landing(columns[part].shape, g.dtype, rows_tile),
                                 _overlaps(self.window, 0))
            _send_back(to_rows, columns[part], along_width, padded[part], _overlaps(self.window, 1))
        map_in_threads(images, batch_parts(len(g), padded.nbytes))
        return self.window.crop(padded, *self.shape[2:])

    def backward(self, gy, y, g):
        return (MaxPool2dGather(self.window, self.picked).apply(gy),)


class MaxPool2dGather(Op, name="max_pool2d_gather", args=("x",), vjp=True, saves=(),
                      derivatives=("g sent to the element each window picked",)):
    """x read at the elements a max pooling picked (the adjoint of ``max_pool2d_scatter``).

    ∂L/∂x = g sent to the element each window picked (``max_pool2d_scatter``)
    """
    __slots__ = ("window", "picked")

    def __init__(self, window: Window2d, picked: tuple[np.ndarray, np.ndarray]) -> None:
        self.window, self.picked = window, picked

    def forward(self, x):
        rows, columns = self.picked
        in_rows = _read_picked(self.window.pad(x), columns, _axis_taps(self.window, 1, columns.shape[3]))
        return _read_picked(in_rows, rows, _axis_taps(self.window, 0, rows.shape[2]))

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


def _sum_taps(a: np.ndarray, taps: list[tuple[slice, ...]]) -> np.ndarray:
    total = a[taps[0]].copy()
    for tap in taps[1:]:
        total += a[tap]
    return total


def _spread_taps(g: np.ndarray, taps: list[tuple[slice, ...]], shape: tuple[int, ...]) -> np.ndarray:
    """The adjoint of ``_sum_taps``: zeros of ``shape`` with ``g`` added at every tap."""
    out = np.zeros(shape, dtype=g.dtype)
    for tap in taps:
        out[tap] += g
    return out


class AvgPool2dOp(Op, name="avg_pool2d", args=("x",), vjp=True, saves=(),
                derivatives=("g / count, spread over each window",)):
    """avg_pool2d(x): each window's sum divided by its count.   ∂L/∂x = g / count, spread over each window"""
    __slots__ = ("window", "divisor")

    def __init__(self, window: Window2d, divisor: np.ndarray) -> None:
        self.window, self.divisor = window, divisor

    def label(self) -> str:
        return f"avg_pool2d {self.window.describe()}"

    def forward(self, x):
        # summed along the width, then along the height: long loops, as in max pooling
        ho, wo = self.divisor.shape
        total = _sum_taps(_sum_taps(self.window.pad(x), _axis_taps(self.window, 1, wo)), _axis_taps(self.window, 0, ho))
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
        hp, wp = self.window.padded_size(*self.shape[2:])
        to_rows = _spread_taps(share, _axis_taps(self.window, 0, share.shape[2]), share.shape[:2] + (hp, share.shape[3]))
        padded = _spread_taps(to_rows, _axis_taps(self.window, 1, share.shape[3]), self.shape[:2] + (hp, wp))
        return self.window.crop(padded, *self.shape[2:])

    def backward(self, gy, y, g):
        return (AvgPool2dOp(self.window, self.divisor).apply(gy),)


def max_pool_indices(window: Window2d, picked: tuple[np.ndarray, np.ndarray], width: int) -> np.ndarray:
    """PyTorch's ``return_indices``: where each window's maximum was, as a flat index into its
    channel's unpadded H·W input."""
    rows, columns = picked
    (sh, sw), (dh, dw) = window.stride, window.dilation
    padded_row = np.arange(rows.shape[2])[:, None] * sh + rows * dh  # the picked row of the padded input
    column = np.take_along_axis(columns, padded_row.astype(np.intp), axis=2)
    padded_col = np.arange(rows.shape[3]) * sw + column * dw
    return (padded_row - window.padding[0][0]).astype(np.int64) * width + (padded_col - window.padding[1][0])
