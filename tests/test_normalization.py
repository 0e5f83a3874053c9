"""Batch, layer, group and instance normalization, embeddings and channel dropout: gradients (first and
second order, float64), PyTorch's numbers where installed, buffers, train/eval, and errors."""
import numpy as np
import pytest

import autograd_lite as ag
import autograd_lite.functional as F
from autograd_lite import nn
from helpers import check_grads


def _arrays(*shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.uniform(-1, 1, s) for s in shapes]


NORMS = {
    "batch_norm training, 2-D": (lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True), (4, 3), (3,)),
    "batch_norm training, 4-D": (lambda x, w, b: F.batch_norm(x, np.zeros(2), np.ones(2), w, b, training=True),
                                 (2, 2, 2, 3), (2,)),
    "batch_norm eval": (lambda x, w, b: F.batch_norm(x, np.full(2, 0.5), np.full(2, 2.0), w, b), (2, 2, 3), (2,)),
    "layer_norm": (lambda x, w, b: F.layer_norm(x, (2, 3), w.reshape(2, 3), b.reshape(2, 3)), (2, 2, 3), (6,)),
    "group_norm": (lambda x, w, b: F.group_norm(x, 2, w, b), (2, 4, 3), (4,)),
    "instance_norm": (lambda x, w, b: F.instance_norm(x, weight=w, bias=b), (2, 2, 4), (2,)),
}


@pytest.mark.parametrize("name", NORMS)
def test_normalization_first_and_second_derivatives_match_finite_differences(name):
    fn, x_shape, p_shape = NORMS[name]
    x, w, b = _arrays(x_shape, p_shape, p_shape)
    w = w + 1.5  # away from zero, as trained scales are
    check_grads(lambda x, w, b: fn(x, w, b).tanh(), x, w, b)  # tanh: a curved loss, so the second order is not trivial


def test_embedding_gradient_accumulates_into_repeated_rows_and_skips_the_padding_row():
    weight = ag.Tensor(np.arange(8.0).reshape(4, 2), requires_grad=True)
    out = F.embedding(np.array([[1, 3, 1], [0, 1, 2]]), weight, padding_idx=0)
    assert out.shape == (2, 3, 2) and out.data[0, 1].tolist() == [6.0, 7.0]
    out.sum().backward()
    assert weight.grad.tolist() == [[0.0, 0.0], [3.0, 3.0], [1.0, 1.0], [1.0, 1.0]]
    check_grads(lambda w: F.embedding(np.array([2, 2, 0]), w) ** 2, _arrays((3, 2))[0])


def test_batch_norm_in_training_normalizes_each_channel_and_moves_the_running_statistics():
    x = np.array([[1.0, 10.0], [3.0, 30.0]])
    running_mean, running_var = np.zeros(2), np.ones(2)
    y = F.batch_norm(x, running_mean, running_var, training=True, momentum=0.5, eps=0.0)
    np.testing.assert_allclose(y.data, [[-1.0, -1.0], [1.0, 1.0]])
    np.testing.assert_allclose(running_mean, [1.0, 10.0])  # halfway from 0 to the batch means 2 and 20
    np.testing.assert_allclose(running_var, [1.5, 100.5])  # halfway from 1 to the unbiased variances 2 and 200


def test_batch_norm_module_keeps_pytorchs_buffers_and_switches_with_train_and_eval():
    bn = nn.BatchNorm2d(3)
    assert list(bn.state_dict()) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    x = np.random.default_rng(0).standard_normal((4, 3, 2, 2)).astype(np.float32) * 3 + 5
    bn(x)
    bn(x)
    assert int(bn.num_batches_tracked.item()) == 2
    np.testing.assert_allclose(bn.running_mean.data, 0.19 * x.mean(axis=(0, 2, 3)), rtol=1e-5)
    bn.eval()
    expected = (x - bn.running_mean.data.reshape(1, 3, 1, 1)) / np.sqrt(bn.running_var.data.reshape(1, 3, 1, 1) + 1e-5)
    np.testing.assert_allclose(bn(x).data, expected, rtol=1e-5)
    assert int(bn.num_batches_tracked.item()) == 2  # eval does not count batches
    copy = nn.BatchNorm2d(3)
    copy.load_state_dict(bn.state_dict())
    np.testing.assert_array_equal(copy.running_var.data, bn.running_var.data)


def test_batch_norm_with_momentum_none_keeps_a_cumulative_average():
    bn = nn.BatchNorm1d(1, momentum=None)
    for batch in ([[0.0], [2.0]], [[4.0], [6.0]]):
        bn(np.array(batch, dtype=np.float32))
    assert bn.running_mean.tolist() == [3.0]  # the mean of the batch means 1 and 5


def test_dropout2d_zeros_whole_channels_in_training_only():
    x = np.ones((2, 6, 3, 3))
    y = F.dropout2d(x, 0.5, seed=1).data
    per_channel = y.reshape(2, 6, 9)
    assert set(np.unique(per_channel)) <= {0.0, 2.0}
    assert np.all(per_channel.min(axis=2) == per_channel.max(axis=2))  # a channel is kept or dropped whole
    drop = nn.Dropout2d(0.5, seed=0)
    assert np.array_equal(drop.eval()(x).data, x)


@pytest.mark.parametrize("call, message", [
    (lambda: F.batch_norm(np.zeros((1, 3)), np.zeros(3), np.ones(3), training=True),
     r"batch_norm: expected more than 1 value per channel when training, got input of shape \(1, 3\)"),
    (lambda: F.batch_norm(np.zeros((2, 3)), np.zeros(4), np.ones(4)),
     r"batch_norm: running_mean of shape \(4,\) does not fit input of shape \(2, 3\)"),
    (lambda: nn.BatchNorm2d(3)(np.zeros((2, 3, 4))), r"BatchNorm2d: expected a 4-D input with 3 channels"),
    (lambda: F.layer_norm(np.zeros((2, 3)), 4), r"layer_norm: normalized_shape \(4,\) must be the last dimensions"),
    (lambda: F.group_norm(np.zeros((2, 3, 4)), 2), r"group_norm: input of shape \(2, 3, 4\) .* divisible by num_groups=2"),
    (lambda: F.embedding(np.array([0, 5]), np.zeros((5, 2))), r"embedding: index 5 is out of range for weight of shape \(5, 2\)"),
])
def test_normalization_errors_name_the_op_and_shapes(call, message):
    with pytest.raises((ValueError, IndexError), match=message):
        call()


def test_norms_and_embedding_match_pytorch():
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    x, w, b = _arrays((4, 4, 3, 3), (4,), (4,), seed=3)
    cases = [
        (lambda f, x, w, b, *stats: f.batch_norm(x, *stats, w, b, True, 0.3), True),
        (lambda f, x, w, b: f.layer_norm(x, (3, 3)) * w.sum() + b.sum(), False),
        (lambda f, x, w, b: f.group_norm(x, 2, w, b), False),
        (lambda f, x, w, b, *stats: f.instance_norm(x, *stats, w, b, momentum=0.3), True),
    ]
    for fn, has_stats in cases:
        ours = [ag.Tensor(a, requires_grad=True) for a in (x, w, b)]
        theirs = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
        our_stats, their_stats = [np.zeros(4), np.ones(4)], [torch.zeros(4, dtype=torch.float64),
                                                             torch.ones(4, dtype=torch.float64)]
        y = fn(F, *ours, *(our_stats if has_stats else []))
        t = fn(tf, *theirs, *(their_stats if has_stats else []))
        np.testing.assert_allclose(y.data, t.detach().numpy(), rtol=1e-10, atol=1e-12)
        (y.tanh()).sum().backward()
        (t.tanh()).sum().backward()
        for a, ta in zip(ours, theirs):
            np.testing.assert_allclose(a.grad.data, ta.grad.numpy(), rtol=1e-9, atol=1e-12)
        for s, ts in zip(our_stats, their_stats):
            np.testing.assert_allclose(s, ts.numpy(), rtol=1e-12)
    bn, tbn = nn.BatchNorm2d(4), torch.nn.BatchNorm2d(4)
    for _ in range(3):
        bn(x.astype(np.float32))
        tbn(torch.tensor(x, dtype=torch.float32))
    for name, tensor in tbn.state_dict().items():
        np.testing.assert_allclose(bn.state_dict()[name], tensor.numpy(), rtol=1e-5)


def test_keras_batch_normalization_uses_keras_momentum_and_the_biased_variance_on_the_last_axis():
    bn = nn.BatchNormalization(momentum=0.9)
    x = np.array([[[[1.0, 10.0]], [[3.0, 30.0]]]], dtype=np.float32)  # (1, 2, 1, 2): channels last
    y = bn(x)
    np.testing.assert_allclose(y.data[..., 0].ravel(), [-1.0, 1.0], rtol=1e-3)
    np.testing.assert_allclose(bn.moving_mean.data, [0.2, 2.0], rtol=1e-6)  # 0.9·0 + 0.1·(2, 20)
    np.testing.assert_allclose(bn.moving_variance.data, [1.0, 10.9], rtol=1e-6)  # 0.9·1 + 0.1·(1, 100)
    assert list(bn.state_dict()) == ["gamma", "beta", "moving_mean", "moving_variance"]
    bn.eval()
    np.testing.assert_allclose(bn(x).data[0, 0, 0], (x[0, 0, 0] - [0.2, 2.0]) / np.sqrt([1.001, 10.901]), rtol=1e-5)
