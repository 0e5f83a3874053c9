"""einsum (any subscripts, gradient through every operand), outer dot mv bmm tensordot, and ag.linalg's norms."""
import numpy as np
import pytest
from helpers import check_grads

import autograd_lite as ag
from autograd_lite import functional as F

T = ag.Tensor

# subscripts and operand shapes: matrix products, traces and diagonals (a label repeated in one operand),
# a label only one operand has (summed away), '...' with broadcasting, implicit output, three operands
EINSUMS = [
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("ij,jk", [(2, 3), (3, 2)]),
    ("ii->", [(3, 3)]),
    ("ii->i", [(3, 3)]),
    ("iij->ji", [(2, 2, 3)]),
    ("ij->", [(2, 3)]),
    ("ij->j", [(2, 3)]),
    ("i,i->", [(4,), (4,)]),
    ("i,j->ij", [(2,), (3,)]),
    ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]),
    ("...ij,...jk->...ik", [(2, 1, 2, 3), (3, 3, 2)]),
    ("...i->i", [(2, 3, 4)]),
    ("...i,...i->i", [(2, 3), (1, 3)]),
    ("...i,...i->i", [(1, 3), (2, 2, 3)]),
    ("i...->...", [(2, 3, 1)]),
    ("ij,jk,kl->il", [(2, 3), (3, 2), (2, 2)]),
    ("ab,cd->abcd", [(2, 1), (1, 2)]),
    ("ijk,ikj->k", [(2, 3, 3), (2, 3, 3)]),
    ("i,i,i->i", [(3,), (3,), (3,)]),
]


@pytest.mark.parametrize("subscripts, shapes", EINSUMS, ids=[e[0] + str(e[1]) for e in EINSUMS])
def test_einsum_values_and_gradients_to_second_order(subscripts, shapes):
    rng = np.random.default_rng(len(subscripts))
    arrays = [rng.standard_normal(s) for s in shapes]
    if "->" in subscripts and "..." not in subscripts.split("->")[1] and "..." in subscripts:
        expected = np.einsum(subscripts.replace("->", "->..."), *arrays)
        expected = expected.sum(axis=tuple(range(expected.ndim - len(subscripts.split("->")[1]))))
    else:
        expected = np.einsum(subscripts, *arrays)
    np.testing.assert_allclose(F.einsum(subscripts, *[T(a) for a in arrays]).data, expected)
    check_grads(lambda *xs: F.einsum(subscripts, *xs), *arrays)


@pytest.mark.parametrize("subscripts, shapes", EINSUMS, ids=[e[0] + str(e[1]) for e in EINSUMS])
def test_einsum_matches_torch(subscripts, shapes):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(len(subscripts))
    arrays = [rng.standard_normal(s) for s in shapes]
    ours = [T(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    y, ty = F.einsum(subscripts, *ours), torch.einsum(subscripts, *theirs)
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-6, atol=1e-12)
    g = rng.standard_normal(y.shape)
    y.backward(g)
    ty.backward(torch.tensor(g))
    for o, t in zip(ours, theirs):
        np.testing.assert_allclose(o.grad.data, t.grad.numpy(), rtol=1e-6, atol=1e-12)


# outer dot mv bmm and tensordot are declared in the op registry, whose samples check them (first and
# second order, and against PyTorch) in tests/test_ops_gradcheck.py; here, the spellings those samples lack.
PRODUCTS = [
    ("tensordot pairs", lambda a, b: F.tensordot(a, b, ([0, 2], [2, 0])), [(2, 3, 4), (4, 3, 2)]),
    ("tensordot 0", lambda a, b: F.tensordot(a, b, 0), [(2,), (3,)]),
    ("methods", lambda a, b: a.outer(b).sum() + a.dot(b) + b.dot(a), [(3,), (3,)]),
]


@pytest.mark.parametrize("name, fn, shapes", PRODUCTS, ids=[p[0] for p in PRODUCTS])
def test_products(name, fn, shapes):
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s) for s in shapes]
    check_grads(fn, *arrays)
    torch = pytest.importorskip("torch")
    theirs = {"tensordot pairs": lambda a, b: torch.tensordot(a, b, ([0, 2], [2, 0])),
              "tensordot 0": lambda a, b: torch.tensordot(a, b, 0),
              "methods": lambda a, b: a.outer(b).sum() + a.dot(b) + b.dot(a)}[name]
    np.testing.assert_allclose(fn(*[T(a) for a in arrays]).data,
                               theirs(*[torch.tensor(a) for a in arrays]).numpy(), rtol=1e-6)


NORMS = [
    ("2-norm", lambda x: ag.linalg.norm(x), {}),
    ("fro", lambda x: ag.linalg.norm(x, "fro"), {"ord": "fro"}),
    ("1", lambda x: ag.linalg.norm(x, 1), {"ord": 1}),
    ("-inf", lambda x: ag.linalg.norm(x, -np.inf), {"ord": -np.inf}),
    ("dim 3-norm", lambda x: ag.linalg.norm(x, 3, dim=1), {"ord": 3, "dim": 1}),
    ("dim inf keepdim", lambda x: ag.linalg.norm(x, np.inf, dim=0, keepdim=True), {"ord": np.inf, "dim": 0, "keepdim": True}),
    ("pair of dims", lambda x: ag.linalg.norm(x, -1, dim=(1, 0)), {"ord": -1, "dim": (1, 0)}),
    ("0.5", lambda x: ag.linalg.vector_norm(x, 0.5), None),
]


@pytest.mark.parametrize("name, fn, torch_kwargs", NORMS, ids=[n[0] for n in NORMS])
def test_linalg_norms(name, fn, torch_kwargs):
    x = np.random.default_rng(3).uniform(0.5, 2, (3, 4)) * np.array([1, -1, 1, -1])
    check_grads(fn, x)
    torch = pytest.importorskip("torch")
    if torch_kwargs is None:
        theirs = torch.linalg.vector_norm(torch.tensor(x), 0.5)
    else:
        theirs = torch.linalg.norm(torch.tensor(x), **torch_kwargs)
    np.testing.assert_allclose(fn(T(x)).data, theirs.numpy(), rtol=1e-6)


def test_norm_of_zeros_has_a_zero_gradient():
    z = T(np.zeros(3), requires_grad=True)
    ag.linalg.norm(z).backward()
    assert z.grad.tolist() == [0.0, 0.0, 0.0]


def test_trace_gradient_is_the_identity():
    x = T(np.ones((3, 3)), requires_grad=True)
    F.einsum("ii", x).backward()
    assert x.grad.tolist() == np.eye(3).tolist()


@pytest.mark.parametrize("fails, error, message", [
    (lambda: F.einsum("ij,jk->ik", T(np.ones((2, 3))), T(np.ones((2, 3)))), RuntimeError, "do not fit the operands"),
    (lambda: F.einsum("ij,jk->ik", T(np.ones((2, 3)))), RuntimeError, "name 2 operands but 1 were given"),
    (lambda: F.einsum("ijk->i", T(np.ones((2, 3)))), RuntimeError, "operand 0 has 2 dimensions"),
    (lambda: F.einsum("i1->i", T(np.ones((2, 3)))), RuntimeError, "not made of letters"),
    (lambda: F.dot(T(np.ones(2)), T(np.ones(3))), RuntimeError, "lengths 2 and 3"),
    (lambda: F.mv(T(np.ones((2, 3))), T(np.ones(2))), RuntimeError, "do not match"),
    (lambda: F.bmm(T(np.ones((2, 3))), T(np.ones((2, 3)))), RuntimeError, "must be 3-D"),
    (lambda: F.tensordot(T(np.ones((2, 3))), T(np.ones((2, 3))), 1), RuntimeError, "differ in length"),
    (lambda: ag.linalg.norm(T(np.ones((2, 2))), 2), RuntimeError, "differentiable SVD"),
    (lambda: ag.linalg.norm(T(np.ones((2, 2, 2))), 1), RuntimeError, "must be 1-D or 2-D"),
    (lambda: ag.linalg.norm(T([1, 2])), TypeError, "floating point"),
])
def test_bad_arguments(fails, error, message):
    with pytest.raises(error, match=message):
        fails()
