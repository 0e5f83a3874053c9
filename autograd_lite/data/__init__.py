"""Data for training: MNIST and Fashion-MNIST (found locally or downloaded and verified), toy sets, batching.

>>> from autograd_lite.data import DataLoader, TensorDataset, mnist
>>> x, y = mnist("test")                       # (10000, 784) float32 in [0, 1], uint8 labels
>>> for xb, yb in DataLoader(TensorDataset(x, y), batch_size=128, shuffle=True, seed=0):
...     pass
"""
from .datasets import DatasetNotFoundError, blobs, cache_dir, fashion_mnist, mnist, moons
from .download import DownloadError, download_file
from .idx import IDXFormatError, read_idx, write_idx
from .loader import DataLoader, Dataset, TensorDataset

__all__ = [
    "mnist", "fashion_mnist", "blobs", "moons", "DatasetNotFoundError", "cache_dir",
    "Dataset", "TensorDataset", "DataLoader",
    "read_idx", "write_idx", "IDXFormatError", "download_file", "DownloadError",
]
