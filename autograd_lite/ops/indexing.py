"""x[index] and its adjoint, adding a gradient back into place."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..engine import Node, Op, raw


def normalize_index(index: Any) -> Any:
    """Replace tensors and lists inside an index by ndarrays (numpy's own rules then apply)."""
    if isinstance(index, tuple):
        return tuple(normalize_index(i) for i in index)
    if isinstance(index, Node):
        return index.data
    if isinstance(index, list):
        return np.asarray(index)
    return index


def _is_advanced(index: Any) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return any(isinstance(i, np.ndarray) for i in parts)


def index_steps(index: Any) -> list[Any]:
    """``index`` as the indexing steps that give PyTorch's dimension order (one step, mostly).

    numpy counts an int as an advanced index when arrays are present, so in
    ``x[1, :, idx]`` the int and the array are "separated by a slice" and the
    array's dimension goes first. PyTorch applies ints first (selecting, as
    ``x[1]`` does), then the arrays; they are then adjacent and their dimension
    stays in place: ``x[1, :, idx]`` has shape ``(x.shape[1], len(idx))``.
    We follow PyTorch: an index mixing ints and arrays is applied in two steps,
    ints first. Without that mix numpy and PyTorch agree and one step is taken.
    """
    index = normalize_index(index)
    parts = index if isinstance(index, tuple) else (index,)
    is_int = [isinstance(i, (int, np.integer)) and not isinstance(i, (bool, np.bool_)) for i in parts]
    if not any(is_int) or not _is_advanced(index):
        return [index]
    ints_first, the_rest = [], []
    for part, integer in zip(parts, is_int):
        if integer:
            ints_first.append(part)
        elif part is None:  # the new axis is made in the first step and kept whole in the second
            ints_first.append(None)
            the_rest.append(slice(None))
        elif isinstance(part, np.ndarray) and part.dtype == bool:  # a mask spans as many axes as it has
            ints_first.extend([slice(None)] * part.ndim)
            the_rest.append(part)
        else:
            ints_first.append(Ellipsis if part is Ellipsis else slice(None))
            the_rest.append(part)
    return [tuple(ints_first), tuple(the_rest)]


class GetItem(Op, name="getitem", derivatives=("zeros with g added at the picked places",), vjp=True, saves=()):
    """x[index].   ∂L/∂x = zeros with g added at the picked places (picked twice: added twice)"""
    __slots__ = ("index",)

    def __init__(self, index: Any) -> None:
        self.index = normalize_index(index)

    def label(self) -> str:
        return f"[{_index_text(self.index)}]"

    def forward(self, x):
        return x[self.index]

    def backward(self, g, y, x):
        return (IndexAdd(self.index, np.shape(raw(x))).apply(g),)

    def explain_error(self, nodes, error):
        return type(error)(f"getitem: index [{_index_text(self.index)}] does not fit shape {nodes[0].shape}: {error}")


class IndexAdd(Op, name="index_add", derivatives=("g[index]",), vjp=True, saves=()):
    """index_add(x): zeros(shape) with x added at ``index`` (the adjoint of x[index]).   ∂L/∂x = g[index]"""
    __slots__ = ("index", "shape")

    def __init__(self, index: Any, shape: tuple[int, ...]) -> None:
        self.index, self.shape = index, tuple(shape)

    def label(self) -> str:
        return f"index_add[{_index_text(self.index)}]"

    def forward(self, x):
        out = np.zeros(self.shape, dtype=np.result_type(x))
        if _is_advanced(self.index):
            np.add.at(out, self.index, x)  # repeated indices must accumulate
        else:
            out[self.index] = x
        return out

    def backward(self, g, y, x):
        return (GetItem(self.index).apply(g),)


def _index_text(index: Any) -> str:
    parts = index if isinstance(index, tuple) else (index,)
    out = []
    for i in parts:
        if isinstance(i, slice):
            out.append(":" if i == slice(None) else
                       f"{'' if i.start is None else i.start}:{'' if i.stop is None else i.stop}"
                       + ("" if i.step is None else f":{i.step}"))
        elif i is None:
            out.append("None")
        elif i is Ellipsis:
            out.append("...")
        elif isinstance(i, np.ndarray):
            out.append(f"<{i.dtype} array {i.shape}>")
        else:
            out.append(str(i))
    return ", ".join(out)
