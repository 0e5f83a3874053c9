"""The messages of anomaly mode (``detect_anomaly``): where a NaN or inf was made, by which op,
in which module, from which line of the user's code."""
from __future__ import annotations

import os
import sys
from typing import Any, Sequence

import numpy as np

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def user_frame() -> str:
    """'file.py:12' of the innermost caller outside this package."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame = frame.f_back
    if frame is None:
        return "<unknown>"
    return f"{frame.f_code.co_filename}:{frame.f_lineno}"


def _raw(x: Any) -> Any:
    return x.data if hasattr(x, "_op") else x  # a node's data, or raw data as it is (an ndarray's .data is a buffer)


def in_module(op: Any) -> str:
    """`` in 2 (Linear)`` for an op made inside a module's forward; empty otherwise."""
    scope = getattr(op, "scope", None)
    return f" in {scope.qualified_name()}" if scope is not None else ""


def all_finite(x: Any) -> bool:
    return bool(np.all(np.isfinite(_raw(x))))


def bad_text(x: Any) -> str:
    """'nan', 'inf', '-inf' or a combination, for the first non-finite values in ``x``."""
    x = np.asarray(_raw(x))
    kinds = [text for text, hit in (("nan", np.isnan(x)), ("inf", np.isposinf(x)), ("-inf", np.isneginf(x)))
             if np.any(hit)]
    return " and ".join(kinds)


def origin(x: Any) -> str:
    """Where an input came from: a leaf, or the op (and line) that made it."""
    op = x.grad_fn
    if op is None:
        return "a leaf" if x.requires_grad else "a constant"
    where = getattr(op, "created_at", None)
    return f"'{op.name}'{in_module(op)}" + (f" created at {where}" if where else "")


def input_names(op: Any, count: int) -> Sequence[str]:
    names = op.arg_names
    return names if len(names) == count else [f"input {i}" for i in range(count)]


def forward_anomaly(op: Any, inputs: Sequence[Any], out: Any) -> str:
    parts = []
    for name, x in zip(input_names(op, len(inputs)), inputs):
        bad = "" if all_finite(x.data) else f", already holding {bad_text(x.data)}"
        parts.append(f"{name} from {origin(x)}{bad}")
    return (f"detect_anomaly: '{op.name}'{in_module(op)} produced {bad_text(out)} in forward, called at {user_frame()}; "
            f"inputs: {'; '.join(parts)}")


def backward_anomaly(op: Any, inputs: Sequence[Any], i: int, gx: Any) -> str:
    name = input_names(op, len(inputs))[i]
    where = getattr(op, "created_at", None) or "<unknown: run the forward pass inside detect_anomaly()>"
    return (f"detect_anomaly: the gradient that '{op.name}' passes to its input {name} holds {bad_text(gx)} "
            f"in backward; '{op.name}'{in_module(op)} was created at {where}; {name} came from {origin(inputs[i])}")


