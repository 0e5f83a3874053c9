"""viz.backward_steps / explain / render_steps: the chain rule one edge at a time, as the engine runs it."""
import html
import re
import shutil

import numpy as np
import pytest

import autograd_lite as ag
import viz
from autograd_lite import Value

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="the Graphviz 'dot' program is not installed")


def c_equals_ab_plus_a():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    return a * b + a


def test_steps_follow_the_engine_order_and_show_the_accumulation_into_a():
    steps = viz.backward_steps(c_equals_ab_plus_a())
    assert [(s.output, s.node) for s in steps] == [("L", "mul_1"), ("L", "a"), ("mul_1", "a"), ("mul_1", "b")]
    into_a = [s for s in steps if s.node == "a"]
    assert [(s.upstream, s.local, s.product, s.gradient, s.accumulates) for s in into_a] == [
        (1.0, 1.0, 1.0, 1.0, False),      # through +: dL/da = 1
        (1.0, -3.0, -3.0, -2.0, True),    # through *: dL/da += b  ->  1 + (-3)
    ]


def test_steps_state_each_local_derivative_with_the_nodes_names():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b
    c.label = "c"
    assert [s.derivative for s in viz.backward_steps(c)] == ["∂c/∂a = b", "∂c/∂b = a"]


def test_explain_reads_as_the_chain_rule():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b
    c.label = "c"
    lines = str(viz.explain(c + a)).splitlines()
    assert lines == [
        "dL/dL = 1.0000",
        "dL/dc = dL/dL · dL/dc = 1.0000 · 1.0000 = 1.0000   (∂L/∂c = 1)",
        "dL/da = dL/dL · dL/da = 1.0000 · 1.0000 = 1.0000   (∂L/∂a = 1)",
        "dL/da += dL/dc · dc/da = 1.0000 · -3.0000 = -3.0000  → dL/da = -2.0000   (∂c/∂a = b)",
        "dL/db = dL/dc · dc/db = 1.0000 · 2.0000 = 2.0000   (∂c/∂b = a)",
    ]


def test_explain_shows_as_lines_in_a_repl():
    shown = repr(viz.explain(c_equals_ab_plus_a()))
    assert shown.startswith("dL/dL = 1.0000\n")


def test_steps_need_no_backward_and_match_the_engine_for_scalars():
    x, y = Value(0.7, label="x"), Value(-1.3, label="y")
    out = ((x * y).tanh() + x.exp() / (y * y) - (x ** 3).relu()).sigmoid() * x
    steps = viz.backward_steps(out)
    assert x.grad == 0.0 and y.grad == 0.0  # nothing written into .grad
    final = {s.node: s.gradient for s in steps}
    out.backward()
    assert final["x"] == pytest.approx(x.grad, rel=1e-12)
    assert final["y"] == pytest.approx(y.grad, rel=1e-12)


def tensor_loss():
    rng = np.random.default_rng(1)
    x = ag.Tensor(rng.normal(size=(4, 3)).astype(np.float32), name="x")
    w = ag.Tensor(rng.normal(size=(3, 2)).astype(np.float32), requires_grad=True, name="w")
    b = ag.Tensor(np.zeros(2, dtype=np.float32), requires_grad=True, name="b")
    h = (x @ w + b).tanh()
    return (h * h + h).mean(), w, b


def test_steps_match_the_engine_for_tensors_including_broadcasting():
    loss, w, b = tensor_loss()
    final = {s.node: s.gradient for s in viz.backward_steps(loss)}
    loss.backward()
    np.testing.assert_allclose(final["w"], w.grad.data, rtol=1e-6)
    np.testing.assert_allclose(final["b"], b.grad.data, rtol=1e-6)
    assert final["b"].shape == (2,)  # summed back over the batch, as the engine does


def test_tensor_steps_give_shapes_and_the_ops_rule():
    loss, _, _ = tensor_loss()
    lines = str(viz.explain(loss, max_elements=4)).splitlines()
    assert "dL/dw = xᵀ @ g with g = dL/dmatmul_1 = (4, 2) float32: (3, 2) float32" in lines
    (into_b,) = [line for line in lines if line.startswith("dL/db ")]
    assert re.fullmatch(r"dL/db = dL/dadd_1 · dadd_1/db = \(4, 2\) float32 · \[1\] = \[-?\d\.\d{4}, -?\d\.\d{4}\]",
                        into_b)


def test_steps_refuse_what_has_no_chain_rule():
    with pytest.raises(ValueError, match="one-element"):
        viz.backward_steps(ag.tensor([1.0, 2.0], requires_grad=True) * 2)
    with pytest.raises(ValueError, match="does not require grad"):
        viz.backward_steps(ag.tensor([1.0]) * 2)
    loss, _, _ = tensor_loss()
    loss.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        viz.backward_steps(loss)


@needs_dot
def test_render_steps_writes_one_picture_per_step_and_a_page_listing_the_same_steps(tmp_path):
    c = c_equals_ab_plus_a()
    index = viz.render_steps(c, tmp_path)
    steps = viz.backward_steps(c)
    assert index == str(tmp_path / "index.html")
    assert sorted(p.name for p in tmp_path.glob("*.svg")) == [f"step_{k:03d}.svg" for k in range(1, len(steps) + 1)]
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    listed = [html.unescape(item) for item in re.findall(r'<li data-step="\d+">(.*?)</li>', page)]
    assert listed == [s.text() for s in steps]
    assert page.count("data:image/svg+xml;base64,") == len(steps)


@needs_dot
def test_the_page_works_offline_and_steps_with_buttons_and_arrow_keys(tmp_path):
    page = open(viz.render_steps(c_equals_ab_plus_a(), tmp_path), encoding="utf-8").read()
    assert not re.search(r'(src|href)="(https?:)?//', page)
    assert 'id="prev"' in page and 'id="next"' in page
    assert '"ArrowLeft"' in page and '"ArrowRight"' in page


@needs_dot
def test_each_step_picture_highlights_its_edge_and_marks_partial_gradients(tmp_path):
    viz.render_steps(c_equals_ab_plus_a(), tmp_path)
    second = html.unescape((tmp_path / "step_002.svg").read_text(encoding="utf-8"))
    assert "grad 1.0000 (so far)" in second   # a, reached through +, still waits for *
    assert "grad ?" in second                 # b not reached yet
    assert 'stroke="#d62728"' in second       # the edge being followed
    last = html.unescape((tmp_path / "step_004.svg").read_text(encoding="utf-8"))
    assert "(so far)" not in last and "grad -2.0000" in last


def test_render_steps_refuses_more_steps_than_asked_for(tmp_path):
    x = Value(1.0, label="x")
    y = x
    for _ in range(30):
        y = y * 1.01
    with pytest.raises(ValueError, match="max_steps=30"):
        viz.render_steps(y, tmp_path, max_steps=10)
    assert not list(tmp_path.iterdir())
