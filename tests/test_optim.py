"""Each optimizer against its update rule written out in numpy, plus Keras's names, state dicts and schedules."""
import math

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite import nn, optim
from autograd_lite.optim import lr_scheduler

RNG = np.random.default_rng(0)
W0 = RNG.standard_normal((3, 4))
GRADS = [RNG.standard_normal((3, 4)) for _ in range(5)]


def run(optimizer_class, **settings):
    """Five steps on one float64 parameter, with the fixed gradients GRADS; returns the final weights."""
    p = nn.Parameter(W0)
    opt = optimizer_class([p], **settings)
    for g in GRADS:
        p.grad = ag.Tensor(g)
        opt.step()
    return p.data


def test_sgd():
    w = W0.copy()
    for g in GRADS:
        w = w - 0.1 * g
    np.testing.assert_allclose(run(optim.SGD, lr=0.1), w, rtol=1e-12)


def test_sgd_with_momentum_and_weight_decay():
    w, b = W0.copy(), None
    for g in GRADS:
        d = g + 0.01 * w
        b = d if b is None else 0.9 * b + d
        w = w - 0.1 * b
    np.testing.assert_allclose(run(optim.SGD, lr=0.1, momentum=0.9, weight_decay=0.01), w, rtol=1e-12)


def test_sgd_with_nesterov_momentum():
    w, b = W0.copy(), None
    for g in GRADS:
        b = g if b is None else 0.9 * b + g
        w = w - 0.1 * (g + 0.9 * b)
    np.testing.assert_allclose(run(optim.SGD, lr=0.1, momentum=0.9, nesterov=True), w, rtol=1e-12)


def test_rmsprop():
    w, v = W0.copy(), np.zeros_like(W0)
    for g in GRADS:
        v = 0.99 * v + 0.01 * g**2
        w = w - 0.01 * g / (np.sqrt(v) + 1e-8)
    np.testing.assert_allclose(run(optim.RMSprop), w, rtol=1e-12)


def test_rmsprop_centered_with_momentum():
    w, v, m, b = W0.copy(), np.zeros_like(W0), np.zeros_like(W0), np.zeros_like(W0)
    for g in GRADS:
        v = 0.9 * v + 0.1 * g**2
        m = 0.9 * m + 0.1 * g
        b = 0.5 * b + g / (np.sqrt(v - m**2) + 1e-8)
        w = w - 0.01 * b
    np.testing.assert_allclose(run(optim.RMSprop, alpha=0.9, centered=True, momentum=0.5), w, rtol=1e-10)


def test_rmsprop_keras_form_puts_eps_inside_the_root():
    w, v = W0.copy(), np.zeros_like(W0)
    for g in GRADS:
        v = 0.9 * v + 0.1 * g**2
        w = w - 1e-3 * g / np.sqrt(v + 1e-7)
    np.testing.assert_allclose(run(optim.RMSprop, lr=1e-3, alpha=0.9, eps=1e-7, eps_inside_sqrt=True), w, rtol=1e-12)


def test_adam():
    w, m, v = W0.copy(), np.zeros_like(W0), np.zeros_like(W0)
    for t, g in enumerate(GRADS, start=1):
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g**2
        m_hat, v_hat = m / (1 - 0.9**t), v / (1 - 0.999**t)
        w = w - 0.01 * m_hat / (np.sqrt(v_hat) + 1e-8)
    np.testing.assert_allclose(run(optim.Adam, lr=0.01), w, rtol=1e-12)


def test_adam_amsgrad_with_l2_weight_decay():
    w, m, v, v_max = W0.copy(), np.zeros_like(W0), np.zeros_like(W0), np.zeros_like(W0)
    for t, g in enumerate(GRADS, start=1):
        g = g + 0.1 * w
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g**2
        v_max = np.maximum(v_max, v)
        w = w - 0.01 * (m / (1 - 0.9**t)) / (np.sqrt(v_max / (1 - 0.999**t)) + 1e-8)
    np.testing.assert_allclose(run(optim.Adam, lr=0.01, weight_decay=0.1, amsgrad=True), w, rtol=1e-12)


def test_adamw_decays_the_weights_apart_from_the_gradient():
    w, m, v = W0.copy(), np.zeros_like(W0), np.zeros_like(W0)
    for t, g in enumerate(GRADS, start=1):
        w = w * (1 - 0.01 * 0.01)
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g**2
        w = w - 0.01 * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    np.testing.assert_allclose(run(optim.AdamW, lr=0.01), w, rtol=1e-12)


def test_adagrad_with_learning_rate_decay():
    w, s = W0.copy(), np.full_like(W0, 0.1)
    for t, g in enumerate(GRADS, start=1):
        s = s + g**2
        w = w - 0.1 / (1 + (t - 1) * 0.05) * g / (np.sqrt(s) + 1e-10)
    np.testing.assert_allclose(run(optim.Adagrad, lr=0.1, lr_decay=0.05, initial_accumulator_value=0.1), w, rtol=1e-12)


def test_updates_happen_in_place_and_keep_float32():
    p = nn.Parameter(W0.astype(np.float32))
    array = p.data
    opt = optim.Adam([p])
    p.grad = ag.Tensor(GRADS[0].astype(np.float32))
    opt.step()
    assert p.data is array and p.dtype == np.float32


def test_parameters_without_a_gradient_are_left_alone():
    a, b = nn.Parameter([1.0]), nn.Parameter([2.0])
    a.grad = ag.Tensor([1.0])
    optim.SGD([a, b], lr=0.5).step()
    assert a.data.tolist() == [0.5] and b.data.tolist() == [2.0]


def test_zero_grad_clears_gradients():
    p = nn.Parameter([1.0])
    p.grad = ag.Tensor([3.0])
    opt = optim.SGD([p], lr=0.1)
    opt.zero_grad()
    assert p.grad is None


def test_parameter_groups_have_their_own_learning_rates():
    a, b = nn.Parameter([1.0]), nn.Parameter([1.0])
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
    a.grad = b.grad = ag.Tensor([1.0])
    opt.step()
    assert a.data.tolist() == pytest.approx([0.9]) and b.data.tolist() == [0.5]


def test_step_returns_the_closure_loss():
    p = nn.Parameter([2.0])

    def closure():
        p.grad = None
        loss = (p * p).sum()
        loss.backward()
        return loss

    assert optim.SGD([p], lr=0.25).step(closure).item() == 4.0
    assert p.data.tolist() == [1.0]


# -- TensorFlow style ------------------------------------------------------------------------------
def test_apply_gradients_with_an_optimizer_made_without_parameters():
    model = nn.Linear(2, 1, seed=0)
    x = np.ones((3, 2), dtype=np.float32)
    before = [p.data.copy() for p in model.parameters()]
    optimizer = optim.Adam()  # as tf.keras.optimizers.Adam()
    with ag.GradientTape() as tape:
        loss = model(x).sum()
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    for p, w, g in zip(model.parameters(), before, grads):
        np.testing.assert_allclose(p.data, w - 1e-3 * np.sign(g.data), rtol=1e-5)  # Adam's first step is lr·sign(g)


def test_apply_gradients_matches_step():
    a, b = nn.Parameter(W0), nn.Parameter(W0)
    opt_a, opt_b = optim.RMSprop([a]), optim.RMSprop([b])
    for g in GRADS:
        a.grad = ag.Tensor(g)
        opt_a.step()
        opt_b.apply_gradients([(ag.Tensor(g), b)])
    assert np.array_equal(a.data, b.data)


def test_apply_gradients_checks_shapes():
    p = nn.Parameter(np.zeros(3))
    with pytest.raises(ag.ShapeError, match=r"gradient of shape \(2,\) for a variable of shape \(3,\)"):
        optim.SGD().apply_gradients([(np.zeros(2), p)])


# -- Keras names ----------------------------------------------------------------------------------
@pytest.mark.parametrize("name, cls, settings", [
    ("sgd", optim.SGD, {"lr": 0.01, "momentum": 0.0}),
    ("rmsprop", optim.RMSprop, {"lr": 1e-3, "alpha": 0.9, "eps": 1e-7, "eps_inside_sqrt": True}),
    ("adam", optim.Adam, {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-7}),
    ("adamw", optim.AdamW, {"lr": 1e-3, "weight_decay": 0.004, "eps": 1e-7}),
    ("adagrad", optim.Adagrad, {"lr": 1e-3, "initial_accumulator_value": 0.1, "eps": 1e-7}),
])
def test_get_gives_keras_defaults(name, cls, settings):
    opt = optim.get(name, [nn.Parameter([1.0])])
    assert type(opt) is cls
    assert {k: opt.param_groups[0][k] for k in settings} == settings


def test_get_takes_keras_argument_names():
    opt = optim.get("Adam", [nn.Parameter([1.0])], learning_rate=0.01, beta_2=0.99, epsilon=1e-6)
    assert (opt.learning_rate, opt.defaults["betas"], opt.defaults["eps"]) == (0.01, (0.9, 0.99), 1e-6)


def test_get_passes_optimizers_through_and_refuses_unknown_names():
    opt = optim.SGD([nn.Parameter([1.0])])
    assert optim.get(opt) is opt
    with pytest.raises(ValueError, match="unknown optimizer 'adadelta'; use one of adagrad, adam"):
        optim.get("adadelta")


def test_learning_rate_can_be_set_keras_style():
    opt = optim.SGD([nn.Parameter([1.0])], lr=0.1)
    opt.learning_rate = 0.5
    assert opt.param_groups[0]["lr"] == 0.5


# -- state -------------------------------------------------------------------------------------------
def test_state_dict_round_trip_continues_identically():
    a, b = nn.Parameter(W0), nn.Parameter(W0)
    opt_a = optim.Adam([a], lr=0.01)
    for g in GRADS[:3]:
        a.grad = ag.Tensor(g)
        opt_a.step()
    b.data[...] = a.data
    opt_b = optim.Adam([b])
    opt_b.load_state_dict(opt_a.state_dict())
    assert opt_b.param_groups[0]["lr"] == 0.01
    for g in GRADS[3:]:
        a.grad = b.grad = ag.Tensor(g)
        opt_a.step()
        opt_b.step()
    assert np.array_equal(a.data, b.data)


def test_state_dict_uses_pytorch_layout_with_copies():
    p = nn.Parameter(W0)
    opt = optim.SGD([p], lr=0.1, momentum=0.9)
    p.grad = ag.Tensor(GRADS[0])
    opt.step()
    state = opt.state_dict()
    assert list(state["state"]) == [0] and state["param_groups"][0]["params"] == [0]
    state["state"][0]["momentum_buffer"] += 1
    assert not np.array_equal(opt.state[id(p)]["momentum_buffer"], state["state"][0]["momentum_buffer"])


def test_load_state_dict_refuses_other_parameters():
    opt = optim.Adam([nn.Parameter(W0)])
    other = optim.Adam([nn.Parameter(np.zeros(2))])
    other.param_groups[0]["params"][0].grad = ag.Tensor(np.ones(2))
    other.step()
    with pytest.raises(ValueError, match=r"'exp_avg': expected shape \(3, 4\), got \(2,\)"):
        opt.load_state_dict(other.state_dict())


# -- bad arguments ------------------------------------------------------------------------------------
def test_passing_a_model_instead_of_its_parameters_says_so():
    with pytest.raises(TypeError, match=r"pass model.parameters\(\)"):
        optim.SGD(nn.Sequential(nn.Linear(1, 1)))


def test_an_empty_parameter_list_is_an_error():
    with pytest.raises(ValueError, match="Adam got an empty parameter list"):
        optim.Adam(nn.Sequential(nn.ReLU()).parameters())


def test_non_leaf_and_duplicate_parameters_are_refused():
    p = nn.Parameter([1.0])
    with pytest.raises(ValueError, match="not a leaf"):
        optim.SGD([p * 2])
    with pytest.raises(ValueError, match="appears twice"):
        optim.SGD([p, p])


@pytest.mark.parametrize("make, message", [
    (lambda p: optim.SGD(p, lr=-1), "SGD: lr must be >= 0, got -1"),
    (lambda p: optim.SGD(p, nesterov=True), "Nesterov momentum needs momentum > 0"),
    (lambda p: optim.Adam(p, betas=(0.9, 1.0)), r"betas must be two numbers in \[0, 1\)"),
    (lambda p: optim.RMSprop(p, eps=-1e-8), "RMSprop: eps must be >= 0"),
])
def test_bad_settings_are_named(make, message):
    with pytest.raises(ValueError, match=message):
        make([nn.Parameter([1.0])])


# -- learning-rate schedules --------------------------------------------------------------------------
def rates(scheduler_class, epochs, **settings):
    opt = optim.SGD([nn.Parameter([1.0])], lr=1.0)
    scheduler = scheduler_class(opt, **settings)
    out = []
    for _ in range(epochs):
        out.append(scheduler.get_last_lr()[0])
        scheduler.step()
    return out


def test_step_lr():
    assert rates(lr_scheduler.StepLR, 5, step_size=2, gamma=0.5) == [1.0, 1.0, 0.5, 0.5, 0.25]


def test_exponential_lr():
    assert rates(lr_scheduler.ExponentialLR, 3, gamma=0.1) == pytest.approx([1.0, 0.1, 0.01])


def test_cosine_annealing_lr():
    expected = [0.1 + 0.9 * (1 + math.cos(math.pi * t / 4)) / 2 for t in range(5)]
    assert rates(lr_scheduler.CosineAnnealingLR, 5, T_max=4, eta_min=0.1) == pytest.approx(expected)
