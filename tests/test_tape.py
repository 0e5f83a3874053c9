"""GradientTape, TensorFlow style, on the engine."""
import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite import GradientTape, Tensor


def test_gradient_for_a_list_of_sources_is_a_list():
    w, b = Tensor([[2.0]], requires_grad=True), Tensor([1.0], requires_grad=True)
    x = Tensor([[3.0]])
    with GradientTape() as tape:
        loss = ((x @ w + b) ** 2).sum()
    gw, gb = tape.gradient(loss, [w, b])
    assert gw.tolist() == [[42.0]] and gb.tolist() == [14.0]   # 2·(3·2+1)·3, 2·(3·2+1)


def test_gradient_for_a_single_source_is_a_tensor():
    x = Tensor([1.0, 2.0], requires_grad=True)
    with GradientTape() as tape:
        y = (x * x).sum()
    g = tape.gradient(y, x)
    assert isinstance(g, Tensor) and g.tolist() == [2.0, 4.0]


def test_non_persistent_tape_answers_once():
    x = Tensor([1.0], requires_grad=True)
    with GradientTape() as tape:
        y = (x * x).sum()
    tape.gradient(y, x)
    with pytest.raises(RuntimeError, match="called once on a non-persistent tape; use GradientTape\\(persistent=True\\)"):
        tape.gradient(y, x)


def test_persistent_tape_answers_several_times():
    x = Tensor([3.0], requires_grad=True)
    with GradientTape(persistent=True) as tape:
        y = (x * x).sum()
        z = (x * 2).sum()
    assert tape.gradient(y, x).item() == 6.0
    assert tape.gradient(z, x).item() == 2.0
    assert tape.gradient(y, x).item() == 6.0


def test_watch_tracks_a_tensor_that_does_not_require_grad_and_then_releases_it():
    x = Tensor([3.0])
    with GradientTape() as tape:
        tape.watch(x)
        y = (x * x * x).sum()
    assert tape.gradient(y, x).item() == 27.0
    assert not x.requires_grad


def test_unconnected_or_unwatched_sources_get_none():
    x, unused = Tensor([1.0], requires_grad=True), Tensor([1.0], requires_grad=True)
    constant = Tensor([5.0])
    with GradientTape() as tape:
        y = (x * 2).sum()
    gx, gu, gc = tape.gradient(y, [x, unused, constant])
    assert gx.item() == 2.0 and gu is None and gc is None


def test_target_that_depends_on_nothing_watched_gives_none():
    with GradientTape() as tape:
        y = Tensor([1.0]) * 2
    assert tape.gradient(y, [Tensor([1.0])]) == [None]


def test_non_scalar_target_gives_the_gradient_of_its_sum_as_in_tensorflow():
    x = Tensor([1.0, 2.0], requires_grad=True)
    with GradientTape() as tape:
        y = x * x
    assert tape.gradient(y, x).tolist() == [2.0, 4.0]


def test_tape_records_even_inside_no_grad():
    x = Tensor([1.0], requires_grad=True)
    with ag.no_grad():
        with GradientTape() as tape:
            y = (x * 4).sum()
        assert not ag.is_grad_enabled()
    assert tape.gradient(y, x).item() == 4.0


def test_output_gradients_weight_the_target():
    x = Tensor([1.0, 2.0], requires_grad=True)
    with GradientTape() as tape:
        y = x * 3
    assert tape.gradient(y, x, output_gradients=np.array([1.0, 10.0])).tolist() == [3.0, 30.0]
