"""``Dataset``, ``TensorDataset`` and ``DataLoader``, after ``torch.utils.data``, batching with numpy."""
from __future__ import annotations

import abc
from typing import Any, Iterator, Sequence

import numpy as np

from ..random import as_generator
from ..tensor import Tensor
from ..checks import check_count

__all__ = ["Dataset", "TensorDataset", "DataLoader"]


class Dataset(abc.ABC):
    """A map-style data set: ``len(ds)`` samples, ``ds[i]`` the i-th (a tuple, or one array).

    Subclasses that can fetch many samples at once with numpy override
    :meth:`get_batch`; the default gathers ``ds[i]`` one by one and stacks them.

    >>> class Squares(Dataset):
    ...     def __len__(self): return 4
    ...     def __getitem__(self, i): return np.float32(i), np.float32(i * i)
    >>> Squares().get_batch(np.array([1, 3]))
    (array([1., 3.], dtype=float32), array([1., 9.], dtype=float32))
    """

    @abc.abstractmethod
    def __len__(self) -> int: ...

    @abc.abstractmethod
    def __getitem__(self, index: int) -> Any: ...

    def get_batch(self, indices: np.ndarray) -> Any:
        """The samples at ``indices`` stacked along a new first axis, in the structure of one sample."""
        return _collate([self[int(i)] for i in indices])


def _collate(samples: list[Any]) -> Any:
    """Stack a list of samples: tuples field by field (giving a tuple), anything else as one array."""
    if isinstance(samples[0], (tuple, list)):
        return tuple(np.stack([np.asarray(sample[k]) for sample in samples]) for k in range(len(samples[0])))
    return np.stack([np.asarray(sample) for sample in samples])


class TensorDataset(Dataset):
    """Arrays that share their first dimension, sample ``i`` being ``(a[i], b[i], ...)`` (``torch``'s name).

    The arrays are kept as numpy arrays in ``.arrays`` (ag.Tensors are
    accepted and unwrapped); a batch is one fancy-index per array.

    >>> ds = TensorDataset(np.zeros((5, 2)), np.arange(5))
    >>> len(ds), int(ds[4][1])
    (5, 4)
    """

    def __init__(self, *arrays: Any) -> None:
        if not arrays:
            raise TypeError("TensorDataset needs at least one array, e.g. TensorDataset(x, y)")
        self.arrays = tuple(np.asarray(a) for a in arrays)
        for position, array in enumerate(self.arrays):
            if array.ndim == 0:
                raise ValueError(f"TensorDataset: array {position} is a scalar; each array needs a first "
                                 f"dimension indexing the samples")
        lengths = [len(a) for a in self.arrays]
        if len(set(lengths)) > 1:
            raise ValueError(f"TensorDataset: the arrays must have the same first dimension (one entry per "
                             f"sample); got lengths {lengths}")

    def __len__(self) -> int:
        return len(self.arrays[0])

    def __getitem__(self, index: Any) -> tuple[Any, ...]:
        return tuple(a[index] for a in self.arrays)

    def get_batch(self, indices: np.ndarray) -> tuple[np.ndarray, ...]:
        return tuple(a[indices] for a in self.arrays)


class DataLoader:
    """Iterate over a data set in batches: ``for x, y in DataLoader(TensorDataset(x, y), batch_size=32)``.

    Each batch has the structure of one sample (a tuple of arrays for a
    :class:`TensorDataset`), stacked along a new first axis; with
    ``as_tensor=True`` each array is an ``ag.Tensor``. ``len(loader)`` is the
    number of batches. ``shuffle=True`` draws a new order every epoch (every
    ``iter``) from a generator seeded once with ``seed``, so a run repeats
    exactly while its epochs differ. (PyTorch takes a ``generator=`` for
    this; a seed is all a numpy generator needs.) ``drop_last=True`` skips a
    final batch smaller than ``batch_size``. Any object with ``__len__`` and
    ``__getitem__`` works; one with a ``get_batch(indices)`` method is asked
    for whole batches at once.

    >>> loader = DataLoader(TensorDataset(np.arange(10), np.arange(10) * 2), batch_size=4)
    >>> len(loader), [x.tolist() for x, _ in loader]
    (3, [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]])
    """

    def __init__(self, dataset: Dataset | Sequence[Any], batch_size: int = 1, shuffle: bool = False,
                 seed: int | None = None, drop_last: bool = False, as_tensor: bool = False) -> None:
        if not (hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")):
            raise TypeError(f"DataLoader: dataset must have __len__ and __getitem__ (a Dataset, e.g. "
                            f"TensorDataset(x, y)); got {type(dataset).__name__}")
        self.dataset = dataset
        self.batch_size = check_count(batch_size, "DataLoader: batch_size")
        self.shuffle = bool(shuffle)
        self.seed = seed
        self.drop_last = bool(drop_last)
        self.as_tensor = bool(as_tensor)
        self._rng = as_generator(seed)  # seed=None: the default generator (ag.manual_seed governs it)

    def __len__(self) -> int:
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def __iter__(self) -> Iterator[Any]:
        n = len(self.dataset)
        order = self._rng.permutation(n) if self.shuffle else np.arange(n)
        fetch = getattr(self.dataset, "get_batch", None) or (lambda indices: Dataset.get_batch(self.dataset, indices))
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            batch = fetch(order[start:start + self.batch_size])
            yield self._convert(batch) if self.as_tensor else batch

    @staticmethod
    def _convert(batch: Any) -> Any:
        return tuple(map(Tensor, batch)) if isinstance(batch, tuple) else Tensor(batch)
