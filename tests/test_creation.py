"""Creation functions (ag.zeros ... ag.randn_like) and ag.manual_seed."""
import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite import random as ag_random


@pytest.fixture(autouse=True)
def unseeded():
    """Each test starts and ends with no manual_seed (numpy's global state governs), as other tests expect."""
    saved = ag_random._State.generator, ag_random._State.seed
    ag_random._State.generator = ag_random._State.seed = None
    yield
    ag_random._State.generator, ag_random._State.seed = saved


@pytest.mark.parametrize("make, shape, dtype, first", [
    (lambda: ag.zeros(2, 3), (2, 3), "float32", 0.0),
    (lambda: ag.zeros((2, 3)), (2, 3), "float32", 0.0),
    (lambda: ag.ones([4], dtype=ag.float64), (4,), "float64", 1.0),
    (lambda: ag.empty(0, 2), (0, 2), "float32", None),
    (lambda: ag.full((2,), 7), (2,), "int64", 7),
    (lambda: ag.full((2,), 0.5), (2,), "float32", 0.5),
    (lambda: ag.full(3, True), (3,), "bool", True),
    (lambda: ag.arange(5), (5,), "int64", 0),
    (lambda: ag.arange(1, 2, 0.25), (4,), "float32", 1.0),
    (lambda: ag.arange(5, 0, -2), (3,), "int64", 5),
    (lambda: ag.linspace(-1, 1, 5), (5,), "float32", -1.0),
    (lambda: ag.eye(3), (3, 3), "float32", 1.0),
    (lambda: ag.eye(2, 4, dtype="int32"), (2, 4), "int32", 1),
    (lambda: ag.rand(2, 3, seed=0), (2, 3), "float32", None),
    (lambda: ag.randn(5, dtype=ag.double, seed=0), (5,), "float64", None),
    (lambda: ag.randint(0, 10, (3, 2), seed=0), (3, 2), "int64", None),
    (lambda: ag.randint(10, (4,), seed=0), (4,), "int64", None),
    (lambda: ag.zeros_like(ag.ones(2, dtype="int32")), (2,), "int32", 0),
    (lambda: ag.ones_like(ag.zeros(2), dtype="float64"), (2,), "float64", 1.0),
    (lambda: ag.full_like(ag.zeros(2, 1), 3.0), (2, 1), "float32", 3.0),
    (lambda: ag.rand_like(ag.zeros(2, dtype="float64"), seed=1), (2,), "float64", None),
    (lambda: ag.randn_like(ag.zeros(3, 2)), (3, 2), "float32", None),
])
def test_shape_dtype_and_values(make, shape, dtype, first):
    t = make()
    assert t.shape == shape and t.dtype == np.dtype(dtype)
    if first is not None:
        assert t.data.flat[0] == first


def test_values_match_numpy():
    assert ag.arange(1, 2, 0.25).tolist() == [1.0, 1.25, 1.5, 1.75]
    assert ag.arange(5, 0, -2).tolist() == [5, 3, 1]
    assert ag.linspace(0, 1, 5).tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert ag.eye(2, 3).tolist() == [[1, 0, 0], [0, 1, 0]]
    r = ag.rand(1000, seed=0).data
    assert 0 <= r.min() and r.max() < 1 and abs(r.mean() - 0.5) < 0.05
    n = ag.randn(2000, seed=0).data
    assert abs(n.mean()) < 0.1 and abs(n.std() - 1) < 0.1
    i = ag.randint(3, 6, (500,), seed=0).data
    assert set(i.tolist()) == {3, 4, 5}


def test_requires_grad_gives_a_leaf_that_learns():
    w = ag.zeros(3, requires_grad=True)
    (w * ag.arange(3)).sum().backward()
    assert w.is_leaf and w.grad.tolist() == [0.0, 1.0, 2.0]


def test_manual_seed_repeats_creation_and_nn_inits():
    ag.manual_seed(7)
    first = ag.randn(4).tolist(), ag.rand(2).tolist(), ag.nn.Linear(3, 2).weight.data.tolist()
    ag.manual_seed(7)
    second = ag.randn(4).tolist(), ag.rand(2).tolist(), ag.nn.Linear(3, 2).weight.data.tolist()
    assert first == second
    assert ag.initial_seed() == 7
    ag.manual_seed(8)
    assert ag.randn(4).tolist() != first[0]


def test_generator_and_seed_arguments():
    g1, g2 = np.random.default_rng(3), np.random.default_rng(3)
    assert ag.randn(3, generator=g1).tolist() == ag.randn(3, generator=g2).tolist()
    assert ag.rand(3, seed=5).tolist() == ag.rand(3, seed=5).tolist()
    with pytest.raises(TypeError, match="either seed= or generator="):
        ag.rand(2, seed=1, generator=np.random.default_rng(1))


def test_numpy_global_seed_still_governs_before_manual_seed():
    np.random.seed(0)
    a = ag.randn(3).tolist()
    np.random.seed(0)
    assert ag.randn(3).tolist() == a


@pytest.mark.parametrize("fails, error, message", [
    (lambda: ag.zeros(2, -1), RuntimeError, "negative size -1"),
    (lambda: ag.zeros(2.5), TypeError, "sizes must be ints"),
    (lambda: ag.arange(0, 5, 0), RuntimeError, "step must be nonzero"),
    (lambda: ag.arange(0, 5, -1), RuntimeError, "do not agree"),
    (lambda: ag.randint(5, 5, (2,)), RuntimeError, "need low < high"),
    (lambda: ag.randn(2, dtype="int64"), TypeError, "must be floating point"),
    (lambda: ag.zeros(2, dtype="int64", requires_grad=True), TypeError, "only floating point"),
    (lambda: ag.zeros(2, dtype="complex64"), TypeError, "bool, int or float"),
    (lambda: ag.manual_seed(-1), ValueError, "seed must be >= 0"),
    (lambda: ag.zeros_like(np.zeros(2)), TypeError, "expected a Tensor"),
])
def test_bad_arguments(fails, error, message):
    with pytest.raises(error, match=message):
        fails()


def test_match_torch():
    torch = pytest.importorskip("torch")
    pairs = [
        (ag.arange(10), torch.arange(10)), (ag.arange(1, 2, 0.1), torch.arange(1, 2, 0.1)),
        (ag.arange(-3.5, 2), torch.arange(-3.5, 2)), (ag.linspace(-2, 3, 7), torch.linspace(-2, 3, 7)),
        (ag.full((2, 2), 3), torch.full((2, 2), 3)), (ag.full((2,), False), torch.full((2,), False)),
        (ag.eye(3, 2), torch.eye(3, 2)), (ag.zeros(2, 3), torch.zeros(2, 3)),
    ]
    for ours, theirs in pairs:
        assert ours.dtype.name == str(theirs.dtype).removeprefix("torch.")
        np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-6)
