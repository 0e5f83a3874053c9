"""Walk a graph through autograd_lite's public API: its nodes in a fixed order, their names, their derivatives.

Every view in ``viz`` (pictures, text, steps) starts from :func:`walk`, so a
node has the same position (DOT id ``n{position}``) and the same name in all of them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograd_lite import Tensor, Value
from autograd_lite.engine import Node, holds_values  # holds_values: for text.py, dot.py and steps.py too

from .modules import parameter_names

_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|[0-9.]+")


@dataclass(eq=False)
class Graph:
    """The nodes reachable from ``root``, inputs before outputs, with what the views need about them.

    Positions are list indices; ``id()`` is used only to recognise a node
    while walking, never shown, so the same program gives the same positions.
    """

    root: Node
    nodes: list[Node]
    names: list[str]
    inputs: list[list[int]]     # each node's op inputs, by position, in argument order (a*a lists a twice)
    consumers: list[list[int]]  # the nodes that take each node as an input, once per use
    params: dict[int, str]      # position -> parameter path, for the parameters passed in

    @property
    def scalar(self) -> bool:
        return isinstance(self.root, Value)

    @property
    def root_position(self) -> int:
        return len(self.nodes) - 1


def walk(root: Node, params: Any = None) -> Graph:
    """The graph behind ``root``; iterative, so graphs of any depth work."""
    if not isinstance(root, (Value, Tensor)):
        raise TypeError(f"viz: expected a Value or a Tensor, got {type(root).__name__}")
    paths = parameter_names(params)
    position: dict[int, int] = {}
    nodes: list[Node] = []
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if id(node) in position:
            continue
        if expanded:
            position[id(node)] = len(nodes)
            nodes.append(node)
            continue
        stack.append((node, True))
        op = node.grad_fn
        if op is not None:  # after a plain backward() too: the op keeps its inputs to be drawn
            stack.extend((x, False) for x in reversed(op.input_nodes) if id(x) not in position)
    inputs = [[position[id(x)] for x in node.grad_fn.input_nodes] if node.grad_fn else [] for node in nodes]
    consumers: list[list[int]] = [[] for _ in nodes]
    for i, ins in enumerate(inputs):
        for j in ins:
            consumers[j].append(i)
    params_at = {position[key]: path for key, path in paths.items() if key in position}
    return Graph(root, nodes, _names(nodes, params_at), inputs, consumers, params_at)


def own_name(node: Node) -> str:
    """The name the user gave: a Value's ``label`` or a Tensor's ``name``."""
    return getattr(node, "label", "") or getattr(node, "name", "")


def _names(nodes: list[Node], params: dict[int, str]) -> list[str]:
    """The user's names; ``L`` for an unnamed root; a constant named by its role where the op
    names it (``target``) and by its value where it is one number (``2``); ``mul_1``,
    ``leaf_2``, ``const_1`` for the rest."""
    counts: dict[str, int] = {}
    roles = _constant_roles(nodes)
    names = []
    for i, node in enumerate(nodes):
        name = params.get(i) or own_name(node)
        if not name and i == len(nodes) - 1:
            name = "L"
        if not name and i in roles:
            name = roles[i]
        if not name and _is_constant(node) and np.size(node.data) == 1:
            name = f"{float(np.asarray(node.data).reshape(())):g}"
        if not name:
            op = node.grad_fn
            kind = op.name if op is not None else "leaf" if node.requires_grad else "const"
            counts[kind] = counts.get(kind, 0) + 1
            name = f"{kind}_{counts[kind]}"
        names.append(name)
    return names


ROLES = {"t": "target", "target": "target", "labels": "target", "exponent": "exponent", "mask": "mask",
         "condition": "condition", "index": "index", "indices": "index"}


def _constant_roles(nodes: list[Node]) -> dict[int, str]:
    """Position -> what a constant is for (``target`` of a loss), from the argument it fills in its first op."""
    position = {id(node): i for i, node in enumerate(nodes)}
    roles: dict[int, str] = {}
    for node in nodes:
        op = node.grad_fn
        if op is None:
            continue
        arg_names = op.arg_names if len(op.arg_names) == len(op.input_nodes) else ()
        for arg_name, x in zip(arg_names, op.input_nodes):
            i = position[id(x)]
            if i not in roles and _is_constant(x) and arg_name in ROLES:
                roles[i] = ROLES[arg_name]
    return roles


def _is_constant(node: Node) -> bool:
    return node.grad_fn is None and not node.requires_grad


def wrap(name: str) -> str:
    """``a`` stays ``a``; ``a * b`` becomes ``(a * b)``, so ``∂L/∂(a * b)`` reads right."""
    return name if _PLAIN.fullmatch(name) else f"({name})"


ORDINALS = ("first", "second", "third", "fourth")
ROLE_OF_ARGUMENT = {"mul": "factor", "add": "term", "sub": "term", "div": "argument"}


def local_statement(graph: Graph, i: int, arg: int) -> str:
    """The op's own statement for one input, written with the nodes' names.

    ``∂c/∂a = b`` (the local derivative; ``∂(x*x)/∂x, first factor = x`` where the
    input fills more than one argument), or for a ``vjp`` op such as matmul, whose
    Jacobian is no elementwise factor, the rule for the input's gradient:
    ``dL/dW = xᵀ @ g (g = dL/dy)`` (d, not ∂: it gives the whole gradient, not a local factor).
    """
    op = graph.nodes[i].grad_fn
    stated = op.describe_derivatives()
    lhs, _, rhs = stated[arg].partition(" = ") if arg < len(stated) else ("", "", "(not stated by the op)")
    names = {n: graph.names[j] for n, j in zip(op.arg_names, graph.inputs[i])}
    rhs = _substitute(rhs, names)
    j = graph.inputs[i][arg]
    x, y = wrap(graph.names[j]), wrap(graph.names[i])
    if op.vjp:
        L = wrap(graph.names[graph.root_position])
        return f"d{L}/d{x} = {rhs}" + (f" (g = d{L}/d{y})" if "g" in re.findall(r"[A-Za-z_]\w*", rhs) else "")
    uses = graph.inputs[i].count(j)
    if uses > 1 and lhs.startswith("∂") and "/∂" in lhs:
        formula = _substitute(lhs[1:lhs.rindex("/∂")], names)  # ∂(a*b)/∂a -> (x*x)
        which = graph.inputs[i][:arg + 1].count(j) - 1
        role = ROLE_OF_ARGUMENT.get(op.name, "argument")
        nth = ORDINALS[which] if which < len(ORDINALS) else f"{which + 1}th"
        return f"∂{formula}/∂{x}, {nth} {role} = {rhs}"
    return f"∂{y}/∂{x} = {rhs}"


def _substitute(text: str, names: dict[str, str]) -> str:
    """Replace the op's argument names (a, b, x) by the nodes' names, as whole words."""
    if not names:
        return text
    words = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    pattern = re.compile(rf"(?<![A-Za-z0-9_])({words})(?![A-Za-z0-9_])")

    def replace(match: re.Match) -> str:
        name = names[match.group(1)]
        # tanh(x) -> tanh(a * b), not tanh((a * b))
        alone = text[match.start() - 1:match.start()] == "(" and text[match.end():match.end() + 1] in (")", ",")
        return name if alone else wrap(name)

    return pattern.sub(replace, text)


def local_derivative(graph: Graph, i: int, arg: int) -> float | None:
    """∂output/∂input as a number, for a scalar (Value) node: the op's backward with upstream 1."""
    node = graph.nodes[i]
    return run_backward(node, 1.0)[arg]


def run_backward(node: Node, g: Any) -> tuple[Any, ...]:
    """The gradients ``node``'s op sends to its inputs for upstream ``g``, on raw data, as the engine computes them."""
    op = node.grad_fn
    return op.input_grads(g, node.data, [x.data for x in op.input_nodes], sum_to_inputs=False)
