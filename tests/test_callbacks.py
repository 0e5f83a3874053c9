"""ag.callbacks: gradient figures per parameter, dead and saturated activations, and the fit callback recording them."""
import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite import nn
from autograd_lite.callbacks import ActivationMonitor, GradientStats, parameter_gradients


def small_model():
    model = nn.Sequential(nn.Linear(2, 3, seed=0), nn.ReLU(), nn.Linear(3, 1, seed=1))
    model[0].weight.data[...] = [[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]]
    model[0].bias.data[...] = 0.0
    return model


def test_parameter_gradients_give_norm_mean_and_largest_magnitude():
    w = nn.Parameter(ag.tensor([[3.0, -4.0]]))
    layer = nn.Linear(2, 1)
    layer.weight = w
    layer.weight.grad = ag.tensor([[3.0, -4.0]])
    (stats,) = [s for s in parameter_gradients(layer) if s.name == "weight"]
    assert (stats.shape, stats.norm, stats.mean, stats.max) == ((1, 2), 5.0, -0.5, 4.0)
    assert [s.name for s in parameter_gradients(layer)] == ["weight"]  # bias has no gradient: left out


def test_a_relu_unit_is_dead_when_it_outputs_zero_for_every_example_of_the_batch():
    model = small_model()
    with ActivationMonitor(model) as monitor:
        model(ag.tensor([[1.0, 2.0], [3.0, 1.0]]))  # unit 3 (-x1 - x2) is negative for both: dead
    (stat,) = monitor.stats()
    assert (stat.name, stat.kind, stat.measure) == ("1 (ReLU)", "relu", "dead units")
    assert stat.fraction == pytest.approx(1 / 3)
    assert not model[1]._forward_hooks["post"]  # the hooks come off with the with block


def test_saturated_sigmoid_and_tanh_outputs_are_those_with_less_than_a_tenth_of_the_largest_slope():
    model = nn.Sequential(nn.Sigmoid(), nn.Tanh())
    with ActivationMonitor(model) as monitor:
        model(ag.tensor([[-5.0, 0.0, 0.5, 5.0]]))  # sigmoid: 0.0067 and 0.9933 are saturated
    sigmoid, tanh = monitor.stats()
    assert (sigmoid.name, sigmoid.measure, sigmoid.fraction) == ("0 (Sigmoid)", "saturated", 0.5)
    # tanh of sigmoid's outputs (0.0067, 0.5, 0.62, 0.9933): all below 0.949, none saturated
    assert (tanh.name, tanh.fraction) == ("1 (Tanh)", 0.0)


def test_a_keras_dense_layer_is_watched_through_its_activation():
    model = nn.Sequential(nn.Dense(4, activation="relu", input_dim=2, seed=0), nn.Dense(1, input_dim=4, seed=1))
    with ActivationMonitor(model) as monitor:
        model(ag.tensor([[1.0, 2.0]]))
    assert [(s.name, s.kind) for s in monitor.stats()] == [("0 (Dense)", "relu")]


def fit_blobs(activation, points, epochs, batch_size):
    """Seed 000's model, small, fitted on the first ``points`` blobs with a GradientStats callback."""
    x, y = ag.data.blobs(seed=0)
    model = ag.Model(nn.Sequential(nn.Dense(8, activation=activation, input_dim=2, seed=0),
                                   nn.Dense(10, activation="softmax", input_dim=8, seed=1)))
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    stats = GradientStats()
    model.fit(x[:points], y[:points], epochs=epochs, batch_size=batch_size, verbose=0, callbacks=[stats])
    return model, stats


def test_gradient_stats_records_one_figure_per_epoch_and_removes_its_hooks():
    model, stats = fit_blobs("relu", points=64, epochs=3, batch_size=64)
    assert stats.epochs == [0, 1, 2]
    assert list(stats.norms) == ["0.weight", "0.bias", "1.weight", "1.bias"]  # as Model.named_parameters
    assert all(len(v) == 3 for v in [*stats.norms.values(), *stats.means.values(), *stats.maxima.values()])
    # one batch per epoch: the last epoch's figure is the gradient the model still holds
    last = {s.name: s.norm for s in parameter_gradients(model)}
    assert stats.norms["0.weight"][-1] == pytest.approx(last["0.weight"])
    assert list(stats.activations) == ["0 (Dense)"] and stats.measures["0 (Dense)"] == "dead units"
    assert not model.module[0]._forward_hooks["post"]


def test_gradient_stats_plot_writes_a_picture(tmp_path):
    pytest.importorskip("matplotlib")
    _, stats = fit_blobs("tanh", points=32, epochs=2, batch_size=16)
    stats.plot(tmp_path / "stats.png")
    assert (tmp_path / "stats.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="no epoch was recorded"):
        GradientStats().plot(tmp_path / "empty.png")


def test_bad_arguments_are_refused():
    with pytest.raises(TypeError, match="expected a Module"):
        parameter_gradients([np.zeros(2)])
    with pytest.raises(TypeError, match="expected a Module"):
        ActivationMonitor("model")
