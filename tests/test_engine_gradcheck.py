"""gradcheck: True when the engine agrees with central differences, else an error saying where and by how much."""
import re

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite.engine import Op


class HalfWrongMul(Op):
    """a * b with a deliberately wrong gradient for b (a/2 instead of a)."""
    __slots__ = ()
    name, arg_names, derivatives, broadcasts = "half_wrong_mul", ("a", "b"), ("b", "a/2"), True

    def forward(self, a, b):
        return a * b

    def backward(self, g, y, a, b):
        return g * b, g * a / 2


def test_gradcheck_returns_true_for_correct_gradients():
    assert ag.gradcheck(lambda a, b: (a * b).tanh(), [np.random.rand(3, 1), np.random.rand(4)]) is True


def test_gradcheck_error_names_the_input_the_element_both_values_and_the_error():
    a, b = np.array([2.0, 3.0]), np.array([5.0, 7.0])
    r = np.random.default_rng(0).standard_normal(2)        # gradcheck's fixed weights for a vector output
    numerical, analytical = a[0] * r[0], a[0] * r[0] / 2
    expected = (f"gradcheck: input 1 (shape (2,)), element (0,): numerical {numerical:.8g}, "
                f"analytical {analytical:.8g}, error {abs(numerical - analytical):.3g} > atol 1e-05")
    with pytest.raises(ag.GradcheckError, match=re.escape(expected)):
        ag.gradcheck(lambda s, t: HalfWrongMul()(s, t), [a, b])


def test_gradcheck_error_is_an_assertion_error_so_tests_report_it_as_a_failure():
    assert issubclass(ag.GradcheckError, AssertionError)


def test_gradcheck_works_in_float64_even_for_float32_tensors():
    x = ag.Tensor([0.3, -1.2, 2.0])          # float32; differences at eps=1e-6 would be noise in float32
    assert ag.gradcheck(lambda t: (t * t).exp(), [x]) is True


def test_gradcheck_checks_values():
    assert ag.gradcheck(lambda a, b: (a * b).tanh() + a ** 2, [ag.Value(0.5), ag.Value(-1.5)]) is True


def test_gradcheck_accepts_a_single_input():
    assert ag.gradcheck(lambda t: t.sin().sum(), np.array([0.1, 0.2]))


def test_gradcheck_tolerances_are_respected():
    a, b = np.array([1e-7]), np.array([1.0])
    # The wrong gradient for b is off by 5e-8: inside atol=1e-5, outside atol=1e-9 with rtol=0.
    assert ag.gradcheck(lambda s, t: HalfWrongMul()(s, t), [a, b])
    with pytest.raises(ag.GradcheckError, match="input 1"):
        ag.gradcheck(lambda s, t: HalfWrongMul()(s, t), [a, b], atol=1e-9, rtol=0)
