"""Checkpoints: compressed .npz named by named_parameters(), loaded without pickle, with clear errors."""
import zipfile

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite import nn
from autograd_lite.io import CheckpointError, load_state_dict

X = np.random.default_rng(0).standard_normal((5, 2)).astype(np.float32)


def model(seed=0, hidden=4):
    return nn.MLP(2, [hidden], 3, seed=seed)


def test_save_then_load_reproduces_outputs_bit_for_bit(tmp_path):
    path = tmp_path / "model.npz"
    trained = model(seed=0)
    ag.save(trained, path)
    restored = ag.load(model(seed=1), path)
    assert np.array_equal(trained(X).data, restored(X).data)


def test_the_file_is_a_compressed_npz_named_by_parameters(tmp_path):
    path = tmp_path / "model.npz"
    ag.save(model(), path)
    with zipfile.ZipFile(path) as archive:
        assert {i.compress_type for i in archive.infolist()} == {zipfile.ZIP_DEFLATED}
    with np.load(path, allow_pickle=False) as data:
        assert data.files == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_a_dict_of_arrays_and_tensors_can_be_saved(tmp_path):
    path = tmp_path / "arrays"
    ag.save({"w": ag.Tensor([1.0, 2.0]), "b": np.zeros(2)}, path)
    assert path.exists()  # the name is used as given
    assert load_state_dict(path)["w"].tolist() == [1.0, 2.0]


def test_seed_000_raw_layout_loads_through_a_name_map(tmp_path):
    # seed program 000 saved Keras kernels transposed to (out, in) with np.savez_compressed
    rng = np.random.default_rng(0)
    raw = {"W_h": rng.standard_normal((128, 2)), "b_h": rng.standard_normal(128),
           "W_o": rng.standard_normal((10, 128)), "b_o": rng.standard_normal(10)}
    path = tmp_path / "ch2_parameters.npz"
    np.savez_compressed(path, **raw)
    net = nn.Sequential(nn.Dense(128, activation="sigmoid", input_dim=2), nn.Dense(10, activation="softmax"))
    ag.load(net, path, name_map={"W_h": "0.weight", "b_h": "0.bias", "W_o": "1.weight", "b_o": "1.bias"})
    hidden = 1 / (1 + np.exp(-(X @ raw["W_h"].T + raw["b_h"])))
    logits = hidden @ raw["W_o"].T + raw["b_o"]
    expected = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(net(X).data, expected, rtol=1e-4, atol=1e-6)


def test_different_shapes_are_listed_and_the_model_is_unchanged(tmp_path):
    path = tmp_path / "model.npz"
    ag.save(model(hidden=4), path)
    other = model(hidden=5)
    before = other.state_dict()
    with pytest.raises(CheckpointError) as info:
        ag.load(other, path)
    message = str(info.value)
    assert str(path) in message
    assert "0.weight: expected (5, 2), got (4, 2)" in message and "2.weight: expected (3, 5), got (3, 4)" in message
    assert all(np.array_equal(before[k], v) for k, v in other.state_dict().items())


def test_different_names_are_listed(tmp_path):
    path = tmp_path / "model.npz"
    ag.save({"0.weight": np.zeros((4, 2)), "extra": np.zeros(1)}, path)
    with pytest.raises(CheckpointError, match="missing keys: 0.bias, 2.weight, 2.bias\n  unexpected keys: extra"):
        ag.load(model(), path)


def test_a_file_that_is_not_an_archive_is_named(tmp_path):
    path = tmp_path / "model.npz"
    path.write_text("hello")
    with pytest.raises(CheckpointError, match=r"model.npz is not a .npz checkpoint \(it is not a zip archive\)"):
        ag.load(model(), path)


def test_a_truncated_file_is_named(tmp_path):
    path = tmp_path / "model.npz"
    ag.save(model(), path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="model.npz"):
        ag.load(model(), path)


def test_a_single_npy_array_is_refused(tmp_path):
    path = tmp_path / "w.npy"
    np.save(path, np.ones(3))
    with pytest.raises(CheckpointError, match=r"single array \(a .npy file\)"):
        ag.load(model(), path)


def test_pickled_object_arrays_are_never_loaded(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(path, w=np.array([{"a": 1}], dtype=object))
    with pytest.raises(CheckpointError, match="array 'w' cannot be read.*allow_pickle=False"):
        ag.load(model(), path)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="no checkpoint file at .*nothing.npz"):
        ag.load(model(), tmp_path / "nothing.npz")


def test_a_name_map_entry_absent_from_the_file_is_named(tmp_path):
    path = tmp_path / "model.npz"
    ag.save(model(), path)
    with pytest.raises(CheckpointError, match="name_map mentions W_h, which .* does not have"):
        ag.load(model(), path, name_map={"W_h": "0.weight"})


def test_a_failed_save_leaves_the_old_file_intact(tmp_path):
    path = tmp_path / "model.npz"
    ag.save(model(seed=0), path)
    original = path.read_bytes()
    with pytest.raises(TypeError, match="'bad' is not an array of numbers"):
        ag.save({"ok": np.zeros(2), "bad": np.array(["text"])}, path)
    assert path.read_bytes() == original
    assert [p.name for p in tmp_path.iterdir()] == ["model.npz"]  # no temporary file left behind


def test_saving_an_unbuilt_model_says_why_it_is_empty(tmp_path):
    with pytest.raises(ValueError, match="nothing to save"):
        ag.save(nn.Sequential(nn.Dense(3)), tmp_path / "m.npz")


def test_saving_something_else_is_a_type_error(tmp_path):
    with pytest.raises(TypeError, match="expected a Module or a dict of arrays, got list"):
        ag.save([np.zeros(2)], tmp_path / "m.npz")
