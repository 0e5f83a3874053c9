"""pad, flip roll repeat tile repeat_interleave tril triu diagonal diag movedim narrow chunk unbind, clone and casts:
values, gradients to second order (float64 finite differences over random shapes), and PyTorch's numbers.

The reordering ops and pad are declared in the op registry, whose samples check their gradients to second
order and against PyTorch (tests/test_ops_gradcheck.py); here their method spellings (``x.flip(0, -1)``,
``x.repeat(2, 1)``) meet PyTorch on 3-D shapes. Clone and the casts are checked here in full."""
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from helpers import check_grads

import autograd_lite as ag
from autograd_lite import functional as F

T = ag.Tensor
OURS = SimpleNamespace(I=lambda a: np.asarray(a), cat=lambda xs: F.concat([x.reshape(-1) for x in xs]), pad=F.pad)

# name, the case (written once for both libraries), the least number of dimensions it needs
SPELLINGS = [
    ("pad constant", lambda x, L: L.pad(x, (1, 2), value=0.5), 1),
    ("pad constant 2 axes", lambda x, L: L.pad(x, (0, 1, 2, 0)), 2),
    ("pad constant crop", lambda x, L: L.pad(x, (-1, 1)), 1),
    ("pad reflect", lambda x, L: L.pad(x, (2, 1), mode="reflect"), 1),
    ("pad replicate", lambda x, L: L.pad(x, (3, 1, 1, 2), mode="replicate"), 2),
    ("pad circular", lambda x, L: L.pad(x, (1, 2), mode="circular"), 1),
    ("flip", lambda x, L: x.flip(0), 1),
    ("flip two", lambda x, L: x.flip((0, -1)), 2),
    ("roll", lambda x, L: x.roll(1, 0), 1),
    ("roll flat", lambda x, L: x.roll(-2), 1),
    ("roll two", lambda x, L: x.roll((1, -4), (0, 1)), 2),
    ("repeat", lambda x, L: x.repeat(*((2,) + (1,) * (x.ndim - 1))), 1),
    ("repeat new axes", lambda x, L: x.repeat(*((2, 1) + (3,) * x.ndim)), 0),
    ("tile", lambda x, L: x.tile((2,)), 1),
    ("repeat_interleave", lambda x, L: x.repeat_interleave(2, 0), 1),
    ("repeat_interleave flat", lambda x, L: x.repeat_interleave(3), 0),
    ("tril", lambda x, L: x.tril(), 2),
    ("triu -1", lambda x, L: x.triu(-1), 2),
    ("tril 1", lambda x, L: x.tril(1), 2),
    ("diagonal", lambda x, L: x.diagonal(), 2),
    ("diagonal offset", lambda x, L: x.diagonal(1, 1, 0), 2),
    ("diagonal dims", lambda x, L: x.diagonal(0, -1, 0), 3),
    ("movedim", lambda x, L: x.movedim(0, -1), 2),
    ("movedim two", lambda x, L: x.movedim((0, 1), (2, 0)), 3),
    ("narrow", lambda x, L: x.narrow(0, 1, x.shape[0] - 1), 1),
    ("chunk", lambda x, L: L.cat(x.chunk(2, -1)), 1),
    ("unbind", lambda x, L: L.cat([u * (k + 1) for k, u in enumerate(x.unbind(0))]), 1),
    ("flip spread", lambda x, L: x.flip(0, -1), 2),
    ("tile spread", lambda x, L: x.tile(2, 1), 1),
]
CASTS = [
    ("clone", lambda x, L: x.clone() * 2, 0),
    ("float casts", lambda x, L: x.float().double() ** 2, 0),
    ("to", lambda x, L: x.to(L.float32).to(L.float64) ** 2, 0),
]
ROUNDS_TO_FLOAT32 = {"float casts", "to"}  # finite differences need a step float32 can see
OURS.float32, OURS.float64 = ag.float32, ag.float64


def _shape(draw, min_dims):
    return tuple(draw(st.lists(st.integers(3, 4), min_size=min_dims, max_size=max(min_dims, 3))))


@pytest.mark.parametrize("name, case, min_dims", CASTS, ids=[c[0] for c in CASTS])
@settings(max_examples=4, deadline=None)
@given(data=st.data())
def test_gradients_first_and_second_order(name, case, min_dims, data):
    shape = _shape(data.draw, min_dims)
    x = np.random.default_rng(data.draw(st.integers(0, 2**16))).uniform(-2, 2, shape)
    if name in ROUNDS_TO_FLOAT32:
        check_grads(lambda t: case(t, OURS), x, eps=1e-2, rtol=1e-3, atol=1e-3)
    else:
        check_grads(lambda t: case(t, OURS), x, rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize("name, case, min_dims", SPELLINGS + CASTS, ids=[c[0] for c in SPELLINGS + CASTS])
@pytest.mark.parametrize("shape", [(3, 4, 5), (4, 3, 6)])
def test_matches_torch(name, case, min_dims, shape):
    torch = pytest.importorskip("torch")
    theirs_lib = SimpleNamespace(I=torch.tensor, cat=lambda xs: torch.cat([x.reshape(-1) for x in xs]),
                                 pad=torch.nn.functional.pad, float32=torch.float32, float64=torch.float64)
    x = np.random.default_rng(sum(shape)).standard_normal(shape)
    ours = T(x, requires_grad=True)
    theirs = torch.tensor(x, requires_grad=True)
    y, ty = case(ours, OURS), case(theirs, theirs_lib)
    assert y.shape == tuple(ty.shape)
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-6)
    assert y.dtype.name == str(ty.dtype).removeprefix("torch.")
    g = np.random.default_rng(1).standard_normal(y.shape)
    y.backward(g)
    ty.backward(torch.tensor(g))
    np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy(), rtol=1e-6, atol=1e-12)


def test_values_a_reader_checks():
    x = T([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert F.pad(T([1.0, 2.0, 3.0]), (2, 1), mode="reflect").tolist() == [3, 2, 1, 2, 3, 2]
    assert F.pad(T([1.0, 2.0, 3.0]), (2, 1), mode="replicate").tolist() == [1, 1, 1, 2, 3, 3]
    assert F.pad(T([1.0, 2.0, 3.0]), (2, 1), mode="circular").tolist() == [2, 3, 1, 2, 3, 1]
    assert F.pad(T([1.0, 2.0, 3.0]), (1, -1), value=9).tolist() == [9, 1, 2]
    assert x.flip(1).tolist() == [[3, 2, 1], [6, 5, 4]]
    assert x.roll(1, 1).tolist() == [[3, 1, 2], [6, 4, 5]]
    assert x.roll(1).tolist() == [[6, 1, 2], [3, 4, 5]]
    assert T([1.0, 2.0]).repeat(2, 2).tolist() == [[1, 2, 1, 2], [1, 2, 1, 2]]
    assert T([1.0, 2.0]).repeat_interleave(np.array([1, 3])).tolist() == [1, 2, 2, 2]
    assert x.triu(1).tolist() == [[0, 2, 3], [0, 0, 6]]
    assert x.diagonal(1).tolist() == [2, 6]
    assert T([1.0, 2.0]).diag(1).tolist() == [[0, 1, 0], [0, 0, 2], [0, 0, 0]]
    assert [c.shape for c in T(np.zeros(5)).chunk(3)] == [(2,), (2,), (1,)]
    assert [u.tolist() for u in x.unbind(1)] == [[1, 4], [2, 5], [3, 6]]
    assert x.narrow(1, -2, 2).tolist() == [[2, 3], [5, 6]]
    assert x.contiguous() is x and x.to("float32") is x and x.to("cpu") is x


def test_methods_take_a_sequence_setting_spread_out_or_whole_as_pytorch():
    x = T(np.arange(6.0).reshape(2, 3))
    assert x.flip(0, 1).tolist() == x.flip((0, 1)).tolist() == F.flip(x, (0, 1)).tolist() == [[5, 4, 3], [2, 1, 0]]
    assert x.flip(dims=1).tolist() == x.flip(1).tolist() == [[2, 1, 0], [5, 4, 3]]
    assert x.repeat(2, 1).shape == x.repeat((2, 1)).shape == x.repeat(repeats=[2, 1]).shape == (4, 3)
    assert T([1.0, 2.0]).repeat(2).tolist() == [1, 2, 1, 2] and not hasattr(F, "repeat")  # torch.repeat is no function
    assert x.tile(2).shape == x.tile((2,)).shape == F.tile(x, 2).shape == (2, 6)
    assert [p.shape for p in F.split(x, 2, axis=1)] == [p.shape for p in x.split(2, dim=1)] == [(2, 2), (2, 1)]
    assert F.pad(input=x, pad=(1, 0)).shape == (2, 4) and x.moveaxis(0, 1).shape == F.moveaxis(x, 0, 1).shape == (3, 2)


def test_repeat_sums_the_copies_in_backward():
    x = T([1.0, 2.0], requires_grad=True)
    (x.repeat(3) * T([1.0, 1, 2, 2, 3, 3])).sum().backward()
    assert x.grad.tolist() == [6.0, 6.0]


def test_reflect_pad_adds_up_the_mirrored_copies():
    x = T([1.0, 2.0, 3.0], requires_grad=True)
    F.pad(x, (2, 2), mode="reflect").sum().backward()     # [3 2 | 1 2 3 | 2 1]
    assert x.grad.tolist() == [2.0, 3.0, 2.0]


def test_casts():
    x = T([1.5, -2.5], requires_grad=True)
    assert x.long().dtype == np.int64 and x.long().tolist() == [1, -2] and not x.long().requires_grad
    assert x.int().dtype == np.int32 and x.bool().tolist() == [True, True] and x.half().dtype == np.float16
    assert x.type(ag.float64).dtype == np.float64 and x.type() == "float32"
    y = x.double()
    assert y.dtype == np.float64 and y.grad_fn.name == "cast"
    (y * y).sum().backward()
    assert x.grad.dtype == np.float32 and x.grad.tolist() == [3.0, -5.0]
    ints = T([1, 2]).float()
    assert ints.dtype == np.float32 and T([1, 2]).double().dtype == np.float64  # the dtype rules leave a cast alone
    c = x.clone()
    assert not np.shares_memory(c.data, x.data)
    with pytest.raises(TypeError, match="not a dtype"):
        x.to("nonsense")


@pytest.mark.parametrize("fails, error, message", [
    (lambda: F.pad(T(np.ones(3)), (1, 1, 1, 1)), RuntimeError, "even length of at most 2 × 1"),
    (lambda: F.pad(T(np.ones(3)), (1,)), RuntimeError, "even length"),
    (lambda: F.pad(T(np.ones(3)), (3, 0), mode="reflect"), RuntimeError, "smaller than the axis"),
    (lambda: F.pad(T(np.ones(3)), (4, 0), mode="circular"), RuntimeError, "at most the axis"),
    (lambda: F.pad(T(np.ones(3)), (1, 1), mode="mirror"), RuntimeError, "mode must be one of"),
    (lambda: F.pad(T(np.ones(3)), (-1, 0), mode="replicate"), RuntimeError, "negative widths crop only"),
    (lambda: F.pad(T(np.ones(3)), (1, 1), mode="reflect", value=2), RuntimeError, "value= is for mode 'constant'"),
    (lambda: T(np.ones((2, 3))).repeat(2), RuntimeError, "at least one per dimension"),
    (lambda: T(np.ones((2, 3))).roll((1, 2), 0), RuntimeError, "2 shifts for 1 dims"),
    (lambda: T(np.ones(3)).tril(), RuntimeError, "at least 2 dimensions"),
    (lambda: T(np.ones((2, 3))).flip((0, 0)), RuntimeError, "names an axis twice"),
    (lambda: T(np.ones((2, 3))).narrow(1, 2, 2), RuntimeError, "do not fit dimension 1 of length 3"),
    (lambda: T(np.ones((2, 3))).chunk(0), RuntimeError, "positive int"),
    (lambda: T(np.ones(3)).repeat_interleave(np.array([1, 2])), RuntimeError, "2 repeat counts"),
    (lambda: T(np.ones((2, 3, 4))).diag(), RuntimeError, "1-D or 2-D"),
    (lambda: T(3.0).unbind(), RuntimeError, "0-d tensor"),
    (lambda: T(np.ones((2, 3))).movedim((0, 1), 0), RuntimeError, "2 source dims"),
])
def test_bad_arguments(fails, error, message):
    with pytest.raises(error, match=message):
        fails()
