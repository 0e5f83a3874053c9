"""einsum, with a gradient through every operand, and the products written with it: outer dot mv bmm tensordot.

The products are declared once, here: their ``Tensor`` methods (``tensordot`` has none, as in PyTorch),
``ag.functional`` functions and checks come from the declaration.
"""
from __future__ import annotations

import string
from typing import Any, Sequence

import numpy as np

from ..engine import ArgumentError, Op, ShapeError, raw
from .registry import Samples, register_function
from .shape import SumTo

__all__ = ["Einsum", "einsum", "parse_subscripts", "outer", "dot", "mv", "bmm", "tensordot"]

_ELLIPSIS = "..."


def parse_subscripts(subscripts: str, count: int) -> tuple[list[str], str]:
    """``"ij,jk->ik"`` as (["ij", "jk"], "ik"); the implicit output of ``"ij,jk"`` is the letters used once,
    in alphabetical order (after ``...``), as numpy and PyTorch make it."""
    text = subscripts.replace(" ", "")
    if "->" in text:
        left, output = text.split("->", 1)
    else:
        left, output = text, None
    inputs = left.split(",")
    if len(inputs) != count:
        raise ArgumentError(f"einsum: subscripts {subscripts!r} name {len(inputs)} operands but {count} were given")
    allowed = set(string.ascii_letters)
    for part in inputs + ([output] if output is not None else []):
        letters = part.replace(_ELLIPSIS, "")
        if not set(letters) <= allowed or part.count(_ELLIPSIS) > 1 or "." in letters:
            raise ArgumentError(f"einsum: {part!r} in {subscripts!r} is not made of letters and at most one '...'")
    if output is None:
        letters = "".join(p.replace(_ELLIPSIS, "") for p in inputs)
        once = sorted(c for c in set(letters) if letters.count(c) == 1)
        output = (_ELLIPSIS if any(_ELLIPSIS in p for p in inputs) else "") + "".join(once)
    return inputs, output


def _letters(part: str) -> list[str]:
    """The labels of one operand, ``...`` as one label."""
    head, sep, tail = part.partition(_ELLIPSIS)
    return list(head) + ([_ELLIPSIS] if sep else []) + list(tail)


class Einsum(Op, name="einsum", vjp=True, saves=None):
    """einsum(subscripts, x0, x1, ...): sums of products over the repeated labels.

    ∂L/∂xᵢ = einsum of g with the other operands, onto xᵢ's labels: g carries the
    output's labels, the others theirs, and the result takes xᵢ's. More
    operands make that always possible: a ones vector for a label only xᵢ has
    (it was summed away, so its gradient is g copied along it; a ones block of
    its ``...`` shape likewise), and an identity matrix for each repeat of a
    label within xᵢ (``"ii->i"``: the gradient lands on the diagonal).
    """
    __slots__ = ("subscripts", "inputs_labels", "output_labels", "count")

    def __init__(self, subscripts: str, count: int) -> None:
        self.subscripts, self.count = subscripts, count
        self.inputs_labels, self.output_labels = parse_subscripts(subscripts, count)

    @property
    def arg_names(self) -> tuple[str, ...]:  # type: ignore[override]
        return tuple(f"x{i}" for i in range(self.count))

    @property
    def derivatives(self) -> tuple[str, ...]:  # type: ignore[override]
        return tuple(f"einsum of g with the other operands, onto x{i}'s labels" for i in range(self.count))

    def label(self) -> str:
        return f"einsum({','.join(self.inputs_labels)}->{self.output_labels})"

    def forward(self, *xs):
        optimize = len(xs) > 2
        if _ELLIPSIS in self.output_labels or not any(_ELLIPSIS in part for part in self.inputs_labels):
            return np.einsum(self.subscripts, *xs, optimize=optimize)
        # '...' summed away ("...i->i"): numpy refuses it, PyTorch allows it; keep '...' in the output, then sum it
        full = np.einsum(",".join(self.inputs_labels) + "->..." + self.output_labels, *xs, optimize=optimize)
        return full.sum(axis=tuple(range(full.ndim - len(self.output_labels))))

    def backward(self, g, y, *xs):
        return tuple(self._operand_grad(i, g, xs) if self.needs_input_grad(i) else None for i in range(len(xs)))

    def _operand_grad(self, i: int, g: Any, xs: Sequence[Any]) -> Any:
        target = _letters(self.inputs_labels[i])
        shape = np.shape(raw(xs[i]))
        available = set(_letters(self.output_labels))
        parts, operands = [self.output_labels], [g]
        for j, x in enumerate(xs):
            if j != i:
                parts.append(self.inputs_labels[j])
                operands.append(x)
                available |= set(_letters(self.inputs_labels[j]))
        if _ELLIPSIS in target:
            # A ones block of xᵢ's own '...' shape: the result then spans at least that shape (g copied along
            # it where '...' was summed away or broadcast), and SumTo below folds any broadcast back.
            k = target.index(_ELLIPSIS)
            parts.append(_ELLIPSIS)
            operands.append(np.ones(shape[k:len(shape) - (len(target) - k - 1)], dtype=np.result_type(raw(g))))
        spare = iter(c for c in string.ascii_letters if c not in "".join(self.inputs_labels) + self.output_labels)
        sizes = _label_sizes(target, shape)
        result, seen = [], set()
        for label in target:
            if label == _ELLIPSIS:
                result.append(label)
                continue
            if label in seen:  # a repeat within xᵢ: a fresh label tied to the first by an identity matrix
                fresh = next(spare)
                parts.append(label + fresh)
                operands.append(np.eye(sizes[label], dtype=np.result_type(raw(g))))
                result.append(fresh)
                continue
            seen.add(label)
            if label not in available:  # summed away, xᵢ's alone: g is copied along it
                parts.append(label)
                operands.append(np.ones(sizes[label], dtype=np.result_type(raw(g))))
            result.append(label)
        subscripts = ",".join(parts) + "->" + "".join(result)
        grad = Einsum(subscripts, len(operands)).apply(*operands)
        if np.shape(raw(grad)) != shape:  # a broadcast '...' (a length-1 axis met a longer one)
            grad = SumTo(shape).apply(grad)
        return grad

    def explain_error(self, nodes, error):
        shapes = ", ".join(str(x.shape) for x in nodes)
        return ShapeError(f"einsum: subscripts {self.subscripts!r} do not fit the operands' shapes {shapes}: {error}")


def _label_sizes(labels: list[str], shape: tuple[int, ...]) -> dict[str, int]:
    """The length of each named label in one operand (``...`` spans the axes the letters leave)."""
    sizes: dict[str, int] = {}
    if _ELLIPSIS in labels:
        k = labels.index(_ELLIPSIS)
        after = len(labels) - k - 1
        named = list(zip(labels[:k], shape[:k])) + list(zip(labels[k + 1:], shape[len(shape) - after:]))
    else:
        named = list(zip(labels, shape))
    for label, n in named:
        sizes[label] = n
    return sizes


def einsum(subscripts: str, *operands: Any) -> Any:
    """``torch.einsum`` / ``np.einsum``: any subscripts (``...`` and implicit output included), any number of operands.

    >>> einsum("ij,jk->ik", Tensor([[1.0, 2.0]]), Tensor([[3.0], [4.0]])).tolist()
    [[11.0]]
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not isinstance(subscripts, str):
        raise TypeError(f"einsum: the first argument must be the subscripts string, got {type(subscripts).__name__}")
    if not operands:
        raise ArgumentError("einsum: needs at least one operand")
    op = Einsum(subscripts, len(operands))
    for i, (labels, x) in enumerate(zip(op.inputs_labels, operands)):
        named = len(labels.replace(_ELLIPSIS, ""))
        ndim = np.ndim(raw(x))
        if (ndim != named) if _ELLIPSIS not in labels else ndim < named:
            raise ShapeError(f"einsum: operand {i} has {ndim} dimensions (shape {np.shape(raw(x))}) but "
                             f"subscripts {labels!r} name {named}")
    return op(*operands)


def _check_ndim(x: Any, ndim: int, fn: str, name: str) -> None:
    if np.ndim(raw(x)) != ndim:
        raise ShapeError(f"{fn}: {name} must be {ndim}-D, got shape {np.shape(raw(x))}")


def _products(*shapes: tuple[int, ...], **samples: Any) -> Samples:
    return Samples(inputs=len(shapes), shapes=shapes, **samples)


@register_function(op=Einsum, samples=_products((3,), (2,)))
def outer(a: Any, b: Any) -> Any:
    """``torch.outer``: ``a[i] * b[j]`` for 1-D a and b."""
    _check_ndim(a, 1, "outer", "the first vector")
    _check_ndim(b, 1, "outer", "the second vector")
    return einsum("i,j->ij", a, b)


@register_function(op=Einsum, samples=_products((4,), (4,)))
def dot(a: Any, b: Any) -> Any:
    """``torch.dot``: Σ a[i]·b[i] of two 1-D tensors of one length."""
    _check_ndim(a, 1, "dot", "the first vector")
    _check_ndim(b, 1, "dot", "the second vector")
    if np.shape(raw(a)) != np.shape(raw(b)):
        raise ShapeError(f"dot: the vectors have lengths {np.shape(raw(a))[0]} and {np.shape(raw(b))[0]}; they must be equal")
    return einsum("i,i->", a, b)


@register_function(samples=_products((3, 4), (4,)))
def mv(m: Any, v: Any) -> Any:
    """``torch.mv``: matrix (n, m) times vector (m,)."""
    _check_ndim(m, 2, "mv", "the matrix")
    _check_ndim(v, 1, "mv", "the vector")
    if np.shape(raw(m))[1] != np.shape(raw(v))[0]:
        raise ShapeError(f"mv: shapes {np.shape(raw(m))} and {np.shape(raw(v))} do not match")
    return m @ v


@register_function(samples=_products((2, 3, 4), (2, 4, 2)))
def bmm(a: Any, b: Any) -> Any:
    """``torch.bmm``: batched (b, n, m) @ (b, m, p), no broadcasting."""
    _check_ndim(a, 3, "bmm", "the first batch")
    _check_ndim(b, 3, "bmm", "the second batch")
    sa, sb = np.shape(raw(a)), np.shape(raw(b))
    if sa[0] != sb[0] or sa[2] != sb[1]:
        raise ShapeError(f"bmm: shapes {sa} and {sb} do not match (need (b, n, m) and (b, m, p))")
    return a @ b


@register_function(op=Einsum, tensor=False, samples=_products((2, 3, 4), (3, 4, 2), settings=(
    {}, {"dims": ([2, 1], [1, 0])})))
def tensordot(a: Any, b: Any, dims: int | Sequence[Any] = 2) -> Any:
    """``torch.tensordot``: sum over the last ``dims`` axes of a and the first of b, or over the
    axis pairs ``dims=([a axes], [b axes])``.

    >>> tensordot(Tensor(np.ones((2, 3))), Tensor(np.ones((3, 4))), 1).shape
    (2, 4)
    """
    na, nb = np.ndim(raw(a)), np.ndim(raw(b))
    if isinstance(dims, (int, np.integer)):
        if not 0 <= dims <= min(na, nb):
            raise ShapeError(f"tensordot: dims={dims} for operands with {na} and {nb} dimensions")
        axes_a, axes_b = list(range(na - dims, na)), list(range(dims))
    else:
        axes_a, axes_b = ([d] if isinstance(d, (int, np.integer)) else list(d) for d in dims)
        axes_a, axes_b = [d % na for d in axes_a], [d % nb for d in axes_b]
    if len(axes_a) != len(axes_b):
        raise ShapeError(f"tensordot: {len(axes_a)} axes of a but {len(axes_b)} of b")
    sa, sb = np.shape(raw(a)), np.shape(raw(b))
    for i, j in zip(axes_a, axes_b):
        if sa[i] != sb[j]:
            raise ShapeError(f"tensordot: axis {i} of a (shape {sa}) and axis {j} of b (shape {sb}) differ in length")
    letters = iter(string.ascii_letters)
    labels_a = [next(letters) for _ in range(na)]
    labels_b = [next(letters) for _ in range(nb)]
    for i, j in zip(axes_a, axes_b):
        labels_b[j] = labels_a[i]
    out = [c for k, c in enumerate(labels_a) if k not in axes_a] + [c for k, c in enumerate(labels_b) if k not in axes_b]
    return einsum(f"{''.join(labels_a)},{''.join(labels_b)}->{''.join(out)}", a, b)
