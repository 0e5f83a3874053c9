"""PyTorch's type promotion, stated once: the table of pairs and the three-tier rule.

Two dtypes combine by :data:`PROMOTION_TABLE` (PyTorch's ``torch.promote_types``;
it differs from numpy where a float meets an int: ``int64 + float16`` is
float16 in PyTorch, float64 in numpy). The operands of an op then combine in
three tiers, as in PyTorch (``torch.result_type``):

1. tensors with dimensions decide the dtype,
2. unless a 0-d tensor (a Python number becomes one) is of a higher *category*
   (bool < integer < float): then the two promote by the table.
3. An op whose inputs are all integers or bools but whose result must be a
   float (``/``, ``exp``, ``** 0.5``) gives the default float, float32.

So ``int_tensor / 2`` is float32, ``float32_tensor * Tensor(2.0, dtype=float64)``
stays float32 (numpy 2 would give float64), and ``int32_tensor + 0.5`` is float32.

>>> result_type(np.zeros(3, np.int32), np.array(1.0, np.float64))
dtype('float64')
>>> result_type(np.zeros(3, np.float32), np.array(1.0, np.float64))
dtype('float32')
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

__all__ = ["DEFAULT_FLOAT", "PROMOTION_TABLE", "as_dtype", "promote_types", "result_type", "category", "forward_with_promotion"]

DEFAULT_FLOAT = np.dtype(np.float32)

# torch.promote_types(row, column), printed from PyTorch 2.13 (tests/test_promotion.py compares the two).
_TABLE_TEXT = """
     b1  u1  i1  i2  i4  i8  f2  f4  f8
 b1  b1  u1  i1  i2  i4  i8  f2  f4  f8
 u1  u1  u1  i2  i2  i4  i8  f2  f4  f8
 i1  i1  i2  i1  i2  i4  i8  f2  f4  f8
 i2  i2  i2  i2  i2  i4  i8  f2  f4  f8
 i4  i4  i4  i4  i4  i4  i8  f2  f4  f8
 i8  i8  i8  i8  i8  i8  i8  f2  f4  f8
 f2  f2  f2  f2  f2  f2  f2  f2  f4  f8
 f4  f4  f4  f4  f4  f4  f4  f4  f4  f8
 f8  f8  f8  f8  f8  f8  f8  f8  f8  f8
"""


def _parse_table(text: str) -> dict[tuple[np.dtype, np.dtype], np.dtype]:
    header, *rows = text.strip().splitlines()
    columns = [np.dtype(code) for code in header.split()]
    table = {}
    for row in rows:
        name, *cells = row.split()
        for column, cell in zip(columns, cells):
            table[np.dtype(name), column] = np.dtype(cell)
    return table


PROMOTION_TABLE: dict[tuple[np.dtype, np.dtype], np.dtype] = _parse_table(_TABLE_TEXT)


def category(dtype: np.dtype) -> int:
    """0 for bool, 1 for integers, 2 for floats: a higher category wins across tiers."""
    return {"b": 0, "u": 1, "i": 1, "f": 2}[np.dtype(dtype).kind]


def promote_types(a: Any, b: Any) -> np.dtype:
    """The dtype two dtypes combine to (PyTorch's table; numpy's rule for dtypes outside it, e.g. uint32)."""
    a, b = np.dtype(a), np.dtype(b)
    found = PROMOTION_TABLE.get((a, b))
    if found is not None:
        return found
    if category(a) != category(b):  # as in the table: the float (or the int, over bool) wins
        return a if category(a) > category(b) else b
    return np.promote_types(a, b)


def as_dtype(dtype: Any, fn: str) -> np.dtype:
    """``dtype`` (a numpy dtype, its name, ``ag.float32``, or Python's ``float``/``int``/``bool``) checked."""
    try:
        wanted = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{fn}: {dtype!r} is not a dtype") from None
    if wanted.kind not in "biuf":
        raise TypeError(f"{fn}: dtype must be bool, int or float; got {wanted}")
    return wanted


def _combine(higher: np.dtype | None, lower: np.dtype | None) -> np.dtype | None:
    """PyTorch's ``combine_categories``: the higher tier's dtype unless the lower tier is of a higher category."""
    if higher is None:
        return lower
    if lower is None or higher.kind == "f":
        return higher
    if higher.kind == "b" or lower.kind == "f":
        return promote_types(higher, lower)
    return higher


def result_type(*arrays: Any) -> np.dtype:
    """The dtype an elementwise op on ``arrays`` computes in: dimensioned arrays first, 0-d ones second."""
    dimensioned = zero_d = None
    for x in arrays:
        dtype = np.result_type(x)
        if np.ndim(x):
            dimensioned = dtype if dimensioned is None else promote_types(dimensioned, dtype)
        else:
            zero_d = dtype if zero_d is None else promote_types(zero_d, dtype)
    return _combine(dimensioned, zero_d)


def forward_with_promotion(op: Any, data: Sequence[np.ndarray]) -> Any:
    """Run ``op.forward`` on ``data`` under the dtype rules; the engine calls this for every Tensor op.

    Elementwise ops with several inputs (``broadcasts=True``) cast their inputs
    to :func:`result_type` first. An op whose inputs hold no float but whose
    result does gives float32 (unless the op sets ``chooses_dtype = True``, as a
    cast does). Float inputs of one dtype, the common case, go straight to forward.
    """
    # This runs for every Tensor op: the common case is decided by identity checks alone (numpy's
    # builtin dtypes are singletons), before any loop or attribute lookup.
    first = data[0].dtype
    if first is _FLOAT32 or first is _FLOAT64:
        count = len(data)
        if count == 1 or (count == 2 and data[1].dtype is first):
            return op.forward(*data)
    return _forward_promoted(op, data)


_FLOAT32, _FLOAT64 = np.dtype(np.float32), np.dtype(np.float64)


def _forward_promoted(op: Any, data: Sequence[np.ndarray]) -> Any:
    """The rules themselves, for inputs of mixed dtypes or of no float dtype (see :func:`forward_with_promotion`)."""
    first = data[0].dtype
    if first.kind == "f" and all(x.dtype is first for x in data):  # three or more float inputs of one dtype
        return op.forward(*data)
    if op.broadcasts and len(data) > 1:
        target = result_type(*data)
        data = [x if x.dtype == target else x.astype(target) for x in data]
    out = op.forward(*data)
    out_dtype = getattr(out, "dtype", None)  # None for an op that returns several arrays
    if (out_dtype is not None and out_dtype.kind == "f" and out_dtype != DEFAULT_FLOAT
            and not any(x.dtype.kind == "f" for x in data) and not getattr(op, "chooses_dtype", False)):
        out = np.asarray(out, dtype=DEFAULT_FLOAT)
    return out



# PyTorch's dtype names, which ``autograd_lite`` exports (``ag.float32``, ``ag.long``...) for ``dtype=`` and
# ``.to()``. A dict rather than module globals, so that ``bool``, ``int`` and ``float`` stay the builtins here.
TORCH_NAMES: dict[str, np.dtype] = {
    name: np.dtype(code) for name, code in [
        ("bool", "b1"), ("uint8", "u1"), ("int8", "i1"), ("int16", "i2"), ("short", "i2"), ("int32", "i4"),
        ("int", "i4"), ("int64", "i8"), ("long", "i8"), ("float16", "f2"), ("half", "f2"),
        ("float32", "f4"), ("float", "f4"), ("float64", "f8"), ("double", "f8")]
}
