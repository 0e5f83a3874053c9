"""Gradients flowing through a network: per-parameter gradient figures and activation health, as text and a bar chart.

>>> import autograd_lite as ag, viz
>>> model = ag.nn.Sequential(ag.nn.Linear(3, 4, seed=0), ag.nn.ReLU(), ag.nn.Linear(4, 1, seed=1))
>>> with ag.callbacks.ActivationMonitor(model) as monitor:
...     loss = model(ag.tensor([[1.0, -2.0, 0.5]])).sum()
>>> loss.backward()
>>> flow = viz.gradient_flow(model, activations=monitor)
>>> print(flow)                    # doctest: +SKIP
>>> flow.plot("flow.png")          # needs matplotlib   # doctest: +SKIP
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from autograd_lite.atomic import atomic_write
from autograd_lite.callbacks import ActivationMonitor, ActivationStat, ParameterGradient, parameter_gradients
from autograd_lite.nn.module import Module

from .formatting import Lines

__all__ = ["gradient_flow", "GradientFlow"]


@dataclass(frozen=True)
class GradientFlow:
    """What :func:`gradient_flow` measured: ``parameters`` (input side first) and ``activations``."""

    parameters: list[ParameterGradient]
    activations: list[ActivationStat]

    def text(self) -> Lines:
        """A table: each parameter's gradient norm, mean and largest magnitude; each activation's health."""
        width = max([len(p.name) for p in self.parameters] + [len(a.name) for a in self.activations] + [10])
        shape_width = max([len(str(p.shape)) for p in self.parameters] + [5])
        lines = [f"{'parameter':<{width}}  {'shape':<{shape_width}}  {'grad norm':>9}  {'mean':>9}  {'max |g|':>9}"]
        lines += [f"{p.name:<{width}}  {str(p.shape):<{shape_width}}  {p.norm:9.1e}  {p.mean:9.1e}  {p.max:9.1e}"
                  for p in self.parameters]
        if self.activations:
            lines.append("")
            lines.append(f"{'activation':<{width}}  share of outputs (units, for ReLU) that are")
            lines += [f"{a.name:<{width}}  {a.measure} {a.fraction:6.1%}" for a in self.activations]
        return Lines("\n".join(lines))

    def __str__(self) -> str:
        return self.text()

    def plot(self, path: str | os.PathLike) -> None:
        """Bars of each parameter's gradient norm and largest magnitude (log scale), input side on the left,
        and, when activations were watched, of each activation's dead or saturated share.

        Needs matplotlib (``pip install 'autograd-lite[plot]'``).
        """
        try:
            from matplotlib.figure import Figure
        except ImportError:
            raise ImportError("GradientFlow.plot needs matplotlib: pip install 'autograd-lite[plot]'") from None
        if not self.parameters:
            raise ValueError("GradientFlow.plot: no parameter has a gradient; call backward() first")
        panels = 2 if self.activations else 1
        figure = Figure(figsize=(max(5.0, 0.55 * len(self.parameters) + 2) + 3.5 * (panels - 1), 3.8))
        axes = figure.subplots(1, panels, squeeze=False, width_ratios=[max(len(self.parameters), 2), 2][:panels])[0]
        names = [p.name for p in self.parameters]
        positions = range(len(names))
        figures = [p.norm for p in self.parameters] + [p.max for p in self.parameters]
        positive = [f for f in figures if f > 0]
        bottom = min(positive) / 10 if positive else 1e-12  # a zero gradient: no bar above the axis
        axes[0].bar([x - 0.2 for x in positions], [max(p.norm, bottom) for p in self.parameters], width=0.4,
                    label="norm", bottom=0)
        axes[0].bar([x + 0.2 for x in positions], [max(p.max, bottom) for p in self.parameters], width=0.4,
                    label="max |g|", bottom=0)
        axes[0].set_yscale("log")
        axes[0].set_ylim(bottom=bottom)
        axes[0].set_xticks(list(positions), names, rotation=45, ha="right")
        axes[0].set_title("gradient per parameter")
        axes[0].legend(fontsize="small")
        if panels == 2:
            axes[1].bar(range(len(self.activations)), [a.fraction for a in self.activations], color="#d62728")
            axes[1].set_xticks(range(len(self.activations)), [f"{a.name}\n{a.measure}" for a in self.activations],
                               rotation=45, ha="right")
            axes[1].set_ylim(0, 1)
            axes[1].set_title("dead or saturated share")
        figure.tight_layout()
        suffix = os.path.splitext(os.fspath(path))[1].lstrip(".").lower()
        with atomic_write(path, "wb") as f:
            figure.savefig(f, format=suffix or "png", dpi=100)


def gradient_flow(model: Any, *, activations: ActivationMonitor | None = None) -> GradientFlow:
    """The gradients of ``model``'s parameters after a ``backward()``, and (given the
    :class:`~autograd_lite.callbacks.ActivationMonitor` that watched the forward pass) the share of
    dead ReLU units and saturated sigmoid/tanh outputs of each activation.

    Vanishing gradients show as norms falling by orders of magnitude towards the input side;
    a network that does not learn at all often shows a first layer whose gradient is exactly 0
    and ReLUs that are 100% dead.
    """
    if not isinstance(model, Module):
        raise TypeError(f"viz.gradient_flow: expected a Module (the model), got {type(model).__name__}")
    if activations is not None and not isinstance(activations, ActivationMonitor):
        raise TypeError("viz.gradient_flow: activations must be the ag.callbacks.ActivationMonitor that watched "
                        f"the forward pass; got {type(activations).__name__}")
    return GradientFlow(parameter_gradients(model), activations.stats() if activations is not None else [])
