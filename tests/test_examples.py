"""Each example runs end to end in a tiny configuration and prints the figures its seed program printed."""
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
MNIST_TEST_SPLIT = ROOT.parent / "shared" / "data" / "mnist"  # the real MNIST test split, kept beside the repo
needs_mnist = pytest.mark.skipif(not (MNIST_TEST_SPLIT / "t10k-images-idx3-ubyte.gz").exists(),
                                 reason=f"MNIST test split not in {MNIST_TEST_SPLIT}")
HOLDOUT = ["--data-dir", str(MNIST_TEST_SPLIT), "--holdout", "--no-download"]


def run_example(name, *args, cwd=None):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, str(ROOT / "examples" / name), *args], capture_output=True,
                            text=True, timeout=120, env=env, cwd=cwd or ROOT)
    return result


def ok(result):
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_blobs_classifier_prints_the_originals_lines_and_saves_its_names(tmp_path):
    out = ok(run_example("blobs_classifier.py", "--epochs", "3", "--save", str(tmp_path / "p.npz")))
    epochs = re.findall(r"^Epoch (\d+), Loss: ([\d.]+), Accuracy: ([\d.]+)$", out, re.M)
    assert [int(e) for e, _, _ in epochs] == [1, 2, 3]
    losses = [float(loss) for _, loss, _ in epochs]
    assert losses[2] < losses[0]
    with np.load(tmp_path / "p.npz", allow_pickle=False) as saved:  # our own file, written just now
        assert {k: saved[k].shape for k in saved.files} == {
            "W_h": (128, 2), "b_h": (128,), "W_o": (10, 128), "b_o": (10,)}


@needs_mnist
def test_two_layer_net_shows_the_stall_its_cause_and_the_fix():
    out = ok(run_example("two_layer_net.py", *HOLDOUT, "--iterations", "240"))
    assert "--holdout: training on the first 8,000 images of the MNIST test split" in out
    assert out.count("iter_per_epoch 80.0") == 2
    raw, scaled = out.split("2) pixels scaled to [0, 1]")
    # raw pixels: the net predicts one class, with every hidden ReLU dead, and says why
    assert "every test image is predicted as class 1, which is 11.50% of them" in raw
    assert "hidden ReLUs that output anything but 0 on any test image: 0 of 50" in raw
    assert "gradients, 255 times" in raw
    raw_accuracies = [float(a) for a in re.findall(r"^0\.\d+ (0\.\d+)$", raw, re.M)]
    assert max(raw_accuracies) < 0.2
    final = float(re.search(r"raw pixels 0\.\d{4}, scaled pixels (0\.\d{4})", scaled).group(1))
    assert final > 0.7


@needs_mnist
def test_keras_style_mnist_prints_keras_progress_and_the_naive_models_output():
    out = ok(run_example("keras_style_mnist.py", *HOLDOUT, "--epochs", "2", "--naive-epochs", "1"))
    assert re.findall(r"^Epoch \d/2$", out, re.M) == ["Epoch 1/2", "Epoch 2/2"]
    lines = re.findall(r"^63/63 ━{20} \d+s \d+ms/step - accuracy: (0\.\d{4}) - loss: (\d\.\d{4})$", out, re.M)
    assert len(lines) == 2 and float(lines[1][0]) > 0.85
    assert float(re.search(r"^test accuracy: (0\.\d{4})", out, re.M).group(1)) > 0.85
    assert re.search(r"^Epoch 0\nloss at batch 0: \d\.\d\d$", out, re.M)
    assert re.search(r"^accuracy: 0\.\d\d$", out, re.M)


@needs_mnist
def test_three_layer_network_reports_micro_f1():
    out = ok(run_example("three_layer_network.py", *HOLDOUT, "--epochs", "1"))
    train_f1 = float(re.search(r"^epoch 0 accuracy score : ([\d.]+)$", out, re.M).group(1))
    test_f1 = float(re.search(r"^test accuracy score \(F1 micro\) : ([\d.]+)$", out, re.M).group(1))
    assert train_f1 > 80 and test_f1 > 80


def test_deep_sigmoid_mse_prints_loss_per_epoch_and_seconds():
    out = ok(run_example("deep_sigmoid_mse.py"))
    losses = [float(v) for v in re.findall(r"^Epoch \d+: Test loss ([\d.e-]+)$", out, re.M)]
    assert len(losses) == 100
    assert all(b < a for a, b in zip(losses, losses[1:]))  # gradient descent on one sample: always down
    assert re.search(r"^[\d.e-]+ seconds elapsed\.$", out, re.M)


def test_scalar_moons_matches_micrograds_demo():
    out = ok(run_example("scalar_moons.py", "--steps", "2"))
    assert "number of parameters 337" in out
    steps = re.findall(r"^step (\d) loss ([\d.]+), accuracy ([\d.]+)%$", out, re.M)
    # micrograd's demo.ipynb (same data, seeds and schedule): step 0 loss 0.8958441028683222, accuracy 50.0%;
    # step 1 loss 1.7235905336972022, accuracy 81.0%
    assert float(steps[0][1]) == pytest.approx(0.8958441028683222, rel=1e-12) and steps[0][2] == "50.0"
    assert float(steps[1][1]) == pytest.approx(1.7235905336972022, rel=1e-12) and steps[1][2] == "81.0"


def test_mnist_example_with_only_the_test_split_says_to_use_holdout():
    if not (MNIST_TEST_SPLIT / "t10k-images-idx3-ubyte.gz").exists():
        pytest.skip("MNIST test split not at hand")
    if (MNIST_TEST_SPLIT / "train-images-idx3-ubyte.gz").exists():
        pytest.skip("the MNIST training split is at hand here")
    result = run_example("three_layer_network.py", "--data-dir", str(MNIST_TEST_SPLIT), "--no-download")
    assert result.returncode == 2
    assert "MNIST train split not found" in result.stderr
    assert "Only the MNIST test split was found. Run with --holdout" in result.stderr
    assert "Traceback" not in result.stderr


def test_mnist_example_without_data_exits_with_the_loaders_message(tmp_path):
    result = run_example("two_layer_net.py", "--data-dir", str(tmp_path), "--no-download",
                         cwd=tmp_path)
    assert result.returncode == 2
    assert "MNIST test split not found" in result.stderr and str(tmp_path) in result.stderr
    assert "Traceback" not in result.stderr


@needs_mnist
@pytest.mark.parametrize("style", ["pytorch", "keras"])
def test_cnn_mnist_learns_in_both_styles_and_prints_test_accuracy_per_epoch(style):
    out = ok(run_example("cnn_mnist.py", *HOLDOUT, "--epochs", "2", "--train-limit", "1280", "--style", style))
    assert "small: 9,098 parameters; Adam lr 0.001, batch 64, 2 epochs, 1,280 training images" in out
    accuracies = [float(a) for a in re.findall(r"^epoch \d: .*test accuracy ([\d.]+)%", out, re.M)]
    assert len(accuracies) == 2 and accuracies[1] > 50 and accuracies[1] > accuracies[0]


@needs_mnist
def test_cnn_mnist_has_a_lenet5_option():
    out = ok(run_example("cnn_mnist.py", *HOLDOUT, "--model", "lenet5", "--epochs", "1", "--train-limit", "128"))
    assert "lenet5: 61,706 parameters" in out  # LeNet-5's count with 10 outputs


@needs_mnist
@pytest.mark.parametrize("style", ["pytorch", "keras"])
def test_cnn_mnist_vgg_option_is_one_network_in_both_styles_and_takes_a_cosine_schedule(style):
    out = ok(run_example("cnn_mnist.py", *HOLDOUT, "--model", "vgg", "--lr-schedule", "cosine", "--epochs", "1",
                         "--train-limit", "64", "--style", style))
    # 4 convolutions 64,992 + 4 batch norms 384 + Linear(3136,128) 401,536 + Linear(128,10) 1,290
    assert "vgg: 468,202 parameters; Adam lr 0.001 (cosine schedule), batch 64, 1 epoch, 64 training images" in out
    assert len(re.findall(r"^epoch \d: .*test accuracy [\d.]+%", out, re.M)) == 1
