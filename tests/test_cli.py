"""The autograd-lite command: the default training job, train's options, draw, and its errors."""
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite import cli, nn

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args, timeout=120):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "autograd_lite.cli", *args], capture_output=True, text=True,
                          timeout=timeout, env=env, cwd=ROOT)


def test_no_arguments_trains_the_default_blobs_model_offline_with_a_line_per_epoch():
    result = run_cli()
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "blobs, 1,000 points in 10 classes" in out
    assert "2 -> 128 sigmoid -> 10 softmax; adam (lr 0.001)" in out
    # the output is not a terminal: one finished Keras line per epoch, no redraws
    assert "\r" not in out
    assert len(re.findall(r"^Epoch \d+/100$", out, re.M)) == 100
    finished = r"^32/32 ━{20} \d+s \d+(us|ms)/step - accuracy: 0\.\d{4} - loss: \d\.\d{4}$"
    assert len(re.findall(finished, out, re.M)) == 100
    accuracy = float(re.search(r"final \(training data\): loss \d\.\d{4} - accuracy (\d+\.\d\d)%", out).group(1))
    assert accuracy > 85.0  # seed program 000 reached 89.29% after 1000 epochs


def test_train_saves_a_loadable_checkpoint_and_a_plot(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    assert cli.main(["train", "--epochs", "2", "--hidden", "8", "--verbose", "0",
                     "--save", str(tmp_path / "m.npz"), "--plot", str(tmp_path / "h.png")]) == 0
    out = capsys.readouterr().out
    assert f"saved the parameters to {tmp_path / 'm.npz'}" in out
    model = nn.Sequential([nn.Dense(8, activation="sigmoid", input_dim=2), nn.Dense(10, input_dim=8)])
    ag.load(model, tmp_path / "m.npz")
    assert (tmp_path / "h.png").read_bytes()[:4] == b"\x89PNG"


def test_options_override_the_data_set_defaults(capsys):
    assert cli.main(["--epochs", "1", "--hidden", "4", "--activation", "tanh", "--optimizer", "sgd",
                     "--lr", "0.5", "--batch-size", "100", "--verbose", "2"]) == 0
    out = capsys.readouterr().out
    assert "2 -> 4 tanh -> 10 softmax; sgd (lr 0.5)" in out and "batch 100; 1 epochs" in out
    assert re.search(r"^10/10 - \d+s - \d+(us|ms)/step - accuracy: ", out, re.M)


def test_same_seed_same_figures(capsys):
    figures = []
    for _ in range(2):
        cli.main(["--epochs", "2", "--verbose", "0", "--seed", "3"])
        figures.append(capsys.readouterr().out.splitlines()[-1])
    assert figures[0] == figures[1] and figures[0].startswith("final")


@pytest.mark.skipif(not Path("/usr/share/datasets/fashion-mnist").is_dir(), reason="Fashion-MNIST not installed")
def test_fashion_mnist_trains_and_reports_test_accuracy(capsys):
    assert cli.main(["train", "--dataset", "fashion-mnist", "--epochs", "1", "--hidden", "16",
                     "--batch-size", "1000", "--verbose", "0", "--no-download"]) == 0
    out = capsys.readouterr().out
    assert "fashion-mnist, 60,000 training and 10,000 test images" in out
    accuracy = float(re.search(r"final \(10,000 test images\): loss [\d.]+ - accuracy ([\d.]+)%", out).group(1))
    assert accuracy > 50.0


def test_missing_data_set_gives_the_loaders_message_and_exit_code_2(tmp_path):
    result = run_cli("train", "--dataset", "mnist", "--data-dir", str(tmp_path), "--no-download")
    assert result.returncode == 2
    assert result.stderr.startswith("autograd-lite: error: MNIST train split not found")
    assert str(tmp_path) in result.stderr and "Traceback" not in result.stderr


def test_plot_without_matplotlib_fails_before_training(monkeypatch, capsys):
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "matplotlib" else real_find_spec(name, *a))
    assert cli.main(["--plot", "h.png"]) == 2
    captured = capsys.readouterr()
    assert "pip install 'autograd-lite[plot]'" in captured.err
    assert "Epoch" not in captured.out


@pytest.mark.parametrize("args, message", [
    (["--epochs", "0"], "--epochs: must be at least 1"),
    (["--dataset", "cifar"], "invalid choice: 'cifar'"),
    (["--activation", "swish"], "invalid choice: 'swish'"),
    (["--lr", "-1"], "--lr: must be a positive number"),
    (["--batch-size", "many"], "expected a whole number"),
    (["train", "--bogus"], "unrecognized arguments: --bogus"),
    (["fly"], "invalid choice: 'fly'"),
])
def test_bad_arguments_get_argparse_errors(args, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(args)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_version(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--version"])
    assert capsys.readouterr().out.strip() == f"autograd-lite {ag.__version__}"


# -- draw ---------------------------------------------------------------------
def test_draw_prints_value_and_gradients(capsys):
    assert cli.main(["draw", "a*b + tanh(a)", "--at", "a=2,b=-3"]) == 0
    out = capsys.readouterr().out
    assert "= -5.0360" in out and "/da = -2.9293" in out and "/db = 2.0000" in out


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot not installed")
def test_draw_writes_the_picture(tmp_path, capsys):
    assert cli.main(["draw", "a*b", "--at", "a=2,b=-3", "-o", str(tmp_path / "g.svg")]) == 0
    assert (tmp_path / "g.svg").read_text().lstrip().startswith(("<?xml", "<svg"))


def test_draw_with_a_bad_expression_exits_2_without_a_traceback():
    result = run_cli("draw", "a*b +", "--at", "a=2,b=-3")
    assert result.returncode == 2
    assert "autograd-lite: error: not a valid expression" in result.stderr
    assert "Traceback" not in result.stderr


def test_draw_with_bad_values_is_an_argparse_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["draw", "a*b", "--at", "a=two"])
    assert exit_info.value.code == 2
    assert "--at: the value of a is not a number" in capsys.readouterr().err


def test_console_script_is_declared():
    text = (ROOT / "pyproject.toml").read_text()
    assert 'autograd-lite = "autograd_lite.cli:main"' in text


def test_train_model_cnn_trains_the_convolutional_network_on_images(monkeypatch, capsys):
    rng = np.random.default_rng(0)
    images = rng.random((256, 784), dtype=np.float32)
    labels = (images[:, :392].sum(axis=1) > images[:, 392:].sum(axis=1)).astype(np.int64)  # top half brighter
    monkeypatch.setattr(cli, "_load", lambda args: (images, labels, images, labels, "data: 256 test images"))
    assert cli.main(["train", "--model", "cnn", "--dataset", "mnist", "--epochs", "2", "--verbose", "0"]) == 0
    out = capsys.readouterr().out
    assert "model: 28x28x1 -> conv 8 relu, max pool -> conv 16 relu, max pool -> 10 softmax; adam (lr 0.001); " \
           "sparse categorical cross-entropy; batch 64; 2 epochs" in out
    assert re.search(r"^final \(256 test images\): loss \d\.\d{4} - accuracy \d+\.\d\d%$", out, re.M)


@pytest.mark.parametrize("args, message", [
    (["train", "--model", "cnn"], "--model cnn needs images: add --dataset mnist or --dataset fashion-mnist"),
    (["train", "--model", "cnn", "--dataset", "mnist", "--hidden", "8"],
     "--hidden and --activation set the mlp; they do not apply to --model cnn"),
])
def test_train_model_cnn_refuses_what_does_not_apply(args, message, capsys):
    assert cli.main(args) == 2
    assert message in capsys.readouterr().err
