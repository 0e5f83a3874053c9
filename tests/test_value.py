"""The scalar Value: micrograd's interface and its two tests, with PyTorch's numbers."""
import math

import pytest

import autograd_lite as ag
from autograd_lite import Value


def sanity_check(V):
    """micrograd's test_sanity_check expression, for any Value-like class V."""
    x = V(-4.0)
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    y.backward()
    return x, y


def more_ops(V):
    """micrograd's test_more_ops expression."""
    a = V(-4.0)
    b = V(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    return a, b, g


def test_micrograd_sanity_check_gives_pytorchs_numbers():
    x, y = sanity_check(Value)
    # torch 2 (float64): y = -20.0, x.grad = 46.0
    assert y.data == -20.0
    assert x.grad == 46.0


def test_micrograd_more_ops_gives_pytorchs_numbers():
    a, b, g = more_ops(Value)
    # torch 2 (float64): g = 24.70408163265306, a.grad = 138.83381924198252, b.grad = 645.5772594752186
    assert g.data == pytest.approx(24.70408163265306, abs=1e-6)
    assert a.grad == pytest.approx(138.83381924198252, abs=1e-6)
    assert b.grad == pytest.approx(645.5772594752186, abs=1e-6)


def test_micrograd_tests_agree_with_live_pytorch():
    torch = pytest.importorskip("torch")

    def T(x):
        return torch.tensor([x], dtype=torch.float64, requires_grad=True)

    (x, y), (xt, yt) = sanity_check(Value), sanity_check(T)
    assert y.data == pytest.approx(yt.item(), abs=1e-6)
    assert x.grad == pytest.approx(xt.grad.item(), abs=1e-6)
    (a, b, g), (at, bt, gt) = more_ops(Value), more_ops(T)
    assert g.data == pytest.approx(gt.item(), abs=1e-6)
    assert a.grad == pytest.approx(at.grad.item(), abs=1e-6)
    assert b.grad == pytest.approx(bt.grad.item(), abs=1e-6)


def test_data_and_grad_are_python_floats():
    a = Value(3)
    b = a * a
    b.backward()
    assert type(a.data) is float and type(a.grad) is float and a.grad == 6.0


def test_a_value_used_twice_gets_both_contributions():
    # micrograd keeps inputs in a set, so a * a would record one edge; we record two.
    a = Value(3.0)
    (a * a).backward()
    assert a.grad == 6.0


def test_intermediate_values_keep_their_grad_as_in_micrograd():
    a = Value(2.0)
    b = a * 3
    c = b.tanh()
    c.backward()
    assert b.grad == pytest.approx(1 - math.tanh(6.0) ** 2)
    assert c.grad == 1.0


def test_value_graph_is_kept_after_backward_so_a_second_backward_accumulates():
    a = Value(2.0)
    b = a * a
    b.backward()
    b.backward()
    assert a.grad == 8.0


@pytest.mark.parametrize("expr, expected", [
    (lambda a: a.exp(), math.exp(0.5)),
    (lambda a: a.log(), math.log(0.5)),
    (lambda a: a.tanh(), math.tanh(0.5)),
    (lambda a: a.sigmoid(), 1 / (1 + math.exp(-0.5))),
    (lambda a: (-a).relu(), 0.0),
    (lambda a: 2 ** a, 2 ** 0.5),
    (lambda a: 1 - a, 0.5),
    (lambda a: 2 / a, 4.0),
])
def test_unary_functions_and_reflected_operators(expr, expected):
    assert expr(Value(0.5)).data == pytest.approx(expected, rel=1e-15)


def test_sigmoid_of_large_negative_input_neither_overflows_nor_rounds_to_zero():
    assert Value(-800.0).sigmoid().data == 0.0
    assert Value(-30.0).sigmoid().data == pytest.approx(math.exp(-30.0), rel=1e-12)


def test_division_by_zero_gives_inf_as_pytorch_does_not_zerodivisionerror():
    a, b = Value(1.0), Value(0.0)
    c = a / b
    c.backward()
    assert c.data == math.inf
    assert a.grad == math.inf and b.grad == -math.inf


def test_log_of_zero_is_minus_inf_and_its_gradient_inf():
    a = Value(0.0)
    b = a.log()
    b.backward()
    assert b.data == -math.inf and a.grad == math.inf


def test_negative_base_to_fractional_power_is_nan_not_complex():
    assert math.isnan((Value(-8.0) ** 0.5).data)


def test_repr_shows_data_and_grad():
    a = Value(2.0)
    (a * a).backward()
    assert repr(a) == "Value(data=2, grad=4)"


def test_label_is_kept():
    assert Value(1.0, label="w").label == "w"


@pytest.mark.parametrize("bad", ["3", b"3", [1.0], None])
def test_non_numbers_are_refused(bad):
    with pytest.raises(TypeError, match="Value: data must be a real number"):
        Value(bad)


def test_combining_with_a_string_is_refused():
    with pytest.raises(TypeError, match="operand must be a real number, got str"):
        Value(1.0) + "2"


def test_value_and_tensor_cannot_be_mixed():
    with pytest.raises(TypeError, match="cannot mix Value and Tensor"):
        Value(1.0) * ag.Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError, match="cannot mix Tensor and Value"):
        ag.Tensor([1.0, 2.0]) + Value(1.0)
