"""Checkpoints: a module's parameters as named arrays in a compressed ``.npz`` file.

The file is what ``np.savez_compressed`` writes, so numpy reads it directly
and files written by numpy (such as seed program 000's ``W_h, b_h, W_o, b_o``)
load into a model through a name map. Loading never unpickles anything.

>>> import autograd_lite as ag
>>> from autograd_lite import nn
>>> ag.save(model, "model.npz")                              # doctest: +SKIP
>>> ag.load(model, "model.npz")                              # doctest: +SKIP

Seed program 000 saved its Keras weights transposed to (out, in), which is
this package's layout, so only the names need mapping:

>>> model = nn.Sequential(nn.Dense(128, activation="sigmoid"), nn.Dense(10, activation="softmax"))
>>> ag.load(model, "ch2_parameters.npz",                     # doctest: +SKIP
...         name_map={"W_h": "0.weight", "b_h": "0.bias", "W_o": "1.weight", "b_o": "1.bias"})

(The Dense layers take their input sizes from the file's shapes.)
"""
from __future__ import annotations

import os
import zipfile
import zlib
from typing import Any, Mapping

import numpy as np

from .atomic import atomic_write

__all__ = ["save", "load", "load_state_dict", "CheckpointError"]

_READ_ERRORS = (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error)


class CheckpointError(ValueError):
    """A file that is not a valid checkpoint, or one whose names or shapes do not fit the model."""


def save(obj: Any, path: str | os.PathLike) -> None:
    """Write a module's ``state_dict()`` (or a dict of arrays) to ``path`` as a compressed ``.npz``.

    The file appears complete or not at all: a failed save leaves an existing
    file as it was. The name is used as given (no ``.npz`` is appended).
    """
    state = obj if isinstance(obj, Mapping) else _state_dict_of(obj)
    arrays = {}
    for name, value in state.items():
        if not isinstance(name, str) or not name:
            raise TypeError(f"save: names must be non-empty strings, got {name!r}")
        array = np.asarray(getattr(value, "data", value))
        if array.dtype.kind not in "biufc":
            raise TypeError(f"save: '{name}' is not an array of numbers (dtype {array.dtype}); only numeric "
                            f"arrays are saved, so that loading never needs pickle")
        arrays[name] = array
    if not arrays:
        raise ValueError("save: nothing to save (a model of Dense layers without input_dim has no parameters "
                         "until its first call)")
    with atomic_write(path, "wb") as f, zipfile.ZipFile(f, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, array in arrays.items():  # the member layout np.savez_compressed uses
            with archive.open(name + ".npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, array, allow_pickle=False)


def _state_dict_of(obj: Any) -> Mapping[str, Any]:
    if not callable(getattr(obj, "state_dict", None)):
        raise TypeError(f"save: expected a Module or a dict of arrays, got {type(obj).__name__}")
    return obj.state_dict()


def load_state_dict(path: str | os.PathLike, name_map: Mapping[str, str] | None = None) -> dict[str, np.ndarray]:
    """The named arrays in a checkpoint, renamed by ``name_map`` (``{name in file: name in model}``).

    Raises :class:`CheckpointError`, naming the path, for a file that is not
    a ``.npz`` of numeric arrays or a ``name_map`` that does not fit it.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"load: no checkpoint file at {path}")
    with open(path, "rb") as f:
        magic = f.read(6)
    if magic.startswith(b"\x93NUMPY"):
        raise CheckpointError(f"load: {path} holds a single array (a .npy file), not named arrays; "
                              f"write checkpoints with ag.save or np.savez")
    if not magic.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        raise CheckpointError(f"load: {path} is not a .npz checkpoint (it is not a zip archive)")
    try:
        data = np.load(path, allow_pickle=False)
    except _READ_ERRORS as error:
        raise CheckpointError(f"load: {path} is not a readable .npz checkpoint ({error})") from None
    arrays = {}
    with data:
        for name in data.files:
            try:
                arrays[name] = data[name]
            except _READ_ERRORS as error:
                raise CheckpointError(f"load: {path}: array '{name}' cannot be read ({error})") from None
            if arrays[name].dtype.kind not in "biufc":
                raise CheckpointError(f"load: {path}: array '{name}' has dtype {arrays[name].dtype}, not numbers")
    return _rename(arrays, name_map or {}, path)


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


def load(module: Any, path: str | os.PathLike, name_map: Mapping[str, str] | None = None,
         strict: bool = True) -> Any:
    """Copy the arrays saved at ``path`` into ``module``'s parameters, in place, and return the module.

    Names (after ``name_map``) and shapes must match ``named_parameters()``;
    otherwise :class:`CheckpointError` lists every missing, unexpected and
    wrongly shaped name and the model is left unchanged. ``strict=False``
    skips missing and unexpected names (shapes must still match).
    """
    from .nn.module import StateDictError  # io sits beside nn; importing it lazily keeps `import autograd_lite` light
    state = load_state_dict(path, name_map)
    try:
        module.load_state_dict(state, strict=strict)
    except StateDictError as error:
        raise CheckpointError(f"load: {os.fspath(path)}: {error}") from None
    return module
