"""The op registry: each public op declared once, and everything else made from that declaration.

An op's file declares it, next to its forward and backward; from the
declaration come its ``Tensor`` method, its ``Value`` method (for ops on
scalars), its ``ag.functional`` function, its ``nn`` module (for
activations), its name in ``draw`` expressions, and its gradient tests
(``tests/test_ops_gradcheck.py`` runs over :data:`REGISTRY`, so no op exists
without its check). Three ways to declare, from the smallest:

* :func:`elementwise`: one row for a function of one input with no settings
  (HIPS autograd's ``defvjp``, tinygrad's gradient table). It names the op,
  gives its forward on arrays and on Python floats, its local derivative
  written with engine ops (it runs on raw data and, under
  ``create_graph=True``, on nodes), and the statement a reader sees::

      Tan = elementwise("tan", np.tan, math.tan, "1 + tan(x)²", lambda x, y: 1 + y * y, saves=("y",))

* :func:`register` on an :class:`~autograd_lite.engine.Op` class without
  settings (``Exp()``): the method is ``Exp.shared()(self)``;
* :func:`register_function` on the public function of an op with settings
  (``leaky_relu(x, negative_slope=0.01)``), which is then the method itself
  (or, with ``varargs=``, the method also takes that setting spread out, as
  PyTorch's ``x.flip(0, 1)`` does beside ``torch.flip(x, (0, 1))``).

Generated methods call the op directly (``Exp.shared()(self)`` through a
closure): no lookup in this registry happens when an op runs.
"""
from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, replace
from collections.abc import Iterator, Mapping
from typing import Any, Callable, Sequence

from ..engine import Op

__all__ = ["Samples", "Entry", "REGISTRY", "register", "register_function", "elementwise", "unregister",
           "on_declare", "names", "draw_functions", "settings_of"]


@dataclass(frozen=True)
class Samples:
    """The inputs the tests give an op (PyTorch's OpInfo samples, in brief).

    Each test draws shapes that broadcast together (hypothesis) and values in
    ``[low, high]``; ``away`` keeps them at least that far from 0 (a kink there,
    as relu's), ``off_integers`` at least 0.1 from every integer (the jumps of
    the rounding ops). Each of ``settings`` is passed to the op's function as
    keyword arguments (PyTorch's names, so the same call runs in PyTorch).
    ``torch`` is the PyTorch counterpart, a dotted name under ``torch`` (``""``:
    the op's own name; ``None``: none). ``linear`` ops are also checked squared,
    so that their backward runs on a gradient with history in the second-order check.
    ``differentiable=False`` ops (comparisons, indices) are compared in forward only.
    A setting may be an array (gather's ``index``, masked_fill's ``mask``): fix ``shapes`` so that
    its positions fit; PyTorch is given it as a tensor. ``named_inputs`` names the last inputs, passed
    by keyword because the op takes them after its settings (scatter's ``src``).
    """
    inputs: int = 1
    low: float | tuple[float, ...] = -2.0  # a tuple: one value per input
    high: float | tuple[float, ...] = 2.0
    away: float | tuple[float, ...] = 0.0
    off_integers: bool = False
    min_dims: int = 0
    max_dims: int = 3
    min_side: int = 1  # 2 for var and std, whose correction divides by n - 1
    shapes: tuple[tuple[int, ...], ...] | None = None  # fixed shapes, one per input, instead of drawn ones
    settings: tuple[dict[str, Any], ...] = ({},)
    named_inputs: tuple[str, ...] = ()
    torch: str | None = ""
    linear: bool = False
    differentiable: bool = True
    value: bool = True  # with ``Entry.value``: also checked on scalar Values


@dataclass(frozen=True)
class Entry:
    """One public op: the function users call, and where it appears."""
    name: str
    function: Callable[..., Any]  # of Tensors (or Values); the method, unless ``method``, with the tensor as ``self``
    op: type[Op] | None  # the op class it records (None for functions of several ops or none, such as isnan)
    tensor: bool  # a Tensor method
    value: bool  # a Value method
    functional: bool  # an ag.functional function
    module: str | None  # the nn module's class name, for activations
    draw: bool  # a function in ``draw`` expressions (one input, no settings, works on Values)
    samples: Samples
    aliases: tuple[str, ...] = ()  # other names for the same function (``clamp`` for ``clip``)
    method: Callable[..., Any] | None = None  # the Tensor method where it is not ``function`` (see ``varargs``)


REGISTRY: dict[str, Entry] = {}
_PLACES: list[tuple[Callable[[Entry], None], Callable[[Entry], None]]] = []  # (add, remove) per place


def _add(entry: Entry) -> None:
    if entry.name in REGISTRY:
        raise ValueError(f"op {entry.name!r} is declared twice (already by {REGISTRY[entry.name].function})")
    REGISTRY[entry.name] = entry
    for add, _ in _PLACES:
        add(entry)


def on_declare(add: Callable[[Entry], None], remove: Callable[[Entry], None]) -> None:
    """Make each op public in one more place: ``add(entry)`` runs for every op declared so far and
    every op declared later (``Tensor`` methods, ``functional``, ``nn`` modules call this);
    ``remove(entry)`` when a declaration is withdrawn."""
    _PLACES.append((add, remove))
    for entry in list(REGISTRY.values()):
        add(entry)


def _direct_function(op: type[Op], name: str) -> Callable[..., Any]:
    """``op``'s shared instance (or, for an op that keeps state per call, a fresh one) applied to
    ``x`` or ``(a, b)``, as a plain function: as direct as a hand-written method."""
    try:
        run: Callable[..., Any] = op.shared()
    except TypeError:  # it keeps what its forward computed: one instance per call
        def run(*xs: Any) -> Any:
            return op()(*xs)
    arity = len(op.arg_names)
    if arity == 1:
        def function(x: Any) -> Any:
            return run(x)
    elif arity == 2:
        def function(a: Any, b: Any) -> Any:  # type: ignore[misc]
            return run(a, b)
    else:
        def function(*xs: Any) -> Any:  # type: ignore[misc]
            return run(*xs)
    function.__name__ = function.__qualname__ = name
    function.__doc__ = op.__doc__
    return function


def register(op: type[Op] | None = None, *, name: str | None = None, tensor: bool = True, value: bool = False,
             functional: bool = True, module: str | None = None, draw: bool = False,
             samples: Samples = Samples()) -> Any:
    """Declare an op class without settings public; use as ``@register(...)`` above the class.

    The method made is ``op.shared()(self)`` (or ``(self, other)``), named ``op.name`` unless ``name`` says otherwise.
    """
    def declare(cls: type[Op]) -> type[Op]:
        public = name or cls.name
        _add(Entry(public, _direct_function(cls, public), cls, tensor, value, functional, module, draw,
                   replace(samples, inputs=len(cls.arg_names))))
        return cls
    return declare(op) if op is not None else declare


def register_function(*, op: type[Op] | None = None, name: str | None = None, tensor: bool = True,
                      value: bool = False, functional: bool = True, module: str | None = None,
                      samples: Samples = Samples(), aliases: Sequence[str] = (), varargs: str | None = None
                      ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare a public function (an op with settings, or a few ops together) as a method and the rest.

    Its first parameter is the tensor (``self`` of the method); its other
    parameters are the settings, which an ``nn`` module made for it takes as
    its own (``nn.LeakyReLU(negative_slope=0.2)``). ``varargs`` names a
    sequence setting that the method also takes as separate arguments, as
    PyTorch's methods do where its functions take one sequence:
    ``x.flip(0, 1)``, ``x.flip((0, 1))`` and ``torch.flip(x, (0, 1))``.
    """
    def declare(function: Callable[..., Any]) -> Callable[..., Any]:
        if varargs and [p.name for p in settings_of(function)][:1] != [varargs]:
            raise TypeError(f"{function.__name__}: varargs={varargs!r} must name its first setting")
        method = _spreading(function, varargs) if varargs else None
        _add(Entry(name or function.__name__, function, op, tensor, value, functional, module, False, samples,
                   tuple(aliases), method))
        return function
    return declare


def _spreading(function: Callable[..., Any], setting: str) -> Callable[..., Any]:
    """The method of ``function`` whose first setting may come spread out: ``x.repeat(2, 3)`` is
    ``repeat(x, (2, 3))``; one argument is the setting itself (``x.repeat((2, 3))``, ``x.flip(0)``);
    none is an empty sequence, unless it is given by name (``x.flip(dims=0)``)."""
    def method(self: Any, *values: Any, **settings: Any) -> Any:
        if values:
            return function(self, values[0] if len(values) == 1 else values, **settings)
        return function(self, **settings) if setting in settings else function(self, (), **settings)
    method.__name__ = method.__qualname__ = function.__name__
    method.__doc__ = function.__doc__
    return method


def elementwise(name: str, array: Callable[[Any], Any], scalar: Callable[[float], float] | None,
                derivative: str, local: Callable[[Any, Any], Any] | None, *, saves: Sequence[str],
                samples: Samples = Samples(), module: str | None = None, doc: str = "") -> type[Op]:
    """One row: a function of one input, as an op class (returned) and everything made from it.

    ``array`` computes it on an ndarray, ``scalar`` on a Python float (``None``:
    not a ``Value`` op). ``local(x, y)`` is the local derivative ∂y/∂x, written
    with operators and ops' ``apply`` so that it runs on raw data and on nodes;
    ``None`` for an op whose gradient is 0 wherever it exists (rounding, sign:
    PyTorch passes 0, and so do we). ``derivative`` states it for readers.
    ``saves`` names what ``local`` reads (``"x"``, ``"y"``).
    """
    if scalar is None:
        def forward(self: Op, x: Any) -> Any:
            return array(x)
    else:
        def forward(self: Op, x: Any) -> Any:
            return scalar(x) if type(x) is float else array(x)

    if local is None:
        def backward(self: Op, g: Any, y: Any, x: Any) -> tuple[Any]:
            return (g * 0,)
    else:
        def backward(self: Op, g: Any, y: Any, x: Any) -> tuple[Any]:  # type: ignore[misc]
            return (g * local(x, y),)

    class_name = f"{module}Op" if module else _camel(name)  # ReLUOp records relu; nn.ReLU is the module
    body = {"__slots__": (), "forward": forward, "backward": backward, "__module__": _caller_module(),
            "__qualname__": class_name}
    if doc:
        body["__doc__"] = f"{name}(x): {doc}.   ∂/∂x = {derivative}"
    cls = type(Op)(class_name, (Op,), body, name=name, derivatives=(derivative,), saves=tuple(saves))
    register(cls, value=scalar is not None, draw=scalar is not None, module=module,
             samples=samples if scalar is not None else replace(samples, value=False))
    return cls


def unregister(name: str) -> None:
    """Withdraw a declaration and what was made from it (for tests that declare a throwaway op)."""
    entry = REGISTRY.pop(name, None)
    if entry is not None:
        for _, remove in _PLACES:
            remove(entry)


def install_methods(cls: type, kind: str) -> None:
    """Give ``cls`` a method for each op declared for it (``kind`` "tensor" or "value"), now and later."""
    def add(entry: Entry) -> None:
        if getattr(entry, kind):
            for name in names(entry):
                setattr(cls, name, entry.method or entry.function)

    def remove(entry: Entry) -> None:
        if getattr(entry, kind):
            for name in names(entry):
                if cls.__dict__.get(name) is (entry.method or entry.function):
                    delattr(cls, name)
    on_declare(add, remove)


def names(entry: Entry) -> tuple[str, ...]:
    """The op's name and its aliases."""
    return (entry.name, *entry.aliases)


class _DrawFunctions(Mapping):
    """name -> op class, for the functions ``draw`` expressions may call; always the registry's current list."""

    def _found(self) -> dict[str, type[Op]]:
        return {e.name: e.op for e in REGISTRY.values() if e.draw and e.op is not None}

    def __getitem__(self, name: str) -> type[Op]:
        return self._found()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._found())

    def __len__(self) -> int:
        return len(self._found())


def draw_functions() -> Mapping[str, type[Op]]:
    """The functions ``draw`` expressions may call (one input, no settings, on Values), by name."""
    return _DrawFunctions()


def settings_of(function: Callable[..., Any]) -> list[inspect.Parameter]:
    """The parameters after the first (the tensor): what a module made for ``function`` takes."""
    return list(inspect.signature(function).parameters.values())[1:]


def _camel(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"_", name))


def _caller_module() -> str:
    """The module that declared a row (so the class says where it lives)."""
    frame = inspect.currentframe()
    while frame is not None and frame.f_globals.get("__name__") == __name__:
        frame = frame.f_back
    return frame.f_globals.get("__name__", __name__) if frame is not None else __name__
