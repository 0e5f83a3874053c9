"""The differentiable ops, one file per family.

Each op is a small class: ``forward`` computes on raw data, ``backward``
states the chain rule with operators that also work on graph nodes, and
``derivatives`` states each local derivative once, for readers (and for the
renderer and the chain-rule explainer in ``viz``).

>>> from autograd_lite.ops import Mul
>>> Mul().describe_derivatives()
['∂(a*b)/∂a = b', '∂(a*b)/∂b = a']
"""
from .activations import LeakyReLU, LogSoftmax, LogSumExp, ReLU, Sigmoid, Softmax
from .arithmetic import Add, Div, Dot, Mul, Neg, Pow, PowConst, Sub
from .conv import Conv2dOp, Conv2dWeight, ConvTranspose2dOp, Fold, Unfold
from .elementwise import Abs, Clip, Cos, Exp, Log, Maximum, Minimum, Sin, Sqrt, Tanh, Where
from .indexing import GetItem, IndexAdd
from .linalg import Linear, MatMul
from .losses import BinaryCrossEntropy, SigmoidCrossEntropy, SoftmaxCrossEntropy
from .pooling import AvgPool2dOp, AvgPool2dScatter, MaxPool2dGather, MaxPool2dOp, MaxPool2dScatter
from .reductions import Max, Mean, Min, Sum
from .shape import BroadcastTo, Concat, Permute, Reshape, SumTo

__all__ = [
    "Add", "Sub", "Mul", "Div", "Neg", "Pow", "PowConst", "Dot",
    "Exp", "Log", "Sqrt", "Abs", "Sin", "Cos", "Tanh", "Maximum", "Minimum", "Clip", "Where",
    "Sigmoid", "ReLU", "LeakyReLU", "Softmax", "LogSoftmax", "LogSumExp",
    "Sum", "Mean", "Max", "Min",
    "Reshape", "Permute", "BroadcastTo", "SumTo", "Concat",
    "GetItem", "IndexAdd", "MatMul", "Linear",
    "SoftmaxCrossEntropy", "SigmoidCrossEntropy", "BinaryCrossEntropy",
    "Conv2dOp", "ConvTranspose2dOp", "Conv2dWeight", "Unfold", "Fold",
    "MaxPool2dOp", "MaxPool2dScatter", "MaxPool2dGather", "AvgPool2dOp", "AvgPool2dScatter",
]
