"""autograd-lite: a readable reverse-mode autodiff engine, and the models, optimizers and data around it.

>>> import autograd_lite as ag
>>> x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
>>> (x ** 2).sum().backward()
>>> x.grad
Tensor([2., 4., 6.])
"""
from . import functional
from .engine import (AnomalyError, ShapeError, detect_anomaly, enable_grad, grad, is_grad_enabled,
                     no_grad)
from .gradcheck import GradcheckError, gradcheck
from .tape import GradientTape
from .tensor import Tensor, as_tensor, tensor
from .value import Value

__version__ = "0.1.0"

__all__ = [
    "Tensor", "Value", "tensor", "as_tensor", "grad", "no_grad", "enable_grad", "is_grad_enabled",
    "detect_anomaly", "GradientTape", "gradcheck", "GradcheckError", "ShapeError", "AnomalyError",
    "functional",
]
