"""Parameter names and module clusters, from what the user passes as ``params``.

The engine does not record which module ran an op, so clusters are inferred
from the parameters each op consumes: an op that takes ``0.weight`` or
``0.bias`` (or a view of them, such as ``0.weight.T``) belongs to module
``0``, and so does the one elementwise op that follows it alone (the layer's
activation: Keras' ``Dense(128, activation="sigmoid")``). A later op, such as
the loss, stays outside.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from autograd_lite.engine import Node

if TYPE_CHECKING:
    from .graph import Graph


def parameter_names(params: Any) -> dict[int, str]:
    """``id(parameter) -> "layers.0.weight"`` from a module, its ``named_parameters()``, or a dict."""
    if params is None:
        return {}
    named = getattr(params, "named_parameters", None)
    if callable(named):
        params = named()
    pairs = params.items() if isinstance(params, Mapping) else params
    wanted = ("viz: params must be a module, its named_parameters() (pairs of name and tensor) "
              f"or a dict of name -> tensor; got {type(params).__name__}")
    try:
        pairs = list(pairs)
    except TypeError:
        raise TypeError(wanted) from None
    names: dict[int, str] = {}
    for pair in pairs:
        if not (isinstance(pair, tuple) and len(pair) == 2 and isinstance(pair[0], str)
                and isinstance(pair[1], Node)):
            raise TypeError(f"{wanted} containing {pair!r:.60}")
        names.setdefault(id(pair[1]), pair[0])
    return names


def module_types(params: Any) -> dict[str, str]:
    """``{"0": "Dense"}`` when ``params`` is a module with ``named_modules()``, for cluster titles."""
    named = getattr(params, "named_modules", None)
    if not callable(named):
        return {}
    return {path: type(module).__name__ for path, module in named() if path}


def clusters(graph: "Graph") -> dict[int, str]:
    """Node position -> module path, for the nodes drawn inside a module's cluster."""
    owner: dict[int, str] = {}
    owned_data: set[int] = set()  # parameters and views of them (W.T): owned, but not an op *of* the layer
    uses_params: set[int] = set()
    for i, path in graph.params.items():
        module = path.rpartition(".")[0]
        if module:
            owner[i] = module
            owned_data.add(i)
    for i, node in enumerate(graph.nodes):
        inputs = graph.inputs[i]
        if not inputs or i in owner:
            continue
        modules = {owner[j] for j in inputs if j in owned_data}
        if modules:
            common = _common_path(modules)
            if common:
                owner[i] = common
                (owned_data if all(j in owned_data for j in inputs) else uses_params).add(i)
            continue
        computed = [j for j in inputs if not _is_constant(graph.nodes[j])]
        if len(computed) == 1:
            j = computed[0]
            if j in uses_params and graph.consumers[j] == [i] and graph.nodes[j].shape == node.shape:
                owner[i] = owner[j]  # the layer's activation; only one step, so the loss stays outside
    return owner


def _is_constant(node: Node) -> bool:
    return node.grad_fn is None and not node.requires_grad


def _common_path(paths: set[str]) -> str:
    parts = [p.split(".") for p in sorted(paths)]
    common = []
    for level in zip(*parts):
        if len(set(level)) > 1:
            break
        common.append(level[0])
    return ".".join(common)
