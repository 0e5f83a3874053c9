"""The ops of the engine-breadth issue give PyTorch's numbers and conventions (checked without PyTorch).

Gradients are checked for every declared op in ``test_ops_gradcheck.py``; here are the
values, index conventions, dtypes and error messages a user would look at.
"""
import math

import numpy as np
import pytest

import autograd_lite as ag
import autograd_lite.functional as F
from autograd_lite import Tensor, Value, nn


def test_remainder_takes_the_sign_of_the_divisor_and_fmod_of_the_dividend():
    a = Tensor([-7.0, 7.0])
    assert (a % 3).tolist() == [2.0, 1.0] and a.remainder(3).tolist() == [2.0, 1.0]
    assert a.fmod(3).tolist() == [-1.0, 1.0]
    assert (Value(-7.0) % 3).data == 2.0 and Value(-7.0).fmod(3.0).data == -1.0


def test_div_rounding_modes_keep_integers_integer_and_pass_zero_gradient():
    ints = Tensor([7, -7])
    assert ints.div(2, rounding_mode="floor").tolist() == [3, -4] and (ints // 2).dtype == np.int64
    assert ints.div(2, rounding_mode="trunc").tolist() == [3, -3]
    x = Tensor([7.0, -7.0], requires_grad=True)
    x.div(2.0, rounding_mode="floor").sum().backward()
    assert x.grad.tolist() == [0.0, 0.0]
    with pytest.raises(ValueError, match="rounding_mode must be None, 'trunc' or 'floor'; got 'round'"):
        x.div(2.0, rounding_mode="round")


def test_rounding_ops_give_pytorchs_values_and_a_zero_gradient():
    x = Tensor([-1.5, -0.5, 0.5, 2.5, 2.7], requires_grad=True)
    assert x.round().tolist() == [-2.0, -0.0, 0.0, 2.0, 3.0]  # halves to even, as torch.round
    assert x.floor().tolist() == [-2.0, -1.0, 0.0, 2.0, 2.0] and x.ceil().tolist() == [-1.0, -0.0, 1.0, 3.0, 3.0]
    assert x.trunc().tolist() == [-1.0, -0.0, 0.0, 2.0, 2.0]
    np.testing.assert_allclose(x.frac().data, [-0.5, -0.5, 0.5, 0.5, 0.7], rtol=1e-6)
    (x.floor() + x.round() + x.sign()).sum().backward()
    assert x.grad.tolist() == [0.0] * 5


def test_copysign_and_lerp():
    assert Tensor([1.0, -2.0]).copysign(Tensor([-1.0, 3.0])).tolist() == [-1.0, 2.0]
    assert Tensor([0.0, 10.0]).lerp(Tensor([10.0, 20.0]), 0.25).tolist() == [2.5, 12.5]


def test_nan_to_num_replaces_and_passes_gradient_only_where_finite():
    x = Tensor([np.nan, 1.0, np.inf, -np.inf], requires_grad=True)
    y = x.nan_to_num(posinf=9.0, neginf=-9.0)
    assert y.tolist() == [0.0, 1.0, 9.0, -9.0]
    y.sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, 0.0, 0.0]


def test_tests_of_numbers_and_logic_give_bool_tensors_without_history():
    x = Tensor([np.nan, 1.0, np.inf], requires_grad=True)
    assert x.isnan().tolist() == [True, False, False] and x.isinf().tolist() == [False, False, True]
    assert x.isfinite().tolist() == [False, True, False] and not x.isfinite().requires_grad
    assert Tensor([0.0, 1.0]).logical_and(Tensor([1.0, 1.0])).tolist() == [False, True]
    assert Tensor([0.0, 1.0]).logical_or(Tensor([0.0, 0.0])).tolist() == [False, True]
    assert Tensor([0.0, 1.0]).logical_not().tolist() == [True, False]
    assert Tensor([1.0, 2.0]).isclose(Tensor([1.0 + 1e-9, 2.1])).tolist() == [True, False]
    assert F.allclose([1.0, 2.0], Tensor([1.0, 2.0])) is True


def test_scalar_functions_follow_numpy_at_the_edges_of_their_domain():
    assert math.isnan(Value(2.0).asin().data) and Value(0.0).log2().data == -math.inf
    assert Value(-1.0).log1p().data == -math.inf and Value(0.0).reciprocal().data == math.inf
    assert Value(1.0).atanh().data == math.inf and Value(1000.0).cosh().data == math.inf


def test_gelu_exact_and_tanh_forms_give_pytorchs_numbers():
    x = Tensor([-1.0, 0.0, 1.0], dtype="float64")
    np.testing.assert_allclose(x.gelu().data, [-0.15865525393145707, 0.0, 0.8413447460685429], rtol=1e-12)
    np.testing.assert_allclose(x.gelu(approximate="tanh").data, [-0.15880800939172324, 0.0, 0.8411919906082768],
                               rtol=1e-12)
    with pytest.raises(ValueError, match="gelu: approximate must be 'none' or 'tanh'; got 'fast'"):
        x.gelu(approximate="fast")


def test_activation_values_at_a_few_points():
    x = Tensor([-4.0, -1.0, 0.0, 1.0, 7.0], dtype="float64")
    assert x.relu6().tolist() == [0.0, 0.0, 0.0, 1.0, 6.0]
    assert x.hardtanh().tolist() == [-1.0, -1.0, 0.0, 1.0, 1.0]
    np.testing.assert_allclose(x.hardsigmoid().data, [0.0, 1 / 3, 0.5, 2 / 3, 1.0])
    np.testing.assert_allclose(x.hardswish().data, [-0.0, -1 / 3, 0.0, 2 / 3, 7.0])
    np.testing.assert_allclose(x.softsign().data, [-0.8, -0.5, 0.0, 0.5, 0.875])
    np.testing.assert_allclose(x.silu().data, x.data / (1 + np.exp(-x.data)))
    np.testing.assert_allclose(x.logsigmoid().data, -np.log1p(np.exp(-x.data)))
    np.testing.assert_allclose(x.selu().data[3], 1.0507009873554805)
    np.testing.assert_allclose(x.softplus(beta=2.0, threshold=1.0).data[4], 7.0)  # linear past the threshold


def test_every_activation_is_an_nn_module_taking_the_functions_settings():
    assert repr(nn.GELU(approximate="tanh")) == "GELU(approximate='tanh')"
    assert repr(nn.ELU()) == "ELU(alpha=1.0)" and repr(nn.ReLU6()) == "ReLU6()"
    assert repr(nn.Hardtanh(-2.0, 2.0)) == "Hardtanh(min_val=-2.0, max_val=2.0)"
    x = Tensor([-3.0, 0.5, 3.0])
    assert nn.Hardtanh(-2.0, 2.0)(x).tolist() == [-2.0, 0.5, 2.0]
    assert nn.Sequential(nn.SiLU(), nn.Mish(), nn.Softplus(), nn.CELU(), nn.SELU(), nn.Tanhshrink(),
                         nn.LogSigmoid(), nn.Softsign(), nn.Hardswish(), nn.Hardsigmoid())(x).shape == (3,)
    with pytest.raises(TypeError, match="ELU: got an unexpected keyword argument 'beta'; it takes \\(alpha=1.0\\)"):
        nn.ELU(beta=2.0)
    assert nn.Dense(2, activation="swish").activation is F.silu  # Keras's name


def test_max_and_min_along_a_dim_return_values_and_indices_and_amax_keeps_values_only():
    x = Tensor([[1.0, 5.0, 5.0], [7.0, 2.0, 0.0]], requires_grad=True)
    values, indices = x.min(1)
    assert values.tolist() == [1.0, 0.0] and indices.tolist() == [0, 2]
    assert x.amax(dim=1).tolist() == [5.0, 7.0] and x.amax(axis=(0, 1)).item() == 7.0
    x.max(dim=1).values.sum().backward()  # a tie: the first index gets it, as torch.max(x, dim)
    assert x.grad.tolist() == [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]


def test_sort_topk_argsort_and_median_follow_pytorch():
    x = Tensor([[3.0, 1.0, 2.0, 1.0]], requires_grad=True)
    assert x.sort().indices.tolist() == [[1, 3, 2, 0]]  # stable: the two 1.0s keep their order
    assert x.sort(descending=True).values.tolist() == [[3.0, 2.0, 1.0, 1.0]]
    assert x.argsort(dim=1, descending=True).tolist() == [[0, 2, 1, 3]]
    values, indices = x.topk(2, dim=1)
    assert values.tolist() == [[3.0, 2.0]] and indices.tolist() == [[0, 2]]
    assert x.topk(1, largest=False).values.tolist() == [[1.0]]
    assert x.median().item() == 1.0  # the lower of the two middle values, not numpy's mean 1.5
    median, where = x.median(dim=1)
    assert median.tolist() == [1.0] and x.data[0, where.item()] == 1.0  # either 1.0 (PyTorch does not say which)
    values.sum().backward()
    assert x.grad.tolist() == [[1.0, 0.0, 1.0, 0.0]]
    with pytest.raises(ValueError, match=r"topk: k=5 is out of range for dim -1 of shape \(1, 4\) \(length 4\)"):
        x.topk(5)


def test_scans():
    x = Tensor([[1.0, 2.0, 3.0], [0.5, 0.0, 4.0]])
    assert x.cumsum(1).tolist() == [[1.0, 3.0, 6.0], [0.5, 0.5, 4.5]]
    assert x.cumprod(dim=1).tolist() == [[1.0, 2.0, 6.0], [0.5, 0.0, 0.0]]
    np.testing.assert_allclose(Tensor([0.0, 0.0, 0.0]).logcumsumexp(0).data, np.log([1.0, 2.0, 3.0]), rtol=1e-6)
    values, indices = Tensor([1.0, 3.0, 2.0, 3.0]).cummax(0)
    assert values.tolist() == [1.0, 3.0, 3.0, 3.0] and indices.tolist() == [0, 1, 1, 3]  # ties: the later, as torch
    assert Tensor([2.0, 1.0, 3.0]).cummin(0).indices.tolist() == [0, 1, 1]
    with pytest.raises(TypeError, match="cumsum: give the axis to scan along"):
        x.cumsum()


def test_statistics_and_norms():
    x = Tensor([[3.0, -4.0], [0.0, 1.0]])
    assert x.std(dim=1, correction=0).tolist() == [3.5, 0.5] and x.prod().item() == 0.0
    assert x.norm().item() == pytest.approx(math.sqrt(26)) and x.norm(p=1, dim=0).tolist() == [3.0, 5.0]
    assert x.norm(p=float("inf")).item() == 4.0 and x.norm(p="fro", dim=1, keepdim=True).shape == (2, 1)
    assert x.any().item() is True and x.all().item() is False and x.all(dim=0).tolist() == [False, True]
    assert x.count_nonzero().item() == 3 and x.count_nonzero(dim=1).tolist() == [2, 1]
    with pytest.raises(ValueError, match="norm: p must be a number or 'fro'; got 'nuc'"):
        x.norm(p="nuc")


def test_functional_names_accept_plain_data():
    assert F.cumsum([1.0, 2.0], dim=0).tolist() == [1.0, 3.0]
    assert F.gelu(np.zeros(2)).tolist() == [0.0, 0.0]
    assert ag.functional.max([[1.0, 4.0]], dim=1).indices.tolist() == [1]
