"""Each op states its derivative once, the same in its docstring and in ``derivatives`` (what viz shows)."""
import re

import numpy as np
import pytest

from autograd_lite import Tensor, ops
from autograd_lite.ops.conv import Window2d

_WINDOW = Window2d((2, 2))
_PICKED = (np.zeros((1, 1, 1, 1), dtype=np.uint8), np.zeros((1, 1, 2, 1), dtype=np.uint8))
INSTANCES = {
    "PowConst": lambda: ops.PowConst(3), "Clip": lambda: ops.Clip(0.0, 1.0),
    "Where": lambda: ops.Where(np.array([True])), "LeakyReLU": lambda: ops.LeakyReLU(0.1),
    "Reshape": lambda: ops.Reshape((1,)), "Permute": lambda: ops.Permute(None),
    "BroadcastTo": lambda: ops.BroadcastTo((1,)), "SumTo": lambda: ops.SumTo((1,)),
    "GetItem": lambda: ops.GetItem(0), "IndexAdd": lambda: ops.IndexAdd(0, (1,)),
    **{name: (lambda name=name: getattr(ops, name)(_WINDOW)) for name in ("Conv2dOp", "ConvTranspose2dOp", "Conv2dWeight")},
    "Unfold": lambda: ops.Unfold(_WINDOW), "Fold": lambda: ops.Fold(_WINDOW, (1, 1, 2, 2)),
    "MaxPool2dOp": lambda: ops.MaxPool2dOp(_WINDOW), "MaxPool2dGather": lambda: ops.MaxPool2dGather(_WINDOW, _PICKED),
    "MaxPool2dScatter": lambda: ops.MaxPool2dScatter(_WINDOW, _PICKED, (1, 1, 2, 2)),
    "AvgPool2dOp": lambda: ops.AvgPool2dOp(_WINDOW, np.ones((1, 1))),
    "AvgPool2dScatter": lambda: ops.AvgPool2dScatter(_WINDOW, np.ones((1, 1)), (1, 1, 2, 2)),
}


def make(name):
    op = INSTANCES.get(name, getattr(ops, name))()
    if name == "Concat":  # its inputs are counted when it runs
        op.forward(np.ones(1), np.ones(1))
    return op


@pytest.mark.parametrize("name", ops.__all__)
def test_every_op_states_one_derivative_per_input_and_its_docstring_says_the_same(name):
    op = make(name)
    cls = type(op)
    assert len(op.derivatives) == len(op.arg_names) >= 1
    for statement in op.derivatives:
        statement = re.sub(r"([xw])\d", r"\1ᵢ", statement)  # concat's and dot's x0, x1, w0 ... are xᵢ, wᵢ in the docstring
        assert statement in cls.__doc__, f"{name}: docstring does not state {statement!r}"
    lines = op.describe_derivatives()
    assert len(lines) == len(op.arg_names)
    assert op.label()


def test_describe_derivatives_reads_like_a_calculus_class():
    assert ops.Mul().describe_derivatives() == ["∂(a*b)/∂a = b", "∂(a*b)/∂b = a"]
    assert ops.Div().describe_derivatives() == ["∂(a/b)/∂a = 1/b", "∂(a/b)/∂b = -a/b²"]
    assert ops.Tanh().describe_derivatives() == ["∂tanh(x)/∂x = 1 - tanh(x)²"]
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
    assert ops.Softmax(-1).label() == "softmax(axis=-1)"
    assert ops.GetItem((slice(None), 0)).label() == "[:, 0]"
    assert ops.Mul().label() == "*"
