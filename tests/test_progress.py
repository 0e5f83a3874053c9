"""The Keras-style progress line: what it writes to a terminal, to a log, and when."""
import io
import re
import sys

import pytest

from autograd_lite import progress
from autograd_lite.progress import Progbar, resolve_verbose


class Terminal(io.StringIO):
    def isatty(self):
        return True


class AsciiLog(io.TextIOWrapper):
    """A log file whose encoding has no box-drawing characters."""

    def __init__(self):
        super().__init__(io.BytesIO(), encoding="ascii")


def test_finished_line_has_keras_layout():
    out = Terminal()
    bar = Progbar(469, stream=out)
    bar.update(469, {"loss": 0.44012, "accuracy": 0.87371})
    line = out.getvalue().split("\r")[-1]
    assert re.fullmatch(r"469/469 ━{20} \d+s \d+(us|ms|s)/step - accuracy: 0\.8737 - loss: 0\.4401\n", line)


def test_terminal_redraws_one_line_in_place():
    out = Terminal()
    bar = Progbar(10, stream=out, interval=0.0)
    for step in range(1, 11):
        bar.update(step, {"loss": 1.0 / step})
    text = out.getvalue()
    assert text.count("\n") == 1 and text.endswith("\n")
    assert text.count("\r") == 10
    assert " 5/10 ━━━━━━━━━━────────── " in text  # half done: half the bar filled, ETA shown


def test_redraws_are_throttled():
    out = Terminal()
    bar = Progbar(1000, stream=out, interval=3600.0)
    for step in range(1, 1001):
        bar.update(step)
    assert out.getvalue().count("\r") == 2  # the first step and the finished line


def test_shorter_line_covers_the_longer_one_before_it():
    out = Terminal()
    bar = Progbar(2, stream=out, interval=0.0)
    bar.update(1, {"loss": 123456.0})
    bar.update(2, {"loss": 1.0})
    first, second = out.getvalue().split("\r")[1:]
    assert len(second.rstrip("\n")) >= len(first)


def test_log_file_gets_only_the_finished_line():
    out = io.StringIO()
    bar = Progbar(100, stream=out, interval=0.0)
    for step in range(1, 101):
        bar.update(step, {"loss": 0.5})
    assert "\r" not in out.getvalue()
    assert out.getvalue().count("\n") == 1
    assert out.getvalue().startswith("100/100 ━━━━━━━━━━━━━━━━━━━━ ")


def test_verbose_2_writes_keras_one_line_summary():
    out = Terminal()
    bar = Progbar(469, verbose=2, stream=out)
    for step in range(1, 470):
        bar.update(step, {"loss": 0.0363, "accuracy": 0.9894})
    assert re.fullmatch(r"469/469 - \d+s - \d+(us|ms|s)/step - accuracy: 0\.9894 - loss: 0\.0363\n", out.getvalue())


def test_verbose_0_writes_nothing():
    out = Terminal()
    bar = Progbar(5, verbose=0, stream=out)
    for step in range(1, 6):
        bar.update(step, {"loss": 1.0})
    assert out.getvalue() == ""


def test_nothing_more_after_the_finished_line():
    out = io.StringIO()
    bar = Progbar(2, stream=out)
    bar.update(2)
    bar.update(2)
    assert out.getvalue().count("\n") == 1


def test_stream_without_unicode_gets_an_ascii_bar():
    out = AsciiLog()
    bar = Progbar(4, stream=out)
    bar.update(4, {"loss": 0.25})
    out.seek(0)
    assert out.buffer.getvalue().decode("ascii").startswith("4/4 ==================== ")


def test_tiny_values_use_scientific_notation_as_keras_does():
    out = io.StringIO()
    Progbar(1, stream=out).update(1, {"loss": 0.00012345})
    assert "loss: 1.2345e-04" in out.getvalue()


@pytest.mark.parametrize("seconds, text", [(5.2, "5s"), (75, "1:15"), (3725, "1:02:05")])
def test_eta_format(seconds, text):
    assert progress._format_eta(seconds) == text


@pytest.mark.parametrize("seconds, text", [(2.0, "2s/step"), (0.004, "4ms/step"), (0.000250, "250us/step")])
def test_time_per_step_format(seconds, text):
    assert progress._format_per_step(seconds, "step") == text


def test_auto_verbose_is_a_bar_on_a_terminal_and_silent_in_a_log():
    assert resolve_verbose("auto", Terminal()) == 1
    assert resolve_verbose("auto", io.StringIO()) == 0
    assert resolve_verbose(2, io.StringIO()) == 2


def test_auto_verbose_takes_a_running_jupyter_kernel_for_a_bar_but_not_ipykernel_merely_imported(monkeypatch):
    import types
    ipython = types.ModuleType("IPython")
    monkeypatch.setitem(sys.modules, "ipykernel", types.ModuleType("ipykernel"))
    monkeypatch.setitem(sys.modules, "IPython", ipython)
    ipython.get_ipython = lambda: None  # a script that imported ipykernel (nbclient does)
    assert resolve_verbose("auto", io.StringIO()) == 0
    ipython.get_ipython = lambda: types.SimpleNamespace(kernel=object())  # a notebook's kernel
    assert resolve_verbose("auto", io.StringIO()) == 1


@pytest.mark.parametrize("bad", [3, -1, "yes", True, None])
def test_bad_verbose_is_rejected(bad):
    with pytest.raises(ValueError, match="verbose"):
        resolve_verbose(bad)


@pytest.mark.parametrize("bad", [0, -3, 2.5, None])
def test_bad_target_is_rejected(bad):
    with pytest.raises(ValueError, match="target"):
        Progbar(bad)
