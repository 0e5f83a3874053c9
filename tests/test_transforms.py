"""jacobian hessian vjp jvp hvp vhp (torch.autograd.functional's conventions), value_and_grad, elementwise_grad."""
import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite import engine

T = ag.Tensor
rng = np.random.default_rng(0)
A = rng.standard_normal((3, 2))
B = rng.standard_normal((3,))


def f_one(x):                      # R^(3,2) -> R^3
    return (x * x).sum(axis=1).tanh() * 2


def f_two(x, y):                   # (R^(3,2), R^3) -> R^3
    return (x.sum(axis=1) * y).sin() + y * y


def scalar_two(x, y):
    return (x.exp().sum(axis=1) * y).sum() + (y ** 3).sum()


def test_jacobian_of_an_elementwise_function_is_diagonal():
    j = ag.jacobian(lambda x: x ** 2, T([1.0, 3.0]))
    assert j.tolist() == [[2.0, 0.0], [0.0, 6.0]]


def test_jacobian_shapes_and_tuples():
    x, y = T(A), T(B)
    assert ag.jacobian(f_one, x).shape == (3, 3, 2)
    jx, jy = ag.jacobian(f_two, (x, y))
    assert jx.shape == (3, 3, 2) and jy.shape == (3, 3)
    ((j00,), (j10,)) = ag.jacobian(lambda a: (a * 2, a.sum()), (T([1.0, 2.0]),))
    assert j00.tolist() == [[2, 0], [0, 2]] and j10.tolist() == [1, 1]


def test_hessian_of_a_quadratic_form():
    m = np.array([[2.0, 1.0], [1.0, 3.0]])
    h = ag.hessian(lambda x: (x * (T(m) @ x)).sum(), T([0.5, -1.0], dtype="float64"))
    np.testing.assert_allclose(h.data, 2 * m)


def test_products_agree_with_the_jacobian_and_hessian():
    x, y = T(A), T(B)
    v_out, v_x, v_y = rng.standard_normal(3), rng.standard_normal((3, 2)), rng.standard_normal(3)
    jx, jy = ag.jacobian(f_two, (x, y))
    _, (gx, gy) = ag.vjp(f_two, (x, y), T(v_out))
    np.testing.assert_allclose(gx.data, np.einsum("i,ijk->jk", v_out, jx.data), rtol=1e-5)
    np.testing.assert_allclose(gy.data, v_out @ jy.data, rtol=1e-5)
    out, t = ag.jvp(f_two, (x, y), (T(v_x), T(v_y)))
    np.testing.assert_allclose(t.data, np.einsum("ijk,jk->i", jx.data, v_x) + jy.data @ v_y, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out.data, f_two(x, y).data)
    (hxx, hxy), (hyx, hyy) = ag.hessian(scalar_two, (x, y))
    assert hxx.shape == (3, 2, 3, 2) and hxy.shape == (3, 2, 3) and hyy.shape == (3, 3)
    _, (px, py) = ag.hvp(scalar_two, (x, y), (T(v_x), T(v_y)))
    np.testing.assert_allclose(py.data, np.einsum("ijk,ij->k", hxy.data, v_x) + hyy.data @ v_y, rtol=1e-4)
    _, (qx, qy) = ag.vhp(scalar_two, (x, y), (T(v_x), T(v_y)))
    np.testing.assert_allclose(qx.data, px.data, rtol=1e-5)


def test_jvp_of_ten_thousand_outputs_takes_two_backward_passes(monkeypatch):
    calls = []
    real = engine.backward

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "backward", counting)
    x = T([0.5], dtype="float64")
    k = T(np.linspace(0, 1, 10_000))
    out, tangent = ag.jvp(lambda x: (x * k).sin(), x, T([1.0], dtype="float64"))
    assert tangent.shape == (10_000,)
    np.testing.assert_allclose(tangent.data, k.data * np.cos(0.5 * k.data))
    assert len(calls) == 2


def test_values_work_too():
    x, y = ag.Value(2.0), ag.Value(3.0)
    out, g = ag.vjp(lambda a, b: a * b * b, (x, y))
    assert out.data == 18.0 and (g[0].data, g[1].data) == (9.0, 12.0)
    _, t = ag.jvp(lambda a: a.exp(), x, 1.0)
    assert t.data == pytest.approx(np.exp(2.0))
    assert ag.jacobian(lambda a: a * a, x).data == 4.0
    h = ag.hessian(lambda a, b: a * b * b, (x, y))
    assert [[h[i][j].data for j in range(2)] for i in range(2)] == [[0.0, 6.0], [6.0, 4.0]]
    _, p = ag.hvp(lambda a: a ** 3, x, 1.0)
    assert p.data == 12.0


def test_strict_refuses_an_unused_input_and_otherwise_gives_zeros():
    x, y = T([1.0, 2.0]), T([3.0])
    _, (gx, gy) = ag.vjp(lambda a, b: a * 2, (x, y), T([1.0, 1.0]))
    assert gy.tolist() == [0.0]
    with pytest.raises(RuntimeError, match="independent of input 1"):
        ag.vjp(lambda a, b: a * 2, (x, y), T([1.0, 1.0]), strict=True)
    assert ag.jacobian(lambda a: T([1.0, 2.0]), x).tolist() == [[0, 0], [0, 0]]


def test_create_graph_keeps_results_differentiable():
    x = T([1.0, 2.0], dtype="float64", requires_grad=True)
    _, g = ag.vjp(lambda a: (a ** 3).sum(), x, create_graph=True)
    (gg,) = ag.grad(g.sum(), x)
    assert gg.tolist() == [6.0, 12.0]
    _, g = ag.vjp(lambda a: (a ** 3).sum(), x)
    assert not g.requires_grad


def test_value_and_grad_and_elementwise_grad():
    value, g = ag.value_and_grad(lambda x, y: (x * y).sum(), argnums=1)(T([1.0, 2.0]), T([3.0, 4.0]))
    assert value.item() == 11.0 and g.tolist() == [1.0, 2.0]
    value, (gx, gy) = ag.value_and_grad(lambda x, y: (x * y).sum(), argnums=(0, 1))(np.array([1.0, 2.0]), [3.0, 4.0])
    assert gx.tolist() == [3.0, 4.0] and gy.tolist() == [1.0, 2.0]
    assert ag.value_and_grad(lambda v: v * v)(ag.Value(3.0))[1] == 6.0
    d = ag.elementwise_grad(lambda x: x.tanh())(T([0.0, 1.0], dtype="float64"))
    np.testing.assert_allclose(d.data, 1 - np.tanh([0.0, 1.0]) ** 2)
    second = ag.elementwise_grad(ag.elementwise_grad(lambda x: x ** 3))
    assert second(T([1.0, 2.0])).tolist() == [6.0, 12.0]
    with pytest.raises(ValueError, match="single-element"):
        ag.value_and_grad(lambda x: x * 2)(T([1.0, 2.0]))


@pytest.mark.parametrize("call, error, message", [
    (lambda: ag.vjp(lambda x: x * 2, T([1.0, 2.0])), ValueError, "v can be left out only"),
    (lambda: ag.vjp(lambda x: x * 2, T([1.0, 2.0]), T([1.0])), RuntimeError, r"v 0 has shape \(1,\)"),
    (lambda: ag.jvp(lambda x: x * 2, T([1.0, 2.0]), T([1.0, 2.0, 3.0])), ValueError, "input has shape"),
    (lambda: ag.hessian(lambda x: x * 2, T([1.0, 2.0])), RuntimeError, "single-element"),
    (lambda: ag.jacobian(lambda x: x, np.ones(2)), TypeError, "input 0 must be a Tensor or Value"),
    (lambda: ag.jacobian(lambda x: x, T([1, 2])), TypeError, "floating point"),
    (lambda: ag.hvp(lambda x: x.sum(), T([1.0]), T([1.0, 2.0])), ValueError, "hvp:"),
])
def test_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_match_torch_autograd_functional():
    torch = pytest.importorskip("torch")
    AF = torch.autograd.functional
    x, y = T(A), T(B)
    tx, ty = torch.tensor(A, dtype=torch.float32), torch.tensor(B, dtype=torch.float32)
    def tf_two(a, b): return (a.sum(dim=1) * b).sin() + b * b
    def ts_two(a, b): return (a.exp().sum(dim=1) * b).sum() + (b ** 3).sum()
    v_x, v_y, v_out = rng.standard_normal((3, 2)), rng.standard_normal(3), rng.standard_normal(3)
    pairs = [
        (ag.jacobian(f_two, (x, y)), AF.jacobian(tf_two, (tx, ty))),
        (ag.hessian(scalar_two, (x, y)), AF.hessian(ts_two, (tx, ty))),
        (ag.vjp(f_two, (x, y), T(v_out)), AF.vjp(tf_two, (tx, ty), torch.tensor(v_out, dtype=torch.float32))),
        (ag.jvp(f_two, (x, y), (T(v_x), T(v_y))), AF.jvp(tf_two, (tx, ty), tuple(torch.tensor(v, dtype=torch.float32) for v in (v_x, v_y)))),
        (ag.hvp(scalar_two, (x, y), (T(v_x), T(v_y))), AF.hvp(ts_two, (tx, ty), tuple(torch.tensor(v, dtype=torch.float32) for v in (v_x, v_y)))),
        (ag.vhp(scalar_two, (x, y), (T(v_x), T(v_y))), AF.vhp(ts_two, (tx, ty), tuple(torch.tensor(v, dtype=torch.float32) for v in (v_x, v_y)))),
    ]

    def compare(ours, theirs):
        if isinstance(theirs, tuple):
            assert isinstance(ours, tuple) and len(ours) == len(theirs)
            for o, t in zip(ours, theirs):
                compare(o, t)
        else:
            np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=2e-4, atol=2e-5)

    for ours, theirs in pairs:
        compare(ours, theirs)
