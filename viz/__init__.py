"""Graphviz rendering of autograd_lite graphs and a step-by-step view of the chain rule."""
