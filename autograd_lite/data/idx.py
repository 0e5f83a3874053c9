"""The IDX format of MNIST and Fashion-MNIST: read it (gzipped or not) with every size checked, and write it.

An IDX file is a 4-byte magic number ``00 00 <type> <ndim>``, then ``ndim``
big-endian uint32 sizes, then the values in C order, big-endian. MNIST's
image files have magic number 2051 (0x00000803: unsigned bytes, 3 dimensions)
and its label files 2049 (0x00000801: unsigned bytes, 1 dimension).
"""
from __future__ import annotations

import gzip
import math
import os
import zlib
from typing import BinaryIO

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
MAX_BYTES = 1 << 30      # the default limit on the values a header may declare
MAX_DIMENSIONS = 32      # numpy 1.x's limit on an array's dimensions
_CHUNK = 1 << 20
_EXTRA_COUNTED = 1 << 20  # trailing bytes counted for the message; beyond this only "more than" is said


class IDXFormatError(ValueError):
    """A file is not a well-formed IDX file, or not the kind expected; the message names the file."""


def _describe(magic: int) -> str:
    code, ndim = (magic >> 8) & 0xFF, magic & 0xFF
    dtype = _DTYPES.get(code)
    kind = f"{dtype.newbyteorder('=').name} values" if dtype is not None else f"unknown type code 0x{code:02x}"
    return f"{magic} (0x{magic:08x}: {kind}, {ndim} dimension{'s' if ndim != 1 else ''})"


def read_idx(path: str | os.PathLike, magic: int | None = None, *, max_bytes: int | None = MAX_BYTES) -> np.ndarray:
    """Read an IDX file (gzip-compressed or not: told apart by content) into a native-endian array.

    ``magic``, if given, is the magic number the file must have (for example
    :data:`IMAGES_MAGIC`, 2051). A file that is cut short, has extra bytes, a
    damaged gzip stream or another magic number raises :class:`IDXFormatError`
    naming the file and what is wrong.

    The header alone decides nothing about memory: a header declaring more
    than ``max_bytes`` of values (1 GiB by default; MNIST's training images
    are 47 MB) is refused before any is read, and the values are read as the
    stream delivers them, so a file that promises more than it holds, or
    inflates to more than it promises, fails having held at most what it
    promised. ``max_bytes=None`` lifts the limit.

    >>> read_idx("t10k-labels-idx1-ubyte.gz", magic=LABELS_MAGIC)[:5]
    array([7, 2, 1, 0, 4], dtype=uint8)
    """
    path = os.fspath(path)
    with open(path, "rb") as file:
        compressed = file.read(2) == _GZIP_SIGNATURE
        file.seek(0)
        if not compressed:
            return _read(file, path, magic, max_bytes)
        try:
            with gzip.GzipFile(fileobj=file) as stream:
                return _read(stream, path, magic, max_bytes)
        except (EOFError, OSError, zlib.error) as error:
            raise IDXFormatError(f"{path}: the gzip data is damaged or cut short ({error}); "
                                 f"delete the file and fetch it again") from None


def _read(stream: BinaryIO, path: str, magic: int | None, max_bytes: int | None) -> np.ndarray:
    start = _read_up_to(stream, 4)
    if len(start) < 4 or start[:2] != b"\x00\x00":
        raise IDXFormatError(f"{path}: not an IDX file (it should start with the bytes 00 00, then a type "
                             f"code and the number of dimensions; it starts with {start.hex(' ') or 'nothing'})")
    found = int.from_bytes(start, "big")
    if magic is not None and found != magic:
        raise IDXFormatError(f"{path}: magic number is {_describe(found)}, expected {_describe(magic)}")
    dtype = _DTYPES.get(start[2])
    if dtype is None:
        raise IDXFormatError(f"{path}: unknown IDX type code 0x{start[2]:02x} (magic number {_describe(found)})")
    ndim = start[3]
    if ndim > MAX_DIMENSIONS:
        raise IDXFormatError(f"{path}: the header declares {ndim} dimensions; at most {MAX_DIMENSIONS} are read")
    sizes_bytes = _read_up_to(stream, 4 * ndim)
    if len(sizes_bytes) < 4 * ndim:
        raise IDXFormatError(f"{path}: header cut short: {ndim} dimensions need {4 + 4 * ndim} header bytes, "
                             f"the file has {4 + len(sizes_bytes)}")
    shape = tuple(int.from_bytes(sizes_bytes[4 * i: 4 * i + 4], "big") for i in range(ndim))
    count = math.prod(shape)  # a Python int: no overflow, whatever the header says
    expected = count * dtype.itemsize
    sizes = " x ".join(map(str, shape))
    if max_bytes is not None and expected > max_bytes:
        raise IDXFormatError(f"{path}: the header declares {sizes} values ({expected} bytes), more than "
                             f"max_bytes={max_bytes}; pass a larger max_bytes (or None) if the file is genuine")
    data = _read_up_to(stream, expected)
    if len(data) < expected:
        raise IDXFormatError(f"{path}: truncated: the header promises {sizes} values ({expected} bytes) "
                             f"but only {len(data)} bytes follow it")
    extra = len(_read_up_to(stream, _EXTRA_COUNTED + 1))
    if extra:
        amount = f"more than {_EXTRA_COUNTED}" if extra > _EXTRA_COUNTED else str(extra)
        raise IDXFormatError(f"{path}: {amount} unexpected bytes after the {sizes} values the header promises")
    return np.frombuffer(data, dtype=dtype, count=count).astype(dtype.newbyteorder("=")).reshape(shape)


def _read_up_to(stream: BinaryIO, size: int) -> bytearray:
    """At most ``size`` bytes, fewer only at the end of the stream; memory grows with what arrives, not with ``size``."""
    data = bytearray()
    while len(data) < size:
        chunk = stream.read(min(_CHUNK, size - len(data)))  # read(size) would allocate all of size up front
        if not chunk:
            break
        data += chunk
    return data


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
