"""The ``autograd-lite`` command: train a small classifier, or draw the graph of an expression.

    autograd-lite                                   # train on the embedded blobs data: no download
    autograd-lite train --dataset fashion-mnist --epochs 5 --save model.npz --plot history.png
    autograd-lite draw "a*b + tanh(a)" --at a=2,b=-3 -o graph.svg --explain

This is the one module that imports both ``autograd_lite`` and ``viz`` (the
latter only inside ``draw``, so training works without Graphviz).
"""
from __future__ import annotations

import argparse
import importlib.util
import sys
import warnings
from typing import Sequence

import numpy as np

__all__ = ["main", "build_parser"]

DATASETS = ("blobs", "mnist", "fashion-mnist")
# Per data set, the seed program it comes from: 000 for blobs, 002 for the MNIST-shaped ones.
DEFAULTS = {
    "blobs": dict(hidden=128, activation="sigmoid", optimizer="adam", epochs=100, batch_size=32),
    "mnist": dict(hidden=512, activation="relu", optimizer="rmsprop", epochs=5, batch_size=128),
    "fashion-mnist": dict(hidden=512, activation="relu", optimizer="rmsprop", epochs=5, batch_size=128),
}
ACTIVATIONS = ("relu", "sigmoid", "tanh")
OPTIMIZERS = ("adam", "adamw", "adagrad", "rmsprop", "sgd")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``autograd-lite`` (``train`` and ``draw``)."""
    parser = argparse.ArgumentParser(
        prog="autograd-lite",
        description="Train a small classifier (the default, on embedded data), or draw an expression's graph.")
    from . import __version__
    parser.add_argument("--version", action="version", version=f"autograd-lite {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="{train,draw}")

    train = commands.add_parser(
        "train", help="train a one-hidden-layer classifier and print Keras-style progress (the default)",
        description="Train Dense(hidden, activation) -> Dense(10, softmax) with sparse categorical "
                    "cross-entropy. Defaults follow the data set: blobs (seed program 000): hidden 128, "
                    "sigmoid, adam, 100 epochs, batch 32; mnist and fashion-mnist (seed program 002): "
                    "hidden 512, relu, rmsprop, 5 epochs, batch 128.")
    train.add_argument("--dataset", choices=DATASETS, default="blobs",
                       help="blobs is embedded (1,000 points, 10 classes); the others are found or downloaded")
    train.add_argument("--data-dir", metavar="DIR", help="folder with the MNIST / Fashion-MNIST IDX files")
    train.add_argument("--no-download", action="store_true", help="fail instead of downloading missing data")
    train.add_argument("--hidden", type=_positive_int, metavar="N", help="hidden units")
    train.add_argument("--activation", choices=ACTIVATIONS, help="hidden activation")
    train.add_argument("--optimizer", choices=OPTIMIZERS, help="optimizer, with Keras's defaults")
    train.add_argument("--lr", type=_positive_float, metavar="LR", help="learning rate (default: the optimizer's)")
    train.add_argument("--epochs", type=_positive_int, metavar="N", help="passes over the training data")
    train.add_argument("--batch-size", type=_positive_int, metavar="N", help="samples per step")
    train.add_argument("--seed", type=int, default=0, help="seed of the weights and the shuffling (default 0)")
    train.add_argument("--verbose", type=int, choices=(0, 1, 2), default=1,
                       help="1: a progress bar on a terminal, each epoch's final line in a log (default); "
                            "2: one line per epoch; 0: only the final figures")
    train.add_argument("--threads", type=_positive_int, metavar="N",
                       help="BLAS threads for matrix products (default: the cores other processes leave free, "
                            "looked at every second); the last digits of the figures depend on it")
    train.add_argument("--save", metavar="PATH", help="save the trained parameters to this .npz file")
    train.add_argument("--plot", metavar="PATH", help="plot loss and accuracy per epoch to this PNG (needs matplotlib)")

    draw = commands.add_parser(
        "draw", help="draw the graph of a scalar expression and its gradients (needs Graphviz for pictures)",
        description="Evaluate an expression of named variables with Value, run backward and print each "
                    "variable's gradient; optionally draw the graph, the backward steps and the chain rule.")
    draw.add_argument("expression", help="e.g. \"a*b + tanh(a)\" (numbers, names, + - * / **, and functions "
                                         "such as tanh, exp, log, relu, sigmoid)")
    draw.add_argument("--at", default="", metavar="NAME=NUMBER,...", help="the variables' values, e.g. a=2,b=-3")
    draw.add_argument("-o", "--output", metavar="PATH", help="write the graph picture (.svg, .png, .pdf or .dot)")
    draw.add_argument("--steps", metavar="DIR", help="write the backward pass step by step as an HTML page in DIR")
    draw.add_argument("--explain", action="store_true", help="print the chain rule, one line per step")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 failed, 2 bad input or missing data)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    # `autograd-lite` alone, or with only train's options, means `autograd-lite train ...`
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version")):
        argv.insert(0, "train")
    parser = build_parser()
    args = parser.parse_args(argv)
    command = {"train": _train, "draw": _draw}[args.command]
    try:
        return command(args, parser)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130


# -- train -------------------------------------------------------------------
def _train(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    import autograd_lite as ag
    from autograd_lite import nn

    settings = {**DEFAULTS[args.dataset], **{k: v for k, v in vars(args).items()
                                               if k in DEFAULTS["blobs"] and v is not None}}
    if args.plot and importlib.util.find_spec("matplotlib") is None:  # say so before training, not after
        return _fail("--plot needs matplotlib: pip install 'autograd-lite[plot]'", status=2)
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
        return _fail(str(error), status=2)

    model = ag.Model(nn.Sequential([
        nn.Dense(settings["hidden"], activation=settings["activation"], input_dim=x_train.shape[1], seed=args.seed),
        nn.Dense(10, activation="softmax", input_dim=settings["hidden"], seed=args.seed + 1),
    ]))
    overrides = {} if args.lr is None else {"learning_rate": args.lr}
    optimizer = ag.optim.get(settings["optimizer"], **overrides)
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    print(about)
    print(f"model: {x_train.shape[1]} -> {settings['hidden']} {settings['activation']} -> 10 softmax; "
          f"{settings['optimizer']} (lr {optimizer.learning_rate:g}); sparse categorical cross-entropy; "
          f"batch {settings['batch_size']}; {settings['epochs']} epochs", flush=True)
    history = model.fit(x_train, y_train, batch_size=settings["batch_size"], epochs=settings["epochs"],
                        verbose=args.verbose, seed=args.seed)
    figures = model.evaluate(x_test, y_test, batch_size=1024, verbose=0, return_dict=True)
    where = "training data" if args.dataset == "blobs" else f"{len(x_test):,} test images"
    print(f"final ({where}): loss {figures['loss']:.4f} - accuracy {figures['accuracy']:.2%}")
    try:
        if args.save:
            ag.save(model, args.save)
            print(f"saved the parameters to {args.save}")
        if args.plot:
            history.plot(args.plot)
            print(f"plotted the history to {args.plot}")
    except OSError as error:
        return _fail(f"cannot write: {error}")
    return 0


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
    x_train, y_train = loader("train", args.data_dir, download=download)
    x_test, y_test = loader("test", args.data_dir, download=download)
    return x_train, y_train, x_test, y_test, (f"data: {args.dataset}, {len(x_train):,} training and "
                                              f"{len(x_test):,} test images")


# -- draw --------------------------------------------------------------------
def _draw(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    import viz

    try:
        at = viz.parse_assignments(args.at)
    except ValueError as error:
        parser.error(f"--at: {error}")
    try:
        print(viz.draw_expression(args.expression, at, output=args.output, steps_dir=args.steps,
                                  explain=args.explain))
    except (ValueError, TypeError) as error:
        return _fail(str(error), status=2)
    except (viz.GraphvizNotFoundError, ImportError, OSError) as error:
        return _fail(str(error))
    return 0


# -- helpers -----------------------------------------------------------------
def _fail(message: str, status: int = 1) -> int:
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
