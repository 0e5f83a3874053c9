"""Layers, activations and initialisers: shapes, initial values, gradients (gradcheck) and learning XOR."""
import functools
import math

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite import functional as F
from autograd_lite import nn, optim
from autograd_lite.nn import init


def gradcheck_module(model, x):
    """gradcheck the module's output with respect to its input and every parameter."""
    names = [name for name, _ in model.named_parameters()]

    def fn(x, *params):
        for name, p in zip(names, params):
            *path, attr = name.split(".")
            setattr(functools.reduce(getattr, path, model), attr, p)
        return model(x)

    return ag.gradcheck(fn, [x, *[p.data for p in model.parameters()]])


# -- Linear ----------------------------------------------------------------------------
def test_linear_weight_is_out_by_in_and_computes_x_w_transpose_plus_b():
    layer = nn.Linear(3, 2, seed=0)
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    assert layer.weight.shape == (2, 3) and layer.bias.shape == (2,)
    np.testing.assert_allclose(layer(x).data, x @ layer.weight.data.T + layer.bias.data, rtol=1e-6)


def test_linear_is_initialised_uniformly_within_one_over_root_fan_in():
    layer = nn.Linear(400, 300, seed=0)
    bound = 1 / math.sqrt(400)
    assert np.abs(layer.weight.data).max() <= bound and np.abs(layer.bias.data).max() <= bound
    assert layer.weight.data.std() == pytest.approx(bound / math.sqrt(3), rel=0.02)  # std of U(-a, a)


def test_linear_with_the_same_seed_is_the_same_and_float32():
    a, b = nn.Linear(4, 3, seed=7), nn.Linear(4, 3, seed=7)
    assert np.array_equal(a.weight.data, b.weight.data) and a.weight.dtype == np.float32


def test_seed_none_follows_numpy_global_seed():
    np.random.seed(0)
    a = nn.Linear(4, 3)
    np.random.seed(0)
    b = nn.Linear(4, 3)
    assert np.array_equal(a.weight.data, b.weight.data)


def test_linear_without_bias_has_one_parameter():
    layer = nn.Linear(3, 2, bias=False, seed=0)
    assert layer.bias is None and [n for n, _ in layer.named_parameters()] == ["weight"]


def test_linear_rejects_an_input_of_the_wrong_width():
    with pytest.raises(ag.ShapeError, match=r"input of shape \(4, 5\).*in_features=3"):
        nn.Linear(3, 2, seed=0)(np.zeros((4, 5), dtype=np.float32))


def test_linear_gradients_pass_gradcheck():
    assert gradcheck_module(nn.Linear(3, 2, seed=0), np.random.default_rng(0).standard_normal((4, 3)))


def test_mlp_gradients_pass_gradcheck():
    model = nn.MLP(3, [4], 2, activation="tanh", seed=0)
    assert gradcheck_module(model, np.random.default_rng(1).standard_normal((5, 3)))


# -- Dense -------------------------------------------------------------------------------
def test_dense_infers_its_input_size_at_the_first_call():
    layer = nn.Dense(4, seed=0)
    placeholders = layer.parameters()
    assert not layer.built and [type(p).__name__ for p in placeholders] == ["UninitializedParameter"] * 2
    assert layer.state_dict() == {}
    y = layer(np.ones((2, 3), dtype=np.float32))
    assert y.shape == (2, 4) and layer.built
    assert [(n, p.shape) for n, p in layer.named_parameters()] == [("weight", (4, 3)), ("bias", (4,))]
    assert all(a is b for a, b in zip(layer.parameters(), placeholders))  # filled in place


@pytest.mark.parametrize("make_optimizer", [
    lambda params: optim.SGD(params, lr=0.1),
    lambda params: optim.Adam(params, lr=0.1),
    lambda params: optim.get("rmsprop", params),
])
def test_an_optimizer_made_before_the_first_call_updates_a_lazy_dense(make_optimizer):
    # the plain loop with Keras-style layers: the optimizer is built before any input was seen
    model = nn.Sequential(nn.Dense(4, activation="relu", seed=0), nn.Dense(2, seed=1))
    opt = make_optimizer(model.parameters())
    x, y = np.ones((3, 5), dtype=np.float32), np.array([0, 1, 1])
    loss = F.cross_entropy(model(x), y)  # the first call fills the placeholders
    first = {name: p.data.copy() for name, p in model.named_parameters()}
    opt.zero_grad()
    loss.backward()
    opt.step()
    changed = [name for name, p in model.named_parameters() if not np.array_equal(p.data, first[name])]
    assert changed == ["0.weight", "0.bias", "1.weight", "1.bias"]


def test_dense_has_glorot_uniform_weights_and_zero_bias():
    layer = nn.Dense(300, input_dim=500, seed=0)
    limit = math.sqrt(6 / (500 + 300))
    assert np.abs(layer.weight.data).max() <= limit
    assert layer.weight.data.std() == pytest.approx(limit / math.sqrt(3), rel=0.02)
    assert not layer.bias.data.any()


@pytest.mark.parametrize("name, expected", [
    ("relu", lambda z: np.maximum(z, 0)),
    ("sigmoid", lambda z: 1 / (1 + np.exp(-z))),
    ("tanh", np.tanh),
    ("softmax", lambda z: np.exp(z) / np.exp(z).sum(-1, keepdims=True)),
    ("linear", lambda z: z),
    (None, lambda z: z),
])
def test_dense_applies_the_named_activation(name, expected):
    layer = nn.Dense(3, activation=name, input_dim=2, seed=0)
    x = np.array([[0.5, -1.0]], dtype=np.float32)
    z = x @ layer.weight.data.T + layer.bias.data
    np.testing.assert_allclose(layer(x).data, expected(z), rtol=1e-5, atol=1e-7)


def test_dense_takes_a_callable_activation():
    layer = nn.Dense(2, activation=lambda t: t * 2, input_dim=2, seed=0)
    assert np.allclose(layer(np.ones((1, 2))).data, 2 * (layer.weight.data.sum(1) + layer.bias.data))


def test_dense_rejects_an_unknown_activation_by_listing_the_known_ones():
    with pytest.raises(ValueError, match="unknown activation 'relu7'; use one of .*sigmoid"):
        nn.Dense(2, activation="relu7")


def test_keras_style_sequential_of_dense_layers():
    model = nn.Sequential([nn.Dense(5, activation="relu"), nn.Dense(3, activation="softmax")])
    probs = model(np.ones((4, 7), dtype=np.float32))
    np.testing.assert_allclose(probs.data.sum(axis=1), 1.0, rtol=1e-6)
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias", "1.weight", "1.bias"]
    assert "Dense(units=5, activation=relu)  weight (5, 7), bias (5,)" in repr(model)


def test_dense_gradients_pass_gradcheck():
    assert gradcheck_module(nn.Dense(3, activation="sigmoid", input_dim=2, seed=0),
                            np.random.default_rng(0).standard_normal((4, 2)))


# -- MLP, activations, dropout, flatten -------------------------------------------------------
def test_mlp_alternates_linear_layers_and_activations_with_none_at_the_end():
    model = nn.MLP(2, [16, 8], 1, seed=0)
    assert [type(m).__name__ for m in model] == ["Linear", "ReLU", "Linear", "ReLU", "Linear"]
    assert [p.shape for p in model.parameters()] == [(16, 2), (16,), (8, 16), (8,), (1, 8), (1,)]


def test_mlp_layers_draw_different_weights_from_one_seed():
    model = nn.MLP(4, [4], 4, seed=0)
    assert not np.array_equal(model[0].weight.data, model[2].weight.data)


@pytest.mark.parametrize("module, expected", [
    (nn.ReLU(), [0.0, 0.0, 2.0]),
    (nn.LeakyReLU(0.1), [-0.2, 0.0, 2.0]),
    (nn.Sigmoid(), [1 / (1 + math.exp(2)), 0.5, 1 / (1 + math.exp(-2))]),
    (nn.Tanh(), [math.tanh(-2), 0.0, math.tanh(2)]),
    (nn.Identity(), [-2.0, 0.0, 2.0]),
])
def test_activation_modules(module, expected):
    np.testing.assert_allclose(module(np.array([-2.0, 0.0, 2.0])).data, expected, rtol=1e-6)


def test_softmax_module_normalises_the_last_axis():
    out = nn.Softmax()(np.array([[1.0, 2.0, 3.0]]))
    np.testing.assert_allclose(out.data[0], np.exp([1, 2, 3]) / np.exp([1, 2, 3]).sum(), rtol=1e-6)


def test_dropout_zeroes_about_p_and_scales_the_rest_in_training():
    drop = nn.Dropout(0.25, seed=0)
    out = drop(np.ones(10_000, dtype=np.float32)).data
    assert np.isin(out, np.array([0.0, 1 / 0.75], dtype=np.float32)).all()
    assert (out == 0).mean() == pytest.approx(0.25, abs=0.02)


def test_dropout_does_nothing_in_eval_mode():
    x = np.ones(5, dtype=np.float32)
    assert np.array_equal(nn.Dropout(0.5, seed=0).eval()(x).data, x)


def test_dropout_gradient_is_the_same_mask():
    drop = nn.Dropout(0.5, seed=0)
    x = ag.Tensor(np.ones(8, dtype=np.float32), requires_grad=True)
    out = drop(x)
    out.sum().backward()
    assert np.array_equal(x.grad.data, out.data)


def test_dropout_p_must_be_a_probability():
    with pytest.raises(ValueError, match=r"must be in \[0, 1\], got 1.5"):
        nn.Dropout(1.5)


def test_flatten_keeps_the_batch_axis():
    assert nn.Flatten()(np.zeros((2, 3, 4))).shape == (2, 12)


# -- initialisers --------------------------------------------------------------------------
def test_normal_has_the_requested_std_and_is_repeatable():
    a, b = init.normal((200, 200), std=0.01, seed=3), init.normal((200, 200), std=0.01, seed=3)
    assert np.array_equal(a, b) and a.dtype == np.float32
    assert a.std() == pytest.approx(0.01, rel=0.02) and abs(a.mean()) < 1e-3


def test_uniform_stays_in_low_high():
    w = init.uniform((100, 100), 0.0, 0.1, seed=0)  # seed 002's NaiveDense
    assert w.min() >= 0.0 and w.max() < 0.1 and w.mean() == pytest.approx(0.05, abs=0.002)


def test_a_generator_gives_a_stream_of_different_arrays():
    rng = np.random.default_rng(0)
    assert not np.array_equal(init.normal(3, seed=rng), init.normal(3, seed=rng))


@pytest.mark.parametrize("fn, std", [
    (init.he_normal, math.sqrt(2 / 400)),
    (init.he_uniform, math.sqrt(6 / 400) / math.sqrt(3)),
    (init.glorot_normal, math.sqrt(2 / 700)),
    (init.glorot_uniform, math.sqrt(6 / 700) / math.sqrt(3)),
])
def test_fan_based_initialisers_have_the_textbook_std(fn, std):
    assert fn((300, 400), seed=0).std() == pytest.approx(std, rel=0.02)  # fan_in 400, fan_out 300


def test_pytorch_names_are_the_same_initialisers():
    assert init.kaiming_normal is init.he_normal and init.xavier_uniform is init.glorot_uniform


def test_zeros_and_fans():
    assert not init.zeros((2, 3)).any()
    assert init.calculate_fans((8, 4, 3, 3)) == (36, 72)
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        init.he_normal(5)


def test_a_bad_seed_is_a_type_error():
    with pytest.raises(TypeError, match="seed must be an int"):
        init.normal(3, seed="zero")


# -- learning -----------------------------------------------------------------------------
def test_a_tiny_mlp_learns_xor():
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    y = np.array([[0], [1], [1], [0]], dtype=np.float32)
    model = nn.MLP(2, [8], 1, seed=0)
    optimizer = ag.optim.Adam(model.parameters(), lr=0.05)
    loss_fn = nn.BCEWithLogitsLoss()
    for _ in range(200):
        loss = loss_fn(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert ((model(x).data > 0) == (y > 0.5)).all()
    assert loss.item() < 0.01


def test_plain_arrays_take_the_weight_dtype():
    pixels = np.full((1, 3), 255, dtype=np.uint8)
    assert nn.Linear(3, 2, seed=0)(pixels).dtype == np.float32
    assert nn.Dense(2, seed=0)(np.ones((1, 3))).dtype == np.float32
