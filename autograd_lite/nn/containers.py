"""Sequential (a chain of modules) and MLP (a ready-made Sequential of Linear layers)."""
from __future__ import annotations

from typing import Any, Iterable, Iterator, Sequence

from . import activations, init
from .layers import Linear
from .module import Module

__all__ = ["Sequential", "MLP"]


class Sequential(Module):
    """Modules applied one after another, named ``"0"``, ``"1"``, ... (so parameters are ``0.weight``, ...).

    Takes the modules as arguments (PyTorch) or as one list (Keras), and is
    indexable, sliceable, iterable and ``len()``-able.

    >>> from autograd_lite.nn import Dense
    >>> model = Sequential([Dense(512, activation="relu"), Dense(10, activation="softmax")])
    >>> len(model), type(model[-1]).__name__
    (2, 'Dense')
    """

    def __init__(self, *modules: Module | Sequence[Module]) -> None:
        if len(modules) == 1 and isinstance(modules[0], (list, tuple)):
            modules = tuple(modules[0])
        for module in modules:
            self.append(module)

    def append(self, module: Module) -> "Sequential":
        """Add a module at the end (Keras calls this ``add``)."""
        if not isinstance(module, Module):
            raise TypeError(f"Sequential: expected a Module, got {type(module).__name__} "
                            f"(wrap plain functions in a Module subclass)")
        setattr(self, str(len(self)), module)  # PyTorch's naming: the position is the attribute name
        return self

    add = append

    def _layers(self) -> list[Module]:
        return [m for name, m in vars(self).items() if name.isdigit()]

    @property
    def layers(self) -> list[Module]:
        """The modules in order (Keras's ``model.layers``)."""
        return self._layers()

    def __len__(self) -> int:
        return len(self._layers())

    def __iter__(self) -> Iterator[Module]:
        return iter(self._layers())

    def __getitem__(self, index: int | slice) -> Any:
        layers = self._layers()
        if isinstance(index, slice):
            return Sequential(layers[index])
        try:
            return layers[index]
        except IndexError:
            raise IndexError(f"Sequential: index {index} is out of range for {len(layers)} modules") from None

    def forward(self, x: Any) -> Any:
        for module in self._layers():
            x = module(x)
        return x


class MLP(Sequential):
    """Linear layers of the given sizes with ``activation`` between them and none after the last (logits out).

    >>> [type(m).__name__ for m in MLP(2, [16, 16], 1, seed=0)]
    ['Linear', 'ReLU', 'Linear', 'ReLU', 'Linear']
    """

    def __init__(self, in_features: int, hidden_sizes: Iterable[int], out_features: int,
                 activation: str | type[Module] = "relu", seed: init.Seed = None) -> None:
        rng = init.as_generator(seed)
        sizes = [in_features, *hidden_sizes, out_features]
        modules: list[Module] = []
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            if i:
                modules.append(activations.module(activation))
            modules.append(Linear(n_in, n_out, seed=rng))
        super().__init__(modules)
