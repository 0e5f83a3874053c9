"""The engine: accumulation, freeing, hooks, no_grad, grad(), anomaly mode, big graphs."""
import gc
import weakref

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite import Tensor, Value
from autograd_lite.engine import topological_order
from autograd_lite.ops import Neg


# -- accumulation and order -----------------------------------------------------

def test_node_used_on_several_paths_accumulates_its_gradient():
    x = Tensor([3.0], requires_grad=True)
    a = x * x          # two edges to x
    b = a + x          # and a third
    b.sum().backward()
    assert x.grad.item() == 7.0   # 2x + 1


def test_topological_order_is_inputs_first_and_the_same_every_run():
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    c = a * b
    c.label = "c"
    d = c + a
    d.label = "d"
    labels = [n.label for n in topological_order([d])]
    assert labels == ["a", "b", "c", "d"]
    assert [n.label for n in topological_order([d])] == labels


def test_million_node_chain_backpropagates_without_recursion_error_visiting_each_op_once(monkeypatch):
    # Linear work, counted rather than timed (timings belong in benchmarks/bench_scaling.py):
    # each of the million ops runs its backward exactly once.
    calls = 0
    plain_backward = Neg.backward

    def counted_backward(self, *args):
        nonlocal calls
        calls += 1
        return plain_backward(self, *args)

    monkeypatch.setattr(Neg, "backward", counted_backward)
    gc.disable()  # garbage collection passes over a million live nodes would dominate the test's time
    try:
        x = Value(1.0)
        y = x
        for _ in range(1_000_000):
            y = -y
        y.backward()
        assert x.grad == 1.0   # (-1) ** 1_000_000
        assert calls == 1_000_000
        del x, y
    finally:
        gc.enable()


# -- freeing the graph --------------------------------------------------------

def test_backward_frees_the_arrays_of_intermediates_nobody_holds_but_keeps_the_structure():
    x = Tensor(np.ones(3), requires_grad=True)
    h = x * 2
    array = weakref.ref(h.data)
    y = h.exp().sum()
    del h
    y.backward()
    assert array() is None  # the memory is gone ...
    assert y.grad_fn.released
    (e,) = y.grad_fn.input_nodes  # ... the structure stays, with shapes, for drawing
    (h,) = e.grad_fn.input_nodes
    assert (e.grad_fn.name, h.grad_fn.name, h.shape, str(h.dtype)) == ("exp", "mul", (3,), "float64")
    assert not ag.engine.holds_values(h) and h.grad_fn.input_nodes[0] is x
    with pytest.raises(RuntimeError, match="freed by backward.*retain_graph=True"):
        h + 1
    assert "values freed by backward()" in repr(h)


def test_backward_keeps_the_values_of_intermediates_the_user_holds():
    x = Tensor(np.ones(3), requires_grad=True)
    h = x * 2
    y = h.exp().sum()
    y.backward()
    assert ag.engine.holds_values(h) and h.tolist() == [2.0, 2.0, 2.0]
    (e,) = y.grad_fn.input_nodes
    assert not ag.engine.holds_values(e)


def test_backward_keeps_values_another_graph_still_holds():
    x = Tensor(np.ones(3), requires_grad=True)
    h = x * 2
    first, second = h.exp().sum(), (h * h).sum()
    (product,) = second.grad_fn.input_nodes
    del h
    first.backward()
    (h_in_second, _) = product.grad_fn.input_nodes
    assert ag.engine.holds_values(h_in_second) and h_in_second.tolist() == [2.0, 2.0, 2.0]


def test_retain_graph_keeps_intermediates_and_allows_a_second_backward():
    x = Tensor(np.ones(3), requires_grad=True)
    h = x * 2
    alive = weakref.ref(h)
    y = h.sum()
    del h
    y.backward(retain_graph=True)
    assert alive() is not None
    y.backward()
    assert x.grad.tolist() == [4.0, 4.0, 4.0]


def test_second_backward_through_a_freed_graph_says_to_pass_retain_graph():
    x = Tensor([1.0], requires_grad=True)
    y = (x * 2).sum()
    y.backward()
    with pytest.raises(RuntimeError, match=r"second time.*Pass retain_graph=True"):
        y.backward()


def test_a_value_graph_run_without_retain_graph_refuses_a_second_backward_and_can_be_drawn():
    x = Value(1.0)
    y = (x * 2) + 1
    y.backward(retain_graph=False)
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()
    (h, one) = y.grad_fn.input_nodes
    assert (h.data, h.grad_fn.name, one.data) == (2.0, "mul", 1.0)


# -- retain_grad and hooks ------------------------------------------------------

def test_intermediate_grad_is_kept_only_after_retain_grad():
    x = Tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    k = x * 4
    h.retain_grad()
    (h * k).sum().backward()
    assert h.grad.tolist() == [4.0, 8.0]
    assert k.grad is None


def test_hook_sees_the_complete_gradient():
    x = Tensor([1.0, 2.0], requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(g.tolist()))
    (x * 3 + x).sum().backward()
    assert seen == [[4.0, 4.0]]


def test_hook_can_replace_the_gradient_flowing_on():
    x = Tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    h.register_hook(lambda g: g * 0 + 10)
    h.sum().backward()
    assert x.grad.tolist() == [30.0, 30.0]


def test_removed_hook_is_not_called():
    x = Tensor([1.0], requires_grad=True)
    handle = x.register_hook(lambda g: g * 100)
    handle.remove()
    (x * 1).sum().backward()
    assert x.grad.item() == 1.0


def test_value_hooks_see_floats():
    a = Value(2.0)
    seen = []
    a.register_hook(seen.append)
    (a * a).backward()
    assert seen == [4.0]


# -- no_grad ------------------------------------------------------------------

def test_no_grad_as_context_manager_records_nothing():
    x = Tensor([1.0], requires_grad=True)
    with ag.no_grad():
        y = x * 2
        assert not ag.is_grad_enabled()
    assert ag.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None


def test_no_grad_as_decorator_with_and_without_parentheses():
    x = Tensor([1.0], requires_grad=True)

    @ag.no_grad()
    def f(t):
        return t * 2

    @ag.no_grad
    def g(t):
        return t * 2

    assert not f(x).requires_grad and not g(x).requires_grad
    assert (x * 2).requires_grad


def test_enable_grad_inside_no_grad_records_again():
    x = Tensor([1.0], requires_grad=True)
    with ag.no_grad():
        with ag.enable_grad():
            y = x * 2
    assert y.requires_grad


def test_no_grad_restores_recording_after_an_exception():
    with pytest.raises(ZeroDivisionError):
        with ag.no_grad():
            1 / 0
    assert ag.is_grad_enabled()


# -- grad() -------------------------------------------------------------------

def test_grad_returns_a_tuple_and_leaves_dot_grad_alone():
    x, w = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0], requires_grad=True)
    y = (x * w).sum()
    gx, gw = ag.grad(y, [x, w])
    assert gx.tolist() == [3.0, 4.0] and gw.tolist() == [1.0, 2.0]
    assert x.grad is None and w.grad is None
    (only,) = ag.grad((x * x).sum(), x)
    assert only.tolist() == [2.0, 4.0]


def test_grad_of_an_unused_input_raises_unless_allow_unused():
    x, z = Tensor([1.0], requires_grad=True), Tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="not used to compute the outputs; pass allow_unused=True"):
        ag.grad((x * 2).sum(), [x, z])
    gx, gz = ag.grad((x * 2).sum(), [x, z], allow_unused=True)
    assert gx.item() == 2.0 and gz is None


def test_grad_with_grad_outputs_gives_a_vector_jacobian_product():
    x = Tensor([1.0, 2.0], requires_grad=True)
    (g,) = ag.grad(x * x, x, grad_outputs=Tensor([1.0, 10.0]))
    assert g.tolist() == [2.0, 40.0]


def test_grad_of_several_outputs_adds_them():
    x = Tensor([1.0], requires_grad=True)
    (g,) = ag.grad([(x * 2).sum(), (x * 3).sum()], x)
    assert g.item() == 5.0


def test_grad_with_respect_to_an_intermediate():
    x = Tensor([2.0], requires_grad=True)
    h = x * 3
    (g,) = ag.grad((h * h).sum(), h)
    assert g.item() == 12.0


# -- detect_anomaly -----------------------------------------------------------

NUMPY_WARNS = pytest.mark.filterwarnings("ignore:.*encountered in:RuntimeWarning")  # numpy's note on log(0)

@NUMPY_WARNS
def test_detect_anomaly_names_the_op_the_line_and_the_input_in_forward():
    x = Tensor([0.0, 1.0], requires_grad=True)
    with ag.detect_anomaly():
        with pytest.raises(ag.AnomalyError) as info:
            x.log()
    message = str(info.value)
    assert "'log' produced -inf in forward" in message
    assert "test_engine.py:" in message
    assert "x from a leaf" in message


@NUMPY_WARNS
def test_detect_anomaly_names_the_op_where_it_was_created_and_the_inputs_origin_in_backward():
    x = Tensor([0.0, 4.0], requires_grad=True)
    with ag.detect_anomaly():
        h = x * 1
        y = h.sqrt()               # finite forward; backward divides by 2·sqrt(0)
        with pytest.raises(ag.AnomalyError) as info:
            y.sum().backward()
    message = str(info.value)
    assert "gradient that 'sqrt' passes to its input x holds inf in backward" in message
    assert "'sqrt' was created at" in message and "test_engine.py:" in message
    assert "x came from 'mul' created at" in message


def test_detect_anomaly_says_when_an_input_already_held_nan():
    x = Tensor([np.nan], requires_grad=True)
    with ag.detect_anomaly(), pytest.raises(ag.AnomalyError, match="x from a leaf, already holding nan"):
        x.exp()


@NUMPY_WARNS
def test_detect_anomaly_as_decorator_and_off_afterwards():
    @ag.detect_anomaly
    def f(t):
        return t.log()

    with pytest.raises(ag.AnomalyError):
        f(Tensor([-1.0]))
    assert np.isnan(Tensor([-1.0]).log().data[0])  # no error outside it (numpy's warning only)


def test_detect_anomaly_works_for_values():
    with ag.detect_anomaly(), pytest.raises(ag.AnomalyError, match="'div' produced inf"):
        Value(1.0) / 0


# -- what a recorded op costs: one object, the result ----------------------------------------------------------

def test_an_op_without_settings_is_one_shared_instance_and_its_calls_are_told_apart_by_their_results():
    a, b, c = Value(2.0), Value(3.0), Value(4.0)
    first, second = a * b, b * c
    assert first.grad_fn.op is second.grad_fn.op  # one Mul for every product...
    assert first.grad_fn.inputs == (a, b) and second.grad_fn.inputs == (b, c)  # ...each call's inputs on its result
    assert first.grad_fn != second.grad_fn and first.grad_fn == first.grad_fn


def test_a_recorded_product_adds_one_object_for_the_garbage_collector_to_walk():
    x = Value(0.5)
    gc.collect()
    before = len(gc.get_objects())
    nodes = [x * 1.5 for _ in range(2000)]  # a result, and a constant for 1.5 (one more object each)
    per_op = (len(gc.get_objects()) - before) / len(nodes)
    assert per_op < 2.2, per_op  # result + constant; an op object per call would make it 3


def test_sharing_is_refused_for_an_op_that_keeps_settings():
    with pytest.raises(TypeError, match="keeps state of its own"):
        ag.ops.Sum.shared()


def test_a_shared_op_still_skips_the_gradient_of_an_input_that_needs_none():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x * Tensor([3.0, 4.0])  # the constant needs no gradient: Mul's backward computes only x's
    g = np.ones(2)
    assert y.grad_fn.backward(g, y.data, x.data, np.array([3.0, 4.0]))[1] is None
    assert ag.ops.Mul.shared().backward(g, y.data, x.data, np.array([3.0, 4.0]))[1] is not None  # not told: both
    y.sum().backward()
    assert x.grad.tolist() == [3.0, 4.0]


# -- an op with several results (split, chunk, unbind) ---------------------------------------------------------

def test_an_op_with_several_results_runs_its_backward_once_with_zeros_for_a_piece_nothing_reached(monkeypatch):
    calls = []
    original = ag.ops.shape.Split.backward
    monkeypatch.setattr(ag.ops.shape.Split, "backward", lambda self, gs, ys, x: calls.append(
        [np.asarray(g).tolist() for g in gs]) or original(self, gs, ys, x))
    x = Tensor(np.arange(8.0).reshape(4, 2), requires_grad=True)
    rows = x.unbind(0)
    (rows[0] * 2 + rows[3] * rows[3]).sum().backward()
    assert calls == [[[2.0, 2.0], [0.0, 0.0], [0.0, 0.0], [12.0, 14.0]]]  # one run, all four pieces, in order
    assert x.grad.tolist() == [[2.0, 2.0], [0.0, 0.0], [0.0, 0.0], [12.0, 14.0]]


def test_each_piece_is_a_node_of_its_own_for_hooks_retain_grad_and_grad():
    x = Tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    a, b = ag.functional.split(x, 2)
    a.register_hook(lambda g: g * 10)  # runs before split's backward, so x sees the replaced gradient
    b.retain_grad()
    (a.sum() + (b * b).sum()).backward()
    assert x.grad.tolist() == [10.0, 10.0, 6.0, 8.0] and b.grad.tolist() == [6.0, 8.0]
    a, b = x.chunk(2)
    assert [g.tolist() for g in ag.grad((a * b).sum(), [a, b])] == [[3.0, 4.0], [1.0, 2.0]]


def test_a_second_backward_through_a_piece_nothing_reached_the_first_time_still_refuses():
    x = Tensor([1.0, 2.0], requires_grad=True)
    a, b = x.unbind(0)
    (a * 3).backward()
    with pytest.raises(RuntimeError, match="second time"):
        (b * 3).backward()


def test_pieces_made_under_no_grad_are_not_recorded():
    x = Tensor([1.0, 2.0], requires_grad=True)
    with ag.no_grad():
        pieces = x.unbind(0)
    assert all(not p.requires_grad and p.grad_fn is None for p in pieces)


def test_sort_topk_and_max_along_a_dim_are_one_op_each_with_values_and_indices_without_history():
    x = Tensor([[3.0, 1.0, 2.0]], requires_grad=True)
    for result, label in [(x.sort(dim=1), "sort(dim=1, ascending)"), (x.topk(2), "topk(k=2, dim=1)"),
                          (x.max(1), "max(dim=1)"), (x.cummin(1), "cummin(dim=1)")]:
        assert result.values.grad_fn.label() == label and result.values.grad_fn.input_nodes == (x,)
        assert not result.indices.requires_grad and result.indices.grad_fn is None
    x.sort(dim=1, descending=True).values[:, 0].sum().backward()
    assert x.grad.tolist() == [[1.0, 0.0, 0.0]]


def test_a_backward_that_raises_leaves_no_node_behind_for_needs_input_grad():
    class Failing(ag.engine.Op, name="failing"):
        def forward(self, x):
            return x * 1

        def backward(self, g, y, x):
            assert self.needs_input_grad(0)  # told: the engine set this thread's node
            raise ValueError("failing on purpose")

    x = Tensor([1.0], requires_grad=True)
    with pytest.raises(ValueError, match="on purpose"):
        Failing()(x).sum().backward()
    assert ag.engine._thread.backward_node is None
