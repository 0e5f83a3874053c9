"""The expressions of `autograd-lite draw`: parsed over a whitelist, never evaluated as Python."""
import builtins
import math

import pytest

import viz
from viz.expr import build_expression


def test_assignments_are_read_as_floats():
    assert viz.parse_assignments("a=2,b=-3") == {"a": 2.0, "b": -3.0}
    assert viz.parse_assignments(" x = 1e-3 , y=.5 ") == {"x": 0.001, "y": 0.5}
    assert viz.parse_assignments("") == {}


@pytest.mark.parametrize("text, message", [
    ("a", "name=number"),
    ("a=", "name=number"),
    ("a=2,,b=3", "name=number"),
    ("a=two", "not a number"),
    ("a=nan", "finite"),
    ("a=inf", "finite"),
    ("a=1,a=2", "given twice"),
    ("1a=2", "not a usable variable name"),
    ("__class__=1", "not a usable variable name"),
    ("tanh=1", "name of a function"),
])
def test_bad_assignments_are_refused_with_the_reason(text, message):
    with pytest.raises(ValueError, match=message):
        viz.parse_assignments(text)


def test_the_expression_becomes_a_graph_of_labelled_values():
    root = build_expression("a*b + tanh(a)", {"a": 2, "b": -3})
    assert root.label == "L"
    assert root.data == pytest.approx(2 * -3 + math.tanh(2))
    add = root.grad_fn
    mul, tanh = add.inputs
    assert (mul.label, tanh.label) == ("a * b", "tanh(a)")
    assert mul.grad_fn.inputs[0] is tanh.grad_fn.inputs[0]  # one Value for a, used twice


def test_numbers_are_folded_and_the_functions_are_the_engines():
    root = build_expression("-(2*3)*x + exp(0)*sigmoid(x) - relu(-x) / log(x)", {"x": 0.5})
    expected = -6 * 0.5 + 1 / (1 + math.exp(-0.5)) - 0 / math.log(0.5)
    assert root.data == pytest.approx(expected)


HOSTILE = [
    ("__import__('os').system('echo hacked')", "attribute access .*strings; calling '__import__'"),
    ("a.__class__", "attribute access"),
    ("(lambda: 1)()", "lambda"),
    ("[x for x in (1, 2)]", "comprehensions"),
    ("sum(x for x in (a,))", "calling 'sum'; comprehensions"),
    ("'a' * 3", "strings"),
    ("f'{a}'", "strings"),
    ("a[0]", "subscripts"),
    ("open('/etc/passwd')", "calling 'open'"),
    ("eval('1+1')", "calling 'eval'"),
    ("exec('x=1')", "calling 'exec'"),
    ("getattr(a, 'data')", "calling 'getattr'"),
    ("().__class__.__bases__[0].__subclasses__()", "attribute access .*subscripts .*tuples"),
    ("tanh(x=a)", "keyword"),
    ("tanh(a, a)", "exactly one argument"),
    ("tanh(*a)", "'\\*' unpacking"),
    ("a if a else a", "conditional"),
    ("a < 1", "comparisons"),
    ("a and a", "'and'/'or'"),
    ("not a", "'not'"),
    ("(a := 1)", "assignment"),
    ("(a, a)", "tuples"),
    ("{1: a}", "dicts"),
    ("a @ a", "@"),
    ("a % 2", "%"),
    ("~a", "~"),
    ("__builtins__", "names starting with _"),
    ("True * a", "True"),
    ("1j * a", "1j"),
    ("tanh", "is a function"),
    ("import os", "not a valid expression"),
    ("a; a", "not a valid expression"),
    ("tanh(a)(a)", "calling the result of an expression"),
    ("(2)(a)", "calling the result of an expression"),
    ("(a+a)(a)", "calling the result of an expression"),
    ("tanh(a)()", "calling the result of an expression"),
    ("a.b(a)", "attribute access"),
    ("a\0b", "not a valid expression"),
]


@pytest.mark.parametrize("expression, message", HOSTILE)
def test_hostile_expressions_are_refused_naming_what_was_refused(expression, message):
    with pytest.raises(ValueError, match=message):
        viz.draw_expression(expression, {"a": 1.0})


def test_no_expression_ever_reaches_eval_or_exec(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("eval/exec was called")
    monkeypatch.setattr(builtins, "eval", refuse)
    monkeypatch.setattr(builtins, "exec", refuse)
    assert "dL/da" in viz.draw_expression("a*a + exp(a)", {"a": 1.0})
    with pytest.raises(ValueError):
        viz.draw_expression("__import__('os')", {"a": 1.0})


def test_missing_and_unused_names_are_reported():
    with pytest.raises(ValueError, match=r"no value given for b: .*--at b=1.0"):
        viz.draw_expression("a*b", {"a": 1.0})
    with pytest.raises(ValueError, match=r"'c', which the expression does not use"):
        viz.draw_expression("a*b", {"a": 1.0, "b": 2.0, "c": 3.0})
    with pytest.raises(ValueError, match="finite number"):
        viz.draw_expression("a", {"a": float("nan")})


def test_expressions_without_a_real_answer_are_refused():
    with pytest.raises(ValueError, match="nothing to differentiate"):
        viz.draw_expression("2 * 3", {})
    with pytest.raises(ValueError, match="division by zero"):
        viz.draw_expression("a + 1/0", {"a": 1.0})
    with pytest.raises(ValueError, match="not a real number"):
        viz.draw_expression("a + (-8) ** 0.5", {"a": 1.0})
    with pytest.raises(ValueError, match="limit is 1000"):
        viz.draw_expression("+".join(["a"] * 600), {"a": 1.0})
    with pytest.raises(ValueError, match="nested too deeply|not a valid expression"):
        viz.draw_expression("(" * 300 + "a" + ")" * 300, {"a": 1.0})


def test_draw_expression_returns_the_value_and_each_gradient():
    text = viz.draw_expression("a*b + tanh(a)", {"a": 2, "b": -3})
    assert text.splitlines() == [
        "L = a*b + tanh(a) = -5.0360   at a=2, b=-3",
        "dL/da = -2.9293",   # b + (1 - tanh(a)²)
        "dL/db = 2.0000",    # a
    ]


def test_draw_expression_explains_and_writes_what_was_asked(tmp_path):
    out = tmp_path / "graph.dot"
    text = viz.draw_expression("a*b + tanh(a)", {"a": 2, "b": -3}, output=str(out), explain=True)
    assert "dL/da += dL/d(a * b) (upstream 1.0) × ∂(a * b)/∂a (local: b = -3.0) = -3.0  → dL/da = -2.929" in text
    assert text.splitlines()[-1] == f"wrote {out}"
    assert '"tanh(a) | data 0.9640 | grad 1.0000"' in out.read_text(encoding="utf-8")


def test_a_bad_output_name_is_reported_before_any_work(tmp_path):
    with pytest.raises(ValueError, match="picture format"):
        viz.draw_expression("a", {"a": 1.0}, output=str(tmp_path / "graph.gif"))


def test_full_width_names_in_assignments_are_normalised_as_python_normalises_the_expression():
    assert viz.parse_assignments("\uff41=1,\U0001d41b=2") == {"a": 1.0, "b": 2.0}  # fullwidth a, bold b
    assert "dL/da = -3.0000" in viz.draw_expression("\uff41*b", viz.parse_assignments("\uff41=2,b=-3"))
    with pytest.raises(ValueError, match="a is given twice"):
        viz.parse_assignments("a=1,\uff41=2")


@pytest.mark.parametrize("expression, message", [
    ("+".join(["a"] * 33), r"a is used 33 times; a picture allows at most 32 uses of one value"),
    ("+".join(f"v{i}*w{i}" for i in range(80)), r"the graph has 319 values; a picture allows at most 300"),
    ("+".join(f"tanh(v{i % 20}*w{i % 20})" for i in range(60)), r"the graph has 298 edges; a picture allows "
                                                                 r"at most 250"),
])
def test_pictures_of_expressions_are_bounded_in_values_edges_and_uses_of_one_value(tmp_path, expression, message):
    at = {name: 1.0 for name in sorted(set(expression.replace("tanh", " ").replace("(", " ").replace(")", " ")
                                           .replace("*", " ").replace("+", " ").split()))}
    limits = viz.DrawingLimits(values=300, edges=250, uses=32)
    with pytest.raises(ValueError, match=message):
        viz.draw_expression(expression, at, output=str(tmp_path / "g.dot"), limits=limits)
    assert not (tmp_path / "g.dot").exists()
    assert "dL/da" in viz.draw_expression("+".join(["a"] * 33), {"a": 1.0})  # no picture: no bound


def test_the_default_bounds_let_an_ordinary_expression_be_drawn(tmp_path):
    viz.draw_expression("+".join(["a*b"] * 32), {"a": 1.0, "b": 2.0}, output=str(tmp_path / "g.dot"))
    assert (tmp_path / "g.dot").read_text().startswith("digraph")
