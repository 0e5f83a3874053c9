"""The ``autograd-lite`` command: train a small classifier, use a saved one, or draw the graph of an expression.

    autograd-lite                                   # train on the embedded blobs data: no download
    autograd-lite train --dataset fashion-mnist --epochs 5 --save model.safetensors --plot history.png
    autograd-lite evaluate model.safetensors        # accuracy, loss and confusion matrix on the test images
    autograd-lite predict model.safetensors digit.png
    autograd-lite export model.safetensors -o model.onnx
    autograd-lite draw "a*b + tanh(a)" --at a=2,b=-3 -o graph.svg --explain

A saved model carries its architecture (a small JSON record in the file's
metadata), so ``evaluate``, ``predict`` and ``export`` need no code.

This is the one module that imports both ``autograd_lite`` and ``viz`` (the
latter only inside ``draw``, so training works without Graphviz).
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import warnings
from typing import Any, Sequence

import numpy as np

from .io import CheckpointError, read_metadata, save
from .training import Callback

__all__ = ["main", "build_parser"]


class UsageError(Exception):
    """What the user asked for cannot be done as asked (exit status 2); the message says what to type instead."""

DATASETS = ("blobs", "mnist", "fashion-mnist")
# Per data set, the seed program it comes from: 000 for blobs, 002 for the MNIST-shaped ones.
DEFAULTS = {
    "blobs": dict(hidden=128, activation="sigmoid", optimizer="adam", epochs=100, batch_size=32),
    "mnist": dict(hidden=512, activation="relu", optimizer="rmsprop", epochs=5, batch_size=128),
    "fashion-mnist": dict(hidden=512, activation="relu", optimizer="rmsprop", epochs=5, batch_size=128),
}
# --model cnn: Conv2D(8, 3, same, relu) MaxPooling2D Conv2D(16, 3, same, relu) MaxPooling2D Flatten Dense(10, softmax)
# (the convolution issue's network, channels last as Keras takes images), trained as that issue trains it
CNN_DEFAULTS = dict(optimizer="adam", epochs=5, batch_size=64)
ACTIVATIONS = ("relu", "sigmoid", "tanh")
OPTIMIZERS = ("adam", "adamw", "adagrad", "rmsprop", "sgd")
RANKDIRS = ("LR", "TB", "RL", "BT")  # viz's; not imported from it: viz is loaded only by draw
DRAW_TIMEOUT = 60.0
# draw's options that take a value: the argument after one of them is never the expression
_DRAW_VALUE_OPTIONS = ("--at", "-o", "--output", "--steps", "--rankdir", "--max-nodes", "--timeout")
HOLDOUT_TRAIN = 8000  # --holdout: train on the first 8,000 images of the test split, test on the last 2,000
NO_HOLDOUT = "--holdout splits the test images of --dataset mnist or fashion-mnist; blobs has none"
FASHION_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                   "Ankle boot")
SETTINGS = ("dataset", "holdout", "model", "hidden", "activation", "optimizer", "lr", "epochs", "batch_size", "seed")
ARCHITECTURE_KEY, TRAINING_KEY = "autograd_lite.architecture", "autograd_lite.training"
EXIT_STATUS = ("exit status: 0 done; 1 the command failed while running (e.g. a file could not be written); "
               "2 a usage error: bad options, a bad input file, missing data or a missing optional package; "
               "130 interrupted.")
# Messages written for the Python API, said in this command's terms.
_CLI_TERMS = {
    "Not downloaded: download=False.": "Not downloaded: --no-download was given.",
    "in a folder passed as data_dir= or named by": "in a folder given with --data-dir or named by",
    "viz.to_dot() and viz.text() need no Graphviz program.": "-o NAME.dot needs no Graphviz program.",
    "; viz.text(root) works without it": "; without -o and --steps, draw prints the value and gradients "
                                         "without it",
}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``autograd-lite`` (``train``, ``evaluate``, ``predict``, ``export``, ``draw``)."""
    parser = argparse.ArgumentParser(
        prog="autograd-lite", epilog=EXIT_STATUS,
        description="Train a small classifier (the default, on embedded data), evaluate, use or export a saved "
                    "one, or draw an expression's graph.")
    from . import __version__
    parser.add_argument("--version", action="version", version=f"autograd-lite {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="{train,evaluate,predict,export,draw}")

    train = commands.add_parser(
        "train", help="train a one-hidden-layer classifier and print Keras-style progress (the default)",
        epilog=EXIT_STATUS,
        description="Train Dense(hidden, activation) -> Dense(10, softmax) with sparse categorical "
                    "cross-entropy. Defaults follow the data set: blobs (seed program 000): hidden 128, "
                    "sigmoid, adam, 100 epochs, batch 32; mnist and fashion-mnist (seed program 002): "
                    "hidden 512, relu, rmsprop, 5 epochs, batch 128.")
    train.add_argument("--model", choices=("mlp", "cnn"),
                       help="mlp: one hidden layer (default); cnn: two convolutions with max pooling, for the "
                            "28x28 images of mnist and fashion-mnist (adam, batch 64, 5 epochs by default)")
    _add_data_arguments(train, evaluating=False)
    train.add_argument("--hidden", type=_positive_int, metavar="N", help="hidden units")
    train.add_argument("--activation", choices=ACTIVATIONS, help="hidden activation")
    train.add_argument("--optimizer", choices=OPTIMIZERS, help="optimizer, with Keras's defaults")
    train.add_argument("--lr", type=_positive_float, metavar="LR", help="learning rate (default: the optimizer's)")
    train.add_argument("--epochs", type=_positive_int, metavar="N",
                       help="passes over the training data (with --resume: in all, counting those done)")
    train.add_argument("--batch-size", type=_positive_int, metavar="N", help="samples per step")
    train.add_argument("--seed", type=int, help="seed of the weights and the shuffling (default 0)")
    train.add_argument("--verbose", type=int, choices=(0, 1, 2), default=1,
                       help="1: a progress bar on a terminal, each epoch's final line in a log (default); "
                            "2: one line per epoch; 0: only the final figures")
    train.add_argument("--threads", type=_positive_int, metavar="N",
                       help="BLAS threads for matrix products (default: the cores other processes leave free, "
                            "looked at every second); the last digits of the figures depend on it")
    train.add_argument("--save", metavar="PATH",
                       help="save the trained model to PATH (.safetensors, or .npz) with its architecture, for "
                            "evaluate, predict and export (PyTorch loads the weights of a .safetensors file)")
    train.add_argument("--checkpoint", metavar="PATH",
                       help="after every epoch, save the model, the optimizer's state and the epoch to PATH, "
                            "for --resume")
    train.add_argument("--resume", metavar="PATH",
                       help="continue the training saved by --checkpoint up to --epochs in all; the result is "
                            "the same, to the last bit, as training without a break")
    train.add_argument("--plot", metavar="PATH", help="plot loss and accuracy per epoch to this PNG (needs matplotlib)")

    evaluate = commands.add_parser(
        "evaluate", help="loss, accuracy and confusion matrix of a saved model on test data", epilog=EXIT_STATUS,
        description="Evaluate a model saved by 'train --save' on the test split of its data set (or of "
                    "--dataset): loss, accuracy, and the confusion matrix as text.")
    evaluate.add_argument("model", metavar="MODEL", help="a file written by 'autograd-lite train --save'")
    _add_data_arguments(evaluate, evaluating=True)
    evaluate.add_argument("--batch-size", type=_positive_int, default=1024, metavar="N", help="samples per batch")

    predict = commands.add_parser(
        "predict", help="the class a saved model gives each image (PNG, PGM or NPY)", epilog=EXIT_STATUS,
        description="Print the class a model saved by 'train --save' gives each input: a 28x28 grayscale "
                    "image as .pgm (no extra package) or .png (needs Pillow: pip install "
                    "'autograd-lite[image]'), or a .npy array of one or more samples. Pixels 0-255 are "
                    "scaled to 0-1, as in training.")
    predict.add_argument("model", metavar="MODEL", help="a file written by 'autograd-lite train --save'")
    predict.add_argument("inputs", nargs="+", metavar="INPUT", help=".png, .pgm or .npy files")

    export = commands.add_parser(
        "export", help="write a saved model as ONNX, for ONNX Runtime", epilog=EXIT_STATUS,
        description="Write a model saved by 'train --save' as an ONNX file (opset 17) with a batch of any "
                    "size: input 'input' (batch, features) float32, output 'output' (batch, classes) "
                    "probabilities. Needs the onnx package: pip install 'autograd-lite[interop]'.")
    export.add_argument("model", metavar="MODEL", help="a file written by 'autograd-lite train --save'")
    export.add_argument("-o", "--output", required=True, metavar="PATH", help="the .onnx file to write")

    draw = commands.add_parser(
        "draw", help="draw the graph of a scalar expression and its gradients (needs Graphviz for pictures)",
        epilog=EXIT_STATUS,
        description="Evaluate an expression of named variables with Value, run backward and print each "
                    "variable's gradient; optionally draw the graph, the backward steps and the chain rule.")
    draw.add_argument("expression", help="e.g. \"a*b + tanh(a)\" (numbers, names, + - * / **, and functions "
                                         "such as tanh, exp, log, relu, sigmoid)")
    draw.add_argument("--at", default="", metavar="NAME=NUMBER,...", help="the variables' values, e.g. a=2,b=-3")
    draw.add_argument("-o", "--output", metavar="PATH", help="write the graph picture (.svg, .png, .pdf or .dot)")
    draw.add_argument("--steps", metavar="DIR", help="write the backward pass step by step as an HTML page in DIR")
    draw.add_argument("--explain", action="store_true", help="print the chain rule, one line per step")
    draw.add_argument("--rankdir", choices=RANKDIRS, default="LR",
                      help="direction of the pictures: LR left to right (default), TB top to bottom...")
    draw.add_argument("--max-nodes", type=_positive_int, metavar="N",
                      help="in the -o picture, draw only the N values nearest the result")
    draw.add_argument("--timeout", type=_positive_float, default=DRAW_TIMEOUT, metavar="SECONDS",
                      help=f"stop Graphviz after this long on one picture (default {DRAW_TIMEOUT:g})")
    return parser


def _add_data_arguments(parser: argparse.ArgumentParser, evaluating: bool) -> None:
    where = "blobs is embedded (1,000 points, 10 classes); the others are found or downloaded"
    parser.add_argument("--dataset", choices=DATASETS,
                        help=f"the data to evaluate on (default: the model's); {where}" if evaluating else
                        f"the data (default blobs); {where}")
    parser.add_argument("--data-dir", metavar="DIR",
                        help="folder with the MNIST / Fashion-MNIST IDX files (default: $AUTOGRAD_LITE_DATA, then "
                             "the download cache)")
    parser.add_argument("--no-download", action="store_true", help="fail instead of downloading missing data")
    parser.add_argument("--holdout", action="store_true",
                        help=f"use only the test split: train on its first {HOLDOUT_TRAIN:,} images and test on the "
                             f"rest (for when the training split is not at hand, as with the MNIST files offline)")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 done, 1 failed while running, 2 usage: bad options or
    input, missing data or a missing optional package; 130 interrupted)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    # `autograd-lite` alone, or with only train's options, means `autograd-lite train ...`
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version")):
        argv.insert(0, "train")
    if argv[0] == "draw":
        argv = _expression_with_leading_minus(argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    command = {"train": _train, "evaluate": _evaluate, "predict": _predict, "export": _export,
               "draw": _draw}[args.command]
    try:
        return command(args, parser)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    except (UsageError, CheckpointError, FileNotFoundError, ImportError) as error:  # bad input, a missing package
        return _fail(str(error), status=2)
    except OSError as error:
        return _fail(f"cannot write: {error}")


# -- train -------------------------------------------------------------------
def _train(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    import autograd_lite as ag

    settings, checkpoint = _settings(args)
    args.dataset, args.holdout = settings["dataset"], settings["holdout"]
    if args.plot and importlib.util.find_spec("matplotlib") is None:  # say so before training, not after
        raise UsageError("--plot needs matplotlib: pip install 'autograd-lite[plot]'")
    if args.threads is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)  # an unreachable BLAS: refuse, as a flag asked for it
            try:
                ag.set_num_threads(args.threads)
            except RuntimeWarning:
                return _fail("--threads: cannot reach numpy's BLAS to set its threads; install threadpoolctl "
                             "(pip install 'autograd-lite[threads]') or set OPENBLAS_NUM_THREADS instead", status=2)
    try:
        x_train, y_train, x_test, y_test, about = _load(args)
    except (ag.data.DatasetNotFoundError, ag.data.IDXFormatError) as error:
        raise UsageError(str(error)) from None

    if settings["model"] == "cnn":
        layers = [{"type": "Unflatten", "shape": [28, 28, 1]},  # the flat pixels as an image, channels last
                  {"type": "Conv2D", "filters": 8, "kernel_size": 3, "activation": "relu"}, {"type": "MaxPooling2D"},
                  {"type": "Conv2D", "filters": 16, "kernel_size": 3, "activation": "relu"}, {"type": "MaxPooling2D"},
                  {"type": "Flatten"}, {"type": "Dense", "units": 10, "activation": "softmax"}]
    else:
        layers = [{"type": "Dense", "units": settings["hidden"], "activation": settings["activation"]},
                  {"type": "Dense", "units": 10, "activation": "softmax"}]
    architecture = {"layers": layers, "input_shape": [int(x_train.shape[1])], "dataset": settings["dataset"]}
    seed = settings["seed"]
    model = ag.Model(_build(architecture, seed))
    description = _describe(architecture)
    overrides = {} if settings.get("lr") is None else {"learning_rate": settings["lr"]}
    optimizer = ag.optim.get(settings["optimizer"], **overrides)
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    settings["lr"] = optimizer.learning_rate
    done = 0
    if checkpoint is not None:
        model.load_state_dict(checkpoint["model"])
        optimizer.build(model.trainable_variables)
        optimizer.load_state_dict(checkpoint["optimizer"])
        done = checkpoint["epoch"]
    print(about)
    print(f"model: {description}; "
          f"{settings['optimizer']} (lr {optimizer.learning_rate:g}); sparse categorical cross-entropy; "
          f"batch {settings['batch_size']}; {settings['epochs']} epochs"
          + (f" (resuming after epoch {done} from {args.resume})" if checkpoint is not None else ""), flush=True)
    metadata = {ARCHITECTURE_KEY: json.dumps(architecture), TRAINING_KEY: json.dumps(settings)}
    callbacks = [] if not args.checkpoint else [SaveEachEpoch(args.checkpoint, optimizer, metadata)]
    history = model.fit(x_train, y_train, batch_size=settings["batch_size"], epochs=settings["epochs"],
                        initial_epoch=done, verbose=args.verbose, seed=seed, callbacks=callbacks)
    figures = model.evaluate(x_test, y_test, batch_size=1024, verbose=0, return_dict=True)
    where = "training data" if args.dataset == "blobs" else f"{len(x_test):,} test images"
    print(f"final ({where}): loss {figures['loss']:.4f} - accuracy {figures['accuracy']:.2%}")
    if args.save:
        ag.save(model, args.save, metadata=metadata)
        print(f"saved the model to {args.save} (use it with: autograd-lite evaluate {args.save})")
    if args.plot:
        history.plot(args.plot)
        print(f"plotted the history to {args.plot}")
    return 0


def _settings(args: argparse.Namespace) -> tuple[dict[str, Any], dict | None]:
    """The training settings (the data set's defaults and the options, or a checkpoint's), and the
    checkpoint to resume from (``None`` for a fresh start)."""
    given = {k: v for k, v in vars(args).items() if k in SETTINGS and v is not None and v is not False}
    if not args.resume:
        dataset = given.get("dataset", "blobs")
        cnn = given.get("model") == "cnn"
        if cnn and dataset == "blobs":
            raise UsageError("--model cnn needs images: add --dataset mnist or --dataset fashion-mnist")
        if cnn and ("hidden" in given or "activation" in given):
            raise UsageError("--hidden and --activation set the mlp; they do not apply to --model cnn")
        settings = {**DEFAULTS[dataset], **(CNN_DEFAULTS if cnn else {}), "model": "mlp", "lr": None, "seed": 0,
                    "holdout": False, **given, "dataset": dataset}
        if settings["holdout"] and dataset == "blobs":
            raise UsageError(NO_HOLDOUT)
        return settings, None
    checkpoint, saved = _read_checkpoint(args.resume)
    conflicts = [f"--{k.replace('_', '-')}{'' if v is True else f' {v}'} (the checkpoint has {saved.get(k)})"
                 for k, v in given.items() if k != "epochs" and v != saved.get(k)]
    if conflicts:
        raise UsageError(f"--resume continues the training as it was set up; these options differ from it: "
                         f"{'; '.join(conflicts)}")
    if given.get("epochs", 0) <= checkpoint["epoch"]:
        raise UsageError(f"{args.resume} has {checkpoint['epoch']} epochs done; give --epochs N, the number of "
                         f"epochs in all, larger than that")
    return {"model": "mlp", **saved, "epochs": given["epochs"]}, checkpoint


class SaveEachEpoch(Callback):
    """``train --checkpoint PATH``: the model, the optimizer's state and the epoch, saved after every epoch."""

    def __init__(self, path: str, optimizer: Any, metadata: dict[str, str]) -> None:
        self.path, self.optimizer, self.metadata = path, optimizer, metadata

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        save({"model": self.model.state_dict(), "optimizer": self.optimizer.state_dict(), "epoch": epoch + 1},
             self.path, metadata=self.metadata)


def _load(args: argparse.Namespace) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, str]:
    """Training and test arrays for the data set, and a line saying what they are."""
    import autograd_lite as ag

    if args.dataset == "blobs":
        points, labels = ag.data.blobs(n_centers=10, per_center=100, seed=0)
        # seed program 000 trained and reported on the same points; there is no test split
        return points, labels, points, labels, (f"data: blobs, {len(points):,} points in 10 classes "
                                                f"(seed program 000's, embedded: no download)")
    loader = ag.data.mnist if args.dataset == "mnist" else ag.data.fashion_mnist
    download = not args.no_download
    if args.holdout:
        x_test, y_test = loader("test", args.data_dir, download=download)
        return (x_test[:HOLDOUT_TRAIN], y_test[:HOLDOUT_TRAIN], x_test[HOLDOUT_TRAIN:], y_test[HOLDOUT_TRAIN:],
                f"data: {args.dataset} --holdout: the first {HOLDOUT_TRAIN:,} images of the test split for "
                f"training, the last {len(x_test) - HOLDOUT_TRAIN:,} for testing")
    try:
        x_train, y_train = loader("train", args.data_dir, download=download)
    except ag.data.DatasetNotFoundError as error:
        try:
            loader("test", args.data_dir, download=False)
        except ag.data.DatasetNotFoundError:
            raise error from None
        raise ag.data.DatasetNotFoundError(f"{error}\nThe test split is at hand: --holdout trains on its first "
                                           f"{HOLDOUT_TRAIN:,} images and tests on the rest.") from None
    x_test, y_test = loader("test", args.data_dir, download=download)
    return x_train, y_train, x_test, y_test, (f"data: {args.dataset}, {len(x_train):,} training and "
                                              f"{len(x_test):,} test images")


# -- evaluate, predict, export: a saved model ---------------------------------
def _evaluate(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    import autograd_lite as ag

    model, architecture, training = _saved_model(args.model)
    args.dataset = args.dataset or architecture["dataset"]
    if args.holdout and args.dataset == "blobs":
        raise UsageError(NO_HOLDOUT)
    args.holdout = args.holdout or (args.dataset == training.get("dataset") and bool(training.get("holdout")))
    try:
        _, _, x_test, y_test, about = _load(args)
    except (ag.data.DatasetNotFoundError, ag.data.IDXFormatError) as error:
        raise UsageError(str(error)) from None
    _check_input_size(architecture, x_test.shape[1], f"--dataset {args.dataset}")
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    figures = model.evaluate(x_test, y_test, batch_size=args.batch_size, verbose=0, return_dict=True)
    predicted = model.predict(x_test, batch_size=args.batch_size, verbose=0).argmax(axis=1)
    classes = int(architecture["layers"][-1]["units"])
    matrix = ag.metrics.confusion_matrix(y_test, predicted, labels=np.arange(classes))
    where = "the training data" if args.dataset == "blobs" else f"{len(x_test):,} test images"
    print(f"model: {_describe(architecture)} (from {args.model})")
    print(about)
    print(f"on {where}: loss {figures['loss']:.4f} - accuracy {figures['accuracy']:.2%}")
    print("confusion matrix (rows: true class, columns: predicted class):")
    width = max(4, len(str(matrix.max())) + 1)
    print("     " + "".join(f"{c:>{width}}" for c in range(classes)))
    for c, row in enumerate(matrix):
        print(f"{c:>4} " + "".join(f"{n:>{width}}" for n in row))
    return 0


def _predict(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    model, architecture, _ = _saved_model(args.model)
    names = FASHION_CLASSES if architecture["dataset"] == "fashion-mnist" else None
    for path in args.inputs:
        samples = _read_samples(path, int(np.prod(architecture["input_shape"])))
        probabilities = model.predict(samples, verbose=0)
        for i, p in enumerate(probabilities):
            label = int(p.argmax())
            what = f"{label} ({names[label]})" if names and label < len(names) else str(label)
            where = path if len(samples) == 1 else f"{path}[{i}]"
            print(f"{where}: class {what}, probability {p[label]:.1%}")
    return 0


def _export(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    import autograd_lite as ag

    model, architecture, _ = _saved_model(args.model)
    example = np.zeros((1, *architecture["input_shape"]), dtype=np.float32)
    ag.onnx.export(model, example, args.output, dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
    classes = architecture["layers"][-1]["units"]
    print(f"wrote {args.output}: input 'input' (batch, {', '.join(map(str, architecture['input_shape']))}) float32, "
          f"output 'output' (batch, {classes}) probabilities; ONNX opset {ag.onnx.OPSET}")
    return 0


def _read_checkpoint(path: str) -> tuple[dict, dict]:
    """(the checkpoint, its training settings) of a file written by ``train --checkpoint``."""
    import autograd_lite as ag

    _, training = _metadata(path)
    content = ag.load(path)
    if not (isinstance(content, dict) and {"model", "optimizer", "epoch"} <= set(content)) or not training:
        raise CheckpointError(f"{path} is not a training checkpoint (those are written by 'autograd-lite train "
                              f"--checkpoint PATH'); a file from --save holds the model alone")
    expected = {"hidden": int, "activation": str, "optimizer": str, "batch_size": int, "seed": int, "dataset": str,
                "holdout": bool}
    wrong = [k for k, kind in expected.items() if not isinstance(training.get(k), kind)]
    if wrong or training["dataset"] not in DATASETS or training["optimizer"] not in OPTIMIZERS:
        raise CheckpointError(f"{path}: its training settings are damaged ({', '.join(wrong) or 'dataset'})")
    return content, training


def _saved_model(path: str) -> tuple[Any, dict, dict]:
    """The model saved at ``path`` (by ``train --save`` or ``--checkpoint``), built from its architecture."""
    import autograd_lite as ag

    architecture, training = _metadata(path)
    model = ag.Model(_build(architecture, seed=0))
    content = ag.load(path)
    state = content["model"] if isinstance(content.get("model"), dict) else content
    try:
        model.load_state_dict(state)
    except ag.nn.StateDictError as error:
        raise ag.io.CheckpointError(f"{path}: the weights do not fit the architecture in its metadata: {error}") from None
    first = model.module[0]
    if isinstance(first, ag.nn.Dense):
        _check_input_size(architecture, first.in_features, f"{path}'s first weight")
    return model, architecture, training


def _build(architecture: dict, seed: int) -> Any:
    """The ``Sequential`` an architecture record describes (the record ``train`` writes into its files),
    built: an optimizer made next sees every parameter."""
    from autograd_lite import nn

    shape = list(architecture["input_shape"])  # the size each layer gets, so every layer is built at once
    layers = []
    for k, layer in enumerate(architecture["layers"]):
        kind = layer["type"]
        if kind == "Dense":
            layers.append(nn.Dense(layer["units"], activation=layer["activation"], input_dim=int(np.prod(shape)),
                                   seed=seed + k))
            shape = [layer["units"]]
        elif kind == "Unflatten":
            layers.append(nn.Unflatten(1, tuple(layer["shape"])))
            shape = list(layer["shape"])
        elif kind == "Conv2D":
            layers.append(nn.Conv2D(layer["filters"], layer["kernel_size"], padding="same",
                                    activation=layer["activation"], seed=seed + k))
            shape = shape[:2] + [layer["filters"]]
        elif kind == "MaxPooling2D":
            layers.append(nn.MaxPooling2D())
            shape = [shape[0] // 2, shape[1] // 2, shape[2]]
        else:  # Flatten
            layers.append(nn.Flatten())
            shape = [int(np.prod(shape))]
    model = nn.Sequential(layers)
    model(np.zeros((1, *architecture["input_shape"]), dtype=np.float32))  # builds the lazy layers now
    return model


def _metadata(path: str) -> tuple[dict, dict]:
    """The architecture record of a saved model, checked, and its training settings."""

    metadata = read_metadata(path)
    if ARCHITECTURE_KEY not in metadata:
        raise CheckpointError(f"{path} has no architecture record in its metadata; 'autograd-lite train --save "
                              f"PATH' writes files that have one (in Python, build the model and use ag.load)")
    try:
        architecture = json.loads(metadata[ARCHITECTURE_KEY])
        training = json.loads(metadata.get(TRAINING_KEY, "{}"))
        _check_architecture(architecture)
    except (ValueError, TypeError, KeyError) as error:
        raise CheckpointError(f"{path}: the architecture record in its metadata is not one this command can "
                              f"build ({error})") from None
    return architecture, training if isinstance(training, dict) else {}


def _check_architecture(architecture: Any) -> None:
    layers = architecture["layers"]
    if not isinstance(layers, list) or not 1 <= len(layers) <= 64:
        raise ValueError("layers must be a list of 1 to 64 layers")
    for layer in layers:
        kind = layer.get("type")
        if kind not in ("Dense", "Unflatten", "Conv2D", "MaxPooling2D", "Flatten"):
            raise ValueError(f"a layer must be Dense, Unflatten, Conv2D, MaxPooling2D or Flatten, got {layer}")
        if kind in ("Dense", "Conv2D") and layer.get("activation") not in (*ACTIVATIONS, "softmax", "linear", None):
            raise ValueError(f"a layer's activation must be a known one, got {layer}")
        for size in ("units", "filters", "kernel_size"):
            if size in layer and (type(layer[size]) is not int or not 1 <= layer[size] <= 2**20):
                raise ValueError(f"{size} must be a whole number from 1 to 2**20, got {layer[size]!r}")
        if kind == "Dense" and "units" not in layer or kind == "Conv2D" and not {"filters", "kernel_size"} <= set(layer):
            raise ValueError(f"a {kind} layer needs its sizes, got {layer}")
        if kind == "Unflatten" and not (isinstance(layer.get("shape"), list) and len(layer["shape"]) == 3
                                        and all(type(n) is int and 1 <= n <= 2**16 for n in layer["shape"])):
            raise ValueError(f"an Unflatten layer needs a shape of 3 sizes, got {layer}")
    shape = architecture["input_shape"]
    if not isinstance(shape, list) or not shape or not all(type(n) is int and 1 <= n <= 2**20 for n in shape):
        raise ValueError(f"input_shape must be a list of sizes, got {shape!r}")
    if architecture["dataset"] not in DATASETS:
        raise ValueError(f"dataset must be one of {', '.join(DATASETS)}, got {architecture['dataset']!r}")


def _check_input_size(architecture: dict, size: int, what: str) -> None:
    expected = int(np.prod(architecture["input_shape"]))
    if size != expected:
        raise CheckpointError(f"the model takes {expected} inputs per sample, but {what} has {size}")


def _describe(architecture: dict) -> str:
    """``2 -> 128 sigmoid -> 10 softmax``, or for the cnn ``28x28x1 -> conv 8 relu, max pool -> ...``."""
    parts, shape = [], None
    for layer in architecture["layers"]:
        kind = layer["type"]
        if kind == "Dense":
            parts.append(f"{layer['units']} {layer['activation'] or 'linear'}")
        elif kind == "Unflatten":
            shape = "x".join(map(str, layer["shape"]))
        elif kind == "Conv2D":
            parts.append(f"conv {layer['filters']} {layer['activation'] or 'linear'}")
        elif kind == "MaxPooling2D":
            parts[-1] += ", max pool"
    return f"{shape or int(np.prod(architecture['input_shape']))} -> {' -> '.join(parts)}"


def _read_samples(path: str, features: int) -> np.ndarray:
    """Samples of ``features`` numbers from a .npy array, a .pgm or a .png image, pixels 0-255 scaled to 0-1."""

    suffix = os.path.splitext(path)[1].lower()
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no input file at {path}")
    if suffix == ".npy":
        try:  # memory-mapped: a header declaring more than the file holds fails instead of allocating
            data = np.array(np.load(path, mmap_mode="r", allow_pickle=False))
        except (ValueError, OSError, EOFError) as error:
            raise CheckpointError(f"{path} is not a readable .npy array ({error})") from None
    elif suffix == ".pgm":
        data = _read_pgm(path)
    else:
        data = _read_image(path)
    if data.dtype.kind not in "biuf":
        raise CheckpointError(f"{path}: expected numbers, got an array of {data.dtype}")
    if data.size % features or data.size == 0:
        raise CheckpointError(f"{path} holds {data.size} numbers (shape {data.shape}), not a whole number of samples "
                              f"of {features} (the model's input size)")
    samples = data.reshape(-1, features)
    return samples.astype(np.float32) / 255 if data.dtype.kind in "biu" else samples.astype(np.float32)


def _read_pgm(path: str) -> np.ndarray:
    with open(path, "rb") as f:
        return _read_pgm_bytes(f.read(2**24), path)  # 16 MiB: far more than any image a model here takes


def _read_pgm_bytes(data: bytes, path: str) -> np.ndarray:
    """A binary (P5) or text (P2) PGM image of 8-bit gray values: numpy alone reads it."""
    tokens, position = [], 0
    while len(tokens) < 4:  # magic, width, height, maximum value, with # comments between them
        while position < len(data) and data[position:position + 1].isspace():
            position += 1
        if data[position:position + 1] == b"#":
            position = data.find(b"\n", position) + 1 or len(data)
            continue
        end = position
        while end < len(data) and not data[end:end + 1].isspace():
            end += 1
        if end == position:
            raise CheckpointError(f"{path} is not a PGM image (its header ends early)")
        tokens.append(data[position:end])
        position = end
    magic, width, height, maximum = tokens
    if magic not in (b"P5", b"P2") or not all(t.isdigit() for t in (width, height, maximum)) or int(maximum) > 255:
        raise CheckpointError(f"{path} is not an 8-bit PGM image (P5 or P2)")
    count = int(width) * int(height)
    body = data[position + 1:]
    pixels = np.frombuffer(body[:count], dtype=np.uint8) if magic == b"P5" else \
        np.array(body.split()[:count], dtype=np.int64).clip(0, 255).astype(np.uint8)
    if pixels.size != count:
        raise CheckpointError(f"{path}: a {int(width)}x{int(height)} image needs {count} pixels, the file has {pixels.size}")
    return pixels.reshape(int(height), int(width))


def _read_image(path: str) -> np.ndarray:
    try:
        from PIL import Image
    except ImportError:
        raise ImportError(f"reading {os.path.basename(path)} needs Pillow: pip install 'autograd-lite[image]' "
                          f"(or give a .pgm or .npy file, which need nothing more)") from None
    try:
        with Image.open(path) as image:
            return np.asarray(image.convert("L"))
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        raise CheckpointError(f"{path} is not a readable image ({error})") from None


# -- draw --------------------------------------------------------------------
def _draw(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    import viz

    try:
        at = viz.parse_assignments(args.at)
    except ValueError as error:
        parser.error(f"--at: {error}")
    try:
        text = viz.draw_expression(args.expression, at, output=args.output, steps_dir=args.steps,
                                   explain=args.explain, rankdir=args.rankdir, max_nodes=args.max_nodes,
                                   timeout=args.timeout)
    except (ValueError, TypeError, ImportError, viz.GraphvizNotFoundError) as error:  # input, or what is installed
        return _fail(str(error), status=2)
    except viz.GraphvizTimeoutError:
        return _fail(f"Graphviz took longer than --timeout {args.timeout:g} seconds to lay out a picture and was "
                     f"stopped; try --max-nodes N (draw only the N values nearest the result), --rankdir TB, "
                     f"a larger --timeout, or leave out -o and --steps (the gradients and --explain need no "
                     f"Graphviz)")
    except (viz.GraphvizError, OSError) as error:
        return _fail(str(error))
    print(text)
    _warn_not_finite(text)
    return 0


def _expression_with_leading_minus(argv: list[str]) -> list[str]:
    """``draw "-a*b"``: argparse would read the expression as an unknown option. An argument holding a
    space is positional to argparse, and the expression parser strips spaces, so prefix one."""
    argv = list(argv)
    for k in range(1, len(argv)):
        arg = argv[k]
        if arg == "--":
            break
        if (arg.startswith("-") and not arg.startswith("--") and arg[:2] not in ("-o", "-h")
                and argv[k - 1] not in _DRAW_VALUE_OPTIONS):
            argv[k] = " " + arg
    return argv


def _warn_not_finite(text: str) -> None:
    """Say so when the value or a gradient ``draw`` printed is nan or infinite (log of a negative number, 0/0, a/0)."""
    bad = []
    for line in text.split("\n\n")[0].splitlines():  # the value and gradient lines come before the explanation
        name, _, rest = line.partition(" = ")
        value = rest.rsplit(" = ", 1)[-1].split()[0] if rest else ""
        if value in ("nan", "inf", "-inf"):
            bad.append(f"{name} = {value}")
    if bad:
        print(f"autograd-lite: warning: {', '.join(bad)}: not a finite number at these values (nan: undefined, as "
              f"log or sqrt of a negative number or 0/0; inf: a division by 0 or an overflow)", file=sys.stderr)


# -- helpers -----------------------------------------------------------------
def _fail(message: str, status: int = 1) -> int:
    for python_terms, cli_terms in _CLI_TERMS.items():
        message = message.replace(python_terms, cli_terms)
    print(f"autograd-lite: error: {message}", file=sys.stderr)
    return status


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text!r}")
    return value


if __name__ == "__main__":
    sys.exit(main())
