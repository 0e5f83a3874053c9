"""Convolutions: conv2d, conv1d and conv_transpose2d against finite differences (first and second
order, float64), against PyTorch where installed, and their errors."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_lite as ag
import autograd_lite.functional as F
from autograd_lite.engine import ShapeError
from autograd_lite import nn
from autograd_lite.ops import conv
from helpers import check_grads

FEW = settings(max_examples=10, deadline=None)

# (input shape, weight shape, keyword settings): small, but each exercises one setting
CONV2D_CASES = {
    "plain": ((2, 2, 4, 4), (3, 2, 2, 2), {}),
    "padding 1": ((1, 2, 3, 4), (2, 2, 3, 3), {"padding": 1}),
    "stride 2, padding (1, 0)": ((1, 2, 5, 4), (2, 2, 3, 2), {"stride": 2, "padding": (1, 0)}),
    "dilation 2": ((1, 1, 5, 5), (2, 1, 2, 2), {"dilation": 2}),
    "groups 2": ((1, 4, 3, 3), (4, 2, 2, 2), {"groups": 2}),
    "same, even kernel": ((1, 1, 4, 3), (2, 1, 2, 2), {"padding": "same"}),
    "stride (2, 1), groups 2, dilation (1, 2)": ((2, 2, 5, 6), (2, 1, 2, 2),
                                                 {"stride": (2, 1), "groups": 2, "dilation": (1, 2), "padding": 1}),
}


def _arrays(*shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.uniform(-1, 1, s) for s in shapes]


@pytest.mark.parametrize("name", CONV2D_CASES)
def test_conv2d_first_and_second_derivatives_match_finite_differences(name):
    x_shape, w_shape, settings_ = CONV2D_CASES[name]
    x, w, b = _arrays(x_shape, w_shape, (w_shape[0],))
    # squared, so that the second-order check also runs the backward of the gradient ops
    check_grads(lambda x, w, b: F.conv2d(x, w, b, **settings_) ** 2, x, w, b)


def test_conv_transpose2d_first_and_second_derivatives_match_finite_differences():
    x, w, b = _arrays((1, 2, 3, 2), (2, 2, 3, 2), (4,))
    check_grads(lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1, groups=2) ** 2,
                x, w, b)


def test_conv1d_first_and_second_derivatives_match_finite_differences():
    x, w, b = _arrays((2, 2, 6), (3, 2, 3), (3,))
    check_grads(lambda x, w, b: F.conv1d(x, w, b, stride=2, padding=1) ** 2, x, w, b)


def test_conv2d_computes_a_cross_correlation():
    x = ag.Tensor(np.arange(9.0).reshape(1, 1, 3, 3))
    w = np.array([[[[1.0, 0.0], [0.0, -1.0]]]])  # x[i, j] - x[i+1, j+1]: always -4 on this ramp
    assert F.conv2d(x, w).tolist() == [[[[-4.0, -4.0], [-4.0, -4.0]]]]
    assert F.conv2d(x, w, bias=np.array([0.5])).tolist() == [[[[-3.5, -3.5], [-3.5, -3.5]]]]


def test_conv2d_output_shapes_follow_pytorchs_formula():
    x = np.zeros((2, 3, 28, 28), dtype=np.float32)
    w = np.zeros((8, 3, 3, 3), dtype=np.float32)
    assert F.conv2d(x, w).shape == (2, 8, 26, 26)
    assert F.conv2d(x, w, padding=1).shape == (2, 8, 28, 28)
    assert F.conv2d(x, w, padding="same", dilation=3).shape == (2, 8, 28, 28)
    assert F.conv2d(x, w, stride=2, padding=1).shape == (2, 8, 14, 14)
    assert F.conv2d(x, w, stride=(3, 1), dilation=2).shape == (2, 8, 8, 24)
    assert F.conv2d(x[0], w).shape == (8, 26, 26)  # unbatched, as PyTorch accepts it


def test_conv2d_keeps_float32():
    y = F.conv2d(np.ones((1, 1, 3, 3), np.float32), np.ones((1, 1, 2, 2), np.float32), np.zeros(1, np.float32))
    assert y.dtype == np.float32


def test_unit_stride_col2im_matches_the_strided_one():
    rng = np.random.default_rng(3)
    g, w = rng.standard_normal((2, 3, 5, 4)), rng.standard_normal((3, 2, 3, 2))
    for padding, dilation in [(((1, 1), (0, 0)), (1, 1)), (((2, 1), (1, 2)), (1, 2)), (((0, 0), (0, 0)), (2, 1))]:
        window = conv.Window2d((3, 2), (1, 1), padding, dilation)
        x_shape = (2, 2, 5 + dilation[0] * 2 - sum(padding[0]), 4 + dilation[1] - sum(padding[1]))
        assert window.output_size(*x_shape[2:]) == (5, 4)
        fast = conv._conv_input_grad_unit_stride(g, w, window, x_shape)
        plain = conv._conv_input_grad_strided(g, w, window, 1, x_shape)
        np.testing.assert_allclose(fast, plain, rtol=1e-12, atol=1e-12)


# -- errors name the op and the shapes ---------------------------------------------------------

def test_conv2d_on_a_batch_of_grayscale_images_without_a_channel_axis_says_what_is_missing():
    with pytest.raises(ShapeError, match=r"conv2d: input of shape \(64, 28, 28\) has 64 channels, but weight of "
                                         r"shape \(8, 1, 3, 3\) with groups=1 expects 1.*x.reshape\(N, 1, H, W\)"):
        F.conv2d(np.zeros((64, 28, 28)), np.zeros((8, 1, 3, 3)))


def test_conv2d_channel_mismatch_names_both_shapes():
    with pytest.raises(ShapeError, match=r"conv2d: input of shape \(2, 3, 8, 8\) has 3 channels, but weight of "
                                         r"shape \(4, 2, 3, 3\) with groups=1 expects 2"):
        F.conv2d(np.zeros((2, 3, 8, 8)), np.zeros((4, 2, 3, 3)))


def test_conv2d_kernel_bigger_than_the_padded_input_is_refused():
    with pytest.raises(ShapeError, match=r"conv2d: kernel 5x5 .* bigger than the padded input: input of shape "
                                         r"\(1, 1, 3, 4\) padded to 3x6"):
        F.conv2d(np.zeros((1, 1, 3, 4)), np.zeros((1, 1, 5, 5)), padding=(0, 1))


@pytest.mark.parametrize("kwargs, message", [
    ({"padding": "full"}, "conv2d: padding must be an int, a pair, 'valid' or 'same', got 'full'"),
    ({"padding": "same", "stride": 2}, "conv2d: padding='same' is not supported for strided convolutions"),
    ({"stride": 0}, r"conv2d: stride must be an int >= 1 or a pair of them, got 0"),
    ({"padding": -1}, r"conv2d: padding must be an int >= 0 or a pair of them, got -1"),
    ({"groups": 3}, r"has 2 channels, but weight of shape \(2, 2, 3, 3\) with groups=3 expects 6"),
])
def test_conv2d_bad_settings_are_refused_with_the_setting_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        F.conv2d(np.zeros((1, 2, 4, 4)), np.zeros((2, 2, 3, 3)), **kwargs)


def test_conv2d_rejects_a_2d_input_and_a_bias_of_the_wrong_size():
    with pytest.raises(ShapeError, match=r"conv2d: expected a 4-D input .* got shape \(4, 4\)"):
        F.conv2d(np.zeros((4, 4)), np.zeros((1, 1, 3, 3)))
    with pytest.raises(ShapeError, match=r"conv2d: bias of shape \(3,\) does not fit weight of shape \(2, 1, 3, 3\)"):
        F.conv2d(np.zeros((1, 1, 4, 4)), np.zeros((2, 1, 3, 3)), np.zeros(3))


# -- PyTorch agrees, in value, gradient and second derivative ------------------------------------

@st.composite
def conv_geometry(draw):
    groups = draw(st.sampled_from([1, 2]))
    channels, out_channels = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    size = tuple(d * (k - 1) + 1 + draw(st.integers(0, 3)) for k, d in zip(kernel, dilation))
    return (draw(st.integers(1, 2)), channels) + size, (out_channels, channels // groups) + kernel, \
        {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}


@FEW
@given(conv_geometry(), st.integers(0, 2**32 - 1))
def test_conv2d_and_its_second_derivatives_match_pytorch(geometry, seed):
    torch = pytest.importorskip("torch")
    x_shape, w_shape, kwargs = geometry
    x, w, b = _arrays(x_shape, w_shape, (w_shape[0],), seed=seed)
    ours = [ag.Tensor(a, requires_grad=True) for a in (x, w, b)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]

    def grads(grad, fn, args):
        y = fn(*args, **kwargs)
        first = grad((y ** 2).sum(), args, create_graph=True)
        second = grad(sum((g * g).sum() for g in first), args)
        return [y] + list(first) + list(second)

    got = grads(ag.grad, F.conv2d, ours)
    want = grads(torch.autograd.grad, torch.nn.functional.conv2d, theirs)
    for a, t in zip(got, want):
        np.testing.assert_allclose(a.data, t.detach().numpy(), rtol=1e-9, atol=1e-9)


def test_conv_transpose2d_and_conv1d_match_pytorch():
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    x, w, b = _arrays((2, 4, 3, 4), (4, 3, 3, 2), (6,))
    settings_ = {"stride": (2, 1), "padding": (1, 0), "output_padding": (1, 0), "groups": 2, "dilation": (1, 2)}
    got = F.conv_transpose2d(x, w, b, **settings_)
    want = tf.conv_transpose2d(torch.tensor(x), torch.tensor(w), torch.tensor(b), **settings_)
    np.testing.assert_allclose(got.data, want.numpy(), rtol=1e-12, atol=1e-12)
    x, w = _arrays((2, 4, 9), (4, 2, 3))
    got = F.conv1d(x, w, stride=2, padding=2, dilation=2, groups=2)
    want = tf.conv1d(torch.tensor(x), torch.tensor(w), stride=2, padding=2, dilation=2, groups=2)
    np.testing.assert_allclose(got.data, want.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("settings_", [{"padding": 1}, {"stride": 2, "groups": 2}])
def test_conv2d_gives_the_same_numbers_batch_by_batch_as_image_by_image(monkeypatch, settings_):
    x, w = _arrays((5, 2, 6, 5), (4, 1 if settings_.get("groups") else 2, 3, 3))
    whole = _conv_and_grads(x, w, settings_)
    monkeypatch.setattr(conv, "CHUNK_BYTES", 1)  # temporaries made one image at a time
    for got, want in zip(_conv_and_grads(x, w, settings_), whole):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("settings_", [{"padding": 1}, {"padding": "same", "dilation": (2, 1), "groups": 2},
                                       {"padding": (0, 2)}])
def test_conv2d_im2col_on_whole_rows_matches_im2col_on_windows(monkeypatch, settings_):
    groups = settings_.get("groups", 1)
    x, w = _arrays((3, 4, 7, 6), (2, 4 // groups, 3, 2))  # 2 outputs for 4/groups·3·2 column rows: whole rows
    b = np.array([0.5, -1.5])
    assert conv._on_whole_rows(conv.Window2d((3, 2)), (groups, 2 // groups, 4 // groups * 6))
    on_rows = _conv_and_grads(x, w, settings_, b)
    monkeypatch.setattr(conv, "_on_whole_rows", lambda window, kernel_shape: False)
    for got, want in zip(_conv_and_grads(x, w, settings_, b), on_rows):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_an_empty_batch_goes_through_conv_relu_and_pooling_with_zero_weight_gradients_as_in_pytorch():
    x = ag.Tensor(np.zeros((0, 2, 6, 6), dtype=np.float32), requires_grad=True)
    model = nn.Sequential(nn.Conv2d(2, 3, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(3, 2, 3))
    y = model(x)
    assert y.shape == (0, 2, 1, 1)
    y.sum().backward()
    assert x.grad.shape == (0, 2, 6, 6)
    assert model[0].weight.grad.tolist() == np.zeros((3, 2, 3, 3)).tolist()


def test_conv2d_bias_gradient_is_the_upstream_gradient_summed_over_batch_height_and_width():
    x, w = _arrays((3, 2, 5, 4), (4, 2, 3, 3))
    b = ag.Tensor(np.array([0.5, -1.0, 2.0, 0.0]), requires_grad=True)
    y = F.conv2d(x, w, b, padding=1)
    (y * y).sum().backward()  # upstream gradient 2y
    np.testing.assert_allclose(b.grad.data, 2 * y.data.sum(axis=(0, 2, 3)), rtol=1e-12)


def test_conv2d_batch_chunks_hold_about_chunk_bytes_each_in_near_equal_parts():
    assert conv._batch_chunks(64, conv.CHUNK_BYTES // 18) == [slice(0, 16), slice(16, 32), slice(32, 48), slice(48, 64)]
    assert conv._batch_chunks(64, conv.CHUNK_BYTES // 25) == [slice(0, 22), slice(22, 44), slice(44, 64)]
    assert conv._batch_chunks(64, 100) == [slice(0, 64)]  # small work: one chunk
    assert conv._batch_chunks(3, conv.CHUNK_BYTES * 2) == [slice(0, 1), slice(1, 2), slice(2, 3)]  # at least an image


def _conv_and_grads(x, w, settings_, b=None):
    xt, wt = ag.Tensor(x, requires_grad=True), ag.Tensor(w, requires_grad=True)
    y = F.conv2d(xt, wt, None if b is None else ag.Tensor(b), **settings_)
    (y * y).sum().backward()
    return y.data, xt.grad.data, wt.grad.data


# -- unfold / fold (im2col / col2im) -------------------------------------------------------------

def test_unfold_and_fold_are_adjoint_and_have_second_derivatives():
    x, cols = _arrays((1, 2, 4, 5), (1, 2 * 6, 6))
    check_grads(lambda x: F.unfold(x, (2, 3), dilation=(1, 2), padding=1, stride=2) ** 2, x)
    check_grads(lambda c: F.fold(c, (4, 5), (2, 3), dilation=(1, 2), padding=1, stride=2) ** 2, cols)
    # ⟨unfold(x), c⟩ = ⟨x, fold(c)⟩: fold is unfold's transpose
    settings_ = {"kernel_size": (2, 3), "dilation": (1, 2), "padding": 1, "stride": 2}
    lhs = np.sum(F.unfold(x, **settings_).data * cols)
    rhs = np.sum(x * F.fold(cols, (4, 5), **settings_).data)
    assert lhs == pytest.approx(rhs, rel=1e-12)


def test_unfold_and_fold_match_pytorch():
    torch = pytest.importorskip("torch")
    x, cols = _arrays((2, 3, 5, 6), (2, 18, 12))
    settings_ = {"kernel_size": (2, 3), "dilation": (1, 2), "padding": 1, "stride": (2, 1)}
    np.testing.assert_array_equal(F.unfold(x, **settings_).data,
                                  torch.nn.functional.unfold(torch.tensor(x), **settings_).numpy())
    np.testing.assert_allclose(F.fold(cols, (5, 6), **settings_).data,
                               torch.nn.functional.fold(torch.tensor(cols), (5, 6), **settings_).numpy(), rtol=1e-12)


def test_fold_refuses_columns_that_do_not_fit():
    with pytest.raises(ShapeError, match=r"fold: input of shape \(1, 8, 5\) does not fit: it needs \(N, C·4, 4\)"):
        F.fold(np.zeros((1, 8, 5)), (3, 3), 2)


# -- modules ----------------------------------------------------------------------------------

def test_conv2d_module_is_initialised_as_pytorch_and_takes_uint8_pixels():
    layer = nn.Conv2d(2, 4, 3, padding=1, seed=0)
    bound = 1 / np.sqrt(2 * 9)  # PyTorch: uniform in ±1/√fan_in, fan_in = in_channels · kernel area
    assert layer.weight.shape == (4, 2, 3, 3) and layer.weight.dtype == np.float32
    assert np.abs(layer.weight.data).max() <= bound and np.abs(layer.weight.data).max() > 0.8 * bound
    assert np.abs(layer.bias.data).max() <= bound
    y = layer(np.zeros((1, 2, 5, 5), dtype=np.uint8))
    assert y.dtype == np.float32 and y.shape == (1, 4, 5, 5)
    np.testing.assert_allclose(y.data[0, :, 2, 2], layer.bias.data, rtol=1e-6)
    assert [name for name, _ in layer.named_parameters()] == ["weight", "bias"]


def test_conv1d_and_conv_transpose2d_modules_have_pytorchs_weight_layouts():
    assert nn.Conv1d(4, 6, 3, groups=2, seed=0).weight.shape == (6, 2, 3)
    up = nn.ConvTranspose2d(4, 2, 2, stride=2, seed=0)
    assert up.weight.shape == (4, 2, 2, 2)
    assert up(np.zeros((1, 4, 3, 3), dtype=np.float32)).shape == (1, 2, 6, 6)
    with pytest.raises(ValueError, match="Conv2d: in_channels=3 and out_channels=4 must both be divisible by groups=2"):
        nn.Conv2d(3, 4, 3, groups=2)


def test_keras_conv2d_is_channels_last_with_tensorflows_same_padding():
    torch = pytest.importorskip("torch")
    layer = nn.Conv2D(3, (3, 2), strides=2, padding="same", seed=0)
    x = _arrays((2, 5, 6, 2))[0].astype(np.float32)
    y = layer(x)
    assert y.shape == (2, 3, 3, 3)  # ceil(5/2), ceil(6/2), filters
    # TensorFlow's "same" for height 5, kernel 3, stride 2: 2 rows of padding, 1 above and 1 below;
    # for width 6, kernel 2, stride 2: none
    padded = torch.nn.functional.pad(torch.tensor(x).permute(0, 3, 1, 2), (0, 0, 1, 1))
    want = torch.nn.functional.conv2d(padded, torch.tensor(layer.weight.data), torch.tensor(layer.bias.data), stride=2)
    np.testing.assert_allclose(y.data, want.permute(0, 2, 3, 1).numpy(), rtol=1e-5, atol=1e-6)


def test_keras_conv2d_builds_from_a_checkpoint_and_applies_its_activation():
    layer = nn.Conv2D(4, 3, activation="relu", seed=0)
    assert not layer.built
    layer(np.ones((1, 5, 5, 2), dtype=np.float32))
    fresh = nn.Conv2D(4, 3, activation="relu")
    fresh.load_state_dict(layer.state_dict())
    x = np.random.default_rng(0).standard_normal((1, 5, 5, 2)).astype(np.float32)
    assert np.array_equal(fresh(x).data, layer(x).data) and fresh(x).data.min() == 0.0


def test_drawn_conv_and_pool_nodes_show_kernel_stride_and_padding():
    x = np.zeros((1, 1, 6, 6), dtype=np.float32)
    w = ag.Tensor(np.zeros((2, 1, 3, 3), dtype=np.float32), requires_grad=True)
    assert F.conv2d(x, w, padding=1).grad_fn.label() == "conv2d k=3x3 s=1 p=1"
    assert F.conv2d(x, w, stride=(2, 1), padding=(1, 0), dilation=2).grad_fn.label() == \
        "conv2d k=3x3 s=2x1 p=1,1,0,0 d=2x2"  # padding top, bottom, left, right when they differ
    assert F.max_pool2d(F.conv2d(x, w), 2).grad_fn.label() == "max_pool2d k=2x2 s=2 p=0"


@pytest.mark.parametrize("padding, dilation", [(((1, 1), (1, 1)), (1, 1)), (((2, 0), (0, 1)), (2, 1))])
def test_unit_stride_input_gradient_as_a_full_correlation_matches_col2im(padding, dilation):
    rng = np.random.default_rng(4)
    window = conv.Window2d((3, 2), (1, 1), padding, dilation)
    x_shape = (2, 3, 6, 5)
    g = rng.standard_normal((2, 4) + window.output_size(6, 5))
    w = rng.standard_normal((4, 3, 3, 2))
    flipped = np.ascontiguousarray(w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3))
    as_convolution = conv._conv_forward(g, flipped, conv._full_correlation_window(window), 1)
    np.testing.assert_allclose(as_convolution, conv._conv_input_grad_strided(g, w, window, 1, x_shape),
                               rtol=1e-12, atol=1e-12)
    assert conv._full_correlation_window(conv.Window2d((3, 3), padding=((3, 3), (0, 0)))) is None
