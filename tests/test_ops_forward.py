"""What the ops compute (forward) and where their gradients land, against numpy and closed forms.

Every check runs without PyTorch; a few also compare live with torch when it is installed.
"""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

import autograd_lite as ag
import autograd_lite.functional as F
from autograd_lite import Tensor
from helpers import FAST

RNG = np.random.default_rng(0)


# -- matmul -------------------------------------------------------------------

@pytest.mark.parametrize("a_shape, b_shape", [
    ((3,), (3,)), ((3,), (3, 4)), ((2, 3), (3,)), ((2, 3), (3, 4)),
    ((5, 2, 3), (3, 4)), ((3,), (5, 3, 4)), ((5, 2, 3), (3,)), ((5, 1, 2, 3), (4, 3, 2)),
])
def test_matmul_gives_numpys_result_and_shapes_for_1d_2d_and_batched(a_shape, b_shape):
    a, b = RNG.standard_normal(a_shape), RNG.standard_normal(b_shape)
    ta, tb = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
    y = ta @ tb
    np.testing.assert_allclose(y.data, np.matmul(a, b), rtol=1e-12)
    assert y.shape == np.matmul(a, b).shape
    y.sum().backward()
    assert ta.grad.shape == a_shape and tb.grad.shape == b_shape


def test_matmul_gradients_are_g_times_b_transposed_and_a_transposed_times_g():
    a, b = RNG.standard_normal((2, 3)), RNG.standard_normal((3, 4))
    ta, tb = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
    (ta @ tb).sum().backward()
    g = np.ones((2, 4))
    np.testing.assert_allclose(ta.grad.data, g @ b.T, rtol=1e-12)
    np.testing.assert_allclose(tb.grad.data, a.T @ g, rtol=1e-12)


def test_matmul_with_a_constant_batch_computes_no_gradient_for_it():
    w = Tensor(np.eye(2), requires_grad=True)
    x = Tensor(np.ones((3, 2)))
    (x @ w).sum().backward()
    assert x.grad is None and w.grad.shape == (2, 2)


# -- indexing -----------------------------------------------------------------

X = np.arange(12.0).reshape(3, 4)


@pytest.mark.parametrize("index", [
    1, -1, (1, 2), slice(1, None), (slice(None), slice(None, None, 2)), (None, 0), (Ellipsis, 1),
    np.array([2, 0, 2]), [0, 0], (np.array([0, 2]), np.array([1, 3])), X > 5, (X[:, 0] > 3, slice(1, 3)),
])
def test_indexing_matches_numpy(index):
    np.testing.assert_array_equal(Tensor(X)[index].data, X[index])


def test_repeated_integer_indices_accumulate_their_gradients():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[np.array([0, 0, 2, 0])].sum().backward()
    assert x.grad.tolist() == [3.0, 0.0, 1.0]


def test_boolean_mask_gradient_lands_on_the_selected_elements():
    x = Tensor([[1.0, -2.0], [-3.0, 4.0]], requires_grad=True)
    (x[x.data > 0] * 5).sum().backward()
    assert x.grad.tolist() == [[5.0, 0.0], [0.0, 5.0]]


def test_index_with_a_tensor_or_list():
    x = Tensor([10.0, 20.0, 30.0])
    assert x[Tensor([2, 0])].tolist() == [30.0, 10.0]
    assert x[[1, 1]].tolist() == [20.0, 20.0]


def test_slice_gradient_is_zero_elsewhere():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    x[:, 1:].sum().backward()
    assert x.grad.tolist() == [[0.0, 1.0, 1.0], [0.0, 1.0, 1.0]]


# -- concat, stack, split -------------------------------------------------------

def test_concat_stack_split_match_numpy_and_route_gradients():
    a = Tensor(np.ones((2, 3)), requires_grad=True)
    b = Tensor(np.zeros((2, 1)), requires_grad=True)
    c = F.concat([a, b], axis=1)
    np.testing.assert_array_equal(c.data, np.concatenate([a.data, b.data], axis=1))
    (c * Tensor(np.arange(8.0).reshape(2, 4))).sum().backward()
    assert a.grad.tolist() == [[0.0, 1.0, 2.0], [4.0, 5.0, 6.0]]
    assert b.grad.tolist() == [[3.0], [7.0]]
    s = F.stack([a, a * 2], dim=-1)
    np.testing.assert_array_equal(s.data, np.stack([a.data, a.data * 2], axis=-1))
    assert F.cat is F.concat


def test_split_like_torch_by_size_and_by_sections():
    x = Tensor(np.arange(5.0), requires_grad=True)
    assert [p.tolist() for p in F.split(x, 2)] == [[0.0, 1.0], [2.0, 3.0], [4.0]]
    first, second = F.split(x, [1, 4])
    assert second.shape == (4,)
    (second * 2).sum().backward()
    assert x.grad.tolist() == [0.0, 2.0, 2.0, 2.0, 2.0]
    assert [p.shape for p in Tensor(np.zeros((2, 5))).split([2, 0, 3], dim=1)] == [(2, 2), (2, 0), (2, 3)]  # method too
    assert [p.shape for p in Tensor(np.zeros(0)).split(2)] == [(0,)]  # as torch.split: one empty piece


# -- softmax family -----------------------------------------------------------

def test_log_softmax_of_1000_huge_logits_stays_finite_and_exact():
    logits = np.linspace(-1e4, 1e4, 1000).reshape(1, 1000).repeat(2, axis=0)
    x = Tensor(logits, requires_grad=True)
    out = F.log_softmax(x, dim=1)
    assert np.all(np.isfinite(out.data))
    shifted = logits - logits.max(axis=1, keepdims=True)
    np.testing.assert_allclose(out.data, shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True)), rtol=1e-12)
    out.sum().backward()
    assert np.all(np.isfinite(x.grad.data))


def test_log_softmax_stays_finite_in_float32():
    out = Tensor(np.full((1, 1000), 3e38, dtype=np.float32)).log_softmax()
    assert np.all(np.isfinite(out.data))
    assert out.data[0, 0] == pytest.approx(-np.log(1000), rel=1e-5)


def test_softmax_rows_sum_to_one_even_with_huge_values():
    y = Tensor([[1000.0, 1000.0], [-1000.0, 0.0]]).softmax(dim=1)
    np.testing.assert_allclose(y.data, [[0.5, 0.5], [0.0, 1.0]])


def test_logsumexp_is_stable_and_keeps_minus_inf_rows():
    x = Tensor([[1000.0, 1000.0], [-np.inf, -np.inf]])
    out = x.logsumexp(axis=1)
    assert out.data[0] == pytest.approx(1000 + np.log(2))
    assert out.data[1] == -np.inf


def test_softmax_agrees_with_torch():
    torch = pytest.importorskip("torch")
    x = RNG.standard_normal((3, 5))
    np.testing.assert_allclose(Tensor(x).softmax(0).data, torch.softmax(torch.tensor(x), 0).numpy(), rtol=1e-12)
    np.testing.assert_allclose(Tensor(x).log_softmax(1).data, torch.log_softmax(torch.tensor(x), 1).numpy(),
                               rtol=1e-12)


# -- reductions ---------------------------------------------------------------

@FAST
@given(st.data())
def test_reductions_match_numpy_with_axis_and_keepdims(data):
    shape = data.draw(st.lists(st.integers(1, 3), min_size=1, max_size=3).map(tuple))
    axis = data.draw(st.one_of(st.none(), st.integers(-len(shape), len(shape) - 1)))
    keep = data.draw(st.booleans())
    x = np.random.default_rng(data.draw(st.integers(0, 1000))).standard_normal(shape)
    t = Tensor(x)
    for name in ("sum", "mean", "amax", "amin", "prod"):
        np.testing.assert_allclose(getattr(t, name)(axis=axis, keepdims=keep).data,
                                   getattr(np, name)(x, axis=axis, keepdims=keep), rtol=1e-12)
        np.testing.assert_allclose(getattr(t, name)(dim=axis, keepdim=keep).data,
                                   getattr(np, name)(x, axis=axis, keepdims=keep), rtol=1e-12)
    for name in ("max", "min"):  # values and indices along one axis, as torch.max(x, dim)
        found = getattr(t, name)(dim=axis, keepdim=keep)
        if axis is None:
            assert found.item() == getattr(np, name)(x)
        else:
            np.testing.assert_array_equal(found.values.data, getattr(np, name)(x, axis=axis, keepdims=keep))
            np.testing.assert_array_equal(found.indices.data, getattr(np, "arg" + name)(x, axis=axis, keepdims=keep))


def test_max_with_dim_returns_values_and_indices_as_torch_max():
    x = Tensor([[1.0, 5.0], [7.0, 2.0]], requires_grad=True)
    values, indices = x.max(dim=1)
    assert values.tolist() == [5.0, 7.0] and indices.tolist() == [1, 0]
    assert indices.dtype == np.int64 and not indices.requires_grad
    assert x.max(1).values.tolist() == [5.0, 7.0] and x.max(dim=1, keepdim=True).indices.shape == (2, 1)
    values.sum().backward()
    assert x.grad.tolist() == [[0.0, 1.0], [1.0, 0.0]]
    with pytest.raises(TypeError, match="use amax for the max over several axes"):
        x.max(dim=(0, 1))
    assert F.max(x, Tensor([[6.0]])).tolist() == [[6.0, 6.0], [7.0, 6.0]]  # torch.max(a, b) is maximum


def test_max_with_a_nan_passes_the_gradient_to_the_nan_as_pytorch():
    x = Tensor([np.nan, 1.0, 2.0], requires_grad=True)
    x.max().backward()
    assert x.grad.tolist() == [1.0, 0.0, 0.0]


def test_var_is_unbiased_by_default_as_in_pytorch_and_ddof_0_gives_numpys():
    x = Tensor([1.0, 2.0, 3.0, 4.0])
    assert x.var().item() == pytest.approx(np.var([1, 2, 3, 4], ddof=1))
    assert x.var(ddof=0).item() == pytest.approx(np.var([1, 2, 3, 4]))
    assert F.var(x, correction=0).item() == pytest.approx(1.25)


def test_max_ties_share_the_gradient():
    x = Tensor([1.0, 3.0, 3.0], requires_grad=True)
    x.max().backward()
    assert x.grad.tolist() == [0.0, 0.5, 0.5]


def test_maximum_ties_share_the_gradient_as_in_pytorch():
    a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([1.0, 0.0], requires_grad=True)
    F.maximum(a, b).sum().backward()
    assert a.grad.tolist() == [0.5, 1.0] and b.grad.tolist() == [0.5, 0.0]


def test_argmax_has_no_history():
    x = Tensor([[1.0, 5.0], [7.0, 2.0]], requires_grad=True)
    assert x.argmax(dim=1).tolist() == [1, 0] and not x.argmax().requires_grad


# -- shapes -------------------------------------------------------------------

def test_transpose_two_ints_swaps_as_in_pytorch_and_no_args_reverses_as_numpy():
    x = Tensor(np.zeros((2, 3, 4)))
    assert x.transpose(0, 1).shape == (3, 2, 4)
    assert Tensor(np.zeros((2, 3))).transpose(0, 1).shape == (3, 2)
    assert x.transpose().shape == (4, 3, 2) and x.T.shape == (4, 3, 2)
    assert x.transpose((2, 0, 1)).shape == (4, 2, 3) and x.permute(2, 0, 1).shape == (4, 2, 3)


def test_reshape_flatten_squeeze_unsqueeze_expand_shapes():
    x = Tensor(np.zeros((2, 1, 3)))
    assert x.reshape(3, -1).shape == (3, 2) and x.reshape((6,)).shape == (6,) and x.view(-1).shape == (6,)
    assert x.flatten().shape == (6,) and x.flatten(1).shape == (2, 3)
    assert x.squeeze().shape == (2, 3) and x.squeeze(1).shape == (2, 3) and x.squeeze(0).shape == (2, 1, 3)
    assert x.unsqueeze(-1).shape == (2, 1, 3, 1) and F.unsqueeze(x, dim=0).shape == (1, 2, 1, 3)
    assert x.expand(4, -1, 5, -1).shape == (4, 2, 5, 3)
    assert F.broadcast_to(x, (2, 2, 3)).shape == (2, 2, 3)


def test_broadcast_to_gradient_sums_back():
    x = Tensor([[1.0], [2.0]], requires_grad=True)
    x.broadcast_to((3, 2, 4)).sum().backward()
    assert x.grad.tolist() == [[12.0], [12.0]]


@FAST
@given(mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))
def test_broadcast_gradients_are_summed_back_to_each_input_shape(shapes):
    sa, sb = shapes.input_shapes
    a, b = Tensor(np.ones(sa), requires_grad=True), Tensor(np.ones(sb), requires_grad=True)
    (a * b).sum().backward()
    n = int(np.prod(shapes.result_shape))
    assert a.grad.shape == sa and b.grad.shape == sb
    np.testing.assert_array_equal(a.grad.data, np.full(sa, n / max(int(np.prod(sa)), 1)))


# -- elementwise edge values ------------------------------------------------------

def test_relu_abs_and_clip_derivatives_at_the_kinks_follow_pytorch():
    x = Tensor([0.0, 1.0, -1.0], requires_grad=True)
    (x.relu() + x.abs() + x.clip(0.0, 1.0)).sum().backward()
    # relu'(0) = 0, abs'(0) = 0, clip passes the gradient at its bounds
    assert x.grad.tolist() == [1.0, 3.0, -1.0]


def test_sigmoid_of_float32_extremes_is_finite_and_keeps_small_values():
    y = Tensor([-100.0, -20.0, 0.0, 100.0]).sigmoid()
    assert y.dtype == np.float32
    assert y.data[1] == pytest.approx(np.exp(-20.0), rel=1e-5)
    assert y.data.tolist()[2:] == [0.5, 1.0]


def test_pow_gradient_for_exponent_at_zero_base_is_zero_as_in_pytorch():
    a = Tensor([0.0, 2.0])
    b = Tensor([2.0, 3.0], requires_grad=True)
    (a ** b).sum().backward()
    assert b.grad.data[0] == 0.0 and b.grad.data[1] == pytest.approx(8 * np.log(2))


def test_x_to_the_power_0_has_gradient_0_even_at_0():
    x = Tensor([0.0, 2.0], requires_grad=True)
    (x ** 0).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0]


def test_where_selects_and_routes_gradients():
    a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([10.0, 20.0], requires_grad=True)
    y = F.where(np.array([True, False]), a, b)
    y.sum().backward()
    assert y.tolist() == [1.0, 20.0] and a.grad.tolist() == [1.0, 0.0] and b.grad.tolist() == [0.0, 1.0]


def test_leaky_relu_keeps_a_slope_for_negatives():
    x = Tensor([-2.0, 3.0], requires_grad=True)
    y = F.leaky_relu(x, 0.1)
    y.sum().backward()
    assert y.data.tolist() == pytest.approx([-0.2, 3.0]) and x.grad.tolist() == pytest.approx([0.1, 1.0])


def test_elementwise_functions_match_numpy():
    x = np.linspace(0.1, 2.0, 7)
    t = Tensor(x)
    for name in ("exp", "log", "sqrt", "abs", "sin", "cos", "tanh"):
        np.testing.assert_allclose(getattr(F, name)(t).data, getattr(np, name)(x), rtol=1e-12)


def test_gradients_of_a_small_network_agree_with_live_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    x, w, b = rng.standard_normal((4, 3)), rng.standard_normal((3, 5)), rng.standard_normal(5)
    target = np.array([0, 4, 2, 2])

    def loss(x, w, b, lib):
        h = (x @ w + b).tanh()
        logp = lib.log_softmax(h, dim=1)
        picked = logp[np.arange(4), target] if lib is F else logp[torch.arange(4), torch.tensor(target)]
        return -picked.mean() + h.var() + lib.maximum(h, h * 0.5).sum() + (h.abs() ** 1.5).sum()

    ours = [Tensor(a, requires_grad=True) for a in (x, w, b)]
    loss(*ours, F).backward()
    theirs = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
    loss(*theirs, torch).backward()
    for mine, ref in zip(ours, theirs):
        np.testing.assert_allclose(mine.grad.data, ref.grad.numpy(), rtol=1e-10, atol=1e-12)
