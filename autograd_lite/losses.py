"""Loss functions (re-exported by ``autograd_lite.functional``)."""
from __future__ import annotations

__all__: list[str] = []
