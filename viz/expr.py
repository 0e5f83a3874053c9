"""Expressions typed on the command line, parsed safely, and drawn.

The text is parsed with :mod:`ast` and every node is checked against a short
whitelist (numbers, names, ``+ - * / **``, unary minus, one-argument calls
of the engine's functions) before anything is built. Nothing is ever
evaluated as Python: no ``eval``, no ``exec``, no compiling to code.
"""
from __future__ import annotations

import ast
import math
import numbers
import operator
import unicodedata
from collections import Counter
from dataclasses import dataclass

from autograd_lite import Value
from autograd_lite.ops import registry

from .dot import TIMEOUT, check_timeout, format_of, render
from .formatting import Lines, number
from .graph import walk, wrap
from .html import render_steps
from .steps import explain as explain_steps

__all__ = ["parse_assignments", "build_expression", "draw_expression", "DrawingLimits"]

FUNCTIONS = registry.draw_functions()  # name -> op class: the one-input scalar functions declared in ops (live)
MAX_LENGTH = 1000
_OPERATORS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
              ast.Pow: operator.pow}
_ALLOWED = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Constant, ast.Name, ast.Call, ast.Load,
            ast.USub, ast.UAdd, *_OPERATORS)
_REFUSED = {  # what a reader calls the construct, for the error message
    ast.Attribute: "attribute access (x.y)", ast.Subscript: "subscripts (x[i])",
    ast.Lambda: "lambda", ast.arguments: "lambda",
    ast.ListComp: "comprehensions", ast.SetComp: "comprehensions", ast.DictComp: "comprehensions",
    ast.GeneratorExp: "comprehensions", ast.Compare: "comparisons", ast.BoolOp: "'and'/'or'",
    ast.IfExp: "conditional expressions", ast.NamedExpr: "assignment (:=)", ast.JoinedStr: "strings",
    ast.List: "lists", ast.Tuple: "tuples", ast.Dict: "dicts", ast.Set: "sets", ast.Starred: "'*' unpacking",
    ast.Await: "await", ast.Yield: "yield", ast.YieldFrom: "yield", ast.MatMult: "the operator @",
    ast.Mod: "the operator %", ast.FloorDiv: "the operator //", ast.BitAnd: "bitwise operators",
    ast.BitOr: "bitwise operators", ast.BitXor: "bitwise operators", ast.LShift: "bitwise operators",
    ast.RShift: "bitwise operators", ast.Invert: "the operator ~", ast.Not: "'not'", ast.keyword: "keyword arguments",
}
_ROOT = "L"


@dataclass(frozen=True)
class DrawingLimits:
    """The largest expression graph :func:`draw_expression` draws: values, edges, and uses of one value.

    Graphviz's layout time grows steeply with the edges at one node, not with
    the graph's size: on a shared 2-core machine ``a+a+...+a`` took 0.08 s
    with 30 terms, 0.33 s with 40, 7.7 s with 50 and 29 s with 60 (and over
    300 s with 100), while a 900-character sum of 66 terms ``tanh(x*y)``, no
    variable used more than twice (525 edges), took 0.67 s. (Measured as
    ``dot -Tsvg`` 2.43 on ``viz.to_dot(build_expression(text, at))``.)
    """

    values: int = 400
    edges: int = 800
    uses: int = 32

    def check(self, root: Value) -> None:
        """Refuse a graph over the limits, saying which limit and how to get the numbers without a picture."""
        graph = walk(root)
        uses = Counter(j for inputs in graph.inputs for j in inputs)
        edges = sum(uses.values())
        instead = "leave out -o and --steps to get the gradients without a picture"
        if len(graph.nodes) > self.values:
            raise ValueError(f"the graph has {len(graph.nodes)} values; a picture allows at most {self.values} "
                             f"(Graphviz's layout time grows quickly); {instead}")
        if edges > self.edges:
            raise ValueError(f"the graph has {edges} edges; a picture allows at most {self.edges} "
                             f"(Graphviz's layout time grows quickly); {instead}")
        most_used, count = uses.most_common(1)[0] if uses else (None, 0)
        if count > self.uses:
            raise ValueError(f"{graph.names[most_used]} is used {count} times; a picture allows at most "
                             f"{self.uses} uses of one value (Graphviz's layout time grows steeply with "
                             f"them); {instead}")


def parse_assignments(text: str) -> dict[str, float]:
    """``"a=2,b=-3"`` -> ``{"a": 2.0, "b": -3.0}`` (the ``--at`` option of ``autograd-lite draw``).

    >>> parse_assignments("a=2, b=-3e-1")
    {'a': 2.0, 'b': -0.3}
    """
    if not isinstance(text, str):
        raise TypeError(f"parse_assignments: expected a string like 'a=2,b=-3'; got {type(text).__name__}")
    values: dict[str, float] = {}
    if not text.strip():
        return values
    for item in text.split(","):
        name, sep, number_text = (part.strip() for part in item.partition("="))
        name = unicodedata.normalize("NFKC", name)  # as Python reads names in the expression: ａ is a
        if not sep or not name or not number_text:
            raise ValueError(f"cannot read {item.strip()!r} in {text!r}: write name=number, separated by commas "
                             "(e.g. a=2,b=-3)")
        _check_name(name)
        if name in values:
            raise ValueError(f"{name} is given twice in {text!r}")
        try:
            value = float(number_text)
        except ValueError:
            raise ValueError(f"the value of {name} is not a number: {number_text!r}") from None
        if not math.isfinite(value):
            raise ValueError(f"the value of {name} must be a finite number; got {number_text!r}")
        values[name] = value
    return values


def _check_name(name: str) -> None:
    if not name.isidentifier() or name.startswith("_"):
        raise ValueError(f"{name!r} is not a usable variable name (letters, digits and _, not starting with _)")
    if name in FUNCTIONS:
        raise ValueError(f"{name!r} is the name of a function; choose another variable name")


def _parse(expression: str) -> ast.Expression:
    if not isinstance(expression, str):
        raise TypeError(f"expected the expression as a string; got {type(expression).__name__}")
    if len(expression) > MAX_LENGTH:
        raise ValueError(f"the expression is {len(expression)} characters long; the limit is {MAX_LENGTH}")
    if "\0" in expression:  # Python 3.11's parser raises its own ValueError for it
        raise ValueError(f"not a valid expression: {expression!r} (it contains a NUL character)")
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as error:
        raise ValueError(f"not a valid expression: {expression!r} ({error.msg})") from None
    except (RecursionError, MemoryError):
        raise ValueError("the expression is nested too deeply") from None
    called = {id(node.func) for node in ast.walk(tree)
              if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    refused: list[str] = []
    for node in ast.walk(tree):
        if id(node) not in called:  # a called name is judged by its call
            refused += [r for r in _refusals(node) if r not in refused]
    if refused:
        raise ValueError(f"not allowed in an expression: {'; '.join(refused)}. Use numbers, variable names, "
                         f"+ - * / **, unary minus and the functions {', '.join(FUNCTIONS)}")
    return tree


def _refusals(node: ast.AST) -> list[str]:
    """What is wrong with this one node (its children are checked on their own), in a reader's words."""
    if not isinstance(node, _ALLOWED):
        return [_REFUSED.get(type(node), type(node).__name__)]
    if isinstance(node, ast.Constant) and (isinstance(node.value, bool) or not isinstance(node.value, (int, float))):
        return ["strings" if isinstance(node.value, (str, bytes)) else f"the constant {node.value!r}"]
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name):  # tanh(a)(b), (a+b)(a): only a function's name is called
            return ["calling the result of an expression"]
        name = node.func.id
        if name not in FUNCTIONS:
            return [f"calling {name!r}"]
        if node.keywords or len(node.args) != 1:
            return [f"{name}() takes exactly one argument, written without a keyword"]
    if isinstance(node, ast.Name) and node.id.startswith("_"):
        return [f"the name {node.id!r} (names starting with _ are refused)"]
    return []


def _variables(tree: ast.Expression) -> list[str]:
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    names = []
    for n in ast.walk(tree):
        if isinstance(n, ast.Name) and id(n) not in called:
            if n.id in FUNCTIONS:
                raise ValueError(f"{n.id} is a function: call it, as in {n.id}(x)")
            if n.id not in names:
                names.append(n.id)
    return names


def build_expression(expression: str, at: dict[str, float]) -> Value:
    """The expression as a graph of Values: each variable one Value labelled by its name, each
    intermediate labelled by its sub-expression, the result labelled ``L`` (``out`` if a variable is ``L``).

    >>> build_expression("a*b + tanh(a)", {"a": 2, "b": -3}).data
    -5.035972...
    """
    return _evaluate(expression, at)[0]


def _evaluate(expression: str, at: dict[str, float]) -> tuple[Value, dict[str, Value]]:
    tree = _parse(expression)
    if not isinstance(at, dict):
        raise TypeError(f"at must be a dict of variable name -> number; got {type(at).__name__}")
    used = _variables(tree)
    missing = [n for n in used if n not in at]
    if missing:
        raise ValueError(f"no value given for {', '.join(missing)}: give every variable a value "
                         f"(e.g. --at {','.join(f'{n}=1.0' for n in missing)})")
    unknown = [n for n in at if n not in used]
    if unknown:
        raise ValueError(f"a value is given for {', '.join(map(repr, unknown))}, which the expression does not use")
    leaves = {}
    for name in used:
        _check_name(name)
        value = at[name]
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
            raise ValueError(f"the value of {name} must be a finite number; got {value!r}")
        leaves[name] = Value(float(value), label=name)
    if not leaves:
        raise ValueError(f"{expression!r} has no variables, so there is nothing to differentiate")
    try:
        root = _build(tree.body, leaves)
    except (ZeroDivisionError, OverflowError) as error:
        raise ValueError(f"cannot evaluate {expression!r} at {_at_text(at)}: {error}") from None
    except RecursionError:
        raise ValueError("the expression is nested too deeply") from None
    if not isinstance(root, Value):
        raise ValueError(f"{expression!r} does not depend on its variables, so there is nothing to differentiate")
    if root.grad_fn is not None:
        root.label = "out" if _ROOT in leaves else _ROOT
    return root, leaves


def _build(node: ast.AST, leaves: dict[str, Value]) -> Value | float:
    """Evaluate the checked tree; plain numbers are folded, so ``2*3*a`` draws one constant."""
    if isinstance(node, ast.Constant):
        return float(node.value)  # floats only: 2**10**10 on ints would run for ever
    if isinstance(node, ast.Name):
        return leaves[node.id]
    if isinstance(node, ast.UnaryOp):
        x = _build(node.operand, leaves)
        result = -x if isinstance(node.op, ast.USub) else x
    elif isinstance(node, ast.Call):
        x = _build(node.args[0], leaves)
        op = FUNCTIONS[node.func.id]()
        result = op(x) if isinstance(x, Value) else op.forward(x)
    else:
        result = _OPERATORS[type(node.op)](_build(node.left, leaves), _build(node.right, leaves))
    data = result.data if isinstance(result, Value) else result
    if not isinstance(data, float):  # (-8) ** (1/3) is complex in Python
        raise ValueError(f"{ast.unparse(node)} is not a real number here ({data})")
    if isinstance(result, Value) and result.grad_fn is not None and not result.label:
        result.label = ast.unparse(node)
    return result


def _at_text(at: dict[str, float]) -> str:
    return ", ".join(f"{k}={v:g}" for k, v in at.items())


def draw_expression(expression: str, at: dict[str, float], output: str | None = None,
                    steps_dir: str | None = None, explain: bool = False, *, rankdir: str = "LR",
                    max_nodes: int | None = None, timeout: float | None = TIMEOUT,
                    limits: DrawingLimits | None = DrawingLimits()) -> str:
    """Build ``expression`` at the values ``at``, run backward, write the pictures asked for, and
    return the text to print: the value, each variable's gradient, the explanation when asked, the paths.

    This is ``autograd-lite draw "a*b + tanh(a)" --at a=2,b=-3 -o graph.svg [--steps DIR] [--explain]``.
    A picture is drawn only of a graph within ``limits`` (``None``: any size), so
    that a short expression cannot keep Graphviz busy for minutes; ``rankdir``,
    ``max_nodes`` and ``timeout`` are :func:`viz.render`'s.

    >>> print(draw_expression("a*b + tanh(a)", {"a": 2, "b": -3}))
    L = a*b + tanh(a) = -5.0360   at a=2, b=-3
    dL/da = -2.9293
    dL/db = 2.0000
    """
    if output is not None:
        format_of(output)  # a bad extension is reported before any work
    check_timeout(timeout)
    root, leaves = _evaluate(expression, at)
    if limits is not None and (output is not None or steps_dir is not None):
        limits.check(root)
    root.backward()
    name = wrap(root.label or "L")
    lines = [f"{name} = {expression.strip()} = {number(root.data)}   at {_at_text(at)}"]
    lines += [f"d{name}/d{var} = {number(leaf.grad)}" for var, leaf in leaves.items()]
    if explain:
        lines += ["", "The chain rule, step by step (in the order backward runs):", explain_steps(root)]
    if output is not None:
        lines.append(f"wrote {render(root, output, rankdir=rankdir, max_nodes=max_nodes, timeout=timeout)}")
    if steps_dir is not None:
        page = render_steps(root, steps_dir, rankdir=rankdir, timeout=timeout)
        lines.append(f"wrote {page} (open it in a browser; pictures beside it)")
    return Lines("\n".join(lines))
