"""Loss functions and modules: values and gradients against the formulas, stability, Keras semantics, errors."""
import math

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite import functional as F
from autograd_lite import nn
from autograd_lite.ops.losses import SoftmaxCrossEntropy

RNG = np.random.default_rng(0)
LOGITS = RNG.standard_normal((4, 3))
LABELS = np.array([0, 2, 1, 2])
ONE_HOT = np.eye(3)[LABELS]


def softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def log_softmax(x):
    return np.log(softmax(x))


# -- cross-entropy --------------------------------------------------------------------------
def test_cross_entropy_is_the_mean_negative_log_softmax_at_the_labels():
    expected = -log_softmax(LOGITS)[np.arange(4), LABELS].mean()
    assert F.cross_entropy(LOGITS, LABELS).item() == pytest.approx(expected, rel=1e-12)


def test_cross_entropy_gradient_is_softmax_minus_one_hot_over_n():
    x = ag.Tensor(LOGITS, requires_grad=True)
    F.cross_entropy(x, LABELS).backward()
    np.testing.assert_allclose(x.grad.data, (softmax(LOGITS) - ONE_HOT) / 4, rtol=1e-12)


def test_cross_entropy_with_one_hot_targets_equals_labels():
    assert F.cross_entropy(LOGITS, ONE_HOT).item() == pytest.approx(F.cross_entropy(LOGITS, LABELS).item())


def test_cross_entropy_with_soft_targets_and_their_gradient():
    targets = softmax(RNG.standard_normal((4, 3)))
    x, t = ag.Tensor(LOGITS, requires_grad=True), ag.Tensor(targets, requires_grad=True)
    loss = F.cross_entropy(x, t)
    loss.backward()
    assert loss.item() == pytest.approx(-(targets * log_softmax(LOGITS)).sum(1).mean())
    np.testing.assert_allclose(t.grad.data, -log_softmax(LOGITS) / 4, rtol=1e-12)


def test_cross_entropy_reductions():
    per_sample = -log_softmax(LOGITS)[np.arange(4), LABELS]
    np.testing.assert_allclose(F.cross_entropy(LOGITS, LABELS, reduction="none").data, per_sample)
    assert F.cross_entropy(LOGITS, LABELS, reduction="sum").item() == pytest.approx(per_sample.sum())


def test_cross_entropy_is_stable_for_huge_logits():
    x = ag.Tensor([[1000.0, 0.0], [-1000.0, 1000.0]], requires_grad=True)
    loss = F.cross_entropy(x, [1, 1])
    loss.backward()
    assert loss.item() == pytest.approx(500.0)
    np.testing.assert_allclose(x.grad.data, [[0.5, -0.5], [0.0, 0.0]])


def test_cross_entropy_accepts_whole_number_float_labels_and_unbatched_input():
    assert F.cross_entropy(LOGITS, LABELS.astype(np.float32)).item() == pytest.approx(F.cross_entropy(LOGITS, LABELS).item())
    assert F.cross_entropy(LOGITS[0], 0).item() == pytest.approx(-log_softmax(LOGITS[0])[0])


def test_cross_entropy_keeps_float32():
    assert F.cross_entropy(LOGITS.astype(np.float32), LABELS).dtype == np.float32


def test_the_fused_op_states_its_derivatives():
    op = SoftmaxCrossEntropy(axis=1)
    assert op.describe_derivatives() == ["∂softmax_cross_entropy(x, t)/∂x = softmax(x)·Σt - t",
                                         "∂softmax_cross_entropy(x, t)/∂t = -log softmax(x)"]
    loss = F.cross_entropy(ag.Tensor(LOGITS, requires_grad=True), LABELS)
    assert loss.grad_fn.inputs[0].grad_fn.name == "softmax_cross_entropy"


def test_cross_entropy_second_derivatives_pass_gradcheck():
    def gradient(x):
        with ag.enable_grad():  # gradcheck evaluates fn under no_grad for its finite differences
            (g,) = ag.grad(F.cross_entropy(x, LABELS), x, create_graph=True)
        return g

    assert ag.gradcheck(gradient, [LOGITS])


# -- gradchecks of every loss ----------------------------------------------------------------------
PROBS = softmax(RNG.standard_normal((4, 3)))
TARGETS01 = np.array([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0], [1.0, 1.0, 0.0], [0.0, 1.0, 0.0]])


@pytest.mark.parametrize("name, fn, inputs", [
    ("cross_entropy labels", lambda x: F.cross_entropy(x, LABELS), [LOGITS]),
    ("cross_entropy probabilities", lambda x, t: F.cross_entropy(x, t, reduction="sum"), [LOGITS, PROBS]),
    ("nll_loss", lambda x: F.nll_loss(x.log_softmax(dim=1), LABELS), [LOGITS]),
    ("sparse_categorical_crossentropy", lambda p: F.sparse_categorical_crossentropy(p, LABELS), [PROBS]),
    ("sparse_categorical_crossentropy logits",
     lambda x: F.sparse_categorical_crossentropy(x, LABELS, from_logits=True), [LOGITS]),
    ("categorical_crossentropy", lambda p, t: F.categorical_crossentropy(p, t), [PROBS, ONE_HOT]),
    ("binary_cross_entropy_with_logits", lambda x, t: F.binary_cross_entropy_with_logits(x, t), [LOGITS * 3, PROBS]),
    ("binary_cross_entropy", lambda p, t: F.binary_cross_entropy(p, t), [PROBS, TARGETS01]),
    ("binary_crossentropy", lambda p: F.binary_crossentropy(p, TARGETS01), [PROBS]),
    ("mse_loss", lambda x, t: F.mse_loss(x, t, half=True), [LOGITS, PROBS]),
    ("l1_loss", lambda x, t: F.l1_loss(x, t, reduction="none"), [LOGITS, PROBS]),
])
def test_loss_gradients_pass_gradcheck(name, fn, inputs):
    assert ag.gradcheck(fn, inputs)


# -- binary ---------------------------------------------------------------------------------------
def test_bce_with_logits_matches_the_formula():
    x, t = LOGITS.ravel(), PROBS.ravel()
    expected = -(t * np.log(1 / (1 + np.exp(-x))) + (1 - t) * np.log(1 - 1 / (1 + np.exp(-x)))).mean()
    assert F.binary_cross_entropy_with_logits(x, t).item() == pytest.approx(expected, rel=1e-12)


def test_bce_with_logits_is_stable_and_right_at_zero():
    x = ag.Tensor([1000.0, -1000.0, 0.0], requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(x, [0.0, 0.0, 1.0], reduction="sum")
    loss.backward()
    assert loss.item() == pytest.approx(1000.0 + math.log(2))
    np.testing.assert_allclose(x.grad.data, [1.0, 0.0, -0.5])  # σ(x) - t, including at the kink x = 0


def test_binary_cross_entropy_floors_each_log_at_minus_100_like_pytorch():
    p = ag.Tensor([0.0, 0.25], requires_grad=True)
    loss = F.binary_cross_entropy(p, [1.0, 1.0], reduction="none")
    assert loss.data.tolist() == pytest.approx([100.0, -math.log(0.25)])
    loss.sum().backward()
    assert np.isfinite(p.grad.data).all()


def test_binary_cross_entropy_refuses_values_outside_0_1():
    with pytest.raises(ValueError, match="must be probabilities in \\[0, 1\\].*binary_cross_entropy_with_logits"):
        F.binary_cross_entropy([1.5], [1.0])


# -- regression -------------------------------------------------------------------------------------
def test_mse_loss_and_its_half_form_for_seed_004():
    assert F.mse_loss([1.0, 3.0], [0.0, 0.0]).item() == 5.0
    assert F.mse_loss([1.0, 3.0], [0.0, 0.0], half=True).item() == 2.5
    x = ag.Tensor([1.0, 3.0], requires_grad=True)
    F.mse_loss(x, [0.0, 0.0], half=True).backward()
    assert x.grad.data.tolist() == [0.5, 1.5]  # (x - t) / n


def test_l1_loss():
    assert F.l1_loss([1.0, -3.0], [0.0, 0.0]).item() == 2.0
    assert F.l1_loss([1.0, -3.0], [0.0, 0.0], reduction="sum").item() == 4.0


def test_nll_loss_picks_the_labels():
    log_p = np.log(PROBS)
    assert F.nll_loss(log_p, LABELS).item() == pytest.approx(-log_p[np.arange(4), LABELS].mean())


# -- Keras semantics ---------------------------------------------------------------------------------
def test_sparse_categorical_crossentropy_of_probabilities():
    assert F.sparse_categorical_crossentropy(PROBS, LABELS).item() == pytest.approx(
        -np.log(PROBS[np.arange(4), LABELS]).mean(), rel=1e-6)


def test_sparse_categorical_crossentropy_clips_probabilities_like_keras():
    loss = F.sparse_categorical_crossentropy([[1.0, 0.0]], [1])
    assert loss.item() == pytest.approx(-math.log(1e-7), rel=1e-6)  # 16.118, not infinity


def test_sparse_categorical_crossentropy_from_logits_is_cross_entropy():
    assert F.sparse_categorical_crossentropy(LOGITS, LABELS, from_logits=True).item() == pytest.approx(
        F.cross_entropy(LOGITS, LABELS).item())


def test_sparse_categorical_crossentropy_accepts_labels_of_shape_n_by_1():
    assert F.sparse_categorical_crossentropy(PROBS, LABELS[:, None]).item() == pytest.approx(
        F.sparse_categorical_crossentropy(PROBS, LABELS).item())


def test_sparse_categorical_crossentropy_explains_a_keras_argument_order():
    with pytest.raises(TypeError, match=r"order \(prediction, labels\)"):
        F.sparse_categorical_crossentropy(LABELS, PROBS)


def test_keras_loss_objects_take_y_true_first():
    assert nn.SparseCategoricalCrossentropy()(LABELS, PROBS).item() == pytest.approx(
        F.sparse_categorical_crossentropy(PROBS, LABELS).item())
    assert nn.CategoricalCrossentropy(from_logits=True)(ONE_HOT, LOGITS).item() == pytest.approx(
        F.cross_entropy(LOGITS, LABELS).item())
    assert nn.BinaryCrossentropy()(TARGETS01, PROBS).item() == pytest.approx(
        F.binary_cross_entropy(PROBS, TARGETS01).item(), rel=1e-6)
    assert nn.MeanSquaredError()([0.0, 0.0], [1.0, 3.0]).item() == 5.0


def test_loss_names_give_keras_loss_objects():
    loss = nn.losses.get("sparse_categorical_crossentropy")
    assert isinstance(loss, nn.SparseCategoricalCrossentropy)
    assert isinstance(nn.losses.get("mse"), nn.MeanSquaredError)
    with pytest.raises(ValueError, match="unknown loss 'hinge'"):
        nn.losses.get("hinge")


# -- PyTorch-style modules ------------------------------------------------------------------------------
@pytest.mark.parametrize("module, fn, target", [
    (nn.CrossEntropyLoss(), F.cross_entropy, LABELS),
    (nn.NLLLoss(reduction="sum"), lambda x, t: F.nll_loss(x, t, reduction="sum"), LABELS),
    (nn.MSELoss(), F.mse_loss, PROBS),
    (nn.MSELoss(half=True), lambda x, t: F.mse_loss(x, t, half=True), PROBS),
    (nn.L1Loss(), F.l1_loss, PROBS),
    (nn.BCEWithLogitsLoss(), F.binary_cross_entropy_with_logits, PROBS),
])
def test_loss_modules_call_their_functions_input_first(module, fn, target):
    assert module(LOGITS, target).item() == fn(LOGITS, target).item()


def test_bce_loss_module():
    assert nn.BCELoss()(PROBS, TARGETS01).item() == F.binary_cross_entropy(PROBS, TARGETS01).item()


def test_loss_module_repr_shows_non_default_settings():
    assert repr(nn.CrossEntropyLoss()) == "CrossEntropyLoss()"
    assert repr(nn.MSELoss(reduction="sum", half=True)) == "MSELoss(reduction='sum', half=True)"
    assert repr(nn.SparseCategoricalCrossentropy(from_logits=True)) == "SparseCategoricalCrossentropy(from_logits=True)"


# -- errors ------------------------------------------------------------------------------------------
def test_label_out_of_range_is_named():
    with pytest.raises(ValueError, match="cross_entropy: label 3 is out of range for 3 classes"):
        F.cross_entropy(LOGITS, [0, 1, 2, 3])
    with pytest.raises(ValueError, match="label -1 is out of range"):
        F.cross_entropy(LOGITS, [0, 1, 2, -1])


def test_labels_of_the_wrong_shape_name_both_shapes():
    with pytest.raises(ag.ShapeError, match=r"input shape \(4, 3\) needs labels of shape \(4,\).*got shape \(5,\)"):
        F.cross_entropy(LOGITS, [0, 1, 2, 0, 1])


def test_non_integer_labels_are_refused():
    with pytest.raises(ValueError, match="whole numbers"):
        F.cross_entropy(LOGITS, [0.5, 1, 2, 0])


def test_elementwise_losses_refuse_to_broadcast_mismatched_shapes():
    with pytest.raises(ag.ShapeError, match=r"mse_loss: input shape \(4, 1\) and target shape \(4,\) differ"):
        F.mse_loss(np.zeros((4, 1)), np.zeros(4))


def test_unknown_reduction_lists_the_choices():
    with pytest.raises(ValueError, match="reduction must be one of 'mean', 'sum', 'none', got 'avg'"):
        F.l1_loss([1.0], [0.0], reduction="avg")
    with pytest.raises(ValueError, match="reduction must be one of"):
        nn.CrossEntropyLoss(reduction="avg")


# -- agreement with PyTorch, where it is installed -------------------------------------------------------
def test_losses_and_gradients_match_pytorch():
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    cases = [
        (F.cross_entropy, tf.cross_entropy, LOGITS, LABELS),
        (F.cross_entropy, tf.cross_entropy, LOGITS, PROBS),
        (F.binary_cross_entropy_with_logits, tf.binary_cross_entropy_with_logits, LOGITS * 5, PROBS),
        (F.binary_cross_entropy, tf.binary_cross_entropy, PROBS, TARGETS01),
        (F.mse_loss, tf.mse_loss, LOGITS, PROBS),
        (F.l1_loss, tf.l1_loss, LOGITS, PROBS),
    ]
    for ours, theirs, x, t in cases:
        a = ag.Tensor(x, requires_grad=True)
        b = torch.tensor(x, requires_grad=True)
        la, lb = ours(a, t), theirs(b, torch.tensor(t))
        la.backward()
        lb.backward()
        assert la.item() == pytest.approx(lb.item(), rel=1e-10), ours.__name__
        np.testing.assert_allclose(a.grad.data, b.grad.numpy(), rtol=1e-8, atol=1e-12)
