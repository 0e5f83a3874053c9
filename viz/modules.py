"""Parameter names, from what the user passes as ``params``, and module clusters, from the engine.

Each recorded op remembers the module call that made it (``op.scope``, a
chain of ``ModuleScope`` from the innermost call outwards), so clusters are
exact: an op is drawn in the box of the innermost module whose ``forward``
created it, nested modules nest, and ops made outside every module (a loss
called as a function) are outside every box.
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


def module_calls(graph: "Graph") -> dict[int, tuple[Any, ...]]:
    """Node position -> the module calls it was made in, outermost first (absent: outside every module).

    An op belongs to the innermost module whose ``forward`` recorded it (the engine
    keeps that call as ``op.scope``). A parameter or buffer, which no op makes, is
    placed in the innermost call, among those of the ops that use it, of a module
    that holds it; an input the user passes in stays outside.
    """
    calls: dict[int, tuple[Any, ...]] = {}
    for i, node in enumerate(graph.nodes):
        scope = getattr(node.grad_fn, "scope", None) if node.grad_fn is not None else None
        if scope is not None:
            calls[i] = _chain(scope)
    held: dict[int, set[int]] = {}  # id(module) -> ids of its parameters and buffers
    for i, node in enumerate(graph.nodes):
        if node.grad_fn is not None or not graph.consumers[i]:
            continue
        users = [calls.get(k, ()) for k in graph.consumers[i]]
        common = _common_prefix(users)
        for depth in range(len(common), 0, -1):
            if id(node) in _held_by(common[depth - 1].module, held):
                calls[i] = common[:depth]
                break
    return calls


def _chain(scope: Any) -> tuple[Any, ...]:
    chain = []
    while scope is not None:
        chain.append(scope)
        scope = scope.parent
    return tuple(reversed(chain))


def _common_prefix(chains: list[tuple[Any, ...]]) -> tuple[Any, ...]:
    common: list[Any] = []
    for level in zip(*chains):
        if any(scope is not level[0] for scope in level):
            break
        common.append(level[0])
    return tuple(common)


def _held_by(module: Any, cache: dict[int, set[int]]) -> set[int]:
    if id(module) not in cache:
        tensors = list(module.parameters()) if callable(getattr(module, "parameters", None)) else []
        if callable(getattr(module, "named_buffers", None)):
            tensors += [b for _, b in module.named_buffers()]
        cache[id(module)] = {id(t) for t in tensors}
    return cache[id(module)]


def call_title(scope: Any) -> str:
    """``0 (Dense)``: the module's path as the outermost module of the call names it in ``named_modules()``
    (so it agrees with the parameter names: a Keras ``Model`` adds no ``module.`` level), and its class."""
    outer = scope
    while outer.parent is not None:
        outer = outer.parent
    if outer is not scope and callable(getattr(outer.module, "named_modules", None)):
        for path, module in outer.module.named_modules():
            if module is scope.module and path:
                return f"{path} ({type(module).__name__})"
    return scope.qualified_name()
