"""Functional transforms: Jacobians, Hessians and their products, for Tensors and Values.

``jacobian hessian vjp jvp hvp vhp`` follow ``torch.autograd.functional``:
``inputs`` is one Tensor (or Value) or a tuple of them, results mirror that
(one result, or a tuple; a tuple of tuples where both sides are tuples),
``create_graph=True`` keeps the results differentiable, and ``strict=True``
refuses an output that does not depend on an input (otherwise that part is
zeros). ``value_and_grad`` and ``elementwise_grad`` are JAX's and HIPS
autograd's function-to-function forms.

All are built on reverse mode (:func:`autograd_lite.grad`); ``jvp`` uses the
double-vjp trick (see its docstring).

>>> import autograd_lite as ag
>>> ag.jacobian(lambda x: x ** 2, ag.tensor([1.0, 3.0]))
Tensor([[2., 0.],
        [0., 6.]])
>>> ag.hessian(lambda x: (x ** 3).sum(), ag.tensor([1.0, 2.0]))
Tensor([[ 6.,  0.],
        [ 0., 12.]])
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from .engine import Node, ShapeError, enable_grad, grad
from .tensor import Tensor
from .value import Value

__all__ = ["jacobian", "hessian", "vjp", "jvp", "hvp", "vhp", "value_and_grad", "elementwise_grad"]


# -- helpers: one Tensor/Value or a tuple of them --------------------------------------------------
def _as_tuple(items: Any, what: str, fn: str) -> tuple[bool, tuple[Node, ...]]:
    """(whether ``items`` was a tuple or list, the items as a tuple), each checked to be a Tensor or Value."""
    is_tuple = isinstance(items, (tuple, list))
    items = tuple(items) if is_tuple else (items,)
    for i, x in enumerate(items):
        if not isinstance(x, (Tensor, Value)):
            raise TypeError(f"{fn}: {what} {i} must be a Tensor or Value, got {type(x).__name__}")
    return is_tuple, items


def _mirror(is_tuple: bool, items: Sequence[Any]) -> Any:
    return tuple(items) if is_tuple else items[0]


def _prepare(x: Node, create_graph: bool, fn: str) -> Node:
    """A differentiable stand-in for an input: connected to ``x``'s graph under ``create_graph``
    (so the result can be differentiated with respect to ``x`` itself), else a fresh leaf."""
    if isinstance(x, Value):
        return x + 0.0 if create_graph else Value(x.data)
    if x.dtype.kind != "f":
        raise TypeError(f"{fn}: inputs must be floating point to be differentiated, got dtype {x.dtype}")
    if create_graph and x.requires_grad:
        return x.reshape(x.shape)
    return Tensor._from_op(x.data, None).requires_grad_(True)


def _zeros_like(x: Node) -> Node:
    if isinstance(x, Value):
        return Value(0.0)
    return Tensor._from_op(np.zeros_like(x.data), None)


def _detached(x: Node, create_graph: bool) -> Node:
    if create_graph:
        return x
    return Value(x.data) if isinstance(x, Value) else x.detach()


def _check_outputs(outputs: Any, fn: str) -> tuple[bool, tuple[Node, ...]]:
    is_tuple, outs = _as_tuple(outputs, "output", fn)
    if not outs:
        raise ValueError(f"{fn}: the function returned no outputs")
    return is_tuple, outs


def _grads(outputs: Sequence[Node], inputs: Sequence[Node], grad_outputs: Sequence[Any] | None,
           create_graph: bool, strict: bool, fn: str) -> list[Node]:
    """d(Σ outputs·grad_outputs)/d inputs, with zeros (or, with ``strict``, an error) for an unused input."""
    live = [i for i, out in enumerate(outputs) if out.requires_grad]
    found: Sequence[Any] = [None] * len(inputs)
    if live:
        found = grad([outputs[i] for i in live], list(inputs),
                     None if grad_outputs is None else [grad_outputs[i] for i in live],
                     retain_graph=True, create_graph=create_graph, allow_unused=True)
    result = []
    for i, (x, g) in enumerate(zip(inputs, found)):
        if g is None:
            if strict:
                raise RuntimeError(f"{fn}: the output of the function is independent of input {i}; "
                                   f"this is not allowed in strict mode")
            g = _zeros_like(x)
        elif not create_graph and isinstance(x, Value) and not isinstance(g, Value):
            g = Value(g)
        result.append(g)
    return result


def _vectors(v: Any, like: Sequence[Node], what: str, fn: str) -> list[Any]:
    """``v`` matched to ``like`` (the outputs or the inputs): one vector per item, of its shape."""
    if v is None:
        if len(like) != 1 or _size(like[0]) != 1:
            raise ShapeError(f"{fn}: v can be left out only when the {what} is a single element; "
                             f"give v of shape {like[0].shape if len(like) == 1 else [x.shape for x in like]}")
        return [Value(1.0) if isinstance(like[0], Value) else Tensor._from_op(np.ones_like(like[0].data), None)]
    vs = list(v) if isinstance(v, (tuple, list)) and len(like) > 1 else [v]
    if len(vs) != len(like):
        raise ShapeError(f"{fn}: got {len(vs)} vectors v for {len(like)} {what}s")
    out = []
    for i, (vec, x) in enumerate(zip(vs, like)):
        if isinstance(x, Value):
            out.append(vec if isinstance(vec, Value) else Value(float(vec)))
            continue
        vec = vec if isinstance(vec, Tensor) else Tensor(np.asarray(vec, dtype=x.dtype))
        if vec.shape != x.shape:
            raise ShapeError(f"{fn}: v {i} has shape {vec.shape} but the {what} has shape {x.shape}")
        out.append(vec)
    return out


def _size(x: Node) -> int:
    return 1 if isinstance(x, Value) else x.size


# -- the transforms ----------------------------------------------------------------------------------
def vjp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """``(func(*inputs), vᵀ·J)``: the vector-Jacobian product, one backward pass.

    >>> out, g = ag.vjp(lambda x: x * 3, ag.tensor([1.0, 2.0]), ag.tensor([1.0, 10.0]))
    >>> g
    Tensor([ 3., 30.])
    """
    fn = "vjp"
    in_tuple, xs = _as_tuple(inputs, "input", fn)
    with enable_grad():
        xs = tuple(_prepare(x, create_graph, fn) for x in xs)
        out_tuple, outs = _check_outputs(func(*xs), fn)
        vs = _vectors(v, outs, "output", fn)
        grads = _grads(outs, xs, vs, create_graph, strict, fn)
    return (_mirror(out_tuple, [_detached(o, create_graph) for o in outs]),
            _mirror(in_tuple, [_detached(g, create_graph) for g in grads]))


def jvp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """``(func(*inputs), J·v)``: the Jacobian-vector product (forward mode's answer).

    Computed by the double-vjp trick, not by dual numbers: with ``u`` a dummy
    vector of the output's shape, ``g(u) = uᵀ·J`` is one backward pass recorded
    with ``create_graph``; ``g`` is linear in ``u``, so its vjp with ``v``, a
    second backward pass, is ``J·v``. Two backward passes whatever the number of
    outputs (a Jacobian would take one per output), and no tangent rule per op
    to write and keep in step with its derivative: every op's backward, already
    written once and already checked to second order, serves forward mode too.
    The cost is a recorded backward (about twice the memory of a plain one).

    >>> out, t = ag.jvp(lambda x: x ** 2, ag.tensor([1.0, 3.0]), ag.tensor([1.0, 1.0]))
    >>> t
    Tensor([2., 6.])
    """
    fn = "jvp"
    in_tuple, xs = _as_tuple(inputs, "input", fn)
    with enable_grad():
        xs = tuple(_prepare(x, create_graph, fn) for x in xs)
        vs = _vectors(v, xs, "input", fn)
        out_tuple, outs = _check_outputs(func(*xs), fn)
        dummies = [Value(0.0) if isinstance(o, Value) else Tensor._from_op(np.zeros_like(o.data), None)
                   .requires_grad_(True) for o in outs]
        # u ↦ uᵀ·J: strict=False here, so an unused input gives a constant zero, dropped just below.
        vjps = _grads(outs, xs, dummies, True, strict, fn)
        used = [i for i, g in enumerate(vjps) if g.requires_grad]
        products = _grads([vjps[i] for i in used], dummies, [vs[i] for i in used], create_graph, False, fn)
    return (_mirror(out_tuple, [_detached(o, create_graph) for o in outs]),
            _mirror(out_tuple, [_detached(p, create_graph) for p in products]))


def jacobian(func: Callable[..., Any], inputs: Any, create_graph: bool = False, strict: bool = False) -> Any:
    """∂ func(*inputs) / ∂ inputs, of shape ``output.shape + input.shape`` (one backward pass per output element).

    One input and one output give one Tensor; tuples give a tuple (of tuples:
    ``J[i][j]`` for output i and input j), as ``torch.autograd.functional.jacobian``.

    >>> ag.jacobian(lambda a, b: a * b, (ag.tensor([2.0]), ag.tensor([5.0])))
    (Tensor([[5.]]), Tensor([[2.]]))
    """
    fn = "jacobian"
    in_tuple, xs = _as_tuple(inputs, "input", fn)
    with enable_grad():
        xs = tuple(_prepare(x, create_graph, fn) for x in xs)
        out_tuple, outs = _check_outputs(func(*xs), fn)
        rows = []
        for out in outs:
            per_input: list[list[Node]] = [[] for _ in xs]
            for k in range(_size(out)):
                seed = _unit(out, k)
                for j, g in enumerate(_grads([out], xs, [seed], create_graph, strict, fn)):
                    per_input[j].append(g)
            rows.append([_assemble(out, x, gs, create_graph) for x, gs in zip(xs, per_input)])
    return _mirror(out_tuple, [_mirror(in_tuple, row) for row in rows])


def _unit(out: Node, k: int) -> Any:
    """The k-th unit vector of ``out``'s shape (the seed that picks output element k)."""
    if isinstance(out, Value):
        return 1.0
    e = np.zeros(out.size, dtype=out.dtype)
    e[k] = 1
    return e.reshape(out.shape)


def _assemble(out: Node, x: Node, rows: list[Node], create_graph: bool) -> Node:
    """One Jacobian block of shape ``out.shape + x.shape`` from one gradient per output element."""
    if isinstance(out, Value) and isinstance(x, Value):
        return _detached(rows[0], create_graph)
    from .functional import stack
    shape = tuple(getattr(out, "shape", ())) + tuple(getattr(x, "shape", ()))
    block = stack([r if isinstance(r, Tensor) else Tensor(r.data) for r in rows]).reshape(shape)
    return _detached(block, create_graph)


def hessian(func: Callable[..., Any], inputs: Any, create_graph: bool = False, strict: bool = False) -> Any:
    """Second derivatives of a function with one-element output: ``H[i][j]`` of shape ``inputs[i].shape + inputs[j].shape``.

    The Jacobian of the gradient (reverse over reverse).

    >>> ag.hessian(lambda x, y: x * y * y, (ag.tensor(1.0), ag.tensor(3.0)))
    ((Tensor(0.), Tensor(6.)), (Tensor(6.), Tensor(2.)))
    """
    fn = "hessian"
    in_tuple, _ = _as_tuple(inputs, "input", fn)

    def gradient(*xs: Node) -> Any:
        out = _scalar_output(func(*xs), fn)
        return _mirror(in_tuple, _grads([out], xs, None, True, strict, fn))

    return jacobian(gradient, inputs, create_graph, strict)


def _scalar_output(out: Any, fn: str) -> Node:
    if not isinstance(out, (Tensor, Value)) or _size(out) != 1:
        shape = getattr(out, "shape", type(out).__name__)
        raise ShapeError(f"{fn}: the function must return a single-element Tensor or a Value, got {shape}")
    return out


def vhp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """``(func(*inputs), vᵀ·H)`` for a function with one-element output: two backward passes, no Hessian built.

    >>> out, p = ag.vhp(lambda x: (x ** 3).sum(), ag.tensor([1.0, 2.0]), ag.tensor([1.0, 0.0]))
    >>> p
    Tensor([6., 0.])
    """
    return _hessian_product(func, inputs, v, create_graph, strict, "vhp")


def hvp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """``(func(*inputs), H·v)``. The Hessian of a twice continuously differentiable function is
    symmetric, so ``H·v = vᵀ·H``, computed as :func:`vhp` is (PyTorch computes it by a slower double-backward).

    >>> out, p = ag.hvp(lambda x: (x ** 3).sum(), ag.tensor([1.0, 2.0]), ag.tensor([0.0, 1.0]))
    >>> p
    Tensor([ 0., 12.])
    """
    return _hessian_product(func, inputs, v, create_graph, strict, "hvp")


def _hessian_product(func: Callable[..., Any], inputs: Any, v: Any, create_graph: bool, strict: bool,
                     fn: str) -> tuple[Any, Any]:
    """The gradient recorded (first backward), then its vjp with v (second backward)."""
    in_tuple, xs = _as_tuple(inputs, "input", fn)
    with enable_grad():
        xs = tuple(_prepare(x, create_graph, fn) for x in xs)
        vs = _vectors(v, xs, "input", fn)
        out = _scalar_output(func(*xs), fn)
        first = _grads([out], xs, None, True, strict, fn)
        used = [i for i, g in enumerate(first) if g.requires_grad]
        second = _grads([first[i] for i in used], xs, [vs[i] for i in used], create_graph, strict, fn)
    return _detached(out, create_graph), _mirror(in_tuple, [_detached(g, create_graph) for g in second])


def _grad_function(func: Callable[..., Any], argnums: int | Sequence[int], fn: str,
                   elementwise: bool) -> Callable[..., tuple[Any, Any]]:
    """func ↦ (args ↦ (value, gradient with respect to the args at ``argnums``))."""
    several = not isinstance(argnums, (int, np.integer))
    positions = tuple(argnums) if several else (int(argnums),)

    def value_and_gradient(*args: Any, **kwargs: Any) -> tuple[Any, Any]:
        for p in positions:
            if not -len(args) <= p < len(args):
                raise IndexError(f"{fn}: argnums {argnums} asks for argument {p}, but the function got {len(args)}")
        args = list(args)
        # Inside another transform (an argument that already requires grad), stay on its graph, so
        # that elementwise_grad(elementwise_grad(f)) is the second derivative, as in JAX.
        nested = any(isinstance(args[p], Tensor) and args[p].requires_grad for p in positions)
        leaves = []
        with enable_grad():
            for p in positions:
                args[p] = _prepare(args[p], True, fn) if nested else _leaf(args[p], fn)
                leaves.append(args[p])
            out = func(*args, **kwargs)
            if not elementwise:
                out = _scalar_output(out, fn + " (for a non-scalar function use elementwise_grad or jacobian)")
            total = out if isinstance(out, Value) else out.sum()
            grads = _grads([total], leaves, None, nested, False, fn)
        grads = [g.data if isinstance(g, Value) else g for g in grads]
        return _detached(out, nested), (tuple(grads) if several else grads[0])

    return value_and_gradient


def _leaf(x: Any, fn: str) -> Node:
    """A fresh leaf for an argument: a Value stays a Value, anything else becomes a float Tensor."""
    if isinstance(x, Value):
        return Value(x.data)
    data = x.data if isinstance(x, Tensor) else np.asarray(x)
    if data.dtype.kind != "f":
        data = data.astype(np.float32)
    return Tensor(data, requires_grad=True)


def value_and_grad(func: Callable[..., Any], argnums: int | Sequence[int] = 0) -> Callable[..., tuple[Any, Any]]:
    """``jax.value_and_grad``: a function returning ``(func(*args), ∂func/∂args[argnums])``.

    ``func`` must return one number (a one-element Tensor or a Value).
    ``argnums`` a tuple gives a tuple of gradients. Arrays and numbers among the
    arguments become float Tensors; a Value's gradient is a float.

    >>> value, g = ag.value_and_grad(lambda x, y: (x * y).sum(), argnums=1)(ag.tensor([1.0, 2.0]), ag.tensor([3.0, 4.0]))
    >>> value, g
    (Tensor(11.), Tensor([1., 2.]))
    """
    return _grad_function(func, argnums, "value_and_grad", elementwise=False)


def elementwise_grad(func: Callable[..., Any], argnum: int = 0) -> Callable[..., Any]:
    """HIPS autograd's ``elementwise_grad``: the gradient of ``func(*args).sum()``.

    For a function applied element by element (its Jacobian diagonal) that is
    the derivative at every point at once, e.g. for plotting ``tanh`` and its derivatives.

    >>> ag.elementwise_grad(lambda x: x ** 2)(ag.tensor([1.0, 2.0, 3.0]))
    Tensor([2., 4., 6.])
    """
    value_and_gradient = _grad_function(func, argnum, "elementwise_grad", elementwise=True)
    return lambda *args, **kwargs: value_and_gradient(*args, **kwargs)[1]

