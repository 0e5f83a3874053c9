"""Draw a graph as a ``graphviz.Digraph``, give its DOT text, render it to a file.

Scalar (``Value``) graphs look like micrograd's ``draw_dot``: a record
``label | data | grad`` per value and a small op node between inputs and
output. Tensor graphs draw one box per op (its name, output shape and dtype)
and one per leaf, with parameters, inputs and the loss in different colours
and each module's ops inside a cluster named after it (the module whose
``forward`` made them, as the engine recorded; nested modules nest).

The ``graphviz`` package is imported only when a picture is built, so
``viz.text`` works without it.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import textwrap
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autograd_lite.atomic import atomic_write
from autograd_lite.engine import Node

from .check import check_text, local_errors, verdict
from .formatting import gradient, number, shape_text, short, values
from .graph import ROLES, Graph, holds_values, local_derivative, local_statement, own_name, walk
from .modules import call_title, module_calls
from .steps import axes_text, broadcast_axes

__all__ = ["draw", "to_dot", "render", "GraphvizError", "GraphvizNotFoundError", "GraphvizTimeoutError"]

PARAMETER, INPUT, LOSS, PLAIN = "#cfe2ff", "#eeeeee", "#c8f0c8", "#ffffff"
CHECK_OK, CHECK_SUSPICIOUS, CHECK_WRONG = "#b9f6ca", "#ffe0b2", "#ff8a80"
CHECK_FILLS = {"ok": CHECK_OK, "suspicious": CHECK_SUSPICIOUS, "undefined": CHECK_SUSPICIOUS, "wrong": CHECK_WRONG}
ACTIVE = "#d62728"
NODE_FONT, EDGE_FONT = "14", "14"  # 11 pt or more once a picture is scaled to the width of a page
CONSTANT_ROLES = frozenset(ROLES.values())
CAPTION_WIDTH = 80                 # characters per line of a step's caption
FORMATS = ("svg", "png", "pdf", "dot")
RANKDIRS = ("LR", "RL", "TB", "BT")
_NUMBER = re.compile(r"-?[0-9.]+")  # a stated derivative that is already a number needs no "= value"
TIMEOUT = 60.0  # seconds dot may take for one picture; layout time grows steeply with nodes of many edges

INSTALL = ("Install Graphviz: 'sudo apt-get install graphviz' (Debian, Ubuntu), 'brew install graphviz' "
           "(macOS) or 'conda install -c conda-forge graphviz'. viz.to_dot() and viz.text() need no "
           "Graphviz program.")


class GraphvizError(RuntimeError):
    """The Graphviz ``dot`` program failed, ran too long, or is missing; the message says which and what to do."""


class GraphvizNotFoundError(GraphvizError):
    """The Graphviz ``dot`` program is not installed (the ``.dot`` file was written anyway)."""


class GraphvizTimeoutError(GraphvizError):
    """``dot`` ran longer than the ``timeout`` given to :func:`render` and was stopped."""


@dataclass(frozen=True)
class Options:
    """The keywords shared by :func:`draw`, :func:`to_dot` and :func:`render`, checked once."""

    params: Any = None
    show_data: bool = True
    show_grad: bool = True
    rankdir: str = "LR"
    max_elements: int = 8
    max_nodes: int | None = 500
    edge_derivatives: bool = False
    check: bool = False

    def __post_init__(self) -> None:
        if self.rankdir not in RANKDIRS:
            raise ValueError(f"viz: rankdir must be one of {', '.join(RANKDIRS)}; got {self.rankdir!r}")
        if not isinstance(self.max_elements, int) or isinstance(self.max_elements, bool) or self.max_elements < 0:
            raise ValueError(f"viz: max_elements must be an int >= 0; got {self.max_elements!r}")
        if self.max_nodes is not None and (not isinstance(self.max_nodes, int) or isinstance(self.max_nodes, bool)
                                           or self.max_nodes < 1):
            raise ValueError(f"viz: max_nodes must be an int >= 1, or None to draw every node; got {self.max_nodes!r}")
        for flag in ("show_data", "show_grad", "edge_derivatives", "check"):
            if not isinstance(getattr(self, flag), bool):
                raise TypeError(f"viz: {flag} must be True or False; got {getattr(self, flag)!r}")


@dataclass(frozen=True)
class Frame:
    """One picture of the chain rule: the gradients known so far and the edge being followed."""

    grads: dict[int, Any] = field(default_factory=dict)  # node position -> gradient known so far
    partial: frozenset[int] = frozenset()                # positions whose gradient will still grow
    edge: tuple[int, int, int] | None = None             # (input position, output position, argument)
    caption: str = ""
    edge_labels: dict[tuple[int, int, int], str] = field(default_factory=dict)  # edge -> its label in this picture


def draw(root: Any, *, params: Any = None, show_data: bool = True, show_grad: bool = True,
         rankdir: str = "LR", max_elements: int = 8, max_nodes: int | None = 500,
         edge_derivatives: bool = False, check: bool = False) -> Any:
    """A ``graphviz.Digraph`` of the graph behind ``root`` (a Value or a Tensor).

    * ``params``: a module, its ``named_parameters()`` or a dict, to name parameters by
      their path (``0.weight``). Each op is drawn in a cluster of the module whose ``forward``
      made it (recorded by the engine), nested as the modules are, with or without ``params``;
    * ``max_elements``: tensors up to this many elements show their values and gradients;
    * ``max_nodes``: the nodes nearest the root that are drawn; a note says what was left out;
    * ``edge_derivatives``: label each edge with the local derivative (``∂c/∂a = b = -3.0``), or for a
      matrix op with its vector-Jacobian rule, and a broadcast input with the sum that follows;
    * ``check``: colour each op by how well its backward agrees with finite differences.

    In Jupyter the result displays inline.

    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> c = a * b; c.label = "c"; c.backward()
    >>> viz.draw(c)            # doctest: +SKIP
    """
    options = Options(params, show_data, show_grad, rankdir, max_elements, max_nodes, edge_derivatives, check)
    return build(walk(root, params), options)


def to_dot(root: Any, **options: Any) -> str:
    """The DOT text of :func:`draw` (same keywords); byte-identical for the same program, no Graphviz program needed.

    >>> print(viz.to_dot(c))   # doctest: +SKIP
    """
    return draw(root, **options).source


def render(root: Any, path: str | os.PathLike, *, timeout: float | None = TIMEOUT, **options: Any) -> str:
    """Write the picture of :func:`draw` (same keywords) to ``path``; the format comes from the extension.

    ``.svg``, ``.png`` and ``.pdf`` need the Graphviz ``dot`` program; ``.dot`` writes DOT text.
    ``dot`` is stopped after ``timeout`` seconds (``None``: no limit) with a
    :class:`GraphvizTimeoutError`; a ``dot`` that fails raises :class:`GraphvizError`
    with its message. Returns the path written.

    >>> viz.render(loss, "graph.svg", params=model)   # doctest: +SKIP
    'graph.svg'
    """
    format_of(path)
    check_timeout(timeout)
    write(draw(root, **options), path, timeout)
    return os.fspath(path)


def format_of(path: str | os.PathLike) -> str:
    ext = os.path.splitext(os.fspath(path))[1].lower().lstrip(".")
    if ext not in FORMATS:
        raise ValueError(f"viz: cannot tell the picture format from {os.fspath(path)!r}; "
                         f"end the name with {', '.join('.' + f for f in FORMATS)}")
    return ext


def check_timeout(timeout: float | None) -> None:
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float))
                                or not timeout > 0):
        raise ValueError(f"viz: timeout must be a positive number of seconds, or None; got {timeout!r}")


def write(digraph: Any, path: str | os.PathLike, timeout: float | None = TIMEOUT) -> None:
    """Render ``digraph`` to ``path`` atomically; without ``dot``, write the ``.dot`` file and say how to get it."""
    path = os.fspath(path)
    fmt = format_of(path)
    source = digraph.source.encode("utf-8")
    if fmt == "dot":
        with atomic_write(path, "wb") as f:
            f.write(source)
        return
    with atomic_write(path, "wb") as f:
        f.write(_run_dot(source, fmt, path, timeout))


def _run_dot(source: bytes, fmt: str, path: str, timeout: float | None, program: str = "dot",
             options: tuple[str, ...] = ()) -> bytes:
    """``dot -T<fmt>`` (or ``program``) on ``source``, run directly: ``graphviz``'s ``pipe`` takes no timeout.

    Without the program, the DOT text is written beside ``path`` (when ``path`` names a file to write)."""
    executable = shutil.which(program)
    if executable is None:
        if program != "dot" or not os.path.dirname(os.path.abspath(path)):
            raise GraphvizNotFoundError(f"viz: the Graphviz '{program}' program was not found. {INSTALL}")
        dot_path = os.path.splitext(path)[0] + ".dot"
        with atomic_write(dot_path, "wb") as f:
            f.write(source)
        raise GraphvizNotFoundError(f"viz: the Graphviz 'dot' program was not found, so {path} was not "
                                    f"rendered; its DOT text is in {dot_path}. {INSTALL}")
    try:
        done = subprocess.run([executable, f"-T{fmt}", *options], input=source, capture_output=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        raise GraphvizTimeoutError(
            f"viz: Graphviz '{program}' ran longer than timeout={timeout:g} s on {path} and was stopped. Its layout "
            f"time grows steeply with nodes of many edges: draw fewer nodes (max_nodes=...), try "
            f"rankdir='TB', pass a larger timeout (or None), or print viz.text(root), which needs no "
            f"Graphviz") from None
    if done.returncode != 0:
        how = (f"exit status {done.returncode}" if done.returncode > 0
               else f"killed by signal {-done.returncode}")
        said = done.stderr.decode("utf-8", "replace").strip()[-2000:] or "it printed nothing"
        raise GraphvizError(f"viz: Graphviz '{program}' failed on {path} ({how}): {said}")
    return done.stdout


def picture(digraph: Any, fmt: str, timeout: float | None = TIMEOUT, what: str = "a step picture") -> bytes:
    """The picture of a digraph pinned by a :class:`Layout` (every position given): ``neato -n2`` draws it as placed."""
    return _run_dot(digraph.source.encode("utf-8"), fmt, what, timeout, program="neato", options=("-n2",))


def _graphviz() -> Any:
    try:
        import graphviz
    except ImportError:
        raise ImportError("viz: drawing needs the graphviz Python package: pip install graphviz (or "
                          "pip install 'autograd-lite[viz]'); viz.text(root) works without it") from None
    return graphviz


# -- building the picture ---------------------------------------------------------------------

def build(graph: Graph, options: Options, frame: Frame | None = None, layout: "Layout | None" = None) -> Any:
    """The Digraph of ``graph``; ``frame`` adds a chain-rule step's gradients, highlight and caption;
    ``layout`` pins every node, edge and cluster where an earlier layout put them (render with
    ``neato -n2``), so a series of pictures keeps one layout while labels and colours change."""
    graphviz = _graphviz()
    dot = graphviz.Digraph("autograd")
    dot.attr(rankdir=options.rankdir)
    dot.attr("node", fontname="Helvetica", fontsize=NODE_FONT)
    dot.attr("edge", fontname="Helvetica", fontsize=EDGE_FONT, arrowsize="0.7")
    if frame is not None and frame.caption:
        caption = "\\n".join(_escape(line) for line in textwrap.wrap(frame.caption, CAPTION_WIDTH))
        dot.attr(label=graphviz.nohtml(caption + "\\l" if "\\n" in caption else caption),
                 labelloc="t", labeljust="l", fontname="Helvetica", fontsize="14")
    if layout is not None:
        dot.attr(**layout.graph)
    shown = _shown(graph, options.max_nodes)
    errors = local_errors(graph, shown) if options.check else {}
    calls = module_calls(graph)
    painter = _Painter(graph, options, frame, errors, graphviz.nohtml, layout)
    _draw_clusters(dot, painter, shown, calls, layout, graphviz.nohtml)

    drawn, cut = set(shown), []
    for i in shown:
        for arg, j in enumerate(graph.inputs[i]):
            if j in drawn:
                painter.edge(dot, j, i, arg)
            elif not cut or cut[-1] != i:
                cut.append(i)
    if len(shown) < len(graph.nodes):
        _note_left_out(dot, graph, shown, cut, options.max_nodes, graphviz.nohtml)
    return dot


def _draw_clusters(dot: Any, painter: "_Painter", shown: list[int], calls: dict[int, tuple[Any, ...]],
                   layout: "Layout | None", nohtml: Any) -> None:
    """Draw the nodes, each module call's inside a cluster of its own, nested as the calls were."""
    children: dict[Any, list[Any]] = {}      # id(call) or None (top level) -> its sub-calls, in order
    members: dict[Any, list[int]] = {None: []}
    scopes: dict[int, Any] = {}
    for i in shown:
        chain = calls.get(i, ())
        parent = None
        for scope in chain:
            if id(scope) not in members:
                members[id(scope)] = []
                scopes[id(scope)] = scope
                children.setdefault(parent, []).append(id(scope))
            parent = id(scope)
        members[parent].append(i)
    count = iter(range(len(scopes)))

    def emit(graph: Any, key: Any) -> None:
        for i in members[key]:
            painter.node(graph, i)
        for child in children.get(key, []):
            name = f"cluster_{next(count)}"
            with graph.subgraph(name=name) as sub:
                sub.attr(label=nohtml(_escape(call_title(scopes[child]))), style="rounded,filled",
                         color="#9e9e9e", fillcolor="#fafafa", fontname="Helvetica", fontsize=NODE_FONT,
                         labeljust="l", **(layout.clusters.get(name, {}) if layout is not None else {}))
                emit(sub, child)

    emit(dot, None)


def _shown(graph: Graph, max_nodes: int | None) -> list[int]:
    """Positions drawn: all, or the ``max_nodes`` nearest the root (breadth first), in position order."""
    if max_nodes is None or len(graph.nodes) <= max_nodes:
        return list(range(len(graph.nodes)))
    seen = {graph.root_position}
    queue = [graph.root_position]
    for i in queue:
        for j in graph.inputs[i]:
            if j not in seen and len(seen) < max_nodes:
                seen.add(j)
                queue.append(j)
    return sorted(seen)


def _note_left_out(dot: Any, graph: Graph, shown: list[int], cut: list[int], max_nodes: int, nohtml: Any) -> None:
    hidden = set(range(len(graph.nodes))) - set(shown)
    ops = Counter(graph.nodes[i].grad_fn.name for i in hidden if graph.nodes[i].grad_fn is not None)
    leaves = sum(1 for i in hidden if graph.nodes[i].grad_fn is None)
    parts = [f"{name} ×{n}" for name, n in sorted(ops.items(), key=lambda kv: (-kv[1], kv[0]))[:6]]
    if len(ops) > 6:
        parts.append("…")
    text = (f"{len(hidden)} more nodes not drawn (max_nodes={max_nodes}):\\n"
            f"{', '.join(parts) or 'no ops'}; {leaves} leaves\\npass max_nodes=None to draw them all")
    dot.node("left_out", nohtml(text), shape="note", style="filled", fillcolor="#fff9c4")
    for i in cut:
        dot.edge("left_out", f"n{i}", style="dashed", color="#9e9e9e")


def _escape(text: str, record: bool = False) -> str:
    """Text for a DOT label: backslashes kept literal; in records also the field syntax.

    A NUL cannot be escaped: Graphviz reads it as the end of its input and fails.
    """
    if "\0" in text:
        raise ValueError(f"viz: cannot draw the label {text!r}: it contains a NUL character (\\0), which "
                         f"Graphviz cannot show; give the value a label without it")
    text = text.replace("\\", "\\\\")
    if record:
        for ch in "{}|<>":
            text = text.replace(ch, "\\" + ch)
    return text


class _Painter:
    """Node and edge attributes for one picture (scalar or tensor style)."""

    def __init__(self, graph: Graph, options: Options, frame: Frame | None, errors: dict[int, float],
                 nohtml: Any, layout: "Layout | None" = None) -> None:
        self.graph, self.options, self.frame, self.errors, self.nohtml = graph, options, frame, errors, nohtml
        self.layout = layout
        self.edges_seen: Counter = Counter()  # (tail, head) -> edges drawn so far: a*a has two a -> mul edges

    def place_node(self, name: str) -> dict[str, str]:
        return self.layout.nodes.get(name, {}) if self.layout is not None else {}

    def draw_edge(self, dot: Any, tail: str, head: str, **attrs: Any) -> None:
        k = self.edges_seen[tail, head]
        self.edges_seen[tail, head] += 1
        if self.layout is not None:
            attrs.update(self.layout.edges.get((tail, head, k), {}))
        dot.edge(tail, head, **attrs)

    def grad(self, i: int) -> tuple[Any, bool]:
        """(gradient shown, still partial); ``None`` when not known (yet)."""
        if self.frame is not None:
            return self.frame.grads.get(i), i in self.frame.partial
        g = self.graph.nodes[i].grad
        return (g.data if isinstance(g, Node) else g), False

    def fill(self, i: int) -> str:
        node = self.graph.nodes[i]
        if i == self.graph.root_position and node.requires_grad:
            return LOSS
        if node.grad_fn is not None:
            return PLAIN
        return PARAMETER if node.requires_grad else INPUT

    def check_fill(self, i: int) -> str | None:
        return CHECK_FILLS[verdict(self.errors[i])] if i in self.errors else None

    def receiving(self, i: int) -> dict[str, str]:
        if self.frame is not None and self.frame.edge is not None and self.frame.edge[0] == i:
            return {"color": ACTIVE, "penwidth": "2.5"}
        return {}

    def node(self, dot: Any, i: int) -> None:
        (self.scalar_node if self.graph.scalar else self.tensor_node)(dot, i)

    def scalar_node(self, dot: Any, i: int) -> None:
        node, opts = self.graph.nodes[i], self.options
        name = self.graph.names[i] if node.requires_grad or own_name(node) else ""
        fields = [_escape(name, record=True)]
        if opts.show_data:
            fields.append(f"data {number(node.data)}")
        if opts.show_grad and node.requires_grad:
            g, partial = self.grad(i)
            fields.append("grad ?" if g is None else f"grad {number(g)}" + (" (so far)" if partial else ""))
        record = " | ".join(fields)
        # fields stacked (name over data over grad): a narrow box, so a picture fits a page at a readable size
        label = record if opts.rankdir in ("LR", "RL") else "{ " + record + " }"
        dot.node(f"n{i}", self.nohtml(label), shape="record", style="filled", fillcolor=self.fill(i),
                 **self.receiving(i), **self.place_node(f"n{i}"))
        op = node.grad_fn
        if op is not None:
            lines = [_escape(op.label())] + ([_escape(check_text(self.errors[i]))] if i in self.errors else [])
            dot.node(f"n{i}_op", self.nohtml("\\n".join(lines)), shape="ellipse", style="filled",
                     fillcolor=self.check_fill(i) or PLAIN, margin="0.05,0.02",
                     **({"width": "0.4", "height": "0.3"} | self.place_node(f"n{i}_op")))
            self.draw_edge(dot, f"n{i}_op", f"n{i}")

    def tensor_node(self, dot: Any, i: int) -> None:
        node, opts, graph = self.graph.nodes[i], self.options, self.graph
        op = node.grad_fn
        name = graph.names[i]
        if op is None:
            named = node.requires_grad or own_name(node) or i in graph.params or name in CONSTANT_ROLES
            lines = [name if named else f"constant {name}" if node.data.size == 1 else "input"]
        else:
            label = op.label()
            # a bare symbol suits micrograd's small op circles; a tensor box names the op ("matmul", not "@")
            lines = [op.name if label == op.symbol else label] + ([name] if own_name(node) else [])
        lines.append(shape_text(node))
        if opts.show_data and int(np.prod(node.shape)) <= opts.max_elements and holds_values(node):
            lines += _by_rows(f"data {values(node.data, opts.max_elements)}")
        if opts.show_grad:
            g, partial = self.grad(i)
            if g is not None:
                lines += _by_rows(f"grad {gradient(g, opts.max_elements)}" + (" (so far)" if partial else ""))
        if i in self.errors:
            lines.append(check_text(self.errors[i]))
        label = "\\n".join(_escape(line) for line in lines)
        style = "rounded,filled" if op is None else "filled"
        dot.node(f"n{i}", self.nohtml(label), shape="box", style=style,
                 fillcolor=self.check_fill(i) or self.fill(i), **self.receiving(i), **self.place_node(f"n{i}"))

    def edge(self, dot: Any, j: int, i: int, arg: int) -> None:
        """Input ``j`` -> node ``i`` (through the op node, for scalars); one edge per use."""
        graph = self.graph
        attrs: dict[str, str] = {}
        active = self.frame is not None and self.frame.edge == (j, i, arg)
        if self.frame is not None and (j, i, arg) in self.frame.edge_labels:
            attrs["label"] = self.nohtml(_escape_lines(self.frame.edge_labels[j, i, arg]))
        elif self.options.edge_derivatives and graph.nodes[j].requires_grad:
            attrs["label"] = self.nohtml(_escape_lines(edge_statement(graph, j, i, arg)))
        if active:
            attrs.update(color=ACTIVE, fontcolor=ACTIVE, penwidth="2.5")
        self.draw_edge(dot, f"n{j}", f"n{i}_op" if graph.scalar else f"n{i}", **attrs)


def _by_rows(text: str) -> list[str]:
    """``data [[1, 2], [3, 4]]`` as one line per row, so a matrix reads as one and the box stays narrow."""
    rows = text.split("], [")
    return [rows[0] + "],"] + ["[" + row + "]," for row in rows[1:-1]] + ["[" + rows[-1]] if len(rows) > 1 else [text]


def _escape_lines(text: str) -> str:
    return "\\n".join(_escape(line) for line in text.split("\n"))


def edge_statement(graph: Graph, j: int, i: int, arg: int) -> str:
    """What an edge's label says: the local derivative (``∂c/∂a = b = -3.0``), or that the op states a
    vector-Jacobian rule instead, and the sum that follows where the input was broadcast."""
    statement = local_statement(graph, i, arg)
    node, x = graph.nodes[i], graph.nodes[j]
    op = node.grad_fn
    if op.vjp:
        return "vector-Jacobian rule:\n" + statement
    if graph.scalar and not _NUMBER.fullmatch(statement.rsplit(" = ", 1)[1]):
        statement += f" = {short(local_derivative(graph, i, arg))}"
    if op.broadcasts and x.shape != node.shape:
        statement += f"\nthen {axes_text(broadcast_axes(tuple(x.shape), tuple(node.shape)))} ({graph.names[j]} was broadcast)"
    return statement


@dataclass(frozen=True)
class Layout:
    """Where Graphviz put everything in one picture, as attributes that pin it in the next ones."""

    graph: dict[str, str]
    nodes: dict[str, dict[str, str]]
    clusters: dict[str, dict[str, str]]
    edges: dict[tuple[str, str, int], dict[str, str]]


def layout_of(digraph: Any, timeout: float | None = TIMEOUT) -> Layout:
    """Run ``dot`` once on ``digraph`` and read back every position (``-Tjson``)."""
    import json
    laid = json.loads(_run_dot(digraph.source.encode("utf-8"), "json", "the step pictures' layout", timeout))
    nodes, clusters, names = {}, {}, {}
    for obj in laid.get("objects", []):
        names[obj["_gvid"]] = obj["name"]
        if "bb" in obj:
            clusters[obj["name"]] = {k: obj[k] for k in ("bb", "lp", "lwidth", "lheight") if k in obj}
        else:
            nodes[obj["name"]] = {"pos": obj["pos"] + "!", "width": obj["width"], "height": obj["height"],
                                  "fixedsize": "true"}
    edges: dict[tuple[str, str, int], dict[str, str]] = {}
    seen: Counter = Counter()
    for e in laid.get("edges", []):
        tail, head = names[e["tail"]], names[e["head"]]
        edges[tail, head, seen[tail, head]] = {k: e[k] for k in ("pos", "lp") if k in e}
        seen[tail, head] += 1
    graph = {k: laid[k] for k in ("bb", "lp", "lwidth", "lheight") if k in laid}
    return Layout(graph, nodes, clusters, edges)
