"""The IDX reader: every size and the magic number are checked, and errors name the file."""
import gzip

import numpy as np
import pytest

from autograd_lite.data import IDXFormatError, read_idx, write_idx
from autograd_lite.data.idx import IMAGES_MAGIC, LABELS_MAGIC


def test_reads_back_what_write_idx_wrote_for_every_idx_type(tmp_path):
    for dtype in ["uint8", "int8", "int16", "int32", "float32", "float64"]:
        array = np.arange(24, dtype=dtype).reshape(2, 3, 4)
        write_idx(tmp_path / f"a-{dtype}.idx", array)
        back = read_idx(tmp_path / f"a-{dtype}.idx")
        assert back.dtype == np.dtype(dtype) and back.dtype.isnative
        np.testing.assert_array_equal(back, array)


def test_the_mnist_header_layout_is_magic_then_big_endian_sizes(tmp_path):
    write_idx(tmp_path / "labels", np.array([7, 2, 1], dtype=np.uint8))
    assert (tmp_path / "labels").read_bytes() == bytes.fromhex("00000801 00000003 070201")
    assert read_idx(tmp_path / "labels", magic=LABELS_MAGIC).tolist() == [7, 2, 1]


def test_gzip_is_recognised_by_content_not_by_name(tmp_path):
    content = bytes.fromhex("00000801 00000002 0509")
    (tmp_path / "labels-no-suffix").write_bytes(gzip.compress(content))
    assert read_idx(tmp_path / "labels-no-suffix").tolist() == [5, 9]


def test_write_idx_gzips_deterministically_when_the_name_ends_in_gz(tmp_path):
    array = np.arange(10, dtype=np.uint8)
    write_idx(tmp_path / "a.gz", array)
    first = (tmp_path / "a.gz").read_bytes()
    write_idx(tmp_path / "a.gz", array)
    assert first[:2] == b"\x1f\x8b" and (tmp_path / "a.gz").read_bytes() == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.gz"]  # no temporary file left beside it


def test_a_truncated_file_names_the_file_and_the_missing_bytes(tmp_path):
    path = tmp_path / "t10k-images-idx3-ubyte"
    write_idx(path, np.zeros((2, 28, 28), dtype=np.uint8))
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(IDXFormatError, match=r"t10k-images-idx3-ubyte: truncated: the header promises "
                                             r"2 x 28 x 28 values \(1568 bytes\) but only 1468 bytes follow"):
        read_idx(path)


def test_a_truncated_gzip_stream_says_the_gzip_data_is_cut_short(tmp_path):
    path = tmp_path / "images.gz"
    write_idx(path, np.arange(4000, dtype=np.float64))
    path.write_bytes(path.read_bytes()[:-30])
    with pytest.raises(IDXFormatError, match=r"images\.gz: the gzip data is damaged or cut short"):
        read_idx(path)


def test_extra_bytes_after_the_data_are_an_error(tmp_path):
    path = tmp_path / "labels"
    path.write_bytes(bytes.fromhex("00000801 00000002 0509 ff"))
    with pytest.raises(IDXFormatError, match="labels: 1 unexpected bytes after the 2 values"):
        read_idx(path)


def test_a_labels_file_where_images_are_expected_reports_both_magic_numbers(tmp_path):
    path = tmp_path / "swapped"
    write_idx(path, np.zeros(3, dtype=np.uint8))
    with pytest.raises(IDXFormatError) as error:
        read_idx(path, magic=IMAGES_MAGIC)
    assert str(error.value) == (f"{path}: magic number is 2049 (0x00000801: uint8 values, 1 dimension), "
                                f"expected 2051 (0x00000803: uint8 values, 3 dimensions)")


def test_a_file_that_is_not_idx_at_all(tmp_path):
    path = tmp_path / "page.html"
    path.write_bytes(b"<html>Not Found</html>")
    with pytest.raises(IDXFormatError, match=r"page\.html: not an IDX file .* starts with 3c 68 74 6d"):
        read_idx(path)
    path.write_bytes(b"")
    with pytest.raises(IDXFormatError, match="starts with nothing"):
        read_idx(path)


def test_an_unknown_type_code_and_a_short_header(tmp_path):
    (tmp_path / "a").write_bytes(bytes.fromhex("00000701 00000001 00"))
    with pytest.raises(IDXFormatError, match="unknown IDX type code 0x07"):
        read_idx(tmp_path / "a")
    (tmp_path / "b").write_bytes(bytes.fromhex("00000803 0000"))
    with pytest.raises(IDXFormatError, match="header cut short: 3 dimensions need 16 header bytes, the file has 6"):
        read_idx(tmp_path / "b")


def test_a_missing_file_is_the_usual_file_not_found_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope"):
        read_idx(tmp_path / "nope")


def test_write_idx_refuses_types_idx_cannot_hold():
    with pytest.raises(TypeError, match=r"got dtype int64 \(convert it first, e.g. array.astype"):
        write_idx("unused", np.arange(3))
