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
    with pytest.raises(CheckpointError, match="array 'w' has dtype object, not numbers.*allow_pickle"):
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


# -- formats by extension; nested checkpoints ---------------------------------------------------
@pytest.fixture(params=["npz", "safetensors"])
def suffix(request):
    if request.param == "safetensors":
        pytest.importorskip("safetensors", reason="the safetensors package is not installed")
    return request.param


def test_a_nested_checkpoint_comes_back_as_it_was_saved(tmp_path, suffix):
    path = tmp_path / f"ckpt.{suffix}"
    opt_state = {"state": {0: {"step": 3, "exp_avg": np.arange(4, dtype=np.float32)}},
                 "param_groups": [{"lr": 0.1, "betas": (0.9, 0.999), "amsgrad": False, "params": [0]}]}
    ag.save({"model": model().state_dict(), "optimizer": opt_state, "epoch": 3, "note": "text", "none": None,
             "$odd": [1.5, float("inf")]}, path)
    back = ag.load(path)
    assert list(back) == ["model", "optimizer", "epoch", "note", "none", "$odd"]
    assert set(back["model"]) == {"0.weight", "0.bias", "2.weight", "2.bias"}
    assert back["optimizer"]["state"][0]["step"] == 3  # integer keys and values stay integers
    exp_avg = back["optimizer"]["state"][0]["exp_avg"]
    assert exp_avg.dtype == np.float32 and exp_avg.tolist() == [0, 1, 2, 3]
    assert back["optimizer"]["param_groups"][0]["betas"] == (0.9, 0.999)  # a tuple again
    assert (back["epoch"], back["note"], back["none"], back["$odd"]) == (3, "text", None, [1.5, float("inf")])


def test_load_without_a_module_returns_the_state_dict(tmp_path, suffix):
    path = tmp_path / f"model.{suffix}"
    trained = model()
    ag.save(trained, path)
    state = ag.load(path)
    assert sorted(state) == sorted(trained.state_dict())
    assert all(np.array_equal(state[k], v) for k, v in trained.state_dict().items())


def test_a_safetensors_file_holds_the_state_dict_names_and_the_metadata(tmp_path):
    safetensors_numpy = pytest.importorskip("safetensors.numpy")
    path = tmp_path / "model.safetensors"
    trained = model()
    ag.save(trained, path, metadata={"architecture": "[2, 4, 3]"})
    arrays = safetensors_numpy.load_file(str(path))
    assert sorted(arrays) == ["0.bias", "0.weight", "2.bias", "2.weight"]
    assert np.array_equal(arrays["0.weight"], trained.state_dict()["0.weight"])
    assert ag.io.read_metadata(path) == {"architecture": "[2, 4, 3]"}


def test_loading_a_whole_checkpoint_into_a_module_says_what_is_in_it(tmp_path, suffix):
    path = tmp_path / f"ckpt.{suffix}"
    ag.save({"model": model().state_dict(), "epoch": 1}, path)
    with pytest.raises(CheckpointError, match=r"holds more than one state dict \(model, epoch\); read it with "
                                              r"ag.load\(path\)"):
        ag.load(model(), path)


def test_without_the_safetensors_package_the_error_names_the_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "safetensors", None)
    with pytest.raises(ImportError, match=r"pip install 'autograd-lite\[interop\]'"):
        ag.save(model(), tmp_path / "m.safetensors")


# -- a failed load changes nothing (issue 12, item 7) ---------------------------------------------
def test_a_failed_load_does_not_build_lazy_layers(tmp_path):
    path = tmp_path / "bad.npz"
    ag.save({"0.weight": np.zeros((4, 5)), "0.bias": np.zeros(4), "1.weight": np.zeros((2, 4)),
             "1.bias": np.zeros(3)}, path)
    net = nn.Sequential(nn.Dense(4), nn.Dense(2))
    with pytest.raises(CheckpointError, match=r"1.bias: expected \(2,\), got \(3,\)"):
        ag.load(net, path)
    assert not net[0].built and not net[1].built and net[0].in_features is None


def test_a_good_load_builds_lazy_layers_from_the_saved_shapes(tmp_path):
    path = tmp_path / "good.npz"
    ag.save(nn.Sequential(nn.Dense(4, input_dim=5, seed=0), nn.Dense(2, input_dim=4, seed=1)), path)
    net = ag.load(nn.Sequential(nn.Dense(4), nn.Dense(2)), path)
    assert [p.shape for p in net.parameters()] == [(4, 5), (4,), (2, 4), (2,)]


# -- every bad file is a CheckpointError naming the file and the member (issue 12, items 8 and 13) ------
def _npy_header(shape, dtype="<f8"):
    header = {"descr": dtype, "fortran_order": False, "shape": shape}
    import io as _io
    buffer = _io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, header)
    return buffer.getvalue()


def test_a_member_that_is_not_an_array_is_named(tmp_path):
    path = tmp_path / "m.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("w.npy", np.lib.format.MAGIC_PREFIX + b"\x01\x00" + b"garbage")
        archive.writestr("notes.txt", "hello")
    with pytest.raises(CheckpointError, match=r"m.npz: array 'w' cannot be read"):
        ag.load(path)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "hello")
    with pytest.raises(CheckpointError, match=r"m.npz: member 'notes.txt' is not a .npy array"):
        ag.load(path)


def test_an_unknown_compression_method_is_named(tmp_path):
    path = tmp_path / "m.npz"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_LZMA) as archive:
        with archive.open("w.npy", "w") as member:
            np.lib.format.write_array(member, np.zeros(3))
    with pytest.raises(CheckpointError, match=r"m.npz: member 'w.npy' uses compression method 14"):
        ag.load(path)


def test_a_header_declaring_a_huge_shape_is_refused_before_allocating(tmp_path):
    path = tmp_path / "m.npz"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("w.npy", _npy_header((10**12,)) + b"\0" * 8)
    assert path.stat().st_size < 400
    with pytest.raises(CheckpointError, match=r"m.npz: array 'w' declares shape \(1000000000000,\)"):
        ag.load(path)


def test_a_member_inflating_past_its_declared_size_is_stopped(tmp_path):
    path = tmp_path / "m.npz"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("w.npy", _npy_header((10,)) + b"\0" * (8 * 2**20))  # 8 MiB of zeros: about 8 KiB stored
    with pytest.raises(CheckpointError, match=r"array 'w' holds more data than its header declares"):
        ag.load(path)


def test_max_bytes_bounds_what_a_load_reads(tmp_path, suffix):
    path = tmp_path / f"m.{suffix}"
    ag.save({"w": np.zeros(1000)}, path)
    with pytest.raises(CheckpointError, match=r"max_bytes"):
        ag.load(path, max_bytes=4000)
    assert ag.load(path, max_bytes=8000)["w"].shape == (1000,)


def _safetensors_file(path, header, data=b""):
    import json
    text = json.dumps(header).encode()
    path.write_bytes(len(text).to_bytes(8, "little") + text + data)


@pytest.mark.parametrize("header, data, message", [
    ({"w": {"dtype": "F32", "shape": [10**12], "data_offsets": [0, 8]}}, b"\0" * 8,
     r"array 'w': shape \(1000000000000,\) of F32 needs 4,000,000,000,000 bytes, but its data_offsets span 8"),
    ({"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}, b"\0" * 8,
     r"array 'w': its data_offsets \[0, 16\] lie outside the file's 8 data bytes"),
    ({"w": {"dtype": "BF16", "shape": [4], "data_offsets": [0, 8]}}, b"\0" * 8,
     r"array 'w' has dtype BF16, which numpy has no type for"),
    ({"a\0b": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}, b"\0" * 8,
     r"the array name 'a\\x00b' contains a NUL character"),
])
def test_a_bad_safetensors_header_is_named(tmp_path, header, data, message):
    path = tmp_path / "m.safetensors"
    _safetensors_file(path, header, data)
    with pytest.raises(CheckpointError, match=r"m.safetensors is not a valid .safetensors file: " + message):
        ag.load(path)


def test_a_safetensors_header_longer_than_the_file_is_refused(tmp_path):
    path = tmp_path / "m.safetensors"
    path.write_bytes((2**40).to_bytes(8, "little") + b"{}")
    with pytest.raises(CheckpointError, match="its header declares 1099511627776 bytes, but the file has 10 bytes"):
        ag.load(path)


@pytest.mark.parametrize("state", [{"a\0b": np.zeros(2)}, {"outer": {"a\0b": np.zeros(2)}, "epoch": 1}])
def test_names_with_a_nul_character_are_refused_on_save(tmp_path, suffix, state):
    with pytest.raises(ValueError, match=r"'a\\x00b' contains a NUL character.*stored as 'a'"):
        ag.save(state, tmp_path / f"m.{suffix}")
    assert list(tmp_path.iterdir()) == []


def test_a_zip_member_name_cut_at_nul_is_not_taken_for_an_array(tmp_path):
    path = tmp_path / "m.npz"
    with zipfile.ZipFile(path, "w") as archive:
        with archive.open("ok.npy", "w") as member:
            np.lib.format.write_array(member, np.zeros(2))
        info = zipfile.ZipInfo("a\0b.npy")
        archive.writestr(info, b"")
    with pytest.raises(CheckpointError, match=r"m.npz: member 'a' is not a .npy array"):
        ag.load(path)
