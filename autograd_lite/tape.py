"""TensorFlow's GradientTape on the engine, for code written in that style."""
from __future__ import annotations

from typing import Any, Sequence

from .engine import Node, _GradMode, grad
from .tensor import Tensor

__all__ = ["GradientTape"]


class GradientTape:
    """Record a computation, then ask for gradients, as with ``tf.GradientTape``.

    >>> with GradientTape() as tape:
    ...     loss = loss_fn(model(x), y)
    >>> grads = tape.gradient(loss, model.parameters())

    Tensors that require grad (parameters) are watched automatically;
    ``watch(x)`` adds one that does not (it then requires grad until the tape
    is used up). A tape answers one ``gradient`` call unless
    ``persistent=True``. Sources the target does not depend on get ``None``,
    as in TensorFlow.
    """

    def __init__(self, persistent: bool = False) -> None:
        self.persistent = persistent
        self._watched: list[Tensor] = []
        self._used = False
        self._mode = _GradMode(True)

    def __enter__(self) -> "GradientTape":
        self._mode.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._mode.__exit__(*exc)

    def watch(self, tensor: Tensor | Sequence[Tensor]) -> None:
        for t in ([tensor] if isinstance(tensor, Node) else tensor):
            if not t.requires_grad:
                t.requires_grad_(True)
                self._watched.append(t)

    def gradient(self, target: Node, sources: Node | Sequence[Node],
                 output_gradients: Any = None) -> Any:
        """d(target)/d(source) for each source: a list for a list, one tensor for one."""
        if self._used and not self.persistent:
            raise RuntimeError("GradientTape.gradient can be called once on a non-persistent tape; "
                               "use GradientTape(persistent=True) to call it several times")
        self._used = True
        single = isinstance(sources, Node)
        srcs = [sources] if single else list(sources)
        try:
            grads = grad(target, srcs, grad_outputs=output_gradients,
                         retain_graph=self.persistent, allow_unused=True)
        finally:
            if not self.persistent:
                self._unwatch()
        return grads[0] if single else list(grads)

    def _unwatch(self) -> None:
        for t in self._watched:
            t.requires_grad = False
        self._watched.clear()
