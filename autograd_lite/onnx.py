"""Export a model to ONNX, so that ONNX Runtime (or any ONNX tool) runs it without this package.

>>> import autograd_lite as ag
>>> model = ag.nn.Sequential(ag.nn.Linear(4, 8, seed=0), ag.nn.ReLU(), ag.nn.Linear(8, 3, seed=1))
>>> ag.onnx.export(model, np.zeros((1, 4), np.float32), "model.onnx",
...                dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})   # doctest: +SKIP
>>> import onnxruntime                                                             # doctest: +SKIP
>>> onnxruntime.InferenceSession("model.onnx").run(None, {"input": x})[0]          # doctest: +SKIP

As ``torch.onnx.export`` does, the model is run once on ``example_input``
and the ops it records are translated one by one, each through its entry in
:data:`TRANSLATIONS` (op name -> a function that adds ONNX nodes); an op
without an entry stops the export with an :class:`ExportError` naming it and
the module that made it. Adding an op kind is one entry there.
Parameters and buffers become initializers under their ``state_dict`` names.

Needs the ``onnx`` package (``pip install 'autograd-lite[interop]'``); the
file is checked with ``onnx.checker`` before it is written (atomically).
"""
from __future__ import annotations

import itertools
import os
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from .atomic import atomic_write
from .engine import Node, enable_grad
from .tensor import Tensor

__all__ = ["export", "ExportError", "TRANSLATIONS", "OPSET"]

OPSET = 17  # Softmax over any axis (13), LayerNormalization (17); what onnxruntime and PyTorch support widely


class ExportError(RuntimeError):
    """The model cannot be written as ONNX: an op without a translation, or a graph that does not fit."""


class _Graph:
    """What translations add to: ONNX nodes and initializers, with names made unique."""

    def __init__(self, helper: Any, numpy_helper: Any, dtype: np.dtype) -> None:
        self.helper, self.numpy_helper, self.dtype = helper, numpy_helper, dtype
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self._counter = itertools.count()

    def fresh(self, hint: str) -> str:
        return f"{hint}_{next(self._counter)}"

    def node(self, op_type: str, inputs: Sequence[str], outputs: Sequence[str] | None = None, **attributes: Any) -> str:
        """Add an ONNX node; returns its (first) output's name."""
        outputs = list(outputs) if outputs else [self.fresh(op_type.lower())]
        self.nodes.append(self.helper.make_node(op_type, list(inputs), outputs, name=self.fresh(op_type),
                                                **attributes))
        return outputs[0]

    def constant(self, value: Any, hint: str = "const", dtype: Any = None) -> str:
        """An initializer holding ``value``; floats take the model's dtype unless ``dtype`` is given."""
        array = np.asarray(value)
        if dtype is not None:
            array = array.astype(dtype)
        elif array.dtype.kind == "f":
            array = array.astype(self.dtype)
        name = self.fresh(hint)
        self.initializers.append(self.numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name


# A translation gets the graph, the op, its inputs' ONNX names and the inputs as traced (for their shapes),
# adds nodes and returns the name of the op's output.
Translation = Callable[[_Graph, Any, list[str], list[Node]], str]


def _same(op_type: str) -> Translation:
    """An op that ONNX has under another name, with the same inputs and no settings."""
    return lambda g, op, names, traced: g.node(op_type, names)


def _linear(g: _Graph, op: Any, names: list[str], traced: list[Node]) -> str:
    # y = x @ wᵀ + b: Gemm takes the (out, in) weight as it is (transB) for a batch of vectors
    if traced[0].data.ndim == 2:
        return g.node("Gemm", names, transB=1)
    y = g.node("MatMul", [names[0], g.node("Transpose", [names[1]], perm=[1, 0])])
    return g.node("Add", [y, names[2]]) if len(names) == 3 else y


def _pow(g: _Graph, op: Any, names: list[str], traced: list[Node]) -> str:
    exponent = getattr(op, "exponent", None)  # x ** 2 (a fixed exponent) and a ** b share the name
    return g.node("Pow", names if exponent is None else [names[0], g.constant(exponent, "exponent")])


def _reshape(g: _Graph, op: Any, names: list[str], traced: list[Node]) -> str:
    shape = list(op.shape) if isinstance(op.shape, (tuple, list)) else [op.shape]
    if shape and traced[0].data.ndim and shape[0] == traced[0].data.shape[0]:
        shape[0] = 0  # 0 copies the input's first dimension: the batch stays whatever size it has at run time
    return g.node("Reshape", [names[0], g.constant(shape, "shape", dtype=np.int64)])


def _permute(g: _Graph, op: Any, names: list[str], traced: list[Node]) -> str:
    axes = op.axes if op.axes is not None else tuple(reversed(range(traced[0].data.ndim)))
    return g.node("Transpose", names, perm=list(axes))


def _axes(op: Any, ndim: int) -> list[int] | None:
    if op.axis is None:
        return None
    axes = op.axis if isinstance(op.axis, (tuple, list)) else [op.axis]
    return [int(a) % ndim for a in axes]


def _reduction(op_type: str) -> Translation:
    def translate(g: _Graph, op: Any, names: list[str], traced: list[Node]) -> str:
        axes = _axes(op, traced[0].data.ndim)
        keepdims = int(bool(op.keepdims))
        if op_type == "ReduceSum":  # since opset 13 its axes are an input; the others' still an attribute in 17
            extra = [] if axes is None else [g.constant(axes, "axes", dtype=np.int64)]
            return g.node(op_type, names + extra, keepdims=keepdims)
        return g.node(op_type, names, keepdims=keepdims, **({} if axes is None else {"axes": axes}))
    return translate


def _clip(g: _Graph, op: Any, names: list[str], traced: list[Node]) -> str:
    low = "" if op.low is None else g.constant(op.low, "low")
    high = "" if op.high is None else g.constant(op.high, "high")
    return g.node("Clip", [names[0], low, high])


def _window(window: Any) -> dict[str, list[int]]:
    """A convolution's or pooling's window (``ops/conv.py``'s ``Window2d``) as ONNX attributes."""
    (top, bottom), (left, right) = window.padding
    return {"kernel_shape": list(window.kernel), "strides": list(window.stride), "pads": [top, left, bottom, right],
            "dilations": list(window.dilation)}


def _conv2d(g: _Graph, op: Any, names: list[str], traced: list[Node]) -> str:
    return g.node("Conv", names, group=int(op.groups), **_window(op.window))


def _max_pool2d(g: _Graph, op: Any, names: list[str], traced: list[Node]) -> str:
    return g.node("MaxPool", names, ceil_mode=int(op.window.ceil_mode), **_window(op.window))


def _avg_pool2d(g: _Graph, op: Any, names: list[str], traced: list[Node]) -> str:
    # The op divides each window's sum by its own count (padding included or not, or divisor_override):
    # ONNX's mean over the whole kernel, times kernel size / that count, gives the same for every case.
    attributes = _window(op.window)
    if attributes.pop("dilations") != [1, 1]:
        raise ExportError("onnx.export: avg_pool2d with dilation has no ONNX AveragePool equivalent")
    mean = g.node("AveragePool", names, ceil_mode=int(op.window.ceil_mode), count_include_pad=1, **attributes)
    scale = np.prod(op.window.kernel) / np.asarray(op.divisor, dtype=np.float64)
    return g.node("Mul", [mean, g.constant(scale[np.newaxis, np.newaxis], "pool_scale")])


TRANSLATIONS: dict[str, Translation] = {
    "linear": _linear,
    "matmul": _same("MatMul"),
    "add": _same("Add"), "sub": _same("Sub"), "mul": _same("Mul"), "div": _same("Div"), "neg": _same("Neg"),
    "pow": _pow,
    "exp": _same("Exp"), "log": _same("Log"), "sqrt": _same("Sqrt"), "abs": _same("Abs"),
    "sin": _same("Sin"), "cos": _same("Cos"), "tanh": _same("Tanh"),
    "sigmoid": _same("Sigmoid"), "relu": _same("Relu"),
    "leaky_relu": lambda g, op, names, traced: g.node("LeakyRelu", names, alpha=float(op.slope)),
    "softmax": lambda g, op, names, traced: g.node("Softmax", names, axis=int(op.axis)),
    "log_softmax": lambda g, op, names, traced: g.node("LogSoftmax", names, axis=int(op.axis)),
    "maximum": _same("Max"), "minimum": _same("Min"),
    "clip": _clip,
    "where": lambda g, op, names, traced: g.node("Where", [g.constant(op.condition, "condition", dtype=bool), *names]),
    "reshape": _reshape,
    "permute": _permute,
    "broadcast_to": lambda g, op, names, traced: g.node("Expand", [names[0], g.constant(op.shape, "shape",
                                                                                         dtype=np.int64)]),
    "concat": lambda g, op, names, traced: g.node("Concat", names, axis=int(op.axis)),
    "sum": _reduction("ReduceSum"), "mean": _reduction("ReduceMean"),
    "max": _reduction("ReduceMax"), "min": _reduction("ReduceMin"),
    "conv2d": _conv2d, "max_pool2d": _max_pool2d, "avg_pool2d": _avg_pool2d,  # the ops of ops/conv.py, ops/pooling.py
}
"""ONNX translations of the engine's ops, by op name. Add an entry to export a new op kind."""


def export(model: Any, example_input: Any, path: str | os.PathLike, input_names: Sequence[str] | None = None,
           output_names: Sequence[str] | None = None,
           dynamic_axes: Mapping[str, Mapping[int, str] | Sequence[int]] | None = None,
           opset_version: int = OPSET) -> None:
    """Write ``model`` as an ONNX file, traced on ``example_input`` (an array, or a tuple of arrays).

    ``input_names``/``output_names`` default to ``["input"]``/``["output"]``
    (``input_0, ...`` for several). ``dynamic_axes`` marks sizes that may
    change at run time, as in ``torch.onnx.export``: ``{"input": {0: "batch"},
    "output": {0: "batch"}}`` (or lists of axes). The model runs in eval mode
    for the trace (Dropout off) and is put back in the mode it was in.

    Raises :class:`ExportError` naming the op (and the module that recorded
    it) for an op with no ONNX translation, and ``ImportError`` naming the
    extra when the ``onnx`` package is missing.
    """
    onnx = _onnx()
    from onnx import helper, numpy_helper

    if opset_version < OPSET:
        raise ValueError(f"onnx.export: opset_version must be {OPSET} or newer, got {opset_version}")
    inputs = [_as_traced_input(x) for x in (example_input if isinstance(example_input, tuple) else (example_input,))]
    input_names = _names(input_names, len(inputs), "input")
    was_training = getattr(model, "training", False)
    if hasattr(model, "eval"):
        model.eval()
    try:
        with enable_grad():
            result = model(*inputs)
    finally:
        if hasattr(model, "train"):
            model.train(was_training)
    outputs = list(result) if isinstance(result, (tuple, list)) else [result]
    if not all(isinstance(y, Tensor) for y in outputs):
        raise ExportError(f"onnx.export: the model must return a Tensor (or a tuple of them), got "
                          f"{type(result).__name__}")
    output_names = _names(output_names, len(outputs), "output")
    dims = _dynamic_dims(dynamic_axes or {}, input_names + output_names)

    graph = _Graph(helper, numpy_helper, inputs[0].data.dtype)
    names = {id(x): name for x, name in zip(inputs, input_names)}
    parameter_names = {}  # parameters and buffers (running statistics) keep their state_dict names
    if hasattr(model, "named_parameters"):
        parameter_names = {id(t): n for n, t in [*model.named_parameters(), *model.named_buffers()]}
    for node in _ops_in_order(outputs):
        if id(node) in names:
            continue
        op = node.grad_fn
        if op is None:  # a leaf: a parameter under its state_dict name, or a constant
            name = parameter_names.get(id(node))
            if name is None:
                names[id(node)] = graph.constant(node.data)
            else:
                graph.initializers.append(numpy_helper.from_array(np.ascontiguousarray(node.data), name))
                names[id(node)] = name
            continue
        translate = TRANSLATIONS.get(op.name)
        if translate is None:
            where = op.scope.qualified_name() if getattr(op, "scope", None) is not None else "the model"
            raise ExportError(f"onnx.export: the op '{op.name}' ({type(op.op).__name__}, recorded in {where}) has no "
                              f"ONNX translation; ops that can be exported: {', '.join(sorted(TRANSLATIONS))}")
        names[id(node)] = translate(graph, op, [names[id(x)] for x in op.inputs], list(op.inputs))
    for y, name in zip(outputs, output_names):  # each output under its own name, even when it is an input
        graph.node("Identity", [names[id(y)]], [name])

    def value_info(name: str, node: Node) -> Any:
        shape = [dims.get((name, axis), size) for axis, size in enumerate(node.data.shape)]
        return helper.make_tensor_value_info(name, helper.np_dtype_to_tensor_dtype(node.data.dtype), shape)

    onnx_graph = helper.make_graph(graph.nodes, type(model).__name__,
                                   [value_info(n, x) for n, x in zip(input_names, inputs)],
                                   [value_info(n, y) for n, y in zip(output_names, outputs)], graph.initializers)
    onnx_model = helper.make_model(onnx_graph, opset_imports=[helper.make_opsetid("", opset_version)],
                                   producer_name="autograd-lite")
    try:
        onnx.checker.check_model(onnx_model, full_check=True)
    except onnx.checker.ValidationError as error:
        raise ExportError(f"onnx.export: the exported graph does not pass onnx.checker: {error}") from None
    with atomic_write(path, "wb") as f:
        f.write(onnx_model.SerializeToString())


def _onnx() -> Any:
    try:
        import onnx
    except ImportError:
        raise ImportError("ONNX export needs the onnx package: pip install 'autograd-lite[interop]'") from None
    return onnx


def _as_traced_input(x: Any) -> Tensor:
    data = np.asarray(x.data if isinstance(x, Node) else x)
    if data.dtype.kind != "f":
        data = data.astype(np.float32)  # as the layers convert their inputs (Keras's floatx)
    return Tensor(data, requires_grad=True)  # so that every op that touches the input is recorded


def _names(names: Sequence[str] | None, count: int, kind: str) -> list[str]:
    if names is None:
        return [kind] if count == 1 else [f"{kind}_{i}" for i in range(count)]
    names = list(names)
    if len(names) != count or len(set(names)) != count or not all(isinstance(n, str) and n for n in names):
        raise ValueError(f"onnx.export: {kind}_names must be {count} different non-empty names, got {names}")
    return names


def _dynamic_dims(dynamic_axes: Mapping[str, Any], known: list[str]) -> dict[tuple[str, int], str]:
    dims = {}
    for name, axes in dynamic_axes.items():
        if name not in known:
            raise ValueError(f"onnx.export: dynamic_axes names '{name}', which is not an input or output "
                             f"name ({', '.join(known)})")
        pairs = axes.items() if isinstance(axes, Mapping) else ((a, f"{name}_dim{a}") for a in axes)
        dims.update({(name, int(axis)): str(label) for axis, label in pairs})
    return dims


def _ops_in_order(outputs: list[Tensor]) -> list[Node]:
    """Every node the outputs depend on, inputs before the nodes made from them (constants included)."""
    order: list[Node] = []
    visited: set[int] = set()
    stack: list[tuple[Node, bool]] = [(y, False) for y in reversed(outputs)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))
        op = node.grad_fn
        if op is not None:
            stack.extend((x, False) for x in reversed(op.inputs) if id(x) not in visited)
    return order
