"""Callbacks for ``Model.fit`` (Keras's: ``Callback``, ``History``, ``EarlyStopping``,
``LearningRateScheduler``), and how gradients and activations flow through a model: measured after a
backward, or per epoch of ``fit`` (``GradientStats``).

The figures a teacher looks at when a network does not learn:

* per parameter: the norm, mean and largest magnitude of its gradient (a first
  layer whose gradient is 10⁻¹² of the last one's has a *vanishing* gradient);
* per activation: the fraction of *dead* ReLU units (output 0 for every example
  of a batch: no gradient passes them) and of *saturated* sigmoid and tanh
  outputs (so close to their limits that their slope is under a tenth of its
  largest value: sigmoid outside about [0.026, 0.974], tanh with |y| > 0.949).

>>> import autograd_lite as ag
>>> model = ag.nn.Sequential(ag.nn.Linear(3, 4, seed=0), ag.nn.ReLU(), ag.nn.Linear(4, 1, seed=1))
>>> with ag.callbacks.ActivationMonitor(model) as monitor:
...     loss = model(ag.tensor([[1.0, -2.0, 0.5]])).sum()
>>> loss.backward()
>>> [round(s.norm, 4) > 0 for s in ag.callbacks.parameter_gradients(model)]
[True, True, True, True]
>>> monitor.stats()[0].name, monitor.stats()[0].measure
('1 (ReLU)', 'dead units')

``viz.gradient_flow`` draws these; :class:`GradientStats` records them per epoch of ``fit``.
"""
from __future__ import annotations

import inspect
import os
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from .atomic import atomic_write
from .nn.module import Module


class Callback:
    """Base class for code run at points of ``fit``, as ``keras.callbacks.Callback``.

    Override any of the hooks; ``self.model`` is the model being fitted and
    ``logs`` holds the epoch's figures (``{"loss": ..., "val_loss": ...}``).
    Setting ``self.model.stop_training = True`` ends training after the epoch.

    >>> class PrintLoss(Callback):
    ...     def on_epoch_end(self, epoch, logs=None):
    ...         print(epoch, logs["loss"])
    """

    model: "Model"

    def set_model(self, model: "Model") -> None:
        self.model = model

    def on_train_begin(self, logs: dict | None = None) -> None: ...
    def on_train_end(self, logs: dict | None = None) -> None: ...
    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None: ...
    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None: ...
    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None: ...


class History(Callback):
    """The per-epoch figures of a ``fit`` call: ``history["loss"]``, ``history["val_accuracy"]``, ...

    >>> history = model.fit(x, y, epochs=3)
    >>> history.history["loss"]           # one float per epoch
    >>> history.plot("history.png")       # needs matplotlib
    """

    def __init__(self) -> None:
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.epoch.append(epoch)
        for name, value in (logs or {}).items():
            self.history.setdefault(name, []).append(value)

    def plot(self, path: str | os.PathLike) -> None:
        """Draw loss and each metric per epoch (training and ``val_``) to an image: PNG, or the suffix's format.

        Needs matplotlib (``pip install 'autograd-lite[plot]'``).
        """
        try:
            from matplotlib.figure import Figure  # the object API only: leave pyplot's global state alone
            from matplotlib.ticker import MaxNLocator
        except ImportError:
            raise ImportError("History.plot needs matplotlib: pip install 'autograd-lite[plot]'") from None
        names = [name for name in self.history if not name.startswith("val_")]
        if not names:
            raise ValueError("History.plot: nothing to plot; the history is empty (call fit first)")
        epochs = [e + 1 for e in self.epoch]
        figure = Figure(figsize=(4.5 * len(names), 3.5))
        for ax, name in zip(figure.subplots(1, len(names), squeeze=False)[0], names):
            ax.plot(epochs, self.history[name], marker=".", label=name)
            if f"val_{name}" in self.history:
                ax.plot(epochs, self.history[f"val_{name}"], marker=".", label=f"val_{name}")
            ax.set_title(name)
            ax.set_xlabel("epoch")
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.legend()
        figure.tight_layout()
        suffix = os.path.splitext(os.fspath(path))[1].lstrip(".").lower()
        with atomic_write(path, "wb") as f:
            figure.savefig(f, format=suffix or "png")


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved for ``patience`` epochs, as ``keras.callbacks.EarlyStopping``.

    ``mode="auto"`` maximizes names with "acc" in them and minimizes the rest.
    With ``restore_best_weights=True`` the model gets back the weights of its
    best epoch when training stops.

    >>> model.fit(x, y, epochs=100, validation_data=(xv, yv), callbacks=[EarlyStopping(patience=3)])
    """

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0.0, patience: int = 0,
                 mode: str = "auto", restore_best_weights: bool = False) -> None:
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"EarlyStopping: mode must be 'auto', 'min' or 'max'; got {mode!r}")
        if patience < 0:
            raise ValueError(f"EarlyStopping: patience must be >= 0; got {patience}")
        self.monitor = monitor
        self.min_delta = abs(min_delta)
        self.patience = patience
        self.restore_best_weights = restore_best_weights
        self.mode = mode if mode != "auto" else ("max" if "acc" in monitor else "min")
        self.stopped_epoch = 0

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.wait = 0
        self.stopped_epoch = 0
        self.best = np.inf if self.mode == "min" else -np.inf
        self.best_weights: dict | None = None

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        if self.monitor not in logs:
            raise ValueError(f"EarlyStopping: monitor {self.monitor!r} is not among the epoch's figures "
                             f"{sorted(logs)} (val_ figures need validation_data)")
        value = logs[self.monitor]
        improved = value < self.best - self.min_delta if self.mode == "min" else value > self.best + self.min_delta
        if improved:
            self.best, self.wait = value, 0
            if self.restore_best_weights:
                self.best_weights = self.model.state_dict()  # copies, not views
            return
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            self.model.stop_training = True
            if self.best_weights is not None:
                self.model.load_state_dict(self.best_weights)


class LearningRateScheduler(Callback):
    """Set the optimizer's learning rate at the start of each epoch, as ``keras.callbacks.LearningRateScheduler``.

    ``schedule(epoch, lr)`` gets the epoch (counted from 0) and the current
    rate and returns the new one; a ``schedule(epoch)`` of one argument works
    too, as in Keras. ``verbose=1`` prints each change. The epoch's rate goes into
    its ``logs`` as ``learning_rate`` (Keras 3's name), so ``history.history``
    has it.

    >>> import math
    >>> from autograd_lite import Model, nn
    >>> model = Model(nn.Sequential([nn.Dense(1, input_dim=2, seed=0)]))
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> cosine = LearningRateScheduler(lambda epoch: 0.1 * (1 + math.cos(math.pi * epoch / 4)) / 2)
    >>> history = model.fit(np.zeros((4, 2)), np.zeros((4, 1)), epochs=3, verbose=0, callbacks=[cosine])
    >>> round(model.optimizer.learning_rate, 4)    # epoch 2 of a half cosine over 4 epochs: halfway down
    0.05
    >>> [round(lr, 4) for lr in history.history["learning_rate"]]
    [0.1, 0.0854, 0.05]
    """

    def __init__(self, schedule: Callable[..., float], verbose: int = 0) -> None:
        if not callable(schedule):
            raise TypeError(f"LearningRateScheduler: schedule must be a function of (epoch, lr) or (epoch); "
                            f"got {type(schedule).__name__}")
        self.schedule, self.verbose = schedule, verbose
        self._takes_lr = _accepts(schedule, 0, 0.0)
        if not self._takes_lr and not _accepts(schedule, 0):
            raise TypeError("LearningRateScheduler: schedule must take (epoch, lr) or (epoch)")

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is None:
            raise RuntimeError("LearningRateScheduler: the model has no optimizer; compile it first")
        lr = self.schedule(epoch, float(optimizer.learning_rate)) if self._takes_lr else self.schedule(epoch)
        is_number = isinstance(lr, (int, float, np.floating, np.integer)) and not isinstance(lr, bool)
        if not is_number or not np.isfinite(lr):
            raise ValueError(f"LearningRateScheduler: the schedule must return a finite number; "
                             f"at epoch {epoch} it returned {lr!r}")
        optimizer.learning_rate = float(lr)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {float(lr)}.", flush=True)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if logs is not None:
            logs["learning_rate"] = float(self.model.optimizer.learning_rate)


def _accepts(function: Callable[..., Any], *args: Any) -> bool:
    """Whether ``function`` can be called with these positional arguments (True when Python cannot tell)."""
    try:
        inspect.signature(function).bind(*args)
    except TypeError:
        return False
    except ValueError:  # no signature to read (some builtins)
        return True
    return True


# -- what compile's names mean ----------------------------------------------


__all__ = ["Callback", "History", "EarlyStopping", "LearningRateScheduler", "ParameterGradient", "ActivationStat",
           "parameter_gradients", "ActivationMonitor", "GradientStats"]

SATURATED_SLOPE = 0.1  # an output counts as saturated where the slope is under this share of its largest


@dataclass(frozen=True)
class ParameterGradient:
    """One parameter's gradient in figures: ``norm`` (Euclidean, of all entries), ``mean``, ``max`` (of |g|)."""

    name: str
    shape: tuple[int, ...]
    norm: float
    mean: float
    max: float


@dataclass(frozen=True)
class ActivationStat:
    """One activation module's output in one figure: ``fraction`` of ``measure`` (``dead units`` or ``saturated``)."""

    name: str
    kind: str
    measure: str
    fraction: float


def parameter_gradients(module: Module) -> list[ParameterGradient]:
    """The gradient figures of each parameter of ``module`` that has a gradient, in ``named_parameters`` order.

    Call it after ``backward()``; a parameter without a gradient (not used, or frozen) is left out.
    """
    if not isinstance(module, Module):
        raise TypeError(f"parameter_gradients: expected a Module, got {type(module).__name__}")
    out = []
    for name, p in module.named_parameters():
        if p.grad is None:
            continue
        g = np.asarray(p.grad.data, dtype=np.float64)
        out.append(ParameterGradient(name, tuple(g.shape), float(np.linalg.norm(g)), float(g.mean()),
                                     float(np.abs(g).max()) if g.size else 0.0))
    return out


def _kind(module: Module) -> str | None:
    """``relu``, ``sigmoid`` or ``tanh`` for an activation module or a layer with that activation (Keras Dense)."""
    name = type(module).__name__.lower()
    if name in ("relu", "sigmoid", "tanh"):
        return name
    activation = vars(module).get("activation")
    named = getattr(activation, "__name__", None) or (type(activation).__name__.lower() if activation else None)
    return named if named in ("relu", "sigmoid", "tanh") else None


def _fraction(kind: str, y: np.ndarray) -> tuple[str, float]:
    if kind == "relu":
        units = y.reshape(-1, y.shape[-1]) if y.ndim > 1 else y.reshape(1, -1)
        return "dead units", float(np.mean(np.all(units <= 0, axis=0)))  # 0 for every example of the batch
    if kind == "sigmoid":  # σ'(x) = y(1 - y), at most 1/4
        return "saturated", float(np.mean(y * (1 - y) < SATURATED_SLOPE / 4))
    return "saturated", float(np.mean(1 - y * y < SATURATED_SLOPE))  # tanh'(x) = 1 - y², at most 1


class ActivationMonitor:
    """Forward hooks on every ReLU, sigmoid and tanh of ``module`` (modules, or layers with such an
    ``activation``), keeping the fraction of dead units or saturated outputs, averaged over the
    forward passes since the last :meth:`reset`. Use it as a context manager, or call :meth:`remove`."""

    def __init__(self, module: Module) -> None:
        if not isinstance(module, Module):
            raise TypeError(f"ActivationMonitor: expected a Module, got {type(module).__name__}")
        self._sums: dict[str, list[float]] = {}
        self._kinds: dict[str, tuple[str, str]] = {}
        self._handles = []
        for path, sub in module.named_modules():
            kind = _kind(sub)
            if kind is None:
                continue
            name = f"{path} ({type(sub).__name__})" if path else type(sub).__name__
            self._kinds[name] = (kind, "dead units" if kind == "relu" else "saturated")
            self._handles.append(sub.register_forward_hook(self._hook(name, kind)))

    def _hook(self, name: str, kind: str) -> Any:
        def record(module: Module, args: tuple, output: Any) -> None:
            _, fraction = _fraction(kind, np.asarray(output.data))
            total = self._sums.setdefault(name, [0.0, 0])
            total[0] += fraction
            total[1] += 1
        return record

    def stats(self) -> list[ActivationStat]:
        """One figure per watched module that has run since the last reset, in the model's order."""
        return [ActivationStat(name, kind, measure, self._sums[name][0] / self._sums[name][1])
                for name, (kind, measure) in self._kinds.items() if name in self._sums]

    def reset(self) -> None:
        self._sums.clear()

    def remove(self) -> None:
        """Take the hooks off the model."""
        for handle in self._handles:
            handle.remove()
        self._handles = []

    def __enter__(self) -> "ActivationMonitor":
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


class GradientStats(Callback):
    """A ``fit`` callback (Keras style) that records, per epoch, each parameter's gradient norm, mean
    and largest magnitude (averaged over the epoch's batches) and each activation's fraction of dead
    or saturated outputs.

    >>> stats = ag.callbacks.GradientStats()
    >>> model.fit(x, y, epochs=5, callbacks=[stats])          # doctest: +SKIP
    >>> stats.norms["0.weight"]                               # one float per epoch   # doctest: +SKIP
    >>> stats.plot("gradients.png")                           # needs matplotlib       # doctest: +SKIP
    """

    def __init__(self) -> None:
        self.epochs: list[int] = []
        self.norms: dict[str, list[float]] = {}
        self.means: dict[str, list[float]] = {}
        self.maxima: dict[str, list[float]] = {}
        self.activations: dict[str, list[float]] = {}
        self.measures: dict[str, str] = {}
        self._batch: dict[str, np.ndarray] = {}
        self._batches = 0
        self._monitor: ActivationMonitor | None = None

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._monitor = ActivationMonitor(self.model)

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._batch, self._batches = {}, 0
        if self._monitor is not None:
            self._monitor.reset()

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        for s in parameter_gradients(self.model):
            self._batch[s.name] = self._batch.get(s.name, 0.0) + np.array([s.norm, s.mean, s.max])
        self._batches += 1

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.epochs.append(epoch)
        for name, total in self._batch.items():
            norm, mean, largest = total / max(self._batches, 1)
            self.norms.setdefault(name, []).append(float(norm))
            self.means.setdefault(name, []).append(float(mean))
            self.maxima.setdefault(name, []).append(float(largest))
        for s in self._monitor.stats() if self._monitor is not None else []:
            self.activations.setdefault(s.name, []).append(s.fraction)
            self.measures[s.name] = s.measure

    def on_train_end(self, logs: dict | None = None) -> None:
        if self._monitor is not None:
            self._monitor.remove()
            self._monitor = None

    def plot(self, path: str | os.PathLike) -> None:
        """Gradient norm per parameter (log scale) and dead/saturated fractions per activation, over the epochs.

        Needs matplotlib (``pip install 'autograd-lite[plot]'``).
        """
        try:
            from matplotlib.figure import Figure
            from matplotlib.ticker import MaxNLocator
        except ImportError:
            raise ImportError("GradientStats.plot needs matplotlib: pip install 'autograd-lite[plot]'") from None
        if not self.epochs:
            raise ValueError("GradientStats.plot: nothing to plot; no epoch was recorded (pass it to fit first)")
        epochs = [e + 1 for e in self.epochs]
        panels = 2 if self.activations else 1
        figure = Figure(figsize=(5.5 * panels, 3.8))
        axes = figure.subplots(1, panels, squeeze=False)[0]
        for name, norms in self.norms.items():
            axes[0].plot(epochs, norms, marker=".", label=name)
        axes[0].set_yscale("log")
        axes[0].set_title("gradient norm per parameter")
        for name, fractions in self.activations.items():
            axes[1].plot(epochs, fractions, marker=".", label=f"{name}: {self.measures[name]}")
        if panels == 2:
            axes[1].set_ylim(-0.02, 1.02)
            axes[1].set_title("dead or saturated fraction")
        for ax in axes:
            ax.set_xlabel("epoch")
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.legend(fontsize="small")
        figure.tight_layout()
        suffix = os.path.splitext(os.fspath(path))[1].lstrip(".").lower()
        with atomic_write(path, "wb") as f:
            figure.savefig(f, format=suffix or "png")
