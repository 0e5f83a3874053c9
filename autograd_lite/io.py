"""Checkpoints: state dicts and nested dicts of arrays in ``.safetensors`` or compressed ``.npz`` files.

The format follows the file name: ``.safetensors`` (the format PyTorch,
Hugging Face and others read; needs the ``safetensors`` package, the
``interop`` extra) or anything else as a compressed ``.npz`` (what
``np.savez_compressed`` writes, so numpy reads it directly). Names are
PyTorch's ``state_dict`` names (``0.weight``, ``0.bias``, buffers such as
``running_mean``), so a model written the same way in PyTorch loads the file
with ``model.load_state_dict(safetensors.torch.load_file(path))``, and the reverse.

As with ``torch.save``/``torch.load``, anything made of dicts, lists, tuples,
arrays, numbers and strings can be saved, and ``load(path)`` gives it back
(the arrays under their paths, ``optimizer/state/0/exp_avg``; how they nest,
as JSON in the metadata: a ``.safetensors`` header's ``__metadata__``, or an
``.npz`` member ``__metadata__.npy`` of UTF-8 bytes):

>>> import autograd_lite as ag
>>> ag.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 3},
...         "ckpt.safetensors")                                               # doctest: +SKIP
>>> checkpoint = ag.load("ckpt.safetensors")                                  # doctest: +SKIP
>>> model.load_state_dict(checkpoint["model"])                                # doctest: +SKIP

Loading never unpickles anything, and reads nothing it has not bounded first:
every size a file declares is checked against the file's real size and
``max_bytes`` before memory is allocated, and compressed members are
inflated in chunks, stopping at the size their header declares. Every
problem with a file is a :class:`CheckpointError` naming the file and the
member. A save appears complete or not at all (temporary file, then rename).

Seed program 000 saved its Keras weights transposed to (out, in), which is
this package's layout, so only the names need mapping:

>>> model = nn.Sequential(nn.Dense(128, activation="sigmoid"), nn.Dense(10, activation="softmax"))
>>> ag.load(model, "ch2_parameters.npz",                     # doctest: +SKIP
...         name_map={"W_h": "0.weight", "b_h": "0.bias", "W_o": "1.weight", "b_o": "1.bias"})

(The Dense layers take their input sizes from the file's shapes.)
"""
from __future__ import annotations

import json
import math
import os
import zipfile
import zlib
from typing import Any, Mapping

import numpy as np

from .atomic import atomic_write

__all__ = ["save", "load", "load_state_dict", "read_metadata", "CheckpointError", "DEFAULT_MAX_BYTES"]

DEFAULT_MAX_BYTES = 8 * 2**30
"""The most array bytes ``load`` reads from one file unless given ``max_bytes=`` (8 GiB)."""

_STRUCTURE_KEY = "autograd_lite.structure"  # in the metadata: how the arrays nest, for anything but a flat dict
_NPZ_METADATA_MEMBER = "__metadata__"       # an .npz keeps the metadata as JSON bytes in a uint8 array member
_MAX_HEADER_BYTES = 100 * 2**20             # the safetensors library's own limit on a header
_DEFLATE_MAX_RATIO = 1032                    # deflate cannot expand data more than this (zlib's technical note)
_CHUNK = 2**20
_READ_ERRORS = (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error, NotImplementedError)

# safetensors dtype names and their numpy dtypes (little-endian, as the format stores them)
_SAFETENSORS_DTYPES = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4", "I16": "<i2",
                       "I8": "i1", "U64": "<u8", "U32": "<u4", "U16": "<u2", "U8": "u1", "BOOL": "?"}


class CheckpointError(ValueError):
    """A file that is not a valid checkpoint, or one whose names or shapes do not fit the model."""


# -- saving -------------------------------------------------------------------
def save(obj: Any, path: str | os.PathLike, metadata: Mapping[str, str] | None = None) -> None:
    """Write a module's ``state_dict()``, or a (nested) dict of arrays and numbers, to ``path``.

    ``.safetensors`` files hold the arrays under their names and, for nested
    objects, how they nest as JSON in the header's metadata; other names give
    a compressed ``.npz``. ``metadata`` (text only) travels in the file and
    :func:`read_metadata` reads it back. The name is used as given (no
    suffix is appended); a failed save leaves an existing file as it was.

    >>> ag.save(model, "model.safetensors")                                  # doctest: +SKIP
    """
    if not isinstance(obj, Mapping):
        obj = _state_dict_of(obj)
    arrays: dict[str, np.ndarray] = {}
    if _is_flat_state_dict(obj):
        for name, value in obj.items():
            arrays[name] = _array_to_save(value, name)
        structure = None
    else:
        structure = _encode(obj, "", arrays)
    if not arrays and structure is None:
        raise ValueError("save: nothing to save (a model of Dense layers without input_dim has no parameters "
                         "until its first call)")
    text = dict(metadata or {})
    for key, value in text.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise TypeError(f"save: metadata must map strings to strings; got {key!r}: {type(value).__name__}")
        _check_name(key, "metadata key")
    if structure is not None:
        text[_STRUCTURE_KEY] = json.dumps(structure, allow_nan=True)
    if os.fspath(path).endswith(".safetensors"):
        _write_safetensors(path, arrays, text)
    else:
        _write_npz(path, arrays, text)


def _state_dict_of(obj: Any) -> Mapping[str, Any]:
    if not callable(getattr(obj, "state_dict", None)):
        raise TypeError(f"save: expected a Module or a dict of arrays, got {type(obj).__name__}")
    return obj.state_dict()


def _is_flat_state_dict(obj: Mapping) -> bool:
    """A dict of names to arrays (a state dict): stored as plain named arrays, readable by any tool."""
    return all(isinstance(k, str) and _is_array(v) for k, v in obj.items())


def _is_array(value: Any) -> bool:
    return isinstance(value, (np.ndarray, np.generic)) or isinstance(getattr(value, "data", None), np.ndarray)


def _array_to_save(value: Any, name: str) -> np.ndarray:
    _check_name(name, "name")
    array = np.asarray(getattr(value, "data", value))
    if array.dtype.kind not in "biufc":
        raise TypeError(f"save: '{name}' is not an array of numbers (dtype {array.dtype}); only numeric "
                        f"arrays are saved, so that loading never needs pickle")
    return array


def _check_name(name: str, what: str) -> None:
    if not name:
        raise ValueError(f"save: a {what} is empty; names must be non-empty strings")
    if "\0" in name:
        raise ValueError(f"save: the {what} {name!r} contains a NUL character, which file formats cut names "
                         f"at (it would be stored as {name.split(chr(0))[0]!r}); rename it")


def _encode(value: Any, path: str, arrays: dict[str, np.ndarray]) -> Any:
    """``value`` as JSON, its arrays moved to ``arrays`` under their path (``optimizer/state/0/exp_avg``).

    Dicts with string keys stay JSON objects; tuples and dicts with integer
    keys (an optimizer's state) are tagged so that they come back as they were.
    """
    if _is_array(value):
        name = path or "array"
        if name in arrays:
            raise ValueError(f"save: two values would both be stored as '{name}'; rename one of them")
        arrays[name] = _array_to_save(value, name)
        return {"$array": name}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    join = (lambda key: f"{path}/{key}") if path else str
    if isinstance(value, (list, tuple)):
        items = [_encode(item, join(i), arrays) for i, item in enumerate(value)]
        return {"$tuple": items} if isinstance(value, tuple) else items
    if isinstance(value, Mapping):
        for key in value:
            if isinstance(key, bool) or not isinstance(key, (str, int)):
                raise TypeError(f"save: keys must be strings or integers; '{path}' has a key {key!r}")
            if isinstance(key, str):
                _check_name(key, "key")
        if all(isinstance(k, str) and not k.startswith("$") for k in value):
            return {k: _encode(v, join(k), arrays) for k, v in value.items()}
        return {"$dict": [[k, _encode(v, join(k), arrays)] for k, v in value.items()]}
    raise TypeError(f"save: '{path}' is a {type(value).__name__}; checkpoints hold arrays, numbers, strings, "
                    f"lists, tuples and dicts only, so that loading never needs pickle")


def _write_safetensors(path: str | os.PathLike, arrays: dict[str, np.ndarray], metadata: dict[str, str]) -> None:
    safetensors_numpy = _safetensors_numpy()
    for name, array in arrays.items():
        if array.dtype.kind == "c":
            raise TypeError(f"save: '{name}' is complex ({array.dtype}), which .safetensors cannot hold; "
                            f"save to .npz instead")
    data = safetensors_numpy.save({n: np.ascontiguousarray(a) for n, a in arrays.items()}, metadata=metadata or None)
    with atomic_write(path, "wb") as f:
        f.write(data)


def _write_npz(path: str | os.PathLike, arrays: dict[str, np.ndarray], metadata: dict[str, str]) -> None:
    if metadata:
        if _NPZ_METADATA_MEMBER in arrays:
            raise ValueError(f"save: '{_NPZ_METADATA_MEMBER}' is the name .npz checkpoints keep metadata under")
        arrays = {**arrays, _NPZ_METADATA_MEMBER: np.frombuffer(json.dumps(metadata).encode(), dtype=np.uint8)}
    with atomic_write(path, "wb") as f, zipfile.ZipFile(f, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, array in arrays.items():  # the member layout np.savez_compressed uses
            with archive.open(name + ".npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, array, allow_pickle=False)


def _safetensors_numpy() -> Any:
    try:
        import safetensors.numpy
    except ImportError:
        raise ImportError(".safetensors files need the safetensors package: pip install 'autograd-lite[interop]' "
                          "(or save to a .npz file, which needs nothing more)") from None
    return safetensors.numpy


# -- loading ------------------------------------------------------------------
def load(obj: Any, path: str | os.PathLike | None = None, name_map: Mapping[str, str] | None = None,
         strict: bool = True, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Any:
    """``load(path)``: what :func:`save` wrote. ``load(module, path)``: copy the saved arrays into ``module``.

    With a module, names (after ``name_map``, ``{name in file: name in
    model}``) and shapes must match its ``state_dict()``; otherwise
    :class:`CheckpointError` lists every missing, unexpected and wrongly
    shaped name, and the model is left unchanged (the whole file is read and
    checked before anything is built or copied). ``strict=False`` skips
    missing and unexpected names (shapes must still match). Returns the module.

    >>> checkpoint = ag.load("ckpt.safetensors")       # a dict, as torch.load gives  # doctest: +SKIP
    >>> ag.load(model, "model.npz")                                               # doctest: +SKIP
    """
    if path is None:
        if not isinstance(obj, (str, os.PathLike)):
            raise TypeError(f"load: expected a path, or a module and a path; got {type(obj).__name__}")
        if name_map is not None:
            raise TypeError("load: name_map renames a module's parameters; give the module too: "
                            "load(module, path, name_map=...)")
        arrays, metadata = _read(obj, max_bytes)
        return _decode_file(arrays, metadata, os.fspath(obj))
    from .nn.module import StateDictError  # io sits beside nn; importing it lazily keeps `import autograd_lite` light
    state = load_state_dict(path, name_map, max_bytes=max_bytes)
    try:
        obj.load_state_dict(state, strict=strict)
    except StateDictError as error:
        raise CheckpointError(f"load: {os.fspath(path)}: {error}") from None
    return obj


def load_state_dict(path: str | os.PathLike, name_map: Mapping[str, str] | None = None, *,
                    max_bytes: int = DEFAULT_MAX_BYTES) -> dict[str, np.ndarray]:
    """The named arrays in a checkpoint of one state dict, renamed by ``name_map`` (``{name in file: name in model}``).

    Raises :class:`CheckpointError`, naming the path, for a file that is not
    a checkpoint of numeric arrays, one that holds more than a state dict,
    or a ``name_map`` that does not fit it.
    """
    path = os.fspath(path)
    arrays, metadata = _read(path, max_bytes)
    if _STRUCTURE_KEY in metadata:
        content = _decode_file(arrays, metadata, path)
        keys = ", ".join(map(str, content)) if isinstance(content, dict) else type(content).__name__
        raise CheckpointError(f"load: {path} holds more than one state dict ({keys}); read it with "
                              f"ag.load(path) and pass the part you want to load_state_dict")
    return _rename(arrays, name_map or {}, path)


def read_metadata(path: str | os.PathLike) -> dict[str, str]:
    """The text ``metadata`` given to :func:`save` (for ``.safetensors``, the header's ``__metadata__``)."""
    path = os.fspath(path)
    metadata = dict(_read(path, DEFAULT_MAX_BYTES, arrays_too=False)[1])
    metadata.pop(_STRUCTURE_KEY, None)
    return metadata


def _rename(arrays: dict[str, np.ndarray], name_map: Mapping[str, str], path: str) -> dict[str, np.ndarray]:
    absent = [name for name in name_map if name not in arrays]
    if absent:
        raise CheckpointError(f"load: name_map mentions {', '.join(absent)}, which {path} does not have "
                              f"(it has: {', '.join(arrays) or 'nothing'})")
    renamed: dict[str, np.ndarray] = {}
    for name, array in arrays.items():
        new = name_map.get(name, name)
        if new in renamed:
            raise CheckpointError(f"load: two arrays of {path} would both be named '{new}' after name_map")
        renamed[new] = array
    return renamed


def _decode_file(arrays: dict[str, np.ndarray], metadata: dict[str, str], path: str) -> Any:
    if _STRUCTURE_KEY not in metadata:
        return arrays
    try:
        structure = json.loads(metadata[_STRUCTURE_KEY])
        return _decode(structure, arrays, set())
    except (ValueError, TypeError, KeyError, RecursionError) as error:
        raise CheckpointError(f"load: {path}: its structure record ('{_STRUCTURE_KEY}' in the metadata) is "
                              f"damaged ({error})") from None


def _decode(value: Any, arrays: dict[str, np.ndarray], used: set[str]) -> Any:
    if isinstance(value, list):
        return [_decode(item, arrays, used) for item in value]
    if not isinstance(value, dict):
        return value
    if set(value) == {"$array"}:
        name = value["$array"]
        if name not in arrays or name in used:
            raise KeyError(f"array '{name}' is {'used twice' if name in used else 'not in the file'}")
        used.add(name)
        return arrays[name]
    if set(value) == {"$tuple"}:
        return tuple(_decode(item, arrays, used) for item in value["$tuple"])
    if set(value) == {"$dict"}:
        return {key: _decode(item, arrays, used) for key, item in value["$dict"]}
    return {key: _decode(item, arrays, used) for key, item in value.items()}


def _read(path: str | os.PathLike, max_bytes: int, arrays_too: bool = True
          ) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """(arrays, metadata) of a checkpoint, the format found from the file's first bytes."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"load: no checkpoint file at {path}")
    with open(path, "rb") as f:
        head = f.read(9)
    if head.startswith(b"\x93NUMPY"):
        raise CheckpointError(f"load: {path} holds a single array (a .npy file), not named arrays; "
                              f"write checkpoints with ag.save or np.savez")
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _read_npz(path, max_bytes, arrays_too)
    if path.endswith(".safetensors") or head[8:9] == b"{":
        return _read_safetensors(path, max_bytes, arrays_too)
    raise CheckpointError(f"load: {path} is not a .npz checkpoint (it is not a zip archive), nor a .safetensors file")


def _read_safetensors(path: str, max_bytes: int, arrays_too: bool) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Check the header entry by entry against the file's size, then let the safetensors package read the arrays."""
    def fail(problem: str) -> CheckpointError:
        return CheckpointError(f"load: {path} is not a valid .safetensors file: {problem}")

    size = os.path.getsize(path)
    with open(path, "rb") as f:
        declared = int.from_bytes(f.read(8), "little") if size >= 8 else None
        if declared is None or declared > min(size - 8, _MAX_HEADER_BYTES):
            raise fail(f"its header declares {declared} bytes, but the file has {size} bytes in all"
                       if declared is not None else f"it has only {size} bytes")
        try:
            header = json.loads(f.read(declared))
        except (ValueError, UnicodeDecodeError, RecursionError) as error:
            raise fail(f"its header is not JSON ({error})") from None
    if not isinstance(header, dict):
        raise fail("its header is not a JSON object")
    metadata = header.pop("__metadata__", None) or {}
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise fail("its __metadata__ is not a map of strings to strings")
    data_bytes, total = size - 8 - declared, 0
    for name, entry in header.items():
        total += _check_safetensors_entry(name, entry, data_bytes, fail)
        if total > max_bytes:
            raise CheckpointError(f"load: {path}: the arrays up to '{name}' take {total:,} bytes, more than "
                                  f"max_bytes={max_bytes:,}")
    if not arrays_too:
        return {}, metadata
    try:
        arrays = _safetensors_numpy().load_file(path)
    except ImportError:
        raise
    except Exception as error:  # the library raises its own SafetensorError and others; all mean a bad file
        raise fail(str(error)) from None
    return {name: arrays[name] for name in header}, metadata


def _check_safetensors_entry(name: str, entry: Any, data_bytes: int, fail: Any) -> int:
    """The bytes one array of a .safetensors header takes, after checking its entry; raises ``fail(...)``."""
    if "\0" in name:
        raise fail(f"the array name {name!r} contains a NUL character")
    if not isinstance(entry, dict) or not {"dtype", "shape", "data_offsets"} <= set(entry):
        raise fail(f"array '{name}': its entry lacks dtype, shape or data_offsets")
    dtype, shape, offsets = entry["dtype"], entry["shape"], entry["data_offsets"]
    if dtype not in _SAFETENSORS_DTYPES:
        raise fail(f"array '{name}' has dtype {dtype}, which numpy has no type for (convert it in PyTorch, "
                   f"e.g. tensor.float(), before saving)")
    if not isinstance(shape, list) or len(shape) > 64 or not all(type(n) is int and n >= 0 for n in shape):
        raise fail(f"array '{name}': its shape {shape!r} is not a list of sizes")
    if (not isinstance(offsets, list) or len(offsets) != 2 or not all(type(n) is int for n in offsets)
            or not 0 <= offsets[0] <= offsets[1] <= data_bytes):
        raise fail(f"array '{name}': its data_offsets {offsets!r} lie outside the file's {data_bytes:,} data bytes")
    nbytes = math.prod(shape) * np.dtype(_SAFETENSORS_DTYPES[dtype]).itemsize  # Python ints: no overflow
    if nbytes != offsets[1] - offsets[0]:
        raise fail(f"array '{name}': shape {tuple(shape)} of {dtype} needs {nbytes:,} bytes, but its data_offsets "
                   f"span {offsets[1] - offsets[0]:,}")
    return nbytes


def _read_npz(path: str, max_bytes: int, arrays_too: bool) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    arrays: dict[str, np.ndarray] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            total = 0
            for info in archive.infolist():
                name = _npz_member_name(info, path, arrays)
                if not arrays_too and name != _NPZ_METADATA_MEMBER:
                    continue
                try:
                    arrays[name] = _read_member(archive, info, max_bytes - total)
                except CheckpointError as error:
                    raise CheckpointError(f"load: {path}: array '{name}' {error}") from None
                except _READ_ERRORS as error:
                    raise CheckpointError(f"load: {path}: array '{name}' cannot be read ({error})") from None
                total += arrays[name].nbytes
    except CheckpointError:
        raise
    except _READ_ERRORS as error:
        raise CheckpointError(f"load: {path} is not a readable .npz checkpoint ({error})") from None
    metadata: dict[str, str] = {}
    if _NPZ_METADATA_MEMBER in arrays:
        try:
            metadata = json.loads(arrays.pop(_NPZ_METADATA_MEMBER).tobytes())
        except (ValueError, UnicodeDecodeError) as error:
            raise CheckpointError(f"load: {path}: its metadata member is not JSON ({error})") from None
        if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
            raise CheckpointError(f"load: {path}: its metadata member is not a map of strings to strings")
    return arrays, metadata


def _npz_member_name(info: zipfile.ZipInfo, path: str, seen: Mapping[str, Any]) -> str:
    member = info.filename
    if not member.endswith(".npy"):
        raise CheckpointError(f"load: {path}: member '{member}' is not a .npy array (an .npz holds only those)")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise CheckpointError(f"load: {path}: member '{member}' uses compression method {info.compress_type}; "
                              f"only stored and deflated members (what numpy writes) are read")
    name = member[:-len(".npy")]
    if name in seen:
        raise CheckpointError(f"load: {path}: member '{member}' appears twice")
    return name


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> np.ndarray:
    """One .npy member, its declared size checked before allocating and its stream read no further than that."""
    with archive.open(info) as stream:
        version = np.lib.format.read_magic(stream)
        read_header = {(1, 0): np.lib.format.read_array_header_1_0,
                       (2, 0): np.lib.format.read_array_header_2_0}.get(version)
        if read_header is None:
            raise CheckpointError(f"has .npy format version {version}, which is not read")
        shape, fortran_order, dtype = read_header(stream)
        if dtype.hasobject or dtype.kind not in "biufc":
            raise CheckpointError(f"has dtype {dtype}, not numbers (object arrays would need allow_pickle=True, "
                                  f"which is never used)")
        nbytes = math.prod(shape) * dtype.itemsize  # Python ints: no overflow
        most = info.compress_size * (_DEFLATE_MAX_RATIO if info.compress_type == zipfile.ZIP_DEFLATED else 1)
        if nbytes > min(info.file_size, most):
            raise CheckpointError(f"declares shape {shape} of {dtype} ({nbytes:,} bytes), more than its member "
                                  f"holds ({info.compress_size:,} bytes stored)")
        if nbytes > budget:
            raise CheckpointError(f"declares {nbytes:,} bytes, beyond what is left of max_bytes ({budget:,})")
        array = np.empty(math.prod(shape), dtype=dtype)
        view, done = memoryview(array.view(np.uint8)), 0
        while done < nbytes:
            got = stream.readinto(view[done:done + _CHUNK])
            if not got:
                raise CheckpointError(f"ends after {done:,} of the {nbytes:,} bytes its header declares")
            done += got
        if stream.read(1):  # reaching the end also checks the member's CRC
            raise CheckpointError(f"holds more data than its header declares (shape {shape} of {dtype})")
    return array.reshape(shape[::-1]).T if fortran_order else array.reshape(shape)
