"""The data sets of the examples: MNIST and Fashion-MNIST from IDX files, and two small generated ones.

``mnist``/``fashion_mnist`` look for the files in this order, each folder
either holding them directly or in a subfolder named after the data set
(``mnist/``, ``fashion-mnist/``):

1. ``data_dir``,
2. ``$AUTOGRAD_LITE_DATA``,
3. ``~/.cache/autograd_lite/<name>`` (where downloads go),
4. for Fashion-MNIST, Debian's ``/usr/share/datasets/fashion-mnist``
   (package ``dataset-fashion-mnist``).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .download import DownloadError, download_file
from .idx import IMAGES_MAGIC, LABELS_MAGIC, IDXFormatError, read_idx
from ..checks import check_count

__all__ = ["mnist", "fashion_mnist", "blobs", "moons", "DatasetNotFoundError", "cache_dir"]

ENV_VAR = "AUTOGRAD_LITE_DATA"


class DatasetNotFoundError(FileNotFoundError):
    """A data set's files are in none of the folders searched and could not be downloaded.

    The message lists the folders searched, the URLs tried and how to place
    the files by hand.
    """


@dataclass(frozen=True)
class _Source:
    title: str
    name: str                   # the cache folder and the subfolder looked for
    mirrors: tuple[str, ...]    # base URLs, tried in order
    checksums: dict[str, str]   # of each .gz file as published on the mirrors
    sizes: dict[str, int]       # of each .gz file in bytes: no mirror may send more (or less)
    checksum_kind: str = "sha256"
    system_dirs: tuple[str, ...] = ()


# Checksums of the original .gz files, the same bytes on every mirror. Copies repacked elsewhere (the
# MNIST test files in ../shared/data, Debian's Fashion-MNIST) hold the same IDX data in another gzip
# wrapper, so local files are checked by their IDX structure, and only downloads by checksum.
_MNIST = _Source("MNIST", "mnist", (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
), {
    "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}, {
    "train-images-idx3-ubyte.gz": 9912422, "train-labels-idx1-ubyte.gz": 28881,
    "t10k-images-idx3-ubyte.gz": 1648877, "t10k-labels-idx1-ubyte.gz": 4542,
})

# Zalando publishes only MD5s for Fashion-MNIST (README of zalandoresearch/fashion-mnist; torchvision
# checks the same values), so these downloads are verified by MD5, not SHA-256.
_FASHION_MNIST = _Source("Fashion-MNIST", "fashion-mnist", (
    "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
    "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
), {
    "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
    "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
    "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
    "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
}, {
    "train-images-idx3-ubyte.gz": 26421880, "train-labels-idx1-ubyte.gz": 29515,
    "t10k-images-idx3-ubyte.gz": 4422102, "t10k-labels-idx1-ubyte.gz": 5148,
}, checksum_kind="md5", system_dirs=("/usr/share/datasets/fashion-mnist",))

_FILES = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
          "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}


def cache_dir(name: str) -> Path:
    """Where downloads of data set ``name`` go: ``~/.cache/autograd_lite/<name>``.

    >>> cache_dir("mnist")
    PosixPath('/home/me/.cache/autograd_lite/mnist')
    """
    return Path.home() / ".cache" / "autograd_lite" / name


def mnist(split: str = "train", data_dir: str | os.PathLike | None = None, download: bool = True,
          normalize: bool = True, flatten: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The MNIST handwritten digits: ``(images, labels)`` of the ``"train"`` (60,000) or ``"test"`` (10,000) split.

    ``images`` are float32 in [0, 1] with shape (N, 784), or (N, 28, 28) with
    ``flatten=False``; ``normalize=False`` keeps the raw pixel values 0-255 as
    uint8 (what some programs train on; divide by 255 before training).
    ``labels`` are uint8 digits 0-9. The files are looked for as the module
    docstring says; when missing and ``download=True`` they are fetched from
    public mirrors, checked against their published SHA-256 and kept in
    ``~/.cache/autograd_lite/mnist``. Missing files raise
    :class:`DatasetNotFoundError` (a ``FileNotFoundError``) that lists where
    it looked; a damaged file raises :class:`IDXFormatError` naming it.

    >>> x, y = mnist("test", data_dir="../shared/data")
    >>> x.shape, x.dtype, y[:5]
    ((10000, 784), dtype('float32'), array([7, 2, 1, 0, 4], dtype=uint8))
    """
    return _load(_MNIST, split, data_dir, download, normalize, flatten)


def fashion_mnist(split: str = "train", data_dir: str | os.PathLike | None = None, download: bool = True,
                  normalize: bool = True, flatten: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Zalando's Fashion-MNIST (10 kinds of clothing, 28 x 28): the same files, shapes and options as :func:`mnist`.

    Also found in Debian's ``/usr/share/datasets/fashion-mnist``; downloads
    go to ``~/.cache/autograd_lite/fashion-mnist`` and are checked against the
    MD5s Zalando publishes (it publishes no SHA-256).

    >>> x, y = fashion_mnist("test", flatten=False)
    >>> x.shape, int(y[0])
    ((10000, 28, 28), 9)
    """
    return _load(_FASHION_MNIST, split, data_dir, download, normalize, flatten)


def _load(source: _Source, split: str, data_dir: str | os.PathLike | None, download: bool,
          normalize: bool, flatten: bool) -> tuple[np.ndarray, np.ndarray]:
    if split not in _FILES:
        raise ValueError(f"{source.name}: split must be 'train' or 'test'; got {split!r}")
    stems = _FILES[split]
    folders = _search_folders(source, data_dir)
    found = next(filter(None, (_find_all(folder, stems) for folder in folders)), None)
    images_path, labels_path = found or _download_or_explain(source, split, stems, folders, download)
    images = read_idx(images_path, magic=IMAGES_MAGIC)
    labels = read_idx(labels_path, magic=LABELS_MAGIC)
    if images.shape[1:] != (28, 28):
        raise IDXFormatError(f"{images_path}: images are {images.shape[1]} x {images.shape[2]} pixels; "
                             f"{source.title} images are 28 x 28")
    if len(labels) != len(images):
        raise IDXFormatError(f"{labels_path} holds {len(labels)} labels but {images_path} holds "
                             f"{len(images)} images; the two files must come from the same split")
    if labels.size and labels.max() > 9:
        raise IDXFormatError(f"{labels_path}: labels are the classes 0-9, found {labels.max()}")
    if flatten:
        images = images.reshape(len(images), 28 * 28)  # not -1: that cannot be solved for 0 images
    if normalize:
        images = images.astype(np.float32)
        images /= 255  # in place: one float32 copy of the 60,000 images, not two
    return images, labels


def _search_folders(source: _Source, data_dir: str | os.PathLike | None) -> list[Path]:
    roots = [Path(data_dir).expanduser()] if data_dir is not None else []
    if os.environ.get(ENV_VAR):
        roots.append(Path(os.environ[ENV_VAR]).expanduser())
    folders = [folder for root in roots for folder in (root, root / source.name)]
    return folders + [cache_dir(source.name)] + [Path(d) for d in source.system_dirs]


def _find(folder: Path, stem: str) -> Path | None:
    return next((p for p in (folder / stem, folder / f"{stem}.gz") if p.is_file()), None)


def _find_all(folder: Path, stems: tuple[str, ...]) -> list[Path] | None:
    paths = [_find(folder, stem) for stem in stems]
    return paths if all(paths) else None


def _download_or_explain(source: _Source, split: str, stems: tuple[str, ...], folders: list[Path],
                         download: bool) -> list[Path]:
    cache = cache_dir(source.name)
    failure = None
    if download:
        try:
            return [_find(cache, stem) or _download(source, f"{stem}.gz") for stem in stems]
        except DownloadError as error:
            failure = error
    searched = "\n".join(f"  {folder}" for folder in folders)
    if failure is not None:
        tried = "Downloading failed; tried:\n" + "\n".join(f"  {url}: {why}" for url, why in failure.attempts)
    else:
        tried = "Not downloaded: download=False."
    wanted = " and ".join(f"{stem}.gz" for stem in stems)
    raise DatasetNotFoundError(
        f"{source.title} {split} split not found.\n"
        f"Looked for {' and '.join(f'{stem}[.gz]' for stem in stems)} in:\n{searched}\n{tried}\n"
        f"To place the files by hand: download {wanted} from {source.mirrors[0]} (or "
        f"{', '.join(source.mirrors[1:])}) and put them, gzipped or not, in {cache}, or in a folder "
        f"passed as data_dir= or named by ${ENV_VAR}.") from failure


def _download(source: _Source, filename: str) -> Path:
    checksum = {source.checksum_kind: source.checksums[filename]}
    return download_file([mirror + filename for mirror in source.mirrors], cache_dir(source.name) / filename,
                         size=source.sizes[filename], **checksum)


def blobs(n_centers: int = 10, per_center: int = 100, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian blobs in 2-D: ``(points float32 (N, 2), labels int64 (N,))`` with N = n_centers * per_center.

    The generator of seed program 000: centres uniform in [-8, 8), then
    ``per_center`` points ``centre + randn(2)`` around each, in order of the
    centres. For ``seed=0`` these are exactly the points that program made
    after ``np.random.seed(0)``; numpy's global random state is left alone.

    >>> points, labels = blobs()
    >>> points.shape, labels[98:102]
    ((1000, 2), array([0, 0, 1, 1]))
    """
    check_count(n_centers, "blobs: n_centers")
    check_count(per_center, "blobs: per_center")
    rng = np.random.RandomState(seed)  # the legacy generator: np.random.seed(seed) draws this stream
    centres = rng.uniform(-8.0, 8.0, (n_centers, 2))
    # One randn(N, 2) call draws the same numbers as the original's randn(2) per point.
    points = np.repeat(centres, per_center, axis=0) + rng.randn(n_centers * per_center, 2)
    return points.astype(np.float32), np.repeat(np.arange(n_centers, dtype=np.int64), per_center)


def moons(n: int = 100, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles: ``(X float64 (n, 2), y int64 (n,))`` with labels 0 and 1.

    The same numbers as ``sklearn.datasets.make_moons(n, noise=noise,
    random_state=seed)`` without needing scikit-learn. Labels are 0/1 as in
    scikit-learn; the micrograd demo's max-margin loss wants -1/+1, so it uses
    ``y * 2 - 1``. ``seed=1337`` gives that demo's exact data set.

    >>> X, y = moons(100, noise=0.1, seed=1337)
    >>> X.shape, y[:4]
    ((100, 2), array([0, 0, 1, 0]))
    """
    check_count(n, "moons: n")
    if not noise >= 0:
        raise ValueError(f"moons: noise is a standard deviation and must be >= 0; got {noise}")
    n_out, n_in = n // 2, n - n // 2
    angle_out, angle_in = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, n_in)
    X = np.vstack([np.append(np.cos(angle_out), 1 - np.cos(angle_in)),
                   np.append(np.sin(angle_out), 1 - np.sin(angle_in) - 0.5)]).T
    y = np.hstack([np.zeros(n_out, dtype=np.int64), np.ones(n_in, dtype=np.int64)])
    rng = np.random.RandomState(seed)  # scikit-learn's stream: shuffle the order, then add the noise
    order = np.arange(n)
    rng.shuffle(order)
    return X[order] + rng.normal(scale=noise, size=(n, 2)), y[order]


