"""The ops (and, from the models layer, the losses) as functions, with PyTorch's names.

Each function accepts Tensors or anything ``np.asarray`` takes (made a constant
Tensor). Reductions take numpy's ``axis=``/``keepdims=`` or PyTorch's
``dim=``/``keepdim=``.
"""
from __future__ import annotations

import builtins
import functools
import inspect
from typing import Any, Callable, Sequence

import numpy as np

from .dtypes import promote_types
from .engine import ShapeError
from .ops import einsum as einsum_ops, registry
from .ops.elementwise import Where
from .ops.shape import Concat
from .tensor import Tensor, as_tensor, resolve_axis

__all__ = [
    "where",
    "reshape", "transpose", "permute", "broadcast_to", "expand", "squeeze", "unsqueeze", "flatten",
    "concat", "cat", "stack",
]


def _on_tensors(method: Callable[..., Any]) -> Callable[..., Any]:
    """The function for a method: its first argument, given by position or by its name
    (``F.pad(input=x, ...)``), may be anything ``as_tensor`` takes."""
    first = next(iter(inspect.signature(method).parameters))

    @functools.wraps(method)
    def function(*args: Any, **kwargs: Any) -> Any:
        if args:
            return method(as_tensor(args[0]), *args[1:], **kwargs)
        if first in kwargs:
            kwargs[first] = as_tensor(kwargs[first])
        return method(**kwargs)
    return function


def _add(entry: registry.Entry) -> None:
    if entry.functional:
        for name in registry.names(entry):
            globals()[name] = _on_tensors(entry.function)
            __all__.append(name)


def _remove(entry: registry.Entry) -> None:
    if entry.functional:
        for name in registry.names(entry):
            globals().pop(name, None)
            __all__.remove(name)


registry.on_declare(_add, _remove)  # exp, sum, softmax, gelu...: one function per op declared in ops


def where(condition: Any, a: Any, b: Any) -> Tensor:
    """``a`` where ``condition`` holds, else ``b`` (broadcast together)."""
    cond = np.asarray(condition.data if isinstance(condition, Tensor) else condition, dtype=bool)
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        a = as_tensor(a)
    return Where(cond)(a, b)


def reshape(x: Any, shape: Sequence[int]) -> Tensor: return as_tensor(x).reshape(shape)
def transpose(x: Any, *axes: Any) -> Tensor: return as_tensor(x).transpose(*axes)
def permute(x: Any, axes: Sequence[int]) -> Tensor: return as_tensor(x).permute(axes)
def broadcast_to(x: Any, shape: Sequence[int]) -> Tensor: return as_tensor(x).broadcast_to(shape)
def expand(x: Any, shape: Sequence[int]) -> Tensor: return as_tensor(x).expand(shape)
def flatten(x: Any, start_dim: int = 0, end_dim: int = -1) -> Tensor: return as_tensor(x).flatten(start_dim, end_dim)


def squeeze(x: Any, axis=None, *, dim=None) -> Tensor:
    return as_tensor(x).squeeze(axis, dim=dim)


def unsqueeze(x: Any, axis: int | None = None, *, dim: int | None = None) -> Tensor:
    return as_tensor(x).unsqueeze(axis, dim=dim)


def concat(tensors: Sequence[Any], axis: int = 0, *, dim: int | None = None) -> Tensor:
    """Join tensors along an existing axis (``torch.cat``, ``np.concatenate``)."""
    axis = resolve_axis(axis if dim is None else None, dim)[0]
    tensors = [as_tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("concat: needs at least one tensor")
    return Concat(axis)(*_one_dtype(tensors))


cat = concat


def stack(tensors: Sequence[Any], axis: int = 0, *, dim: int | None = None) -> Tensor:
    """Join tensors of one shape along a new axis."""
    axis = resolve_axis(axis if dim is None else None, dim)[0]
    tensors = [as_tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("stack: needs at least one tensor")
    shapes = {t.shape for t in tensors}
    if len(shapes) > 1:
        raise ShapeError(f"stack: all tensors must have one shape; got {', '.join(map(str, (t.shape for t in tensors)))}")
    return Concat(axis)(*[t.unsqueeze(axis) for t in _one_dtype(tensors)])


def _one_dtype(tensors: list[Tensor]) -> list[Tensor]:
    """The tensors cast to the dtype they promote to by PyTorch's table, as ``torch.cat`` and ``torch.stack``
    join them (an int64 and a float32 tensor join as float32; numpy would make float64)."""
    target = functools.reduce(promote_types, (t.dtype for t in tensors))
    return [t if t.dtype == target else t.to(target) for t in tensors]


# == Products (engine breadth, issue 13). The shape, indexing and product functions (pad, flip, gather,
# == outer...) are declared with their ops in ops/; einsum is written here: its first argument is the
# == subscripts, not a tensor, and it has no method.
def einsum(subscripts: str, *operands: Any) -> Tensor:
    """``torch.einsum``: any subscripts, a gradient through every operand; see :func:`autograd_lite.ops.einsum.einsum`.

    >>> einsum("ii->", Tensor([[1.0, 2.0], [3.0, 4.0]])).item()
    5.0
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    return einsum_ops.einsum(subscripts, *[as_tensor(x) for x in operands])


__all__ += ["einsum"]
# == end of the engine-breadth block ==


from .losses import *  # noqa: E402,F401,F403  (the losses are functional names too, as in torch.nn.functional)
from .losses import __all__ as _loss_names  # noqa: E402

__all__ += _loss_names


# ---------------------------------------------------------------------------------------------
# Convolution, pooling and normalization (NCHW, PyTorch's names, arguments and output shapes)
# ---------------------------------------------------------------------------------------------
from .ops.conv import Conv2dOp as _Conv2d, ConvTranspose2dOp as _ConvTranspose2d  # noqa: E402
from .ops.conv import Window2d as _Window2d, check_fits as _check_fits, pair as _pair  # noqa: E402
from .ops.conv import same_padding as _same_padding  # noqa: E402

__all__ += ["conv2d", "conv1d", "conv_transpose2d"]


def _conv_padding(padding: Any, kernel: tuple[int, int], dilation: tuple[int, int], stride: tuple[int, int],
                  op: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """An int, a pair, ``"valid"`` or ``"same"`` as ((top, bottom), (left, right))."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0), (0, 0)
        if padding == "same":
            if stride != (1, 1):
                raise ValueError(f"{op}: padding='same' is not supported for strided convolutions "
                                 f"(stride={stride}), as in PyTorch")
            return _same_padding(kernel, dilation)
        raise ValueError(f"{op}: padding must be an int, a pair, 'valid' or 'same', got {padding!r}")
    ph, pw = _pair(padding, "padding", op, minimum=0)
    return (ph, ph), (pw, pw)


def _conv_operands(op: str, input: Any, weight: Any, groups: int) -> tuple[Tensor, Tensor, bool]:
    """Input and weight as tensors, a 3-D (C, H, W) input batched (as PyTorch accepts it), and checks
    of everything a convolution needs of their shapes, each error naming the op and both shapes."""
    x, w = as_tensor(input), as_tensor(weight)
    if w.ndim != 4:
        raise ShapeError(f"{op}: weight must be 4-D (out_channels, in_channels/groups, kh, kw), got shape {w.shape}")
    if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)) or groups < 1:
        raise ValueError(f"{op}: groups must be a positive int, got {groups!r}")
    unbatched = x.ndim == 3
    if x.ndim not in (3, 4):
        raise ShapeError(f"{op}: expected a 4-D input (batch, channels, height, width) or a 3-D unbatched one, "
                         f"got shape {x.shape} for weight of shape {w.shape}")
    channels = x.shape[-3]
    if channels != w.shape[1] * groups:
        hint = (" (a batch of one-channel images needs its channel axis: x.reshape(N, 1, H, W))"
                if unbatched and w.shape[1] * groups == 1 else "")
        raise ShapeError(f"{op}: input of shape {x.shape} has {channels} channels, but weight of shape {w.shape} "
                         f"with groups={groups} expects {w.shape[1] * groups}{hint}")
    if w.shape[0] % groups:
        raise ShapeError(f"{op}: weight of shape {w.shape} has {w.shape[0]} output channels, "
                         f"not divisible by groups={groups}")
    return (x.unsqueeze(0) if unbatched else x), w, unbatched


def conv2d(input: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0,  # noqa: A002
           dilation: Any = 1, groups: int = 1) -> Tensor:
    """2-D convolution (cross-correlation) of an (N, C, H, W) input with an (O, C/groups, kh, kw) weight.

    One recorded op: the windows are gathered once (im2col) and multiplied
    by the weight in one matrix product. ``padding`` is an int, a pair,
    ``"valid"`` (none) or ``"same"`` (output as big as the input; stride 1).

    >>> x = Tensor(np.ones((1, 1, 4, 4), dtype=np.float32))
    >>> conv2d(x, np.ones((2, 1, 3, 3), dtype=np.float32), padding=1).shape
    (1, 2, 4, 4)
    """
    x, w, unbatched = _conv_operands("conv2d", input, weight, groups)
    kernel = tuple(w.shape[2:])
    stride, dilation = _pair(stride, "stride", "conv2d"), _pair(dilation, "dilation", "conv2d")
    window = _Window2d(kernel, stride, _conv_padding(padding, kernel, dilation, stride, "conv2d"), dilation)
    _check_fits("conv2d", window, x.shape)
    operands = (x, w)
    if bias is not None:
        b = as_tensor(bias)
        if b.shape != (w.shape[0],):
            raise ShapeError(f"conv2d: bias of shape {b.shape} does not fit weight of shape {w.shape}: "
                             f"it needs shape ({w.shape[0]},)")
        operands += (b,)
    y = _Conv2d(window, groups)(*operands)
    return y.squeeze(0) if unbatched else y


def conv1d(input: Any, weight: Any, bias: Any = None, stride: int = 1, padding: Any = 0,  # noqa: A002
           dilation: int = 1, groups: int = 1) -> Tensor:
    """1-D convolution of an (N, C, L) input with an (O, C/groups, k) weight: ``conv2d`` on a height of one.

    >>> conv1d(np.ones((1, 1, 5), dtype=np.float32), np.ones((1, 1, 3), dtype=np.float32)).tolist()
    [[[3.0, 3.0, 3.0]]]
    """
    x, w = as_tensor(input), as_tensor(weight)
    if x.ndim not in (2, 3) or w.ndim != 3:
        raise ShapeError(f"conv1d: expected a 3-D input (batch, channels, length) or a 2-D unbatched one and a "
                         f"3-D weight (out_channels, in_channels/groups, k), got shapes {x.shape} and {w.shape}")
    padding = padding if isinstance(padding, str) else (0, _int(padding, "padding", "conv1d"))
    y = conv2d(x.unsqueeze(-2), w.unsqueeze(-2), bias, (1, _int(stride, "stride", "conv1d")), padding,
               (1, _int(dilation, "dilation", "conv1d")), groups)
    return y.squeeze(-2)


def _int(value: Any, what: str, op: str) -> int:
    """One int of a 1-D op's setting (``3`` or ``(3,)``), as PyTorch accepts both."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,)
    if len(values) != 1 or isinstance(values[0], bool) or not isinstance(values[0], (int, np.integer)):
        raise ValueError(f"{op}: {what} must be an int, got {value!r}")
    return int(values[0])


def conv_transpose2d(input: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0,  # noqa: A002
                     output_padding: Any = 0, groups: int = 1, dilation: Any = 1) -> Tensor:
    """Transposed convolution ("deconvolution"): the gradient of ``conv2d`` with respect to its input,
    as a layer. ``weight`` is (in_channels, out_channels/groups, kh, kw), as in PyTorch.

    Output size per axis: (L − 1)·stride − 2·padding + dilation·(k − 1) + output_padding + 1.

    >>> conv_transpose2d(np.ones((1, 1, 2, 2), dtype=np.float32), np.ones((1, 1, 3, 3), dtype=np.float32),
    ...                  stride=2).shape
    (1, 1, 5, 5)
    """
    g, w = as_tensor(input), as_tensor(weight)
    unbatched = g.ndim == 3
    if g.ndim not in (3, 4) or w.ndim != 4:
        raise ShapeError(f"conv_transpose2d: expected a 4-D input (batch, channels, height, width) and a 4-D "
                         f"weight (in_channels, out_channels/groups, kh, kw), got shapes {g.shape} and {w.shape}")
    if g.shape[-3] != w.shape[0]:
        raise ShapeError(f"conv_transpose2d: input of shape {g.shape} has {g.shape[-3]} channels, but weight of "
                         f"shape {w.shape} expects {w.shape[0]}")
    if w.shape[0] % groups:
        raise ShapeError(f"conv_transpose2d: weight of shape {w.shape} has {w.shape[0]} input channels, "
                         f"not divisible by groups={groups}")
    g = g.unsqueeze(0) if unbatched else g
    stride, dilation = _pair(stride, "stride", "conv_transpose2d"), _pair(dilation, "dilation", "conv_transpose2d")
    padding = _pair(padding, "padding", "conv_transpose2d", minimum=0)
    extra = _pair(output_padding, "output_padding", "conv_transpose2d", minimum=0)
    if builtins.any(e >= builtins.max(s, d) for e, s, d in zip(extra, stride, dilation)):
        raise ValueError(f"conv_transpose2d: output_padding {extra} must be smaller than stride {stride} "
                         f"or dilation {dilation}")
    kernel = tuple(w.shape[2:])
    size = tuple((n - 1) * s - 2 * p + d * (k - 1) + e + 1
                 for n, s, p, d, k, e in zip(g.shape[2:], stride, padding, dilation, kernel, extra))
    if builtins.min(size) <= 0:
        raise ShapeError(f"conv_transpose2d: input of shape {g.shape} with weight {w.shape}, stride {stride} "
                         f"and padding {padding} gives an empty output of size {size}")
    window = _Window2d(kernel, stride, tuple((p, p) for p in padding), dilation)
    y = _ConvTranspose2d(window, groups, (g.shape[0], w.shape[1] * groups) + size)(g, w)
    if bias is not None:
        b = as_tensor(bias)
        if b.shape != (y.shape[1],):
            raise ShapeError(f"conv_transpose2d: bias of shape {b.shape} does not fit: it needs shape ({y.shape[1]},)")
        y = y + b.reshape(-1, 1, 1)
    return y.squeeze(0) if unbatched else y


from .ops.pooling import AvgPool2dOp as _AvgPool2d, MaxPool2dOp as _MaxPool2d  # noqa: E402
from .ops.pooling import avg_pool_divisor as _avg_pool_divisor, max_pool_indices as _max_pool_indices  # noqa: E402

__all__ += ["max_pool2d", "avg_pool2d", "max_pool1d", "avg_pool1d"]


def _pool_window(op: str, x: Tensor, kernel_size: Any, stride: Any, padding: Any, dilation: Any,
                 ceil_mode: bool) -> _Window2d:
    if x.ndim not in (3, 4):
        raise ShapeError(f"{op}: expected a 4-D input (batch, channels, height, width) or a 3-D unbatched one, "
                         f"got shape {x.shape}")
    kernel = _pair(kernel_size, "kernel_size", op)
    stride = kernel if stride is None or (isinstance(stride, (tuple, list)) and not stride) else _pair(stride, "stride", op)
    dilation = _pair(dilation, "dilation", op)
    padding = _pair(padding, "padding", op, minimum=0)
    if builtins.any(p > (d * (k - 1) + 1) // 2 for p, k, d in zip(padding, kernel, dilation)):
        raise ValueError(f"{op}: padding {padding} must be at most half the kernel size {kernel}, as in PyTorch")
    window = _Window2d(kernel, stride, tuple((p, p) for p in padding), dilation, ceil_mode)
    _check_fits(op, window, (1, 1) + x.shape[-2:])
    return window


def max_pool2d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,  # noqa: A002
               ceil_mode: bool = False, return_indices: bool = False) -> Tensor | tuple[Tensor, Tensor]:
    """The largest element of each kernel_size window, moving by ``stride`` (the kernel size by default).

    Padding counts as -inf. With ``return_indices=True`` also returns where each
    maximum was, as a flat index into its channel's H·W input (PyTorch's convention).

    >>> max_pool2d(np.arange(16.0).reshape(1, 1, 4, 4), 2).tolist()
    [[[[5.0, 7.0], [13.0, 15.0]]]]
    """
    x = as_tensor(input)
    window = _pool_window("max_pool2d", x, kernel_size, stride, padding, dilation, ceil_mode)
    unbatched = x.ndim == 3
    op = _MaxPool2d(window)
    y = op(x.unsqueeze(0) if unbatched else x)
    if unbatched:
        y = y.squeeze(0)
    if not return_indices:
        return y
    indices = _max_pool_indices(window, op.picked, x.shape[-1])
    return y, Tensor(indices[0] if unbatched else indices)


def avg_pool2d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,  # noqa: A002
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """The mean of each kernel_size window, moving by ``stride`` (the kernel size by default).

    Padding counts as zeros in the mean unless ``count_include_pad=False``;
    ``divisor_override`` replaces the count, as in PyTorch.

    >>> avg_pool2d(np.arange(16.0).reshape(1, 1, 4, 4), 2).tolist()
    [[[[2.5, 4.5], [10.5, 12.5]]]]
    """
    x = as_tensor(input)
    window = _pool_window("avg_pool2d", x, kernel_size, stride, padding, 1, ceil_mode)
    if divisor_override is not None:
        if isinstance(divisor_override, bool) or not isinstance(divisor_override, (int, np.integer)) \
                or divisor_override <= 0:
            raise ValueError(f"avg_pool2d: divisor_override must be a positive int, got {divisor_override!r}")
        divisor = np.full(window.output_size(*x.shape[-2:]), divisor_override)
    else:
        divisor = _avg_pool_divisor(window, *x.shape[-2:], count_include_pad)
    unbatched = x.ndim == 3
    y = _AvgPool2d(window, divisor)(x.unsqueeze(0) if unbatched else x)
    return y.squeeze(0) if unbatched else y


def _as_2d_pool(op: str, input: Any) -> Tensor:
    x = as_tensor(input)
    if x.ndim not in (2, 3):
        raise ShapeError(f"{op}: expected a 3-D input (batch, channels, length) or a 2-D unbatched one, "
                         f"got shape {x.shape}")
    return x.unsqueeze(-2)


def max_pool1d(input: Any, kernel_size: int, stride: int | None = None, padding: int = 0,  # noqa: A002
               dilation: int = 1, ceil_mode: bool = False) -> Tensor:
    """``max_pool2d`` over the last axis of an (N, C, L) input.

    >>> max_pool1d(np.array([[[1.0, 3.0, 2.0, 0.0]]]), 2).tolist()
    [[[3.0, 2.0]]]
    """
    x = _as_2d_pool("max_pool1d", input)
    stride = None if stride is None else (1, _int(stride, "stride", "max_pool1d"))
    return max_pool2d(x, (1, _int(kernel_size, "kernel_size", "max_pool1d")), stride,
                      (0, _int(padding, "padding", "max_pool1d")), (1, _int(dilation, "dilation", "max_pool1d")),
                      ceil_mode).squeeze(-2)


def avg_pool1d(input: Any, kernel_size: int, stride: int | None = None, padding: int = 0,  # noqa: A002
               ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:
    """``avg_pool2d`` over the last axis of an (N, C, L) input.

    >>> avg_pool1d(np.array([[[1.0, 3.0, 2.0, 0.0]]]), 2).tolist()
    [[[2.0, 1.0]]]
    """
    x = _as_2d_pool("avg_pool1d", input)
    stride = None if stride is None else (1, _int(stride, "stride", "avg_pool1d"))
    return avg_pool2d(x, (1, _int(kernel_size, "kernel_size", "avg_pool1d")), stride,
                      (0, _int(padding, "padding", "avg_pool1d")), ceil_mode, count_include_pad).squeeze(-2)


__all__ += ["batch_norm", "layer_norm", "group_norm", "instance_norm", "dropout2d", "embedding"]


def _standardize(x: Tensor, axes: tuple[int, ...], eps: float) -> tuple[Tensor, Tensor, Tensor]:
    """(x − mean) / √(var + eps) over ``axes`` (the biased variance, as every normalization layer uses),
    and the mean and variance (keepdims), all recorded ops: first and second derivatives follow."""
    mean = x.mean(axes, keepdims=True)
    centred = x - mean
    var = (centred * centred).mean(axes, keepdims=True)
    return centred * (var + eps) ** -0.5, mean, var


def _channel_shape(x: Tensor, axis: int = 1) -> tuple[int, ...]:
    """(1, C, 1, 1): the shape a per-channel vector broadcasts from, for an input shaped like ``x``."""
    return tuple(n if i == axis else 1 for i, n in enumerate(x.shape))


def _affine(y: Tensor, weight: Any, bias: Any, shape: tuple[int, ...], op: str) -> Tensor:
    """y · weight + bias, each reshaped to ``shape`` (either may be ``None``)."""
    for name, p in (("weight", weight), ("bias", bias)):
        if p is not None and int(np.prod(np.shape(getattr(p, "data", p)))) != int(np.prod(shape)):
            raise ShapeError(f"{op}: {name} of shape {np.shape(getattr(p, 'data', p))} does not fit input of "
                             f"shape {y.shape}: it needs {int(np.prod(shape))} elements")
    if weight is not None:
        y = y * as_tensor(weight).reshape(shape)
    if bias is not None:
        y = y + as_tensor(bias).reshape(shape)
    return y


def _update_running(running: Any, batch_value: np.ndarray, momentum: float) -> None:
    """running ← (1 − momentum)·running + momentum·batch_value, in place (a buffer: no graph)."""
    data = running.data if isinstance(running, Tensor) else running
    data *= 1 - momentum
    data += momentum * batch_value.astype(data.dtype, copy=False)
    if isinstance(running, Tensor):
        running._bump_version()


def batch_norm(input: Any, running_mean: Any, running_var: Any, weight: Any = None, bias: Any = None,  # noqa: A002
               training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalize each channel (axis 1) of an (N, C), (N, C, L) or (N, C, H, W) input, as PyTorch's ``F.batch_norm``.

    Training: by the batch's mean and (biased) variance, and the running
    statistics move toward them by ``momentum`` (the variance's unbiased
    estimate, as PyTorch keeps it), in place. Otherwise: by the running statistics.

    >>> x = Tensor(np.array([[1.0], [3.0]]))
    >>> batch_norm(x, np.zeros(1), np.ones(1), training=True).tolist()
    [[-0.99999...], [0.99999...]]
    """
    x = as_tensor(input)
    if x.ndim < 2:
        raise ShapeError(f"batch_norm: expected an input with a channel axis, (N, C, ...), got shape {x.shape}")
    channels = x.shape[1]
    shape = _channel_shape(x)
    for name, stat in (("running_mean", running_mean), ("running_var", running_var)):
        if stat is not None and np.shape(getattr(stat, "data", stat)) != (channels,):
            raise ShapeError(f"batch_norm: {name} of shape {np.shape(getattr(stat, 'data', stat))} does not fit "
                             f"input of shape {x.shape}: it needs shape ({channels},)")
    if training:
        axes = tuple(i for i in range(x.ndim) if i != 1)
        count = x.size // channels
        if count <= 1:
            raise ValueError(f"batch_norm: expected more than 1 value per channel when training, got input of "
                             f"shape {x.shape}")
        y, mean, var = _standardize(x, axes, eps)
        if running_mean is not None:
            _update_running(running_mean, mean.data.reshape(-1), momentum)
        if running_var is not None:
            _update_running(running_var, var.data.reshape(-1) * (count / (count - 1)), momentum)
    else:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm: evaluation (training=False) needs running_mean and running_var")
        mean = np.asarray(getattr(running_mean, "data", running_mean), dtype=x.dtype).reshape(shape)
        var = np.asarray(getattr(running_var, "data", running_var), dtype=x.dtype).reshape(shape)
        y = (x - mean) * ((var + eps) ** -0.5).astype(x.dtype)
    return _affine(y, weight, bias, shape, "batch_norm")


def layer_norm(input: Any, normalized_shape: int | Sequence[int], weight: Any = None, bias: Any = None,  # noqa: A002
               eps: float = 1e-5) -> Tensor:
    """Normalize over the last ``len(normalized_shape)`` axes of each sample (PyTorch's ``F.layer_norm``).

    >>> layer_norm(np.array([[1.0, 3.0]]), 2).tolist()
    [[-0.99999..., 0.99999...]]
    """
    x = as_tensor(input)
    shape = (normalized_shape,) if isinstance(normalized_shape, (int, np.integer)) else tuple(normalized_shape)
    if not shape or x.shape[x.ndim - len(shape):] != shape or len(shape) > x.ndim:
        raise ShapeError(f"layer_norm: normalized_shape {shape} must be the last dimensions of the input, "
                         f"got input of shape {x.shape}")
    y, _, _ = _standardize(x, tuple(range(x.ndim - len(shape), x.ndim)), eps)
    return _affine(y, weight, bias, shape, "layer_norm")


def group_norm(input: Any, num_groups: int, weight: Any = None, bias: Any = None,  # noqa: A002
               eps: float = 1e-5) -> Tensor:
    """Normalize each sample's channels in ``num_groups`` groups (PyTorch's ``F.group_norm``); a per-channel
    affine follows.

    >>> group_norm(np.array([[1.0, 3.0, 5.0, 9.0]]), 2).tolist()
    [[-0.99999..., 0.99999..., -0.99999..., 0.99999...]]
    """
    x = as_tensor(input)
    if x.ndim < 2 or isinstance(num_groups, bool) or not isinstance(num_groups, (int, np.integer)) \
            or num_groups < 1 or x.shape[1] % num_groups:
        raise ShapeError(f"group_norm: input of shape {x.shape} must have (N, C, ...) with C divisible by "
                         f"num_groups={num_groups!r}")
    grouped = x.reshape(x.shape[0], num_groups, -1)
    y, _, _ = _standardize(grouped, (2,), eps)
    return _affine(y.reshape(x.shape), weight, bias, _channel_shape(x), "group_norm")


def instance_norm(input: Any, running_mean: Any = None, running_var: Any = None, weight: Any = None,  # noqa: A002
                  bias: Any = None, use_input_stats: bool = True, momentum: float = 0.1,
                  eps: float = 1e-5) -> Tensor:
    """Normalize each channel of each sample over its own positions (PyTorch's ``F.instance_norm``).

    With running statistics given and ``use_input_stats``, they move toward the
    batch's average of the instance statistics; without ``use_input_stats`` they are used instead.

    >>> instance_norm(np.array([[[1.0, 3.0]]])).tolist()
    [[[-0.99999..., 0.99999...]]]
    """
    x = as_tensor(input)
    if x.ndim < 3:
        raise ShapeError(f"instance_norm: expected an input (N, C, ...) with at least one position axis, "
                         f"got shape {x.shape}")
    if not use_input_stats:
        return batch_norm(x, running_mean, running_var, weight, bias, False, momentum, eps)
    axes = tuple(range(2, x.ndim))
    y, mean, var = _standardize(x, axes, eps)
    count = int(np.prod(x.shape[2:]))
    if running_mean is not None:
        _update_running(running_mean, mean.data.reshape(x.shape[:2]).mean(axis=0), momentum)
    if running_var is not None:
        unbiased = var.data.reshape(x.shape[:2]) * (count / builtins.max(count - 1, 1))
        _update_running(running_var, unbiased.mean(axis=0), momentum)
    return _affine(y, weight, bias, _channel_shape(x), "instance_norm")


def dropout2d(input: Any, p: float = 0.5, training: bool = True, *,  # noqa: A002
              seed: int | np.random.Generator | None = None) -> Tensor:
    """Zero whole channels (axis 1) with probability ``p`` and scale the rest by 1/(1 − p), in training.

    ``seed`` (an int or a ``numpy.random.Generator``) makes the channels drawn
    repeatable; PyTorch draws from its global generator instead.

    >>> dropout2d(np.ones((1, 4, 2, 2)), 0.5, seed=0).data[0, :, 0, 0].tolist()
    [2.0, 0.0, 0.0, 0.0]
    """
    x = as_tensor(input)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout2d: p is a probability and must be in [0, 1], got {p}")
    if x.ndim not in (3, 4):
        raise ShapeError(f"dropout2d: expected a 4-D input (N, C, H, W) or a 3-D unbatched one, got shape {x.shape}")
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return x * 0.0
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    mask_shape = x.shape[:-2] + (1, 1)
    keep = rng.random(mask_shape) >= p
    return x * (keep * np.asarray(1.0 / (1.0 - p), dtype=x.dtype))


def embedding(input: Any, weight: Any, padding_idx: int | None = None) -> Tensor:  # noqa: A002
    """Rows of ``weight`` picked by the integer ``input`` (any shape): output shape ``input.shape + (dim,)``.

    The gradient of a row picked several times is the sum of its picks'.
    Row ``padding_idx`` gets no gradient, as in PyTorch.

    >>> embedding(np.array([[0, 2]]), np.arange(6.0).reshape(3, 2)).tolist()
    [[[0.0, 1.0], [4.0, 5.0]]]
    """
    indices = np.asarray(getattr(input, "data", input))
    w = as_tensor(weight)
    if indices.dtype.kind not in "iu":
        raise TypeError(f"embedding: indices must be integers, got dtype {indices.dtype}")
    if w.ndim != 2:
        raise ShapeError(f"embedding: weight must be 2-D (num_embeddings, embedding_dim), got shape {w.shape}")
    if indices.size and (indices.min() < 0 or indices.max() >= w.shape[0]):
        bad = indices.min() if indices.min() < 0 else indices.max()
        raise IndexError(f"embedding: index {bad} is out of range for weight of shape {w.shape} "
                         f"(indices must be in [0, {w.shape[0]}))")
    rows = w[indices]
    if padding_idx is None:
        return rows
    padding_idx = padding_idx % w.shape[0]  # PyTorch accepts a negative one
    kept = (indices != padding_idx)[..., None]
    return where(np.broadcast_to(kept, rows.shape), rows, rows.detach())


from .ops.conv import Fold as _Fold, Unfold as _Unfold  # noqa: E402

__all__ += ["unfold", "fold", "adaptive_avg_pool2d", "adaptive_max_pool2d", "interpolate", "pixel_shuffle"]


def _unfold_window(op: str, kernel_size: Any, dilation: Any, padding: Any, stride: Any) -> _Window2d:
    kernel = _pair(kernel_size, "kernel_size", op)
    ph, pw = _pair(padding, "padding", op, minimum=0)
    return _Window2d(kernel, _pair(stride, "stride", op), ((ph, ph), (pw, pw)), _pair(dilation, "dilation", op))


def unfold(input: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1) -> Tensor:  # noqa: A002
    """im2col: each sliding window of an (N, C, H, W) input as a column of an (N, C·kh·kw, L) output,
    PyTorch's layout (channel-major, then the kernel's rows and columns; windows in row-major order).

    >>> unfold(np.arange(9.0).reshape(1, 1, 3, 3), 2).tolist()
    [[[0.0, 1.0, 3.0, 4.0], [1.0, 2.0, 4.0, 5.0], [3.0, 4.0, 6.0, 7.0], [4.0, 5.0, 7.0, 8.0]]]
    """
    x = as_tensor(input)
    if x.ndim != 4:
        raise ShapeError(f"unfold: expected a 4-D input (N, C, H, W), got shape {x.shape}")
    window = _unfold_window("unfold", kernel_size, dilation, padding, stride)
    _check_fits("unfold", window, x.shape)
    return _Unfold(window)(x)


def fold(input: Any, output_size: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0,  # noqa: A002
         stride: Any = 1) -> Tensor:
    """col2im, the adjoint of :func:`unfold`: columns (N, C·kh·kw, L) added back into an (N, C, *output_size)
    array, overlapping windows summing.

    >>> fold(np.ones((1, 4, 4)), (3, 3), 2).tolist()
    [[[[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]]]]
    """
    cols = as_tensor(input)
    window = _unfold_window("fold", kernel_size, dilation, padding, stride)
    height, width = _pair(output_size, "output_size", "fold")
    taps = window.kernel[0] * window.kernel[1]
    ho, wo = window.output_size(height, width)
    if cols.ndim != 3 or cols.shape[1] % taps or cols.shape[2] != ho * wo or ho <= 0 or wo <= 0:
        raise ShapeError(f"fold: input of shape {cols.shape} does not fit: it needs (N, C·{taps}, {ho * wo}) for "
                         f"kernel {window.kernel} and output_size {(height, width)}")
    return _Fold(window, (cols.shape[0], cols.shape[1] // taps, height, width))(cols)


def _output_pair(output_size: Any, x: Tensor, op: str) -> tuple[int, int]:
    """PyTorch's output_size for adaptive pooling: an int, a pair, ``None`` meaning the input's own size."""
    sizes = (output_size, output_size) if output_size is None or isinstance(output_size, (int, np.integer)) \
        else tuple(output_size)
    if len(sizes) != 2:
        raise ValueError(f"{op}: output_size must be an int or a pair, got {output_size!r}")
    out = tuple(x.shape[-2 + i] if s is None else s for i, s in enumerate(sizes))
    return _pair(out, "output_size", op)


def _bins(length: int, count: int) -> list[tuple[int, int]]:
    """PyTorch's adaptive bins: [⌊i·L/n⌋, ⌈(i+1)·L/n⌉) for i < n."""
    return [(i * length // count, -(-(i + 1) * length // count)) for i in range(count)]


def adaptive_avg_pool2d(input: Any, output_size: Any) -> Tensor:  # noqa: A002
    """Average pooling to a fixed output size, the bins chosen as PyTorch chooses them.

    Each axis's averaging is a matrix (output × input), so the whole is two
    matrix products: P_h @ x @ P_wᵀ (any order of derivatives follows).

    >>> adaptive_avg_pool2d(np.arange(16.0).reshape(1, 1, 4, 4), 1).tolist()
    [[[[7.5]]]]
    """
    x = as_tensor(input)
    if x.ndim not in (3, 4):
        raise ShapeError(f"adaptive_avg_pool2d: expected a 4-D input (N, C, H, W) or a 3-D one, got shape {x.shape}")
    out = _output_pair(output_size, x, "adaptive_avg_pool2d")
    if out == (1, 1):
        return x.mean(axis=(-2, -1), keepdims=True)
    rows, cols = (_averaging_matrix(x.shape[-2 + i], out[i], x.dtype) for i in range(2))
    return Tensor(rows) @ x @ Tensor(cols.T)


def _averaging_matrix(length: int, count: int, dtype: np.dtype) -> np.ndarray:
    matrix = np.zeros((count, length), dtype=dtype)
    for i, (start, stop) in enumerate(_bins(length, count)):
        matrix[i, start:stop] = 1.0 / (stop - start)
    return matrix


def adaptive_max_pool2d(input: Any, output_size: Any) -> Tensor:  # noqa: A002
    """Max pooling to a fixed output size, the bins chosen as PyTorch chooses them (they may overlap).

    >>> adaptive_max_pool2d(np.arange(16.0).reshape(1, 1, 4, 4), 2).tolist()
    [[[[5.0, 7.0], [13.0, 15.0]]]]
    """
    x = as_tensor(input)
    if x.ndim not in (3, 4):
        raise ShapeError(f"adaptive_max_pool2d: expected a 4-D input (N, C, H, W) or a 3-D one, got shape {x.shape}")
    height, width = x.shape[-2:]
    out = _output_pair(output_size, x, "adaptive_max_pool2d")
    if height % out[0] == 0 and width % out[1] == 0:  # equal bins: one max_pool2d
        return max_pool2d(x, (height // out[0], width // out[1]))
    cells = [[x[..., r0:r1, c0:c1].amax(axis=(-2, -1)) for c0, c1 in _bins(width, out[1])]
             for r0, r1 in _bins(height, out[0])]
    return stack([stack(row, axis=-1) for row in cells], axis=-2)


def interpolate(input: Any, size: Any = None, scale_factor: Any = None, mode: str = "nearest",  # noqa: A002
                align_corners: bool | None = None) -> Tensor:
    """Resize the last two axes of an (N, C, H, W) input (or the last axis of (N, C, L) for ``"nearest"``):
    ``mode="nearest"`` or ``"bilinear"``, PyTorch's index rules included.

    Bilinear resizing is linear and separable: a matrix per axis, so it is two
    matrix products; nearest picks rows and columns by index.

    >>> interpolate(np.array([[[[1.0, 2.0]]]]), scale_factor=2).tolist()
    [[[[1.0, 1.0, 2.0, 2.0], [1.0, 1.0, 2.0, 2.0]]]]
    """
    x = as_tensor(input)
    if mode not in ("nearest", "bilinear"):
        raise ValueError(f"interpolate: mode must be 'nearest' or 'bilinear', got {mode!r}")
    spatial = x.ndim - 2
    if spatial not in ((1, 2) if mode == "nearest" else (2,)):
        raise ShapeError(f"interpolate: mode {mode!r} expects a {'3-D or ' if mode == 'nearest' else ''}4-D input "
                         f"(N, C, ...), got shape {x.shape}")
    if mode == "nearest" and align_corners is not None:
        raise ValueError("interpolate: align_corners only applies to mode='bilinear', as in PyTorch")
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate: give exactly one of size and scale_factor")
    lengths = x.shape[2:]
    if size is not None:
        sizes = (size,) * spatial if isinstance(size, (int, np.integer)) else tuple(size)
        scales = [None] * spatial
    else:
        scales = [float(scale_factor)] * spatial if isinstance(scale_factor, (int, float)) else \
            [float(s) for s in scale_factor]
        sizes = tuple(int(np.floor(n * s)) for n, s in zip(lengths, scales))
    if len(sizes) != spatial or builtins.any(s < 1 for s in sizes):
        raise ValueError(f"interpolate: output size {sizes} must have {spatial} positive sizes for input {x.shape}")
    for axis, (n, out, scale) in enumerate(zip(lengths, sizes, scales)):
        # PyTorch maps an output position back with 1/scale_factor when one is given, else with n/out
        ratio = (1.0 / scale) if scale else n / out
        position = 2 + axis
        if mode == "nearest":
            index = np.minimum(np.floor(np.arange(out) * ratio).astype(np.int64), n - 1)
            x = x[(slice(None),) * position + (index,)]
        else:
            matrix = Tensor(_linear_matrix(n, out, ratio, bool(align_corners), x.dtype))
            x = matrix @ x if position == 2 else x @ matrix.T
    return x


def _linear_matrix(length: int, out: int, ratio: float, align_corners: bool, dtype: np.dtype) -> np.ndarray:
    """(out × length) weights of linear interpolation along one axis, by PyTorch's source-index rule."""
    if align_corners:
        source = np.arange(out) * ((length - 1) / (out - 1) if out > 1 else 0.0)
    else:
        source = np.maximum((np.arange(out) + 0.5) * ratio - 0.5, 0.0)
    low = np.minimum(np.floor(source).astype(np.int64), length - 1)
    high = np.minimum(low + 1, length - 1)
    frac = source - low
    matrix = np.zeros((out, length), dtype=np.float64)
    np.add.at(matrix, (np.arange(out), low), 1.0 - frac)
    np.add.at(matrix, (np.arange(out), high), frac)
    return matrix.astype(dtype)


def pixel_shuffle(input: Any, upscale_factor: int) -> Tensor:  # noqa: A002
    """(N, C·r², H, W) -> (N, C, H·r, W·r): channels rearranged into r×r blocks of pixels (PyTorch's order).

    >>> pixel_shuffle(np.arange(4.0).reshape(1, 4, 1, 1), 2).tolist()
    [[[[0.0, 1.0], [2.0, 3.0]]]]
    """
    x = as_tensor(input)
    r = _pair(upscale_factor, "upscale_factor", "pixel_shuffle")[0]
    if x.ndim < 3 or x.shape[-3] % (r * r):
        raise ShapeError(f"pixel_shuffle: input of shape {x.shape} needs (..., C·{r * r}, H, W) channels "
                         f"divisible by upscale_factor²={r * r}")
    *lead, channels, height, width = x.shape
    blocks = x.reshape(*lead, channels // (r * r), r, r, height, width)
    k = len(lead)
    order = tuple(range(k + 1)) + (k + 3, k + 1, k + 4, k + 2)
    return blocks.permute(order).reshape(*lead, channels // (r * r), height * r, width * r)
