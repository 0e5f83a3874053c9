"""Loss options: cross_entropy(weight, ignore_index, label_smoothing, soft targets), nll_loss(weight, ignore_index),
binary_cross_entropy_with_logits(weight, pos_weight), huber_loss, smooth_l1_loss, kl_div, cosine_similarity."""
import numpy as np
import pytest
from helpers import check_grads

import autograd_lite as ag
from autograd_lite import functional as F
from autograd_lite import nn

T = ag.Tensor
rng = np.random.default_rng(0)
X = rng.standard_normal((5, 4))
X3 = rng.standard_normal((3, 4, 2))              # (N, C, d): the class axis is 1
LABELS = np.array([0, 3, 1, 2, 2])
IGNORED = np.array([0, 3, -100, 2, -100])
LABELS3 = np.array([[0, 3], [1, -100], [2, 2]])
W = rng.random(4) + 0.5
SOFT = rng.dirichlet(np.ones(4), 5)
PROBS = rng.random((5, 4))
TARGET = rng.standard_normal((5, 4))
LOGP = np.log(rng.dirichlet(np.ones(4), 5))


def torch_cases(torch):
    TF, t = torch.nn.functional, torch.tensor
    return [  # (ours on the inputs, theirs on the inputs, the inputs that are differentiated)
        (lambda x: F.cross_entropy(x, LABELS, W), lambda x: TF.cross_entropy(x, t(LABELS), t(W)), [X]),
        (lambda x: F.cross_entropy(x, IGNORED, W, reduction="sum"), lambda x: TF.cross_entropy(x, t(IGNORED), t(W), reduction="sum"), [X]),
        (lambda x: F.cross_entropy(x, IGNORED, label_smoothing=0.2), lambda x: TF.cross_entropy(x, t(IGNORED), label_smoothing=0.2), [X]),
        (lambda x: F.cross_entropy(x, IGNORED, W, label_smoothing=0.1, reduction="none"),
         lambda x: TF.cross_entropy(x, t(IGNORED), t(W), label_smoothing=0.1, reduction="none"), [X]),
        (lambda x: F.cross_entropy(x, LABELS3, W, label_smoothing=0.3), lambda x: TF.cross_entropy(x, t(LABELS3), t(W), label_smoothing=0.3), [X3]),
        (lambda x: F.cross_entropy(x, 7, ignore_index=7), lambda x: TF.cross_entropy(x, t(7), ignore_index=7), [X[0]]),
        (lambda x, s: F.cross_entropy(x, s, W, label_smoothing=0.25), lambda x, s: TF.cross_entropy(x, s, t(W), label_smoothing=0.25), [X, SOFT]),
        (lambda x, s: F.cross_entropy(x, s, reduction="sum"), lambda x, s: TF.cross_entropy(x, s, reduction="sum"), [X, SOFT]),
        (lambda x: F.nll_loss(x, IGNORED, W), lambda x: TF.nll_loss(x, t(IGNORED), t(W)), [LOGP]),
        (lambda x: F.nll_loss(x, LABELS3, W, reduction="none"), lambda x: TF.nll_loss(x, t(LABELS3), t(W), reduction="none"), [X3]),
        (lambda x: F.nll_loss(x, LABELS3 % 4, ignore_index=2), lambda x: TF.nll_loss(x, t(LABELS3 % 4), ignore_index=2), [X3]),
        (lambda x, y: F.binary_cross_entropy_with_logits(x, y, pos_weight=W), lambda x, y: TF.binary_cross_entropy_with_logits(x, y, pos_weight=t(W)), [X * 3, PROBS]),
        (lambda x, y: F.binary_cross_entropy_with_logits(x, y, W, pos_weight=W[::-1].copy(), reduction="sum"),
         lambda x, y: TF.binary_cross_entropy_with_logits(x, y, t(W), pos_weight=t(W[::-1].copy()), reduction="sum"), [X, PROBS]),
        (lambda x, y: F.huber_loss(x, y, delta=0.7), lambda x, y: TF.huber_loss(x, y, delta=0.7), [X, TARGET]),
        (lambda x, y: F.huber_loss(x, y, reduction="none"), lambda x, y: TF.huber_loss(x, y, reduction="none"), [X, TARGET]),
        (lambda x, y: F.smooth_l1_loss(x, y, beta=0.5, reduction="sum"), lambda x, y: TF.smooth_l1_loss(x, y, beta=0.5, reduction="sum"), [X, TARGET]),
        (lambda x, y: F.smooth_l1_loss(x, y, beta=0.0), lambda x, y: TF.smooth_l1_loss(x, y, beta=0.0), [X, TARGET]),
        (lambda x, y: F.kl_div(x, y, reduction="batchmean"), lambda x, y: TF.kl_div(x, y, reduction="batchmean"), [LOGP, SOFT]),
        (lambda x, y: F.kl_div(x, y, reduction="mean"), lambda x, y: TF.kl_div(x, y, reduction="mean"), [LOGP, PROBS]),
        (lambda x, y: F.kl_div(x, y, reduction="none", log_target=True), lambda x, y: TF.kl_div(x, y, reduction="none", log_target=True), [LOGP, LOGP[::-1].copy()]),
        (lambda a, b: F.cosine_similarity(a, b), lambda a, b: TF.cosine_similarity(a, b), [X, TARGET]),
        (lambda a, b: F.cosine_similarity(a, b, dim=-1), lambda a, b: TF.cosine_similarity(a, b, dim=-1), [X3, X3[:1]]),
    ]


@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides")  # PyTorch's own note on kl_div's "mean"
def test_match_torch():
    torch = pytest.importorskip("torch")
    for k, (ours_fn, theirs_fn, arrays) in enumerate(torch_cases(torch)):
        ours = [T(a, requires_grad=True) for a in arrays]
        theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
        y, ty = ours_fn(*ours), theirs_fn(*theirs)
        np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-6, atol=1e-12, err_msg=f"case {k}")
        g = np.random.default_rng(k).standard_normal(y.shape)
        y.backward(g)
        ty.backward(torch.tensor(g))
        for o, t in zip(ours, theirs):
            np.testing.assert_allclose(o.grad.data, t.grad.numpy(), rtol=1e-6, atol=1e-12, err_msg=f"case {k}")


GRADCHECKED = [
    ("cross_entropy weight smoothing ignore", lambda x: F.cross_entropy(x, IGNORED, W, label_smoothing=0.2), [X]),
    ("cross_entropy soft targets weight", lambda x, s: F.cross_entropy(x, s, W, label_smoothing=0.1), [X, SOFT]),
    ("nll_loss weight ignore", lambda x: F.nll_loss(x.log_softmax(dim=1), IGNORED, W), [X]),
    ("bce with logits pos_weight", lambda x, y: F.binary_cross_entropy_with_logits(x, y, W, pos_weight=W + 1), [X * 3, PROBS]),
    ("huber", lambda x, y: F.huber_loss(x, y, delta=0.7), [X, TARGET]),
    ("smooth_l1", lambda x, y: F.smooth_l1_loss(x, y, beta=0.5), [X, TARGET]),
    ("kl_div", lambda x, y: F.kl_div(x, y, reduction="batchmean"), [LOGP, PROBS]),
    ("kl_div log_target", lambda x, y: F.kl_div(x, y, log_target=True), [LOGP, LOGP[::-1].copy()]),
    ("cosine_similarity", lambda a, b: F.cosine_similarity(a, b), [X, TARGET]),
]


@pytest.mark.parametrize("name, fn, arrays", GRADCHECKED, ids=[g[0] for g in GRADCHECKED])
def test_gradients_first_and_second_order(name, fn, arrays):
    check_grads(fn, *arrays)


def test_values_a_reader_checks():
    logits = T([[2.0, 0.0]])
    assert F.cross_entropy(logits, [0], label_smoothing=0.2).item() == pytest.approx(0.9 * 0.126928 + 0.1 * 2.126928, rel=1e-5)
    assert F.cross_entropy(T([[0.0, 0.0], [5.0, 0.0]]), [1, -100]).item() == pytest.approx(np.log(2))  # one sample counted
    assert F.cross_entropy(T([[0.0, 0.0], [0.0, 0.0]]), [0, 1], weight=[1.0, 3.0]).item() == pytest.approx(np.log(2))
    assert F.binary_cross_entropy_with_logits([0.0], [1.0], pos_weight=[3.0]).item() == pytest.approx(3 * np.log(2))
    assert F.huber_loss([0.5, 3.0], [0.0, 0.0], reduction="none").tolist() == [0.125, 2.5]
    assert F.kl_div(T([0.5, 0.5]).log(), [0.0, 1.0], reduction="sum").item() == pytest.approx(np.log(2))  # 0·log 0 = 0
    assert F.cosine_similarity([[1.0, 0.0]], [[-2.0, 0.0]]).tolist() == [-1.0]


def test_an_ignored_sample_gets_no_gradient():
    x = T(X, requires_grad=True)
    F.cross_entropy(x, IGNORED, W, label_smoothing=0.3).backward()
    assert np.all(x.grad.data[[2, 4]] == 0) and np.all(x.grad.data[[0, 1, 3]] != 0)


def test_modules_take_the_options():
    x, labels = T(X), IGNORED
    assert nn.CrossEntropyLoss(weight=W, label_smoothing=0.1)(x, labels).item() == pytest.approx(
        F.cross_entropy(x, labels, W, label_smoothing=0.1).item())
    assert nn.NLLLoss(reduction="sum", ignore_index=3)(x, labels % 4).item() == pytest.approx(
        F.nll_loss(x, labels % 4, ignore_index=3, reduction="sum").item())
    assert nn.HuberLoss(delta=0.5)(x, TARGET).item() == pytest.approx(F.huber_loss(x, TARGET, delta=0.5).item())
    assert nn.SmoothL1Loss(beta=0.5)(x, TARGET).item() == pytest.approx(F.smooth_l1_loss(x, TARGET, beta=0.5).item())
    assert nn.KLDivLoss("batchmean")(T(LOGP), SOFT).item() == pytest.approx(F.kl_div(T(LOGP), SOFT, "batchmean").item())
    with pytest.raises(ValueError, match="reduction must be one of"):
        nn.KLDivLoss("avg")
    assert nn.BCEWithLogitsLoss(pos_weight=W)(x, PROBS).item() == pytest.approx(
        F.binary_cross_entropy_with_logits(x, PROBS, pos_weight=W).item())


@pytest.mark.parametrize("fails, error, message", [
    (lambda: F.cross_entropy(T(X), LABELS, "sum"), TypeError, "pass the reduction by name"),
    (lambda: F.cross_entropy(T(X), LABELS, [1.0, 2.0]), RuntimeError, r"weight must have shape \(4,\)"),
    (lambda: F.cross_entropy(T(X), LABELS, label_smoothing=1.5), RuntimeError, r"label_smoothing must be in \[0, 1\]"),
    (lambda: F.cross_entropy(T(X), np.array([0, 1, 2, 3, 4])), ValueError, "label 4 is out of range"),
    (lambda: F.nll_loss(T(X), LABELS, np.ones(3)), RuntimeError, r"weight must have shape \(4,\)"),
    (lambda: F.binary_cross_entropy_with_logits(T(X), PROBS, pos_weight=np.ones(3)), RuntimeError, "does not broadcast"),
    (lambda: F.huber_loss(T(X), TARGET, delta=0), RuntimeError, "delta must be > 0"),
    (lambda: F.smooth_l1_loss(T(X), TARGET, beta=-1), RuntimeError, "beta must be >= 0"),
    (lambda: F.kl_div(T(LOGP), PROBS, reduction="avg"), RuntimeError, "reduction must be one of"),
    (lambda: F.cosine_similarity(T(X), T(X3)), RuntimeError, "do not broadcast"),
    (lambda: F.huber_loss(T(X), TARGET[:2]), RuntimeError, "target shape"),
])
def test_bad_arguments(fails, error, message):
    with pytest.raises(error, match=message):
        fails()
