"""gather scatter scatter_add scatter_reduce index_select index_add masked_fill masked_select take_along_dim nonzero:
values, gradients to second order (float64 finite differences over random shapes), and PyTorch's numbers.

These ops are declared in the op registry, whose samples (2-D, fixed positions) check their gradients to
second order and against PyTorch (tests/test_ops_gradcheck.py). Here their method spellings meet PyTorch
on 2-D and 3-D shapes, and the spellings the samples cannot hold (``value=``, a src larger than index)
are checked against finite differences over random shapes."""
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from helpers import check_grads

import autograd_lite as ag
from autograd_lite.ops.gather_scatter import IndexOutOfRange

T = ag.Tensor
OURS = SimpleNamespace(I=np.asarray)


def positions(shape, dim, index_shape, seed, unique=False):
    """An index of ``index_shape`` into ``shape`` along ``dim`` (with ``unique``: no place written twice)."""
    rng = np.random.default_rng(seed)
    if not unique:
        return rng.integers(0, shape[dim], index_shape)
    moved = np.moveaxis(np.empty(index_shape, dtype=np.int64), dim, -1)
    for where in np.ndindex(moved.shape[:-1]):
        moved[where] = rng.permutation(shape[dim])[:moved.shape[-1]]
    return np.moveaxis(moved, -1, dim)


def smaller(shape, dim, along):
    """``shape`` with ``along`` at ``dim`` and each other side one shorter (PyTorch allows index ≤ x there)."""
    return tuple(along if d == dim else max(n - 1, 1) for d, n in enumerate(shape))


# name, input shapes from a base shape, the case (written once for both libraries)
CASES = [
    ("gather dim 0", lambda s: [s], lambda x, L: x.gather(0, L.I(positions(x.shape, 0, smaller(x.shape, 0, 4), 0)))),
    ("gather dim -1", lambda s: [s], lambda x, L: x.gather(-1, L.I(positions(x.shape, x.ndim - 1, x.shape, 1)))),
    ("scatter", lambda s: [s, smaller(s, 0, s[0])],
     lambda x, src, L: x.scatter(0, L.I(positions(x.shape, 0, src.shape, 2, unique=True)), src)),
    ("scatter value", lambda s: [s],
     lambda x, L: x.scatter(-1, L.I(positions(x.shape, x.ndim - 1, smaller(x.shape, x.ndim - 1, 1), 3, unique=True)),
                            value=2.5)),
    ("scatter_add", lambda s: [s, s[:-1] + (s[-1] + 2,)],
     lambda x, src, L: x.scatter_add(-1, L.I(positions(x.shape, x.ndim - 1, src.shape, 4)), src)),
    ("scatter_add src bigger", lambda s: [s, tuple(n + 1 for n in s)],
     lambda x, src, L: x.scatter_add(0, L.I(positions(x.shape, 0, smaller(x.shape, 0, 3), 5)), src)),
    *[(f"scatter_reduce {reduce}{'' if self_ else ' without self'}", lambda s: [s, s[:1] + (s[0] * 2,) + s[2:]] if len(s) > 1 else [s, (s[0] * 2,)],
       (lambda r, i: lambda x, src, L: x.scatter_reduce(min(1, x.ndim - 1), L.I(positions(x.shape, min(1, x.ndim - 1), src.shape, 6)),
                                                        src, r, include_self=i))(reduce, self_))
      for reduce in ("sum", "prod", "mean", "amax", "amin") for self_ in (True, False)],
    ("index_select", lambda s: [s], lambda x, L: x.index_select(0, L.I(np.array([0, 1, 0, 2]) % x.shape[0]))),
    ("index_add", lambda s: [s, (4,) + s[1:]],
     lambda x, src, L: x.index_add(0, L.I(np.array([1, 0, 1, 2]) % x.shape[0]), src, alpha=0.5)),
    ("masked_fill", lambda s: [s], lambda x, L: x.masked_fill(L.I(np.random.default_rng(7).random(x.shape[-1:]) > 0.5), -1.5)),
    ("masked_select", lambda s: [s], lambda x, L: x.masked_select(L.I(np.random.default_rng(8).random(x.shape) > 0.3))),
    ("take_along_dim", lambda s: [s], lambda x, L: x.take_along_dim(L.I(np.argsort(x.detach().numpy(), axis=0)), 0)),
    ("take_along_dim flat", lambda s: [s], lambda x, L: x.take_along_dim(L.I(np.array([0, 2, 1, 1])))),
    ("take_along_dim broadcast", lambda s: [s],
     lambda x, L: x.take_along_dim(L.I(positions(x.shape, x.ndim - 1, (1,) * (x.ndim - 1) + (2,), 9)), -1)),
]
IDS = [c[0] for c in CASES]
OUTSIDE_THE_SAMPLES = [c for c in CASES if c[0] in ("scatter value", "scatter_add src bigger")]


@pytest.mark.parametrize("name, shapes, case", OUTSIDE_THE_SAMPLES, ids=[c[0] for c in OUTSIDE_THE_SAMPLES])
@settings(max_examples=4, deadline=None)
@given(data=st.data())
def test_gradients_first_and_second_order(name, shapes, case, data):
    base = tuple(data.draw(st.lists(st.integers(3, 4), min_size=1, max_size=3)))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16)))
    arrays = [rng.uniform(0.5, 2, s) * rng.choice([-1, 1], s) for s in shapes(base)]
    check_grads(lambda *ts: case(*ts, OURS), *arrays, rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize("name, shapes, case", CASES, ids=IDS)
@pytest.mark.parametrize("base", [(3, 4, 5), (4, 3)])
def test_matches_torch(name, shapes, case, base):
    torch = pytest.importorskip("torch")
    if name == "scatter_add src bigger":
        pytest.skip("PyTorch's own backward refuses a src larger than index (ScatterAddBackward0: invalid gradient)")
    rng = np.random.default_rng(sum(base))
    arrays = [rng.standard_normal(s) for s in shapes(base)]
    ours = [T(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    y, ty = case(*ours, OURS), case(*theirs, SimpleNamespace(I=torch.tensor))
    assert y.shape == tuple(ty.shape)
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-6, atol=1e-12)
    g = np.random.default_rng(1).standard_normal(y.shape)
    y.backward(g)
    ty.backward(torch.tensor(g))
    for o, t in zip(ours, theirs):
        np.testing.assert_allclose(o.grad.data, t.grad.numpy(), rtol=1e-6, atol=1e-12)


def test_values_a_reader_checks():
    x = T([[1.0, 2.0], [3.0, 4.0]])
    assert x.gather(1, np.array([[0, 0], [1, 0]])).tolist() == [[1, 1], [4, 3]]
    assert T([0.0, 0.0, 0.0]).scatter(0, np.array([2, 0]), T([5.0, 6.0])).tolist() == [6, 0, 5]
    assert T([0.0, 0.0]).scatter_add(0, np.array([1, 1, 0]), T([1.0, 2.0, 3.0])).tolist() == [3, 3]
    assert T([1.0, 1.0]).scatter_reduce(0, np.array([0, 0, 1]), T([3.0, 5.0, 0.5]), "amax").tolist() == [5, 1]
    assert T([2.0, 1.0]).scatter_reduce(0, np.array([0, 0]), T([3.0, 5.0]), "mean").tolist() == pytest.approx([10 / 3, 1])
    assert T([2.0, 1.0]).scatter_reduce(0, np.array([0, 0]), T([3.0, 5.0]), "mean", include_self=False).tolist() == [4, 1]
    assert T([0.0, 0.0, 0.0]).index_add(0, [0, 0, 2], T([1.0, 2.0, 3.0])).tolist() == [3, 0, 3]
    assert x.masked_fill(np.array([True, False]), 0.0).tolist() == [[0, 2], [0, 4]]
    assert x.masked_select(x.data > 1.5).tolist() == [2, 3, 4]
    assert T([[0.0, 1.0], [2.0, 0.0]]).nonzero().tolist() == [[0, 1], [1, 0]]
    rows, cols = T([[0.0, 1.0], [2.0, 0.0]]).nonzero(as_tuple=True)
    assert rows.tolist() == [0, 1] and cols.tolist() == [1, 0]
    assert T(5.0).nonzero().shape == (1, 0) and T(0.0).nonzero().shape == (0, 0)


def test_gather_adds_the_gradient_of_a_place_picked_twice():
    x = T([1.0, 2.0, 3.0], requires_grad=True)
    x.gather(0, np.array([2, 2, 0])).sum().backward()
    assert x.grad.tolist() == [1.0, 0.0, 2.0]


def test_amax_ties_share_the_gradient_as_pytorch():
    x = T([1.0, 0.0], requires_grad=True)
    src = T([1.0, 1.0, 0.5], requires_grad=True)
    x.scatter_reduce(0, np.array([0, 0, 1]), src, "amax").sum().backward()
    assert x.grad.tolist() == pytest.approx([1 / 3, 0.0]) and src.grad.tolist() == pytest.approx([1 / 3, 1 / 3, 1.0])


def test_prod_with_zeros_is_exact():
    x = T([2.0, 3.0], dtype="float64", requires_grad=True)
    src = T([0.0, 5.0, 0.0, 0.0], dtype="float64", requires_grad=True)
    x.scatter_reduce(0, np.array([0, 0, 1, 1]), src, "prod").sum().backward()
    assert x.grad.tolist() == [0.0, 0.0]               # each group has a zero besides x
    assert src.grad.tolist() == [10.0, 0.0, 0.0, 0.0]  # the one zero of group 0 gets 2·5; two zeros: 0


@pytest.mark.parametrize("fails, error, message", [
    (lambda: T(np.ones((2, 3))).gather(1, np.array([0, 1])), RuntimeError, "index has 1 dimensions but the tensor has 2"),
    (lambda: T(np.ones((2, 3))).gather(1, np.array([[0, 3]])), IndexOutOfRange, "index 3 is out of bounds for dimension 1 with size 3"),
    (lambda: T(np.ones((2, 3))).gather(1, np.array([[-1, 0]])), RuntimeError, "index -1 is out of bounds"),
    (lambda: T(np.ones((2, 3))).gather(1, np.array([[0.0]])), TypeError, "must hold integers"),
    (lambda: T(np.ones((2, 3))).gather(0, np.zeros((1, 4), int)), RuntimeError, "larger than the tensor's shape"),
    (lambda: T(np.ones(3)).scatter(0, np.array([0, 1]), T([1.0])), RuntimeError, "larger than src's shape"),
    (lambda: T(np.ones(3)).scatter(0, np.array([0])), RuntimeError, "give src"),
    (lambda: T(np.ones(3)).scatter_reduce(0, np.array([0]), T([1.0]), "max"), RuntimeError, "reduce must be one of"),
    (lambda: T(np.ones(3)).index_select(0, [[0]]), RuntimeError, "must be 1-D"),
    (lambda: T(np.ones(3)).index_select(0, [3]), RuntimeError, "index 3 is out of bounds"),
    (lambda: T(np.ones((3, 2))).index_add(0, [0], T(np.ones((2, 2)))), RuntimeError, r"source must have shape \(1, 2\)"),
    (lambda: T(np.ones(3)).masked_fill(np.array([1, 0, 1]), 0.0), TypeError, "mask must be boolean"),
    (lambda: T(np.ones(3)).masked_fill(np.ones(2, bool), 0.0), RuntimeError, "does not broadcast"),
    (lambda: T(np.ones((2, 3))).take_along_dim(np.zeros((3, 1), int), 1), RuntimeError, "do not broadcast"),
])
def test_bad_arguments(fails, error, message):
    with pytest.raises(error, match=message):
        fails()
