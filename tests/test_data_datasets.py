"""MNIST/Fashion-MNIST from IDX files (where they are looked for, what comes back) and the generated sets."""
import dataclasses
from pathlib import Path

import numpy as np
import pytest

from autograd_lite.data import DatasetNotFoundError, IDXFormatError, blobs, fashion_mnist, mnist, moons
from autograd_lite.data import datasets, write_idx

SHARED_MNIST = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"
DEBIAN_FASHION = Path("/usr/share/datasets/fashion-mnist")


@pytest.fixture
def clean_env(tmp_path, monkeypatch):
    """No $AUTOGRAD_LITE_DATA, an empty home, and no system folder for Fashion-MNIST."""
    monkeypatch.delenv("AUTOGRAD_LITE_DATA", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setattr(datasets, "_FASHION_MNIST", dataclasses.replace(datasets._FASHION_MNIST, system_dirs=()))
    return tmp_path


def _write_split(folder, label, n=3, prefix="t10k", gz=True):
    """A tiny split whose labels are all ``label``, so a test can tell which folder was read."""
    folder.mkdir(parents=True, exist_ok=True)
    suffix = ".gz" if gz else ""
    images = np.arange(n * 784, dtype=np.int64).reshape(n, 28, 28) % 256
    write_idx(folder / f"{prefix}-images-idx3-ubyte{suffix}", images.astype(np.uint8))
    write_idx(folder / f"{prefix}-labels-idx1-ubyte{suffix}", np.full(n, label, dtype=np.uint8))


# -- what comes back ------------------------------------------------------------------------------------------

def test_images_are_float32_in_unit_range_flattened_and_labels_uint8(clean_env):
    _write_split(clean_env / "d", label=4)
    x, y = mnist("test", data_dir=clean_env / "d")
    assert (x.shape, x.dtype, y.dtype, y.tolist()) == ((3, 784), np.float32, np.uint8, [4, 4, 4])
    assert x.min() == 0.0 and x.max() == 1.0 and x[0, 1] == np.float32(1 / 255)


def test_normalize_false_keeps_raw_uint8_pixels_and_flatten_false_keeps_28_by_28(clean_env):
    _write_split(clean_env / "d", label=4)
    x, _ = mnist("test", data_dir=clean_env / "d", normalize=False, flatten=False)
    assert (x.shape, x.dtype, int(x.max()), int(x[0, 0, 1])) == ((3, 28, 28), np.uint8, 255, 1)


def test_uncompressed_files_are_read_too(clean_env):
    _write_split(clean_env / "d", label=6, prefix="train", gz=False)
    assert mnist("train", data_dir=clean_env / "d", download=False)[1].tolist() == [6, 6, 6]


def test_a_split_with_no_images_loads_as_empty_arrays(clean_env):
    _write_split(clean_env / "d", label=0, n=0)
    x, y = mnist("test", data_dir=clean_env / "d", download=False)
    assert (x.shape, x.dtype, y.shape) == ((0, 784), np.float32, (0,))


@pytest.mark.skipif(not SHARED_MNIST.is_dir(), reason="the shared MNIST test split is not on this machine")
def test_the_real_mnist_test_split():
    x, y = mnist("test", data_dir=SHARED_MNIST, download=False)
    assert x.shape == (10000, 784) and y[:5].tolist() == [7, 2, 1, 0, 4]
    assert np.bincount(y).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert round(float(x.mean()) * 255, 2) == 33.79


@pytest.mark.skipif(not DEBIAN_FASHION.is_dir(), reason="Debian's dataset-fashion-mnist is not installed")
def test_fashion_mnist_is_found_in_debians_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("AUTOGRAD_LITE_DATA", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    x, y = fashion_mnist("test", download=False, normalize=False, flatten=False)
    assert x.shape == (10000, 28, 28) and np.bincount(y).tolist() == [1000] * 10 and int(y[0]) == 9


def test_split_must_be_train_or_test():
    with pytest.raises(ValueError, match="split must be 'train' or 'test'; got 'validation'"):
        mnist("validation")


# -- where the files are looked for ---------------------------------------------------------------------------

def test_data_dir_comes_before_the_environment_variable_and_the_cache(clean_env, monkeypatch):
    _write_split(clean_env / "given", label=1)
    _write_split(clean_env / "env", label=2)
    _write_split(clean_env / "home" / ".cache" / "autograd_lite" / "mnist", label=3)
    monkeypatch.setenv("AUTOGRAD_LITE_DATA", str(clean_env / "env"))
    assert mnist("test", data_dir=clean_env / "given", download=False)[1][0] == 1
    assert mnist("test", download=False)[1][0] == 2
    monkeypatch.delenv("AUTOGRAD_LITE_DATA")
    assert mnist("test", download=False)[1][0] == 3


def test_each_folder_may_hold_the_files_in_a_subfolder_named_after_the_data_set(clean_env, monkeypatch):
    _write_split(clean_env / "given" / "mnist", label=1)
    _write_split(clean_env / "env" / "fashion-mnist", label=2)
    monkeypatch.setenv("AUTOGRAD_LITE_DATA", str(clean_env / "env"))
    assert mnist("test", data_dir=clean_env / "given", download=False)[1][0] == 1
    assert fashion_mnist("test", data_dir=clean_env / "given", download=False)[1][0] == 2


def test_files_directly_in_a_folder_come_before_its_subfolder(clean_env):
    _write_split(clean_env / "d", label=1)
    _write_split(clean_env / "d" / "mnist", label=2)
    assert mnist("test", data_dir=clean_env / "d", download=False)[1][0] == 1


def test_the_system_folder_comes_last(clean_env, monkeypatch):
    _write_split(clean_env / "system", label=8)
    source = dataclasses.replace(datasets._FASHION_MNIST, system_dirs=(str(clean_env / "system"),))
    monkeypatch.setattr(datasets, "_FASHION_MNIST", source)
    assert fashion_mnist("test", download=False)[1][0] == 8
    _write_split(clean_env / "home" / ".cache" / "autograd_lite" / "fashion-mnist", label=5)
    assert fashion_mnist("test", download=False)[1][0] == 5


def test_a_folder_with_only_the_images_is_passed_over(clean_env):
    _write_split(clean_env / "d", label=1)
    (clean_env / "d" / "t10k-labels-idx1-ubyte.gz").unlink()
    _write_split(clean_env / "d" / "mnist", label=2)
    assert mnist("test", data_dir=clean_env / "d", download=False)[1][0] == 2


def test_missing_files_raise_a_file_not_found_error_listing_every_folder_searched(clean_env, monkeypatch):
    monkeypatch.setenv("AUTOGRAD_LITE_DATA", str(clean_env / "env"))
    with pytest.raises(DatasetNotFoundError) as error:
        mnist("train", data_dir=clean_env / "given", download=False)
    assert isinstance(error.value, FileNotFoundError)
    cache = clean_env / "home" / ".cache" / "autograd_lite" / "mnist"
    assert str(error.value).splitlines()[:7] == [
        "MNIST train split not found.",
        "Looked for train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz] in:",
        f"  {clean_env / 'given'}", f"  {clean_env / 'given' / 'mnist'}",
        f"  {clean_env / 'env'}", f"  {clean_env / 'env' / 'mnist'}", f"  {cache}"]
    assert "Not downloaded: download=False." in str(error.value)
    assert f"put them, gzipped or not, in {cache}" in str(error.value)


# -- damaged files --------------------------------------------------------------------------------------------

def test_a_truncated_images_file_is_reported_by_name(clean_env):
    _write_split(clean_env / "d", label=1, gz=False)
    path = clean_env / "d" / "t10k-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-1])
    with pytest.raises(IDXFormatError, match=r"t10k-images-idx3-ubyte: truncated"):
        mnist("test", data_dir=clean_env / "d")


def test_images_and_labels_files_swapped(clean_env):
    _write_split(clean_env / "d", label=1)
    images, labels = clean_env / "d" / "t10k-images-idx3-ubyte.gz", clean_env / "d" / "t10k-labels-idx1-ubyte.gz"
    images_bytes = images.read_bytes()
    images.write_bytes(labels.read_bytes())
    labels.write_bytes(images_bytes)
    with pytest.raises(IDXFormatError, match=r"t10k-images-idx3-ubyte\.gz: magic number is 2049"):
        mnist("test", data_dir=clean_env / "d")


def test_images_and_labels_must_agree_in_number(clean_env):
    _write_split(clean_env / "d", label=1)
    write_idx(clean_env / "d" / "t10k-labels-idx1-ubyte.gz", np.zeros(2, np.uint8))
    with pytest.raises(IDXFormatError, match=r"holds 2 labels but .*t10k-images-idx3-ubyte\.gz holds 3 images"):
        mnist("test", data_dir=clean_env / "d")


def test_images_must_be_28_by_28_and_labels_0_to_9(clean_env):
    _write_split(clean_env / "d", label=12)
    with pytest.raises(IDXFormatError, match="labels are the classes 0-9, found 12"):
        mnist("test", data_dir=clean_env / "d")
    write_idx(clean_env / "d" / "t10k-images-idx3-ubyte.gz", np.zeros((3, 32, 32), np.uint8))
    with pytest.raises(IDXFormatError, match="images are 32 x 32 pixels; MNIST images are 28 x 28"):
        mnist("test", data_dir=clean_env / "d")


# -- blobs and moons ------------------------------------------------------------------------------------------

def _seed_program_000():
    """Seed program 000's data, verbatim (it seeds and draws from numpy's global generator)."""
    np.random.seed(0)
    pts = list()
    labels = list()
    center_pts = np.random.uniform(-8.0, 8.0, (10, 2))
    for label, center_pt in enumerate(center_pts):
        for _ in range(100):
            pts.append(center_pt + np.random.randn(*center_pt.shape))
            labels.append(label)
    pts = np.stack(pts, axis=0).astype(np.float32)
    labels = np.stack(labels, axis=0)
    return pts, labels


def test_blobs_are_exactly_the_points_of_seed_program_000():
    expected_points, expected_labels = _seed_program_000()
    points, labels = blobs()
    assert (points.shape, points.dtype, labels.dtype) == ((1000, 2), np.float32, np.int64)
    np.testing.assert_array_equal(points, expected_points)
    np.testing.assert_array_equal(labels, expected_labels)


def test_blobs_leave_numpys_global_generator_alone():
    np.random.seed(123)
    expected = np.random.rand()
    np.random.seed(123)
    blobs(seed=5)
    assert np.random.rand() == expected


def test_blobs_sizes_and_seeds():
    points, labels = blobs(n_centers=3, per_center=2, seed=1)
    assert points.shape == (6, 2) and labels.tolist() == [0, 0, 1, 1, 2, 2]
    assert not np.array_equal(points, blobs(n_centers=3, per_center=2, seed=2)[0])
    with pytest.raises(ValueError, match="per_center must be a positive integer; got 0"):
        blobs(per_center=0)


def test_moons_match_scikit_learns_make_moons():
    make_moons = pytest.importorskip("sklearn.datasets").make_moons
    for n, noise, seed in [(100, 0.1, 0), (7, 0.3, 5), (1, 0.0, 2)]:
        X, y = moons(n, noise=noise, seed=seed)
        expected_X, expected_y = make_moons(n, noise=noise, random_state=seed)
        np.testing.assert_array_equal(X, expected_X)
        np.testing.assert_array_equal(y, expected_y)


def test_moons_are_float64_points_with_labels_0_and_1():
    X, y = moons()
    assert (X.shape, X.dtype, y.dtype, sorted(set(y.tolist()))) == ((100, 2), np.float64, np.int64, [0, 1])
    assert np.bincount(y).tolist() == [50, 50]


def test_moons_without_noise_lie_on_the_half_circles():
    X, y = moons(10, noise=0.0)
    upper = X[y == 0]
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0)
    with pytest.raises(ValueError, match="noise is a standard deviation and must be >= 0; got -0.1"):
        moons(noise=-0.1)
