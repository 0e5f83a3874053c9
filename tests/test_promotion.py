"""Where ops used to disagree with PyTorch: dtype promotion, 0-d tensors with dim -1, pow at the
edges of its domain, advanced indexing order, and the exception types PyTorch code catches."""
import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite import functional as F
from autograd_lite.dtypes import PROMOTION_TABLE, promote_types, result_type

T = ag.Tensor


# -- type promotion ----------------------------------------------------------------------------
@pytest.mark.parametrize("make, expected", [
    (lambda: T([1, 2]) / T([2, 2]), np.float32),            # int / int: the default float
    (lambda: T([1, 2]) / 2, np.float32),
    (lambda: T([1, 2]) ** 0.5, np.float32),
    (lambda: 0.7 ** T([1, 2]), np.float32),
    (lambda: T(2).exp(), np.float32),
    (lambda: T(2).cos(), np.float32),
    (lambda: T(1) + 0.5, np.float32),
    (lambda: T([1, 2], dtype="int32") + 0.5, np.float32),   # a Python float does not make it float64
    (lambda: T([1, 2], dtype="int32") + 3, np.int32),       # nor a Python int int64
    (lambda: F.maximum(T([1, 2], dtype="int32"), T(0.5)), np.float32),
    (lambda: T([1.0], dtype="float32") * T(2.0, dtype="float64"), np.float32),  # a 0-d tensor does not raise it
    (lambda: T([1], dtype="int32") + T(2.0, dtype="float64"), np.float64),  # unless of a higher category
    (lambda: T([True]) + 1, np.int64),
    (lambda: T([1], dtype="int16") * T([2], dtype="float16"), np.float16),  # numpy would say float32
    (lambda: T([1.0], dtype="float64") + T([1.0], dtype="float32"), np.float64),
])
def test_result_dtype_follows_pytorch(make, expected):
    assert make().dtype == np.dtype(expected)


def test_concat_and_stack_promote_as_torch_cat():
    ints, floats = T([1, 2]), T([0.5], requires_grad=True)
    joined = F.concat([ints, floats])
    assert joined.dtype == np.float32 and joined.tolist() == [1.0, 2.0, 0.5]
    joined.sum().backward()
    assert floats.grad.tolist() == [1.0]
    assert F.stack([T([1.0], dtype="float64"), T([2.0])]).dtype == np.float64
    assert F.stack([T([1], dtype="int16"), T([True])]).dtype == np.int16


def test_table_is_symmetric_and_a_float_wins_over_any_int():
    for (a, b), c in PROMOTION_TABLE.items():
        assert PROMOTION_TABLE[b, a] == c
        if a.kind == "f" and b.kind != "f":
            assert c == a


def test_result_type_tiers():
    assert result_type(np.zeros(2, np.int32), np.array(1.5, np.float32)) == np.float32
    assert result_type(np.zeros(2, np.uint8), np.array(300, np.int64)) == np.uint8
    assert result_type(np.array(1, np.int32), np.array(1, np.int64)) == np.int64
    assert promote_types(np.uint32, np.float16) == np.float16  # outside the table: the float still wins


def test_gradient_flows_through_a_promoted_op():
    x = T([1.0, 2.0], requires_grad=True)
    (x * T(3.0, dtype="float64")).sum().backward()
    assert x.grad.dtype == np.float32 and x.grad.tolist() == [3.0, 3.0]


def test_table_matches_torch():
    torch = pytest.importorskip("torch")
    for (a, b), c in PROMOTION_TABLE.items():
        ta, tb = (getattr(torch, np.dtype(d).name) for d in (a, b))
        assert str(torch.promote_types(ta, tb)).removeprefix("torch.") == c.name


BINARY = [("mul", lambda a, b: a * b), ("add", lambda a, b: a + b), ("div", lambda a, b: a / b),
          ("maximum", lambda a, b: a.maximum(b))]


@pytest.mark.parametrize("name, op", BINARY, ids=[b[0] for b in BINARY])
def test_mixed_operands_match_torch(name, op):
    torch = pytest.importorskip("torch")
    dtypes = ["bool", "uint8", "int16", "int32", "int64", "float16", "float32", "float64"]

    def torch_name(t):
        return str(t.dtype).removeprefix("torch.")

    for da in dtypes:
        for db in dtypes:
            for shape_b in [(), (2,)]:
                a, b = np.ones(2, da), np.ones(shape_b, db)
                theirs = op(torch.tensor(a), torch.tensor(b))
                assert op(T(a), T(b)).dtype.name == torch_name(theirs), (da, db, shape_b)
        for number in [] if name == "maximum" else [2, 2.5, True]:  # torch.maximum takes tensors only
            theirs = op(torch.tensor(np.ones(2, da)), number)
            assert op(T(np.ones(2, da)), number).dtype.name == torch_name(theirs), (da, number)
    assert op(T(3), T(2.0)).dtype.name == torch_name(op(torch.tensor(3), torch.tensor(2.0)))


def test_unary_ops_on_integers_give_float32_as_torch():
    torch = pytest.importorskip("torch")
    for dtype in ["uint8", "int8", "int32", "int64"]:
        for method in ["exp", "sqrt", "sin", "tanh", "sigmoid", "log"]:
            x = np.array([1, 2, 1], dtype=dtype)
            assert getattr(T(x), method)().dtype.name == str(getattr(torch.tensor(x), method)().dtype).removeprefix("torch.")


# -- 0-d tensors take dim 0 and -1 ------------------------------------------------------------
@pytest.mark.parametrize("reduce", [lambda x: x.sum(-1), lambda x: x.sum(0), lambda x: x.logsumexp(-1),
                                    lambda x: x.mean(-1), lambda x: x.max(-1).values, lambda x: x.squeeze(-1) * 2])
def test_zero_dim_tensor_with_dim_minus_one(reduce):
    x = T(3.0, requires_grad=True)
    y = reduce(x)
    y.backward()
    assert y.shape == () and x.grad.shape == ()
    assert x.grad.item() == (2.0 if y.item() == 6.0 else 1.0)


def test_zero_dim_tensor_refuses_dim_one():
    with pytest.raises(np.exceptions.AxisError, match="axis 1 is out of bounds"):
        T(3.0).sum(1).backward()


# -- pow at the edges of its domain (PyTorch's limits) ---------------------------------------------
@pytest.mark.filterwarnings("ignore:divide by zero encountered in power")  # numpy's note on 0 ** -2 in forward
def test_pow_edges_match_pytorch():
    a = T([0.0, 0.0, 0.0, 0.0, 2.0], dtype="float64", requires_grad=True)
    b = T([-2.0, -1.0, 0.0, -0.3, 0.0], dtype="float64", requires_grad=True)
    (a ** b).sum().backward()
    assert a.grad.tolist() == [-np.inf, -np.inf, 0.0, -np.inf, 0.0]
    assert b.grad.tolist() == [-np.inf, -np.inf, 0.0, -np.inf, np.log(2.0)]


@pytest.mark.filterwarnings("ignore:divide by zero encountered in power")
def test_pow_edges_against_torch():
    torch = pytest.importorskip("torch")
    base = np.array([0.0, 0.0, 0.0, 0.0, 0.0, 2.0, -1.5])
    expo = np.array([-2.0, -1.0, 0.0, -0.3, 1.5, 0.0, 2.0])
    a, b = T(base, requires_grad=True), T(expo, requires_grad=True)
    (a ** b).sum().backward()
    ta, tb = torch.tensor(base, requires_grad=True), torch.tensor(expo, requires_grad=True)
    (ta ** tb).sum().backward()
    np.testing.assert_array_equal(a.grad.data, ta.grad.numpy())
    np.testing.assert_array_equal(b.grad.data, tb.grad.numpy())


def test_value_pow_edges():
    a, b = ag.Value(0.0), ag.Value(0.0)
    (a ** b).backward()
    assert (a.grad, b.grad) == (0.0, 0.0)


# -- advanced indexing: PyTorch's dimension order ------------------------------------------------
INDEXES = [
    lambda i: (1, slice(None), slice(3, 11, 2), i, slice(0, 2)),
    lambda i: (i, slice(None), i),
    lambda i: (slice(None), i, 1),
    lambda i: (1, i, slice(None), i),
    lambda i: (None, 1, Ellipsis, i),
    lambda i: (1, None, slice(None), i),
]


@pytest.mark.parametrize("make_index", INDEXES)
def test_int_and_array_index_keeps_pytorch_order(make_index):
    x = np.arange(2 * 3 * 12 * 5 * 6, dtype=np.float64).reshape(2, 3, 12, 5, 6)
    t = T(x, requires_grad=True)
    y = t[make_index(np.array([0, 1, 1]))]
    y.sum().backward()
    assert t.grad.data.sum() == y.size  # each picked element (picked twice: counted twice) sends its 1 back


def test_int_then_array_separated_by_slice_shape():
    assert T(np.zeros((2, 3, 4)))[1, :, [0, 1]].shape == (3, 2)  # numpy gives (2, 3)


@pytest.mark.parametrize("make_index", INDEXES)
def test_indexing_matches_torch(make_index):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).standard_normal((2, 3, 12, 5, 6))
    ours = T(x, requires_grad=True)
    theirs = torch.tensor(x, requires_grad=True)
    y, ty = ours[make_index(np.array([0, 1, 1]))], theirs[make_index(torch.tensor([0, 1, 1]))]
    assert y.shape == tuple(ty.shape)
    np.testing.assert_array_equal(y.data, ty.detach().numpy())
    g = np.random.default_rng(1).standard_normal(y.shape)
    y.backward(g)
    ty.backward(torch.tensor(g))
    np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy())


# -- exception types PyTorch code catches ---------------------------------------------------------
@pytest.mark.parametrize("fails, message", [
    (lambda: T(np.ones((2, 3))) @ T(np.ones((2, 3))), "matmul: shapes"),
    (lambda: T(np.ones((2, 3))).permute(0, 0), "permute"),
    (lambda: T(np.ones((2, 3))).reshape(-1, -1), "reshape"),
    (lambda: T([1.0]).clip(None, None), "at least one of min and max"),
    (lambda: T([2, 3]) ** -1, "Integers to negative integer powers"),
    (lambda: T([2, 3]) ** T([-1, 2]), "Integers to negative integer powers"),
    (lambda: F.cross_entropy(T(np.ones((4, 3))), np.zeros((4, 1), dtype=np.int64)), "labels of shape"),
])
def test_errors_are_runtime_errors(fails, message):
    with pytest.raises(RuntimeError, match=message):
        fails()
