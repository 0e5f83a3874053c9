"""Where randomness comes from: one default generator, reseeded by :func:`manual_seed`.

Everything random in the library (``ag.rand``/``randn``/``randint``, ``nn``
initialisers and layers made with ``seed=None``, ``Dropout``, shuffling
``DataLoader``) draws from :func:`default_generator` unless given a seed or a
``numpy.random.Generator`` of its own. ``ag.manual_seed(0)`` makes all of it
repeatable, as ``torch.manual_seed(0)`` does.

Until ``manual_seed`` is called, each draw takes a fresh seed from numpy's
global state, so ``np.random.seed(0)`` at the top of a script (as the seed
programs do) still makes a run repeatable.

>>> _ = manual_seed(0)
>>> a = default_generator().random()
>>> _ = manual_seed(0)
>>> a == default_generator().random()
True
"""
from __future__ import annotations

import numpy as np

__all__ = ["Seed", "manual_seed", "initial_seed", "default_generator", "as_generator"]

Seed = int | np.random.Generator | None


class _State:
    generator: np.random.Generator | None = None  # None until manual_seed: numpy's global state governs
    seed: int | None = None


def manual_seed(seed: int) -> np.random.Generator:
    """Seed the default generator (``torch.manual_seed``); returns it."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"manual_seed: seed must be an int, got {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"manual_seed: seed must be >= 0, got {seed}")
    _State.seed = int(seed)
    _State.generator = np.random.default_rng(int(seed))
    return _State.generator


def initial_seed() -> int | None:
    """The seed given to the last :func:`manual_seed` (``None`` if it was never called)."""
    return _State.seed


def default_generator() -> np.random.Generator:
    """The generator seeded by :func:`manual_seed`, or one seeded from numpy's global state before that."""
    if _State.generator is not None:
        return _State.generator
    return np.random.default_rng(int(np.random.randint(0, 2**31 - 1)))


def as_generator(seed: Seed = None, generator: np.random.Generator | None = None) -> np.random.Generator:
    """The generator to draw from: ``generator``, a new one from an int ``seed``, or the default one.

    >>> float(as_generator(3).random()) == float(as_generator(3).random())
    True
    """
    if generator is not None:
        if seed is not None:
            raise TypeError("give either seed= or generator=, not both")
        seed = generator
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:
        return default_generator()
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an int, a numpy.random.Generator or None; got {type(seed).__name__}")
    return np.random.default_rng(int(seed))
