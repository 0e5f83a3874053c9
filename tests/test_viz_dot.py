"""viz.draw / to_dot / render: what the picture of a graph contains, and that it is the same every run."""
import html
import os
import re
import shutil
import subprocess
import sys
import time

import numpy as np
import pytest

import autograd_lite as ag
import viz
from autograd_lite import Value
from autograd_lite.ops.elementwise import TanhOp
from viz.dot import CHECK_OK, CHECK_WRONG, INPUT, LOSS, PARAMETER

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="the Graphviz 'dot' program is not installed")


def c_equals_ab_plus_a():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b + a
    c.label = "c"
    c.backward()
    return c


def node_line(dot, node_id):
    (line,) = [line for line in dot.splitlines() if line.strip().startswith(node_id + " [")]
    return line


def edges(dot):
    return re.findall(r"^\s*(\w+) -> (\w+)", dot, flags=re.M)


def tiny_mlp(batch=3):
    """Seed 000's model shape (2 -> Dense(sigmoid) -> Dense(softmax)), small, with its Keras loss."""
    model = ag.nn.Sequential([ag.nn.Dense(4, activation="sigmoid", input_dim=2, seed=0),
                              ag.nn.Dense(3, activation="softmax", input_dim=4, seed=1)])
    x = ag.Tensor(np.random.default_rng(0).normal(size=(batch, 2)).astype(np.float32), name="x")
    loss = ag.nn.SparseCategoricalCrossentropy()(np.arange(batch) % 3, model(x))
    return model, loss


def clusters(dot):
    """{cluster label: [first label line of each node directly inside]}, and {cluster label: enclosing label}."""
    members, parents, stack = {}, {}, []
    for line in dot.splitlines():
        if re.match(r"\s*subgraph cluster_\d+ \{", line):
            stack.append(None)
        elif stack and stack[-1] is None and re.search(r"labeljust=l", line):
            title = re.search(r'\blabel=(?:"([^"]*)"|(\w+))', line)
            stack[-1] = title.group(1) or title.group(2)
            members[stack[-1]] = []
            parents[stack[-1]] = stack[-2] if len(stack) > 1 else None
        elif line.strip() == "}" and stack:
            stack.pop()
        elif stack and (node := re.match(r'\s*n\d+ \[label="([^"\\]*)', line)):
            members[stack[-1]].append(node.group(1))
    return members, parents


# -- scalar graphs: micrograd's look ---------------------------------------------------------

def test_scalar_graph_has_one_record_per_value_and_one_node_per_op():
    dot = viz.to_dot(c_equals_ab_plus_a())
    records = re.findall(r"shape=record", dot)
    ops = re.findall(r"shape=ellipse", dot)
    assert (len(records), len(ops)) == (4, 2)
    # four edges into the two ops, and one from each op to its result
    assert len(edges(dot)) == 6


def test_scalar_records_show_label_data_and_grad():
    dot = viz.to_dot(c_equals_ab_plus_a())
    assert '"a | data 2.0000 | grad -2.0000"' in node_line(dot, "n0")
    assert '"b | data -3.0000 | grad 2.0000"' in node_line(dot, "n1")
    assert '"c | data -4.0000 | grad 1.0000"' in node_line(dot, "n3")
    assert 'label="*"' in node_line(dot, "n2_op") and 'label="+"' in node_line(dot, "n3_op")


def test_a_value_used_twice_gets_two_edges():
    a = Value(3.0, label="a")
    y = a * a
    dot = viz.to_dot(y)
    assert edges(dot).count(("n0", "n1_op")) == 2


def test_show_data_and_show_grad_can_be_turned_off():
    dot = viz.to_dot(c_equals_ab_plus_a(), show_data=False, show_grad=False)
    assert not re.search(r"\b(data|grad) ", dot)


def test_constants_are_drawn_without_a_gradient():
    a = Value(2.0, label="a")
    dot = viz.to_dot(a * 5)
    assert '" | data 5.0000"' in node_line(dot, "n1")


def test_edge_labels_state_the_local_derivative_with_its_value():
    dot = viz.to_dot(c_equals_ab_plus_a(), edge_derivatives=True)
    assert 'n0 -> n2_op [label="∂mul_1/∂a = b = -3.0"]' in dot
    assert 'n1 -> n2_op [label="∂mul_1/∂b = a = 2.0"]' in dot
    assert 'n0 -> n3_op [label="∂c/∂a = 1"]' in dot  # a number needs no "= 1.0" after it


def test_edge_labels_say_when_a_rule_is_vector_jacobian_and_when_a_sum_follows_a_broadcast():
    x = ag.Tensor(np.ones((2, 3), dtype=np.float32), requires_grad=True, name="x")
    w = ag.Tensor(np.ones((3, 2), dtype=np.float32), requires_grad=True, name="w")
    b = ag.Tensor(np.zeros(2, dtype=np.float32), requires_grad=True, name="b")
    dot = viz.to_dot((x @ w + b).sum(), edge_derivatives=True)
    assert 'n1 -> n2 [label="vector-Jacobian rule:\\ndL/dw = xᵀ @ g (g = dL/dmatmul_1)"]' in dot
    assert 'n3 -> n4 [label="∂add_1/∂b = 1\\nthen Σ over axis 0 (b was broadcast)"]' in dot


def test_layout_direction_is_passed_to_graphviz():
    assert "rankdir=TB" in viz.to_dot(c_equals_ab_plus_a(), rankdir="TB")


# -- tensor graphs ------------------------------------------------------------------------------

def test_tensor_ops_are_named_and_values_show_shape_and_dtype():
    x = ag.Tensor(np.ones((2, 3), dtype=np.float32), name="x")
    w = ag.Tensor(np.ones((3, 4), dtype=np.float32), requires_grad=True, name="w")
    loss = (x @ w).sum()
    loss.backward(retain_graph=True)
    dot = viz.to_dot(loss, max_elements=6)
    assert 'label="x\\n(2, 3) float32\\ndata [[1.0000, 1.0000, 1.0000],\\n[1.0000, 1.0000, 1.0000]]"' in dot  # a row per line
    assert 'label="w\\n(3, 4) float32\\ngrad norm 6.9282"' in dot  # 12 entries > max_elements: the norm
    assert 'label="matmul\\n(2, 4) float32"' in dot
    assert 'label="sum\\nscalar float32\\ndata 24.0000"' in dot


def test_parameters_inputs_and_loss_have_their_own_colours():
    model, loss = tiny_mlp()
    loss.backward(retain_graph=True)
    dot = viz.to_dot(loss, params=model)
    assert f'fillcolor="{PARAMETER}"' in node_line(dot, "n1")          # 0.weight
    assert f'fillcolor="{INPUT}"' in node_line(dot, "n0")              # the batch x
    root = max(int(n) for n in re.findall(r"^\s*n(\d+) \[", dot, flags=re.M))
    assert f'fillcolor="{LOSS}"' in node_line(dot, f"n{root}")
    assert len({PARAMETER, INPUT, LOSS}) == 3


def test_ops_of_each_layer_are_drawn_in_a_cluster_named_after_it():
    model, loss = tiny_mlp()
    got, parents = clusters(viz.to_dot(loss, params=model))
    assert list(got) == ["Sequential", "0 (Dense)", "1 (Dense)", "SparseCategoricalCrossentropy"]
    assert parents == {"Sequential": None, "0 (Dense)": "Sequential", "1 (Dense)": "Sequential",
                       "SparseCategoricalCrossentropy": None}
    # a dense layer is one fused op, x @ wᵀ + b (ops.LinearOp); its activation is called inside its forward
    assert got["0 (Dense)"] == ["0.weight", "0.bias", "linear", "sigmoid"]
    assert got["1 (Dense)"] == ["1.weight", "1.bias", "linear", "softmax(axis=-1)"]


def test_a_loss_module_is_a_cluster_of_its_own_outside_the_model():
    model, loss = tiny_mlp()
    got, parents = clusters(viz.to_dot(loss, params=model))
    inside_model = sum((ops for title, ops in got.items() if title != "SparseCategoricalCrossentropy"), [])
    assert "log" not in inside_model and "mean" not in inside_model
    assert "log" in got["SparseCategoricalCrossentropy"] and "mean" in got["SparseCategoricalCrossentropy"]


def test_each_op_is_in_the_cluster_of_the_module_whose_forward_made_it():
    model = ag.nn.Sequential(ag.nn.Linear(3, 4), ag.nn.Tanh(), ag.nn.Linear(4, 1))
    x = ag.Tensor(np.ones((2, 3), dtype=np.float32), name="x")
    loss = ag.functional.mse_loss(model(x), np.zeros((2, 1), dtype=np.float32))
    dot = viz.to_dot(loss, params=model)
    got, parents = clusters(dot)
    assert got == {"Sequential": [], "0 (Linear)": ["0.weight", "0.bias", "linear"], "1 (Tanh)": ["tanh"],
                   "2 (Linear)": ["2.weight", "2.bias", "linear"]}
    assert parents == {"Sequential": None, "0 (Linear)": "Sequential", "1 (Tanh)": "Sequential",
                       "2 (Linear)": "Sequential"}
    assert re.search(r'^\tn\d+ \[label="sub\\n', dot, flags=re.M)  # the loss's sub: outside every cluster
    assert re.search(r'^\tn\d+ \[label="x\\n', dot, flags=re.M)    # so is the input the user passed


def test_nested_modules_nest_as_clusters():
    class Block(ag.nn.Module):
        def __init__(self):
            self.inner = ag.nn.Sequential(ag.nn.Linear(2, 2), ag.nn.ReLU())
            self.scale = ag.nn.Parameter(ag.Tensor(np.ones(2, dtype=np.float32)))

        def forward(self, x):
            return self.inner(x) * self.scale

    block = Block()
    loss = block(ag.Tensor(np.ones((1, 2), dtype=np.float32))).sum()
    got, parents = clusters(viz.to_dot(loss, params=block))
    assert parents == {"Block": None, "inner (Sequential)": "Block", "inner.0 (Linear)": "inner (Sequential)",
                       "inner.1 (ReLU)": "inner (Sequential)"}
    assert got["Block"] == ["scale", "mul"] and got["inner.1 (ReLU)"] == ["relu"]


def test_text_names_the_module_that_made_each_op():
    model = ag.nn.Sequential(ag.nn.Linear(3, 4), ag.nn.Tanh(), ag.nn.Linear(4, 1))
    loss = ag.functional.mse_loss(model(ag.Tensor(np.ones((2, 3), dtype=np.float32))),
                                  np.zeros((2, 1), dtype=np.float32))
    lines = str(viz.text(loss)).splitlines()
    assert any("── tanh_1  [tanh]  in 1 (Tanh)  (2, 4) float32" in line for line in lines)
    assert any("linear_2  [linear]  in 2 (Linear)  (2, 1) float32" in line for line in lines)
    assert lines[0].startswith("L  [mean]  scalar")  # made outside every module: no "in"
    assert any("sub_1  [-]  (2, 1)" in line for line in lines)


def test_params_can_be_named_parameters_or_a_dict():
    model, loss = tiny_mlp()
    by_pairs = viz.to_dot(loss, params=model.named_parameters())
    by_dict = viz.to_dot(loss, params=dict(model.named_parameters()))
    assert by_pairs == by_dict and "0.weight" in by_pairs
    assert "1.bias" in by_pairs


def test_without_params_the_clusters_stay_and_leaves_get_generated_names():
    _, loss = tiny_mlp()
    dot = viz.to_dot(loss)
    assert list(clusters(dot)[0])[:3] == ["Sequential", "0 (Dense)", "1 (Dense)"] and "leaf_1" in dot


def test_bad_params_are_refused_with_what_is_expected():
    _, loss = tiny_mlp()
    with pytest.raises(TypeError, match="named_parameters"):
        viz.draw(loss, params=42)
    with pytest.raises(TypeError, match="named_parameters"):
        viz.draw(loss, params=[("w", np.ones(2))])


def test_bad_options_are_refused():
    c = c_equals_ab_plus_a()
    with pytest.raises(ValueError, match="rankdir"):
        viz.draw(c, rankdir="sideways")
    with pytest.raises(ValueError, match="max_nodes"):
        viz.draw(c, max_nodes=0)
    with pytest.raises(TypeError, match="show_grad"):
        viz.draw(c, show_grad="yes")
    with pytest.raises(TypeError, match="Value or a Tensor"):
        viz.draw(3.0)


def _mlp_loss_after_plain_backward():
    model = ag.nn.Sequential(ag.nn.Linear(3, 4, seed=0), ag.nn.Tanh(), ag.nn.Linear(4, 1, seed=1))
    x = ag.tensor(np.ones((2, 3), dtype=np.float32))
    loss = ag.functional.mse_loss(model(x), ag.tensor(np.zeros((2, 1), dtype=np.float32)))
    loss.backward()  # no retain_graph: as torchviz users draw after backward
    return model, loss


def test_to_dot_after_a_plain_backward_shows_ops_shapes_and_parameter_gradients():
    model, loss = _mlp_loss_after_plain_backward()
    dot = viz.to_dot(loss, params=model)
    assert "tanh" in dot and "(2, 4) float32" in dot  # a freed intermediate: its op and shape
    assert "0.weight" in dot and "2.bias" in dot and "grad" in dot
    assert viz.to_dot(loss, params=model) == dot  # still deterministic


def test_draw_and_render_after_a_plain_backward(tmp_path):
    pytest.importorskip("graphviz")
    model, loss = _mlp_loss_after_plain_backward()
    assert viz.draw(loss, params=model).source == viz.to_dot(loss, params=model)
    if shutil.which("dot") is None:
        pytest.skip("the Graphviz dot program is not installed")
    out = viz.render(loss, str(tmp_path / "after.svg"), params=model)
    assert "tanh" in open(out, encoding="utf-8").read()


def test_a_freed_intermediate_the_user_still_holds_is_drawn_with_its_values():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    square = x * x
    loss = square.sum()
    loss.backward()
    assert "data [1.0000, 4.0000]" in viz.to_dot(loss)


def test_an_op_with_several_results_is_drawn_by_its_name_and_settings_after_backward():
    x = ag.tensor([[3.0, 1.0], [0.0, 2.0]], requires_grad=True)
    rows = x.unbind(0)
    loss = (rows[0] * rows[1]).sum() + x.sort(dim=1).values.sum()
    loss.backward(retain_graph=True)  # the check below needs the values
    dot = viz.to_dot(loss)
    assert dot.count("unbind(dim=0)") == 2 and "sort(dim=1, ascending)" in dot  # one op box per result used
    checked = viz.to_dot(loss, check=True)  # each result's own gradient, checked against its own forward
    assert checked.count(CHECK_OK) >= 5 and CHECK_WRONG not in checked


# -- big graphs --------------------------------------------------------------------------------

def test_a_deep_graph_is_walked_without_recursion_and_capped_with_a_note():
    x = ag.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(3000):
        y = y * 1.0001
    dot = viz.to_dot(y.sum(), max_nodes=50)
    assert len(re.findall(r"^\s*n\d+ \[", dot, flags=re.M)) == 50
    note = node_line(dot, "left_out")
    assert "5952 more nodes not drawn (max_nodes=50)" in note and "mul ×" in note
    assert "max_nodes=None" in note


# -- the gradient-check overlay ----------------------------------------------------------------

class WrongTanh(TanhOp):
    """tanh with a deliberately wrong backward (forgets the square)."""
    __slots__ = ()

    def backward(self, g, y, x):
        return (g * (1 - y),)


def test_check_colours_a_wrong_backward_apart_from_correct_ones():
    a, b = Value(0.5, label="a"), Value(-1.5, label="b")
    out = WrongTanh()(a * b) + TanhOp()(a)
    dot = viz.to_dot(out, check=True)
    colours = {label: colour for label, colour in
               re.findall(r'n\d+_op \[label="([^"\\]*)\\ncheck: [^"]*" fillcolor="([^"]*)"', dot)}
    assert colours == {"*": CHECK_OK, "tanh": colours["tanh"], "+": CHECK_OK}
    wrong = re.findall(r'label="tanh\\ncheck: (\w+)[^"]*" fillcolor="([^"]*)"', dot)
    assert sorted(wrong) == [("ok", CHECK_OK), ("wrong", CHECK_WRONG)]


def test_check_on_a_model_passes_and_leaves_the_graph_usable():
    model, loss = tiny_mlp()
    dot = viz.to_dot(loss, params=model, check=True)
    verdicts = re.findall(r"check: (\w+)", dot)
    assert verdicts and set(verdicts) == {"ok"}
    loss.backward()  # the check ran ops on copies: the graph still backpropagates normally
    fresh_model, fresh_loss = tiny_mlp()
    fresh_loss.backward()
    for (_, p), (_, q) in zip(model.named_parameters(), fresh_model.named_parameters()):
        np.testing.assert_allclose(p.grad.data, q.grad.data, rtol=1e-6)


# -- deterministic text ------------------------------------------------------------------------

PROGRAM = """
import numpy as np, autograd_lite as ag, viz
a, b = ag.Value(2.0, label="a"), ag.Value(-3.0, label="b")
c = a * b + a.tanh()
c.backward()
model = ag.nn.Sequential([ag.nn.Dense(4, activation="sigmoid", input_dim=2, seed=0),
                          ag.nn.Dense(3, activation="softmax", input_dim=4, seed=1)])
x = ag.Tensor(np.random.default_rng(0).normal(size=(3, 2)).astype(np.float32))
loss = ag.nn.SparseCategoricalCrossentropy()(np.arange(3), model(x))
print(viz.to_dot(c, edge_derivatives=True) + viz.to_dot(loss, params=model, check=True))
"""


def test_dot_text_is_byte_identical_across_runs():
    runs = [subprocess.run([sys.executable, "-c", PROGRAM], cwd=ROOT, capture_output=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout for seed in (1, 2)]
    assert runs[0] == runs[1] and b"digraph" in runs[0]


# -- rendering to files ------------------------------------------------------------------------

def test_render_picks_the_format_from_the_extension(tmp_path):
    path = viz.render(c_equals_ab_plus_a(), tmp_path / "graph.dot")
    assert path == str(tmp_path / "graph.dot")
    assert (tmp_path / "graph.dot").read_text(encoding="utf-8").startswith("digraph autograd {")
    with pytest.raises(ValueError, match=r"\.svg, \.png, \.pdf, \.dot"):
        viz.render(c_equals_ab_plus_a(), tmp_path / "graph.jpg")


@needs_dot
def test_render_writes_a_real_svg(tmp_path):
    viz.render(c_equals_ab_plus_a(), tmp_path / "graph.svg")
    svg = html.unescape((tmp_path / "graph.svg").read_text(encoding="utf-8"))
    assert "<svg" in svg and "data 2.0000" in svg and "grad -2.0000" in svg
    assert not list(tmp_path.glob("*.part"))  # written atomically, nothing left behind


def test_without_the_dot_program_render_says_how_to_install_it_and_keeps_the_dot_file(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(viz.GraphvizNotFoundError) as caught:
        viz.render(c_equals_ab_plus_a(), tmp_path / "graph.png")
    message = str(caught.value)
    assert "apt-get install graphviz" in message and "brew install graphviz" in message
    assert "conda install" in message
    assert (tmp_path / "graph.dot").read_text(encoding="utf-8").startswith("digraph")
    assert not (tmp_path / "graph.png").exists()



# -- a Graphviz that fails or runs too long ------------------------------------------------------

def _fake_dot(tmp_path, monkeypatch, script):
    folder = tmp_path / "bin"
    folder.mkdir()
    (folder / "dot").write_text("#!/bin/sh\n" + script + "\n")
    (folder / "dot").chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")


posix_only = pytest.mark.skipif(os.name != "posix", reason="a shell script stands in for dot")


@posix_only
def test_a_dot_that_runs_too_long_is_stopped_at_the_timeout_with_what_to_try(tmp_path, monkeypatch):
    _fake_dot(tmp_path, monkeypatch, "exec sleep 30")
    started = time.monotonic()
    with pytest.raises(viz.GraphvizTimeoutError) as caught:
        viz.render(c_equals_ab_plus_a(), tmp_path / "graph.svg", timeout=0.5)
    assert time.monotonic() - started < 10
    message = str(caught.value)
    assert f"Graphviz 'dot' ran longer than timeout=0.5 s on {tmp_path / 'graph.svg'} and was stopped" in message
    assert "max_nodes=" in message and "rankdir=" in message and "viz.text(root)" in message
    assert os.listdir(tmp_path) == ["bin"]


@posix_only
def test_a_dot_that_fails_is_a_graphviz_error_with_its_message(tmp_path, monkeypatch):
    _fake_dot(tmp_path, monkeypatch, "echo 'Error: out of memory' >&2; exit 3")
    with pytest.raises(viz.GraphvizError, match=r"Graphviz 'dot' failed on .*graph\.svg \(exit status 3\): "
                                                r"Error: out of memory"):
        viz.render(c_equals_ab_plus_a(), tmp_path / "graph.svg")
    assert os.listdir(tmp_path) == ["bin"]


def test_the_timeout_must_be_a_positive_number_or_none(tmp_path):
    with pytest.raises(ValueError, match="timeout must be a positive number of seconds, or None; got 0"):
        viz.render(c_equals_ab_plus_a(), tmp_path / "graph.svg", timeout=0)


def test_a_label_with_a_nul_character_is_refused_by_name():
    a = Value(2.0, label="a\0b")
    with pytest.raises(ValueError, match=r"viz: cannot draw the label 'a\\x00b': it contains a NUL character"):
        viz.to_dot(a * a)


def test_a_loss_target_is_drawn_as_target_and_a_one_number_constant_as_a_constant():
    logits = ag.Tensor([[1.0, 2.0, 3.0]], requires_grad=True, name="z")
    dot = viz.to_dot(ag.functional.cross_entropy(logits, np.array([0])))
    assert 'label="target\\n(1,) int64' in dot
    dot = viz.to_dot(logits * 3)
    assert 'label="constant 3\\nscalar float32' in dot


def test_cluster_titles_agree_with_parameter_names_inside_a_keras_model():
    model = ag.Model(ag.nn.Sequential([ag.nn.Dense(4, activation="relu", input_dim=2, seed=0),
                                       ag.nn.Dense(3, input_dim=4, seed=1)]))
    loss = model(ag.Tensor(np.ones((1, 2), dtype=np.float32))).sum()
    got, parents = clusters(viz.to_dot(loss, params=model))
    assert got["0 (Dense)"][:2] == ["0.weight", "0.bias"]  # Model adds no "module." level to either
    assert parents["0 (Dense)"] == "module (Sequential)" and parents["module (Sequential)"] == "Model"
