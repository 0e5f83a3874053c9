"""Module, Parameter and Sequential behave as in PyTorch: names, order, state dicts, modes."""
import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite import nn


class TwoLayer(nn.Module):
    def __init__(self):
        self.fc1 = nn.Linear(2, 3, seed=0)
        self.scale = nn.Parameter(np.ones(3, dtype=np.float32))
        self.fc2 = nn.Linear(3, 1, seed=1)

    def forward(self, x):
        return self.fc2(self.fc1(x).relu() * self.scale)


def test_parameters_are_named_in_definition_order():
    assert [n for n, _ in TwoLayer().named_parameters()] == ["fc1.weight", "fc1.bias", "scale", "fc2.weight", "fc2.bias"]


def test_parameters_are_found_in_lists_and_dicts_of_modules():
    class Holder(nn.Module):
        def __init__(self):
            self.layers = [nn.Linear(1, 1, seed=0), nn.ReLU(), nn.Linear(1, 2, seed=0)]
            self.heads = {"a": nn.Linear(2, 1, bias=False, seed=0)}
            self.params = [nn.Parameter([1.0])]  # seed 003 keeps its variables in a list

    names = [n for n, _ in Holder().named_parameters()]
    assert names == ["layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias", "heads.a.weight", "params.0"]


def test_a_shared_module_is_counted_once():
    shared = nn.Linear(2, 2, seed=0)

    class Tied(nn.Module):
        def __init__(self):
            self.a, self.b = shared, shared

    assert len(Tied().parameters()) == 2


def test_a_module_pointing_back_at_its_parent_does_not_loop():
    class Child(nn.Module):
        pass

    class Parent(nn.Module):
        def __init__(self):
            self.child = Child()
            self.child.parent = self
            self.w = nn.Parameter([1.0])

    assert [n for n, _ in Parent().named_parameters()] == ["w"]
    assert "Total params: 1" in repr(Parent())


def test_parameter_requires_grad_and_copies_its_data():
    source = np.zeros(3, dtype=np.float32)
    p = nn.Parameter(source)
    p.data += 1
    assert p.requires_grad and p.is_leaf
    assert source.tolist() == [0.0, 0.0, 0.0]


def test_parameter_of_integers_is_an_error():
    with pytest.raises(TypeError, match="floating point"):
        nn.Parameter(np.arange(3))


def test_sequential_takes_modules_or_one_list_and_names_them_by_position():
    a = nn.Sequential(nn.Linear(2, 3, seed=0), nn.ReLU(), nn.Linear(3, 1, seed=0))
    b = nn.Sequential([nn.Linear(2, 3, seed=0), nn.ReLU(), nn.Linear(3, 1, seed=0)])
    assert [n for n, _ in a.named_parameters()] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert list(a.state_dict()) == list(b.state_dict())


def test_sequential_is_indexable_sliceable_iterable_and_has_a_length():
    model = nn.Sequential(nn.Linear(2, 3, seed=0), nn.ReLU(), nn.Linear(3, 1, seed=0))
    assert len(model) == 3
    assert isinstance(model[1], nn.ReLU) and model[-1] is model.layers[2]
    assert [type(m).__name__ for m in model] == ["Linear", "ReLU", "Linear"]
    assert len(model[:2]) == 2 and model[:2][0] is model[0]
    with pytest.raises(IndexError, match="out of range for 3 modules"):
        model[3]


def test_sequential_runs_its_modules_in_order():
    model = nn.Sequential(nn.Linear(2, 3, seed=0), nn.ReLU())
    x = np.array([[1.0, -2.0]], dtype=np.float32)
    expected = np.maximum(x @ model[0].weight.data.T + model[0].bias.data, 0)
    np.testing.assert_array_equal(model(x).data, expected)


def test_sequential_rejects_a_plain_function():
    with pytest.raises(TypeError, match="expected a Module, got function"):
        nn.Sequential(lambda x: x)


def test_state_dict_round_trip_reproduces_outputs_bit_for_bit():
    trained, fresh = TwoLayer(), TwoLayer()
    for p in trained.parameters():
        p.data += np.float32(0.37)
    fresh.load_state_dict(trained.state_dict())
    x = np.random.default_rng(0).standard_normal((5, 2)).astype(np.float32)
    assert np.array_equal(trained(x).data, fresh(x).data)


def test_state_dict_is_a_copy():
    model = TwoLayer()
    state = model.state_dict()
    model.scale.data += 1
    assert state["scale"].tolist() == [1.0, 1.0, 1.0]


def test_load_state_dict_updates_in_place():
    model = TwoLayer()
    weight = model.fc1.weight.data
    model.load_state_dict({k: np.zeros_like(v) for k, v in model.state_dict().items()})
    assert model.fc1.weight.data is weight and not weight.any()


def test_load_state_dict_lists_missing_unexpected_and_wrongly_shaped_keys():
    model = TwoLayer()
    state = model.state_dict()
    del state["scale"]
    state["extra"] = np.zeros(1)
    state["fc2.bias"] = np.zeros(2)
    with pytest.raises(nn.StateDictError) as info:
        model.load_state_dict(state)
    message = str(info.value)
    assert "missing keys: scale" in message
    assert "unexpected keys: extra" in message
    assert "fc2.bias: expected (1,), got (2,)" in message


def test_a_failed_load_changes_nothing():
    model = TwoLayer()
    before = model.state_dict()
    state = {k: v + 1 for k, v in before.items()}
    state["fc2.bias"] = np.zeros(2)
    with pytest.raises(nn.StateDictError):
        model.load_state_dict(state)
    assert all(np.array_equal(before[k], v) for k, v in model.state_dict().items())


def test_non_strict_load_returns_what_it_skipped():
    model = TwoLayer()
    result = model.load_state_dict({"scale": np.full(3, 2.0), "other": np.zeros(1)}, strict=False)
    assert result.missing_keys == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    assert result.unexpected_keys == ["other"]
    assert model.scale.data.tolist() == [2.0, 2.0, 2.0]


def test_unbuilt_dense_layers_take_their_size_from_the_state_dict():
    built = nn.Sequential(nn.Dense(4, input_dim=3, seed=0), nn.Dense(2, seed=1))
    built(np.ones((1, 3), dtype=np.float32))
    lazy = nn.Sequential(nn.Dense(4), nn.Dense(2))
    lazy.load_state_dict(built.state_dict())
    x = np.random.default_rng(0).standard_normal((2, 3)).astype(np.float32)
    assert np.array_equal(lazy(x).data, built(x).data)


def test_loading_into_an_unbuilt_dense_model_says_to_build_it_first():
    model = nn.Sequential(nn.Dense(4), nn.Dense(1))
    with pytest.raises(nn.StateDictError, match="not built yet"):
        model.load_state_dict({"0.weight": np.zeros((4, 2))})


def test_train_and_eval_set_the_mode_everywhere():
    model = nn.Sequential(nn.Linear(2, 2, seed=0), nn.Sequential(nn.Dropout(0.5)))
    assert model.eval() is model
    assert [m.training for m in model.modules()] == [False, False, False, False]
    model.train()
    assert all(m.training for m in model.modules())


def test_zero_grad_clears_every_gradient():
    model = TwoLayer()
    model(np.ones((1, 2), dtype=np.float32)).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_trainable_variables_are_the_parameters_that_require_grad():
    model = TwoLayer()
    model.scale.requires_grad_(False)
    assert len(model.trainable_variables) == 4


def test_repr_prints_the_tree_with_shapes_and_parameter_count():
    model = nn.Sequential(nn.Linear(2, 3, seed=0), nn.ReLU())
    assert repr(model) == ("Sequential(\n"
                           "  (0): Linear(in_features=2, out_features=3, bias=True)  weight (3, 2), bias (3,)\n"
                           "  (1): ReLU()\n"
                           ")\n"
                           "Total params: 9")
    assert repr(nn.ReLU()) == "ReLU()"


def test_forward_must_be_defined():
    with pytest.raises(NotImplementedError, match="Empty must define forward"):
        type("Empty", (nn.Module,), {})()(1)


def test_module_gradients_flow_to_every_parameter():
    model = TwoLayer()
    x = ag.Tensor(np.ones((2, 2), dtype=np.float32))
    model(x).sum().backward()
    assert [p.grad.shape for p in model.parameters()] == [p.shape for p in model.parameters()]


def test_load_state_dict_refuses_a_dtype_it_cannot_cast_and_changes_nothing():
    from autograd_lite.nn import Linear, StateDictError
    layer = Linear(2, 1, seed=0)
    before = layer.state_dict()
    with pytest.raises(StateDictError, match=r"bias: expected numbers that fit float32, got complex128"):
        layer.load_state_dict({"weight": np.ones((1, 2)), "bias": np.ones(1, dtype=complex)})
    assert all(np.array_equal(before[k], v) for k, v in layer.state_dict().items())
    layer.load_state_dict({"weight": np.ones((1, 2)), "bias": np.zeros(1)})  # float64 into float32 is cast
    assert layer.weight.data.dtype == np.float32 and layer.weight.data.tolist() == [[1.0, 1.0]]
