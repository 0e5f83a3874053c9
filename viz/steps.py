"""The chain rule one edge at a time, in the order the engine runs it.

:func:`backward_steps` repeats the engine's reverse walk on its own (no
``backward()`` needed, nothing written to ``.grad``): for each node, latest
first, it asks the node's op for the gradient of each input, exactly as the
engine does, and records the step. Hooks registered on nodes are not run.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from autograd_lite.engine import Node, backward_order
from autograd_lite.ops.shape import SumTo

from .formatting import Lines, values
from .graph import Graph, local_derivative, local_statement, run_backward, walk, wrap

__all__ = ["Step", "backward_steps", "explain"]


@dataclass(frozen=True)
class Step:
    """One use of the chain rule: the gradient that flows from ``output`` back into ``node`` along one edge.

    ``upstream`` is dL/d(output); ``local`` is d(output)/d(node) as a number
    (``None`` for tensors, whose local derivative is a Jacobian, stated in
    ``derivative``); ``product`` is what this edge adds to dL/d(node);
    ``gradient`` is dL/d(node) after adding it; ``accumulates`` is True when
    ``node`` already had a gradient from another use; ``vjp`` is True for an
    op (matmul, softmax, reshape...) that states how to turn the upstream
    gradient ``g`` into the input's instead of a local derivative.
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

    def text(self, max_elements: int = 8) -> str:
        """``dL/da = dL/dc · dc/da = 1.0000 · -3.0000 = -3.0000   (∂c/∂a = b)``."""
        L, x, y = wrap(self.root), wrap(self.node), wrap(self.output)
        rhs = self.derivative.split(" = ", 1)[1]
        upstream, product = values(self.upstream, max_elements), values(self.product, max_elements)
        if self.vjp:
            line = (f"d{L}/d{x} {'+=' if self.accumulates else '='} {rhs.split(' (g = ')[0]} with "
                    f"g = d{L}/d{y} = {upstream}: {product}")
        else:
            local = values(self.local, max_elements) if self.local is not None else \
                rhs if rhs.startswith("[") and rhs.endswith("]") else f"[{rhs}]"
            line = (f"d{L}/d{x} {'+=' if self.accumulates else '='} d{L}/d{y} · d{y}/d{x} = "
                    f"{upstream} · {local} = {product}")
        if self.accumulates:
            line += f"  → d{L}/d{x} = {values(self.gradient, max_elements)}"
        if self.local is not None:
            line += f"   ({self.derivative})"
        return line


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

    >>> print(viz.explain(a * b))    # doctest: +SKIP
    dL/dL = 1.0000
    dL/da = dL/dL · dL/da = 1.0000 · -3.0000 = -3.0000   (∂L/∂a = b)
    dL/db = dL/dL · dL/db = 1.0000 · 2.0000 = 2.0000   (∂L/∂b = a)
    """
    graph = walk(root, params)
    L = wrap(graph.names[graph.root_position])
    lines = [f"d{L}/d{L} = {values(seed(graph), max_elements)}"]
    lines += [step.text(max_elements) for step in steps_of(graph)]
    return Lines("\n".join(lines))


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
        for arg, (x, gx) in enumerate(zip(op.inputs, run_backward(node, g))):
            if gx is None or not x.requires_grad:
                continue
            if op.broadcasts and x.shape != node.shape:
                gx = SumTo(x.shape).apply(gx)  # as the engine does, once for every broadcasting op
            j = graph.inputs[i][arg]
            before = grads.get(j)
            grads[j] = gx if before is None else before + gx
            steps.append(Step(
                node=graph.names[j], output=graph.names[i], root=root_name, edge=(j, i, arg),
                op=op.label(), derivative=local_statement(graph, i, arg), upstream=g,
                local=local_derivative(graph, i, arg) if graph.scalar else None,
                product=gx, gradient=grads[j], accumulates=before is not None, vjp=op.vjp))
    return steps
