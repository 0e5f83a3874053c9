"""Model.compile/fit/evaluate/predict, History and callbacks: Keras's behaviour on the PyTorch-style loop."""
import io
import sys

import numpy as np
import pytest

import autograd_lite as ag
import autograd_lite.functional as F
from autograd_lite import nn
from autograd_lite.callbacks import LearningRateScheduler
from autograd_lite.training import Callback, EarlyStopping, History, Model


def blobs(n_per_class=20, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.uniform(-4, 4, (classes, 2))
    x = (np.repeat(centres, n_per_class, axis=0) + rng.normal(size=(classes * n_per_class, 2))).astype(np.float32)
    return x, np.repeat(np.arange(classes), n_per_class)


def classifier(classes=3, hidden=16, seed=0):
    return Model(nn.Sequential([nn.Dense(hidden, activation="relu", input_dim=2, seed=seed),
                                nn.Dense(classes, activation="softmax", seed=seed + 1)]))


def compiled(**kwargs):
    model = classifier()
    model.compile(optimizer=kwargs.pop("optimizer", "adam"), loss=kwargs.pop("loss", "sparse_categorical_crossentropy"),
                  metrics=kwargs.pop("metrics", ["accuracy"]))
    return model


# -- fit ----------------------------------------------------------------------
def test_fit_returns_one_loss_and_accuracy_per_epoch_and_learns():
    x, y = blobs()
    history = compiled().fit(x, y, epochs=15, batch_size=8, verbose=0)
    assert isinstance(history, History)
    assert history.epoch == list(range(15))
    assert set(history.history) == {"loss", "accuracy"}
    assert len(history.history["loss"]) == 15
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    assert history.history["accuracy"][-1] > 0.9


def test_fit_is_exactly_the_hand_written_pytorch_loop():
    x, y = blobs()
    by_fit, by_hand = classifier(), classifier()
    by_fit.compile(optimizer=ag.optim.SGD(by_fit.parameters(), lr=0.1), loss=nn.CrossEntropyLoss())
    by_fit.fit(x, y, epochs=2, batch_size=16, verbose=0, seed=7)

    optimizer = ag.optim.SGD(by_hand.parameters(), lr=0.1)
    loader = ag.data.DataLoader(ag.data.TensorDataset(x, y), batch_size=16, shuffle=True, seed=7)
    for _ in range(2):
        for xb, yb in loader:
            loss = F.cross_entropy(by_hand(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    for (name, a), (_, b) in zip(by_fit.named_parameters(), by_hand.named_parameters()):
        np.testing.assert_array_equal(a.data, b.data, err_msg=name)


def test_same_seed_same_history_other_seed_other_order():
    x, y = blobs()
    runs = [compiled().fit(x, y, epochs=3, batch_size=8, verbose=0, seed=s).history["loss"] for s in (1, 1, 2)]
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]


def test_epoch_loss_is_the_mean_over_samples_not_over_batches():
    # 50 samples in batches of 16: the last batch of 2 must weigh 2/50, as in Keras
    x, y = blobs(n_per_class=25, classes=2)
    model = classifier(classes=2)
    model.compile(optimizer=ag.optim.SGD(lr=0.0), loss="sparse_categorical_crossentropy")
    history = model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    assert history.history["loss"][0] == pytest.approx(model.evaluate(x, y, batch_size=50, verbose=0), rel=1e-6)


def test_lazily_built_layers_get_their_optimizer_at_the_first_step():
    x, y = blobs()
    model = Model(nn.Sequential([nn.Dense(8, activation="relu"), nn.Dense(3, activation="softmax")]))
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    assert [p.shape for p in model.parameters()] == [(0,)] * 4  # placeholders until the first call
    model.fit(x, y, epochs=1, verbose=0)
    assert len(model.optimizer.param_groups[0]["params"]) == 4
    assert model.optimizer.learning_rate == pytest.approx(1e-3)  # Keras's rmsprop default


def test_validation_data_adds_val_figures():
    x, y = blobs()
    history = compiled().fit(x, y, epochs=2, verbose=0, validation_data=(x[:10], y[:10]))
    assert list(history.history) == ["loss", "accuracy", "val_loss", "val_accuracy"]


def test_validation_split_takes_the_last_samples_before_shuffling():
    x, y = blobs(n_per_class=10, classes=2)  # the last 20% are all class 1
    model = compiled()
    history = model.fit(x, y, epochs=1, verbose=0, validation_split=0.2)
    expected = model.evaluate(x[16:], y[16:], verbose=0, return_dict=True)
    assert history.history["val_loss"][0] == pytest.approx(expected["loss"])


def test_fit_accepts_a_dataloader():
    x, y = blobs()
    loader = ag.data.DataLoader(ag.data.TensorDataset(x, y), batch_size=10, shuffle=True, seed=0)
    history = compiled().fit(loader, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2


# -- what compile accepts --------------------------------------------------------
@pytest.mark.parametrize("labels, outputs, kind", [
    ("sparse", 3, ag.metrics.SparseCategoricalAccuracy),
    ("one_hot", 3, ag.metrics.CategoricalAccuracy),
    ("binary", 1, ag.metrics.BinaryAccuracy),
])
def test_accuracy_string_picks_the_accuracy_that_fits_the_targets(labels, outputs, kind):
    x, y = blobs(classes=2 if labels == "binary" else 3)
    targets = {"sparse": y, "one_hot": np.eye(3, dtype=np.float32)[y],
               "binary": y.reshape(-1, 1).astype(np.float32)}[labels]
    loss = {"sparse": "sparse_categorical_crossentropy", "one_hot": "categorical_crossentropy",
            "binary": "binary_crossentropy"}[labels]
    last = "sigmoid" if labels == "binary" else "softmax"
    model = Model(nn.Sequential([nn.Dense(outputs, activation=last, input_dim=2, seed=0)]))
    model.compile(optimizer="adam", loss=loss, metrics=["accuracy"])
    model.fit(x, targets, epochs=1, verbose=0)
    assert isinstance(model._metrics[0].metric, kind)
    predicted = model.predict(x, verbose=0)
    right = (predicted[:, 0] > 0.5) == y if labels == "binary" else predicted.argmax(1) == y
    assert model.evaluate(x, targets, verbose=0)[1] == pytest.approx(right.mean())


@pytest.mark.parametrize("loss", [nn.CrossEntropyLoss(), F.cross_entropy,
                                  nn.SparseCategoricalCrossentropy(from_logits=True),
                                  lambda y_true, y_pred: F.cross_entropy(y_pred, y_true)],
                         ids=["pytorch-module", "functional", "keras-object", "keras-order-function"])
def test_loss_in_either_argument_order(loss):
    x, y = blobs()
    model = Model(nn.Sequential([nn.Dense(3, input_dim=2, seed=0)]))  # logits
    model.compile(optimizer="sgd", loss=loss)
    value = model.evaluate(x, y, verbose=0)
    assert value == pytest.approx(F.cross_entropy(model.predict(x, verbose=0), y).item(), rel=1e-5)


def test_metric_objects_are_reported_under_their_names():
    x, y = blobs()
    model = compiled(metrics=[ag.metrics.SparseCategoricalAccuracy(name="acc")])
    assert list(model.fit(x, y, epochs=1, verbose=0).history) == ["loss", "acc"]


# -- evaluate and predict -------------------------------------------------------
def test_evaluate_returns_keras_shapes():
    x, y = blobs()
    model = compiled()
    loss, accuracy = model.evaluate(x, y, verbose=0)
    assert model.evaluate(x, y, verbose=0, return_dict=True) == {"loss": loss, "accuracy": accuracy}
    no_metrics = compiled(metrics=None)
    assert isinstance(no_metrics.evaluate(x, y, verbose=0), float)


def test_predict_is_batched_numpy_without_a_graph_and_in_eval_mode():
    x, _ = blobs()
    model = Model(nn.Sequential([nn.Dense(4, input_dim=2, seed=0), nn.Dropout(0.5, seed=0)]))
    out = model.predict(x, batch_size=7, verbose=0)
    assert isinstance(out, np.ndarray) and out.shape == (len(x), 4)
    with ag.no_grad():
        np.testing.assert_allclose(out, model.eval()(x).data, rtol=1e-6)  # Dropout off, as in eval
    model.train()
    model.predict(x, verbose=0)
    assert model.training  # the mode it was in comes back


def test_float64_inputs_are_cast_to_float32_as_keras_does():
    x, _ = blobs()
    assert compiled().predict(x.astype(np.float64), verbose=0).dtype == np.float32


# -- the model classes --------------------------------------------------------------
class Subclassed(Model):  # Keras style: call(), and no super().__init__() needed, as for any Module
    def __init__(self):
        self.d1 = nn.Dense(8, activation="sigmoid", input_dim=2, seed=0)
        self.d2 = nn.Dense(3, activation="softmax", seed=1)

    def call(self, x):
        return self.d2(self.d1(x))


def test_subclassed_model_with_call_trains():
    x, y = blobs()
    model = Subclassed()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=2, verbose=0)
    assert len(history.history["accuracy"]) == 2
    assert [n for n, _ in model.named_parameters()] == ["d1.weight", "d1.bias", "d2.weight", "d2.bias"]


def test_model_without_module_or_call_says_what_to_do():
    with pytest.raises(NotImplementedError, match="define call"):
        Model()(np.zeros((1, 2), np.float32))


def test_wrapper_keeps_the_module_names_so_checkpoints_move_between_them(tmp_path):
    net = nn.Sequential([nn.Dense(4, input_dim=2, seed=0), nn.Dense(3, input_dim=4, seed=1)])
    model = Model(net)
    assert list(model.state_dict()) == list(net.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias"]
    ag.save(model, tmp_path / "m.npz")
    bare = nn.Sequential([nn.Dense(4, input_dim=2, seed=5), nn.Dense(3, input_dim=4, seed=6)])
    ag.load(bare, tmp_path / "m.npz")
    np.testing.assert_array_equal(bare[1].weight.data, net[1].weight.data)


def test_trainable_variables_work_with_gradient_tape():
    x, y = blobs()
    model = classifier()
    optimizer = ag.optim.Adam()
    with ag.GradientTape() as tape:
        loss = nn.SparseCategoricalCrossentropy()(y, model(x))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    assert len(grads) == 4 and all(g is not None for g in grads)


# -- callbacks ------------------------------------------------------------------------
class Recorder(Callback):
    def __init__(self):
        self.calls = []

    def on_train_begin(self, logs=None): self.calls.append("train_begin")
    def on_epoch_begin(self, epoch, logs=None): self.calls.append(f"epoch_begin {epoch}")
    def on_train_batch_end(self, batch, logs=None): self.calls.append(f"batch {batch}")
    def on_epoch_end(self, epoch, logs=None): self.calls.append(f"epoch_end {epoch} {sorted(logs)}")
    def on_train_end(self, logs=None): self.calls.append("train_end")


def test_callback_hooks_run_in_keras_order():
    x, y = blobs(n_per_class=4, classes=2)
    recorder = Recorder()
    model = classifier(classes=2)
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=2, batch_size=4, verbose=0, callbacks=[recorder])
    assert recorder.model is model
    assert recorder.calls == [
        "train_begin",
        "epoch_begin 0", "batch 0", "batch 1", "epoch_end 0 ['accuracy', 'loss']",
        "epoch_begin 1", "batch 0", "batch 1", "epoch_end 1 ['accuracy', 'loss']",
        "train_end"]


def test_stop_training_ends_fit_after_the_epoch():
    class StopAtOnce(Callback):
        def on_epoch_end(self, epoch, logs=None):
            self.model.stop_training = True

    x, y = blobs()
    assert compiled().fit(x, y, epochs=10, verbose=0, callbacks=[StopAtOnce()]).epoch == [0]


def test_early_stopping_waits_patience_epochs_then_restores_the_best_weights():
    x, y = blobs()
    model = compiled()
    scripted = [3.0, 2.0, 2.5, 2.4, 1.0, 0.5]  # best at epoch 1, then two epochs without improvement
    weights_after = []

    class ScriptedLoss(Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["score"] = scripted[epoch]
            weights_after.append(self.model.state_dict())

    stopper = EarlyStopping(monitor="score", patience=2, restore_best_weights=True)
    history = model.fit(x, y, epochs=6, verbose=0, callbacks=[ScriptedLoss(), stopper])
    assert history.epoch == [0, 1, 2, 3]  # stopped after epoch 3, as Keras does with patience 2
    assert stopper.stopped_epoch == 3
    for name, array in model.state_dict().items():
        np.testing.assert_array_equal(array, weights_after[1][name])
    assert not np.array_equal(weights_after[1]["0.weight"], weights_after[3]["0.weight"])


def test_early_stopping_on_an_unknown_figure_names_the_known_ones():
    x, y = blobs()
    with pytest.raises(ValueError, match=r"val_loss.*\['accuracy', 'loss'\]"):
        compiled().fit(x, y, epochs=2, verbose=0, callbacks=[EarlyStopping()])


def test_early_stopping_maximizes_accuracy_by_default():
    assert EarlyStopping(monitor="val_accuracy").mode == "max"
    assert EarlyStopping(monitor="loss").mode == "min"



class RatePerEpoch(Callback):
    """The rate the optimizer trains each epoch's first batch with."""

    def __init__(self):
        self.rates = []

    def on_train_batch_end(self, batch, logs=None):
        if batch == 0:
            self.rates.append(self.model.optimizer.param_groups[0]["lr"])


def test_learning_rate_scheduler_gives_each_epoch_the_rate_its_schedule_returns(capsys):
    x, y = blobs()
    model, seen = compiled(), RatePerEpoch()
    halve_after_first = LearningRateScheduler(lambda epoch, lr: lr / 2 if epoch else lr, verbose=1)
    model.fit(x, y, epochs=3, verbose=0, callbacks=[halve_after_first, seen])
    assert seen.rates == [0.001, 0.0005, 0.00025]
    assert "Epoch 2: LearningRateScheduler setting learning rate to 0.0005." in capsys.readouterr().out


def test_learning_rate_scheduler_takes_a_schedule_of_the_epoch_alone_as_keras_does():
    x, y = blobs()
    model, seen = compiled(), RatePerEpoch()
    schedule = LearningRateScheduler(lambda epoch: [0.1, 0.01][epoch])
    history = model.fit(x, y, epochs=2, verbose=0, callbacks=[schedule, seen])
    assert seen.rates == [0.1, 0.01]
    assert history.history["learning_rate"] == [0.1, 0.01]  # in each epoch's logs, as Keras 3 puts it


def test_learning_rate_scheduler_refuses_a_schedule_that_is_not_a_rate_function_or_returns_no_number():
    with pytest.raises(TypeError, match=r"schedule must be a function of \(epoch, lr\) or \(epoch\); got float"):
        LearningRateScheduler(0.1)
    with pytest.raises(TypeError, match=r"must take \(epoch, lr\) or \(epoch\)"):
        LearningRateScheduler(lambda epoch, lr, extra: lr)
    x, y = blobs()
    with pytest.raises(ValueError, match="at epoch 0 it returned None"):
        compiled().fit(x, y, epochs=1, verbose=0, callbacks=[LearningRateScheduler(lambda epoch: None)])


# -- History.plot ------------------------------------------------------------------------
def test_history_plot_writes_a_png(tmp_path):
    pytest.importorskip("matplotlib")
    x, y = blobs()
    history = compiled().fit(x, y, epochs=2, verbose=0, validation_data=(x, y))
    history.plot(tmp_path / "history.png")
    assert (tmp_path / "history.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in tmp_path.iterdir()] == ["history.png"]  # nothing left beside it


def test_history_plot_without_matplotlib_says_how_to_install(monkeypatch, tmp_path):
    history = History()
    history.on_epoch_end(0, {"loss": 1.0})
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match=r"pip install 'autograd-lite\[plot\]'"):
        history.plot(tmp_path / "h.png")


def test_history_plot_of_nothing_is_an_error(tmp_path):
    pytest.importorskip("matplotlib")
    with pytest.raises(ValueError, match="empty"):
        History().plot(tmp_path / "h.png")


# -- progress output -----------------------------------------------------------------------
def test_verbose_prints_keras_epoch_lines(capsys):
    x, y = blobs()
    compiled().fit(x, y, epochs=2, batch_size=20, verbose=2)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2"
    assert lines[1].startswith("3/3 - ") and " - accuracy: " in lines[1] and " - loss: " in lines[1]
    assert len(lines) == 4


def test_auto_verbose_is_silent_when_output_is_not_a_terminal(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdout", io.StringIO())  # not a terminal, nor a Jupyter kernel
    x, y = blobs()
    model = compiled()
    model.fit(x, y, epochs=2)
    model.evaluate(x, y)
    model.predict(x)
    assert sys.stdout.getvalue() == ""


# -- errors ----------------------------------------------------------------------------------
def test_fit_before_compile_says_to_compile():
    x, y = blobs()
    with pytest.raises(RuntimeError, match="compile"):
        classifier().fit(x, y)


@pytest.mark.parametrize("kwargs, message", [
    (dict(optimizer="adamm"), "unknown optimizer 'adamm'"),
    (dict(loss="sparse_crossentropy"), "unknown loss 'sparse_crossentropy'"),
    (dict(metrics=["acuracy"]), "unknown metric 'acuracy'"),
    (dict(metrics="accuracy"), "metrics must be a list"),
    (dict(optimizer=3), "optimizer must be a name"),
    (dict(loss=None), "give a loss"),
    (dict(loss=3), "loss must be"),
])
def test_compile_rejects_bad_arguments(kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        compiled(**kwargs)


@pytest.mark.parametrize("kwargs, message", [
    (dict(epochs=-1), "epochs"),
    (dict(batch_size=0), "batch_size"),
    (dict(verbose=3), "verbose"),
    (dict(validation_split=1.0), "validation_split"),
    (dict(validation_data=([1.0],)), "validation_data"),
])
def test_fit_rejects_bad_arguments(kwargs, message):
    x, y = blobs()
    with pytest.raises(ValueError, match=message):
        compiled().fit(x, y, **kwargs)


def test_fit_rejects_x_and_y_of_different_lengths():
    x, y = blobs()
    with pytest.raises(ValueError, match="60 rows of x and 59 of y"):
        compiled().fit(x, y[:-1])


def test_fit_without_y_needs_a_dataloader():
    x, _ = blobs()
    with pytest.raises(ValueError, match="give y"):
        compiled().fit(x)


def test_model_wraps_only_modules():
    with pytest.raises(TypeError, match="nn.Module"):
        Model(lambda x: x)


def test_fit_on_a_loader_with_no_batches_says_so():
    x, y = blobs()
    loader = ag.data.DataLoader(ag.data.TensorDataset(x, y), batch_size=100, drop_last=True)
    with pytest.raises(ValueError, match="no batches"):
        compiled().fit(loader)


def test_a_wrapping_model_names_modules_as_it_names_parameters():
    model = ag.Model(ag.nn.Sequential(ag.nn.Linear(3, 4), ag.nn.ReLU(), ag.nn.Linear(4, 2)))
    module_names = {name for name, _ in model.named_modules()}
    parameter_owners = {name.rsplit(".", 1)[0] for name, _ in model.named_parameters()}
    assert parameter_owners <= module_names
    assert "module" not in module_names
