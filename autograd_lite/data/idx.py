"""The IDX format of MNIST and Fashion-MNIST: read it (gzipped or not) with every size checked, and write it.

An IDX file is a 4-byte magic number ``00 00 <type> <ndim>``, then ``ndim``
big-endian uint32 sizes, then the values in C order, big-endian. MNIST's
image files have magic number 2051 (0x00000803: unsigned bytes, 3 dimensions)
and its label files 2049 (0x00000801: unsigned bytes, 1 dimension).
"""
from __future__ import annotations

import gzip
import os
import zlib

import numpy as np

from ..atomic import atomic_write

__all__ = ["read_idx", "write_idx", "IDXFormatError", "IMAGES_MAGIC", "LABELS_MAGIC"]

IMAGES_MAGIC = 0x00000803
LABELS_MAGIC = 0x00000801

# IDX type code -> big-endian numpy dtype, as listed in the format's definition on the MNIST page.
_DTYPES = {0x08: np.dtype(">u1"), 0x09: np.dtype(">i1"), 0x0B: np.dtype(">i2"),
           0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}
_CODES = {dtype.newbyteorder("="): code for code, dtype in _DTYPES.items()}
_GZIP_SIGNATURE = b"\x1f\x8b"


class IDXFormatError(ValueError):
    """A file is not a well-formed IDX file, or not the kind expected; the message names the file."""


def _describe(magic: int) -> str:
    code, ndim = (magic >> 8) & 0xFF, magic & 0xFF
    dtype = _DTYPES.get(code)
    kind = f"{dtype.newbyteorder('=').name} values" if dtype is not None else f"unknown type code 0x{code:02x}"
    return f"{magic} (0x{magic:08x}: {kind}, {ndim} dimension{'s' if ndim != 1 else ''})"


def read_idx(path: str | os.PathLike, magic: int | None = None) -> np.ndarray:
    """Read an IDX file (gzip-compressed or not: told apart by content) into a native-endian array.

    ``magic``, if given, is the magic number the file must have (for example
    :data:`IMAGES_MAGIC`, 2051). A file that is cut short, has extra bytes, a
    damaged gzip stream or another magic number raises :class:`IDXFormatError`
    naming the file and what is wrong.

    >>> read_idx("t10k-labels-idx1-ubyte.gz", magic=LABELS_MAGIC)[:5]
    array([7, 2, 1, 0, 4], dtype=uint8)
    """
    path = os.fspath(path)
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == _GZIP_SIGNATURE:
        try:
            raw = gzip.decompress(raw)
        except (EOFError, OSError, zlib.error) as error:
            raise IDXFormatError(f"{path}: the gzip data is damaged or cut short ({error}); "
                                 f"delete the file and fetch it again") from None
    if len(raw) < 4 or raw[:2] != b"\x00\x00":
        raise IDXFormatError(f"{path}: not an IDX file (it should start with the bytes 00 00, then a type "
                             f"code and the number of dimensions; it starts with {raw[:4].hex(' ') or 'nothing'})")
    found = int.from_bytes(raw[:4], "big")
    if magic is not None and found != magic:
        raise IDXFormatError(f"{path}: magic number is {_describe(found)}, expected {_describe(magic)}")
    dtype = _DTYPES.get(raw[2])
    if dtype is None:
        raise IDXFormatError(f"{path}: unknown IDX type code 0x{raw[2]:02x} (magic number {_describe(found)})")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise IDXFormatError(f"{path}: header cut short: {ndim} dimensions need {header} header bytes, "
                             f"the file has {len(raw)}")
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    count = int(np.prod(shape, dtype=np.int64))
    expected, present = count * dtype.itemsize, len(raw) - header
    sizes = " x ".join(map(str, shape))
    if present < expected:
        raise IDXFormatError(f"{path}: truncated: the header promises {sizes} values ({expected} bytes) "
                             f"but only {present} bytes follow it")
    if present > expected:
        raise IDXFormatError(f"{path}: {present - expected} unexpected bytes after the {sizes} values "
                             f"the header promises")
    return np.frombuffer(raw, dtype=dtype, count=count, offset=header).astype(dtype.newbyteorder("=")).reshape(shape)


def write_idx(path: str | os.PathLike, array: np.ndarray) -> None:
    """Write ``array`` as an IDX file, gzip-compressed when ``path`` ends in ``.gz``; atomically.

    The gzip header carries no name or time, so the same array gives the same bytes.

    >>> write_idx("tiny-labels-idx1-ubyte.gz", np.array([7, 2, 1], dtype=np.uint8))
    """
    array = np.asarray(array)
    code = _CODES.get(array.dtype.newbyteorder("="))
    if code is None:
        raise TypeError(f"write_idx: IDX holds uint8, int8, int16, int32, float32 or float64 values; "
                        f"got dtype {array.dtype} (convert it first, e.g. array.astype(np.uint8))")
    if not 1 <= array.ndim <= 255:
        raise ValueError(f"write_idx: IDX holds arrays of 1 to 255 dimensions; got {array.ndim}")
    header = bytes([0, 0, code, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    content = header + np.ascontiguousarray(array, dtype=_DTYPES[code]).tobytes()
    path = os.fspath(path)
    with atomic_write(path, "wb") as f:
        f.write(gzip.compress(content, mtime=0) if path.endswith(".gz") else content)
