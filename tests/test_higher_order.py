"""Gradients of gradients: backward(create_graph=True) and grad(create_graph=True) against closed forms."""
import numpy as np
import pytest

import autograd_lite as ag

X = np.array([-1.5, -0.3, 0.0, 0.4, 2.0])


def second_derivative_by_backward(f, x):
    """d²f/dx² elementwise, through backward(create_graph=True) and a second backward."""
    t = ag.Tensor(x, requires_grad=True)
    f(t).sum().backward(create_graph=True)
    first = t.grad
    t.grad = None
    first.sum().backward()
    return first.data, t.grad.data


def second_derivative_by_grad(f, x):
    """d²f/dx² elementwise, through grad(create_graph=True) twice."""
    t = ag.Tensor(x, requires_grad=True)
    (first,) = ag.grad(f(t).sum(), t, create_graph=True)
    (second,) = ag.grad(first.sum(), t)
    return first.data, second.data


BOTH = pytest.mark.parametrize("second_derivative", [second_derivative_by_backward, second_derivative_by_grad])


@BOTH
def test_tanh_second_derivative_is_minus_2_tanh_times_1_minus_tanh_squared(second_derivative):
    first, second = second_derivative(lambda t: t.tanh(), X)
    th = np.tanh(X)
    np.testing.assert_allclose(first, 1 - th ** 2, rtol=1e-12)
    np.testing.assert_allclose(second, -2 * th * (1 - th ** 2), rtol=1e-12, atol=1e-15)


@BOTH
def test_sigmoid_second_derivative_is_s_1_minus_s_1_minus_2s(second_derivative):
    first, second = second_derivative(lambda t: t.sigmoid(), X)
    s = 1 / (1 + np.exp(-X))
    np.testing.assert_allclose(first, s * (1 - s), rtol=1e-12)
    np.testing.assert_allclose(second, s * (1 - s) * (1 - 2 * s), rtol=1e-12, atol=1e-15)


@BOTH
def test_cube_has_derivatives_3x_squared_and_6x(second_derivative):
    first, second = second_derivative(lambda t: t ** 3, X)
    np.testing.assert_allclose(first, 3 * X ** 2, rtol=1e-12)
    np.testing.assert_allclose(second, 6 * X, rtol=1e-12)


def test_third_derivative_of_cube_is_6():
    x = ag.Tensor(2.0, dtype="float64", requires_grad=True)
    (d1,) = ag.grad(x ** 3, x, create_graph=True)
    (d2,) = ag.grad(d1, x, create_graph=True)
    (d3,) = ag.grad(d2, x)
    assert (d1.item(), d2.item(), d3.item()) == (12.0, 12.0, 6.0)


def test_hessian_vector_product_of_quadratic_form_is_a_plus_a_transposed_times_v():
    rng = np.random.default_rng(0)
    a, x0, v = rng.standard_normal((4, 4)), rng.standard_normal(4), rng.standard_normal(4)
    x = ag.Tensor(x0, requires_grad=True)
    f = x @ ag.Tensor(a) @ x                                   # f(x) = xᵀAx
    (g,) = ag.grad(f, x, create_graph=True)
    np.testing.assert_allclose(g.data, (a + a.T) @ x0, rtol=1e-12)
    (hv,) = ag.grad((g * ag.Tensor(v)).sum(), x)
    np.testing.assert_allclose(hv.data, (a + a.T) @ v, rtol=1e-12)


def test_hessian_vector_product_through_tanh_layer_matches_closed_form():
    # f(x) = Σ tanh(Wx)  ⇒  H = Wᵀ diag(-2 tanh(Wx)(1 - tanh²(Wx))) W
    rng = np.random.default_rng(1)
    w, x0, v = rng.standard_normal((3, 4)), rng.standard_normal(4), rng.standard_normal(4)
    x = ag.Tensor(x0, requires_grad=True)
    (ag.Tensor(w) @ x).tanh().sum().backward(create_graph=True)
    g = x.grad
    x.grad = None
    (g * ag.Tensor(v)).sum().backward()
    th = np.tanh(w @ x0)
    hessian = w.T @ np.diag(-2 * th * (1 - th ** 2)) @ w
    np.testing.assert_allclose(x.grad.data, hessian @ v, rtol=1e-10)


def test_gradient_penalty_differentiates_the_norm_of_an_input_gradient():
    # f(x) = w·x  ⇒  ∇ₓf = w, so the penalty |∇ₓf|² = |w|² has gradient 2w with respect to w.
    w = ag.Tensor([1.0, -2.0, 3.0], requires_grad=True)
    x = ag.Tensor([0.5, 0.5, 0.5], requires_grad=True)
    (gx,) = ag.grad((w * x).sum(), x, create_graph=True)
    (gx * gx).sum().backward()
    np.testing.assert_array_equal(w.grad.data, [2.0, -4.0, 6.0])


def test_value_second_derivative_of_tanh_with_grad():
    x = ag.Value(0.7)
    (d1,) = ag.grad(x.tanh(), x, create_graph=True)
    (d2,) = ag.grad(d1, x)
    th = np.tanh(0.7)
    assert d1.data == pytest.approx(1 - th ** 2, rel=1e-12)
    assert d2 == pytest.approx(-2 * th * (1 - th ** 2), rel=1e-12)


def test_create_graph_gradient_has_history_and_plain_gradient_has_none():
    x = ag.Tensor([1.0, 2.0], requires_grad=True)
    (x ** 2).sum().backward(create_graph=True)
    assert x.grad.requires_grad and x.grad.grad_fn is not None
    y = ag.Tensor([1.0, 2.0], requires_grad=True)
    (y ** 2).sum().backward()
    assert not y.grad.requires_grad and y.grad.grad_fn is None
