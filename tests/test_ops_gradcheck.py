"""Every op's gradient, and its second derivative, matches central finite differences in float64.

The declared ops are checked by running over ``ops.registry.REGISTRY``: each
declaration carries its samples (how many inputs, where their values lie,
which settings to try), so an op cannot be declared without being checked.
Shapes (broadcasting included) are drawn by hypothesis; each check runs
``gradcheck`` on the op and on its vector-Jacobian product built with
``create_graph=True``. The same samples are compared with PyTorch where it is
installed. Ops not declared in the registry (the basic shape and indexing ops
whose methods are written by hand in ``tensor.py``: reshape, permute,
``[]``...) keep hand-kept tables below, and a test sees that every op class is
covered by one or the other.
"""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

import autograd_lite as ag
import autograd_lite.functional as F
from autograd_lite import nn, ops
from autograd_lite.engine import Op
from autograd_lite.ops import registry
from autograd_lite.ops.registry import REGISTRY, Samples
from helpers import call_declared, check_grads, operands

FEW = settings(max_examples=10, deadline=None)
DECLARED = settings(max_examples=4, deadline=None)  # per op and setting: some 200 cases run


def _per_input(value, i):
    return value[i] if isinstance(value, tuple) else value


@st.composite
def declared_inputs(draw, samples: Samples, scalar: bool = False):
    """float64 arrays for one op's inputs, as its samples describe them."""
    if scalar:
        shapes = [()] * samples.inputs
    elif samples.shapes is not None:
        shapes = list(samples.shapes)
    else:
        shapes = list(draw(mutually_broadcastable_shapes(
            num_shapes=samples.inputs, min_dims=samples.min_dims, max_dims=samples.max_dims,
            min_side=samples.min_side, max_side=3)).input_shapes)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    arrays = []
    for i, shape in enumerate(shapes):
        low, high, away = (_per_input(v, i) for v in (samples.low, samples.high, samples.away))
        if samples.off_integers:  # a whole number plus a fraction in (0.1, 0.9): no rounding jump nearby
            x = np.floor(rng.uniform(low, high, shape)) + rng.uniform(0.1, 0.9, shape)
        elif away:
            magnitude = rng.uniform(away, max(abs(low), abs(high)), shape)
            x = np.where(rng.random(shape) < 0.5, -magnitude, magnitude) if low < 0 else magnitude
        else:
            x = rng.uniform(low, high, shape)
        arrays.append(x)
    return arrays


def _values(out, concat=F.concat):
    """The differentiable part of a result: ``values`` of a (values, indices) pair; the pieces of ``split``
    (ours, or PyTorch's with ``concat=torch.cat``) flattened and joined, so every piece is checked."""
    if not isinstance(out, tuple):
        return out
    if hasattr(out, "indices"):
        return out.values
    return concat([piece.reshape(-1) for piece in out])


def _case_id(case):
    name, setting = case
    return name + "".join(f"-{k}={v.tolist() if isinstance(v, np.ndarray) else v}" for k, v in setting.items())


def _cases(keep):
    return [(name, setting) for name, entry in REGISTRY.items() if keep(entry) for setting in entry.samples.settings]


DIFFERENTIABLE = _cases(lambda e: e.samples.differentiable)
ON_VALUES = _cases(lambda e: e.samples.differentiable and e.value and e.samples.value)
WITH_TORCH = _cases(lambda e: e.samples.torch is not None)


def _draw(case, data, scalar=False):
    """The declaration, the setting and the input arrays of one case."""
    name, setting = case
    entry = REGISTRY[name]
    return entry, setting, data.draw(declared_inputs(entry.samples, scalar))


@pytest.mark.parametrize("case", DIFFERENTIABLE, ids=_case_id)
@DECLARED
@given(data=st.data())
def test_every_declared_op_matches_finite_differences_to_second_order(case, data):
    entry, setting, arrays = _draw(case, data)
    check_grads(lambda *xs: _values(call_declared(entry, xs, setting)), *arrays)
    if entry.samples.linear:  # its backward, run on a gradient with history, is differentiated too
        check_grads(lambda *xs: _values(call_declared(entry, xs, setting)) ** 2, *arrays)


@pytest.mark.parametrize("case", ON_VALUES, ids=_case_id)
@DECLARED
@given(data=st.data())
def test_every_declared_scalar_op_matches_finite_differences_on_values(case, data):
    entry, setting, arrays = _draw(case, data, scalar=True)
    check_grads(lambda *xs: entry.function(*xs, **setting), *[ag.Value(float(x)) for x in arrays])


def _torch_function(torch, entry):
    path = entry.samples.torch or entry.name
    found = torch
    for part in path.split("."):
        found = getattr(found, part)
    return found


@pytest.mark.parametrize("case", WITH_TORCH, ids=_case_id)
@settings(max_examples=2, deadline=None)
@given(data=st.data())
def test_every_declared_op_matches_pytorch_in_forward_and_backward(case, data):
    torch = pytest.importorskip("torch")
    entry, setting, arrays = _draw(case, data)
    name = entry.name
    ours = [ag.Tensor(a, requires_grad=entry.samples.differentiable) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=entry.samples.differentiable) for a in arrays]
    their_setting = {k: torch.as_tensor(v) if isinstance(v, np.ndarray) else v for k, v in setting.items()}
    out = call_declared(entry, ours, setting)
    expected = call_declared(entry, theirs, their_setting, _torch_function(torch, entry))
    if isinstance(expected, tuple) and hasattr(expected, "indices"):  # (values, indices)
        np.testing.assert_array_equal(out.indices.data, expected.indices.numpy())
    out, expected = _values(out), _values(expected, torch.cat)
    if isinstance(expected, bool):
        assert out is expected
        return
    np.testing.assert_allclose(np.asarray(out.data, dtype=float), expected.detach().numpy().astype(float),
                               rtol=1e-6, atol=1e-9, err_msg=f"{name} forward")
    if entry.samples.differentiable:
        weights = np.random.default_rng(0).standard_normal(expected.shape)
        mine = ag.grad((out * ag.Tensor(weights)).sum(), ours, allow_unused=True)
        try:
            reference = torch.autograd.grad((expected * torch.tensor(weights)).sum(), theirs, allow_unused=True)
        except RuntimeError as error:  # floor_divide: PyTorch has no derivative; finite differences check ours
            assert "not implemented" in str(error)
            return
        for i, (g, r) in enumerate(zip(mine, reference)):
            r = np.zeros(arrays[i].shape) if r is None else r.numpy()
            g = np.zeros(arrays[i].shape) if g is None else g.data
            np.testing.assert_allclose(g, r, rtol=1e-6, atol=1e-9, err_msg=f"{name} gradient of input {i}")


# -- the ops that are not declared in the registry: hand-kept tables -----------------------------------------
def _condition(*shapes):
    return np.random.default_rng(7).random(np.broadcast_shapes(*shapes)) < 0.5


HAND_KEPT = {
    "where": (lambda a, b: F.where(_condition(a.shape, b.shape), a, b), operands(2)),
    "add scalar": (lambda x: x + 2.0, operands()),
    "scalar minus": (lambda x: 2.0 - x, operands()),
    "scalar over": (lambda x: 3.0 / x, operands(away=0.5)),
    "scalar remainder": (lambda x: 5.3 % x, operands(low=2.0, high=2.4)),
    "times ndarray": (lambda x: np.array([2.5]) * x, operands()),
    "scalar pow": (lambda x: 2.0 ** x, operands()),
    "pow 3": (lambda x: x ** 3, operands()),
    "pow 0.5": (lambda x: x ** 0.5, operands(low=0.5, high=2.0)),
    "pow -1": (lambda x: x ** -1, operands(away=0.5)),
    "pow 0": (lambda x: x ** 0, operands()),
    "abs()": (lambda x: abs(x), operands(away=0.1)),
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
    "stack": (lambda x: F.stack([x, x * 2.0], axis=-1) ** 2, operands()),
    "linear": (lambda x, w, b: ops.LinearOp()(x, w, b).tanh(), st.just([np.linspace(-1, 1, 6).reshape(2, 3),
                                                                       np.linspace(-1, 1, 12).reshape(4, 3),
                                                                       np.linspace(-1, 1, 4)])),
}


@pytest.mark.parametrize("name", HAND_KEPT)
@FEW
@given(data=st.data())
def test_ops_outside_the_registry_match_finite_differences(name, data):
    fn, strategy = HAND_KEPT[name]
    check_grads(fn, *data.draw(strategy))


@st.composite
def reduction_case(draw):
    (x,) = draw(operands(min_dims=1))
    axes = list(range(-x.ndim, x.ndim))
    axis = draw(st.one_of(st.none(), st.sampled_from(axes),
                          st.lists(st.sampled_from(range(x.ndim)), min_size=1, unique=True).map(tuple)))
    return x, axis, draw(st.booleans())


@pytest.mark.parametrize("name", ["sum", "mean", "amax", "amin", "logsumexp", "prod"])
@FEW
@given(case=reduction_case())
def test_reductions_over_any_axes_match_finite_differences(name, case):
    x, axis, keepdims = case
    check_grads(lambda t: getattr(t, name)(axis=axis, keepdims=keepdims), x)


def test_prod_and_cumprod_gradients_are_exact_at_a_zero_factor():
    x = ag.Tensor([2.0, 0.0, 3.0], requires_grad=True)
    x.prod().backward()
    assert x.grad.tolist() == [0.0, 6.0, 0.0]
    x.grad = None
    x.cumprod(0).sum().backward()  # y = [2, 0, 0]: ∂/∂x0 = 1, ∂/∂x1 = 2 + 2·3, ∂/∂x2 = 0
    assert x.grad.tolist() == [1.0, 8.0, 0.0]


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


SCALAR_OPERATORS = {
    "+ - * /": (lambda a, b: (a + b) * (a - b) / b, 2, {"away": 0.5}),
    "**": (lambda a, b: a ** b, 2, {"low": 0.5}),
    "pow const": (lambda a: a ** 3 + 2 ** a - 1 / a, 1, {"away": 0.5}),
    "% //": (lambda a: a % 0.7 + (a // 0.7) * a, 1, {"low": 0.1, "high": 0.6}),
    "relu times": (lambda a: a.relu() * a, 1, {"away": 0.1}),
}


@pytest.mark.parametrize("name", SCALAR_OPERATORS)
@FEW
@given(data=st.data())
def test_value_operators_match_finite_differences(name, data):
    fn, n, ranges = SCALAR_OPERATORS[name]
    xs = data.draw(operands(n, max_dims=0, **ranges))
    check_grads(fn, *[ag.Value(float(x)) for x in xs])


# -- no op without a check -------------------------------------------------------------------------------------
CHECKED_BY_HAND = {  # op classes exercised by the hand-kept tests above (or by the op that uses them)
    "PowConst", "Where", "Reshape", "Permute", "BroadcastTo", "SumTo", "Concat", "GetItem", "IndexAdd",
    "LinearOp", "Dot", "TruncDivide", "NormalCDF",
    "SoftmaxCrossEntropy", "SigmoidCrossEntropy", "BinaryCrossEntropy",  # tests/test_losses.py
    "Cast", "Clone",  # tests/test_shape_ops.py
    "PickAlong", "ExtremeAlong",  # the base of sort, topk, median, cummax/cummin; max(dim) and min(dim)
    "Conv2dOp", "ConvTranspose2dOp", "Conv2dWeight", "Unfold", "Fold",  # tests/test_conv.py
    "MaxPool2dOp", "MaxPool2dGather", "MaxPool2dScatter", "AvgPool2dOp", "AvgPool2dScatter",  # tests/test_pooling.py
}


def _op_classes():
    found, stack = [], list(Op.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__.startswith("autograd_lite.ops.") and not cls.__name__.startswith("_"):
            found.append(cls)
    return found


def test_every_op_class_is_declared_in_the_registry_or_checked_by_hand():
    declared = {entry.op for entry in REGISTRY.values()}
    unchecked = sorted(c.__name__ for c in _op_classes() if c not in declared and c.__name__ not in CHECKED_BY_HAND)
    assert unchecked == []


# -- a throwaway op, declared in one row, is found everywhere --------------------------------------------------
@pytest.fixture
def cube():
    cls = registry.elementwise("cube_for_test", lambda x: x ** 3, lambda x: x ** 3, "3·x²", lambda x, y: 3 * (x * x),
                               saves=("x",), module="CubeForTest")
    yield cls
    registry.unregister("cube_for_test")


def test_an_op_declared_in_one_row_is_a_method_a_function_a_module_a_draw_function_and_checked(cube):
    x = ag.Tensor([1.0, 2.0], requires_grad=True)
    assert x.cube_for_test().tolist() == [1.0, 8.0]
    assert ag.Value(2.0).cube_for_test().data == 8.0
    assert F.cube_for_test([3.0]).tolist() == [27.0]
    assert nn.activations.CubeForTest()(x).tolist() == [1.0, 8.0]
    assert nn.activations.get("cube_for_test") is F.cube_for_test
    from viz.expr import FUNCTIONS, build_expression
    assert FUNCTIONS["cube_for_test"] is cube
    assert build_expression("cube_for_test(a)", {"a": 2.0}).data == 8.0
    assert ("cube_for_test", {}) in _cases(lambda e: e.samples.differentiable)  # what the gradient test runs over
    check_grads(lambda t: REGISTRY["cube_for_test"].function(t), np.array([0.5, -1.5]))
    assert cube().describe_derivatives() == ["∂cube_for_test(x)/∂x = 3·x²"]


def test_a_withdrawn_declaration_leaves_nothing_behind(cube):
    registry.unregister("cube_for_test")
    assert not hasattr(ag.Tensor, "cube_for_test") and not hasattr(ag.Value, "cube_for_test")
    assert not hasattr(F, "cube_for_test") and not hasattr(nn.activations, "CubeForTest")
    from viz.expr import FUNCTIONS
    assert "cube_for_test" not in FUNCTIONS and "cube_for_test" not in REGISTRY


def test_declaring_one_name_twice_is_refused():
    with pytest.raises(ValueError, match="op 'exp' is declared twice"):
        registry.register_function(name="exp")(lambda x: x)


def test_a_spread_method_setting_must_be_the_first_setting():
    with pytest.raises(TypeError, match="varargs='dim' must name its first setting"):
        registry.register_function(name="spread_for_test", varargs="dim")(lambda x, dims, dim=0: x)
    assert "spread_for_test" not in REGISTRY


def test_generated_methods_call_their_op_directly():
    # the method is the registry's function itself: no lookup between x.tanh() and TanhOp()(x)
    assert ag.Tensor.tanh is REGISTRY["tanh"].function is ag.Value.tanh
    assert math.isclose(ag.Value(0.5).tanh().data, math.tanh(0.5))
