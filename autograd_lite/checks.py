"""Argument checks shared across the package, so one rule gives one message everywhere."""
from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["check_count"]


def check_count(n: Any, what: str, minimum: int = 1) -> int:
    """``n`` as an int, if it is a whole number (not a bool) of at least ``minimum``; else a ValueError
    naming ``what``: "batch_size must be a positive integer; got 0".

    >>> check_count(np.int64(3), "epochs", minimum=0)
    3
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < minimum:
        wanted = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        raise ValueError(f"{what} must be {wanted}; got {n!r}")
    return int(n)
