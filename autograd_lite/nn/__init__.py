"""Modules built on the engine: layers, containers, activations, loss modules and initialisers.

>>> import autograd_lite as ag
>>> model = ag.nn.Sequential(ag.nn.Linear(2, 8, seed=0), ag.nn.ReLU(), ag.nn.Linear(8, 1, seed=1))
>>> [name for name, _ in model.named_parameters()]
['0.weight', '0.bias', '2.weight', '2.bias']
"""
from . import init
from .activations import *  # noqa: F401,F403 (Identity and a module per activation declared in ops.registry)
from .activations import __all__ as _activation_names
from .containers import MLP, Sequential
from .conv import Conv1d, Conv2d, ConvTranspose2d
from .keras_layers import AveragePooling2D, BatchNormalization, Conv2D, GlobalAveragePooling2D, MaxPooling2D
from .layers import Dense, Dropout, Flatten, Linear
from .losses import (BCELoss, BCEWithLogitsLoss, BinaryCrossentropy, CategoricalCrossentropy, CrossEntropyLoss,
                     L1Loss, MeanAbsoluteError, MeanSquaredError, MSELoss, NLLLoss, SparseCategoricalCrossentropy)
from .losses import HuberLoss, KLDivLoss, SmoothL1Loss  # engine breadth (issue 13)
from .module import IncompatibleKeys, Module, Parameter, StateDictError
from .normalization import BatchNorm1d, BatchNorm2d, Dropout2d, Embedding, GroupNorm, LayerNorm
from .pooling import AdaptiveAvgPool2d, AdaptiveMaxPool2d, AvgPool1d, AvgPool2d, MaxPool1d, MaxPool2d
from .resampling import PixelShuffle, Unflatten, Upsample

__all__ = [
    "Module", "Parameter", "StateDictError", "IncompatibleKeys",
    "Linear", "Dense", "Dropout", "Flatten", "Sequential", "MLP",
    "CrossEntropyLoss", "NLLLoss", "MSELoss", "L1Loss", "BCELoss", "BCEWithLogitsLoss",
    "HuberLoss", "SmoothL1Loss", "KLDivLoss",
    "SparseCategoricalCrossentropy", "CategoricalCrossentropy", "BinaryCrossentropy",
    "MeanSquaredError", "MeanAbsoluteError", "init",
    *_activation_names,
    "Conv1d", "Conv2d", "ConvTranspose2d", "MaxPool2d", "AvgPool2d", "MaxPool1d", "AvgPool1d",
    "BatchNorm1d", "BatchNorm2d", "LayerNorm", "GroupNorm", "Embedding", "Dropout2d",
    "AdaptiveAvgPool2d", "AdaptiveMaxPool2d", "Upsample", "PixelShuffle", "Unflatten",
    "Conv2D", "MaxPooling2D", "AveragePooling2D", "BatchNormalization", "GlobalAveragePooling2D",
]
