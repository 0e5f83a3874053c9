"""One picture per chain-rule step, and a self-contained page that steps through them."""
from __future__ import annotations

import base64
import html
import os
import textwrap
from typing import Any

from autograd_lite.atomic import atomic_write
from autograd_lite.engine import Node

from .dot import CAPTION_WIDTH, TIMEOUT, Frame, Options, build, check_timeout, edge_statement, layout_of, picture
from .graph import Graph, walk, wrap
from .steps import Step, seed, seed_text, steps_of

__all__ = ["render_steps", "stepper", "Stepper"]

MEDIA_TYPES = {"svg": "image/svg+xml", "png": "image/png"}


def render_steps(root: Node, out_dir: str | os.PathLike, *, params: Any = None, show_data: bool = True,
                 rankdir: str = "LR", max_elements: int = 8, max_steps: int = 200, format: str = "svg",
                 timeout: float | None = TIMEOUT) -> str:
    """Write ``step_001.svg``... (one per line of :func:`viz.explain`) and ``index.html``; return its path.

    Each picture highlights the edge being followed and fills in the gradients
    known so far (``(so far)`` while more uses of a node are still to come);
    all are laid out once, so only colours and labels change from one to the
    next. The page embeds the pictures, so it works offline and on its own; it
    steps with its buttons, a click on a step, or the arrow keys.
    ``format`` is ``"svg"`` or ``"png"``. Needs the Graphviz ``dot`` program;
    ``timeout`` bounds each run of it, as in :func:`viz.render`.

    >>> viz.render_steps(a * b + a, "steps")    # doctest: +SKIP
    'steps/index.html'
    """
    graph, shown, pictures = _pictures(root, params, show_data, rankdir, max_elements, max_steps, format,
                                       "viz.render_steps", timeout)
    out_dir = os.fspath(out_dir)
    os.makedirs(out_dir, exist_ok=True)
    for k, picture in enumerate(pictures):
        with atomic_write(os.path.join(out_dir, f"step_{k + 1:03d}.{format}"), "wb") as f:
            f.write(picture)
    index = os.path.join(out_dir, "index.html")
    with atomic_write(index, "wb") as f:
        f.write(page(graph, shown, pictures, MEDIA_TYPES[format]).encode("utf-8"))
    return index


class Stepper:
    """The page of :func:`render_steps`, held in memory: shown inline in Jupyter (in a frame of
    its own, so its arrow keys and buttons work as on the page), or saved with :meth:`save`."""

    def __init__(self, html_page: str, height: int = 640) -> None:
        self.html, self.height = html_page, height

    def _repr_html_(self) -> str:
        return (f'<iframe srcdoc="{html.escape(self.html, quote=True)}" style="width: 100%; '
                f'height: {self.height}px; border: 1px solid #ddd" title="backward pass, step by step"></iframe>')

    def save(self, path: str | os.PathLike) -> str:
        """Write the page (one self-contained HTML file) to ``path``; returns the path."""
        with atomic_write(path, "wb") as f:
            f.write(self.html.encode("utf-8"))
        return os.fspath(path)


def stepper(root: Node, *, params: Any = None, show_data: bool = True, rankdir: str = "LR",
            max_elements: int = 8, max_steps: int = 200, height: int = 640,
            timeout: float | None = TIMEOUT) -> Stepper:
    """The chain-rule stepper of :func:`render_steps` without files: in a notebook, the cell shows it.

    >>> viz.stepper(a * b + a)     # doctest: +SKIP
    """
    graph, shown, pictures = _pictures(root, params, show_data, rankdir, max_elements, max_steps, "svg",
                                       "viz.stepper", timeout)
    return Stepper(page(graph, shown, pictures, MEDIA_TYPES["svg"]), height)


def _pictures(root: Node, params: Any, show_data: bool, rankdir: str, max_elements: int, max_steps: int,
              format: str, where: str, timeout: float | None) -> tuple[Graph, list[Frame], list[bytes]]:
    """The graph, its frames (one per line of the explanation) and one picture per frame, laid out once."""
    if not isinstance(max_steps, int) or isinstance(max_steps, bool) or max_steps < 1:
        raise ValueError(f"{where}: max_steps must be an int >= 1; got {max_steps!r}")
    if format not in MEDIA_TYPES:
        raise ValueError(f"{where}: format must be 'svg' or 'png'; got {format!r}")
    check_timeout(timeout)
    options = Options(params=params, show_data=show_data, rankdir=rankdir, max_elements=max_elements, max_nodes=None)
    graph = walk(root, params)
    steps = steps_of(graph)
    if not steps:
        raise ValueError(f"{where}: the root is a leaf, so backward has no step to show")
    if len(steps) > max_steps:
        raise ValueError(f"{where}: this graph has {len(steps)} backward steps and each becomes a "
                         f"picture; pass max_steps={len(steps)} to draw them all, or explain a smaller graph")
    shown = frames(graph, steps, max_elements)
    layout = layout_of(build(graph, options, widest(graph, shown)), timeout)  # laid out once: nodes stay put
    return graph, shown, [picture(build(graph, options, frame, layout), format, timeout, f"step {k + 1}")
                          for k, frame in enumerate(shown)]


def frames(graph: Graph, steps: list[Step], max_elements: int = 8) -> list[Frame]:
    """One picture per line of :func:`viz.explain`: the seed, then each step with the gradients
    known after it, which are still partial, its edge and that edge's label."""
    last_use = {step.edge[0]: k for k, step in enumerate(steps)}
    known = {graph.root_position: seed(graph)}
    lines = [seed_text(graph, max_elements)] + [step.text(max_elements) for step in steps]
    out = [Frame(dict(known), frozenset(), None, f"1 of {len(lines)}:  {lines[0]}")]
    for k, step in enumerate(steps):
        if step.gradient is not None:  # None: the gradient of broadcast copies, not yet the input's own
            known[step.edge[0]] = step.gradient
        partial = frozenset(j for j, last in last_use.items() if last > k and j in known)
        label = step.derivative if step.kind == "sum" else edge_statement(graph, *step.edge)
        out.append(Frame(dict(known), partial, step.edge, f"{k + 2} of {len(lines)}:  {lines[k + 1]}",
                         {step.edge: label}))
    return out


def widest(graph: Graph, shown: list[Frame]) -> Frame:
    """A frame with every label at its widest (final gradients marked "so far", every edge labelled,
    the longest caption), to lay the pictures out once with room for what any of them shows."""
    final = shown[-1]
    labels: dict[tuple[int, int, int], str] = {}
    for frame in shown:
        for edge, label in frame.edge_labels.items():
            if len(label) > len(labels.get(edge, "")):
                labels[edge] = label
    wrapped = [textwrap.wrap(frame.caption, CAPTION_WIDTH) for frame in shown]
    widest_line = max((line for lines in wrapped for line in lines), key=len) + "MMMM"  # margin: widths vary by letter
    caption = " ".join([widest_line] * max(len(lines) for lines in wrapped))
    return Frame(final.grads, frozenset(final.grads), None, caption, labels)


def page(graph: Graph, shown: list[Frame], pictures: list[bytes], media_type: str) -> str:
    """The HTML: pictures as data URIs (no network, one file), the lines of the explanation, prev/next and arrow keys."""
    L = wrap(graph.names[graph.root_position])
    figures = "\n".join(
        f'<figure data-step="{k + 1}"{" hidden" if k else ""}><img alt="step {k + 1}" '
        f'src="data:{media_type};base64,{base64.b64encode(picture).decode("ascii")}"></figure>'
        for k, picture in enumerate(pictures))
    items = "\n".join(f'<li data-step="{k + 1}">{html.escape(frame.caption.split(":  ", 1)[1])}</li>'
                      for k, frame in enumerate(shown))
    return _PAGE.format(title=html.escape(f"Backward pass of {L}, step by step"), count=len(shown),
                        figures=figures, items=items)


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 1.5em; color: #222; }}
nav {{ margin: 0.8em 0; }}
button {{ font-size: 1em; padding: 0.2em 0.8em; }}
figure {{ margin: 0; }}
img {{ width: 100%; max-height: 78vh; object-fit: contain; object-position: left top; }}
#steps li {{ font-family: ui-monospace, monospace; padding: 0.15em 0.3em; cursor: pointer; }}
#steps li.current {{ background: #ffe3e3; }}
</style>
</head>
<body>
<h1>{title}</h1>
<p>Backward starts from the seed, dL/dL = 1. Each step multiplies the gradient that reached an op's
output from above (<em>upstream</em>) by the op's own <em>local</em> derivative (&part;) and adds the product
to the input's gradient (d). Red marks the edge being followed; <em>(so far)</em> marks a gradient that
another use of the node will still add to. Use the buttons, click a step, or press &larr; and &rarr;.</p>
<nav><button id="prev">&larr; previous</button> <span id="counter">step 1 of {count}</span>
<button id="next">next &rarr;</button></nav>
{figures}
<ol id="steps">
{items}
</ol>
<script>
const figures = Array.from(document.querySelectorAll("figure"));
const items = Array.from(document.querySelectorAll("#steps li"));
let current = 0;
function show(k) {{
  current = Math.max(0, Math.min(figures.length - 1, k));
  figures.forEach((f, i) => {{ f.hidden = i !== current; }});
  items.forEach((li, i) => li.classList.toggle("current", i === current));
  document.getElementById("counter").textContent = "step " + (current + 1) + " of " + figures.length;
  document.getElementById("prev").disabled = current === 0;
  document.getElementById("next").disabled = current === figures.length - 1;
}}
document.getElementById("prev").addEventListener("click", () => show(current - 1));
document.getElementById("next").addEventListener("click", () => show(current + 1));
items.forEach((li, i) => li.addEventListener("click", () => show(i)));
document.addEventListener("keydown", (e) => {{
  if (e.key === "ArrowLeft") show(current - 1);
  if (e.key === "ArrowRight") show(current + 1);
}});
show(0);
</script>
</body>
</html>
"""
