"""Leave and come back: resuming from a checkpoint is bit-identical, and safetensors files move to and from PyTorch."""
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite import functional as F
from autograd_lite import nn

ROOT = Path(__file__).resolve().parents[1]
NEEDS_SAFETENSORS = pytest.mark.skipif(importlib.util.find_spec("safetensors") is None,
                                       reason="the safetensors package is not installed")
SUFFIXES = ["npz", pytest.param("safetensors", marks=NEEDS_SAFETENSORS)]

# The training code, run here for the straight run and the first half, and in a fresh process for the second.
TRAINING = '''
import sys, numpy as np, autograd_lite as ag
from autograd_lite import functional as F, nn

def data():
    return ag.data.blobs(n_centers=3, per_center=40, seed=0)

def keras_model():
    model = ag.Model(nn.Sequential([nn.Dense(16, activation="tanh", input_dim=2, seed=0),
                                    nn.Dense(3, activation="softmax", seed=1)]))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model

def fit(first_epoch, last_epoch, checkpoint_in, checkpoint_out):
    x, y = data()
    model = keras_model()
    if checkpoint_in != "-":
        checkpoint = ag.load(checkpoint_in)
        model.load_state_dict(checkpoint["model"])
        model.optimizer.build(model.trainable_variables)
        model.optimizer.load_state_dict(checkpoint["optimizer"])
        assert checkpoint["epoch"] == first_epoch
    model.fit(x, y, epochs=last_epoch, initial_epoch=first_epoch, batch_size=16, verbose=0)
    ag.save({"model": model.state_dict(), "optimizer": model.optimizer.state_dict(), "epoch": last_epoch},
            checkpoint_out)

def plain_loop(first_epoch, last_epoch, checkpoint_in, checkpoint_out):
    x, y = data()
    model = nn.Sequential(nn.Linear(2, 16, seed=0), nn.ReLU(), nn.Linear(16, 3, seed=1))
    opt = ag.optim.RMSprop(model.parameters(), lr=0.01, momentum=0.9, centered=True)
    if checkpoint_in != "-":
        checkpoint = ag.load(checkpoint_in)
        model.load_state_dict(checkpoint["model"])
        opt.load_state_dict(checkpoint["optimizer"])
    for epoch in range(first_epoch, last_epoch):
        loader = ag.data.DataLoader(ag.data.TensorDataset(x, y), batch_size=16, shuffle=True, seed=epoch)
        for xb, yb in loader:
            loss = F.cross_entropy(model(ag.Tensor(xb)), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
    ag.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": last_epoch}, checkpoint_out)
'''
RUN = '''
how, first, last, checkpoint_in, checkpoint_out = sys.argv[1:]
{"fit": fit, "plain_loop": plain_loop}[how](int(first), int(last), checkpoint_in, checkpoint_out)
'''


def run_here(how, *args):
    namespace = {}
    exec(TRAINING, namespace)
    namespace[how](*args)


def run_in_a_fresh_process(tmp_path, *args):
    script = tmp_path / "train.py"
    script.write_text(TRAINING + RUN)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, str(script), *map(str, args)], capture_output=True, text=True,
                            env=env, timeout=120)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("how, suffix", [("plain_loop", "npz"),
                                         pytest.param("fit", "safetensors", marks=NEEDS_SAFETENSORS)])
def test_two_epochs_straight_equal_one_save_load_in_a_fresh_process_one_more(tmp_path, how, suffix):
    straight, half, resumed = (tmp_path / f"{name}.{suffix}" for name in ("straight", "half", "resumed"))
    run_here(how, 0, 2, "-", straight)
    run_here(how, 0, 1, "-", half)
    run_in_a_fresh_process(tmp_path, how, 1, 2, half, resumed)
    a, b = ag.load(straight), ag.load(resumed)
    assert b["epoch"] == 2
    for name, array in a["model"].items():
        assert array.tobytes() == b["model"][name].tobytes(), name  # to the last bit
    for index, state in a["optimizer"]["state"].items():
        for key, value in state.items():
            assert np.asarray(value).tobytes() == np.asarray(b["optimizer"]["state"][index][key]).tobytes(), key
    half_weights = ag.load(half)["model"]
    assert any(half_weights[k].tobytes() != v.tobytes() for k, v in a["model"].items())  # the second epoch mattered


def test_an_optimizer_state_dict_round_trips_through_a_file(tmp_path):
    model = nn.Linear(3, 2, seed=0)
    opt = ag.optim.Adam(model.parameters(), lr=0.01, amsgrad=True)
    F.mse_loss(model(np.ones((4, 3), np.float32)), np.zeros((4, 2), np.float32)).backward()
    opt.step()
    ag.save(opt.state_dict(), tmp_path / "opt.npz")
    fresh = ag.optim.Adam(nn.Linear(3, 2, seed=1).parameters(), lr=0.5)
    fresh.load_state_dict(ag.load(tmp_path / "opt.npz"))
    assert fresh.param_groups[0]["lr"] == 0.01 and fresh.param_groups[0]["amsgrad"] is True
    assert fresh.param_groups[0]["betas"] == (0.9, 0.999)
    saved = opt.state_dict()["state"]
    restored = fresh.state_dict()["state"]
    assert restored[0]["step"] == 1 and np.array_equal(restored[1]["max_exp_avg_sq"], saved[1]["max_exp_avg_sq"])


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_save_weights_and_load_weights(tmp_path, suffix):
    model = ag.Model(nn.Sequential([nn.Dense(4, activation="relu", input_dim=3, seed=0), nn.Dense(2, input_dim=4, seed=1)]))
    model.save_weights(tmp_path / f"w.{suffix}")
    fresh = ag.Model(nn.Sequential([nn.Dense(4, activation="relu"), nn.Dense(2)]))
    assert fresh.load_weights(tmp_path / f"w.{suffix}") is fresh
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    np.testing.assert_array_equal(fresh.predict(x, verbose=0), model.predict(x, verbose=0))


# -- PyTorch, both ways, through safetensors ----------------------------------------------------------
def torch_twin(torch):
    return torch.nn.Sequential(torch.nn.Linear(6, 8), torch.nn.ReLU(), torch.nn.Linear(8, 4), torch.nn.Softmax(dim=1))


def ours_twin():
    return nn.Sequential(nn.Dense(8), nn.ReLU(), nn.Dense(4), nn.Softmax(dim=1))  # PyTorch's indices


def test_a_model_saved_here_loads_into_pytorch(tmp_path):
    torch = pytest.importorskip("torch", reason="PyTorch is not installed (optional comparison)")
    safetensors_torch = pytest.importorskip("safetensors.torch")
    ours = nn.Sequential(nn.Linear(6, 8, seed=0), nn.ReLU(), nn.Linear(8, 4, seed=1), nn.Softmax(dim=1))
    ag.save(ours, tmp_path / "ours.safetensors")
    theirs = torch_twin(torch)
    theirs.load_state_dict(safetensors_torch.load_file(str(tmp_path / "ours.safetensors")))
    x = np.random.default_rng(0).standard_normal((5, 6)).astype(np.float32)
    with torch.no_grad():
        expected = theirs(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(ours(x).data, expected, rtol=1e-6, atol=1e-6)


def test_weights_saved_by_pytorch_load_here(tmp_path):
    torch = pytest.importorskip("torch", reason="PyTorch is not installed (optional comparison)")
    safetensors_torch = pytest.importorskip("safetensors.torch")
    torch.manual_seed(0)
    theirs = torch_twin(torch)
    safetensors_torch.save_file(theirs.state_dict(), str(tmp_path / "theirs.safetensors"))
    ours = ag.load(ours_twin(), tmp_path / "theirs.safetensors")  # lazy Dense layers take the saved sizes
    x = np.random.default_rng(1).standard_normal((5, 6)).astype(np.float32)
    with torch.no_grad():
        expected = theirs(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(ours(x).data, expected, rtol=1e-6, atol=1e-6)
