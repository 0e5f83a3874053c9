"""The differentiable ops, one file per family, and the registry that makes them public.

Each op is a small class: ``forward`` computes on raw data, ``backward``
states the chain rule with operators that also work on graph nodes, and
``derivatives`` states each local derivative once, for readers (and for the
renderer and the chain-rule explainer in ``viz``). Simple elementwise
functions are one row each. :mod:`.registry` holds every public op's
declaration; ``Tensor`` and ``Value`` methods, ``ag.functional``, the ``nn``
activation modules and ``draw``'s functions are made from it.

An op class whose function is also an ``nn`` module ends in ``Op``
(``ReLUOp``, ``LinearOp``); the module keeps the plain name (``nn.ReLU``).

>>> from autograd_lite.ops import Mul
>>> Mul().describe_derivatives()
['∂(a*b)/∂a = b', '∂(a*b)/∂b = a']
"""
from . import logical, registry  # noqa: F401 (logical declares functions, not op classes)
from .activations import (CELUOp, ELUOp, GELUOp, HardsigmoidOp, HardswishOp, HardtanhOp, LeakyReLUOp,
                          LogSigmoidOp, LogSoftmaxOp, LogSumExp, MishOp, NormalCDF, ReLUOp, SELUOp, SigmoidOp,
                          SiLUOp, SoftmaxOp, SoftplusOp, SoftsignOp, TanhshrinkOp)
from .arithmetic import (Add, Atan2, Copysign, Div, Dot, FloorDivide, Fmod, Lerp, Mul, Neg, Pow, PowConst,
                         Remainder, Sub, TruncDivide)
from .elementwise import (Abs, Acos, Acosh, Asin, Asinh, Atan, Atanh, Ceil, Clip, Cos, Cosh, Exp, Exp2, Expm1,
                          Floor, Frac, Log, Log1p, Log2, Log10, Maximum, Minimum, NanToNum, Reciprocal, Round,
                          Rsqrt, Sign, Sin, Sinh, Sqrt, Square, Tan, TanhOp, Trunc, Where)
from .conv import Conv2dOp, Conv2dWeight, ConvTranspose2dOp, Fold, Unfold
from .indexing import GetItem, IndexAdd
from .linalg import LinearOp, MatMul
from .losses import BinaryCrossEntropy, SigmoidCrossEntropy, SoftmaxCrossEntropy
from .reductions import Max, Mean, Min, Prod, Sum
from .scans import CumProd, CumSum, LogCumSumExp, RunningExtreme
from .pooling import AvgPool2dOp, AvgPool2dScatter, MaxPool2dGather, MaxPool2dOp, MaxPool2dScatter
from .shape import BroadcastTo, Concat, Permute, Reshape, Split, SumTo
from .sorting import ExtremeAlong, MedianOp, PickAlong, SortOp
from .casts import Cast, Clone  # engine breadth (issue 13): ops with settings, one file per family
from .einsum import Einsum
from .gather_scatter import Gather, Scatter, ScatterReduce
from .padding import Pad

__all__ = [
    "Add", "Sub", "Mul", "Div", "Neg", "Pow", "PowConst", "Dot",
    "FloorDivide", "TruncDivide", "Remainder", "Fmod", "Atan2", "Copysign", "Lerp",
    "Exp", "Log", "Sqrt", "Abs", "Sin", "Cos", "TanhOp", "Maximum", "Minimum", "Clip", "Where",
    "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Asinh", "Acosh", "Atanh", "Log2", "Log10", "Log1p",
    "Exp2", "Expm1", "Rsqrt", "Square", "Reciprocal", "Sign", "Floor", "Ceil", "Round", "Trunc", "Frac",
    "NanToNum",
    "SigmoidOp", "ReLUOp", "LeakyReLUOp", "SoftmaxOp", "LogSoftmaxOp", "LogSumExp",
    "NormalCDF", "GELUOp", "ELUOp", "CELUOp", "SELUOp", "SoftplusOp", "HardtanhOp", "SiLUOp", "MishOp",
    "HardsigmoidOp", "HardswishOp", "SoftsignOp", "LogSigmoidOp", "TanhshrinkOp",
    "Sum", "Mean", "Max", "Min", "Prod", "CumSum", "CumProd", "LogCumSumExp", "RunningExtreme",
    "PickAlong", "SortOp", "ExtremeAlong", "MedianOp",
    "Reshape", "Permute", "BroadcastTo", "SumTo", "Concat", "Split",
    "GetItem", "IndexAdd", "MatMul", "LinearOp",
    "SoftmaxCrossEntropy", "SigmoidCrossEntropy", "BinaryCrossEntropy",
    "Cast", "Clone", "Einsum", "Gather", "Scatter", "ScatterReduce", "Pad",
    "registry",
    "Conv2dOp", "ConvTranspose2dOp", "Conv2dWeight", "Unfold", "Fold",
    "MaxPool2dOp", "MaxPool2dScatter", "MaxPool2dGather", "AvgPool2dOp", "AvgPool2dScatter",
]
