"""The numpy-backed Tensor: an ndarray in a graph node, with PyTorch's names."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .engine import Node, ShapeError, raw
from .ops.activations import LeakyReLU, LogSoftmax, LogSumExp, ReLU, Sigmoid, Softmax
from .ops.arithmetic import Add, Div, Mul, Neg, Pow, PowConst, Sub
from .ops.elementwise import Abs, Clip, Cos, Exp, Log, Maximum, Minimum, Sin, Sqrt, Tanh, Where
from .ops.indexing import GetItem
from .ops.linalg import MatMul
from .ops.reductions import Max, Mean, Min, Sum, normalize_axes
from .ops.shape import BroadcastTo, Concat, Permute, Reshape

__all__ = ["Tensor", "tensor", "as_tensor", "resolve_axis"]

_DEFAULT_FLOAT = np.float32


def _to_array(data: Any, dtype: Any) -> np.ndarray:
    """numpy array for Tensor(data): Python numbers and lists of floats become float32, as in PyTorch."""
    if isinstance(data, Node):
        data = data.data
    from_python = not isinstance(data, (np.ndarray, np.generic))
    try:
        array = np.asarray(data, dtype=dtype)
    except (ValueError, TypeError) as error:
        raise TypeError(f"Tensor: data must be numbers (a number, a nested list of numbers or a numeric "
                        f"ndarray); got {type(data).__name__}: {error}") from None
    if array.dtype.kind not in "biuf":
        raise TypeError(f"Tensor: data must be numeric (bool, int or float); got dtype {array.dtype} "
                        f"from {type(data).__name__}")
    if dtype is None and from_python and array.dtype == np.float64:
        array = array.astype(_DEFAULT_FLOAT)
    return array


def resolve_axis(axis: Any, dim: Any, keepdims: bool | None = False,
                 keepdim: bool | None = None) -> tuple[Any, bool]:
    """Accept numpy's ``axis``/``keepdims`` or PyTorch's ``dim``/``keepdim``."""
    if dim is not None:
        if axis is not None:
            raise TypeError("pass either axis= or dim=, not both")
        axis = dim
    if isinstance(axis, list):
        axis = tuple(axis)
    return axis, bool(keepdim if keepdim is not None else keepdims)


class Tensor(Node):
    """An n-dimensional array that records the ops applied to it.

    >>> x = Tensor([[1.0, 2.0]], requires_grad=True)
    >>> y = (x * x).sum()
    >>> y.backward()
    >>> x.grad
    Tensor([[2., 4.]])
    """

    __slots__ = ("name",)
    __array_ufunc__ = None  # ndarray ⊕ Tensor defers to Tensor's reflected operators
    __hash__ = object.__hash__

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None, name: str = "") -> None:
        self.data = _to_array(data, dtype)
        self.grad = None
        self._op = None
        self._hooks = None
        self._retains_grad = False
        self.name = name
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    # -- construction used by the engine ------------------------------------
    @classmethod
    def _from_op(cls, data: Any, op: Any) -> "Tensor":
        t = Tensor.__new__(Tensor)
        t.data = data if type(data) is np.ndarray else np.asarray(data)
        t.grad = None
        t._op = op
        t._hooks = None
        t._retains_grad = False
        t.name = ""
        t.requires_grad = op is not None
        return t

    @classmethod
    def _constant(cls, x: Any, inputs: Sequence[Any]) -> "Tensor":
        if isinstance(x, Node):
            raise TypeError(f"cannot combine a Tensor with a {type(x).__name__}")
        if isinstance(x, (int, float)) and not isinstance(x, (bool, np.generic)):
            # A Python number takes the tensor's float dtype, as in PyTorch: float32 * 2.0 stays float32.
            like = next(t for t in inputs if isinstance(t, Tensor)).data.dtype
            if like.kind == "f":
                return cls._from_op(np.asarray(x, dtype=like), None)
        return cls._from_op(_to_array(x, None), None)

    def _root_grad(self, g: Any, create_graph: bool) -> Any:
        if g is None:
            if self.data.size != 1:
                raise RuntimeError(f"backward: grad can be created implicitly only for a scalar output, but this "
                                   f"tensor has shape {self.shape}; pass gradient= (a tensor of that shape), or "
                                   f"reduce it first (e.g. .sum() or .mean())")
            g = np.ones_like(self.data)
        else:
            g = self._check_grad(raw(g) if not create_graph else g, "backward")
        if create_graph and not isinstance(g, Node):
            g = Tensor._from_op(np.asarray(g, dtype=self.data.dtype), None)
        return g

    def _check_grad(self, g: Any, where: str) -> Any:
        shape = g.shape if isinstance(g, Node) else np.shape(g)
        if shape != self.shape:
            raise ShapeError(f"{where}: gradient has shape {tuple(shape)} but the tensor has shape {self.shape}")
        return g if isinstance(g, Node) else np.asarray(g, dtype=self.data.dtype)

    def _wrap_grad(self, g: Any, create_graph: bool) -> "Tensor":
        if isinstance(g, Node):
            return g
        g = np.asarray(g)
        if g.dtype != self.data.dtype and self.data.dtype.kind == "f":
            g = g.astype(self.data.dtype)
        if not g.flags.writeable:  # a broadcast view: give users an array they own
            g = g.copy()
        return Tensor._from_op(g, None)

    def _accumulate_grad(self, g: Any, create_graph: bool) -> None:
        if self.grad is not None and not create_graph and self.grad._op is None:
            self.grad = Tensor._from_op(self.grad.data + raw(g), None)
        else:
            super()._accumulate_grad(g, create_graph)

    # -- attributes ---------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

    def numel(self) -> int:
        return self.data.size

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self.data)

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        if requires_grad and self.data.dtype.kind != "f":
            raise TypeError(f"Tensor: only floating point tensors can require gradients; this one has dtype "
                            f"{self.data.dtype} (make it float, e.g. Tensor(data, dtype='float32'))")
        if not self.is_leaf:
            raise RuntimeError("requires_grad_: only leaf tensors can change requires_grad; use detach() first")
        self.requires_grad = requires_grad
        return self

    def numpy(self) -> np.ndarray:
        return self.data

    def item(self) -> float | int | bool:
        if self.data.size != 1:
            raise ValueError(f"item: only a one-element tensor can be turned into a number; shape is {self.shape}")
        return self.data.item()

    def tolist(self) -> Any:
        return self.data.tolist()

    def detach(self) -> "Tensor":
        """The same data, cut from the graph (shares memory, as in PyTorch)."""
        return Tensor._from_op(self.data, None)

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        if dtype is None:
            return self.data
        return self.data.astype(dtype, copy=bool(copy))

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="Tensor(", threshold=100)
        extras = []
        if self.data.dtype != _DEFAULT_FLOAT:
            extras.append(f"dtype={self.data.dtype}")
        if self._op is not None:
            extras.append(f"grad_fn={self._op.name}")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        if self.name:
            extras.append(f"name={self.name!r}")
        return f"Tensor({body}{''.join(', ' + e for e in extras)})"

    def __bool__(self) -> bool:
        return bool(self.data)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __format__(self, spec: str) -> str:
        return format(self.item(), spec) if spec and self.data.size == 1 else repr(self)

    # -- arithmetic ---------------------------------------------------------
    def __add__(self, other): return Add()(self, other)
    def __radd__(self, other): return Add()(other, self)
    def __sub__(self, other): return Sub()(self, other)
    def __rsub__(self, other): return Sub()(other, self)
    def __mul__(self, other): return Mul()(self, other)
    def __rmul__(self, other): return Mul()(other, self)
    def __truediv__(self, other): return Div()(self, other)
    def __rtruediv__(self, other): return Div()(other, self)
    def __neg__(self): return Neg()(self)
    def __matmul__(self, other): return MatMul()(self, other)
    def __rmatmul__(self, other): return MatMul()(other, self)

    def __pow__(self, other):
        if isinstance(other, (int, float)) and not isinstance(other, bool):
            return PowConst(other)(self)
        return Pow()(self, other)

    def __rpow__(self, other): return Pow()(other, self)

    # comparisons give boolean tensors with no history, as in PyTorch
    def __lt__(self, other): return Tensor._from_op(self.data < raw(other), None)
    def __le__(self, other): return Tensor._from_op(self.data <= raw(other), None)
    def __gt__(self, other): return Tensor._from_op(self.data > raw(other), None)
    def __ge__(self, other): return Tensor._from_op(self.data >= raw(other), None)
    def __eq__(self, other): return Tensor._from_op(self.data == raw(other), None)  # type: ignore[override]
    def __ne__(self, other): return Tensor._from_op(self.data != raw(other), None)  # type: ignore[override]

    def __getitem__(self, index: Any) -> "Tensor":
        return GetItem(index)(self)

    # -- elementwise --------------------------------------------------------
    def exp(self): return Exp()(self)
    def log(self): return Log()(self)
    def sqrt(self): return Sqrt()(self)
    def abs(self): return Abs()(self)
    def sin(self): return Sin()(self)
    def cos(self): return Cos()(self)
    def tanh(self): return Tanh()(self)
    def sigmoid(self): return Sigmoid()(self)
    def relu(self): return ReLU()(self)
    def leaky_relu(self, negative_slope: float = 0.01): return LeakyReLU(negative_slope)(self)
    __abs__ = abs

    def maximum(self, other): return Maximum()(self, other)
    def minimum(self, other): return Minimum()(self, other)

    def clip(self, min: float | None = None, max: float | None = None) -> "Tensor":  # noqa: A002 (PyTorch's names)
        if min is None and max is None:
            raise ValueError("clip: give at least one of min and max")
        return Clip(min, max)(self)

    clamp = clip

    # -- reductions ---------------------------------------------------------
    def sum(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        return Sum(*resolve_axis(axis, dim, keepdims, keepdim))(self)

    def mean(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        return Mean(*resolve_axis(axis, dim, keepdims, keepdim))(self)

    def max(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        return Max(*resolve_axis(axis, dim, keepdims, keepdim))(self)

    def min(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        return Min(*resolve_axis(axis, dim, keepdims, keepdim))(self)

    def var(self, axis=None, keepdims=False, *, dim=None, keepdim=None, correction: int = 1, ddof: int | None = None):
        """Variance; ``correction=1`` (the unbiased estimate) by default, as in PyTorch; ``ddof=0`` for numpy's."""
        axis, keep = resolve_axis(axis, dim, keepdims, keepdim)
        if ddof is not None:
            correction = ddof
        n = int(np.prod([self.shape[a] for a in normalize_axes(axis, self.ndim, "var")]))
        centred = self - self.mean(axis, keepdims=True)
        return (centred * centred).sum(axis, keepdims=keep) / max(n - correction, 0)

    def logsumexp(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        return LogSumExp(*resolve_axis(axis, dim, keepdims, keepdim))(self)

    def softmax(self, axis=-1, *, dim=None):
        return Softmax(resolve_axis(axis if dim is None else None, dim)[0])(self)

    def log_softmax(self, axis=-1, *, dim=None):
        return LogSoftmax(resolve_axis(axis if dim is None else None, dim)[0])(self)

    def argmax(self, axis=None, keepdims=False, *, dim=None, keepdim=None) -> "Tensor":
        axis, keep = resolve_axis(axis, dim, keepdims, keepdim)
        return Tensor._from_op(np.argmax(self.data, axis=axis, keepdims=keep), None)

    def argmin(self, axis=None, keepdims=False, *, dim=None, keepdim=None) -> "Tensor":
        axis, keep = resolve_axis(axis, dim, keepdims, keepdim)
        return Tensor._from_op(np.argmin(self.data, axis=axis, keepdims=keep), None)

    # -- shape --------------------------------------------------------------
    def reshape(self, *shape: Any) -> "Tensor":
        shape = tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        return Reshape(tuple(int(n) for n in shape))(self)

    view = reshape

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> "Tensor":
        if self.ndim == 0:
            return self.reshape(1)
        start, end = start_dim % self.ndim, end_dim % self.ndim
        merged = int(np.prod(self.shape[start:end + 1]))
        return self.reshape(self.shape[:start] + (merged,) + self.shape[end + 1:])

    def permute(self, *axes: Any) -> "Tensor":
        axes = tuple(axes[0]) if len(axes) == 1 and isinstance(axes[0], (tuple, list)) else axes
        if sorted(a % max(self.ndim, 1) for a in axes) != list(range(self.ndim)):
            raise ShapeError(f"permute: {axes} is not an order of the {self.ndim} axes of shape {self.shape}")
        return Permute(tuple(a % self.ndim for a in axes))(self)

    def transpose(self, *axes: Any) -> "Tensor":
        """``transpose()`` reverses the axes (numpy); ``transpose(d0, d1)`` swaps two (PyTorch);
        ``transpose(axes)`` with a full order permutes (numpy). For 2-D tensors they agree."""
        if not axes:
            return Permute(None)(self)
        if len(axes) == 2 and all(isinstance(a, (int, np.integer)) for a in axes) and self.ndim != 2:
            return self.swapaxes(*axes)
        return self.permute(*axes)

    def swapaxes(self, axis0: int, axis1: int) -> "Tensor":
        order = list(range(self.ndim))
        order[axis0], order[axis1] = order[axis1], order[axis0]
        return Permute(tuple(order))(self)

    @property
    def T(self) -> "Tensor":
        return Permute(None)(self)

    def broadcast_to(self, *shape: Any) -> "Tensor":
        shape = tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        return BroadcastTo(shape)(self)

    def expand(self, *shape: Any) -> "Tensor":
        """PyTorch's expand: like broadcast_to, and -1 keeps a dimension as it is."""
        shape = tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        lead = len(shape) - self.ndim
        shape = tuple(self.shape[i - lead] if n == -1 else n for i, n in enumerate(shape))
        return BroadcastTo(shape)(self)

    def squeeze(self, axis=None, *, dim=None) -> "Tensor":
        axis = resolve_axis(axis, dim)[0]
        if axis is None:
            return self.reshape(tuple(n for n in self.shape if n != 1))
        axes = normalize_axes(axis, self.ndim, "squeeze")
        # PyTorch leaves a dimension alone if it is not of length 1
        return self.reshape(tuple(n for i, n in enumerate(self.shape) if not (i in axes and n == 1)))

    def unsqueeze(self, axis: int | None = None, *, dim: int | None = None) -> "Tensor":
        axis = resolve_axis(axis, dim)[0]
        if axis is None:
            raise TypeError("unsqueeze: give the axis (dim) at which to insert a dimension")
        axis = axis % (self.ndim + 1)
        return self.reshape(self.shape[:axis] + (1,) + self.shape[axis:])


def tensor(data: Any, requires_grad: bool = False, dtype: Any = None) -> Tensor:
    """Make a Tensor (``torch.tensor``'s spelling)."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def as_tensor(x: Any) -> Tensor:
    """``x`` if it is a Tensor already, else a constant Tensor of it."""
    return x if isinstance(x, Tensor) else Tensor(x)


Tensor._graph_kind = Tensor
