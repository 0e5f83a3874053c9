"""Max and average pooling: values, first and second derivatives (finite differences, float64),
PyTorch's numbers where installed, and their errors."""
import numpy as np
import pytest

import autograd_lite as ag
import autograd_lite.functional as F
from autograd_lite import nn
from autograd_lite.engine import ShapeError
from helpers import check_grads


def _distinct(shape, seed=0):
    """Values far apart (no ties, so max pooling is differentiable everywhere by finite differences)."""
    rng = np.random.default_rng(seed)
    return rng.permutation(np.prod(shape)).reshape(shape) * 0.1 - 1.0


POOL_CASES = {
    "max 2": (lambda x: F.max_pool2d(x, 2), (1, 2, 4, 5)),
    "max 3, stride 2, padding 1 (overlapping)": (lambda x: F.max_pool2d(x, 3, 2, 1), (1, 2, 5, 5)),
    "max ceil mode, dilation": (lambda x: F.max_pool2d(x, 2, 2, 1, dilation=(1, 2), ceil_mode=True), (1, 1, 5, 6)),
    "avg 2": (lambda x: F.avg_pool2d(x, 2), (1, 2, 4, 5)),
    "avg 3, stride 2, padding 1, excluding padding": (
        lambda x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False), (1, 2, 6, 5)),
    "max 1d": (lambda x: F.max_pool1d(x, 3, 2, 1), (2, 2, 7)),
    "avg 1d": (lambda x: F.avg_pool1d(x, 3, 2, 1), (2, 2, 7)),
}


@pytest.mark.parametrize("name", POOL_CASES)
def test_pooling_first_and_second_derivatives_match_finite_differences(name):
    fn, shape = POOL_CASES[name]
    check_grads(lambda x: fn(x) ** 2, _distinct(shape))  # squared: the second order runs the scatter's backward


def test_max_pool2d_picks_each_windows_largest_and_sends_the_gradient_there():
    x = ag.Tensor(np.array([[[[1.0, 5.0, 2.0, 0.0], [3.0, 4.0, 8.0, 1.0]]]]), requires_grad=True)
    y = F.max_pool2d(x, 2)
    assert y.tolist() == [[[[5.0, 8.0]]]]
    y.sum().backward()
    assert x.grad.tolist() == [[[[0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0]]]]


def test_max_pool2d_gives_a_tie_to_the_first_element_and_propagates_nan():
    y, where = F.max_pool2d(np.array([[[[2.0, 2.0], [2.0, 2.0]]]]), 2, return_indices=True)
    assert where.tolist() == [[[[0]]]]
    assert np.isnan(F.max_pool2d(np.array([[[[1.0, np.nan], [3.0, 2.0]]]]), 2).item())


def test_overlapping_max_pool_windows_add_their_gradients_on_a_shared_maximum():
    x = ag.Tensor(np.array([[[[0.0, 9.0, 0.0]]]]), requires_grad=True)
    F.max_pool2d(x, (1, 2), stride=1).sum().backward()  # both windows pick the 9
    assert x.grad.tolist() == [[[[0.0, 2.0, 0.0]]]]


def test_avg_pool2d_divides_by_the_windows_count_with_or_without_padding():
    x = np.ones((1, 1, 2, 2))
    assert F.avg_pool2d(x, 2, 1, 1).tolist() == [[[[0.25, 0.5, 0.25], [0.5, 1.0, 0.5], [0.25, 0.5, 0.25]]]]
    assert F.avg_pool2d(x, 2, 1, 1, count_include_pad=False).tolist() == [[[[1.0] * 3] * 3]]


def test_pooling_keeps_float32_and_unbatched_inputs():
    x = np.ones((3, 4, 4), dtype=np.float32)
    assert F.max_pool2d(x, 2).shape == (3, 2, 2) and F.max_pool2d(x, 2).dtype == np.float32
    assert F.avg_pool2d(x, 2).dtype == np.float32


def test_pooling_errors_name_the_op_and_shape():
    with pytest.raises(ShapeError, match=r"max_pool2d: expected a 4-D input .* got shape \(4, 4\)"):
        F.max_pool2d(np.zeros((4, 4)), 2)
    with pytest.raises(ShapeError, match=r"avg_pool2d: kernel 5x5 .* bigger than the padded input"):
        F.avg_pool2d(np.zeros((1, 1, 3, 3)), 5)
    with pytest.raises(ValueError, match=r"max_pool2d: padding \(2, 2\) must be at most half the kernel size \(3, 3\)"):
        F.max_pool2d(np.zeros((1, 1, 8, 8)), 3, padding=2)


@pytest.mark.parametrize("case", [
    ("max_pool2d", (2, 3, 7, 8), {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True}),
    ("max_pool2d", (2, 3, 8, 9), {"kernel_size": (2, 3), "stride": (1, 2), "padding": 1, "dilation": (2, 1)}),
    ("max_pool2d", (2, 3, 8, 8), {"kernel_size": 2}),  # windows tile the input: no zeros before the gradient
    ("max_pool2d", (2, 3, 9, 8), {"kernel_size": 2}),  # a last row in no window: its gradient is zero
    ("avg_pool2d", (2, 3, 8, 9), {"kernel_size": (3, 2), "stride": 2, "padding": 1, "ceil_mode": True}),
    ("avg_pool2d", (2, 3, 8, 8), {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True,
                                  "count_include_pad": False}),
    ("avg_pool2d", (2, 3, 8, 9), {"kernel_size": 2, "divisor_override": 3}),
    ("max_pool1d", (2, 3, 9), {"kernel_size": 3, "stride": 2, "padding": 1}),
    ("avg_pool1d", (2, 3, 9), {"kernel_size": 3, "stride": 2, "padding": 1}),
])
def test_pooling_values_and_gradients_match_pytorch(case):
    torch = pytest.importorskip("torch")
    name, shape, kwargs = case
    x = np.random.default_rng(0).standard_normal(shape)
    ours, theirs = ag.Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, t = getattr(F, name)(ours, **kwargs), getattr(torch.nn.functional, name)(theirs, **kwargs)
    np.testing.assert_allclose(y.data, t.detach().numpy(), rtol=1e-12, atol=1e-15)  # sums differ in order only
    (y ** 2).sum().backward()
    (t ** 2).sum().backward()
    np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_max_pool2d_indices_match_pytorch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(1).standard_normal((2, 2, 7, 8))
    _, ours = F.max_pool2d(x, 3, 2, 1, ceil_mode=True, return_indices=True)
    _, theirs = torch.nn.functional.max_pool2d(torch.tensor(x), 3, 2, 1, ceil_mode=True, return_indices=True)
    np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_max_pool2d_sends_the_gradient_of_a_nan_window_to_its_first_nan():
    x = ag.Tensor(np.array([[[[1.0, np.nan, 3.0, np.nan]]]]), requires_grad=True)
    F.max_pool2d(x, (1, 4)).sum().backward()
    assert x.grad.tolist() == [[[[0.0, 1.0, 0.0, 0.0]]]]


def test_max_pool2d_finds_the_first_nan_of_a_window_in_row_major_order_and_leaves_other_windows_alone():
    x = ag.Tensor(np.array([[[[5.0, 1.0, 2.0, 7.0],
                              [np.nan, np.nan, 7.0, 3.0]]]]), requires_grad=True)
    y, where = F.max_pool2d(x, 2, return_indices=True)
    assert np.isnan(y.data[0, 0, 0, 0]) and y.data[0, 0, 0, 1] == 7.0
    assert where.tolist() == [[[[4, 3]]]]  # the first NaN; the first of the tied sevens
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[[[0.0, 0.0, 0.0, 1.0], [1.0, 0.0, 0.0, 0.0]]]])


# -- adaptive pooling, resizing, pixel shuffle ----------------------------------------------------

RESAMPLING = {
    "adaptive_avg_pool2d (3, 4) of 5x7": (lambda x: F.adaptive_avg_pool2d(x, (3, 4)), (1, 2, 5, 7)),
    "adaptive_max_pool2d (2, 3) of 5x7": (lambda x: F.adaptive_max_pool2d(x, (2, 3)), (1, 2, 5, 7)),
    "interpolate nearest": (lambda x: F.interpolate(x, size=(5, 3)), (1, 2, 3, 2)),
    "interpolate bilinear": (lambda x: F.interpolate(x, scale_factor=1.5, mode="bilinear"), (1, 2, 3, 2)),
    "interpolate bilinear, align_corners": (
        lambda x: F.interpolate(x, size=(4, 3), mode="bilinear", align_corners=True), (1, 1, 3, 2)),
    "pixel_shuffle": (lambda x: F.pixel_shuffle(x, 2), (1, 8, 2, 1)),
}


@pytest.mark.parametrize("name", RESAMPLING)
def test_resampling_first_and_second_derivatives_match_finite_differences(name):
    fn, shape = RESAMPLING[name]
    check_grads(lambda x: fn(x) ** 2, _distinct(shape))


@pytest.mark.parametrize("name, kwargs, shape", [
    ("adaptive_avg_pool2d", {"output_size": (3, 4)}, (2, 3, 7, 9)),
    ("adaptive_avg_pool2d", {"output_size": 1}, (2, 3, 7, 9)),
    ("adaptive_max_pool2d", {"output_size": (3, 4)}, (2, 3, 7, 9)),
    ("interpolate", {"size": (5, 7)}, (2, 3, 3, 4)),
    ("interpolate", {"scale_factor": 1.7}, (2, 3, 3, 4)),
    ("interpolate", {"size": 7}, (2, 3, 4)),
    ("interpolate", {"size": (5, 7), "mode": "bilinear"}, (2, 3, 3, 4)),
    ("interpolate", {"size": (2, 3), "mode": "bilinear"}, (2, 3, 5, 7)),
    ("interpolate", {"scale_factor": (2.5, 1.5), "mode": "bilinear", "align_corners": True}, (2, 3, 3, 4)),
    ("pixel_shuffle", {"upscale_factor": 2}, (2, 8, 3, 4)),
])
def test_resampling_values_and_gradients_match_pytorch(name, kwargs, shape):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).standard_normal(shape)
    ours, theirs = ag.Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, t = getattr(F, name)(ours, **kwargs), getattr(torch.nn.functional, name)(theirs, **kwargs)
    np.testing.assert_allclose(y.data, t.detach().numpy(), rtol=1e-12, atol=1e-14)
    (y ** 2).sum().backward()
    (t ** 2).sum().backward()
    np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy(), rtol=1e-12, atol=1e-14)


def test_resampling_errors_say_what_is_wrong():
    with pytest.raises(ValueError, match="interpolate: give exactly one of size and scale_factor"):
        F.interpolate(np.zeros((1, 1, 2, 2)))
    with pytest.raises(ValueError, match="interpolate: mode must be 'nearest' or 'bilinear', got 'bicubic'"):
        F.interpolate(np.zeros((1, 1, 2, 2)), size=3, mode="bicubic")
    with pytest.raises(ShapeError, match=r"pixel_shuffle: input of shape \(1, 6, 2, 2\) needs .* divisible by "
                                         r"upscale_factor²=4"):
        F.pixel_shuffle(np.zeros((1, 6, 2, 2)), 2)


def test_pooling_and_resampling_modules():
    x = np.zeros((2, 4, 8, 8), dtype=np.float32)
    assert nn.MaxPool2d(2)(x).shape == (2, 4, 4, 4)
    assert nn.AvgPool2d(3, stride=2, padding=1)(x).shape == (2, 4, 4, 4)
    assert nn.AdaptiveAvgPool2d((1, 2))(x).shape == (2, 4, 1, 2)
    assert nn.Upsample(scale_factor=2, mode="bilinear")(x).shape == (2, 4, 16, 16)
    assert nn.PixelShuffle(2)(x).shape == (2, 1, 16, 16)
    assert nn.Unflatten(1, (2, 2))(x).shape == (2, 2, 2, 8, 8)
    with pytest.raises(ShapeError, match=r"Unflatten: cannot split axis 1 of length 4 .* into \(3, 2\)"):
        nn.Unflatten(1, (3, 2))(x)


def test_keras_pooling_layers_are_channels_last():
    x = np.arange(2 * 5 * 5 * 3, dtype=np.float32).reshape(2, 5, 5, 3)
    assert nn.MaxPooling2D()(x).shape == (2, 2, 2, 3)
    same = nn.MaxPooling2D(2, padding="same")(x)
    assert same.shape == (2, 3, 3, 3) and same.data[0, 2, 2, 0] == x[0, 4, 4, 0]  # the last window is the corner alone
    np.testing.assert_allclose(nn.AveragePooling2D(padding="same")(x).data[0, 2, 2], x[0, 4, 4])  # a mean of one
    np.testing.assert_allclose(nn.GlobalAveragePooling2D()(x).data, x.mean(axis=(1, 2)))
    assert nn.GlobalAveragePooling2D(keepdims=True)(x).shape == (2, 1, 1, 3)


@pytest.mark.parametrize("kwargs", [{"kernel_size": 2}, {"kernel_size": 3, "stride": 1, "padding": 1},
                                    {"kernel_size": (2, 3), "stride": (2, 1), "dilation": (1, 2), "ceil_mode": True}])
def test_max_pool2d_after_relu_picks_as_pytorch_among_ties(kwargs):
    torch = pytest.importorskip("torch")
    x = np.maximum(np.random.default_rng(3).standard_normal((3, 4, 9, 8)).astype(np.float32), 0)  # whole windows of 0
    g = np.random.default_rng(4).standard_normal(F.max_pool2d(x, **kwargs).shape).astype(np.float32)
    ours, theirs = ag.Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    (y, where), (t, their_where) = (F.max_pool2d(ours, return_indices=True, **kwargs),
                                    torch.nn.functional.max_pool2d(theirs, return_indices=True, **kwargs))
    np.testing.assert_array_equal(y.data, t.detach().numpy())
    np.testing.assert_array_equal(where.data, their_where.numpy())
    (y * g).sum().backward()
    (t * torch.tensor(g)).sum().backward()
    # where windows overlap, an element's shares add up in another order (numpy sums them in float64)
    np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy(), rtol=1e-6, atol=1e-6)
