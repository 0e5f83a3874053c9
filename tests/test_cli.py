"""The autograd-lite command: the default training job, train's options, draw, and its errors."""
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite import cli, nn

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args, timeout=120, env=None):
    env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
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
    assert f"saved the model to {tmp_path / 'm.npz'}" in out
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
    # said in the command's terms, not the Python API's
    assert "Not downloaded: --no-download was given." in result.stderr and "given with --data-dir" in result.stderr
    assert "download=False" not in result.stderr and "data_dir=" not in result.stderr


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


def test_draw_accepts_an_expression_starting_with_a_minus(capsys):
    assert cli.main(["draw", "-a*b", "--at", "a=2,b=-3"]) == 0
    assert "L = -a*b = 6.0000" in capsys.readouterr().out
    assert cli.main(["draw", "--at", "a=2", "-tanh(a)"]) == 0
    assert "dL/da = -0.0707" in capsys.readouterr().out


def test_the_draw_options_taking_a_value_are_known_to_the_leading_minus_rule():
    draw = cli.build_parser()._subparsers._group_actions[0].choices["draw"]
    taking_a_value = {option for action in draw._actions if action.nargs != 0 for option in action.option_strings}
    assert taking_a_value == set(cli._DRAW_VALUE_OPTIONS)


def test_draw_normalises_full_width_names_in_at_as_python_does_in_the_expression(capsys):
    assert cli.main(["draw", "\uff41*b", "--at", "\uff41=2,b=-3"]) == 0
    assert "dL/da = -3.0000" in capsys.readouterr().out


def test_draw_refuses_an_expression_too_big_to_lay_out_before_calling_graphviz(tmp_path):
    started = time.monotonic()
    result = run_cli("draw", "+".join(["a"] * 100), "--at", "a=1", "-o", str(tmp_path / "g.svg"), timeout=60)
    assert result.returncode == 2 and time.monotonic() - started < 30
    assert "autograd-lite: error: a is used 100 times; a picture allows at most 32 uses of one value" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "g.svg").exists()


def _fake_dot(tmp_path, script):
    folder = tmp_path / "bin"
    folder.mkdir()
    (folder / "dot").write_text("#!/bin/sh\n" + script + "\n")
    (folder / "dot").chmod(0o755)
    return {"PATH": f"{folder}{os.pathsep}{os.environ['PATH']}"}


@pytest.mark.skipif(os.name != "posix", reason="a shell script stands in for dot")
def test_draw_reports_a_dying_dot_without_a_traceback(tmp_path):
    env = _fake_dot(tmp_path, "echo 'Error: something broke' >&2; kill -9 $$")
    result = run_cli("draw", "a*b", "--at", "a=2,b=-3", "-o", str(tmp_path / "g.svg"), env=env)
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("autograd-lite: error: viz: Graphviz 'dot' failed on ")
    assert "killed by signal 9" in result.stderr and "Error: something broke" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(os.name != "posix", reason="a shell script stands in for dot")
def test_draw_stops_a_slow_dot_at_its_timeout_and_says_what_to_try(tmp_path):
    env = _fake_dot(tmp_path, "exec sleep 30")
    result = run_cli("draw", "a*b", "--at", "a=2,b=-3", "-o", str(tmp_path / "g.svg"), "--timeout", "0.5", env=env)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("autograd-lite: error: Graphviz took longer than --timeout 0.5 seconds")
    assert "--max-nodes" in result.stderr and "--rankdir TB" in result.stderr and "leave out -o" in result.stderr


def test_console_script_is_declared():
    text = (ROOT / "pyproject.toml").read_text()
    assert 'autograd-lite = "autograd_lite.cli:main"' in text


# -- a saved model: evaluate, predict, export; checkpoints and --resume ---------------------------
def train_small(tmp_path, capsys, *extra):
    assert cli.main(["train", "--epochs", "2", "--hidden", "8", "--verbose", "0", *extra]) == 0
    return capsys.readouterr().out


def test_a_saved_model_evaluates_without_code(tmp_path, capsys):
    pytest.importorskip("safetensors")
    out = train_small(tmp_path, capsys, "--save", str(tmp_path / "m.safetensors"))
    final = re.search(r"final \(training data\): (loss \d\.\d{4} - accuracy [\d.]+%)", out).group(1)
    assert cli.main(["evaluate", str(tmp_path / "m.safetensors")]) == 0
    out = capsys.readouterr().out
    assert "model: 2 -> 8 sigmoid -> 10 softmax" in out
    assert f"on the training data: {final}" in out  # the same figures as train's last line
    header, *rows = out.split("(rows: true class, columns: predicted class):\n")[1].splitlines()
    assert header.split() == [str(c) for c in range(10)] and [row.split()[0] for row in rows] == header.split()
    assert sum(int(n) for row in rows for n in row.split()[1:]) == 1000  # every blob point counted once


def test_predict_reads_npy(tmp_path, capsys):
    train_small(tmp_path, capsys, "--save", str(tmp_path / "m.npz"))
    points, labels = ag.data.blobs(n_centers=10, per_center=100, seed=0)
    np.save(tmp_path / "points.npy", points[:3])
    assert cli.main(["predict", str(tmp_path / "m.npz"), str(tmp_path / "points.npy")]) == 0
    out = capsys.readouterr().out
    assert re.findall(r"points.npy\[(\d)\]: class \d, probability [\d.]+%", out) == ["0", "1", "2"]


def test_predict_reads_a_png_with_pillow(tmp_path, capsys):
    image = pytest.importorskip("PIL.Image")
    train_small(tmp_path, capsys, "--save", str(tmp_path / "m.npz"))
    image.fromarray(np.array([[10, 200]], dtype=np.uint8)).save(tmp_path / "two.png")  # the blobs model takes 2 numbers
    assert cli.main(["predict", str(tmp_path / "m.npz"), str(tmp_path / "two.png")]) == 0
    assert re.search(r"two.png: class \d, probability [\d.]+%", capsys.readouterr().out)
    image.fromarray(np.zeros((1, 3), dtype=np.uint8)).save(tmp_path / "three.png")
    assert cli.main(["predict", str(tmp_path / "m.npz"), str(tmp_path / "three.png")]) == 2
    assert "three.png holds 3 numbers (shape (1, 3)), not a whole number of samples of 2" in capsys.readouterr().err


def test_predict_reads_a_pgm_image_with_numpy_alone():
    pixels = np.arange(28 * 28, dtype=np.uint8).reshape(28, 28)
    assert np.array_equal(cli._read_pgm_bytes(b"P5\n# made by hand\n28 28\n255\n" + pixels.tobytes(), "x.pgm"),
                          pixels)
    text = b"P2 2 2 255\n0 1\n2 255\n"
    assert cli._read_pgm_bytes(text, "t.pgm").tolist() == [[0, 1], [2, 255]]
    with pytest.raises(ag.io.CheckpointError, match="x.pgm: a 28x28 image needs 784 pixels, the file has 3"):
        cli._read_pgm_bytes(b"P5 28 28 255\n\x00\x01\x02", "x.pgm")


def test_export_writes_an_onnx_file_that_onnx_runtime_runs(tmp_path, capsys):
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    train_small(tmp_path, capsys, "--save", str(tmp_path / "m.npz"))
    assert cli.main(["export", str(tmp_path / "m.npz"), "-o", str(tmp_path / "m.onnx")]) == 0
    assert "input 'input' (batch, 2) float32, output 'output' (batch, 10) probabilities" in capsys.readouterr().out
    points, _ = ag.data.blobs(n_centers=10, per_center=100, seed=0)
    model, _, _ = cli._saved_model(str(tmp_path / "m.npz"))
    session = ort.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"])
    np.testing.assert_allclose(session.run(None, {"input": points[:7]})[0], model.predict(points[:7], verbose=0),
                               rtol=1e-5, atol=1e-6)


def test_resume_continues_a_checkpoint_to_the_same_bits(tmp_path, capsys):
    train_small(tmp_path, capsys, "--epochs", "3", "--save", str(tmp_path / "straight.npz"))
    train_small(tmp_path, capsys, "--epochs", "2", "--checkpoint", str(tmp_path / "ck.npz"))
    assert ag.load(tmp_path / "ck.npz")["epoch"] == 2
    assert cli.main(["train", "--resume", str(tmp_path / "ck.npz"), "--epochs", "3", "--verbose", "0",
                     "--save", str(tmp_path / "resumed.npz")]) == 0
    assert "(resuming after epoch 2 from" in capsys.readouterr().out
    straight, resumed = ag.load(tmp_path / "straight.npz"), ag.load(tmp_path / "resumed.npz")
    assert all(straight[k].tobytes() == resumed[k].tobytes() for k in straight)


@pytest.mark.parametrize("args, message", [
    (["--epochs", "3", "--hidden", "4"], "these options differ from it: --hidden 4 (the checkpoint has 8)"),
    (["--epochs", "1"], "has 1 epochs done; give --epochs N, the number of epochs in all, larger than that"),
])
def test_resume_refuses_options_that_change_the_training(tmp_path, capsys, args, message):
    train_small(tmp_path, capsys, "--epochs", "1", "--checkpoint", str(tmp_path / "ck.npz"))
    assert cli.main(["train", "--resume", str(tmp_path / "ck.npz"), *args]) == 2
    assert message in capsys.readouterr().err


def test_commands_on_files_that_are_not_saved_models_exit_2(tmp_path, capsys):
    ag.save(nn.Linear(2, 3), tmp_path / "plain.npz")
    assert cli.main(["evaluate", str(tmp_path / "plain.npz")]) == 2
    assert "plain.npz has no architecture record in its metadata" in capsys.readouterr().err
    assert cli.main(["train", "--resume", str(tmp_path / "missing.npz"), "--epochs", "2"]) == 2
    assert "no checkpoint file at" in capsys.readouterr().err
    (tmp_path / "huge.npy").write_bytes(b"\x93NUMPY\x01\x00v\x00{'descr': '<f8', 'fortran_order': False, "
                                        b"'shape': (1000000000000,), }" + b" " * 44 + b"\n")
    train_small(tmp_path, capsys, "--save", str(tmp_path / "m.npz"))
    assert cli.main(["predict", str(tmp_path / "m.npz"), str(tmp_path / "huge.npy")]) == 2
    assert "huge.npy is not a readable .npy array" in capsys.readouterr().err


def test_holdout_needs_an_mnist_data_set(tmp_path, capsys):
    assert cli.main(["train", "--holdout"]) == 2
    assert "--holdout splits the test images of --dataset mnist or fashion-mnist" in capsys.readouterr().err
    train_small(tmp_path, capsys, "--save", str(tmp_path / "m.npz"))
    assert cli.main(["evaluate", str(tmp_path / "m.npz"), "--holdout"]) == 2
    assert "--holdout splits the test images" in capsys.readouterr().err


@pytest.mark.skipif(not (ROOT.parent / "shared" / "data" / "mnist").is_dir(), reason="the offline MNIST files are absent")
def test_holdout_trains_on_the_offline_mnist_test_split(capsys):
    data_dir = str(ROOT.parent / "shared" / "data" / "mnist")
    assert cli.main(["train", "--dataset", "mnist", "--data-dir", data_dir, "--holdout", "--epochs", "1",
                     "--hidden", "8", "--batch-size", "500", "--verbose", "0"]) == 0
    out = capsys.readouterr().out
    assert "the first 8,000 images of the test split for training, the last 2,000 for testing" in out
    assert "final (2,000 test images)" in out


def test_help_documents_the_exit_status():
    text = cli.build_parser().format_help()
    assert "exit status: 0 done; 1 the command failed while running" in " ".join(text.split())
    assert "2 a usage error" in " ".join(text.split())


@pytest.mark.parametrize("expression, at, warned", [
    ("log(a)", "a=-1", "L = nan"),
    ("a/b", "a=1,b=0", "L = inf, dL/da = inf, dL/db = -inf"),
])
def test_draw_warns_when_a_value_is_not_finite(capsys, expression, at, warned):
    assert cli.main(["draw", expression, "--at", at]) == 0
    err = capsys.readouterr().err
    assert f"autograd-lite: warning: {warned}: not a finite number at these values" in err


def test_draw_does_not_warn_about_a_variable_named_nan(capsys):
    assert cli.main(["draw", "nan*2", "--at", "nan=1"]) == 0
    assert capsys.readouterr().err == ""


def test_draw_without_the_graphviz_package_is_a_usage_error_in_cli_terms(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "graphviz", None)
    assert cli.main(["draw", "a*b", "--at", "a=2,b=-3", "-o", str(tmp_path / "g.svg")]) == 2
    err = capsys.readouterr().err
    assert "pip install 'autograd-lite[viz]'" in err and "without -o and --steps" in err
    assert "viz.text" not in err


def test_train_model_cnn_trains_the_convolutional_network_on_images(tmp_path, monkeypatch, capsys):
    rng = np.random.default_rng(0)
    images = rng.random((256, 784), dtype=np.float32)
    labels = (images[:, :392].sum(axis=1) > images[:, 392:].sum(axis=1)).astype(np.int64)  # top half brighter
    monkeypatch.setattr(cli, "_load", lambda args: (images, labels, images, labels, "data: 256 test images"))
    saved = tmp_path / "cnn.npz"
    assert cli.main(["train", "--model", "cnn", "--dataset", "mnist", "--epochs", "2", "--verbose", "0",
                     "--save", str(saved)]) == 0
    out = capsys.readouterr().out
    assert "model: 28x28x1 -> conv 8 relu, max pool -> conv 16 relu, max pool -> 10 softmax; adam (lr 0.001); " \
           "sparse categorical cross-entropy; batch 64; 2 epochs" in out
    final = re.search(r"^final \(256 test images\): (loss \d\.\d{4} - accuracy \d+\.\d\d%)$", out, re.M).group(1)
    assert cli.main(["evaluate", str(saved), "--dataset", "mnist"]) == 0  # the saved cnn is rebuilt from its record
    assert final in capsys.readouterr().out


@pytest.mark.parametrize("args, message", [
    (["train", "--model", "cnn"], "--model cnn needs images: add --dataset mnist or --dataset fashion-mnist"),
    (["train", "--model", "cnn", "--dataset", "mnist", "--hidden", "8"],
     "--hidden and --activation set the mlp; they do not apply to --model cnn"),
])
def test_train_model_cnn_refuses_what_does_not_apply(args, message, capsys):
    assert cli.main(args) == 2
    assert message in capsys.readouterr().err
