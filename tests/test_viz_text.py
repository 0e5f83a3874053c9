"""viz.text: the graph as a plain-text tree, with no Graphviz at all."""
import os
import subprocess
import sys

import numpy as np

import autograd_lite as ag
import viz
from autograd_lite import Value

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_text_draws_the_tree_output_first_with_data_and_grad():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b + a
    c.backward()
    assert str(viz.text(c)).splitlines() == [
        "L  [+]  data -4.0000  grad 1.0000",
        "├── mul_1  [*]  data -6.0000  grad 1.0000",
        "│   ├── a  data 2.0000  grad -2.0000",
        "│   └── b  data -3.0000  grad 2.0000",
        "└── a  data 2.0000  grad -2.0000",
    ]


def test_a_shared_subgraph_is_expanded_once():
    x = Value(0.5, label="x")
    h = (x * 3).tanh()
    lines = str(viz.text(h * h)).splitlines()
    assert lines[1] == "├── tanh_1  [tanh]  data 0.9051  grad 0.0000"
    assert lines[-1] == "└── tanh_1  [tanh]  data 0.9051  grad 0.0000  (expanded above)"


def test_tensors_show_shape_dtype_and_small_values():
    w = ag.Tensor(np.array([1.0, -2.0], dtype=np.float32), requires_grad=True, name="w")
    loss = (w * w).sum()
    lines = str(viz.text(loss)).splitlines()
    assert lines == [
        "L  [sum]  scalar float32  data 5.0000",
        "└── mul_1  [*]  (2,) float32  data [1.0000, 4.0000]",
        "    ├── w  (2,) float32  data [ 1.0000, -2.0000]",
        "    └── w  (2,) float32  data [ 1.0000, -2.0000]",
    ]


def test_text_handles_deep_graphs():
    x = Value(1.0, label="x")
    y = x
    for _ in range(3000):
        y = y * 1.0
    assert len(str(viz.text(y)).splitlines()) == 6001


def test_text_works_without_the_graphviz_package():
    program = ("import sys; sys.modules['graphviz'] = None\n"
               "import viz; from autograd_lite import Value\n"
               "a = Value(2.0, label='a'); print(viz.text(a * a))\n"
               "try:\n    viz.to_dot(a * a)\nexcept ImportError as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", program], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[0] == "L  [*]  data 4.0000  grad 0.0000"
    assert "pip install graphviz" in out


def test_text_after_a_plain_backward_marks_freed_values():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    loss = (x.tanh() * 2).sum()
    loss.backward()
    text = str(viz.text(loss))
    assert "[tanh]  (2,) float32  (values freed by backward)" in text
    assert "grad [" in text  # the leaf keeps its gradient


def test_a_node_whose_values_backward_freed_shows_its_shape_and_dtype_only():
    import pytest
    w = ag.Tensor(np.array([1.0, -2.0], dtype=np.float32), requires_grad=True, name="w")
    loss = (w * w).sum()
    loss.backward()  # frees the product's values: nothing else holds it
    assert str(viz.text(loss)).splitlines()[1] == "└── mul_1  [*]  (2,) float32  (values freed by backward)"
    assert 'label="mul\\n(2,) float32" ' in viz.to_dot(loss)
    with pytest.raises(RuntimeError, match="freed the values of mul_1, which the chain rule needs"):
        viz.explain(loss)


def test_explain_after_a_plain_backward_works_where_the_values_are_held():
    w = ag.Tensor(np.array([1.0, -2.0], dtype=np.float32), requires_grad=True, name="w")
    square = w * w
    loss = square.sum()
    loss.backward()
    assert "dL/dw" in str(viz.explain(loss))


def test_the_constants_of_a_recorded_backward_say_what_they_are():
    x = Value(2.0, label="x")
    (slope,) = ag.grad(x ** 3, x, create_graph=True)
    lines = str(viz.text(slope)).splitlines()
    assert lines[1] == "├── seed  data 1.0000"
    assert lines[3] == "    ├── exponent 3  data 3.0000"
