"""Grad mode per thread, and in-place changes caught before they give wrong gradients (issue 12, items 1-2)."""
import threading

import numpy as np
import pytest

import autograd_lite as ag


def _train(model_seed: int, steps: int, recorded: list, errors: list) -> None:
    try:
        model = ag.nn.Linear(4, 1, seed=model_seed)
        opt = ag.optim.SGD(model.parameters(), lr=0.01)
        x = ag.Tensor(np.ones((8, 4), dtype=np.float32))
        for _ in range(steps):
            loss = (model(x) ** 2).mean()
            if loss.requires_grad:  # with one process-wide switch, another thread's no_grad turns this off
                opt.zero_grad()
                loss.backward()
                opt.step()
                recorded.append(1)
    except Exception as error:  # noqa: BLE001 (reported by the test)
        errors.append(error)


def _evaluate(stop: threading.Event, errors: list) -> None:
    model = ag.nn.Linear(4, 1, seed=9)
    x = ag.Tensor(np.ones((8, 4), dtype=np.float32))
    try:
        while not stop.is_set():
            with ag.no_grad():
                if model(x).requires_grad:
                    errors.append(AssertionError("no_grad recorded an op"))
    except Exception as error:  # noqa: BLE001
        errors.append(error)


def test_two_training_threads_and_a_no_grad_thread_record_every_step():
    steps = 300
    recorded_a, recorded_b, errors = [], [], []
    stop = threading.Event()
    evaluator = threading.Thread(target=_evaluate, args=(stop, errors))
    trainers = [threading.Thread(target=_train, args=(seed, steps, rec, errors))
                for seed, rec in ((0, recorded_a), (1, recorded_b))]
    evaluator.start()
    for t in trainers:
        t.start()
    for t in trainers:
        t.join()
    stop.set()
    evaluator.join()
    assert errors == []
    assert (len(recorded_a), len(recorded_b)) == (steps, steps)
    assert ag.is_grad_enabled()


def test_no_grad_in_another_thread_leaves_this_threads_mode_alone():
    inside, release = threading.Event(), threading.Event()

    def hold_no_grad():
        with ag.no_grad():
            inside.set()
            release.wait(5)

    worker = threading.Thread(target=hold_no_grad)
    worker.start()
    inside.wait(5)
    try:
        assert ag.is_grad_enabled()
        assert (ag.tensor([1.0], requires_grad=True) * 2).requires_grad
    finally:
        release.set()
        worker.join()
    assert ag.is_grad_enabled()


def test_a_new_thread_starts_with_grad_enabled_even_inside_no_grad():
    seen = []
    with ag.no_grad():
        worker = threading.Thread(target=lambda: seen.append(ag.is_grad_enabled()))
        worker.start()
        worker.join()
    assert seen == [True]  # PyTorch: grad mode is thread-local and starts enabled


# -- version counters -------------------------------------------------------------
def test_an_optimizer_step_between_forward_and_backward_is_refused():
    model = ag.nn.Linear(3, 2, seed=0)
    opt = ag.optim.SGD(model.parameters(), lr=0.1)
    x = ag.Tensor(np.ones((4, 3), dtype=np.float32))
    first, second = model(x).sum(), (model(x) ** 2).sum()
    first.backward()
    opt.step()
    with pytest.raises(RuntimeError, match="changed in place after it was used: its input w .* of 'linear'"):
        second.backward()


def test_fill_under_no_grad_after_forward_is_refused_at_backward():
    w = ag.tensor([2.0, 3.0], requires_grad=True)
    x = ag.tensor([1.0, 1.0], requires_grad=True)
    y = (w * x).sum()
    with ag.no_grad():
        w.fill_(100.0)
    with pytest.raises(RuntimeError, match="changed in place"):
        y.backward()


def test_a_change_after_backward_is_allowed_and_the_next_graph_sees_new_values():
    w = ag.tensor([2.0], requires_grad=True)
    (w * 3).sum().backward()
    with ag.no_grad():
        w.add_(1.0)
    w.grad = None
    (w * w).sum().backward()
    assert w.grad.tolist() == [6.0]


def test_in_place_on_a_leaf_that_requires_grad_is_refused_outside_no_grad():
    w = ag.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Tensor that requires grad"):
        w.mul_(2)


def test_in_place_with_an_operand_that_requires_grad_is_refused():
    t, w = ag.tensor([1.0]), ag.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="not recorded here"):
        t.add_(w)


def test_plus_equals_on_a_graph_tensor_rebinds_to_the_out_of_place_result():
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    total = w * 2
    before = total
    total += w
    assert total is not before and before.tolist() == [2.0, 4.0]
    total.sum().backward()
    assert w.grad.tolist() == [3.0, 3.0]


def test_plus_equals_on_a_constant_writes_in_place():
    t = ag.tensor([1.0, 2.0])
    array = t.data
    t += 1
    assert t.data is array and t.tolist() == [2.0, 3.0] and t._version > 0


@pytest.mark.parametrize("method, args, expected", [
    ("add_", (2.0,), [3.0, 4.0]), ("sub_", (1.0,), [0.0, 1.0]), ("mul_", (3.0,), [3.0, 6.0]),
    ("div_", (2.0,), [0.5, 1.0]), ("clamp_", (1.5, None), [1.5, 2.0]), ("fill_", (7.0,), [7.0, 7.0]),
    ("copy_", ([5.0, 6.0],), [5.0, 6.0]), ("zero_", (), [0.0, 0.0]),
])
def test_in_place_methods_change_the_values_and_return_the_tensor(method, args, expected):
    t = ag.tensor([1.0, 2.0])
    assert getattr(t, method)(*args) is t
    assert t.tolist() == expected


def test_in_place_add_keeps_pytorchs_casting_rule_and_names_shapes():
    ints = ag.tensor([1, 2])
    with pytest.raises(RuntimeError, match="cannot be cast to the tensor's dtype int64"):
        ints += 0.5
    with pytest.raises(RuntimeError, match=r"add_: an operand of shape \(3,\) does not broadcast to .*\(2,\)"):
        ag.tensor([1.0, 2.0]).add_(ag.tensor([1.0, 2.0, 3.0]))


def test_setitem_writes_and_moves_the_version():
    t = ag.tensor([[1.0, 2.0], [3.0, 4.0]])
    y = ag.tensor([[1.0, 1.0], [1.0, 1.0]], requires_grad=True) * t
    t[0] = ag.tensor([9.0, 9.0])
    assert t.tolist() == [[9.0, 9.0], [3.0, 4.0]]
    with pytest.raises(RuntimeError, match="changed in place"):
        y.sum().backward()


# -- ops know the module that made them (issue 11, part 2) ------------------------
class _Log(ag.nn.Module):
    def forward(self, x):
        return x.log()


def test_ops_record_the_innermost_module_whose_forward_made_them():
    model = ag.nn.Sequential(ag.nn.Linear(2, 2, seed=0), ag.nn.Sequential(ag.nn.Tanh(), _Log()))
    out = model(ag.tensor([[1.0, 2.0]], requires_grad=True))
    loss = (out - 1).sum()  # outside every module
    log = out.grad_fn
    tanh = log.input_nodes[0].grad_fn
    linear = tanh.input_nodes[0].grad_fn
    assert (log.scope.qualified_name(), tanh.scope.qualified_name(), linear.scope.qualified_name()) == (
        "1.1 (_Log)", "1.0 (Tanh)", "0 (Linear)")
    assert [type(m).__name__ for m in log.scope.chain()] == ["Sequential", "Sequential", "_Log"]
    assert loss.grad_fn.scope is None and ag.engine.module_scope() is None


def test_the_scope_is_restored_when_forward_raises():
    model = ag.nn.Sequential(ag.nn.Linear(2, 2, seed=0))
    with pytest.raises(Exception):
        model(ag.tensor([[1.0, 2.0, 3.0]]))
    assert ag.engine.module_scope() is None


def test_anomaly_messages_name_the_module():
    model = ag.nn.Sequential(ag.nn.Linear(2, 2, seed=0), _Log())
    with ag.detect_anomaly(), pytest.raises(ag.AnomalyError, match=r"'log' in 1 \(_Log\) produced nan"):
        model(ag.tensor([[-100.0, 100.0]], requires_grad=True))


def test_forward_hooks_see_and_may_replace_inputs_and_outputs():
    layer = ag.nn.Linear(2, 1, seed=0)
    seen = []
    pre = layer.register_forward_pre_hook(lambda m, args: (args[0] * 0,))
    post = layer.register_forward_hook(lambda m, args, out: seen.append((args[0].tolist(), out.shape)))
    out = layer(ag.tensor([[1.0, 2.0]]))
    assert seen == [([[0.0, 0.0]], (1, 1))] and out.tolist() == [[layer.bias.item()]]
    pre.remove()
    post.remove()
    layer(ag.tensor([[1.0, 2.0]]))
    assert len(seen) == 1


def test_buffers_are_in_the_state_dict_after_the_parameters_and_load_back():
    model = ag.nn.Sequential(ag.nn.Linear(2, 1, seed=0))
    model[0].register_buffer("running_mean", np.zeros(1, dtype=np.float32))
    model[0].register_buffer("scratch", np.zeros(3, dtype=np.float32), persistent=False)
    state = model.state_dict()
    assert list(state) == ["0.weight", "0.bias", "0.running_mean"]
    state["0.running_mean"] = np.array([5.0], dtype=np.float32)
    model.load_state_dict(state)
    assert model[0].running_mean.tolist() == [5.0]
    assert [name for name, _ in model.named_buffers()] == ["0.running_mean", "0.scratch"]


def test_an_op_whose_backward_reads_no_input_ignores_later_changes_to_it():
    a, c = ag.tensor([1.0], requires_grad=True), ag.tensor([5.0])
    y = (a + c).sum()  # add declares saves=(): its gradient needs neither input
    c.add_(1.0)
    y.backward()
    assert a.grad.tolist() == [1.0]


def test_an_op_whose_backward_reads_its_output_refuses_when_the_output_changed():
    a = ag.tensor([1.0], requires_grad=True)
    e = a.exp()  # exp's gradient is g·y: saves=("y",)
    loss = e.sum()  # sum reads no input
    with ag.no_grad():
        e.mul_(3.0)
    with pytest.raises(RuntimeError, match="its output .* of 'exp'"):
        loss.backward()
