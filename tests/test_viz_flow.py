"""viz.gradient_flow: each parameter's gradient and each activation's health, as text and a bar chart."""
import numpy as np
import pytest

import autograd_lite as ag
import viz
from autograd_lite import nn


def relu_network_on_raw_pixels():
    """Seed 001's failure in small: large raw inputs push every ReLU below zero for the whole batch."""
    model = nn.Sequential(nn.Linear(4, 3, seed=0), nn.ReLU(), nn.Linear(3, 2, seed=1))
    model[0].bias.data[...] = -1000.0
    x = ag.tensor(np.full((5, 4), 255.0, dtype=np.float32))
    return model, x


def test_dead_relus_show_as_a_zero_first_layer_gradient_and_100_percent_dead_units():
    model, x = relu_network_on_raw_pixels()
    with ag.callbacks.ActivationMonitor(model) as monitor:
        loss = ag.functional.cross_entropy(model(x), np.zeros(5, dtype=np.int64))
    loss.backward()
    flow = viz.gradient_flow(model, activations=monitor)
    assert [(p.name, p.norm) for p in flow.parameters][:2] == [("0.weight", 0.0), ("0.bias", 0.0)]
    lines = str(flow).splitlines()
    assert lines[0].split() == ["parameter", "shape", "grad", "norm", "mean", "max", "|g|"]
    assert lines[1].split() == ["0.weight", "(3,", "4)", "0.0e+00", "0.0e+00", "0.0e+00"]
    assert lines[-1].split() == ["1", "(ReLU)", "dead", "units", "100.0%"]


def test_the_bar_chart_is_written(tmp_path):
    pytest.importorskip("matplotlib")
    model, x = relu_network_on_raw_pixels()
    model(x).sum().backward()
    viz.gradient_flow(model).plot(tmp_path / "flow.svg")
    assert "<svg" in (tmp_path / "flow.svg").read_text(encoding="utf-8")


def test_gradient_flow_says_what_it_needs():
    with pytest.raises(TypeError, match="expected a Module"):
        viz.gradient_flow(ag.tensor([1.0]))
    model, _ = relu_network_on_raw_pixels()
    with pytest.raises(TypeError, match="ActivationMonitor"):
        viz.gradient_flow(model, activations=[])
    with pytest.raises(ValueError, match="call backward"):
        viz.gradient_flow(model).plot("never.png")
