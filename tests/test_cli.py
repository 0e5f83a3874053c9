"""The autograd-lite command: the default training job, train's options, draw, and its errors."""
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

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
