"""Optimizers (PyTorch's names and defaults), Keras's optimizer names, and learning-rate schedules.

>>> import autograd_lite as ag
>>> model = ag.nn.Linear(2, 1, seed=0)
>>> opt = ag.optim.Adam(model.parameters(), lr=1e-3)        # PyTorch style
>>> opt = ag.optim.get("rmsprop", model.parameters())       # what Keras's compile(optimizer="rmsprop") means
>>> opt
RMSprop(lr=0.001, alpha=0.9, eps=1e-07, weight_decay=0.0, momentum=0.0, centered=False, eps_inside_sqrt=True)
"""
from . import lr_scheduler
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .keras import get
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "RMSprop", "Adam", "AdamW", "Adagrad", "get", "lr_scheduler"]
