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


# -- the fused dense layer: ops.LinearOp == x @ w.T + b -------------------------------------------

@pytest.mark.parametrize("x_shape", [(4, 3), (3,), (2, 4, 3)])
def test_linear_op_matches_matmul_with_transpose_plus_bias(x_shape):
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal(x_shape), rng.standard_normal((5, 3)), rng.standard_normal(5)
    fused = grads_of(lambda x, w, b: ops.LinearOp()(x, w, b), x, w, b)
    plain = grads_of(lambda x, w, b: x @ w.T + b, x, w, b)
    np.testing.assert_allclose(fused[0], plain[0], rtol=1e-12)
    for got, want in zip(fused[1], plain[1]):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_linear_op_without_bias_matches_matmul_with_transpose():
    rng = np.random.default_rng(1)
    x, w = rng.standard_normal((4, 3)), rng.standard_normal((2, 3))
    fused = grads_of(lambda x, w: ops.LinearOp()(x, w), x, w)
    plain = grads_of(lambda x, w: x @ w.T, x, w)
    np.testing.assert_allclose(fused[0], plain[0], rtol=1e-12)
    for got, want in zip(fused[1], plain[1]):
        np.testing.assert_allclose(got, want, rtol=1e-12)


def test_linear_op_has_second_derivatives():
    rng = np.random.default_rng(2)
    check_grads(lambda x, w, b: ops.LinearOp()(x, w, b).tanh(),
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
    assert ops.LinearOp()(x, w, b).dtype == (x @ w.T + b).dtype == np.float64


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


# -- backward runs the newest op first (a heap on sequence numbers, no topological sort) --------

def _random_graph(seed, leaves):
    """A random DAG of + * tanh over ``leaves``: each new node takes one or two earlier nodes,
    often far back, so the order ops were created in differs from any depth-first order."""
    rng = np.random.default_rng(seed)
    nodes = list(leaves)
    for _ in range(40):
        a, b = (nodes[int(i)] for i in rng.integers(0, len(nodes), 2))
        kind = int(rng.integers(0, 3))
        nodes.append(a + b if kind == 0 else a * b * 0.5 if kind == 1 else a.tanh())
    return nodes[-1] + nodes[-7] * nodes[len(leaves) + 3]


@pytest.mark.parametrize("seed", range(5))
def test_heap_ordered_backward_matches_finite_differences_on_random_graphs(seed):
    start = np.random.default_rng(100 + seed).uniform(-1, 1, 4)
    leaves = [Value(float(v)) for v in start]
    _random_graph(seed, leaves).backward()

    def f(values):
        return _random_graph(seed, [Value(float(v)) for v in values]).data

    for i, leaf in enumerate(leaves):
        step = np.zeros(4)
        step[i] = 1e-6
        numeric = (f(start + step) - f(start - step)) / 2e-6
        assert leaf.grad == pytest.approx(numeric, rel=1e-5, abs=1e-8)


def test_each_hook_fires_once_with_the_complete_gradient_on_a_graph_built_out_of_order():
    x = Tensor([1.0, 2.0], requires_grad=True)
    early = x * 2          # created first, used by the last op too
    middle = early * 3
    late = middle + early  # early's gradient arrives by two paths: 3 + 1 per element
    calls = []
    early.register_hook(lambda g: calls.append(g.data.tolist()))
    (late * early).sum().backward()
    # d/d(early) of (3e + e)·e = 8e = 16·x
    assert calls == [[16.0, 32.0]]
    np.testing.assert_allclose(x.grad.data, [32.0, 64.0])


# -- a leaf takes its gradient array without a copy when nothing else holds it -------------------

def test_a_weight_gradient_nobody_else_holds_becomes_grad_without_a_copy(monkeypatch):
    made = {}
    plain_backward = ops.LinearOp.backward

    def spy(self, g, y, *xs):
        gxs = plain_backward(self, g, y, *xs)
        made["gw"] = id(gxs[1])
        return gxs

    monkeypatch.setattr(ops.LinearOp, "backward", spy)
    w = Tensor(np.ones((3, 4), np.float32), requires_grad=True)
    ops.LinearOp()(Tensor(np.ones((2, 4), np.float32)), w).sum().backward()
    assert id(w.grad.data) == made["gw"]
    np.testing.assert_allclose(w.grad.data, np.full((3, 4), 2.0))


def test_one_gradient_array_sent_to_two_leaves_is_copied_for_one_of_them():
    a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0], requires_grad=True)
    ((a + b) * 1.0).sum().backward()  # mul makes a fresh gradient array; add sends it to both
    assert not np.shares_memory(a.grad.data, b.grad.data)
    a.grad.data *= 10  # an optimizer scaling one gradient in place must not change the other
    np.testing.assert_allclose(b.grad.data, [1.0, 1.0])


def test_a_gradient_given_by_the_user_is_never_taken_as_a_leafs_grad():
    x = Tensor([1.0, 2.0], requires_grad=True)
    upstream = np.array([5.0, 6.0], dtype=np.float32)
    (x + 0).backward(gradient=upstream)  # add passes the upstream array straight through to x
    assert not np.shares_memory(x.grad.data, upstream)
    np.testing.assert_allclose(x.grad.data, [5.0, 6.0])


def test_a_gradient_an_op_still_holds_is_copied():
    from autograd_lite.engine import Op

    class PassSaved(Op):
        """An op whose backward hands out an array it keeps (a bad idea, but allowed)."""
        __slots__ = ("saved",)
        name = "pass_saved"

        def forward(self, x):
            self.saved = np.full_like(x, 7.0)
            return x.copy()

        def backward(self, g, y, x):
            return (self.saved,)

    x = Tensor([1.0, 2.0], requires_grad=True)
    op = PassSaved()
    op(x).backward(gradient=np.ones(2, np.float32), retain_graph=True)
    assert not np.shares_memory(x.grad.data, op.saved)


def test_backward_order_is_the_order_the_engine_runs_the_ops_in():
    from autograd_lite.engine import backward_order
    leaves = [Value(0.3), Value(-0.7), Value(0.5), Value(0.9)]
    root = _random_graph(3, leaves)
    expected = backward_order([root])
    ran = []
    for node in expected:
        node.register_hook(lambda g, node=node: ran.append(node))
    root.backward()
    assert [id(n) for n in ran] == [id(n) for n in expected]
    assert len(expected) > 20


# -- softmax cross-entropy on (batch, classes) with labels: indexed directly, gradient in place --------------

@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_cross_entropy_on_rows_of_classes_matches_the_one_hot_composition(dtype):
    rng = np.random.default_rng(3)
    logits, labels = rng.standard_normal((6, 4)).astype(dtype), np.array([0, 3, 1, 1, 2, 3])
    weights = rng.standard_normal(6)  # a different upstream gradient per sample: the fast path must scale by it
    one_hot = np.eye(4)[labels]
    fused = grads_of(lambda x: ops.SoftmaxCrossEntropy(1)(x, Tensor(labels)) * weights, logits)
    plain = grads_of(lambda x: -(x.log_softmax(dim=1) * one_hot).sum(axis=1) * weights, logits)
    np.testing.assert_allclose(fused[0], plain[0], rtol=1e-6 if dtype == np.float32 else 1e-12)
    np.testing.assert_allclose(fused[1][0], plain[1][0], rtol=1e-5 if dtype == np.float32 else 1e-12, atol=1e-7)
    assert fused[1][0].dtype == plain[1][0].dtype


def test_cross_entropy_on_rows_of_classes_matches_the_general_path_along_another_axis():
    rng = np.random.default_rng(4)
    logits, labels = rng.standard_normal((5, 3)), np.array([2, 0, 1])
    rows = grads_of(lambda x: ops.SoftmaxCrossEntropy(1)(x.T, Tensor(labels)), logits)  # fast path
    columns = grads_of(lambda x: ops.SoftmaxCrossEntropy(0)(x, Tensor(labels)), logits)  # take_along_axis
    np.testing.assert_allclose(rows[0], columns[0], rtol=1e-12)
    np.testing.assert_allclose(rows[1][0], columns[1][0], rtol=1e-12)
