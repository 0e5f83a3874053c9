"""Keras's compile/fit/evaluate/predict on top of the plain PyTorch-style loop.

``fit`` runs exactly the loop one writes by hand (forward, loss, backward,
step, zero_grad) over shuffled mini-batches, keeps running means of the loss
and metrics, shows Keras's progress line and returns a :class:`History`.

>>> model = Model(nn.Sequential([nn.Dense(512, activation="relu"), nn.Dense(10, activation="softmax")]))
>>> model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
>>> history = model.fit(train_images, train_labels, epochs=5, batch_size=128)
>>> history.history["accuracy"][-1]
0.98...
"""
from __future__ import annotations

import inspect
import os
from typing import Any, Callable, Iterable, Iterator, Sequence

import numpy as np

from . import metrics as metrics_module
from . import optim
from .callbacks import Callback, EarlyStopping, History
from .checks import check_count
from .data import DataLoader, TensorDataset
from .engine import Node, no_grad
from .nn import Module
from .nn import losses as nn_losses
from .progress import Progbar, resolve_verbose
from .tensor import Tensor, as_tensor

__all__ = ["Model", "History", "Callback", "EarlyStopping"]  # the callbacks live in callbacks.py


# -- the names compile() takes: "accuracy", "mse", "adam"... ----------------------
class _KerasAccuracy:
    """compile's ``"accuracy"``: as in Keras, the kind of accuracy follows the targets.

    Decided at the first batch: scores (N, C) against labels (N,) use
    SparseCategoricalAccuracy, against one-hot rows (N, C) CategoricalAccuracy,
    and a single score per sample BinaryAccuracy (``y_pred > 0.5``).
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.metric: metrics_module.Metric | None = None

    def update_state(self, y_true: np.ndarray, y_pred: np.ndarray) -> None:
        if self.metric is None:
            if y_pred.ndim >= 2 and y_pred.shape[-1] > 1:
                kind = metrics_module.CategoricalAccuracy if y_true.shape == y_pred.shape \
                    else metrics_module.SparseCategoricalAccuracy
            else:
                kind = metrics_module.BinaryAccuracy
            self.metric = kind(name=self.name)
        self.metric.update_state(y_true, y_pred)

    def result(self) -> float:
        return 0.0 if self.metric is None else self.metric.result()

    def reset_state(self) -> None:
        if self.metric is not None:
            self.metric.reset_state()


def _resolve_metric(metric: Any) -> Any:
    if metric in ("accuracy", "acc"):
        return _KerasAccuracy(metric)
    if isinstance(metric, str):
        return metrics_module.get(metric)
    if not all(callable(getattr(metric, attr, None)) for attr in ("update_state", "result", "reset_state")):
        raise TypeError(f"compile: a metric needs update_state(y_true, y_pred), result() and reset_state(); "
                        f"{type(metric).__name__} lacks them")
    return metric


# PyTorch's losses (modules and functions) name their first argument "input", the prediction;
# the Keras-named functions of ag.functional keep that order and call it "probs_or_logits".
_PREDICTION_FIRST = ("input", "probs_or_logits")


def _resolve_loss(loss: Any) -> Callable[[Any, Any], Tensor]:
    """A function of (y_true, y_pred), Keras's order, for any loss compile accepts."""
    if isinstance(loss, str):
        return nn_losses.get(loss)
    if not callable(loss):
        raise TypeError(f"compile: loss must be a Keras name such as 'sparse_categorical_crossentropy' or a "
                        f"callable; got {type(loss).__name__}")
    try:
        first = next(iter(inspect.signature(loss.forward if isinstance(loss, Module) else loss).parameters))
    except (TypeError, ValueError, StopIteration):
        first = None
    if first in _PREDICTION_FIRST:
        return lambda y_true, y_pred: loss(y_pred, y_true)
    return loss


# -- the model --------------------------------------------------------------
class Model(Module):
    """A Keras-style model: wrap any module, or subclass and define ``call`` (or ``forward``).

    >>> model = Model(nn.Sequential([nn.Dense(128, activation="sigmoid", input_dim=2),
    ...                              nn.Dense(10, activation="softmax")]))
    >>> model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    >>> history = model.fit(points, labels, epochs=10, batch_size=32)
    >>> model.evaluate(points, labels)          # [loss, accuracy]
    >>> model.predict(points[:5]).argmax(-1)    # numpy, computed under no_grad

    Subclassing, as with ``tf.keras.Model``::

        class MyModel(Model):
            def __init__(self):
                super().__init__()
                self.d1 = nn.Dense(128, activation="sigmoid", input_dim=2)
                self.d2 = nn.Dense(10, activation="softmax")
            def call(self, x):
                return self.d2(self.d1(x))
    """

    # class defaults, so that a subclass works without calling super().__init__(), as any Module does
    module: Module | None = None
    optimizer: Any = None
    loss: Any = None
    stop_training = False
    _compiled = False

    def __init__(self, module: Module | None = None) -> None:
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"Model: expected an nn.Module to wrap (or nothing, when subclassing); "
                            f"got {type(module).__name__}")
        self.module = module

    # -- the forward pass ---------------------------------------------------
    def forward(self, x: Any) -> Tensor:
        x = x if isinstance(x, Node) else as_tensor(_as_float32(np.asarray(x)))
        if self.module is not None:
            return self.module(x)
        if type(self).call is not Model.call:
            return self.call(x)
        raise NotImplementedError("Model: wrap a module (Model(module)) or, in a subclass, define call(x) "
                                  "or forward(x)")

    def call(self, x: Tensor) -> Tensor:
        """Keras's name for ``forward``; define one of the two in a subclass."""
        raise NotImplementedError

    def named_parameters(self, prefix: str = "", recurse: bool = True) -> list[tuple[str, Any]]:
        """As ``Module.named_parameters``; a wrapper adds no level to the names.

        ``Model(net).state_dict()`` has the keys of ``net.state_dict()``, so a
        checkpoint moves between the wrapped and the bare module.
        """
        named = super().named_parameters("", recurse)
        if self.module is not None:
            named = [(name[len("module."):] if name.startswith("module.") else name, p) for name, p in named]
        return [(f"{prefix}.{name}" if prefix else name, p) for name, p in named]

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """As ``Module.named_modules``, with the wrapped module's names (no ``module.`` level),
        to agree with :meth:`named_parameters`."""
        if self.module is None:
            yield from super().named_modules(prefix)
            return
        yield prefix, self
        for name, module in self.module.named_modules(prefix):
            if module is not self.module:
                yield name, module

    # -- compile ------------------------------------------------------------
    def compile(self, optimizer: Any = "rmsprop", loss: Any = None, metrics: Sequence[Any] | None = None) -> None:
        """Choose the optimizer, loss and metrics for :meth:`fit` and :meth:`evaluate`.

        ``optimizer``: a Keras name ("rmsprop", "adam", "sgd", ...: Keras's
        defaults) or an ``ag.optim`` optimizer. One made without parameters
        (a name, or ``ag.optim.Adam()``) gets the model's at the first
        training step, once lazily built layers (``Dense`` without
        ``input_dim``) have them.
        ``loss``: a Keras name ("sparse_categorical_crossentropy", "mse", ...),
        a Keras-style loss object or function, called ``loss(y_true, y_pred)``,
        or a PyTorch-style one whose first argument is ``input``
        (``nn.CrossEntropyLoss()``, ``F.cross_entropy``), called ``loss(y_pred, y_true)``.
        ``metrics``: names (``"accuracy"`` picks the accuracy that fits the
        targets, as in Keras) or metric objects with ``update_state(y_true,
        y_pred)``, ``result()`` and ``reset_state()``.

        >>> model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        """
        if loss is None:
            raise ValueError("compile: give a loss, e.g. loss='sparse_categorical_crossentropy'")
        if not isinstance(optimizer, (str, optim.Optimizer)):
            raise TypeError(f"compile: optimizer must be a name such as 'rmsprop' or an ag.optim optimizer; "
                            f"got {type(optimizer).__name__}")
        if metrics is not None and not isinstance(metrics, (list, tuple)):
            raise TypeError(f"compile: metrics must be a list, e.g. ['accuracy']; got {metrics!r}")
        self.optimizer = optim.get(optimizer)
        self.loss = loss
        self._loss_fn = _resolve_loss(loss)
        self._metrics = [_resolve_metric(m) for m in (metrics or [])]
        self._loss_tracker = metrics_module.Mean(name="loss")
        self._compiled = True

    # -- fit ----------------------------------------------------------------
    def fit(self, x: Any, y: Any = None, batch_size: int | None = None, epochs: int = 1,
            verbose: int | str = "auto", callbacks: Sequence[Callback] | None = None,
            validation_split: float = 0.0, validation_data: Any = None, shuffle: bool = True,
            initial_epoch: int = 0, *, seed: int | None = 0) -> History:
        """Train for ``epochs`` passes over ``(x, y)`` in mini-batches; return the :class:`History`.

        ``x, y``: arrays (or Tensors, lists) with one row per sample, or ``x``
        a DataLoader of ``(x, y)`` batches and ``y`` left out.
        ``batch_size`` defaults to 32, as in Keras. ``validation_data``:
        ``(x_val, y_val)`` or a DataLoader, evaluated after each epoch
        (``val_`` figures); ``validation_split`` takes that fraction from the
        end of ``x, y`` instead, before shuffling, as Keras does.
        ``verbose``: ``"auto"`` (a progress bar on a terminal, silent in a
        log), 0, 1 (bar) or 2 (one line per epoch). ``seed`` fixes the
        shuffling order, so a run is repeatable (``None`` for fresh order).
        ``initial_epoch`` (Keras's) resumes a run: epochs ``initial_epoch`` to
        ``epochs - 1`` are trained, with the batches those epochs had in an
        uninterrupted run, so that with the weights and optimizer state saved
        after epoch ``initial_epoch`` the result is the same to the last bit.

        >>> history = model.fit(x, y, epochs=5, batch_size=128, validation_data=(x_test, y_test))
        >>> ag.save({"model": model.state_dict(), "optimizer": model.optimizer.state_dict(), "epoch": 5}, "ck.npz")
        """
        self._check_compiled("fit")
        check_count(epochs, "fit: epochs", minimum=0)
        check_count(initial_epoch, "fit: initial_epoch", minimum=0)
        if not 0.0 <= validation_split < 1.0:
            raise ValueError(f"fit: validation_split must be in [0, 1); got {validation_split}")
        if validation_split and validation_data is not None:
            raise ValueError("fit: give validation_data or validation_split, not both")
        if validation_split:
            if y is None:
                raise ValueError("fit: validation_split needs arrays x and y, not a DataLoader")
            x, y = _as_arrays(x, y, "fit")
            cut = len(x) - int(len(x) * validation_split)
            x, y, validation_data = x[:cut], y[:cut], (x[cut:], y[cut:])
        train_loader = _loader(x, y, batch_size, shuffle, seed, "fit")
        if len(train_loader) == 0:
            raise ValueError("fit: the DataLoader yields no batches (fewer samples than batch_size with drop_last?)")
        val_loader = None if validation_data is None else _loader_from_pair(validation_data, batch_size, "fit")
        verbose = resolve_verbose(verbose)

        history = History()
        callbacks = [*(callbacks or []), history]  # last, as Keras: it records what the others added to the logs
        for callback in callbacks:
            if not isinstance(callback, Callback):
                raise TypeError(f"fit: callbacks must be Callback instances; got {type(callback).__name__}")
            callback.set_model(self)
        self.stop_training = False
        for callback in callbacks:
            callback.on_train_begin()
        logs: dict[str, float] = {}
        for _ in range(initial_epoch):  # draw the shuffles of the epochs already done, so the next ones repeat
            next(iter(train_loader), None)
        for epoch in range(initial_epoch, epochs):
            for callback in callbacks:
                callback.on_epoch_begin(epoch)
            if verbose:
                print(f"Epoch {epoch + 1}/{epochs}", flush=True)
            bar = Progbar(len(train_loader), verbose=verbose)
            self._reset_metrics()
            self.train()
            for step, (xb, yb) in enumerate(train_loader, 1):
                logs = self.train_step(xb, yb)
                bar.update(step, logs, finalize=False)
                for callback in callbacks:
                    callback.on_train_batch_end(step - 1, logs)
            if val_loader is not None:
                logs.update({f"val_{k}": v for k, v in self._run_evaluation(val_loader).items()})
            bar.update(len(train_loader), logs, finalize=True)
            for callback in callbacks:
                callback.on_epoch_end(epoch, logs)
            if self.stop_training:
                break
        for callback in callbacks:
            callback.on_train_end(logs)
        return history

    def train_step(self, x: Any, y: Any) -> dict[str, float]:
        """One update on one batch (forward, loss, backward, step); returns the running figures.

        Override it for a custom update, as in Keras.
        """
        y_pred = self(x)
        loss = self._loss_fn(y, y_pred)
        if not self.optimizer.param_groups:
            self.optimizer.build(self.trainable_variables)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        return self._update_metrics(y, y_pred, loss)

    # -- evaluate and predict -----------------------------------------------
    def evaluate(self, x: Any, y: Any = None, batch_size: int | None = None, verbose: int | str = "auto",
                 return_dict: bool = False) -> float | list[float] | dict[str, float]:
        """Loss and metrics over ``(x, y)``, computed under ``no_grad`` in eval mode.

        Returns the loss alone when there are no metrics, else ``[loss, *metrics]``
        (or a dict with ``return_dict=True``), as Keras does.

        >>> loss, accuracy = model.evaluate(test_images, test_labels)
        """
        self._check_compiled("evaluate")
        loader = _loader(x, y, batch_size, False, None, "evaluate")
        verbose = resolve_verbose(verbose)
        bar = Progbar(len(loader), verbose=verbose)
        logs = self._run_evaluation(loader, bar)
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    def predict(self, x: Any, batch_size: int | None = None, verbose: int | str = "auto") -> np.ndarray:
        """The model's outputs for ``x`` as a numpy array, batch by batch, under ``no_grad`` in eval mode.

        >>> model.predict(test_images).argmax(axis=1)
        """
        if isinstance(x, Node):
            x = x.data
        x = np.asarray(x)
        if x.ndim == 0 or len(x) == 0:
            raise ValueError(f"predict: x must have at least one sample (one row per sample); got shape {x.shape}")
        batch_size = _batch_size(batch_size, "predict")
        steps = -(-len(x) // batch_size)
        bar = Progbar(steps, verbose=resolve_verbose(verbose))
        outputs = []
        with _eval_mode(self), no_grad():
            for step in range(steps):
                outputs.append(self(x[step * batch_size:(step + 1) * batch_size]).data)
                bar.update(step + 1)
        return np.concatenate(outputs)

    # -- weights (Keras's names) --------------------------------------------
    def save_weights(self, filepath: str | os.PathLike) -> None:
        """Keras's ``save_weights``: the ``state_dict`` to ``.safetensors`` or ``.npz`` (by the name's suffix).

        >>> model.save_weights("model.safetensors")
        """
        from .io import save
        save(self, filepath)

    def load_weights(self, filepath: str | os.PathLike) -> "Model":
        """Keras's ``load_weights``: read what :meth:`save_weights` (or ``ag.save``, or PyTorch's
        ``safetensors.torch.save_file``) wrote; the model is unchanged if anything does not fit."""
        from .io import load
        return load(self, filepath)

    # -- internals ----------------------------------------------------------
    def _check_compiled(self, where: str) -> None:
        if not self._compiled:
            raise RuntimeError(f"{where}: call model.compile(optimizer=..., loss=...) first")

    def _reset_metrics(self) -> None:
        for metric in [self._loss_tracker, *self._metrics]:
            metric.reset_state()

    def _update_metrics(self, y: Any, y_pred: Tensor, loss: Tensor) -> dict[str, float]:
        # the loss is a batch mean: weight it by the batch size so a short last batch counts for less
        self._loss_tracker.update_state(loss.item(), sample_weight=len(y_pred.data))
        y_true = np.asarray(y.data if isinstance(y, Node) else y)
        for metric in self._metrics:
            metric.update_state(y_true, y_pred.data)
        return self._figures()

    def _figures(self) -> dict[str, float]:
        figures = {"loss": float(self._loss_tracker.result())}
        figures.update({m.name: float(m.result()) for m in self._metrics})
        return figures

    def _run_evaluation(self, loader: Iterable, bar: Progbar | None = None) -> dict[str, float]:
        self._reset_metrics()
        with _eval_mode(self), no_grad():
            for step, (xb, yb) in enumerate(loader, 1):
                y_pred = self(xb)
                figures = self._update_metrics(yb, y_pred, self._loss_fn(yb, y_pred))
                if bar is not None:
                    bar.update(step, figures)
        return self._figures()


class _eval_mode:
    """Put a module in eval mode for a block, then back in the mode it was in."""

    def __init__(self, module: Module) -> None:
        self.module = module

    def __enter__(self) -> None:
        self.was_training = self.module.training
        self.module.eval()

    def __exit__(self, *exc: object) -> None:
        self.module.train(self.was_training)


# -- turning user data into batches ---------------------------------------
def _as_float32(x: np.ndarray) -> np.ndarray:
    # Keras casts float inputs to float32 (its floatx); float64 would make every layer twice as slow
    return x.astype(np.float32) if x.dtype.kind == "f" and x.dtype != np.float32 else x


def _as_arrays(x: Any, y: Any, where: str) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x.data if isinstance(x, Node) else x)
    y = np.asarray(y.data if isinstance(y, Node) else y)
    if x.ndim == 0 or y.ndim == 0:
        raise ValueError(f"{where}: x and y need one row per sample; got shapes {x.shape} and {y.shape}")
    if len(x) != len(y):
        raise ValueError(f"{where}: x and y must have one row per sample each; got {len(x)} rows of x "
                         f"and {len(y)} of y")
    if len(x) == 0:
        raise ValueError(f"{where}: no samples (x is empty)")
    return _as_float32(x), y


def _batch_size(batch_size: int | None, where: str) -> int:
    batch_size = 32 if batch_size is None else batch_size
    check_count(batch_size, f"{where}: batch_size")
    return batch_size


def _loader(x: Any, y: Any, batch_size: int | None, shuffle: bool, seed: int | None, where: str) -> Any:
    """Batches of ``(x, y)``: a DataLoader over the arrays, or ``x`` itself when it already yields batches."""
    if y is None:
        if isinstance(x, DataLoader):
            return x
        raise ValueError(f"{where}: give y (the targets), or pass a DataLoader of (x, y) batches as x")
    x, y = _as_arrays(x, y, where)
    return DataLoader(TensorDataset(x, y), batch_size=_batch_size(batch_size, where), shuffle=shuffle, seed=seed)


def _loader_from_pair(data: Any, batch_size: int | None, where: str) -> Any:
    if isinstance(data, DataLoader):
        return data
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise ValueError(f"{where}: validation_data must be a pair (x_val, y_val) or a DataLoader")
    return _loader(data[0], data[1], batch_size, False, None, where)
