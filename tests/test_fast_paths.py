"""Every fast path computes the same numbers as the plain path it stands in for.

Speed itself is measured by ``benchmarks/`` and never asserted here.
"""
import math

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite import Tensor, Value, nn, ops
from helpers import check_grads


def grads_of(fn, *arrays):
    """fn's output and the gradient of its sum for each input, as arrays."""
    xs = [Tensor(a, requires_grad=True) for a in arrays]
    out = fn(*xs)
    out.sum().backward()
    return out.data, [x.grad.data for x in xs]


# -- the fused dense layer: ops.Linear == x @ w.T + b -------------------------------------------

@pytest.mark.parametrize("x_shape", [(4, 3), (3,), (2, 4, 3)])
def test_linear_op_matches_matmul_with_transpose_plus_bias(x_shape):
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal(x_shape), rng.standard_normal((5, 3)), rng.standard_normal(5)
    fused = grads_of(lambda x, w, b: ops.Linear()(x, w, b), x, w, b)
    plain = grads_of(lambda x, w, b: x @ w.T + b, x, w, b)
    np.testing.assert_allclose(fused[0], plain[0], rtol=1e-12)
    for got, want in zip(fused[1], plain[1]):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_linear_op_without_bias_matches_matmul_with_transpose():
    rng = np.random.default_rng(1)
    x, w = rng.standard_normal((4, 3)), rng.standard_normal((2, 3))
    fused = grads_of(lambda x, w: ops.Linear()(x, w), x, w)
    plain = grads_of(lambda x, w: x @ w.T, x, w)
    np.testing.assert_allclose(fused[0], plain[0], rtol=1e-12)
    for got, want in zip(fused[1], plain[1]):
        np.testing.assert_allclose(got, want, rtol=1e-12)


def test_linear_op_has_second_derivatives():
    rng = np.random.default_rng(2)
    check_grads(lambda x, w, b: ops.Linear()(x, w, b).tanh(),
                rng.standard_normal((3, 2)), rng.standard_normal((4, 2)), rng.standard_normal(4))


def test_linear_layer_gives_its_weight_a_gradient_in_the_weights_own_row_major_layout():
    # through w.T the gradient would be a transposed view; RMSprop mixing layouts is several times slower
    layer = nn.Linear(3, 2, seed=0)
    layer(np.ones((4, 3), dtype=np.float32)).sum().backward()
    assert layer.weight.grad.data.flags.c_contiguous
    np.testing.assert_allclose(layer.weight.grad.data, np.full((2, 3), 4.0))
    np.testing.assert_allclose(layer.bias.grad.data, [4.0, 4.0])


def test_linear_layer_does_not_compute_the_gradient_of_its_data_batch():
    layer = nn.Linear(3, 2, seed=0)
    y = layer(np.ones((4, 3), dtype=np.float32))
    g = np.ones((4, 2), dtype=np.float32)
    gx, gw, gb = y.grad_fn.backward(g, y.data, *[x.data for x in y.grad_fn.inputs])
    assert gx is None and gw is not None and gb is not None


# -- Value.dot == sum of products ----------------------------------------------------------------

def test_value_dot_matches_the_sum_of_products_in_value_and_gradients():
    data = [(0.5, -1.5), (2.0, 0.25), (-3.0, 4.0)]
    fused_w, fused_x = [Value(w) for w, _ in data], [Value(x) for _, x in data]
    plain_w, plain_x = [Value(w) for w, _ in data], [Value(x) for _, x in data]
    fused = Value.dot(fused_w, fused_x).tanh()
    plain = sum((w * x for w, x in zip(plain_w, plain_x)), Value(0.0)).tanh()
    fused.backward()
    plain.backward()
    assert fused.data == pytest.approx(plain.data, abs=1e-15)
    for a, b in zip(fused_w + fused_x, plain_w + plain_x):
        assert a.grad == pytest.approx(b.grad, abs=1e-15)


def test_value_dot_takes_plain_numbers_as_constants():
    w = [Value(2.0), Value(3.0)]
    y = Value.dot(w, [4.0, 5])
    y.backward()
    assert y.data == 23.0
    assert [v.grad for v in w] == [4.0, 5.0]
    assert y.grad_fn.describe_derivatives() == [
        "∂dot(w0, w1, x0, x1)/∂w0 = x0", "∂dot(w0, w1, x0, x1)/∂w1 = x1",
        "∂dot(w0, w1, x0, x1)/∂x0 = w0", "∂dot(w0, w1, x0, x1)/∂x1 = w1"]


def test_value_dot_is_differentiable_twice():
    w, x = Value(3.0), Value(2.0)
    y = Value.dot([w, w], [x * x, 1.0])  # w·x² + w
    (dy_dx,) = ag.grad(y, [x], create_graph=True)
    assert dy_dx.data == 2 * 3.0 * 2.0
    (d2y_dx2,) = ag.grad(dy_dx, [x])
    assert d2y_dx2 == 2 * 3.0
    check_grads(lambda a, b: Value.dot([a, b], [b, a * a]), 0.7, -1.3)


def test_value_dot_refuses_lists_of_different_lengths():
    with pytest.raises(ValueError, match="equally long"):
        Value.dot([Value(1.0)], [])


# -- Op.__call__: nodes of one kind take the short way; anything else is converted ----------------

def test_an_op_gives_the_same_result_for_a_number_and_for_the_same_number_as_a_node():
    x = Tensor([1.0, 2.0], requires_grad=True)
    a = x * 3.0
    b = x * Tensor(np.float32(3.0))
    np.testing.assert_array_equal(a.data, b.data)
    assert a.dtype == b.dtype == np.float32
    (a + b).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [6.0, 6.0])


def test_parameters_and_tensors_mix_and_give_tensors():
    p = nn.Parameter(np.ones(2, dtype=np.float32))
    y = p * Tensor([2.0, 3.0])
    assert type(y) is Tensor
    y.sum().backward()
    np.testing.assert_array_equal(p.grad.data, [2.0, 3.0])


def test_values_and_tensors_still_refuse_to_mix():
    with pytest.raises(TypeError, match="cannot mix"):
        ops.Add()(Value(1.0), Tensor([1.0]))


def test_no_grad_records_no_op_and_keeps_no_inputs():
    x = Tensor([1.0], requires_grad=True)
    with ag.no_grad():
        y = x * 2
    assert y.grad_fn is None and not y.requires_grad


# -- Mul skips the gradient nobody reads -------------------------------------------------------

def test_mul_by_a_constant_gives_no_gradient_to_the_constant_and_the_right_one_to_the_variable():
    x, c = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0])
    y = x * c
    g = np.ones(2, dtype=np.float32)
    gx, gc = y.grad_fn.backward(g, y.data, x.data, c.data)
    assert gc is None
    np.testing.assert_array_equal(gx, [3.0, 4.0])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [3.0, 4.0])
    assert c.grad is None


def test_mul_run_on_raw_data_still_gives_both_gradients():
    # an op used inside another op's backward (apply on arrays) has no record of its inputs
    gx, gc = ops.Mul().backward(2.0, None, 3.0, 5.0)
    assert (gx, gc) == (10.0, 6.0)


# -- the in-place RMSprop update == the textbook formula -----------------------------------------

@pytest.mark.parametrize("layout", ["C", "F"])
def test_in_place_rmsprop_matches_the_formula_for_either_memory_layout_of_the_gradient(layout):
    rng = np.random.default_rng(3)
    w0 = rng.standard_normal((3, 4)).astype(np.float32)
    p = Tensor(w0, requires_grad=True)
    opt = ag.optim.RMSprop([p], lr=0.1, alpha=0.9, eps=1e-7)
    v = np.zeros_like(w0)
    want = w0.copy()
    for _ in range(3):
        g = np.asarray(rng.standard_normal((3, 4)).astype(np.float32), order=layout)
        p.grad = Tensor(g)
        opt.step()
        v = 0.9 * v + 0.1 * g ** 2
        want = want - 0.1 * g / (np.sqrt(v) + 1e-7)
    np.testing.assert_allclose(p.data, want, rtol=1e-5)
    assert math.isfinite(float(p.data.sum()))


def test_linear_op_promotes_dtypes_as_the_composed_ops_do():
    x = Tensor(np.ones((2, 3), dtype=np.float32))
    w, b = Tensor(np.ones((4, 3), dtype=np.float32)), Tensor(np.ones(4, dtype=np.float64))
    assert ops.Linear()(x, w, b).dtype == (x @ w.T + b).dtype == np.float64


# -- backward pauses the cyclic garbage collector and gives it back as it was --------------------

def test_backward_leaves_the_garbage_collector_enabled_after_success_and_after_an_error():
    import gc
    x = Tensor([1.0], requires_grad=True)
    (x * 2).sum().backward()
    assert gc.isenabled()
    x.register_hook(lambda g: 1 / 0)  # an error in the middle of backward
    with pytest.raises(ZeroDivisionError):
        (x * 2).sum().backward()
    assert gc.isenabled()


def test_backward_leaves_a_disabled_garbage_collector_disabled():
    import gc
    gc.disable()
    try:
        x = Value(2.0)
        (x * x).backward()
        assert x.grad == 4.0
        assert not gc.isenabled()
    finally:
        gc.enable()
