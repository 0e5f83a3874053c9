"""A plain-text tree of a graph: no Graphviz needed, fine in a terminal or a log."""
from __future__ import annotations

from typing import Any

import numpy as np

from autograd_lite.engine import Node

from .formatting import Lines, gradient, number, shape_text, values
from .graph import Graph, holds_values, walk
from .modules import call_title

__all__ = ["text"]


def text(root: Node, *, params: Any = None, max_elements: int = 8) -> Lines:
    """The graph behind ``root`` as an indented tree, output first; a node shown before is not expanded again.

    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> print(viz.text(a * b + a))
    L  [+]  data -4.0000  grad 0.0000
    ├── mul_1  [*]  data -6.0000  grad 0.0000
    │   ├── a  data 2.0000  grad 0.0000
    │   └── b  data -3.0000  grad 0.0000
    └── a  data 2.0000  grad 0.0000
    """
    graph = walk(root, params)
    lines = []
    expanded: set[int] = set()
    stack = [(graph.root_position, "", "")]  # (position, this line's prefix, its children's prefix)
    while stack:
        i, branch, indent = stack.pop()
        kids = graph.inputs[i]
        repeat = i in expanded and bool(kids)
        lines.append(branch + describe(graph, i, max_elements) + ("  (expanded above)" if repeat else ""))
        if repeat:
            continue
        expanded.add(i)
        for k in reversed(range(len(kids))):
            last = k == len(kids) - 1
            branch, below = ("└── ", "    ") if last else ("├── ", "│   ")
            stack.append((kids[k], indent + branch, indent + below))
    return Lines("\n".join(lines))


def describe(graph: Graph, i: int, max_elements: int) -> str:
    """``mul_1  [*]  data -6.0000  grad 1.0000``; tensors give shape and dtype, and values when small
    (and still held: after a plain ``backward()`` an intermediate result keeps only its shape and dtype);
    an op made inside a module says which (``in 2 (Linear)``)."""
    node = graph.nodes[i]
    parts = [graph.names[i]]
    if node.grad_fn is not None:
        parts.append(f"[{node.grad_fn.label()}]")
        scope = getattr(node.grad_fn, "scope", None)
        if scope is not None:
            parts.append(f"in {call_title(scope)}")
    if graph.scalar:
        parts.append(f"data {number(node.data)}")
        if node.requires_grad:
            parts.append(f"grad {number(node.grad)}")
        return "  ".join(parts)
    parts.append(shape_text(node))
    if not holds_values(node):
        parts.append("(values freed by backward)")
    elif int(np.prod(node.shape)) <= max_elements:
        parts.append(f"data {values(node.data, max_elements)}")
    if node.grad is not None:
        parts.append(f"grad {gradient(node.grad.data, max_elements)}")
    return "  ".join(parts)
