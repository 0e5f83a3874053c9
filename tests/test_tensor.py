"""The numpy-backed Tensor: construction, dtypes, gradients' form, conversions, repr."""
import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite import Tensor


@pytest.mark.parametrize("data", [1.5, [1.0, 2.0], [[1, 2.5]], [True, 1.0]])
def test_python_floats_and_lists_become_float32_as_in_pytorch(data):
    assert Tensor(data).dtype == np.float32


def test_float64_arrays_stay_float64():
    assert Tensor(np.zeros(3)).dtype == np.float64


@pytest.mark.parametrize("data, dtype", [([1, 2], np.int64), (np.arange(3, dtype=np.int32), np.int32),
                                         ([True, False], np.bool_)])
def test_integer_and_bool_data_keep_their_dtype(data, dtype):
    assert Tensor(data).dtype == dtype


def test_dtype_argument_converts():
    assert Tensor([1, 2], dtype="float64").dtype == np.float64


def test_python_numbers_take_the_tensors_float_dtype():
    x = Tensor([1.0, 2.0])
    assert (x * 2.0).dtype == np.float32
    assert (x / 3).dtype == np.float32
    assert (np.float64(2.0) * x).dtype == np.float32


def test_float64_array_operand_promotes_as_numpy_does():
    assert (Tensor([1.0]) + np.array([1.0])).dtype == np.float64


def test_integer_tensor_cannot_require_grad():
    with pytest.raises(TypeError, match="only floating point tensors can require gradients; this one has dtype int64"):
        Tensor([1, 2], requires_grad=True)


def test_grad_is_a_tensor_of_the_same_shape_without_history():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    (x * 3).sum().backward()
    assert isinstance(x.grad, Tensor)
    assert x.grad.shape == (2, 3) and x.grad.dtype == np.float64
    assert not x.grad.requires_grad
    np.testing.assert_array_equal(np.asarray(x.grad), np.full((2, 3), 3.0))


def test_grad_keeps_a_float32_leafs_dtype_even_through_float64_constants():
    x = Tensor([1.0, 2.0], requires_grad=True)
    (x * np.array([1.0, 2.0])).sum().backward()
    assert x.grad.dtype == np.float32


def test_grads_of_two_leaves_never_share_memory():
    # a + b hands one gradient array to both; an optimizer scaling one .grad in place must not touch the other
    a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0], requires_grad=True)
    seed = np.ones(2, dtype=np.float32)
    (a + b).backward(seed)
    a.grad.data *= 10
    np.testing.assert_array_equal(b.grad.data, [1.0, 1.0])
    np.testing.assert_array_equal(seed, [1.0, 1.0])


def test_gradients_accumulate_over_backward_calls():
    x = Tensor([1.0], requires_grad=True)
    (x * 2).sum().backward()
    (x * 3).sum().backward()
    assert x.grad.item() == 5.0


def test_np_asarray_gives_the_data():
    x = Tensor([[1.0, 2.0]])
    a = np.asarray(x)
    assert a is x.data
    assert np.asarray(x, dtype=np.float64).dtype == np.float64
    assert np.array(x, copy=True) is not x.data


def test_constructor_copies_like_torch_tensor_and_as_tensor_shares():
    a = np.zeros(3, dtype=np.float32)
    t = Tensor(a)
    t.data[0] = 1.0
    assert a[0] == 0.0
    assert np.shares_memory(ag.as_tensor(a).data, a)


def test_numpy_item_tolist_detach():
    x = Tensor([[1.5]], requires_grad=True)
    assert x.numpy() is x.data
    assert x.item() == 1.5 and isinstance(x.item(), float)
    assert x.tolist() == [[1.5]]
    d = (x * 2).detach()
    assert d.is_leaf and not d.requires_grad and d.item() == 3.0


def test_item_of_several_elements_says_so():
    with pytest.raises(ValueError, match=r"only a one-element tensor.*shape is \(2,\)"):
        Tensor([1.0, 2.0]).item()


def test_shape_ndim_size_len_and_iteration():
    x = Tensor(np.arange(6.0).reshape(2, 3))
    assert (x.shape, x.ndim, x.size, x.numel(), len(x)) == ((2, 3), 2, 6, 6, 2)
    assert [row.tolist() for row in x] == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]


def test_repr_reads_like_pytorch():
    assert repr(Tensor([1.0, 2.0])) == "Tensor([1., 2.])"
    assert repr(Tensor([1.0], requires_grad=True)) == "Tensor([1.], requires_grad=True)"
    assert repr(Tensor([1.0], requires_grad=True) * 2) == "Tensor([2.], grad_fn=mul)"
    assert repr(Tensor([1, 2])) == "Tensor([1, 2], dtype=int64)"
    assert repr(Tensor(np.zeros((2, 2)))) == "Tensor([[0., 0.],\n        [0., 0.]], dtype=float64)"


def test_comparisons_give_boolean_tensors_without_history():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    mask = x > 1.5
    assert mask.dtype == np.bool_ and not mask.requires_grad
    assert mask.tolist() == [False, True, True]
    assert (x == 2.0).tolist() == [False, True, False]


def test_ndarray_on_the_left_defers_to_the_tensor():
    y = np.array([2.0]) * Tensor([3.0], requires_grad=True)
    assert isinstance(y, Tensor) and y.requires_grad


def test_matmul_reflected_with_an_ndarray():
    w = Tensor(np.eye(2), requires_grad=True)
    y = np.ones((1, 2)) @ w
    assert isinstance(y, Tensor) and y.shape == (1, 2)


def test_name_and_requires_grad_flag():
    w = Tensor([1.0], requires_grad=True, name="w")
    assert w.name == "w" and w.is_leaf and w.grad is None
    assert "name='w'" in repr(w)


def test_tensor_function_and_float_conversion():
    t = ag.tensor([2.0], requires_grad=True)
    assert t.requires_grad and float(t) == 2.0 and f"{t:.1f}" == "2.0"
