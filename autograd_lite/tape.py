"""TensorFlow's GradientTape on the engine, for code written in that style."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .engine import Node, enable_grad, grad

__all__ = ["GradientTape"]


class GradientTape:
    """Record a computation, then ask for gradients, as with ``tf.GradientTape``.

    >>> w = Tensor([1.0, 2.0], requires_grad=True)
    >>> with GradientTape() as tape:
    ...     loss = (w * w).sum()
    >>> tape.gradient(loss, [w])
    [Tensor([2., 4.])]

    Tensors that require grad (parameters) are watched automatically;
    ``watch(x)`` adds one that does not (it requires grad until a
    non-persistent tape has answered; a persistent tape leaves it so). As in TensorFlow: one ``gradient`` call per tape unless
    ``persistent=True``; a source the target does not depend on gets
    ``None``; a non-scalar target gives the gradient of its sum.
    """

    def __init__(self, persistent: bool = False) -> None:
        self.persistent = persistent
        self._watched: list[Node] = []
        self._used = False
        self._recording = enable_grad()

    def __enter__(self) -> "GradientTape":
        self._recording.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._recording.__exit__(*exc)

    def watch(self, tensor: Node | Sequence[Node]) -> None:
        """Track ``tensor`` (or each of a list) although it does not require grad."""
        for t in ([tensor] if isinstance(tensor, Node) else tensor):
            if not isinstance(t, Node):
                raise TypeError(f"GradientTape.watch: expected a Tensor, got {type(t).__name__}")
            if not t.requires_grad:
                t.requires_grad_(True)
                self._watched.append(t)

    def gradient(self, target: Node, sources: Node | Sequence[Node],
                 output_gradients: Any = None) -> Any:
        """d(target)/d(source) for each source: a list for a list, one tensor for one."""
        if self._used and not self.persistent:
            raise RuntimeError("GradientTape.gradient can only be called once on a non-persistent tape; "
                               "use GradientTape(persistent=True) to call it several times")
        self._used = True
        single = isinstance(sources, Node)
        srcs = [sources] if single else list(sources)
        try:
            grads = self._gradients(target, srcs, output_gradients)
        finally:
            if not self.persistent:
                self._unwatch()
        return grads[0] if single else grads

    def _gradients(self, target: Node, sources: list[Node], output_gradients: Any) -> list[Any]:
        if not isinstance(target, Node):
            raise TypeError(f"GradientTape.gradient: the target must be a Tensor, got {type(target).__name__}")
        wanted = [i for i, s in enumerate(sources) if isinstance(s, Node) and s.requires_grad]
        result: list[Any] = [None] * len(sources)
        if not target.requires_grad or not wanted:
            return result  # nothing watched reaches the target: TensorFlow answers None
        if output_gradients is None and np.size(target.data) != 1:
            output_gradients = np.ones_like(target.data)
        found = grad(target, [sources[i] for i in wanted], grad_outputs=output_gradients,
                     retain_graph=self.persistent, allow_unused=True)
        for i, g in zip(wanted, found):
            result[i] = g
        return result

    def _unwatch(self) -> None:
        for t in self._watched:
            t.requires_grad = False
        self._watched.clear()
