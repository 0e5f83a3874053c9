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


def test_explain_separates_the_upstream_gradient_from_the_local_derivative():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b
    c.label = "c"
    lines = str(viz.explain(c + a)).splitlines()
    assert lines == [
        "dL/dL = 1.0 (the seed: L changes one for one with itself)",
        "dL/dc = dL/dL (upstream 1.0) × ∂L/∂c (local: 1) = 1.0",
        "dL/da = dL/dL (upstream 1.0) × ∂L/∂a (local: 1) = 1.0",
        "dL/da += dL/dc (upstream 1.0) × ∂c/∂a (local: b = -3.0) = -3.0  → dL/da = -2.0",
        "dL/db = dL/dc (upstream 1.0) × ∂c/∂b (local: a = 2.0) = 2.0",
    ]


def test_explain_names_which_argument_an_input_used_twice_by_one_op_fills():
    x = Value(3.0, label="x")
    y = x * x
    y.label = "y"
    assert str(viz.explain(y)).splitlines()[1:] == [
        "dy/dx = dy/dy (upstream 1.0) × ∂(x*x)/∂x, first factor (local: x = 3.0) = 3.0",
        "dy/dx += dy/dy (upstream 1.0) × ∂(x*x)/∂x, second factor (local: x = 3.0) = 3.0  → dy/dx = 6.0",
    ]


def test_explain_shows_the_sum_over_a_broadcast_axis_as_its_own_step():
    x = ag.Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True, name="x")
    b = ag.Tensor([10.0, 20.0, 30.0], requires_grad=True, name="b")
    y = x + b
    y.name = "y"
    lines = str(viz.explain((y * x).sum())).splitlines()
    into_b = [line for line in lines if line.startswith(("dL/db", "dL/d(b"))]
    assert into_b == [
        "dL/d(b broadcast to (2, 3)) = dL/dy (upstream [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]) × ∂y/∂b "
        "(local, elementwise: 1) = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]",
        "dL/db = Σ over axis 0 of [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]] = [5.0, 7.0, 9.0]   "
        "(b was broadcast to (2, 3): its gradient adds up its copies')",
    ]


def test_a_loss_target_is_named_target_not_by_its_value():
    logits = ag.Tensor([[1.0, 2.0, 3.0]], requires_grad=True, name="z")
    lines = str(viz.explain(ag.functional.cross_entropy(logits, np.array([0])))).splitlines()
    assert "(local, elementwise: softmax(z)·Σtarget - target)" in lines[-1]


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


def test_tensor_steps_give_shapes_with_a_preview_and_say_when_a_rule_is_vector_jacobian():
    loss, _, _ = tensor_loss()
    lines = str(viz.explain(loss, max_elements=4)).splitlines()
    (into_w,) = [line for line in lines if line.startswith("dL/dw ")]
    assert re.fullmatch(r"dL/dw = xᵀ @ g, the vector-Jacobian rule, with g = dL/dmatmul_1 \(upstream \(4, 2\) float32 "
                        r"\[\S+, \S+, \S+, …\]\) = \(3, 2\) float32 \[\S+, \S+, \S+, …\]", into_w), into_w
    (into_b,) = [line for line in lines if line.startswith("dL/db ")]
    assert re.fullmatch(r"dL/db = Σ over axis 0 of \(4, 2\) float32 \[.*, …\] = \[-?\d\.\d+, -?\d\.\d+\]   "
                        r"\(b was broadcast to \(4, 2\): its gradient adds up its copies'\)", into_b), into_b


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
def test_render_steps_writes_one_picture_per_line_of_explain_and_a_page_listing_those_lines(tmp_path):
    c = c_equals_ab_plus_a()
    index = viz.render_steps(c, tmp_path)
    lines = str(viz.explain(c)).splitlines()
    assert index == str(tmp_path / "index.html")
    assert sorted(p.name for p in tmp_path.glob("*.svg")) == [f"step_{k:03d}.svg" for k in range(1, len(lines) + 1)]
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    listed = [html.unescape(item) for item in re.findall(r'<li data-step="\d+">(.*?)</li>', page)]
    assert listed == lines
    assert page.count("data:image/svg+xml;base64,") == len(lines)


def _node_boxes(svg: str) -> dict[str, str]:
    """Node id -> the coordinates of its outline, from Graphviz's SVG."""
    return dict(re.findall(r'<title>(n\d+(?:_op)?)</title>\s*<(?:polygon|ellipse|path)[^>]*?'
                           r'(?:points|cx|d)="([^"]+)"', svg))


@needs_dot
def test_every_step_picture_keeps_the_same_layout(tmp_path):
    x = ag.Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True, name="x")
    b = ag.Tensor([10.0, 20.0, 30.0], requires_grad=True, name="b")
    viz.render_steps(((x + b) * x).sum(), tmp_path)
    boxes = [_node_boxes((tmp_path / f"step_{k:03d}.svg").read_text(encoding="utf-8")) for k in range(1, 8)]
    assert len(boxes[0]) == 5
    assert all(b == boxes[0] for b in boxes)


@needs_dot
def test_the_page_works_offline_and_steps_with_buttons_and_arrow_keys(tmp_path):
    page = open(viz.render_steps(c_equals_ab_plus_a(), tmp_path), encoding="utf-8").read()
    assert not re.search(r'(src|href)="(https?:)?//', page)
    assert 'id="prev"' in page and 'id="next"' in page
    assert '"ArrowLeft"' in page and '"ArrowRight"' in page


@needs_dot
def test_each_step_picture_highlights_its_edge_and_marks_partial_gradients(tmp_path):
    viz.render_steps(c_equals_ab_plus_a(), tmp_path)
    first = html.unescape((tmp_path / "step_001.svg").read_text(encoding="utf-8"))
    assert "dL/dL = 1.0 (the seed" in first and 'stroke="#d62728"' not in first
    third = html.unescape((tmp_path / "step_003.svg").read_text(encoding="utf-8"))
    assert "grad 1.0000 (so far)" in third    # a, reached through +, still waits for *
    assert "grad ?" in third                  # b not reached yet
    assert 'stroke="#d62728"' in third        # the edge being followed
    last = html.unescape((tmp_path / "step_005.svg").read_text(encoding="utf-8"))
    assert "(so far)" not in last and "grad -2.0000" in last


def test_render_steps_refuses_more_steps_than_asked_for(tmp_path):
    x = Value(1.0, label="x")
    y = x
    for _ in range(30):
        y = y * 1.01
    with pytest.raises(ValueError, match="max_steps=30"):
        viz.render_steps(y, tmp_path, max_steps=10)
    assert not list(tmp_path.iterdir())


@needs_dot
def test_the_stepper_shows_inline_in_a_notebook_as_the_same_page(tmp_path):
    c = c_equals_ab_plus_a()
    shown = viz.stepper(c)._repr_html_()
    assert shown.startswith('<iframe srcdoc="&lt;!DOCTYPE html&gt;')
    page = html.unescape(re.search(r'srcdoc="([^"]*)"', shown).group(1))
    listed = [html.unescape(item) for item in re.findall(r'<li data-step="\d+">(.*?)</li>', page)]
    assert listed == str(viz.explain(c)).splitlines()
    assert '"ArrowRight"' in page and page.count("data:image/svg+xml;base64,") == 5
    assert viz.stepper(c).save(tmp_path / "steps.html") == str(tmp_path / "steps.html")
