"""The optimizer base class: parameter groups, per-parameter state, ``step``, ``apply_gradients``."""
from __future__ import annotations

from typing import Any, Callable, Iterable

import numpy as np

from ..engine import ShapeError, enable_grad, raw
from ..tensor import Tensor

__all__ = ["Optimizer"]


class Optimizer:
    """Updates parameters in place from their gradients; subclasses write one parameter's update.

    ``params`` is an iterable of parameters, or of dicts (parameter groups,
    each with its own settings), as in PyTorch; or ``None``, as with Keras's
    ``Adam()``, in which case :meth:`apply_gradients` adds the parameters it is given.

    Updates work on the arrays themselves (numpy ``out=`` and in-place
    operators, with one reusable scratch array per parameter), so a step
    allocates no new parameter-sized arrays on the common paths.

    >>> from autograd_lite import nn, optim
    >>> model = nn.Linear(1, 1, seed=0)
    >>> opt = optim.SGD(model.parameters(), lr=0.1)
    >>> loss = model([[1.0]]).sum()
    >>> loss.backward(); opt.step(); opt.zero_grad()                      # PyTorch style
    >>> grads = [p * 0 + 1 for p in model.trainable_variables]
    >>> opt.apply_gradients(zip(grads, model.trainable_variables))        # TensorFlow style
    """

    def __init__(self, params: Iterable[Any] | None, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self.param_groups: list[dict[str, Any]] = []
        self.state: dict[int, dict[str, Any]] = {}  # by id(parameter): parameters are not hashable by value
        self._scratch: dict[int, np.ndarray] = {}
        if params is None:
            return
        # a Module is iterable (Sequential) but is not a list of parameters: a common slip
        if isinstance(params, Tensor) or not isinstance(params, Iterable) or hasattr(params, "named_parameters"):
            raise TypeError(f"{type(self).__name__}: params must be an iterable of parameters (or of dicts), got "
                            f"{type(params).__name__}; pass model.parameters()")
        params = list(params)
        if not params:
            raise ValueError(f"{type(self).__name__} got an empty parameter list")
        for group in (params if isinstance(params[0], dict) else [{"params": params}]):
            self.add_param_group(group)

    def add_param_group(self, group: dict[str, Any]) -> None:
        """Add parameters with their own settings (missing settings take the optimizer's defaults)."""
        params = group["params"]
        params = [params] if isinstance(params, Tensor) else list(params)
        known = {id(p) for g in self.param_groups for p in g["params"]}
        for p in params:
            self._check_new(p, known)
            known.add(id(p))
        unknown = set(group) - set(self.defaults) - {"params", "initial_lr"}
        if unknown:
            raise TypeError(f"{type(self).__name__}: unknown setting(s) {', '.join(sorted(unknown))} in a "
                            f"parameter group; known: {', '.join(self.defaults)}")
        self.param_groups.append({**self.defaults, **group, "params": params})

    def build(self, var_list: Iterable[Tensor]) -> None:
        """Keras's ``optimizer.build``: give an optimizer made without parameters (``Adam()``,
        ``get("rmsprop")``) the variables it will update, before the first step; needed to load its
        saved state. An optimizer that has parameters already is left as it is.

        >>> from autograd_lite import nn, optim
        >>> model, opt = nn.Linear(2, 1, seed=0), optim.get("adam")
        >>> opt.build(model.parameters())
        """
        if not self.param_groups:
            self.add_param_group({"params": list(var_list)})

    def _check_new(self, p: Any, known: set[int]) -> None:
        name = type(self).__name__
        if not isinstance(p, Tensor):
            raise TypeError(f"{name} can only optimize Tensors, but one of the params is {type(p).__name__}")
        if not p.is_leaf or not p.requires_grad:
            problem = "is not a leaf (it was computed from others)" if not p.is_leaf else "does not require grad"
            raise ValueError(f"{name}: every parameter must be a leaf tensor that requires grad; one of shape "
                             f"{p.shape} {problem}")
        if id(p) in known:
            raise ValueError(f"{name}: a parameter of shape {p.shape} appears twice")

    # -- running --------------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget every parameter's gradient (``None``, as PyTorch 2 does, or zeros)."""
        for group in self.param_groups:
            for p in group["params"]:
                p.grad = None if set_to_none or p.grad is None else Tensor(np.zeros_like(p.data))

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a ``.grad``; returns ``closure()`` if one is given."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    self._update(p, _as_grad(p.grad.data, p), group)
                    p._bump_version()  # a graph recorded before this step must not backpropagate through it
        return loss

    def apply_gradients(self, grads_and_vars: Iterable[tuple[Any, Tensor]]) -> None:
        """TensorFlow's way: update each variable with the gradient paired with it (``None`` is skipped).

        Parameters the optimizer was not given yet join its first group.
        """
        groups = {id(p): g for g in self.param_groups for p in g["params"]}
        for g, p in grads_and_vars:
            if g is None:
                continue
            if id(p) not in groups:
                self._check_new(p, set(groups))
                if not self.param_groups:
                    self.param_groups.append({**self.defaults, "params": []})
                self.param_groups[0]["params"].append(p)
                groups[id(p)] = self.param_groups[0]
            g = raw(g)
            if np.shape(g) != p.shape:
                raise ShapeError(f"apply_gradients: gradient of shape {np.shape(g)} for a variable of shape {p.shape}")
            self._update(p, _as_grad(g, p), groups[id(p)])
            p._bump_version()

    def _update(self, p: Tensor, g: np.ndarray, group: dict[str, Any]) -> None:
        """Change ``p.data`` in place, given its gradient ``g`` (do not modify ``g``)."""
        raise NotImplementedError

    def _state(self, p: Tensor) -> dict[str, Any]:
        return self.state.setdefault(id(p), {})

    def _scratch_for(self, p: Tensor) -> np.ndarray:
        """A parameter-sized work array, reused every step (not part of the state)."""
        buf = self._scratch.get(id(p))
        if buf is None:
            buf = self._scratch[id(p)] = np.empty_like(p.data)
        return buf

    # -- Keras's spelling of the learning rate ---------------------------------
    @property
    def learning_rate(self) -> float:
        """The learning rate of the first group (Keras's name); setting it sets every group's."""
        return (self.param_groups[0] if self.param_groups else self.defaults)["lr"]

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        self.defaults["lr"] = value
        for group in self.param_groups:
            group["lr"] = value

    # -- state dicts ---------------------------------------------------------
    def _params(self) -> list[Tensor]:
        return [p for group in self.param_groups for p in group["params"]]

    def state_dict(self) -> dict[str, Any]:
        """PyTorch's layout: ``{"state": {index: {...}}, "param_groups": [{..., "params": [index, ...]}]}``.

        Parameters are numbered in group order; arrays are copies.
        """
        params = self._params()
        state = {i: {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in self.state[id(p)].items()}
                 for i, p in enumerate(params) if id(p) in self.state}
        index = {id(p): i for i, p in enumerate(params)}
        groups = [{**{k: v for k, v in g.items() if k != "params"}, "params": [index[id(p)] for p in g["params"]]}
                  for g in self.param_groups]
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore settings and state saved by :meth:`state_dict` from an optimizer over the same parameters."""
        groups = state_dict.get("param_groups") if isinstance(state_dict, dict) else None
        if groups is None or "state" not in state_dict:
            raise ValueError(f"{type(self).__name__}.load_state_dict: expected a dict with 'state' and 'param_groups'")
        sizes, saved_sizes = [len(g["params"]) for g in self.param_groups], [len(g["params"]) for g in groups]
        if sizes != saved_sizes:
            raise ValueError(f"{type(self).__name__}.load_state_dict: the saved optimizer has parameter groups of "
                             f"sizes {saved_sizes}, this one {sizes}")
        params = self._params()
        problems = []
        for i, entry in state_dict["state"].items():
            i = int(i)
            if not 0 <= i < len(params):
                problems.append(f"state for parameter {i}, but there are {len(params)}")
                continue
            for key, value in entry.items():
                if isinstance(value, np.ndarray) and value.shape != params[i].shape:
                    problems.append(f"parameter {i} '{key}': expected shape {params[i].shape}, got {value.shape}")
        if problems:
            raise ValueError(f"{type(self).__name__}.load_state_dict: " + "; ".join(problems))
        self.state = {id(params[int(i)]): {k: (np.array(v, dtype=params[int(i)].dtype) if isinstance(v, np.ndarray)
                                               else v) for k, v in entry.items()}
                      for i, entry in state_dict["state"].items()}
        for group, saved in zip(self.param_groups, groups):
            group.update({k: v for k, v in saved.items() if k != "params"})

    def __repr__(self) -> str:
        settings = ", ".join(f"{k}={v}" for k, v in self.defaults.items())
        return f"{type(self).__name__}({settings})"


def _as_grad(g: Any, p: Tensor) -> np.ndarray:
    """The gradient as an array of the parameter's dtype (a float64 gradient for float32 weights is cast)."""
    g = np.asarray(g)
    return g if g.dtype == p.data.dtype else g.astype(p.data.dtype)



def check_non_negative(owner: str, **settings: float) -> None:
    """Raise a ValueError naming the first negative setting."""
    for name, value in settings.items():
        if not value >= 0:  # also catches nan
            raise ValueError(f"{owner}: {name} must be >= 0, got {value}")
