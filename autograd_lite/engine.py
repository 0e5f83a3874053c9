"""The engine: graph nodes, recorded ops, and reverse-mode traversal.

Every result of an op is a :class:`Node` that remembers the :class:`Op` that
made it and the input nodes it was applied to. ``backward`` walks that graph once,
in reverse topological order, multiplying each upstream gradient by the op's
local derivative (the chain rule) and adding up what reaches a node along
several paths. The same loop serves the scalar :class:`~autograd_lite.Value`
and the numpy :class:`~autograd_lite.Tensor`.

Each op writes its backward once, with operators and ``Op.apply`` calls that
work on raw data (floats, ndarrays) and on nodes alike. A plain backward runs
it on raw data (fast, nothing recorded); ``create_graph=True`` runs it on the
nodes themselves, so the gradient is a graph too and can be differentiated
again.
"""
from __future__ import annotations

import contextlib
import gc
import inspect
import itertools
import sys
import threading
from heapq import heappop, heappush
from typing import Any, Callable, Iterable, Iterator, Protocol, Sequence

import numpy as np

from . import anomaly_text

__all__ = [
    "Node", "Op", "MultiOutputOp", "Results", "GradFn", "ShapeError", "ArgumentError", "AnomalyError", "no_grad",
    "enable_grad", "is_grad_enabled", "detect_anomaly", "backward", "backward_order", "grad", "raw",
    "topological_order", "run_on_float64", "sum_to", "named_constant", "RemovableHandle", "holds_values",
    "FreedValues", "ModuleScope", "module_scope", "mark_changed",
]


class ShapeError(ValueError, RuntimeError):
    """Operands whose shapes an op cannot combine.

    Also a ``RuntimeError``, as PyTorch raises for shape mismatches, so code
    written for PyTorch (``except RuntimeError``) catches it.
    """


class ArgumentError(ValueError, RuntimeError):
    """An argument an op cannot take (``clip(None, None)``, an integer to a negative integer power).

    Also a ``RuntimeError``, as PyTorch raises for these, so ``except RuntimeError`` catches it.
    """


class AnomalyError(FloatingPointError):
    """A NaN or infinity appeared while :func:`detect_anomaly` was active."""


class _Mode:
    """Process-wide switches; a class so hot paths read one attribute.

    Anomaly mode is process-wide, as in PyTorch; grad mode is per thread (:data:`_thread`).
    """
    anomaly = False


class _ThreadState(threading.local):
    """What each thread has of its own, as in PyTorch: whether ops are recorded, and
    the module whose ``forward`` is running (so that ops made there know their module).

    Another thread's ``no_grad()`` or ``backward()`` never stops this thread's recording.
    """
    grad_enabled = True
    module_scope: "ModuleScope | None" = None
    backward_node: "Node | None" = None  # the node whose op's backward runs now, for Op.needs_input_grad


_thread = _ThreadState()


class ModuleScope:
    """One call of a module's ``forward``: the module and the scope it was called in.

    ``Module.__call__`` makes one per call (not one per op); every op recorded
    inside points to it, so a drawing can cluster ops by the module that made
    them, nested as the calls were.
    """
    __slots__ = ("module", "parent")

    def __init__(self, module: Any, parent: "ModuleScope | None") -> None:
        self.module, self.parent = module, parent

    def chain(self) -> list[Any]:
        """The modules from the outermost call to this one."""
        scope, modules = self, []
        while scope is not None:
            modules.append(scope.module)
            scope = scope.parent
        return modules[::-1]

    def qualified_name(self) -> str:
        """``"2 (Linear)"``, ``"encoder.0 (Linear)"``: the module's name within the outermost
        module of the call, found by its attribute names, and its class."""
        modules = self.chain()
        names = []
        for parent, child in zip(modules, modules[1:]):
            name = next((n for n, m in parent.named_children() if m is child), None)
            names.append(name if name is not None else type(child).__name__)
        inner = modules[-1]
        path = ".".join(names)
        return f"{path} ({type(inner).__name__})" if path else type(inner).__name__


def module_scope() -> ModuleScope | None:
    """The innermost module call running in this thread (``None`` outside every module)."""
    return _thread.module_scope


class _Switch(contextlib.ContextDecorator):
    """Set one flag of ``holder`` (``_thread`` or ``_Mode``) for a ``with`` block or a decorated
    function, then restore it."""

    def __init__(self, flag: str, value: bool, holder: Any = _thread) -> None:
        self.flag, self.value, self.holder = flag, value, holder
        self._saved: list[bool] = []  # a stack, so one instance can be re-entered (recursive decorated calls)

    def __enter__(self) -> "_Switch":
        self._saved.append(getattr(self.holder, self.flag))
        setattr(self.holder, self.flag, self.value)
        return self

    def __exit__(self, *exc: object) -> None:
        setattr(self.holder, self.flag, self._saved.pop())


def no_grad(func: Callable | None = None) -> Any:
    """Context manager and decorator in which no op is recorded (in this thread: grad
    mode is per thread, as in PyTorch).

    ``with no_grad():``, ``@no_grad()`` and ``@no_grad`` all work, as in PyTorch.

    >>> x = Tensor([1.0], requires_grad=True)
    >>> with no_grad():
    ...     y = x * 2
    >>> y.requires_grad
    False
    """
    switch = _Switch("grad_enabled", False)
    return switch if func is None else switch(func)


def enable_grad(func: Callable | None = None) -> Any:
    """Context manager and decorator that turns recording back on (for example inside ``no_grad``)."""
    switch = _Switch("grad_enabled", True)
    return switch if func is None else switch(func)


def is_grad_enabled() -> bool:
    """Whether ops are recorded now, in this thread."""
    return _thread.grad_enabled


def detect_anomaly(func: Callable | None = None) -> Any:
    """Context manager and decorator: raise :class:`AnomalyError` at the first NaN or inf
    made in forward or backward.

    The error names the op, the line of user code that called it, and for each
    input the op it came from. As in PyTorch, run the forward pass inside it
    too, so that an error in backward can say where each op was created.

    >>> with detect_anomaly():
    ...     Tensor([0.0], requires_grad=True).log()
    Traceback (most recent call last):
    autograd_lite.engine.AnomalyError: detect_anomaly: 'log' produced -inf in forward, called at ...
    """
    switch = _Switch("anomaly", True, _Mode)
    return switch if func is None else switch(func)


def named_constant(value: Any, like: "Node", name: str) -> "Node":
    """A constant of ``like``'s kind holding ``value``, named for drawings of gradient graphs
    (``exponent 3``, ``seed``), where a bare number would not say what it is."""
    node = like._graph_kind._constant(value, (like,))
    if hasattr(type(node), "label"):  # a Value's name is its label
        node.label = name
    else:
        node.name = name
    return node


def raw(x: Any) -> Any:
    """The data under a node, or ``x`` itself when it is already raw data."""
    return x.data if isinstance(x, Node) else x


def run_on_float64(fn: Callable[..., Any], *floats: Any) -> Any:
    """``fn(*floats)`` computed in numpy's float64 and returned as Python floats.

    An op on a ``Value``'s floats that raises ZeroDivisionError or OverflowError
    is redone through this, so it gives inf or nan as numpy and PyTorch do.

    >>> run_on_float64(lambda a, b: a / b, 1.0, 0.0)
    inf
    """
    with np.errstate(all="ignore"):
        out = fn(*[np.float64(x) for x in floats])
    if isinstance(out, tuple):
        return tuple(None if o is None else float(o) for o in out)
    return float(out)


_UNARY = object()  # an op's second input slot when it has one input
_op_sequence = itertools.count(1)  # recorded ops are numbered in order: backward runs the newest first
_latest_change = 0  # the op-clock reading of the newest in-place change to any tensor (see mark_changed)


def mark_changed(node: "Node") -> None:
    """Note that ``node``'s data was changed in place (PyTorch's version counter).

    The version is a reading of the same clock that numbers recorded ops, so
    "changed after op k was recorded" is ``node._version > k``: an op needs to
    store nothing extra, and backward compares once per op only when some
    tensor changed since the graph was recorded.
    """
    global _latest_change
    node._version = _latest_change = next(_op_sequence)


class Op:
    """One recorded application of a differentiable function.

    A subclass defines

    * ``forward(*data)``: the numbers, on raw data (ndarrays, or floats for ``Value``);
    * ``backward(g, y, *xs)``: the gradient for each input, given the upstream
      gradient ``g``, the output ``y`` and the inputs ``xs``. It is written
      with operators and ``SomeOp(...).apply(...)``, so it runs on raw data
      and, under ``create_graph=True``, on nodes;
    * ``derivatives``: one statement per input, as a reader would write it.
      Normally the local derivative ``∂y/∂input`` (``("b", "a")`` for
      ``a * b``); for ops whose Jacobian is not elementwise (``vjp = True``:
      matmul, softmax, reshape...) the rule for the input's gradient in terms
      of the upstream gradient ``g = ∂L/∂y`` (``"g @ bᵀ"``). The class
      docstring states the same text; the renderer and the chain-rule
      explainer show it;
    * ``arg_names``: the names those statements use for the inputs.

    ``broadcasts = True`` marks an elementwise op whose inputs numpy broadcasts;
    the engine sums its gradients back to each input's shape (one place for it).

    These are declared as keywords of the class statement, read once by
    ``__init_subclass__`` (a misplaced positional tuple cannot misalign them)::

        class Mul(Op, name="mul", symbol="*", args=("a", "b"), derivatives=("b", "a"), broadcasts=True):
            ...

    ``saves`` names what ``backward`` reads: input names, and ``"y"`` for the
    output (``saves=("y",)`` for exp; ``saves=()`` for add, whose gradient needs
    neither). Backward refuses to run when one of those was changed in place
    after the op was recorded (PyTorch's version-counter check). Not declared:
    everything is checked. A class without a docstring gets one made from its
    derivative statements.

    What a call records (its inputs, its place in the op sequence, the
    module that made it) is kept on the result node, not on the op: an op
    holds only its settings. An op class without settings (no slots of its
    own) therefore has one shared instance, :meth:`shared`, and a recorded
    ``a * b`` costs one object (the result) rather than two; Python's cyclic
    garbage collector walks every such object again and again while a graph
    grows (measured on micrograd's demo as micrograd writes it: the
    collector's share of a step fell from 28% to 9-11%). An op with settings
    is made per call (``Sum(axis=1)``); it may keep what its forward
    computed for its backward (and drop it in :meth:`release`).

    ``self.needs_input_grad(i)`` tells a backward whether input ``i`` wants
    a gradient (PyTorch's ``ctx.needs_input_grad``), so a costly unused one
    can be skipped.
    """

    __slots__ = ()
    name = "op"
    symbol: str | None = None
    arg_names: tuple[str, ...] = ("x",)
    derivatives: tuple[str, ...] = ()
    vjp = False
    broadcasts = False
    saves: tuple[str, ...] | None = None

    def __init_subclass__(cls, name: str | None = None, symbol: str | None = None,
                          args: Sequence[str] | None = None, derivatives: Sequence[str] | None = None,
                          vjp: bool | None = None, broadcasts: bool | None = None,
                          saves: Sequence[str] | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        declared = {"name": name, "symbol": symbol, "vjp": vjp, "broadcasts": broadcasts,
                    "arg_names": None if args is None else tuple(args),
                    "derivatives": None if derivatives is None else tuple(derivatives),
                    "saves": None if saves is None else tuple(saves)}
        for attr, value in declared.items():
            if value is not None:
                setattr(cls, attr, value)
        if derivatives is not None and args is not None and len(cls.derivatives) != len(cls.arg_names):
            raise TypeError(f"op {cls.__name__}: {len(cls.derivatives)} derivative statements for "
                            f"{len(cls.arg_names)} inputs {cls.arg_names}")
        names = cls.arg_names if isinstance(cls.arg_names, tuple) else ()  # a property: counted per call
        unknown = set(saves or ()) - set(names) - {"y"}
        if unknown and names:
            raise TypeError(f"op {cls.__name__}: saves= names {sorted(unknown)}, which are not among its "
                            f"inputs {cls.arg_names} or 'y'")
        # Told per backward which node it differentiates (needs_input_grad reads it): only ops that ask.
        cls.reads_input_flags = _mentions(cls.backward.__code__, "needs_input_grad")
        cls.drops_on_release = cls.release is not Op.release
        if cls.__doc__ is None and derivatives is not None:
            cls.__doc__ = f"{cls.name}.   " + ",  ".join(cls().describe_derivatives()) \
                if not _needs_settings(cls) else f"{cls.name}: " + ",  ".join(cls.derivatives)

    @classmethod
    def shared(cls) -> "Op":
        """The one instance of an op class without settings, shared by every call (``Mul.shared()(a, b)``).

        Refused for a class with slots or a ``__dict__``: its instances may hold
        settings or what a forward computed, which calls must not share.
        """
        instance = cls.__dict__.get("_shared_instance")
        if instance is None:
            instance = cls()
            if hasattr(instance, "__dict__") or any(k.__dict__.get("__slots__", ()) for k in cls.__mro__):
                raise TypeError(f"op {cls.__name__} keeps state of its own (slots or a __dict__), so "
                                f"one instance cannot be shared by every call; make one per call")
            cls._shared_instance = instance
        return instance

    def forward(self, *data: Any) -> Any:
        raise NotImplementedError

    def backward(self, g: Any, y: Any, *xs: Any) -> tuple[Any, ...]:
        raise NotImplementedError

    def label(self) -> str:
        """Short text for a drawn op node: its symbol or name and settings."""
        return self.symbol or self.name

    def describe_derivatives(self) -> list[str]:
        """One line per input: ``∂(a*b)/∂a = b``, or ``∂L/∂a = g @ bᵀ`` for a ``vjp`` op."""
        if self.vjp:
            return [f"∂L/∂{n} = {d}" for n, d in zip(self.arg_names, self.derivatives)]
        return [f"∂{self._formula()}/∂{n} = {d}" for n, d in zip(self.arg_names, self.derivatives)]

    def _formula(self) -> str:
        names = self.arg_names
        if self.symbol and len(names) == 2:
            return f"({names[0]}{self.symbol}{names[1]})"
        return f"{self.name}({', '.join(names)})"

    # -- running ---------------------------------------------------------
    def __call__(self, *inputs: Any) -> "Node":
        """Run on nodes (plain numbers become constants); record when needed."""
        # This runs once per op, so it is kept lean: one pass over the inputs checks their
        # kind, collects their data and sees whether any wants a gradient. Numbers are made
        # constants (the slow path) only when an input is not a node of that kind already.
        kind = None
        data = []
        wants_grad = False
        for x in inputs:
            if not isinstance(x, Node) or (kind is not None and x._graph_kind is not kind):
                kind, inputs = _as_nodes_of_one_kind(inputs)
                data = [x.data for x in inputs]
                wants_grad = any([x.requires_grad for x in inputs])
                break
            kind = x._graph_kind
            data.append(x.data)
            if x.requires_grad:
                wants_grad = True
        if kind is None:
            raise TypeError(f"{self.name}: an op needs at least one Tensor or Value input")
        try:
            # A Tensor's dtype rules (PyTorch's promotion, autograd_lite/dtypes.py); a Value's floats have none.
            # Inputs of one float dtype, the common case, need no rule: checked here, without a call.
            rules = kind._dtype_rules
            if rules is None:
                out = self.forward(*data)
            else:
                first = data[0].dtype
                if first.kind == "f" and (len(data) == 1 or len(data) == 2 and data[1].dtype is first):
                    out = self.forward(*data)
                else:
                    out = rules(self, data)
        except (ZeroDivisionError, OverflowError):  # only Python floats raise these: a Value's data
            out = run_on_float64(self.forward, *data)
        except (ValueError, IndexError, TypeError) as error:
            raise self.explain_error(inputs, error) from error
        if wants_grad and _thread.grad_enabled:  # under no_grad nothing is recorded, not even the inputs
            result = kind._from_op(out, self)
            # What this call recorded lives on its result (see the class docstring): the inputs in
            # slots of their own (a tuple would be one more object for the collector), its number.
            if len(inputs) == 2:
                result._x0, result._x1 = inputs
                result._more = None
            elif len(inputs) == 1:
                result._x0, result._x1, result._more = inputs[0], _UNARY, None
            else:
                result._x1, result._more = None, tuple(inputs)  # _x1: not one of several results (MultiOutputOp)
            result._released = False
            result._seq = next(_op_sequence)
            result._scope = _thread.module_scope
        else:
            result = kind._from_op(out, None)
        if _Mode.anomaly:
            if result._op is not None:
                result._created_at = anomaly_text.user_frame()
            if not anomaly_text.all_finite(out):
                made = GradFn(result) if result._op is not None else self  # a recorded call knows its module
                raise AnomalyError(anomaly_text.forward_anomaly(made, inputs, out))
        return result

    def apply(self, *xs: Any) -> Any:
        """Run on raw data (returns raw data) or on nodes (returns a node).

        Backward formulas call this, so one formula serves both paths.
        """
        for x in xs:
            if isinstance(x, Node):
                return self(*xs)
        return self.forward(*xs)

    def input_grads(self, g: Any, y: Any, xs: Sequence[Any], sum_to_inputs: bool = True) -> tuple[Any, ...]:
        """The gradient this op sends each input for upstream ``g``, on raw data (``y`` and ``xs`` are the
        output's and the inputs' data), as backward computes it: a Value's floats redone in float64
        where Python raises, and for a broadcasting op each gradient summed back to its input's shape
        (``sum_to_inputs=False`` leaves that step out, for an explainer that shows it on its own).

        The explainers in ``viz`` call this; backward runs the same steps inlined in its loop, which
        runs once per node (a method call there costs about 100 ns a node).

        >>> from autograd_lite.ops import Mul
        >>> Mul().input_grads(1.0, 6.0, [2.0, 3.0])
        (3.0, 2.0)
        """
        try:
            gxs = self.backward(g, y, *xs)
        except (ZeroDivisionError, OverflowError):
            gxs = run_on_float64(self.backward, g, y, *xs)
        if sum_to_inputs and self.broadcasts:
            gxs = [gx if gx is None or np.shape(gx) == np.shape(x) else sum_to(gx, np.shape(x))
                   for gx, x in zip(gxs, xs)]
        return tuple(gxs)

    def needs_input_grad(self, i: int) -> bool:
        """Whether input ``i`` wants a gradient, so backward can skip a costly unused one
        (``ctx.needs_input_grad`` in PyTorch). True when unknown (a backward called by hand).

        The engine tells an op which node it is differentiating (a per-thread slot, since one
        op instance may serve every call), and only ops whose backward asks are told.
        """
        node = _thread.backward_node
        if node is None:
            return True
        more = node._more
        if more is not None:
            return more[i].requires_grad
        return (node._x0 if i == 0 else node._x1).requires_grad

    def explain_error(self, nodes: Sequence["Node"], error: Exception) -> Exception:
        """The error to raise when ``forward`` fails: it names the op and the input shapes."""
        shapes = [tuple(np.shape(x.data)) for x in nodes]
        text = " and ".join(map(str, shapes))
        if self.broadcasts and len(shapes) > 1:
            try:
                np.broadcast_shapes(*shapes)
            except ValueError:
                return ShapeError(f"{self.name}: shapes {text} cannot be broadcast together")
        try:
            return type(error)(f"{self.name} (input shape{'s' if len(shapes) > 1 else ''} {text}): {error}")
        except TypeError:  # an exception class whose constructor wants more than a message
            return error

    def release(self) -> None:
        """Drop what this op kept from its forward for its backward, once a backward without
        ``retain_graph`` has run it (only ops with settings, made per call, keep anything).

        The graph's structure stays, so it can still be drawn (as PyTorch's can after
        ``backward()``); the memory of intermediate results goes when backward frees the
        values nobody holds (``_free_intermediate_values``).
        """


class GradFn:
    """What made a node (its ``grad_fn``): the op, and what that call recorded.

    Each call's inputs, number and module are kept on its result, so that an op
    without settings can be one shared instance; this view puts them back together
    for readers of the graph (drawings, explainers, tests). Anything else is the op's:
    ``grad_fn.name``, ``grad_fn.label()``, ``grad_fn.describe_derivatives()``.

    >>> x = Tensor([1.0, 2.0], requires_grad=True)
    >>> y = x * 3
    >>> y.grad_fn.name, y.grad_fn.inputs[0] is x
    ('mul', True)
    """
    __slots__ = ("op", "node")

    def __init__(self, node: "Node") -> None:
        self.op, self.node = node._op, node

    def __getattr__(self, name: str) -> Any:  # called only for names GradFn itself lacks
        if name in GradFn.__slots__:  # unset (a copy being made): not the op's to answer
            raise AttributeError(name)
        return getattr(self.op, name)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GradFn) and other.node is self.node

    def __hash__(self) -> int:
        return id(self.node)

    def __repr__(self) -> str:
        return f"<grad_fn {self.op.name}>"

    def backward(self, g: Any, y: Any, *xs: Any) -> tuple[Any, ...]:
        """The op's backward for this call and the gradient ``g`` of this node, told which inputs want one."""
        return self._told(self.op.backward, *self._all_results(g, y), *xs)

    def input_grads(self, g: Any, y: Any, xs: Sequence[Any], sum_to_inputs: bool = True) -> tuple[Any, ...]:
        """:meth:`Op.input_grads` for this call and the gradient ``g`` of this node, told which inputs want one."""
        return self._told(self.op.input_grads, *self._all_results(g, y), xs, sum_to_inputs)

    @property
    def result_index(self) -> int | None:
        """Which of its op's results this node is (``None`` for an op with one result)."""
        return self.node._x0 if isinstance(self.node._x1, Results) else None

    def _all_results(self, g: Any, y: Any) -> tuple[Any, Any]:
        """``(g, y)`` as the op's backward takes them: for one of several results, every result's
        gradient (``g`` for this one, zeros for the others) and the tuple of their data."""
        index = self.result_index
        if index is None:
            return g, y
        results = self.node._x1
        return results.with_zeros([g if i == index else None for i in range(len(results))]), results

    def _told(self, method: Callable[..., Any], *args: Any) -> Any:
        saved, _thread.backward_node = _thread.backward_node, self.node
        try:
            return method(*args)
        finally:
            _thread.backward_node = saved

    @property
    def input_nodes(self) -> tuple["Node", ...]:
        """The nodes the op was applied to, in argument order, before and after backward."""
        return _inputs_of(self.node)

    @property
    def inputs(self) -> tuple["Node", ...] | None:
        """The input nodes while the op can still run backward; ``None`` once released."""
        return None if self.released else _inputs_of(self.node)

    @property
    def released(self) -> bool:
        """True once a backward without ``retain_graph`` ran it: it cannot run again."""
        return self.node._released

    @property
    def seq(self) -> int:
        """Its number in the order ops were recorded (backward runs the newest first)."""
        return self.node._seq

    @property
    def scope(self) -> "ModuleScope | None":
        """The module call whose ``forward`` recorded it (``None`` outside every module)."""
        return self.node._scope

    @property
    def created_at(self) -> str | None:
        """``file.py:12`` of the user's line that recorded it, under :func:`detect_anomaly`."""
        return getattr(self.node, "_created_at", None)


def _inputs_of(node: "Node") -> tuple["Node", ...]:
    """The input nodes of the op that made ``node`` (``()`` for a leaf)."""
    if node._op is None:
        return ()
    more = node._more
    if more is not None:
        return more
    return (node._x0,) if node._x1 is _UNARY else (node._x0, node._x1)


def _mentions(code: Any, name: str) -> bool:
    """Whether a function's code, or code nested in it (a generator expression, a lambda), uses ``name``."""
    return name in code.co_names or any(_mentions(c, name) for c in code.co_consts if inspect.iscode(c))


def _needs_settings(cls: type) -> bool:
    """Whether an op class must be given settings to be made (``Sum(axis)``)."""
    try:
        inspect.signature(cls).bind()
    except TypeError:
        return True
    return False


def _as_nodes_of_one_kind(inputs: tuple[Any, ...]) -> tuple[type, tuple["Node", ...]]:
    """The class of the op's result, and the inputs as nodes: numbers and arrays become constants."""
    kind = None
    for x in inputs:
        if isinstance(x, Node):
            if kind is None:
                kind = x._graph_kind
            elif x._graph_kind is not kind:
                raise TypeError(f"cannot mix {kind.__name__} and {type(x).__name__} in one op "
                                f"(a Value is a scalar graph of its own; use Tensor for both)")
    if kind is None:
        raise TypeError("an op needs at least one Tensor or Value input")
    return kind, tuple([x if isinstance(x, Node) else kind._constant(x, inputs) for x in inputs])


class MultiOutputOp(Op):
    """An op with several results (``split``, ``unbind``): one call, one backward for all of them.

    ``forward(*data)`` returns a tuple of arrays; each becomes a result node (float results are
    recorded; integer ones, such as indices, are not, as in PyTorch). ``backward(gs, ys, *xs)`` gets
    one gradient per result, in order (zeros for a float result no gradient reached, as PyTorch
    materializes them; ``None`` for an integer one), and ``ys``, the results' data as a tuple.
    Splitting ``x`` into k pieces this way costs one backward that joins k gradients, rather
    than k ops each writing its piece into zeros the size of ``x``.
    """
    __slots__ = ()

    def __call__(self, *inputs: Any) -> tuple["Node", ...]:  # type: ignore[override]
        kind, nodes = _as_nodes_of_one_kind(inputs)
        data = [x.data for x in nodes]
        try:
            outs = self.forward(*data) if kind._dtype_rules is None else kind._dtype_rules(self, data)
        except (ValueError, IndexError, TypeError) as error:
            raise self.explain_error(nodes, error) from error
        differentiable = [np.asarray(out).dtype.kind in "fc" for out in outs]
        if not (_thread.grad_enabled and any(x.requires_grad for x in nodes) and any(differentiable)):
            return tuple(kind._from_op(out, None) for out in outs)
        record = Results.record(self, outs, nodes, differentiable, _thread.module_scope)
        seqs = iter(record._seqs)
        results = []
        for i, out in enumerate(outs):
            if not differentiable[i]:  # indices: no history, as PyTorch gives integer results
                results.append(kind._from_op(out, None))
                continue
            result = kind._from_op(out, self)
            result._x0, result._x1, result._more = i, record, nodes
            result._released, result._seq, result._scope = False, next(seqs), record._scope
            results.append(result)
        return tuple(results)


class NodeKind(Protocol):
    """What the engine asks of a kind of node (``Value``, ``Tensor``) besides ``Node``'s fields."""

    @property
    def shape(self) -> tuple[int, ...]: ...

    @staticmethod
    def _from_op(data: Any, op: "Op | None") -> "Node":
        """A node holding ``data``, made by ``op`` (``None``: a constant)."""

    @classmethod
    def _constant(cls, x: Any, inputs: Sequence[Any]) -> "Node":
        """A plain number or array among an op's ``inputs``, as a constant node of this kind."""

    def _root_grad(self, g: Any, create_graph: bool) -> Any:
        """The gradient backward starts from (1 for a scalar, or the user's ``g`` checked)."""

    def _check_grad(self, g: Any, where: str) -> Any:
        """A gradient given by a user (``backward(g)``, a hook's result), validated against this node."""

    def _wrap_grad(self, g: Any) -> Any:
        """A raw gradient as users see it (a float for a Value, a Tensor for a Tensor)."""

    def _accumulate_grad(self, g: Any, create_graph: bool, sole_reference: bool) -> None:
        """Add ``g`` into ``.grad``, taking ``g`` itself (no copy) when ``sole_reference`` says nothing else holds it."""


class Node:
    """What ``Value`` and ``Tensor`` share: data, gradient, and the op that made them."""

    # A recorded result also keeps what its op's call recorded: its inputs (_x0, _x1, or _more for
    # three or more), its number in the op sequence, the module call that made it, whether a
    # backward has run its op, and under detect_anomaly the user's line (see Op's docstring).
    __slots__ = ("data", "grad", "requires_grad", "_op", "_hooks", "_retains_grad", "__weakref__",
                 "_x0", "_x1", "_more", "_seq", "_scope", "_released", "_created_at")
    _graph_kind: type  # the class op results are made of (set by subclasses)
    _broadcasts = True  # whether ops on this kind can broadcast (a Value's floats never do)
    _retain_graph_by_default = False
    _dtype_rules: Callable[[Op, list], Any] | None = None  # runs an op's forward under the kind's dtype rules

    # Subclasses implement the NodeKind protocol below (Value and Tensor do).

    def _run_hooks(self, g: Any, create_graph: bool) -> Any:
        for fn in list(self._hooks.values()):
            replaced = fn(g if create_graph else self._wrap_grad(g))
            if replaced is not None:
                g = self._check_grad(replaced if create_graph else raw(replaced), "hook")
        return g

    @property
    def grad_fn(self) -> GradFn | None:
        """What produced this node: its op and inputs (``None`` for leaves)."""
        return None if self._op is None else GradFn(self)

    @property
    def is_leaf(self) -> bool:
        """True for nodes made by the user rather than by an op (as in PyTorch)."""
        return self._op is None

    def retain_grad(self) -> None:
        """Keep ``.grad`` on this intermediate node after backward (leaves keep it anyway)."""
        if not self.requires_grad:
            raise RuntimeError("retain_grad: this node does not require grad, so no gradient will reach it")
        self._retains_grad = True

    def register_hook(self, fn: Callable[[Any], Any]) -> "RemovableHandle":
        """Call ``fn(grad)`` when the gradient for this node is complete.

        If ``fn`` returns something other than ``None``, that replaces the
        gradient flowing on to this node's inputs (and into ``.grad``).
        ``handle.remove()`` takes the hook off again.

        >>> x = Tensor([1.0, 2.0], requires_grad=True)
        >>> handle = x.register_hook(lambda g: g * 10)
        >>> (x * 3).sum().backward()
        >>> x.grad
        Tensor([30., 30.])
        """
        if not self.requires_grad:
            raise RuntimeError("register_hook: this node does not require grad, so no gradient will reach it")
        if self._hooks is None:
            self._hooks = {}
        return RemovableHandle.add(self._hooks, fn)

    def backward(self, gradient: Any = None, retain_graph: bool | None = None,
                 create_graph: bool = False) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad``.

        ``gradient`` is the upstream gradient (needed when ``self`` is not a
        scalar). The graph is freed afterwards unless ``retain_graph=True``
        (``Value`` graphs, which hold only floats, are kept by default, as
        micrograd keeps them, so they can be drawn after backward).
        ``create_graph=True`` records the backward pass, so ``.grad`` can be
        differentiated again.
        """
        backward([self], None if gradient is None else [gradient], retain_graph, create_graph)


class RemovableHandle:
    """What ``register_hook`` (and a module's ``register_forward_hook``) return: ``remove()`` detaches the hook.

    Hooks are kept in a dict by handle number, in the order they were added, so the
    same function registered twice is two hooks, and removing one leaves the other.
    """
    _numbers = itertools.count()

    def __init__(self, hooks: dict, number: int) -> None:
        self._hooks, self.id = hooks, number

    @classmethod
    def add(cls, hooks: dict, fn: Callable) -> "RemovableHandle":
        number = next(cls._numbers)
        hooks[number] = fn
        return cls(hooks, number)

    def remove(self) -> None:
        self._hooks.pop(self.id, None)


_FREED = ("backward: trying to go through the graph a second time, but its saved values were freed by "
          "the first backward. Pass retain_graph=True to the first backward() (or grad()) if you need to "
          "go through it again.")


def topological_order(roots: Iterable[Node]) -> list[Node]:
    """Nodes reachable from ``roots`` that need a gradient, inputs before outputs.

    Iterative depth-first search: no recursion limit, linear time, and the
    same order on every run (inputs are visited in argument order).
    """
    order: list[Node] = []
    visited: set[int] = set()
    stack: list[tuple[Node, bool]] = [(r, False) for r in reversed(list(roots))]
    # Bound methods in locals: this loop runs once per node of the graph.
    push, pop, visit, emit = stack.append, stack.pop, visited.add, order.append
    while stack:
        node, expanded = pop()
        if expanded:
            emit(node)
            continue
        key = id(node)
        if key in visited:
            continue
        visit(key)
        push((node, True))
        if node._op is not None:  # a released op keeps its inputs: the order can be read after backward too
            for x in reversed(_inputs_of(node)):
                if x.requires_grad and id(x) not in visited:
                    push((x, False))
    return order


def backward_order(roots: Iterable[Node]) -> list[Node]:
    """The nodes whose op ``backward`` runs, in the order it runs them: the newest op first.

    For explainers that replay backward step by step (``viz.steps``).
    """
    made_by_ops = [node for node in topological_order(roots) if node._op is not None]
    return sorted(made_by_ops, key=lambda node: node._seq, reverse=True)


def backward(roots: Sequence[Node], gradients: Sequence[Any] | None = None,
             retain_graph: bool | None = None, create_graph: bool = False,
             inputs: Sequence[Node] | None = None, allow_unused: bool = False) -> tuple[Any, ...] | None:
    """Run reverse mode from ``roots``.

    Without ``inputs``: accumulate into ``.grad`` of leaves (and of nodes
    that called ``retain_grad``); returns ``None``. With ``inputs``: return
    the gradient for each of them, touching no ``.grad`` (this is :func:`grad`).

    Nodes are visited newest op first (a heap on the ops' sequence numbers, as
    PyTorch's engine does): an op's inputs are always older than the op, so by
    the time a node comes off the heap, every op that feeds its gradient has
    run. No topological sort of the graph is needed. Leaves have no op and
    pass nothing on; they get their sums last.
    """
    roots = list(roots)
    for r in roots:
        if not isinstance(r, Node):
            raise TypeError(f"backward: expected a Tensor or Value, got {type(r).__name__}")
        if not r.requires_grad:
            raise RuntimeError("backward: this value does not require grad and has no history "
                               "(was it computed inside no_grad(), or from tensors without requires_grad=True?)")
    if retain_graph is None:
        retain_graph = create_graph or all(r._retain_graph_by_default for r in roots)
    if gradients is None:
        gradients = [None] * len(roots)
    if len(gradients) != len(roots):
        raise ValueError(f"backward: got {len(gradients)} gradients for {len(roots)} outputs")

    pending: dict[int, Any] = {}  # op sequence number -> gradient summed so far for that op's result
    waiting: dict[int, Node] = {}  # op sequence number -> that op's result
    newest_first: list[int] = []  # a heap of negated sequence numbers
    leaves: dict[Node, Any] = {}  # leaf -> gradient summed so far

    capture = None if inputs is None else {id(x): None for x in inputs}
    anomaly = _Mode.anomaly
    latest_change = _latest_change  # ops older than this may have had a saved tensor changed in place
    ran: list[Node] = []  # results whose op ran and was released: their values may be freed afterwards
    several: dict[int, list[Any]] = {}  # an op with several results -> their gradients so far (see _gradients_of_results)
    broadcasting_kind = all(r._broadcasts for r in roots)
    # The roots' gradients come from the caller rather than from an op; from there on, one
    # path routes every gradient: to a leaf's sum, or to the pending sum of an op's result.
    xs, gxs = roots, [r._root_grad(g, create_graph) for r, g in zip(roots, gradients)]
    sums_to_input = False
    state = _thread
    with _gc_paused(), _Switch("grad_enabled", create_graph):  # this thread's switch only
        # The loop runs once per node: the dictionaries' methods are bound once.
        pop_pending, get_pending, pop_waiting = pending.pop, pending.get, waiting.pop
        get_leaf = leaves.get
        try:
            while True:
                for x, gx in zip(xs, gxs):
                    if gx is not None and x.requires_grad:
                        if sums_to_input and gx.shape != x.data.shape:
                            gx = sum_to(gx, x.data.shape)
                        if x._op is None:
                            so_far = get_leaf(x)
                            leaves[x] = gx if so_far is None else so_far + gx
                        else:
                            x_seq = x._seq
                            so_far = get_pending(x_seq)
                            if so_far is None:
                                pending[x_seq] = gx
                                waiting[x_seq] = x
                                heappush(newest_first, -x_seq)
                            else:
                                pending[x_seq] = so_far + gx
                if not newest_first:
                    break
                seq = -heappop(newest_first)
                node = pop_waiting(seq)
                g = pop_pending(seq)
                if node._hooks:
                    g = node._run_hooks(g, create_graph)
                if capture is not None:
                    if id(node) in capture:
                        capture[id(node)] = g
                elif node._retains_grad:
                    node._accumulate_grad(g, create_graph, sole_reference=False)
                if node._released:
                    raise RuntimeError(_FREED)
                op = node._op
                xs = node._more
                if xs is None:  # _inputs_of(node), inlined: this runs once per node
                    x0, x1 = node._x0, node._x1
                    if x1 is _UNARY:
                        xs, data = (x0,), (x0.data,)
                    else:
                        xs, data = (x0, x1), (x0.data, x1.data)
                else:
                    data = [x.data for x in xs]
                    if node._x1 is not None:  # one result of an op with several (split): run the op once, for all
                        g = _gradients_of_results(node, g, waiting, several, create_graph, retain_graph)
                        if g is None:  # a result still waiting on the heap will run it
                            xs = gxs = ()
                            continue
                        node = node._x1  # the results together stand in for the op's result from here on
                if seq < latest_change:
                    _check_unchanged(op, node, xs)
                told = op.reads_input_flags
                if told:
                    state.backward_node = node
                if create_graph:
                    gxs = op.backward(g, node, *xs)
                else:
                    try:
                        gxs = op.backward(g, node.data, *data)
                    except (ZeroDivisionError, OverflowError):  # a Value's floats: redo as numpy would
                        gxs = run_on_float64(op.backward, g, node.data, *data)
                if told:
                    state.backward_node = None
                if anomaly:
                    _check_finite(node, xs, gxs)
                sums_to_input = op.broadcasts and broadcasting_kind
                if not retain_graph:
                    node._released = True
                    if op.drops_on_release:
                        op.release()
                    ran.append(node)
        finally:  # also when an op's backward raised: no later call reads this backward's node
            state.backward_node = None
        gxs = gx = so_far = node = x = x0 = x1 = xs = data = op = None  # the loop's last values: not references that keep them alive or shared
        for leaf in list(leaves):
            g = leaves.pop(leaf)
            if leaf._hooks:
                g = leaf._run_hooks(g, create_graph)
            if capture is not None:
                if id(leaf) in capture:
                    capture[id(leaf)] = g
            else:
                # Held only here (``g`` and getrefcount's argument), the gradient can become
                # ``.grad`` without a copy, as PyTorch's AccumulateGrad steals one no one else
                # holds; one array sent to two leaves (a + b), or kept by an op or by the user, is copied.
                sole_reference = sys.getrefcount(g) <= _SOLE_REFERENCE_COUNT
                leaf._accumulate_grad(g, create_graph, sole_reference)
    if ran:
        _free_intermediate_values(ran, roots)
    if capture is None:
        return None
    result = []
    for x in inputs:
        g = capture[id(x)]
        if g is None:
            if not allow_unused:
                raise RuntimeError("grad: one of the inputs was not used to compute the outputs; "
                                   "pass allow_unused=True to get None for it")
            result.append(None)
        else:
            result.append(x._wrap_grad(g))
    return tuple(result)


class Results(tuple):
    """The data of the results of one call of a :class:`MultiOutputOp`, in order (a tuple, which is
    what its backward gets as ``ys``), and what the results share: their numbers in the op sequence,
    the call's inputs and module. It stands in for them together when the op's backward runs.

    Each recorded result is a node of its own (``_x0``: its position, ``_x1``: this record,
    ``_more``: the inputs), numbered one after another, so no op that used one of them is older
    than any of them. Results that are not floats (indices) are not recorded, as in PyTorch.
    """

    @property
    def data(self) -> "Results":
        return self

    def with_zeros(self, grads: Sequence[Any], kind: type | None = None) -> tuple[Any, ...]:
        """``grads`` (one per result, ``None`` where none arrived) with zeros for each float result
        that has none, as nodes of ``kind`` when given (a recorded backward), else arrays."""
        def zeros(layout: tuple[Any, Any]) -> Any:
            array = np.zeros(*layout)
            return array if kind is None else kind._from_op(array, None)
        return tuple(zeros(layout) if g is None and layout is not None else g
                     for g, layout in zip(grads, self._layout))

    @classmethod
    def record(cls, op: Op, data: Sequence[Any], inputs: tuple["Node", ...], differentiable: Sequence[bool],
               scope: "ModuleScope | None") -> "Results":
        results = cls(data)
        count = sum(differentiable)
        first = next(_op_sequence)
        for _ in range(count - 1):
            next(_op_sequence)
        results._op, results._more, results._scope, results._released = op, inputs, scope, False
        results._seqs = range(first, first + count)
        results._seq = first
        # shape and dtype of each recorded result (zeros for one no gradient reached), None for the others
        results._layout = [(np.shape(d), np.asarray(d).dtype) if wanted else None
                           for d, wanted in zip(data, differentiable)]
        return results


def _gradients_of_results(node: Node, g: Any, waiting: dict[int, Node], several: dict[int, list[Any]],
                          create_graph: bool, retain_graph: bool) -> tuple[Any, ...] | None:
    """The gradients of all results of ``node``'s op, once the last of them to get one comes off the
    heap (``None`` before: ``g`` is kept until then). A result nothing reached gets zeros, as PyTorch
    gives a multi-output function's backward.

    Results come off the heap newest first, after every op that used any of them (those are newer):
    so when no other result is still waiting, every gradient has arrived.
    """
    results = node._x1
    if results._released:
        raise RuntimeError(_FREED)
    grads = several.setdefault(id(results), [None] * len(results))
    grads[node._x0] = g
    if not retain_graph:
        node._released = True
    if any(seq in waiting for seq in results._seqs):
        return None
    del several[id(results)]
    return results.with_zeros(grads, node._graph_kind if create_graph else None)


class FreedValues:
    """What ``.data`` holds for an intermediate result whose values backward freed.

    The shape and dtype stay (a drawing shows them); anything that needs the
    numbers raises a clear error instead of computing with stale or fake values.
    """
    __slots__ = ("shape", "dtype")

    def __bool__(self) -> bool:  # ``if data:`` must not fall back to ``len()``, which refuses
        return True

    def __init__(self, shape: tuple[int, ...], dtype: Any) -> None:
        self.shape, self.dtype = shape, dtype

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))

    def _gone(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the values of this intermediate result were freed by backward(); pass "
                           "retain_graph=True to backward() to keep them (its shape and dtype are still known)")

    __array__ = __float__ = __int__ = __getitem__ = __iter__ = __len__ = tolist = item = copy = astype = _gone
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = __rtruediv__ = _gone
    __pow__ = __rpow__ = __neg__ = __matmul__ = __rmatmul__ = __lt__ = __le__ = __gt__ = __ge__ = _gone

    def __repr__(self) -> str:
        return f"<values freed by backward(): shape {self.shape}, dtype {self.dtype}>"


def holds_values(node: Node) -> bool:
    """Whether ``node`` still has its numbers (False for an intermediate result freed by backward)."""
    return type(node.data) is not FreedValues


def _free_intermediate_values(ran: list[Node], roots: Sequence[Node]) -> None:
    """After a backward without ``retain_graph``: free the arrays of intermediate results that
    nothing but the graph holds, keeping the graph's structure (ops, edges, shapes) to draw.

    What holds a result is read from its reference count. Every result in ``ran`` got its
    gradient from at least one op of this graph, whose kept inputs refer to it; with exactly
    that one reference, nothing else holds it, and its array goes. A result with more
    references keeps its values: the user's variable, another graph that still needs them
    or a hook may be one of them. (So may a second op of this graph that used it; telling
    those apart costs a count over every edge, about a tenth of a tiny-op backward, so such
    a result keeps its array until the graph itself is dropped.) Leaves (parameters,
    inputs, constants) are never freed, as PyTorch's graph keeps them too.
    """
    keep = {id(r) for r in roots}
    once = _HELD_ONLY_BY_THE_LIST + 1
    refcount, ndarray, freed = sys.getrefcount, np.ndarray, _FREED_BY_SHAPE  # locals: once per result
    for node in ran:
        data = node.data
        if type(data) is ndarray and refcount(node) == once and id(node) not in keep:
            shared = freed.get((data.shape, data.dtype))
            node.data = shared if shared is not None else _freed_values(data)


_FREED_BY_SHAPE: dict[tuple[tuple[int, ...], Any], FreedValues] = {}


def _freed_values(data: np.ndarray) -> FreedValues:
    """One shared ``FreedValues`` per shape and dtype (they are immutable): no object per freed result."""
    key = (data.shape, data.dtype)
    freed = _FREED_BY_SHAPE.get(key)
    if freed is None:
        if len(_FREED_BY_SHAPE) > 10_000:  # many distinct shapes: keep the cache bounded
            _FREED_BY_SHAPE.clear()
        freed = _FREED_BY_SHAPE[key] = FreedValues(*key)
    return freed


def _check_finite(node: Node, xs: Sequence[Node], gxs: Sequence[Any]) -> None:
    """Anomaly mode: raise at the first input gradient holding a NaN or inf."""
    for i, (x, gx) in enumerate(zip(xs, gxs)):
        if gx is not None and x.requires_grad and not anomaly_text.all_finite(gx):
            raise AnomalyError(anomaly_text.backward_anomaly(GradFn(node), xs, i, gx))


def _check_unchanged(op: Op, y: Node, xs: Sequence[Node]) -> None:
    """Refuse to run ``op``'s backward if a tensor it reads was changed in place after it was recorded."""
    saves = op.saves
    names = anomaly_text.input_names(op, len(xs))
    candidates = [("its output", y)] if saves is None or "y" in saves else []
    candidates += [(f"its input {name}", x) for name, x in zip(names, xs) if saves is None or name in saves]
    for what, x in candidates:
        if getattr(x, "_version", 0) > y._seq:  # a Value's floats cannot change in place: no _version
            where = getattr(y, "_created_at", None)
            raise RuntimeError(
                f"backward: one of the tensors needed to compute gradients was changed in place after it was "
                f"used: {what} (shape {x.shape}) of '{op.name}'{' created at ' + where if where else ''} "
                f"was modified later (by an optimizer step, an in-place method such as add_ or copy_, or "
                f"load_state_dict). Run backward before changing it, or compute the loss again.")


def _refcount_of_popped_local() -> int:
    """What ``sys.getrefcount`` says of an object held only by a local it was popped into.

    Measured rather than assumed (2: the local and getrefcount's argument), as
    interpreters differ in which references they count; backward's leaf loop
    reads its gradients the same way.
    """
    holder = {0: object()}
    g = holder.pop(0)
    return sys.getrefcount(g)


_SOLE_REFERENCE_COUNT = _refcount_of_popped_local()


def _refcount_of_listed_loop_variable() -> int:
    """What ``sys.getrefcount`` says of an object held only by a list and a local (a ``for`` loop's variable)."""
    held = [object()]
    item = held[0]
    return sys.getrefcount(item)


_HELD_ONLY_BY_THE_LIST = _refcount_of_listed_loop_variable()


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for one backward pass, then restore its state.

    While backward allocates, the collector would walk the whole graph, every node
    of it, again and again: a fifth to a half of the time on a graph of 10^5 nodes,
    and varying from run to run. Backward makes no reference cycles of its own;
    any a hook makes are collected after it.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


_unbroadcast: list[type] = []  # the SumTo op, given by ops/shape.py, which imports the engine (not the reverse)


def use_unbroadcast(op_class: type) -> None:
    """Give the engine the op that sums a gradient back to an input's shape (``ops.shape.SumTo``):
    the shape ops import the engine, so the engine is handed this one rather than importing it."""
    _unbroadcast[:] = [op_class]


def sum_to(g: Any, shape: tuple[int, ...]) -> Any:
    """``g`` summed over the axes broadcasting added or stretched, back to ``shape``: the one unbroadcast
    step of backward (raw data in, raw data out; a node in, a node out)."""
    return _unbroadcast[0](shape).apply(g)


def grad(outputs: Node | Sequence[Node], inputs: Node | Sequence[Node],
         grad_outputs: Any = None, retain_graph: bool | None = None,
         create_graph: bool = False, allow_unused: bool = False) -> tuple[Any, ...]:
    """Gradients of ``outputs`` with respect to ``inputs``, as a tuple (like ``torch.autograd.grad``).

    Nothing is accumulated into ``.grad``. With ``create_graph=True`` the
    results have history and can be differentiated again. An input the
    outputs do not depend on is an error unless ``allow_unused=True``
    (then its entry is ``None``).

    >>> x = Tensor(3.0, requires_grad=True)
    >>> (dy_dx,) = grad(x ** 3, x, create_graph=True)
    >>> grad(dy_dx, x)
    (Tensor(18.),)
    """
    outs = [outputs] if isinstance(outputs, Node) else list(outputs)
    ins = [inputs] if isinstance(inputs, Node) else list(inputs)
    if grad_outputs is not None:
        grad_outputs = [grad_outputs] if isinstance(outputs, Node) else list(grad_outputs)
    for x in ins:
        if not isinstance(x, Node):
            raise TypeError(f"grad: inputs must be Tensors or Values, got {type(x).__name__}")
        if not x.requires_grad:
            raise RuntimeError("grad: one of the inputs does not require grad (create it with requires_grad=True)")
    return backward(outs, grad_outputs, retain_graph, create_graph, inputs=ins, allow_unused=allow_unused)
