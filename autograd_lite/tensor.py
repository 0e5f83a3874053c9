"""The numpy-backed Tensor: an ndarray in a graph node, with PyTorch's names."""
from __future__ import annotations

from typing import Any, Iterator, Sequence

import numpy as np

from .dtypes import DEFAULT_FLOAT, as_dtype, forward_with_promotion
from .engine import Node, ShapeError, holds_values, mark_changed, named_constant, raw
from .ops import registry
from .ops.arithmetic import ArithmeticOperators
from .ops.casts import Cast, Clone
from .ops.indexing import GetItem, index_steps
from .ops.inplace import InPlaceMethods
from .ops.linalg import MatMul
from .ops.reductions import normalize_axes, resolve_axis
from .ops.shape import BroadcastTo, Permute, Reshape

__all__ = ["Tensor", "tensor", "as_tensor", "resolve_axis"]

_DEFAULT_FLOAT = DEFAULT_FLOAT


def _to_array(data: Any, dtype: Any = None, copy: bool = False) -> np.ndarray:
    """numpy array for Tensor(data): Python numbers and lists of floats become float32, as in PyTorch.

    Anything that is not numbers (strings, None, objects) is refused, even
    where numpy would convert it (``np.asarray("3", dtype=float)``).
    """
    if isinstance(data, Node):
        data = data.data
    if isinstance(data, (str, bytes)):
        raise TypeError(f"Tensor: data must be numbers, not {type(data).__name__} {data!r}")
    from_python = not isinstance(data, (np.ndarray, np.generic))
    try:
        array = np.array(data, copy=copy or None)
    except ValueError as error:  # ragged nested lists
        raise ValueError(f"Tensor: data must be a rectangular nested list of numbers: {error}") from None
    except TypeError as error:
        raise TypeError(f"Tensor: data must be numbers; got {type(data).__name__}: {error}") from None
    if array.dtype.kind not in "biuf":
        raise TypeError(f"Tensor: data must be numeric (bool, int or float); got {type(data).__name__} "
                        f"that numpy reads as dtype {array.dtype}")
    if dtype is not None:
        try:
            wanted = np.dtype(dtype)
        except TypeError as error:
            raise TypeError(f"Tensor: {dtype!r} is not a dtype: {error}") from None
        if wanted.kind not in "biuf":
            raise TypeError(f"Tensor: dtype must be bool, int or float; got {wanted}")
        return array.astype(wanted, copy=False)
    if from_python and array.dtype == np.float64:
        return array.astype(_DEFAULT_FLOAT)
    return array


_NUMBER_ARRAYS: dict[tuple[float, np.dtype], np.ndarray] = {}


def _number_array(x: float, dtype: np.dtype) -> np.ndarray:
    """``np.asarray(x, dtype)``, shared and read-only: the constants of ``x * 2.0`` are made once,
    not for every op (making a 0-d array costs about as much as the op itself)."""
    key = (x, dtype)
    array = _NUMBER_ARRAYS.get(key)
    if array is None:
        if len(_NUMBER_ARRAYS) >= 4096:  # many different numbers: keep the cache small
            _NUMBER_ARRAYS.clear()
        array = _NUMBER_ARRAYS[key] = np.asarray(x, dtype=dtype)
        array.flags.writeable = False
    return array


class Tensor(ArithmeticOperators, InPlaceMethods, Node):
    """An n-dimensional array that records the ops applied to it.

    The ops' methods (``exp``, ``sum``, ``max``, ``softmax``...) are made from
    their declarations in :mod:`autograd_lite.ops.registry` (see the end of this file).

    >>> x = Tensor([[1.0, 2.0]], requires_grad=True)
    >>> y = (x * x).sum()
    >>> y.backward()
    >>> x.grad
    Tensor([[2., 4.]])
    """

    __slots__ = ("name", "_version")
    __array_ufunc__ = None  # ndarray ⊕ Tensor defers to Tensor's reflected operators
    __hash__ = object.__hash__

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None, name: str = "") -> None:
        # A copy, as torch.tensor makes one: updating the tensor must not change the caller's array.
        self.data = _to_array(data, dtype, copy=True)
        self.grad = None
        self._op = None
        self._hooks = None
        self._retains_grad = False
        self.name = name
        self._version = 0
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    # -- construction used by the engine ------------------------------------
    @staticmethod  # not a classmethod: binding cls would cost every op a little
    def _from_op(data: Any, op: Any) -> "Tensor":
        t = Tensor.__new__(Tensor)
        t.data = data if type(data) is np.ndarray else np.asarray(data)
        t.grad = None
        t._op = op
        t._hooks = None
        t._retains_grad = False
        t.name = ""
        t._version = 0
        t.requires_grad = op is not None
        return t

    @classmethod
    def _constant(cls, x: Any, inputs: Sequence[Any]) -> "Tensor":
        if type(x) is float:  # x * 2.0, the common case, first: the checks below cost more than the op
            for t in inputs:
                if type(t) is Tensor or isinstance(t, Tensor):
                    like = t.data.dtype
                    if like.kind == "f":
                        return cls._from_op(_number_array(x, like), None)
                    break
        if isinstance(x, Node):
            raise TypeError(f"cannot combine a Tensor with a {type(x).__name__}")
        if isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool):
            # A lone number takes the tensor's dtype, as in PyTorch: float32 * 2.0 (or * np.float64(2)) stays float32.
            like = next(t for t in inputs if isinstance(t, Tensor)).data.dtype
            if like.kind == "f" or (like.kind in "iu" and isinstance(x, (int, np.integer))):
                try:  # a plain try: contextlib.suppress would cost more than the rest of x * 2
                    return cls._from_op(np.asarray(x, dtype=like), None)
                except OverflowError:  # an int too big for the tensor's int type
                    pass
        return cls._from_op(_to_array(x), None)

    def _root_grad(self, g: Any, create_graph: bool) -> Any:
        if g is None:
            if self.data.size != 1:
                raise RuntimeError(f"backward: grad can be created implicitly only for a scalar output, but this "
                                   f"tensor has shape {self.shape}; pass gradient= (a tensor of that shape), or "
                                   f"reduce it first (e.g. .sum() or .mean())")
            g = np.ones_like(self.data)
        else:
            g = self._check_grad(g if create_graph else raw(g), "backward")
        if create_graph and not isinstance(g, Node):  # the seed of a recorded backward, drawn by that name
            g = named_constant(g, self, "seed")
        return g

    def _check_grad(self, g: Any, where: str) -> Any:
        if isinstance(g, Node):
            if g.shape != self.shape:
                raise ShapeError(f"{where}: gradient has shape {g.shape} but the tensor has shape {self.shape}")
            return g
        try:
            g = np.asarray(g, dtype=self.data.dtype)
        except (TypeError, ValueError) as error:
            raise TypeError(f"{where}: the gradient must be numbers of shape {self.shape}: {error}") from None
        if g.shape != self.shape:
            raise ShapeError(f"{where}: gradient has shape {g.shape} but the tensor has shape {self.shape}")
        return g

    def _wrap_grad(self, g: Any) -> "Tensor":
        if isinstance(g, Node):
            return g
        g = np.asarray(g)
        if g.dtype != self.data.dtype and self.data.dtype.kind == "f":
            g = g.astype(self.data.dtype)
        if not g.flags.writeable:  # a broadcast view: give users an array they own
            g = g.copy()
        return Tensor._from_op(g, None)

    def _accumulate_grad(self, g: Any, create_graph: bool, sole_reference: bool) -> None:
        if isinstance(g, Node) or (self.grad is not None and self.grad._op is not None):
            g = self._wrap_grad(g)  # a gradient with history: the sum is recorded too
            self.grad = g if self.grad is None else self.grad + g
        elif self.grad is None:
            if (sole_reference and type(g) is np.ndarray and g.base is None and g.flags.writeable
                    and g.dtype == self.data.dtype):
                self.grad = Tensor._from_op(g, None)
            else:
                # A copy: the raw gradient may be shared (a + b passes one array to both), and an
                # optimizer that scales .grad in place must not scale another tensor's.
                self.grad = Tensor._from_op(np.array(g, dtype=self.data.dtype), None)
        else:
            self.grad = Tensor._from_op((self.grad.data + g).astype(self.data.dtype, copy=False), None)

    def _bump_version(self) -> None:
        """Record that ``.data`` was changed in place (optimizers, ``load_state_dict`` and the
        in-place methods call this), so a graph that saved the old values refuses to backpropagate."""
        mark_changed(self)

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

    def __iter__(self) -> Iterator["Tensor"]:
        """The rows along the first axis (each one an indexing op, so gradients flow)."""
        for i in range(len(self)):
            yield self[i]

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
        if dtype is None or np.dtype(dtype) == self.data.dtype:
            return self.data.copy() if copy else self.data
        if copy is False:
            raise ValueError(f"Tensor of dtype {self.data.dtype} cannot become {np.dtype(dtype)} without a copy")
        return self.data.astype(dtype)

    def __repr__(self) -> str:
        if not holds_values(self):
            return f"Tensor(<values freed by backward()>, shape={self.shape}, dtype={self.dtype})"
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

    # -- arithmetic: + - * / ** come from ArithmeticOperators ----------------
    def __matmul__(self, other): return MatMul()(self, other)
    def __rmatmul__(self, other): return MatMul()(other, self)

    # comparisons give boolean tensors with no history, as in PyTorch
    def __lt__(self, other): return Tensor._from_op(self.data < raw(other), None)
    def __le__(self, other): return Tensor._from_op(self.data <= raw(other), None)
    def __gt__(self, other): return Tensor._from_op(self.data > raw(other), None)
    def __ge__(self, other): return Tensor._from_op(self.data >= raw(other), None)
    def __eq__(self, other): return Tensor._from_op(self.data == raw(other), None)  # type: ignore[override]
    def __ne__(self, other): return Tensor._from_op(self.data != raw(other), None)  # type: ignore[override]

    def __getitem__(self, index: Any) -> "Tensor":
        """numpy's indexing, with PyTorch's dimension order where the two differ (see ``index_steps``).

        >>> Tensor(np.zeros((2, 3, 4)))[1, :, [0, 1]].shape     # numpy would give (2, 3)
        (3, 2)
        """
        out = self
        for step in index_steps(index):
            out = GetItem(step)(out)
        return out

    # -- shape --------------------------------------------------------------
    def reshape(self, *shape: Any) -> "Tensor":
        shape = tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        return Reshape(tuple(int(n) for n in shape))(self)

    view = reshape

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> "Tensor":
        if self.ndim == 0:
            return self.reshape(1)
        start = normalize_axes(start_dim, self.ndim, "flatten")[0]
        end = normalize_axes(end_dim, self.ndim, "flatten")[0]
        if start > end:
            raise ShapeError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim} (shape {self.shape})")
        merged = int(np.prod(self.shape[start:end + 1]))
        return self.reshape(self.shape[:start] + (merged,) + self.shape[end + 1:])

    def permute(self, *axes: Any) -> "Tensor":
        axes = tuple(axes[0]) if len(axes) == 1 and isinstance(axes[0], (tuple, list)) else axes
        if sorted(a % max(self.ndim, 1) for a in axes) != list(range(self.ndim)):
            raise ShapeError(f"permute: {axes} is not an order of the {self.ndim} axes of shape {self.shape}")
        return Permute(tuple(a % self.ndim for a in axes))(self)

    def transpose(self, *axes: Any) -> "Tensor":
        """``transpose(d0, d1)`` swaps two axes (PyTorch); ``transpose()`` reverses them and
        ``transpose((2, 0, 1))`` permutes (numpy).

        Two separate ints always mean PyTorch's swap, so ``x.transpose(0, 1)``
        of a matrix is its transpose (numpy would read it as the identity order).

        >>> Tensor([[1.0, 2.0]]).transpose(0, 1).shape
        (2, 1)
        """
        if not axes:
            return Permute(None)(self)
        if len(axes) == 2 and all(isinstance(a, (int, np.integer)) for a in axes):
            return self.swapaxes(*axes)
        return self.permute(*axes)

    def swapaxes(self, axis0: int, axis1: int) -> "Tensor":
        """Exchange two axes (``torch.swapaxes``, ``np.swapaxes``)."""
        a, b = normalize_axes(axis0, self.ndim, "swapaxes")[0], normalize_axes(axis1, self.ndim, "swapaxes")[0]
        order = list(range(self.ndim))
        order[a], order[b] = order[b], order[a]
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
        if any(n == -1 for n in shape[:max(lead, 0)]):
            raise ShapeError(f"expand: -1 cannot stand for a new leading dimension (expanding {self.shape} to {shape})")
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
        axis = normalize_axes(axis, self.ndim + 1, "unsqueeze")[0]
        return self.reshape(self.shape[:axis] + (1,) + self.shape[axis:])

    # == Casts (engine breadth, issue 13). The shape, indexing and product methods (flip, gather, outer...)
    # == are declared with their ops in ops/reorder.py, ops/gather_scatter.py and ops/einsum.py.
    def clone(self) -> "Tensor":
        """A copy in the graph (gradient 1), sharing no memory (``torch.clone``)."""
        return Clone()(self)

    def contiguous(self) -> "Tensor":
        """``self``: numpy arrays need no contiguity for any op here (PyTorch's ``contiguous`` may copy)."""
        return self

    def to(self, dtype: Any) -> "Tensor":
        """The tensor in ``dtype`` (``self`` when it already is): gradient flows between float types only.

        ``to("cpu")`` is ``self`` too, so PyTorch code that moves tensors to its device runs unchanged.

        >>> Tensor([1.5, 2.5]).to("int64").tolist()
        [1, 2]
        """
        if isinstance(dtype, str) and dtype == "cpu":  # numpy arrays live in main memory: nothing to move
            return self
        wanted = as_dtype(dtype, "to")
        if wanted == self.data.dtype:
            return self
        if wanted.kind != "f":  # an integer or bool result has no gradient, as in PyTorch
            return Tensor._from_op(self.data.astype(wanted), None)
        return Cast(wanted)(self)

    def double(self) -> "Tensor": return self.to(np.float64)
    def half(self) -> "Tensor": return self.to(np.float16)
    def long(self) -> "Tensor": return self.to(np.int64)
    def short(self) -> "Tensor": return self.to(np.int16)

    # Last in the class: these names shadow the builtins float, int, bool and type in the class body.
    def float(self) -> "Tensor": return self.to(np.float32)
    def int(self) -> "Tensor": return self.to(np.int32)
    def bool(self) -> "Tensor": return self.to(np.bool_)

    def type(self, dtype: Any = None) -> Any:
        """``to(dtype)``; without ``dtype``, the dtype's name (PyTorch returns a type string there)."""
        return self.data.dtype.name if dtype is None else self.to(dtype)
    # == end of the engine-breadth block ==


def tensor(data: Any, requires_grad: bool = False, dtype: Any = None) -> Tensor:
    """Make a Tensor holding a copy of ``data`` (``torch.tensor``'s spelling).

    >>> tensor([1.0, 2.0], requires_grad=True)
    Tensor([1., 2.], requires_grad=True)
    """
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def as_tensor(x: Any, dtype: Any = None) -> Tensor:
    """``x`` if it is a Tensor already, else a constant Tensor that shares memory with
    ``x`` where it can (``torch.as_tensor``): no copy of an ndarray of the right dtype.

    >>> a = np.zeros(2, dtype=np.float32)
    >>> np.shares_memory(as_tensor(a).data, a)
    True
    """
    if isinstance(x, Tensor) and (dtype is None or x.dtype == np.dtype(dtype)):
        return x
    return Tensor._from_op(_to_array(x, dtype), None)


Tensor._graph_kind = Tensor
Tensor._dtype_rules = staticmethod(forward_with_promotion)
registry.install_methods(Tensor, "tensor")  # exp, sum, softmax...: declared with their ops
