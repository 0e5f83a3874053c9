"""``Module`` and ``Parameter``: PyTorch's way of bundling weights with the code that uses them."""
from __future__ import annotations

from typing import Any, Iterator, Mapping, NamedTuple

import numpy as np

from .. import engine
from ..engine import RemovableHandle
from ..tensor import Tensor

__all__ = ["Parameter", "UninitializedParameter", "Module", "StateDictError", "IncompatibleKeys", "RemovableHandle"]


class Parameter(Tensor):
    """A tensor that a module owns and an optimizer updates: it requires grad, and is a leaf.

    The data is copied (so in-place optimizer steps never write into the array
    it was made from) and keeps its dtype; Python numbers become float32.

    >>> w = Parameter(np.zeros((2, 3)))
    >>> w.requires_grad, w.shape
    (True, (2, 3))
    """

    __slots__ = ()

    def __init__(self, data: Any, requires_grad: bool = True) -> None:
        source = data.data if isinstance(data, Tensor) else data
        super().__init__(np.array(source, copy=True) if isinstance(source, np.ndarray) else source)
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class UninitializedParameter(Parameter):
    """A lazy layer's parameter before the layer has seen its first input: no shape yet, no values.

    As in PyTorch's lazy modules, the layer hands these to an optimizer made
    before its first call, and :meth:`materialize` fills the same object in
    place at that call (it becomes a plain :class:`Parameter`), so the
    optimizer updates it from then on. ``state_dict()`` leaves it out.

    >>> p = UninitializedParameter()
    >>> p.materialize(np.zeros((2, 3), dtype=np.float32))
    >>> type(p).__name__, p.shape
    ('Parameter', (2, 3))
    """

    __slots__ = ()

    def __init__(self) -> None:
        super().__init__(np.empty((0,), dtype=np.float32))

    def materialize(self, data: np.ndarray) -> None:
        """Take ``data`` (copied, dtype kept) as this parameter's value, in place."""
        self.data = np.array(data, copy=True)
        self.__class__ = Parameter  # the same slots: only the class changes, every reference stays valid
        self._bump_version()

    def __repr__(self) -> str:
        return "<UninitializedParameter>"


class StateDictError(ValueError):
    """A state dict whose names or shapes do not fit the module; the message lists every difference."""


class IncompatibleKeys(NamedTuple):
    """What ``load_state_dict(..., strict=False)`` skipped (PyTorch's ``_IncompatibleKeys``)."""
    missing_keys: list[str]
    unexpected_keys: list[str]


class Module:
    """Base class of layers and models: subclass it, set layers and parameters as attributes, write ``forward``.

    Parameters and submodules are found by looking at the attributes, in the
    order they were first set, including lists, tuples and dicts of them
    (so a plain ``self.layers = [Dense(...), ...]``, as the seed programs
    write, is registered). Names join attribute names with dots:
    ``fc1.weight``, ``layers.0.bias``. A module that appears twice is counted once.

    >>> from autograd_lite.nn import Linear
    >>> class Net(Module):
    ...     def __init__(self):
    ...         self.fc1 = Linear(2, 4, seed=0)
    ...         self.fc2 = Linear(4, 1, seed=1)
    ...     def forward(self, x):
    ...         return self.fc2(self.fc1(x).relu())
    >>> [name for name, _ in Net().named_parameters()]
    ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']

    Unlike PyTorch, calling ``super().__init__()`` is optional (nothing needs
    registering), and parameters come in definition order even when a module
    mixes its own parameters with submodules (PyTorch lists its own first).
    """

    training: bool = True  # a class default, so subclasses need no __init__ call

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Run ``forward`` (with the hooks, as in PyTorch); every op it records remembers this
        call of this module, so a drawing clusters ops by the module that made them."""
        hooks = vars(self).get("_forward_hooks")
        if hooks:
            for hook in list(hooks["pre"].values()):
                replaced = hook(self, args)
                if replaced is not None:
                    args = replaced if isinstance(replaced, tuple) else (replaced,)
        state = engine._thread
        outer = state.module_scope
        state.module_scope = engine.ModuleScope(self, outer)
        try:
            result = self.forward(*args, **kwargs)
        finally:
            state.module_scope = outer
        if hooks:
            for hook in list(hooks["post"].values()):
                replaced = hook(self, args, result)
                if replaced is not None:
                    result = replaced
        return result

    def register_forward_pre_hook(self, hook: Any) -> "RemovableHandle":
        """Call ``hook(module, args)`` before each ``forward``; a non-``None`` result replaces the
        arguments (a tuple, or one value). ``handle.remove()`` takes it off again (PyTorch's API)."""
        return self._add_forward_hook("pre", hook)

    def register_forward_hook(self, hook: Any) -> "RemovableHandle":
        """Call ``hook(module, args, output)`` after each ``forward``; a non-``None`` result
        replaces the output. For watching activations (as PyTorch's forward hooks):

        >>> from autograd_lite.nn import ReLU
        >>> seen = []
        >>> handle = ReLU().register_forward_hook(lambda m, args, out: seen.append(out.shape))
        """
        return self._add_forward_hook("post", hook)

    def _add_forward_hook(self, kind: str, hook: Any) -> "RemovableHandle":
        if not callable(hook):
            raise TypeError(f"register_forward_hook: expected a function, got {type(hook).__name__}")
        hooks = vars(self).setdefault("_forward_hooks", {"pre": {}, "post": {}})
        return RemovableHandle.add(hooks[kind], hook)

    # -- finding parameters and submodules ----------------------------------
    def _named_members(self) -> Iterator[tuple[str, Any]]:
        """(name, item) for each Parameter or Module held directly, in attribute order."""
        for attr, value in vars(self).items():
            if isinstance(value, (Parameter, Module)):
                yield attr, value
            elif isinstance(value, (list, tuple)):
                for i, item in enumerate(value):
                    if isinstance(item, (Parameter, Module)):
                        yield f"{attr}.{i}", item
            elif isinstance(value, dict):
                for key, item in value.items():
                    if isinstance(item, (Parameter, Module)):
                        yield f"{attr}.{key}", item

    def named_children(self) -> Iterator[tuple[str, "Module"]]:
        """The direct submodules with their names."""
        seen: set[int] = set()
        for name, item in self._named_members():
            if isinstance(item, Module) and id(item) not in seen:
                seen.add(id(item))
                yield name, item

    def children(self) -> Iterator["Module"]:
        return (m for _, m in self.named_children())

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, "Module"]]:
        """This module (named ``prefix``) and every submodule below it, each once."""
        seen: set[int] = set()
        stack = [(prefix, self)]
        while stack:  # iterative and memoised: attributes may point back up the tree
            name, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            children = [(f"{name}.{n}" if name else n, m) for n, m in module.named_children()]
            stack.extend(reversed(children))

    def modules(self) -> Iterator["Module"]:
        return (m for _, m in self.named_modules())

    def named_parameters(self, prefix: str = "", recurse: bool = True) -> list[tuple[str, Parameter]]:
        """``[(name, parameter), ...]`` in definition order, each parameter once."""
        out: list[tuple[str, Parameter]] = []
        seen: set[int] = set()
        self._collect(prefix, recurse, out, seen, set())
        return out

    def _collect(self, prefix: str, recurse: bool, out: list, seen: set[int], visiting: set[int]) -> None:
        visiting.add(id(self))
        for name, item in self._named_members():
            full = f"{prefix}.{name}" if prefix else name
            if isinstance(item, Parameter):
                if id(item) not in seen:
                    seen.add(id(item))
                    out.append((full, item))
            elif recurse and id(item) not in visiting:
                item._collect(full, recurse, out, seen, visiting)

    def parameters(self, recurse: bool = True) -> list[Parameter]:
        """Every parameter, in definition order (give this to an optimizer)."""
        return [p for _, p in self.named_parameters(recurse=recurse)]

    # -- buffers: state that is saved but not trained ------------------------------
    def register_buffer(self, name: str, tensor: Any, persistent: bool = True) -> None:
        """Keep ``tensor`` as ``self.<name>``: state that is not a parameter (no gradient, no
        optimizer) but belongs to the model, such as BatchNorm's ``running_mean``. Persistent
        buffers are in ``state_dict()`` and checkpoints, after the parameters (PyTorch's API).

        >>> m = Module()
        >>> m.register_buffer("steps", Tensor(np.zeros((), dtype=np.int64)))
        >>> list(m.state_dict())
        ['steps']
        """
        if not isinstance(name, str) or not name or "." in name:
            raise KeyError(f"register_buffer: the name must be a non-empty string without '.', got {name!r}")
        if tensor is not None and not isinstance(tensor, Tensor):
            tensor = Tensor(tensor)
        if isinstance(tensor, Parameter):
            raise TypeError(f"register_buffer: {name!r} is a Parameter; a buffer holds state that is not trained")
        vars(self).setdefault("_buffer_names", {})[name] = bool(persistent)
        setattr(self, name, tensor)

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      persistent_only: bool = False) -> list[tuple[str, Tensor]]:
        """``[(name, buffer), ...]``: each module's buffers, modules in ``named_modules`` order."""
        modules = self.named_modules(prefix) if recurse else [(prefix, self)]
        out = []
        for module_name, module in modules:
            for name, persistent in vars(module).get("_buffer_names", {}).items():
                buffer = getattr(module, name, None)
                if buffer is not None and (persistent or not persistent_only):
                    out.append((f"{module_name}.{name}" if module_name else name, buffer))
        return out

    def buffers(self, recurse: bool = True) -> list[Tensor]:
        return [b for _, b in self.named_buffers(recurse=recurse)]

    @property
    def trainable_variables(self) -> list[Parameter]:
        """The parameters that require grad (TensorFlow's name, as in ``tape.gradient(loss, model.trainable_variables)``)."""
        return [p for p in self.parameters() if p.requires_grad]

    # -- modes and gradients ------------------------------------------------
    def train(self, mode: bool = True) -> "Module":
        """Set training mode here and in every submodule (Dropout is active only in training)."""
        for module in self.modules():
            module.training = bool(mode)
        return self

    def eval(self) -> "Module":
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the parameters' gradients (``None``, as PyTorch 2 does, or zeros)."""
        for p in self.parameters():
            if set_to_none or p.grad is None:
                p.grad = None
            else:
                p.grad = Tensor(np.zeros_like(p.data))

    # -- state dicts ---------------------------------------------------------
    def state_dict(self) -> dict[str, np.ndarray]:
        """``{name: copy of the array}``: the parameters in definition order, then the persistent buffers.

        Copies, not views (PyTorch returns tensors that share memory): a saved
        state dict stays as it was while training goes on.
        """
        return {name: t.data.copy() for name, t in self._named_state()
                if not isinstance(t, UninitializedParameter)}

    def _named_state(self) -> list[tuple[str, Tensor]]:
        return list(self.named_parameters()) + self.named_buffers(persistent_only=True)

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True) -> IncompatibleKeys:
        """Copy arrays (or tensors) into the parameters of the same names, in place.

        With ``strict=True`` (the default) the names must match exactly;
        otherwise :class:`StateDictError` lists every missing, unexpected and
        wrongly shaped key (or one whose dtype cannot be cast, as complex to
        float), and nothing is changed. ``strict=False`` loads what
        matches and returns the missing and unexpected keys; shapes must still match.
        A Dense layer not built yet takes its input size from the saved weight.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"load_state_dict: expected a dict of arrays, got {type(state_dict).__name__}")
        # Check everything before changing anything: a lazy layer is built only once the whole dict fits.
        lazy_shapes: dict[str, tuple[int, ...]] = {}
        for name, module in self.named_modules():
            lazy_shapes.update(module._lazy_shapes(f"{name}." if name else "", state_dict))
        params = dict(self._named_state())
        missing = [k for k in params if k not in state_dict]
        unexpected = [k for k in state_dict if k not in params and k not in lazy_shapes]
        arrays, mismatched = {}, []
        for name, p in params.items():
            if name in state_dict:
                value = state_dict[name]
                arrays[name] = np.asarray(value.data if isinstance(value, Tensor) else value)
                unbuilt = isinstance(p, UninitializedParameter)
                expected = lazy_shapes.get(name) if unbuilt else p.shape
                if arrays[name].shape != expected:
                    mismatched.append(f"{name}: expected {expected}, got {arrays[name].shape}" if expected else
                                       f"{name}: got {arrays[name].shape}, which does not fit the unbuilt layer")
                elif not np.can_cast(arrays[name].dtype, p.dtype, casting="same_kind"):  # float64 -> float32 is fine
                    mismatched.append(f"{name}: expected numbers that fit {p.dtype}, got {arrays[name].dtype}")
        if mismatched or (strict and (missing or unexpected)):
            raise StateDictError(self._mismatch_message(missing if strict else [],
                                                        unexpected if strict else [], mismatched))
        for name, module in self.named_modules():
            module._materialize(f"{name}." if name else "", state_dict)
        if any(name not in params for name in lazy_shapes):  # layers without placeholders made theirs just now
            params = dict(self._named_state())
            arrays.update({name: np.asarray(getattr(state_dict[name], "data", state_dict[name]))
                           for name in lazy_shapes if name in params and name not in arrays})
        for name, array in arrays.items():
            params[name].data[...] = array  # in place: optimizers and views keep pointing at the same array
            params[name]._bump_version()
        return IncompatibleKeys(missing, unexpected)

    def _lazy_shapes(self, prefix: str, state_dict: Mapping[str, Any]) -> dict[str, tuple[int, ...]]:
        """For a lazy layer not built yet: the shapes its parameters would take from ``state_dict``
        (``{full name: shape}``), without building it. Other modules have none."""
        return {}

    def _materialize(self, prefix: str, state_dict: Mapping[str, Any]) -> None:
        """Lazy layers create their parameters here from the saved shapes (PyTorch's lazy modules do too),
        once :meth:`load_state_dict` has checked them with :meth:`_lazy_shapes`."""

    def _mismatch_message(self, missing: list[str], unexpected: list[str], mismatched: list[str]) -> str:
        lines = [f"state dict does not fit {type(self).__name__}:"]
        if missing:
            lines.append(f"  missing keys: {', '.join(missing)}")
        if unexpected:
            lines.append(f"  unexpected keys: {', '.join(unexpected)}")
        if mismatched:
            lines.append(f"  wrong shapes or dtypes: {'; '.join(mismatched)}")
        unbuilt = [name or type(m).__name__ for name, m in self.named_modules() if getattr(m, "built", True) is False]
        if unbuilt:
            lines.append(f"  note: {', '.join(unbuilt)} not built yet (the input size is inferred at the first "
                         f"call): call the model once on a batch, or give input_dim=, before loading")
        return "\n".join(lines)

    # -- printing -------------------------------------------------------------
    def extra_repr(self) -> str:
        """The settings shown between the parentheses of this module's line (override in layers)."""
        return ""

    def __repr__(self) -> str:
        lines = self._repr_lines()
        if len(lines) == 1 and not self.parameters():  # ReLU(): nothing to count
            return lines[0]
        return "\n".join(lines) + f"\nTotal params: {sum(p.size for p in self.parameters()):,}"

    def _repr_lines(self, seen: frozenset[int] = frozenset()) -> list[str]:
        seen = seen | {id(self)}
        head = f"{type(self).__name__}({self.extra_repr()})"
        own = [(n, p.shape) for n, p in self._named_members()
               if isinstance(p, Parameter) and not isinstance(p, UninitializedParameter)]
        children = [(n, m) for n, m in self.named_children() if id(m) not in seen]
        if not children:  # a leaf layer: its parameter shapes fit on its line
            return [head + ("  " + ", ".join(f"{n} {shape}" for n, shape in own) if own else "")]
        lines = [head[:-1]] + [f"  ({n}): Parameter{shape}" for n, shape in own]
        for name, child in children:
            sub = child._repr_lines(seen)
            lines.append(f"  ({name}): {sub[0]}")
            lines.extend("  " + line for line in sub[1:])
        lines.append(")")
        return lines
