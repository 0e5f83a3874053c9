"""Every op's gradient, and its second derivative, matches central finite differences in float64.

Shapes (broadcasting included) and values are drawn by hypothesis through
``helpers.operands``; each check runs ``gradcheck`` on the op and on its
vector-Jacobian product built with ``create_graph=True``.
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

import autograd_lite as ag
import autograd_lite.functional as F
from helpers import check_grads, operands

FEW = settings(max_examples=10, deadline=None)


def _condition(*shapes):
    return np.random.default_rng(7).random(np.broadcast_shapes(*shapes)) < 0.5


# name -> (function of tensors, strategy for its float64 operands)
BINARY = {
    "add": (lambda a, b: a + b, operands(2)),
    "sub": (lambda a, b: a - b, operands(2)),
    "mul": (lambda a, b: a * b, operands(2)),
    "div": (lambda a, b: a / b, operands(2, away=0.5)),
    "pow": (lambda a, b: a ** b, operands(2, low=0.5, high=2.0)),
    "maximum": (lambda a, b: F.maximum(a, b), operands(2)),
    "minimum": (lambda a, b: F.minimum(a, b), operands(2)),
    "where": (lambda a, b: F.where(_condition(a.shape, b.shape), a, b), operands(2)),
}

UNARY = {
    "neg": (lambda x: -x, operands()),
    "add scalar": (lambda x: x + 2.0, operands()),
    "scalar minus": (lambda x: 2.0 - x, operands()),
    "scalar over": (lambda x: 3.0 / x, operands(away=0.5)),
    "times ndarray": (lambda x: np.array([2.5]) * x, operands()),
    "scalar pow": (lambda x: 2.0 ** x, operands()),
    "pow 3": (lambda x: x ** 3, operands()),
    "pow 0.5": (lambda x: x ** 0.5, operands(low=0.5, high=2.0)),
    "pow -1": (lambda x: x ** -1, operands(away=0.5)),
    "pow 0": (lambda x: x ** 0, operands()),
    "exp": (lambda x: x.exp(), operands()),
    "log": (lambda x: x.log(), operands(low=0.5, high=3.0)),
    "sqrt": (lambda x: x.sqrt(), operands(low=0.5, high=3.0)),
    "abs": (lambda x: x.abs(), operands(away=0.1)),
    "sin": (lambda x: x.sin(), operands()),
    "cos": (lambda x: x.cos(), operands()),
    "tanh": (lambda x: x.tanh(), operands()),
    "sigmoid": (lambda x: x.sigmoid(), operands()),
    "relu": (lambda x: x.relu(), operands(away=0.1)),
    "leaky_relu": (lambda x: x.leaky_relu(0.2), operands(away=0.1)),
    "clip": (lambda x: x.clip(-0.5, 0.5), operands()),
    "clip min only": (lambda x: F.clamp(x, min=0.3), operands()),
    "softmax": (lambda x: x.softmax(-1) ** 2, operands(min_dims=1)),
    "log_softmax": (lambda x: F.log_softmax(x, dim=0) ** 2, operands(min_dims=1)),
    "logsumexp": (lambda x: x.logsumexp() ** 2, operands()),
    "max": (lambda x: x.max(), operands()),
    "min": (lambda x: x.min(), operands()),
    "var": (lambda x: x.var(), operands(min_dims=1, max_side=3).filter(lambda xs: xs[0].size > 1)),
    # Linear ops are squared, so that their backward also runs on a gradient with history
    # (the second-order check then differentiates their backward ops too).
    "sum": (lambda x: x.sum() ** 2, operands()),
    "mean": (lambda x: x.mean(axis=-1) ** 2, operands(min_dims=1)),
    "reshape": (lambda x: x.reshape(-1) ** 2, operands()),
    "transpose": (lambda x: x.T ** 2, operands()),
    "flatten": (lambda x: x.flatten() ** 2, operands()),
    "unsqueeze": (lambda x: x.unsqueeze(0) ** 2, operands()),
    "squeeze": (lambda x: x.squeeze() ** 2, operands()),
    "broadcast_to": (lambda x: x.broadcast_to((2,) + x.shape) ** 2, operands()),
    "expand": (lambda x: x.expand((2,) + x.shape) ** 2, operands()),
    "getitem slice": (lambda x: x[..., ::2] ** 2, operands(min_dims=1)),
    "getitem repeats": (lambda x: x[np.array([0, 0, -1])] ** 2, operands(min_dims=1)),
    "getitem mask": (lambda x: x[x.data > 0] ** 2, operands(min_dims=1)),
    "getitem None and int": (lambda x: x[None, 0] ** 2, operands(min_dims=1)),
    "split": (lambda x: F.split(x, 2, axis=-1)[-1] ** 2, operands(min_dims=1)),
    "stack": (lambda x: F.stack([x, x * 2.0], axis=-1) ** 2, operands()),
}


@pytest.mark.parametrize("name", BINARY)
@FEW
@given(data=st.data())
def test_binary_op_gradients_match_finite_differences_with_broadcasting(name, data):
    fn, strategy = BINARY[name]
    check_grads(fn, *data.draw(strategy))


@pytest.mark.parametrize("name", UNARY)
@FEW
@given(data=st.data())
def test_unary_op_gradients_match_finite_differences(name, data):
    fn, strategy = UNARY[name]
    check_grads(fn, *data.draw(strategy))


@st.composite
def reduction_case(draw):
    (x,) = draw(operands(min_dims=1))
    axes = list(range(-x.ndim, x.ndim))
    axis = draw(st.one_of(st.none(), st.sampled_from(axes),
                          st.lists(st.sampled_from(range(x.ndim)), min_size=1, unique=True).map(tuple)))
    return x, axis, draw(st.booleans())


@pytest.mark.parametrize("name", ["sum", "mean", "max", "min", "logsumexp"])
@FEW
@given(case=reduction_case())
def test_reductions_over_any_axes_match_finite_differences(name, case):
    x, axis, keepdims = case
    check_grads(lambda t: getattr(t, name)(axis=axis, keepdims=keepdims), x)


@FEW
@given(reduction_case())
def test_var_with_dim_and_keepdim_matches_finite_differences(case):
    x, axis, keepdim = case
    check_grads(lambda t: t.var(dim=axis, keepdim=keepdim, correction=0), x)


@FEW
@given(st.data())
def test_permute_and_swapaxes_match_finite_differences(data):
    (x,) = data.draw(operands(min_dims=2))
    order = tuple(data.draw(st.permutations(range(x.ndim))))
    check_grads(lambda t: t.permute(order) ** 2, x)
    check_grads(lambda t: t.transpose(0, -1) ** 2, x)


@FEW
@given(st.data())
def test_concat_matches_finite_differences(data):
    (a,) = data.draw(operands(min_dims=1))
    axis = data.draw(st.integers(0, a.ndim - 1))
    extra = data.draw(st.integers(1, 3))
    b = np.random.default_rng(0).uniform(-1, 1, a.shape[:axis] + (extra,) + a.shape[axis + 1:])
    check_grads(lambda s, t: F.concat([s, t], axis=axis) ** 2, a, b)


@st.composite
def matmul_operands(draw):
    """a @ b with each side 1-D, 2-D or batched (batch dimensions broadcasting), as numpy allows."""
    n, k, m = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    batch = draw(mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=2, max_side=2))
    a_shape = (k,) if draw(st.booleans()) else batch.input_shapes[0] + (n, k)
    b_shape = (k,) if draw(st.booleans()) else batch.input_shapes[1] + (k, m)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return rng.uniform(-1, 1, a_shape), rng.uniform(-1, 1, b_shape)


@FEW
@given(matmul_operands())
def test_matmul_of_1d_2d_and_batched_operands_matches_finite_differences(ab):
    check_grads(lambda a, b: a @ b, *ab)


SCALAR = {
    "add": (lambda a, b: a + b, 2, {}),
    "sub": (lambda a, b: a - b, 2, {}),
    "mul": (lambda a, b: a * b, 2, {}),
    "div": (lambda a, b: a / b, 2, {"away": 0.5}),
    "pow": (lambda a, b: a ** b, 2, {"low": 0.5}),
    "pow const": (lambda a: a ** 3 + 2 ** a - 1 / a, 1, {"away": 0.5}),
    "exp": (lambda a: a.exp(), 1, {}),
    "log": (lambda a: a.log(), 1, {"low": 0.5}),
    "tanh": (lambda a: a.tanh(), 1, {}),
    "sigmoid": (lambda a: a.sigmoid(), 1, {}),
    "relu": (lambda a: a.relu() * a, 1, {"away": 0.1}),
}


@pytest.mark.parametrize("name", SCALAR)
@FEW
@given(data=st.data())
def test_value_op_gradients_match_finite_differences(name, data):
    fn, n, ranges = SCALAR[name]
    xs = data.draw(operands(n, max_dims=0, **ranges))
    check_grads(fn, *[ag.Value(float(x)) for x in xs])
