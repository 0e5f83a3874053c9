"""PyTorch's in-place methods (``add_``, ``zero_``, ``x += y``, ``x[i] = v``...) for ``Tensor``.

Each one writes into the tensor's own array and moves its version forward,
so a graph that saved the old values refuses to backpropagate through them
(``engine.mark_changed``; PyTorch's version counters).

Where PyTorch would *record* an in-place op (a tensor that is part of a graph,
or an operand that requires grad, with grad mode on), these raise instead:
our graph's edges point at tensor objects, so rewriting a tensor's history in
place would silently change what earlier ops see. ``x += y`` is the exception:
there Python rebinds ``x`` to the out-of-place result, which is what the graph
needs. Change parameters under ``no_grad()``, as optimizers do.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..engine import ArgumentError, Node, ShapeError, is_grad_enabled, raw


def _records(tensor: Any, other: Any = None) -> bool:
    """Whether PyTorch would record this in-place change in the graph."""
    if not is_grad_enabled():
        return False
    return tensor.requires_grad or (isinstance(other, Node) and other.requires_grad)


def _refuse_if_recorded(tensor: Any, what: str, other: Any = None) -> None:
    """Raise where PyTorch would record the change (see the module's docstring for why we do not)."""
    if not _records(tensor, other):
        return
    if tensor.is_leaf and tensor.requires_grad:
        raise RuntimeError(
            f"{what}: a leaf Tensor that requires grad is being changed in place; do it inside "
            f"`with ag.no_grad():` (as an optimizer does), or use the out-of-place form")
    raise RuntimeError(
        f"{what}: in-place changes to a tensor that is part of a graph (or with an operand that requires grad) "
        f"are not recorded here, unlike PyTorch: the graph points at tensor objects, so rewriting one in "
        f"place would change what earlier ops see. Use the out-of-place form (x = x + y)")


def _write(tensor: Any, what: str, ufunc: Any, *operands: Any) -> Any:
    """``tensor.data = ufunc(tensor.data, *operands)`` in place, with PyTorch's casting rule:
    the result must fit the tensor's dtype (an int tensor cannot take a float result)."""
    data = tensor.data
    if not data.flags.writeable:
        raise RuntimeError(f"{what}: this tensor's array is read-only (a broadcast view, as expand() makes, "
                           f"or an array numpy marked read-only); clone it first")
    try:
        ufunc(data, *[raw(x) for x in operands], out=data, casting="same_kind")
    except ValueError as error:  # the result's broadcast shape is not the tensor's
        shapes = " and ".join(str(np.shape(raw(x))) for x in operands)
        raise ShapeError(f"{what}: an operand of shape {shapes} does not broadcast to the tensor's "
                         f"shape {data.shape}") from error
    except TypeError as error:  # numpy's UFuncTypeError: a float result into an int tensor
        raise RuntimeError(f"{what}: the result cannot be cast to the tensor's dtype {data.dtype} "
                           f"({error})") from None
    tensor._bump_version()
    return tensor


class InPlaceMethods:
    """The in-place methods of ``Tensor``: each returns the tensor itself, as in PyTorch."""
    __slots__ = ()

    def add_(self, other: Any, *, alpha: float = 1) -> Any:
        """``self += alpha * other`` in place.

        >>> from autograd_lite import Tensor
        >>> Tensor([1.0, 2.0]).add_(1)
        Tensor([2., 3.])
        """
        _refuse_if_recorded(self, "add_", other)
        return _write(self, "add_", np.add, other if alpha == 1 else raw(other) * alpha)

    def sub_(self, other: Any, *, alpha: float = 1) -> Any:
        _refuse_if_recorded(self, "sub_", other)
        return _write(self, "sub_", np.subtract, other if alpha == 1 else raw(other) * alpha)

    def mul_(self, other: Any) -> Any:
        _refuse_if_recorded(self, "mul_", other)
        return _write(self, "mul_", np.multiply, other)

    def div_(self, other: Any) -> Any:
        _refuse_if_recorded(self, "div_", other)
        return _write(self, "div_", np.true_divide, other)

    def clamp_(self, min: float | None = None, max: float | None = None) -> Any:  # noqa: A002 (PyTorch's names)
        if min is None and max is None:
            raise ArgumentError("clamp_: give at least one of min and max")
        _refuse_if_recorded(self, "clamp_")
        low = -np.inf if min is None else min
        high = np.inf if max is None else max
        return _write(self, "clamp_", np.clip, low, high)

    clip_ = clamp_

    def copy_(self, src: Any) -> Any:
        """Copy ``src``'s values (broadcast to this tensor's shape, cast to its dtype) into this tensor."""
        _refuse_if_recorded(self, "copy_", src)
        source = np.asarray(raw(src))
        try:
            np.copyto(self.data, source, casting="unsafe")  # copy_ casts as PyTorch's does
        except ValueError as error:
            raise ShapeError(f"copy_: source of shape {source.shape} does not broadcast to the tensor's "
                             f"shape {self.data.shape}") from error
        self._bump_version()
        return self

    def fill_(self, value: Any) -> Any:
        _refuse_if_recorded(self, "fill_", value)
        self.data.fill(raw(value))
        self._bump_version()
        return self

    def zero_(self) -> Any:
        return self.fill_(0)

    def __setitem__(self, index: Any, value: Any) -> None:
        """``x[index] = value`` writes into ``x``'s array (indices as in ``x[index]``)."""
        from .indexing import normalize_index
        _refuse_if_recorded(self, "x[index] = value", value)
        self.data[normalize_index(index)] = raw(value)
        self._bump_version()

    # x += y: in place where nothing is recorded; otherwise Python rebinds x to the
    # out-of-place result, so `loss += term` keeps building the graph as users expect.
    def __iadd__(self, other: Any) -> Any:
        return self + other if _records(self, other) else _write(self, "+=", np.add, other)

    def __isub__(self, other: Any) -> Any:
        return self - other if _records(self, other) else _write(self, "-=", np.subtract, other)

    def __imul__(self, other: Any) -> Any:
        return self * other if _records(self, other) else _write(self, "*=", np.multiply, other)

    def __itruediv__(self, other: Any) -> Any:
        return self / other if _records(self, other) else _write(self, "/=", np.true_divide, other)
