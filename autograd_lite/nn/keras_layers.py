"""Keras's convolution-network layers: Conv2D, MaxPooling2D, AveragePooling2D, BatchNormalization,
GlobalAveragePooling2D.

As in Keras, images are channels-last, (N, H, W, C), unless ``data_format="channels_first"``;
the layers move the channels to axis 1 for the NCHW ops and back. ``padding="same"`` is
TensorFlow's: output ceil(L / stride), the odd padding at the bottom and right (allowed
with strides, unlike PyTorch's). Layers with weights build them at the first call, from
the input's channel count, as ``Dense`` does; weights are kept in PyTorch's layout
(out_channels, in_channels, kh, kw), Keras's kernel transposed.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping

import numpy as np

from ..engine import ShapeError
from ..ops.conv import Conv2dOp, Window2d, check_fits, pair
from ..ops.pooling import AvgPool2dOp, MaxPool2dOp, avg_pool_divisor
from ..tensor import Tensor
from .. import functional as F
from . import activations, init

from .module import Module, Parameter
from ..checks import check_count

__all__ = ["Conv2D", "MaxPooling2D", "AveragePooling2D", "BatchNormalization", "GlobalAveragePooling2D"]


def _data_format(value: str | None, layer: str) -> str:
    value = "channels_last" if value is None else value
    if value not in ("channels_last", "channels_first"):
        raise ValueError(f"{layer}: data_format must be 'channels_last' or 'channels_first', got {value!r}")
    return value


def _image(x: Any, data_format: str, layer: str, dtype: Any = np.float32) -> Tensor:
    """The input as an NCHW tensor (plain arrays take ``dtype``, as Keras converts its inputs)."""
    x = x if isinstance(x, Tensor) else Tensor(np.asarray(x, dtype=dtype))
    if x.ndim != 4:
        layout = "(batch, height, width, channels)" if data_format == "channels_last" else \
            "(batch, channels, height, width)"
        raise ShapeError(f"{layer}: expected a 4-D input {layout}, got shape {x.shape}")
    return x.permute(0, 3, 1, 2) if data_format == "channels_last" else x


def _back(y: Tensor, data_format: str) -> Tensor:
    return y.permute(0, 2, 3, 1) if data_format == "channels_last" else y


def _window(layer: str, kernel: Any, strides: Any, padding: str, dilation: Any, height: int, width: int) -> Window2d:
    """The window for Keras's "valid" or "same" padding on an input of height × width."""
    kernel, strides, dilation = pair(kernel, "kernel_size", layer), pair(strides, "strides", layer), \
        pair(dilation, "dilation_rate", layer)
    if padding == "valid":
        pads = ((0, 0), (0, 0))
    elif padding == "same":
        pads = []
        for length, k, s, d in zip((height, width), kernel, strides, dilation):
            total = max((-(-length // s) - 1) * s + d * (k - 1) + 1 - length, 0)
            pads.append((total // 2, total - total // 2))
        pads = tuple(pads)
    else:
        raise ValueError(f"{layer}: padding must be 'valid' or 'same', got {padding!r}")
    window = Window2d(kernel, strides, pads, dilation)
    check_fits(layer, window, (1, 1, height, width))
    return window


class Conv2D(Module):
    """Keras's 2-D convolution: ``activation(conv(x, kernel) + bias)`` with ``filters`` output channels,
    Glorot-uniform kernel and zero bias.

    >>> layer = Conv2D(8, 3, padding="same", activation="relu", seed=0)
    >>> layer(np.zeros((2, 28, 28, 1), dtype=np.float32)).shape, layer.weight.shape
    ((2, 28, 28, 8), (8, 1, 3, 3))
    """

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1), padding: str = "valid",
                 data_format: str | None = None, dilation_rate: Any = (1, 1), groups: int = 1,
                 activation: str | Callable[[Tensor], Tensor] | None = None, use_bias: bool = True,
                 seed: init.Seed = None) -> None:
        self.filters = check_count(filters, "filters")
        self.kernel_size = pair(kernel_size, "kernel_size", "Conv2D")
        self.strides, self.padding, self.dilation_rate = strides, padding, dilation_rate
        self.groups = check_count(groups, "groups")
        self.data_format = _data_format(data_format, "Conv2D")
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.weight: Parameter | None = None  # set here so that weight comes before bias once built
        self.bias: Parameter | None = None
        self._rng = init.as_generator(seed)

    @property
    def built(self) -> bool:
        return self.weight is not None

    def build(self, in_channels: int) -> None:
        """Create the kernel for inputs with ``in_channels`` channels (done by the first call)."""
        if in_channels % self.groups or self.filters % self.groups:
            raise ValueError(f"Conv2D: {in_channels} input channels and filters={self.filters} must both be "
                             f"divisible by groups={self.groups}")
        shape = (self.filters, in_channels // self.groups) + self.kernel_size
        self.weight = Parameter(init.glorot_uniform(shape, seed=self._rng))
        self.bias = Parameter(init.zeros((self.filters,))) if self.use_bias else None

    def _lazy_shapes(self, prefix: str, state_dict: Mapping[str, Any]) -> dict[str, tuple[int, ...]]:
        shape = np.shape(getattr(state_dict.get(prefix + "weight"), "data", state_dict.get(prefix + "weight")))
        if self.built or len(shape) != 4 or shape[0] != self.filters or shape[2:] != self.kernel_size:
            return {}
        return {prefix + "weight": shape, **({prefix + "bias": (self.filters,)} if self.use_bias else {})}

    def _materialize(self, prefix: str, state_dict: Mapping[str, Any]) -> None:
        shape = self._lazy_shapes(prefix, state_dict).get(prefix + "weight")
        if shape is not None:
            self.build(shape[1] * self.groups)

    def extra_repr(self) -> str:
        return (f"{self.filters}, kernel_size={self.kernel_size}, strides={self.strides}, padding={self.padding!r}, "
                f"activation={activations.describe(self.activation)}" + ("" if self.built else ", not built"))

    def forward(self, x: Any) -> Tensor:
        x = _image(x, self.data_format, "Conv2D", self.weight.dtype if self.built else np.float32)
        if not self.built:
            self.build(x.shape[1])
        if x.shape[1] != self.weight.shape[1] * self.groups:
            raise ShapeError(f"Conv2D: input has {x.shape[1]} channels, but the layer was built for "
                             f"{self.weight.shape[1] * self.groups} (kernel of shape {self.weight.shape})")
        window = _window("Conv2D", self.kernel_size, self.strides, self.padding, self.dilation_rate, *x.shape[2:])
        operands = (x, self.weight) if self.bias is None else (x, self.weight, self.bias)
        y = _back(Conv2dOp(window, self.groups)(*operands), self.data_format)
        return y if self.activation is None else self.activation(y)


class _Pooling2D(Module):
    def __init__(self, pool_size: Any = (2, 2), strides: Any = None, padding: str = "valid",
                 data_format: str | None = None) -> None:
        self.pool_size = pair(pool_size, "pool_size", type(self).__name__)
        self.strides = self.pool_size if strides is None else pair(strides, "strides", type(self).__name__)
        self.padding = padding
        self.data_format = _data_format(data_format, type(self).__name__)

    def extra_repr(self) -> str:
        return f"pool_size={self.pool_size}, strides={self.strides}, padding={self.padding!r}"

    def _pool(self, x: Tensor, window: Window2d) -> Tensor:
        raise NotImplementedError

    def forward(self, x: Any) -> Tensor:
        name = type(self).__name__
        x = _image(x, self.data_format, name)
        window = _window(name, self.pool_size, self.strides, self.padding, 1, *x.shape[2:])
        return _back(self._pool(x, window), self.data_format)


class MaxPooling2D(_Pooling2D):
    """Keras's max pooling (channels-last by default; "same" pads with -inf).

    >>> MaxPooling2D()(np.zeros((2, 28, 28, 8))).shape
    (2, 14, 14, 8)
    """

    def _pool(self, x: Tensor, window: Window2d) -> Tensor:
        return MaxPool2dOp(window)(x)


class AveragePooling2D(_Pooling2D):
    """Keras's average pooling (channels-last by default; "same" leaves the padding out of each mean).

    >>> AveragePooling2D(2, padding="same")(np.ones((1, 3, 3, 1))).tolist()
    [[[[1.0], [1.0]], [[1.0], [1.0]]]]
    """

    def _pool(self, x: Tensor, window: Window2d) -> Tensor:
        return AvgPool2dOp(window, avg_pool_divisor(window, *x.shape[2:], count_include_pad=False))(x)


class BatchNormalization(Module):
    """Keras's batch normalization over every axis but ``axis`` (the channels: last, by default).

    ``momentum`` is Keras's: the moving statistics keep that share of themselves
    each step (PyTorch's momentum is 1 − this), and the moving variance follows
    the batch's biased variance, as Keras's does. Parameters ``gamma``, ``beta``
    and buffers ``moving_mean``, ``moving_variance`` carry Keras's names.

    >>> bn = BatchNormalization()
    >>> bn(np.array([[1.0, 0.0], [3.0, 4.0]])).tolist()
    [[-0.99950..., -0.99987...], [0.99950..., 0.99987...]]
    """

    def __init__(self, axis: int = -1, momentum: float = 0.99, epsilon: float = 1e-3, center: bool = True,
                 scale: bool = True) -> None:
        self.axis, self.momentum, self.epsilon, self.center, self.scale = axis, momentum, epsilon, center, scale
        self.gamma: Parameter | None = None
        self.beta: Parameter | None = None
        self.moving_mean: Tensor | None = None
        self.moving_variance: Tensor | None = None

    @property
    def built(self) -> bool:
        return self.moving_mean is not None

    def build(self, channels: int) -> None:
        self.gamma = Parameter(init.ones((channels,))) if self.scale else None
        self.beta = Parameter(init.zeros((channels,))) if self.center else None
        self.register_buffer("moving_mean", Tensor(np.zeros(channels, dtype=np.float32)))
        self.register_buffer("moving_variance", Tensor(np.ones(channels, dtype=np.float32)))

    def _lazy_shapes(self, prefix: str, state_dict: Mapping[str, Any]) -> dict[str, tuple[int, ...]]:
        saved = state_dict.get(prefix + "moving_mean")
        if self.built or saved is None:
            return {}
        channels = (int(np.size(getattr(saved, "data", saved))),)
        names = ["moving_mean", "moving_variance"] + ["gamma"] * self.scale + ["beta"] * self.center
        return {prefix + name: channels for name in names}

    def _materialize(self, prefix: str, state_dict: Mapping[str, Any]) -> None:
        shapes = self._lazy_shapes(prefix, state_dict)
        if shapes:
            self.build(shapes[prefix + "moving_mean"][0])

    def extra_repr(self) -> str:
        return f"axis={self.axis}, momentum={self.momentum}, epsilon={self.epsilon}"

    def forward(self, x: Any) -> Tensor:
        x = x if isinstance(x, Tensor) else Tensor(np.asarray(x, dtype=np.float32))
        if not -x.ndim <= self.axis < x.ndim or x.ndim < 2:
            raise ShapeError(f"BatchNormalization: axis {self.axis} is out of range for input of shape {x.shape}")
        axis = self.axis % x.ndim
        if not self.built:
            self.build(x.shape[axis])
        channels = self.moving_mean.shape[0]
        if x.shape[axis] != channels:
            raise ShapeError(f"BatchNormalization: input of shape {x.shape} has {x.shape[axis]} channels on axis "
                             f"{self.axis}, but the layer was built for {channels}")
        shape = tuple(channels if i == axis else 1 for i in range(x.ndim))
        axes = tuple(i for i in range(x.ndim) if i != axis)
        if self.training:
            y, mean, var = F._standardize(x, axes, self.epsilon)
            for moving, batch in ((self.moving_mean, mean), (self.moving_variance, var)):
                moving.data *= self.momentum
                moving.data += (1 - self.momentum) * batch.data.reshape(-1).astype(moving.dtype)
                moving._bump_version()
        else:
            mean = self.moving_mean.data.reshape(shape).astype(x.dtype)
            y = (x - mean) * ((self.moving_variance.data.reshape(shape) + self.epsilon) ** -0.5).astype(x.dtype)
        return F._affine(y, self.gamma, self.beta, shape, "BatchNormalization")


class GlobalAveragePooling2D(Module):
    """The mean over height and width: (N, H, W, C) -> (N, C) (``keepdims=True``: (N, 1, 1, C)).

    >>> GlobalAveragePooling2D()(np.ones((2, 5, 5, 3))).shape
    (2, 3)
    """

    def __init__(self, data_format: str | None = None, keepdims: bool = False) -> None:
        self.data_format = _data_format(data_format, "GlobalAveragePooling2D")
        self.keepdims = keepdims

    def forward(self, x: Any) -> Tensor:
        x = x if isinstance(x, Tensor) else Tensor(np.asarray(x, dtype=np.float32))
        if x.ndim != 4:
            raise ShapeError(f"GlobalAveragePooling2D: expected a 4-D input, got shape {x.shape}")
        axes = (1, 2) if self.data_format == "channels_last" else (2, 3)
        return x.mean(axis=axes, keepdims=self.keepdims)
