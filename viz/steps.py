"""The chain rule one edge at a time, in the order the engine runs it.

:func:`backward_steps` repeats the engine's reverse walk on its own (no
``backward()`` needed, nothing written to ``.grad``): for each node, latest
first, it asks the node's op for the gradient of each input, exactly as the
engine does, and records the step. Hooks registered on nodes are not run.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograd_lite.engine import Node, backward_order, sum_to

from .formatting import Lines, values
from .graph import Graph, holds_values, local_derivative, local_statement, walk, wrap

__all__ = ["Step", "backward_steps", "explain"]


@dataclass(frozen=True)
class Step:
    """One use of the chain rule: the gradient that flows from ``output`` back into ``node`` along one edge.

    ``upstream`` is dL/d(output), the gradient that reached the op from above;
    ``local`` is ∂(output)/∂(node), the op's own derivative, as a number (``None``
    for tensors, whose local derivative is stated in ``derivative``); ``product``
    is what this edge adds to dL/d(node); ``gradient`` is dL/d(node) after adding
    it; ``accumulates`` is True when ``node`` already had a gradient from another
    use; ``vjp`` is True for an op (matmul, softmax, reshape...) that states how to
    turn the upstream gradient ``g`` into the input's (a vector-Jacobian rule)
    instead of a local derivative.

    An input that numpy broadcast (``b`` of shape (3,) added to rows of shape
    (2, 3)) takes two steps: the chain rule gives the gradient of each broadcast
    copy (``broadcast_to`` is the copies' shape, ``gradient`` is None: not yet
    ``node``'s), then a ``kind="sum"`` step adds the copies up over
    ``summed_axes``, which is what makes ``gradient``.
    """

    node: str
    output: str
    root: str
    edge: tuple[int, int, int]  # (node position, output position, argument number), as in the drawings
    op: str
    derivative: str
    upstream: Any
    local: float | None
    product: Any
    gradient: Any
    accumulates: bool
    vjp: bool = False
    kind: str = "chain"                       # "chain" (upstream × local) or "sum" (broadcast copies added up)
    broadcast_to: tuple[int, ...] | None = None
    summed_axes: tuple[int, ...] = ()

    def text(self, max_elements: int = 8) -> str:
        """``dL/da += dL/dc (upstream 1.0) × ∂c/∂a (local: b = -3.0) = -3.0  → dL/da = -2.0``.

        d marks a gradient of the root (what backward computes); ∂ marks an op's local derivative.
        """
        L, x, y = wrap(self.root), wrap(self.node), wrap(self.output)

        def show(v: Any) -> str:
            return values(v, max_elements, compact=True)

        assign = "+=" if self.accumulates else "="
        if self.kind == "sum":
            line = (f"d{L}/d{x} {assign} {self.derivative} of {show(self.upstream)} = {show(self.product)}   "
                    f"({self.node} was broadcast to {_shape(self.upstream)}: its gradient adds up its copies')")
        else:
            target = f"d{L}/d{x}" if self.broadcast_to is None else \
                f"d{L}/d({self.node} broadcast to {_shape(self.broadcast_to)})"
            upstream = f"d{L}/d{y} (upstream {show(self.upstream)})"
            lhs, _, rhs = self.derivative.partition(" = ")
            if self.vjp:
                rule = rhs.split(" (g = ")[0]
                line = f"{target} {assign} {rule}, the vector-Jacobian rule, with g = {upstream} = {show(self.product)}"
            else:
                if self.local is None:
                    local = f"local, elementwise: {rhs}"
                elif _NUMBER.fullmatch(rhs):
                    local = f"local: {rhs}"
                else:
                    local = f"local: {rhs} = {show(self.local)}"
                line = f"{target} {assign} {upstream} × {lhs} ({local}) = {show(self.product)}"
        if self.accumulates:
            line += f"  → d{L}/d{x} = {show(self.gradient)}"
        return line


_NUMBER = re.compile(r"-?[0-9.]+")


def _shape(shape: Any) -> str:
    shape = tuple(np.shape(shape)) if not isinstance(shape, tuple) else shape
    return str(shape)


def broadcast_axes(shape: tuple[int, ...], out_shape: tuple[int, ...]) -> tuple[int, ...]:
    """The axes of ``out_shape`` along which an input of ``shape`` was repeated by broadcasting."""
    lead = len(out_shape) - len(shape)
    return tuple(range(lead)) + tuple(lead + k for k, n in enumerate(shape) if n == 1 and out_shape[lead + k] != 1)


def axes_text(axes: tuple[int, ...]) -> str:
    return f"Σ over axis {axes[0]}" if len(axes) == 1 else f"Σ over axes {', '.join(map(str, axes))}"


def backward_steps(root: Node, *, params: Any = None) -> list[Step]:
    """The reverse-mode steps from ``root`` (a one-element Value or Tensor), in the engine's order.

    ``params`` (a module, its ``named_parameters()`` or a dict) names parameters by their path.

    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> c = a * b + a
    >>> [s.gradient for s in viz.backward_steps(c) if s.node == "a"]   # a is used twice
    [1.0, -2.0]
    """
    return steps_of(walk(root, params))


def explain(root: Node, *, params: Any = None, max_elements: int = 8) -> Lines:
    """The chain rule from ``root``, one line per step, a student can follow (shown as lines in a REPL).

    Each line adds the upstream gradient (dL/d of the op's output) times the op's
    local derivative (∂ of the output by the input) to the input's gradient.

    >>> print(viz.explain(a * b))    # doctest: +SKIP
    dL/dL = 1.0 (the seed: L changes one for one with itself)
    dL/da = dL/dL (upstream 1.0) × ∂L/∂a (local: b = -3.0) = -3.0
    dL/db = dL/dL (upstream 1.0) × ∂L/∂b (local: a = 2.0) = 2.0
    """
    graph = walk(root, params)
    lines = [seed_text(graph, max_elements)]
    lines += [step.text(max_elements) for step in steps_of(graph)]
    return Lines("\n".join(lines))


def seed_text(graph: Graph, max_elements: int = 8) -> str:
    """The first line of an explanation: where backward starts."""
    L = wrap(graph.names[graph.root_position])
    return f"d{L}/d{L} = {values(seed(graph), max_elements, compact=True)} (the seed: {L} changes one for one with itself)"


def seed(graph: Graph) -> Any:
    """dL/dL: 1, as the engine starts backward."""
    root = graph.root
    if not root.requires_grad:
        raise ValueError("viz: nothing to differentiate: the root does not require grad (no input of it does)")
    if graph.scalar:
        return 1.0
    if root.data.size != 1:
        raise ValueError(f"viz: the chain rule starts from a one-element output; this one has shape {root.shape} "
                         "(reduce it first, e.g. .sum() or .mean())")
    return np.ones_like(root.data)


def steps_of(graph: Graph) -> list[Step]:
    freed = [graph.names[i] for i, node in enumerate(graph.nodes) if not holds_values(node)]
    if freed:
        raise RuntimeError(f"viz: backward() freed the values of {', '.join(freed[:3])}"
                           f"{' and more' if len(freed) > 3 else ''}, which the chain rule needs; call "
                           "backward(retain_graph=True), or explain the graph before backward (drawing it still works)")
    grads = {graph.root_position: seed(graph)}
    position = {id(node): i for i, node in enumerate(graph.nodes)}
    root_name = graph.names[graph.root_position]
    steps: list[Step] = []
    for node in backward_order([graph.root]):  # the engine's own order
        i = position[id(node)]
        g = grads.get(i)
        op = node.grad_fn
        if g is None or op is None:
            continue
        data = [x.data for x in op.input_nodes]
        as_computed = op.input_grads(g, node.data, data, sum_to_inputs=False)
        for arg, (x, gx) in enumerate(zip(op.input_nodes, as_computed)):
            if gx is None or not x.requires_grad:
                continue
            j = graph.inputs[i][arg]
            chain = dict(node=graph.names[j], output=graph.names[i], root=root_name, edge=(j, i, arg),
                         op=op.label(), upstream=g)
            before = grads.get(j)
            if op.broadcasts and x.shape != node.shape:  # the engine sums each broadcasting op's gradients back
                steps.append(Step(**chain, derivative=local_statement(graph, i, arg), local=None, product=gx,
                                  gradient=None, accumulates=False, broadcast_to=tuple(node.shape)))
                axes = broadcast_axes(tuple(x.shape), tuple(node.shape))
                summed = sum_to(gx, x.shape)  # the engine's own unbroadcast step
                grads[j] = summed if before is None else before + summed
                steps.append(Step(**{**chain, "upstream": gx}, derivative=axes_text(axes), local=None,
                                  product=summed, gradient=grads[j], accumulates=before is not None,
                                  kind="sum", summed_axes=axes))
                continue
            grads[j] = gx if before is None else before + gx
            steps.append(Step(
                **chain, derivative=local_statement(graph, i, arg),
                local=local_derivative(graph, i, arg) if graph.scalar else None,
                product=gx, gradient=grads[j], accumulates=before is not None, vjp=op.vjp))
    return steps
