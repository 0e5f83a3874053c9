"""Bad input gets a clear error that names the op and the shapes, not a numpy traceback."""
import re

import numpy as np
import pytest

import autograd_lite as ag
import autograd_lite.functional as F
from autograd_lite import ShapeError, Tensor, Value


def raises(kind, text):
    return pytest.raises(kind, match=re.escape(text))


@pytest.mark.parametrize("op, name", [
    (lambda a, b: a + b, "add"), (lambda a, b: a - b, "sub"), (lambda a, b: a * b, "mul"),
    (lambda a, b: a / b, "div"), (lambda a, b: a ** b, "pow"), (F.maximum, "maximum"),
])
def test_broadcast_mismatch_names_the_op_and_both_shapes(op, name):
    with raises(ShapeError, f"{name}: shapes (2, 3) and (4,) cannot be broadcast together"):
        op(Tensor(np.ones((2, 3))), Tensor(np.ones(4)))


def test_shape_error_is_a_value_error_for_code_that_catches_numpys():
    assert issubclass(ShapeError, ValueError)


def test_where_mismatch_names_the_condition_and_operand_shapes():
    with raises(ShapeError, "where: the condition's shape (3,) and the shapes (2,) and (2,) cannot be broadcast"):
        F.where(np.ones(3, bool), Tensor([1.0, 2.0]), Tensor([3.0, 4.0]))


@pytest.mark.parametrize("sa, sb, text", [
    ((2, 3), (4, 5), "matmul: shapes (2, 3) and (4, 5) do not match: (2, 3) has 3 columns but (4, 5) has 4 rows"),
    ((3,), (4,), "matmul: shapes (3,) and (4,) do not match"),
    ((2, 2, 3), (3, 3, 4), "matmul: batch dimensions of shapes (2, 2, 3) and (3, 3, 4) do not broadcast"),
    ((), (3,), "matmul: operands must have at least one dimension, got shapes () and (3,)"),
])
def test_matmul_mismatch_names_both_shapes(sa, sb, text):
    with raises(ShapeError, text):
        Tensor(np.ones(sa)) @ Tensor(np.ones(sb))


def test_backward_on_a_non_scalar_without_gradient_says_so():
    y = Tensor([1.0, 2.0], requires_grad=True) * 2
    with raises(RuntimeError, "grad can be created implicitly only for a scalar output, but this tensor has shape (2,)"):
        y.backward()


def test_gradient_of_the_wrong_shape_names_both_shapes():
    y = Tensor([1.0, 2.0], requires_grad=True) * 2
    with raises(ShapeError, "backward: gradient has shape (3,) but the tensor has shape (2,)"):
        y.backward(np.ones(3))


def test_hook_returning_the_wrong_shape_names_both_shapes():
    x = Tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: np.ones(5))
    with raises(ShapeError, "hook: gradient has shape (5,) but the tensor has shape (2,)"):
        (x * 2).sum().backward()


@pytest.mark.parametrize("data, text", [
    ("abc", "Tensor: data must be numbers, not str"),
    (["1", "2"], "Tensor: data must be numeric (bool, int or float); got list that numpy reads as dtype <U1"),
    ([1.0, None], "Tensor: data must be numeric (bool, int or float); got list that numpy reads as dtype object"),
    (object(), "Tensor: data must be numeric"),
    ({"a": 1}, "Tensor: data must be numeric"),
    ([[1.0, 2.0], [3.0]], "Tensor: data must be a rectangular nested list of numbers"),
])
def test_non_numeric_data_is_refused_at_construction(data, text):
    with pytest.raises((TypeError, ValueError), match=re.escape(text)):
        Tensor(data)


def test_strings_are_refused_even_with_a_float_dtype():
    with raises(TypeError, "Tensor: data must be numeric"):
        Tensor(["1.5"], dtype="float32")


def test_non_numeric_dtype_is_refused():
    with raises(TypeError, "Tensor: dtype must be bool, int or float; got <U1"):
        Tensor([1.0], dtype="U1")


def test_integer_tensor_requires_grad_is_refused():
    with raises(TypeError, "only floating point tensors can require gradients; this one has dtype int64"):
        Tensor([1, 2], requires_grad=True)
    with raises(TypeError, "only floating point tensors can require gradients"):
        Tensor([1, 2]).requires_grad_()


def test_mixing_value_and_tensor_is_refused():
    with raises(TypeError, "cannot mix Value and Tensor in one op"):
        Value(1.0) + Tensor([1.0])
    with raises(TypeError, "Value: data must be a real number, got Tensor"):
        Value(Tensor([1.0]))


def test_backward_of_something_without_history_says_why():
    with raises(RuntimeError, "backward: this value does not require grad and has no history"):
        (Tensor([1.0]) * 2).sum().backward()


def test_grad_with_respect_to_a_constant_says_it_does_not_require_grad():
    x = Tensor([1.0], requires_grad=True)
    with raises(RuntimeError, "grad: one of the inputs does not require grad"):
        ag.grad((x * 2).sum(), Tensor([1.0]))


@pytest.mark.parametrize("make, kind, text", [
    (lambda x: x.reshape(4, 2), ShapeError, "reshape: cannot reshape a tensor of shape (2, 3) (6 elements) into shape (4, 2)"),
    (lambda x: x.broadcast_to((4, 3)), ShapeError, "broadcast_to: cannot broadcast shape (2, 3) to (4, 3)"),
    (lambda x: x.sum(axis=2), np.exceptions.AxisError, "sum (input shape (2, 3)): axis 2 is out of bounds"),
    (lambda x: x.unsqueeze(5), np.exceptions.AxisError, "unsqueeze: axis 5 is out of range for a tensor with 3 dimensions"),
    (lambda x: x.permute(0, 0), ShapeError, "permute: (0, 0) is not an order of the 2 axes of shape (2, 3)"),
    (lambda x: x[5], IndexError, "getitem: index [5] does not fit shape (2, 3)"),
    (lambda x: x.expand(-1, 2, 3), ShapeError, "expand: -1 cannot stand for a new leading dimension"),
    (lambda x: F.concat([x, Tensor(np.ones((3, 3)))], axis=1), ShapeError,
     "concat: shapes (2, 3), (3, 3) cannot be joined along axis 1"),
    (lambda x: F.stack([x, Tensor(np.ones(3))]), ShapeError, "stack: all tensors must have one shape; got (2, 3), (3,)"),
    (lambda x: x.clip(), ValueError, "clip: give at least one of min and max"),
])
def test_shape_op_errors_name_the_op_and_shapes(make, kind, text):
    with raises(kind, text):
        make(Tensor(np.ones((2, 3))))


def test_split_sizes_that_do_not_add_up_name_the_length():
    with raises(ShapeError, "split: sizes [1, 1] add up to 2, but dim 1 of shape (2, 3) has length 3"):
        F.split(Tensor(np.ones((2, 3))), [1, 1], dim=1)


def test_integer_power_error_keeps_numpys_reason_and_names_the_op():
    with raises(ValueError, "pow (input shape (2,)): Integers to negative integer powers are not allowed"):
        Tensor([1, 2]) ** -1


def test_register_hook_on_a_constant_says_no_gradient_will_reach_it():
    with raises(RuntimeError, "register_hook: this node does not require grad"):
        Tensor([1.0]).register_hook(print)
