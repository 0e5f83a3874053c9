"""Normalization, embedding and channel dropout layers with PyTorch's names, arguments, initialisation and
buffers: BatchNorm1d, BatchNorm2d, LayerNorm, GroupNorm, Embedding, Dropout2d.

Batch norm's running statistics are buffers named as PyTorch names them (``running_mean``,
``running_var``, ``num_batches_tracked``), so they are in ``state_dict()`` and checkpoints;
``model.train()`` / ``model.eval()`` switch between batch and running statistics.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .. import functional as F
from ..engine import ShapeError
from ..tensor import Tensor, as_tensor
from . import init
from .layers import Dropout
from .module import Module, Parameter
from ..checks import check_count

__all__ = ["BatchNorm1d", "BatchNorm2d", "LayerNorm", "GroupNorm", "Embedding", "Dropout2d"]


class _BatchNorm(Module):
    dims: tuple[int, ...] = ()  # the input ranks this layer accepts

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True) -> None:
        self.num_features = check_count(num_features, "num_features")
        self.eps, self.momentum, self.affine = eps, momentum, affine
        self.track_running_stats = track_running_stats
        self.weight = Parameter(init.ones((num_features,))) if affine else None
        self.bias = Parameter(init.zeros((num_features,))) if affine else None
        if track_running_stats:
            self.register_buffer("running_mean", Tensor(np.zeros(num_features, dtype=np.float32)))
            self.register_buffer("running_var", Tensor(np.ones(num_features, dtype=np.float32)))
            self.register_buffer("num_batches_tracked", Tensor(np.zeros((), dtype=np.int64)))

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"track_running_stats={self.track_running_stats}")

    def forward(self, x: Any) -> Tensor:
        x = x if isinstance(x, Tensor) else Tensor(np.asarray(x, dtype=np.float32))
        if x.ndim not in self.dims or x.shape[1] != self.num_features:
            ranks = " or ".join(f"{d}-D" for d in self.dims)
            raise ShapeError(f"{type(self).__name__}: expected a {ranks} input with {self.num_features} channels "
                             f"on axis 1, got shape {x.shape}")
        momentum = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked.data += 1
            self.num_batches_tracked._bump_version()
            if self.momentum is None:  # PyTorch: a cumulative average over the batches so far
                momentum = 1.0 / float(self.num_batches_tracked.data)
        use_batch_stats = self.training or not self.track_running_stats
        running = (self.running_mean, self.running_var) if self.track_running_stats else (None, None)
        return F.batch_norm(x, *running, self.weight, self.bias, use_batch_stats, momentum, self.eps)


class BatchNorm1d(_BatchNorm):
    """Batch normalization of (N, C) or (N, C, L) inputs, per channel.

    >>> bn = BatchNorm1d(2)
    >>> bn(np.array([[1.0, 0.0], [3.0, 4.0]])).tolist(), bn.running_mean.tolist()
    ([[-0.99999..., -0.99999...], [0.99999..., 0.99999...]], [0.2..., 0.2...])
    """
    dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalization of (N, C, H, W) inputs, per channel.

    >>> BatchNorm2d(8)(np.zeros((2, 8, 4, 4), dtype=np.float32)).shape
    (2, 8, 4, 4)
    """
    dims = (4,)


class LayerNorm(Module):
    """Normalize over the last dimensions (``normalized_shape``), then an elementwise affine.

    >>> LayerNorm(3)(np.array([[1.0, 2.0, 3.0]])).tolist()
    [[-1.22473..., 0.0, 1.22473...]]
    """

    def __init__(self, normalized_shape: int | Sequence[int], eps: float = 1e-5, elementwise_affine: bool = True,
                 bias: bool = True) -> None:
        shape = (normalized_shape,) if isinstance(normalized_shape, (int, np.integer)) else tuple(normalized_shape)
        self.normalized_shape = tuple(check_count(n, "normalized_shape") for n in shape)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        self.weight = Parameter(init.ones(self.normalized_shape)) if elementwise_affine else None
        self.bias = Parameter(init.zeros(self.normalized_shape)) if elementwise_affine and bias else None

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"

    def forward(self, x: Any) -> Tensor:
        x = x if isinstance(x, Tensor) else Tensor(np.asarray(x, dtype=np.float32))
        return F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)


class GroupNorm(Module):
    """Normalize each sample's channels in ``num_groups`` groups, then a per-channel affine.

    >>> GroupNorm(2, 4)(np.zeros((1, 4, 3, 3), dtype=np.float32)).shape
    (1, 4, 3, 3)
    """

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5, affine: bool = True) -> None:
        self.num_groups, self.num_channels = check_count(num_groups, "num_groups"), check_count(num_channels, "num_channels")
        if num_channels % num_groups:
            raise ValueError(f"GroupNorm: num_channels={num_channels} must be divisible by num_groups={num_groups}")
        self.eps, self.affine = eps, affine
        self.weight = Parameter(init.ones((num_channels,))) if affine else None
        self.bias = Parameter(init.zeros((num_channels,))) if affine else None

    def extra_repr(self) -> str:
        return f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}"

    def forward(self, x: Any) -> Tensor:
        x = x if isinstance(x, Tensor) else Tensor(np.asarray(x, dtype=np.float32))
        if x.ndim < 2 or x.shape[1] != self.num_channels:
            raise ShapeError(f"GroupNorm: expected an input (N, {self.num_channels}, ...), got shape {x.shape}")
        return F.group_norm(x, self.num_groups, self.weight, self.bias, self.eps)


class Embedding(Module):
    """A lookup table: row ``i`` of ``weight`` (num_embeddings, embedding_dim) for each integer ``i`` of the input.

    Initialised N(0, 1) as in PyTorch; the ``padding_idx`` row starts at zero and gets no gradient.

    >>> Embedding(10, 3, seed=0)(np.array([[1, 2, 1]])).shape
    (1, 3, 3)
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 seed: init.Seed = None) -> None:
        self.num_embeddings = check_count(num_embeddings, "num_embeddings")
        self.embedding_dim = check_count(embedding_dim, "embedding_dim")
        if padding_idx is not None and not -num_embeddings <= padding_idx < num_embeddings:
            raise ValueError(f"Embedding: padding_idx={padding_idx} must be within num_embeddings={num_embeddings}")
        self.padding_idx = None if padding_idx is None else padding_idx % num_embeddings
        weight = init.normal((num_embeddings, embedding_dim), seed=seed)
        if self.padding_idx is not None:
            weight[self.padding_idx] = 0.0
        self.weight = Parameter(weight)

    def extra_repr(self) -> str:
        padding = "" if self.padding_idx is None else f", padding_idx={self.padding_idx}"
        return f"{self.num_embeddings}, {self.embedding_dim}{padding}"

    def forward(self, indices: Any) -> Tensor:
        return F.embedding(indices, self.weight, self.padding_idx)


class Dropout2d(Dropout):
    """In training, zero whole channels with probability ``p`` and scale the rest by 1/(1 − p); in eval, nothing.

    >>> Dropout2d(0.5, seed=0).eval()(np.ones((1, 2, 2, 2))).shape
    (1, 2, 2, 2)
    """

    def forward(self, x: Any) -> Tensor:
        return F.dropout2d(as_tensor(x), self.p, self.training, seed=self._rng)
