"""Each op states its derivative once, the same in its docstring and in ``derivatives`` (what viz shows)."""
import re

import numpy as np
import pytest

from autograd_lite import Tensor, ops
from autograd_lite.engine import Op
from autograd_lite.ops.registry import REGISTRY
from autograd_lite.ops.conv import Window2d
from helpers import call_declared

_WINDOW = Window2d((2, 2))
_PICKED = (np.zeros((1, 1, 1, 1), dtype=np.uint8), np.zeros((1, 1, 2, 1), dtype=np.uint8))
INSTANCES = {
    "PowConst": lambda: ops.PowConst(3), "Clip": lambda: ops.Clip(0.0, 1.0),
    "Where": lambda: ops.Where(np.array([True])), "LeakyReLUOp": lambda: ops.LeakyReLUOp(0.1),
    "CumSum": lambda: ops.CumSum(0), "CumProd": lambda: ops.CumProd(0), "LogCumSumExp": lambda: ops.LogCumSumExp(0),
    "HardtanhOp": lambda: ops.HardtanhOp(-1.0, 1.0),
    "Reshape": lambda: ops.Reshape((1,)), "Permute": lambda: ops.Permute(None),
    "BroadcastTo": lambda: ops.BroadcastTo((1,)), "SumTo": lambda: ops.SumTo((1,)),
    "GetItem": lambda: ops.GetItem(0), "IndexAdd": lambda: ops.IndexAdd(0, (1,)),
    "Cast": lambda: ops.Cast(np.float64), "Einsum": lambda: ops.Einsum("ij,jk->ik", 2),
    "Gather": lambda: ops.Gather(0, (np.array([0]),)), "Pad": lambda: ops.Pad([(1, 1)]),
    "Scatter": lambda: ops.Scatter(0, (np.array([0]),), (1,)),
    "ScatterReduce": lambda: ops.ScatterReduce(0, (np.array([0]),), "sum", True, (1,)),
    **{name: (lambda name=name: getattr(ops, name)(_WINDOW)) for name in ("Conv2dOp", "ConvTranspose2dOp", "Conv2dWeight")},
    "Unfold": lambda: ops.Unfold(_WINDOW), "Fold": lambda: ops.Fold(_WINDOW, (1, 1, 2, 2)),
    "MaxPool2dOp": lambda: ops.MaxPool2dOp(_WINDOW), "MaxPool2dGather": lambda: ops.MaxPool2dGather(_WINDOW, _PICKED),
    "MaxPool2dScatter": lambda: ops.MaxPool2dScatter(_WINDOW, _PICKED, (1, 1, 2, 2)),
    "AvgPool2dOp": lambda: ops.AvgPool2dOp(_WINDOW, np.ones((1, 1))),
    "AvgPool2dScatter": lambda: ops.AvgPool2dScatter(_WINDOW, np.ones((1, 1)), (1, 1, 2, 2)),
    "Split": lambda: ops.Split([1, 1], 0), "PickAlong": lambda: ops.SortOp(0), "SortOp": lambda: ops.SortOp(0),
    "ExtremeAlong": lambda: ops.ExtremeAlong(0, False, True), "MedianOp": lambda: ops.MedianOp(0),
    "RunningExtreme": lambda: ops.RunningExtreme(0, True),
}


def make(name):
    op = INSTANCES.get(name, getattr(ops, name))()
    if name == "Concat":  # its inputs are counted when it runs
        op.forward(np.ones(1), np.ones(1))
    return op


OP_CLASSES = [name for name in ops.__all__ if isinstance(getattr(ops, name), type)
              and issubclass(getattr(ops, name), Op)]


@pytest.mark.parametrize("name", OP_CLASSES)
def test_every_op_states_one_derivative_per_input_and_its_docstring_says_the_same(name):
    op = make(name)
    cls = type(op)
    assert len(op.derivatives) == len(op.arg_names) >= 1
    for statement in op.derivatives:
        assert _numbered_as_i(statement) in cls.__doc__, f"{name}: docstring does not state {statement!r}"
    lines = op.describe_derivatives()
    assert len(lines) == len(op.arg_names)
    assert op.label()


def _numbered_as_i(statement):
    """The statement as a docstring writes it: the x0, x1, w0 ... of concat, dot and einsum are xᵢ, wᵢ there."""
    return re.sub(r"([xw])\d", r"\1ᵢ", statement)


def test_describe_derivatives_reads_like_a_calculus_class():
    assert ops.Mul().describe_derivatives() == ["∂(a*b)/∂a = b", "∂(a*b)/∂b = a"]
    assert ops.Div().describe_derivatives() == ["∂(a/b)/∂a = 1/b", "∂(a/b)/∂b = -a/b²"]
    assert ops.TanhOp().describe_derivatives() == ["∂tanh(x)/∂x = 1 - tanh(x)²"]
    assert ops.Tan().describe_derivatives() == ["∂tan(x)/∂x = 1 + tan(x)²"]  # a one-row op: the same
    assert ops.GELUOp().describe_derivatives() == ["∂gelu(x)/∂x = Φ(x) + x·φ(x)  (tanh form: its derivative)"]
    assert ops.PowConst(3).describe_derivatives() == ["∂(x**3)/∂x = 3·x^2"]


def test_non_elementwise_ops_state_the_rule_for_the_gradient_in_terms_of_g():
    assert ops.MatMul().describe_derivatives() == ["∂L/∂a = g @ bᵀ", "∂L/∂b = aᵀ @ g"]


def test_concat_names_each_of_its_inputs_even_after_the_graph_is_freed():
    a = Tensor([1.0], requires_grad=True)
    y = ops.Concat(0)(a, a * 2, a * 3)
    y.sum().backward()
    assert y.grad_fn.arg_names == ("x0", "x1", "x2")
    assert y.grad_fn.describe_derivatives()[2] == "∂L/∂x2 = g[the slice of x2]"


def test_labels_show_settings():
    assert ops.PowConst(2).label() == "**2"
    assert ops.Sum(axis=1).label() == "sum(axis=1)"
    assert ops.SoftmaxOp(-1).label() == "softmax(axis=-1)"
    assert ops.CumSum(1).label() == "cumsum(dim=1)"
    assert ops.GetItem((slice(None), 0)).label() == "[:, 0]"
    assert ops.Mul().label() == "*"


@pytest.mark.parametrize("name", [n for n, e in REGISTRY.items() if e.op is not None and e.samples.differentiable])
def test_every_declared_op_records_the_statement_viz_shows_for_each_input(name):
    """Run the declared function once, as the gradient test does, and read the op it recorded."""
    entry = REGISTRY[name]
    shapes = entry.samples.shapes or [(3,) * max(entry.samples.min_dims, 1)] * entry.samples.inputs
    xs = [Tensor(np.linspace(0.6, 0.9, int(np.prod(s))).reshape(s), requires_grad=True) for s in shapes]
    out = call_declared(entry, xs, entry.samples.settings[0])
    if isinstance(out, tuple):  # (values, indices), or the pieces of split
        out = out.values if hasattr(out, "indices") else out[0]
    op = out.grad_fn.op
    lines = op.describe_derivatives()
    assert len(lines) == len(op.arg_names) == len(op.derivatives) >= 1
    for line, statement in zip(lines, op.derivatives):
        assert line.endswith(statement) and _numbered_as_i(statement) in type(op).__doc__
