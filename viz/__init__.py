"""Graphviz rendering of autograd_lite graphs, and the chain rule step by step.

>>> import viz
>>> from autograd_lite import Value
>>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
>>> c = a * b + a
>>> c.backward()
>>> viz.render(c, "graph.svg")        # micrograd's draw_dot look; needs the Graphviz dot program
>>> print(viz.explain(c))             # the chain rule, one line per edge
>>> print(viz.text(c))                # a text tree; needs no Graphviz at all
>>> viz.stepper(c)                    # in Jupyter: the chain rule step by step, inline
>>> viz.gradient_flow(model)          # after a backward: each parameter's gradient, as text or a bar chart

``viz`` reads graphs only through autograd_lite's public API; autograd_lite
never imports it.
"""
from .dot import GraphvizError, GraphvizNotFoundError, GraphvizTimeoutError, draw, render, to_dot
from .expr import DrawingLimits, draw_expression, parse_assignments
from .flow import GradientFlow, gradient_flow
from .html import Stepper, render_steps, stepper
from .steps import Step, backward_steps, explain
from .text import text

__all__ = [
    "draw", "to_dot", "render", "text", "backward_steps", "explain", "render_steps", "Step",
    "draw_expression", "parse_assignments", "DrawingLimits",
    "GraphvizError", "GraphvizNotFoundError", "GraphvizTimeoutError", "gradient_flow", "GradientFlow",
    "stepper", "Stepper",
]
