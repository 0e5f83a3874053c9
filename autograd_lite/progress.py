"""Keras's progress line, without its flood of lines in logs.

On a terminal (or in a notebook) one line per epoch is redrawn in place::

    Epoch 1/5
    469/469 ━━━━━━━━━━━━━━━━━━━━ 2s 4ms/step - accuracy: 0.8737 - loss: 0.4401

Where output goes to a file or a CI log there is no place to redraw, so
``verbose=1`` writes only each epoch's finished line, and ``verbose=2`` writes
Keras's one-line summary ``469/469 - 2s - 4ms/step - accuracy: ... - loss: ...``.
``verbose="auto"`` (the default of ``Model.fit``) is 1 where lines can be
redrawn and 0 elsewhere.
"""
from __future__ import annotations

import sys
import time
from typing import Mapping, TextIO

__all__ = ["Progbar", "resolve_verbose", "is_interactive"]

_BAR_CHARS = ("━", "─")   # done, still to do
_ASCII_BAR_CHARS = ("=", ".")  # for streams that cannot encode the box-drawing ones


def is_interactive(stream: TextIO | None = None) -> bool:
    """True where a line can be redrawn in place: a terminal, or a Jupyter kernel."""
    stream = sys.stdout if stream is None else stream
    if _in_jupyter_kernel():
        return True
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


def _in_jupyter_kernel() -> bool:
    """Whether this process is a running Jupyter kernel: IPython's shell there has a ``kernel``. Having
    imported ipykernel is not enough (a script that runs notebooks, or a library, may import it)."""
    if "ipykernel" not in sys.modules or "IPython" not in sys.modules:
        return False
    get_ipython = getattr(sys.modules["IPython"], "get_ipython", None)
    shell = get_ipython() if callable(get_ipython) else None
    return shell is not None and hasattr(shell, "kernel")


def resolve_verbose(verbose: int | str, stream: TextIO | None = None) -> int:
    """Turn ``verbose`` (0, 1, 2 or ``"auto"``) into 0, 1 or 2.

    >>> resolve_verbose(2)
    2
    """
    if verbose == "auto":
        return 1 if is_interactive(stream) else 0
    if isinstance(verbose, bool) or verbose not in (0, 1, 2):
        raise ValueError(f"verbose must be 0 (silent), 1 (progress bar), 2 (one line per epoch) or 'auto'; "
                         f"got {verbose!r}")
    return int(verbose)


class Progbar:
    """A progress line over ``target`` steps, in Keras's format.

    ``values`` given to :meth:`update` are shown as they are (pass running
    means, as ``Model.fit`` does); names are listed alphabetically, as Keras
    lists ``accuracy`` before ``loss``.

    >>> bar = Progbar(3, verbose=2)
    >>> for step in range(1, 4):
    ...     bar.update(step, {"loss": 0.5})     # writes "3/3 - 0s - 1ms/step - loss: 0.5000" at step 3
    """

    def __init__(self, target: int, *, verbose: int = 1, width: int = 20, interval: float = 0.1,
                 stream: TextIO | None = None, unit_name: str = "step") -> None:
        if isinstance(target, bool) or not isinstance(target, int) or target < 1:
            raise ValueError(f"Progbar: target must be a positive number of steps; got {target!r}")
        if verbose not in (0, 1, 2):
            raise ValueError(f"Progbar: verbose must be 0, 1 or 2; got {verbose!r}")
        self.target = target
        self.verbose = verbose
        self.width = width
        self.interval = interval
        self.stream = sys.stdout if stream is None else stream
        self.unit_name = unit_name
        self._dynamic = is_interactive(self.stream)
        self._chars = _BAR_CHARS if _can_encode(self.stream, "".join(_BAR_CHARS)) else _ASCII_BAR_CHARS
        self._start = time.perf_counter()
        self._last_draw = float("-inf")
        self._drawn_width = 0
        self._done = False

    def update(self, current: int, values: Mapping[str, float] | None = None, finalize: bool | None = None) -> None:
        """Record that ``current`` steps are done; redraw if it is time to (at most every ``interval`` s)."""
        if self.verbose == 0 or self._done:
            return
        finalize = current >= self.target if finalize is None else finalize
        now = time.perf_counter()
        if not finalize and (not self._dynamic or self.verbose == 2 or now - self._last_draw < self.interval):
            return
        self._last_draw = now
        elapsed = now - self._start
        per_step = elapsed / max(current, 1)
        metrics = "".join(f" - {name}: {_format_value(values[name])}" for name in sorted(values or {}))
        if self.verbose == 2:
            line = f"{current}/{self.target} - {elapsed:.0f}s - {_format_per_step(per_step, self.unit_name)}{metrics}"
        else:
            timing = self._timing(current, elapsed, per_step, finalize)
            line = f"{self._counter(current)} {self._bar(current)} {timing}{metrics}"
        self._write(line, finalize)
        self._done = finalize

    def _counter(self, current: int) -> str:
        return f"{current:>{len(str(self.target))}}/{self.target}"

    def _bar(self, current: int) -> str:
        done = min(self.width, self.width * current // self.target)
        return self._chars[0] * done + self._chars[1] * (self.width - done)

    def _timing(self, current: int, elapsed: float, per_step: float, finalize: bool) -> str:
        if finalize:
            return f"{elapsed:.0f}s {_format_per_step(per_step, self.unit_name)}"
        return f"{_format_eta(per_step * (self.target - current))} {_format_per_step(per_step, self.unit_name)}"

    def _write(self, line: str, finalize: bool) -> None:
        if self._dynamic and self.verbose == 1:
            # pad with spaces so a shorter line fully covers the one drawn before it
            padded = line.ljust(self._drawn_width)
            self._drawn_width = len(line)
            self.stream.write("\r" + padded + ("\n" if finalize else ""))
        elif finalize:
            self.stream.write(line + "\n")
        self.stream.flush()


def _can_encode(stream: TextIO, text: str) -> bool:
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def _format_value(value: float) -> str:
    # Keras's rule: four decimals, or scientific notation for values too small to show that way
    value = float(value)
    return f"{value:.4f}" if abs(value) > 1e-3 or value == 0 else f"{value:.4e}"


def _format_per_step(seconds: float, unit_name: str) -> str:
    if seconds >= 1:
        return f"{seconds:.0f}s/{unit_name}"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/{unit_name}"
    return f"{seconds * 1e6:.0f}us/{unit_name}"


def _format_eta(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds >= 3600:
        return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    if seconds >= 60:
        return f"{seconds // 60}:{seconds % 60:02d}"
    return f"{seconds}s"
