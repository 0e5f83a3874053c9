"""autograd-lite: a readable reverse-mode autodiff engine, and the models, optimizers and data around it.

>>> import autograd_lite as ag
>>> x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
>>> (x ** 2).sum().backward()
>>> x.grad
Tensor([2., 4., 6.])

The subpackages (``ag.nn``, ``ag.optim``, ``ag.data``, ``ag.metrics``, ``ag.onnx``) load on
first use, so ``import autograd_lite`` stays quick.
"""
import importlib
from typing import Any

from . import functional
from .allocator import keep_freed_memory as _keep_freed_memory
from .creation import *  # noqa: F401,F403  (ag.zeros, ag.randn, ...: torch's spelling)
from .creation import __all__ as _creation_names
from .dtypes import TORCH_NAMES as _dtype_names
from .engine import (AnomalyError, ShapeError, detect_anomaly, enable_grad, grad, is_grad_enabled,
                     no_grad)
from .gradcheck import GradcheckError, gradcheck
from .random import initial_seed, manual_seed
from .tape import GradientTape
from .tensor import Tensor, as_tensor, tensor
from .transforms import elementwise_grad, hessian, hvp, jacobian, jvp, value_and_grad, vhp, vjp
from .threads import get_num_threads, set_num_threads
from .value import Value

__version__ = "0.1.0"

_keep_freed_memory()  # malloc keeps a step's freed activations for the next step (allocator.py says why)

_LAZY_MODULES = {"nn", "optim", "data", "metrics", "training", "onnx", "linalg", "callbacks"}
_LAZY_NAMES = {"save": "io", "load": "io", "Model": "training", "History": "training"}

__all__ = [
    "Tensor", "Value", "tensor", "as_tensor", "grad", "no_grad", "enable_grad", "is_grad_enabled",
    "detect_anomaly", "GradientTape", "gradcheck", "GradcheckError", "ShapeError", "AnomalyError",
    "functional", "set_num_threads", "get_num_threads", *sorted(_LAZY_MODULES), *sorted(_LAZY_NAMES),
    "jacobian", "hessian", "vjp", "jvp", "hvp", "vhp", "value_and_grad", "elementwise_grad",
    "manual_seed", "initial_seed", *_creation_names, *_dtype_names,
]
globals().update(_dtype_names)  # ag.float32, ag.long, ag.bool...: the dtypes under PyTorch's names


def __getattr__(name: str) -> Any:
    if name in _LAZY_MODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in _LAZY_NAMES:
        return getattr(importlib.import_module(f".{_LAZY_NAMES[name]}", __name__), name)
    raise AttributeError(f"module 'autograd_lite' has no attribute {name!r}")
