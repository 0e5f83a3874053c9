"""Convolution layers with PyTorch's names, arguments and initialisation: Conv1d, Conv2d, ConvTranspose2d."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import functional as F
from ..ops.conv import pair
from ..tensor import Tensor
from . import init

from .module import Module, Parameter
from ..checks import check_count

__all__ = ["Conv1d", "Conv2d", "ConvTranspose2d"]


def _as_input(x: Any, like: Parameter) -> Tensor:
    """Plain arrays (uint8 pixels, float64 data) take the weight's dtype, as Keras converts its inputs."""
    return x if isinstance(x, Tensor) else Tensor(np.asarray(x, dtype=like.dtype))


class _ConvNd(Module):
    """What the convolution layers share: channels, settings, and PyTorch's initialisation
    (weight and bias uniform in ±1/√fan_in, fan_in = in_channels/groups · kernel area:
    what ``kaiming_uniform_(a=√5)`` comes to)."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: tuple[int, ...], stride: Any,
                 padding: Any, dilation: Any, groups: int, bias: bool, padding_mode: str, seed: init.Seed,
                 transposed: bool = False) -> None:
        name = type(self).__name__
        self.in_channels = check_count(in_channels, "in_channels")
        self.out_channels = check_count(out_channels, "out_channels")
        self.groups = check_count(groups, "groups")
        if in_channels % groups or out_channels % groups:
            raise ValueError(f"{name}: in_channels={in_channels} and out_channels={out_channels} must both be "
                             f"divisible by groups={groups}")
        if padding_mode != "zeros":
            raise ValueError(f"{name}: only padding_mode='zeros' is supported, got {padding_mode!r}")
        self.kernel_size, self.stride, self.padding, self.dilation = kernel_size, stride, padding, dilation
        rng = init.as_generator(seed)
        if transposed:  # PyTorch's layout for a transposed convolution: (in, out/groups, *kernel)
            shape = (in_channels, out_channels // groups) + kernel_size
            fan_in = (out_channels // groups) * math.prod(kernel_size)  # PyTorch computes it from shape[1]
        else:
            shape = (out_channels, in_channels // groups) + kernel_size
            fan_in = (in_channels // groups) * math.prod(kernel_size)
        bound = 1.0 / math.sqrt(fan_in)
        self.weight = Parameter(init.uniform(shape, -bound, bound, rng))
        self.bias = Parameter(init.uniform((out_channels,), -bound, bound, rng)) if bias else None

    def extra_repr(self) -> str:
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}, "
                f"padding={self.padding!r}")
        if self.dilation not in (1, (1,), (1, 1)):
            text += f", dilation={self.dilation}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        return text + ("" if self.bias is not None else ", bias=False")


class Conv2d(_ConvNd):
    """2-D convolution layer over (N, C, H, W) inputs: ``F.conv2d(x, weight, bias, ...)``.

    ``weight`` has shape (out_channels, in_channels/groups, kh, kw), as in PyTorch;
    ``padding`` is an int, a pair, ``"valid"`` or ``"same"``.

    >>> layer = Conv2d(1, 8, 3, padding=1, seed=0)
    >>> layer(np.zeros((2, 1, 28, 28), dtype=np.float32)).shape, layer.weight.shape
    ((2, 8, 28, 28), (8, 1, 3, 3))
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 dilation: Any = 1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 seed: init.Seed = None) -> None:
        kernel = pair(kernel_size, "kernel_size", "Conv2d")
        super().__init__(in_channels, out_channels, kernel, stride, padding, dilation, groups, bias,
                         padding_mode, seed)

    def forward(self, x: Any) -> Tensor:
        return F.conv2d(_as_input(x, self.weight), self.weight, self.bias, self.stride, self.padding,
                        self.dilation, self.groups)


class Conv1d(_ConvNd):
    """1-D convolution layer over (N, C, L) inputs: ``F.conv1d``; weight (out_channels, in_channels/groups, k).

    >>> Conv1d(2, 4, 3, padding=1, seed=0)(np.zeros((5, 2, 10), dtype=np.float32)).shape
    (5, 4, 10)
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: int = 1, padding: Any = 0,
                 dilation: int = 1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 seed: init.Seed = None) -> None:
        kernel = (F._int(kernel_size, "kernel_size", "Conv1d"),)
        super().__init__(in_channels, out_channels, kernel, stride, padding, dilation, groups, bias,
                         padding_mode, seed)

    def forward(self, x: Any) -> Tensor:
        return F.conv1d(_as_input(x, self.weight), self.weight, self.bias, self.stride, self.padding,
                        self.dilation, self.groups)


class ConvTranspose2d(_ConvNd):
    """Transposed 2-D convolution layer (``F.conv_transpose2d``); weight (in_channels, out_channels/groups, kh, kw).

    >>> ConvTranspose2d(4, 2, 2, stride=2, seed=0)(np.zeros((1, 4, 7, 7), dtype=np.float32)).shape
    (1, 2, 14, 14)
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 output_padding: Any = 0, groups: int = 1, bias: bool = True, dilation: Any = 1,
                 padding_mode: str = "zeros", seed: init.Seed = None) -> None:
        kernel = pair(kernel_size, "kernel_size", "ConvTranspose2d")
        self.output_padding = output_padding
        super().__init__(in_channels, out_channels, kernel, stride, padding, dilation, groups, bias,
                         padding_mode, seed, transposed=True)

    def forward(self, x: Any) -> Tensor:
        return F.conv_transpose2d(_as_input(x, self.weight), self.weight, self.bias, self.stride, self.padding,
                                  self.output_padding, self.groups, self.dilation)
