"""Layers that change an image's grid or a tensor's shape: Upsample, PixelShuffle, Unflatten (PyTorch's names)."""
from __future__ import annotations

from typing import Any, Sequence

from .. import functional as F
from ..engine import ShapeError
from ..tensor import Tensor, as_tensor
from .module import Module

__all__ = ["Upsample", "PixelShuffle", "Unflatten"]


class Upsample(Module):
    """Resize by ``size`` or ``scale_factor`` (``F.interpolate``; ``mode`` "nearest" or "bilinear").

    >>> import numpy as np
    >>> Upsample(scale_factor=2)(np.zeros((1, 3, 4, 4))).shape
    (1, 3, 8, 8)
    """

    def __init__(self, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
                 align_corners: bool | None = None) -> None:
        self.size, self.scale_factor, self.mode, self.align_corners = size, scale_factor, mode, align_corners

    def extra_repr(self) -> str:
        what = f"size={self.size}" if self.size is not None else f"scale_factor={self.scale_factor}"
        return f"{what}, mode={self.mode!r}"

    def forward(self, x: Any) -> Tensor:
        return F.interpolate(x, self.size, self.scale_factor, self.mode, self.align_corners)


class PixelShuffle(Module):
    """(N, C·r², H, W) -> (N, C, H·r, W·r) (``F.pixel_shuffle``).

    >>> import numpy as np
    >>> PixelShuffle(2)(np.zeros((1, 8, 3, 3))).shape
    (1, 2, 6, 6)
    """

    def __init__(self, upscale_factor: int) -> None:
        self.upscale_factor = upscale_factor

    def extra_repr(self) -> str:
        return f"upscale_factor={self.upscale_factor}"

    def forward(self, x: Any) -> Tensor:
        return F.pixel_shuffle(x, self.upscale_factor)


class Unflatten(Module):
    """Split axis ``dim`` into ``unflattened_size`` (the inverse of :class:`Flatten`).

    >>> import numpy as np
    >>> Unflatten(1, (16, 7, 7))(np.zeros((2, 784))).shape
    (2, 16, 7, 7)
    """

    def __init__(self, dim: int, unflattened_size: Sequence[int]) -> None:
        self.dim, self.unflattened_size = dim, tuple(unflattened_size)

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"

    def forward(self, x: Any) -> Tensor:
        x = as_tensor(x)
        if not -x.ndim <= self.dim < x.ndim:
            raise ShapeError(f"Unflatten: dim {self.dim} is out of range for input of shape {x.shape}")
        dim = self.dim % x.ndim
        sizes = list(self.unflattened_size)
        known = 1
        for s in sizes:
            known *= s if s != -1 else 1
        if sizes.count(-1) > 1 or (-1 not in sizes and known != x.shape[dim]) or x.shape[dim] % known:
            raise ShapeError(f"Unflatten: cannot split axis {dim} of length {x.shape[dim]} (input of shape "
                             f"{x.shape}) into {self.unflattened_size}")
        return x.reshape(x.shape[:dim] + self.unflattened_size + x.shape[dim + 1:])
