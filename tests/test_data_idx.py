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


# -- bounds: what a header may declare, and what a stream may make us hold ------------------------------------

def test_sizes_that_overflow_int64_are_reported_with_the_file_name(tmp_path):
    path = tmp_path / "huge"
    path.write_bytes(bytes.fromhex("00000803 80000000 80000000 00000004"))  # 2^31 x 2^31 x 4 values, none present
    with pytest.raises(IDXFormatError, match=r"huge: the header declares 2147483648 x 2147483648 x 4 values "
                                             r"\(18446744073709551616 bytes\), more than max_bytes=1073741824"):
        read_idx(path)


def test_more_dimensions_than_numpy_holds_is_an_idx_error(tmp_path):
    path = tmp_path / "deep"
    path.write_bytes(bytes.fromhex("000008ff") + bytes.fromhex("00000001") * 255 + b"\x07")
    with pytest.raises(IDXFormatError, match="deep: the header declares 255 dimensions; at most 32 are read"):
        read_idx(path)


def test_a_declared_size_above_max_bytes_is_refused_before_reading_and_max_bytes_none_lifts_it(tmp_path):
    path = tmp_path / "labels"
    write_idx(path, np.arange(100, dtype=np.uint8))
    with pytest.raises(IDXFormatError, match=r"labels: the header declares 100 values \(100 bytes\), more than "
                                             r"max_bytes=99; pass a larger max_bytes"):
        read_idx(path, max_bytes=99)
    assert read_idx(path, max_bytes=None).tolist() == list(range(100))


def test_a_zero_length_file_is_read_as_empty(tmp_path):
    write_idx(tmp_path / "none", np.zeros((0, 28, 28), dtype=np.uint8))
    assert read_idx(tmp_path / "none", magic=IMAGES_MAGIC).shape == (0, 28, 28)


def test_a_gzip_stream_is_held_only_up_to_the_declared_size(tmp_path):
    # 2 labels declared, then 64 MB of zeros (a 64 KB gzip): the reader must not inflate it all into memory.
    tracemalloc = pytest.importorskip("tracemalloc")
    path = tmp_path / "bomb.gz"
    path.write_bytes(gzip.compress(bytes.fromhex("00000801 00000002 0509") + bytes(64 << 20), compresslevel=1))
    tracemalloc.start()
    try:
        with pytest.raises(IDXFormatError, match=r"bomb\.gz: more than 1048576 unexpected bytes after the 2 values"):
            read_idx(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 << 20


def test_a_header_promising_more_than_the_gzip_stream_holds_fails_without_allocating_the_promise(tmp_path):
    tracemalloc = pytest.importorskip("tracemalloc")
    path = tmp_path / "short.gz"
    path.write_bytes(gzip.compress(bytes.fromhex("00000803 000f4240 0000001c 0000001c") + bytes(1000)))
    tracemalloc.start()
    try:
        with pytest.raises(IDXFormatError, match=r"short\.gz: truncated: the header promises 1000000 x 28 x 28 "
                                                 r"values \(784000000 bytes\) but only 1000 bytes follow"):
            read_idx(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 << 20
