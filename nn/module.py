"""`Module`: the base of everything in `nn` that holds parameters.

A module's parameters are leaf :class:`~autograd.Value` objects, created once
with the module and never replaced: optimisers and :meth:`Module.load_state_dict`
change their ``data`` in place, so a list of them taken once stays valid.

Every parameter has a name, the path to it from the module: in an
:class:`~nn.layers.MLP`, ``layers.1.neurons.2.w.0`` is
``mlp.layers[1].neurons[2].w[0]``, the weight from input 0 into neuron 2 of
layer 1 (all indices from 0).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from typing import Any, ClassVar, Self

from autograd import Value
from autograd.formatting import quote_short, shorten

from .modelfile import (
    ModelFileError,
    ModelFileShapeError,
    ModelFileTypeError,
    NotAModelFileError,
    read_model_file,
    write_model_file,
)

__all__ = ["Module", "StateDictError"]


class StateDictError(ValueError):
    """A state dict that does not fit the module: missing, extra or non-numeric entries.

    ``details`` says what does not fit, without naming the operation.
    """

    def __init__(self, message: str, details: str = "") -> None:
        super().__init__(message)
        self.details = details or message


class Module:
    """Base class: parameters by name, gradients reset, state as a dict, and model files.

    Subclasses implement :meth:`named_parameters` (and, to be saved and
    loaded, :meth:`config` and :meth:`from_config`). Every subclass is
    registered by its class name, so :meth:`Module.load` can rebuild any of
    them from a file.
    """

    _registry: ClassVar[dict[str, type[Module]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        Module._registry[cls.__name__] = cls

    # --- parameters --------------------------------------------------------------

    def named_parameters(self) -> list[tuple[str, Value]]:
        """``(name, parameter)`` pairs in parameter order. The base class has none."""
        return []

    def parameters(self) -> tuple[Value, ...]:
        """The parameters in parameter order (subclasses return a tuple built once)."""
        return tuple(p for _, p in self.named_parameters())

    def zero_grad(self) -> None:
        """Set every parameter's ``grad`` to 0 (leaves accumulate across backward passes)."""
        for p in self.parameters():
            p.grad = 0.0

    # --- state -------------------------------------------------------------------

    def state_dict(self) -> dict[str, float]:
        """``{name: value}`` for every parameter, in parameter order."""
        return {name: p.data for name, p in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, object]) -> None:
        """Set every parameter's value from ``state`` (as made by :meth:`state_dict`).

        The names must match exactly and every value must be a finite real
        number; otherwise :class:`StateDictError` says what does not fit and
        nothing is changed.
        """
        if not isinstance(state, Mapping):
            raise StateDictError(
                f"load_state_dict: expected a mapping of name to number, got {type(state).__name__}"
            )
        named = self.named_parameters()
        names = {name for name, _ in named}
        missing = [name for name, _ in named if name not in state]
        unexpected = [name for name in state if name not in names]
        if missing or unexpected:
            parts = []
            if missing:
                parts.append(f"missing {len(missing)} parameter(s): {_some(missing)}")
            if unexpected:
                parts.append(f"{len(unexpected)} unexpected: {_some(unexpected)}")
            details = "; ".join(parts)
            raise StateDictError(
                f"load_state_dict: does not fit {shorten(repr(self), 200)}: {details}", details
            )
        values = []
        for name, _ in named:
            value = state[name]
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise StateDictError(
                    f"load_state_dict: {quote_short(name)} is {type(value).__name__} "
                    f"{quote_short(value, 40)}, "
                    "expected a number"
                )
            if not math.isfinite(value):
                raise StateDictError(
                    f"load_state_dict: {quote_short(name)} is {value!r}, expected finite"
                )
            values.append(float(value))
        for (_, p), value in zip(named, values):
            p.data = value

    # --- model files ---------------------------------------------------------------

    def config(self) -> dict[str, object]:
        """The constructor arguments that rebuild this module's shape (JSON-compatible)."""
        raise NotImplementedError(f"{type(self).__name__} does not define config(); cannot save")

    @classmethod
    def from_config(cls, config: Mapping[str, object]) -> Self:
        """A new module of the shape ``config`` describes (its parameters still to be loaded)."""
        raise NotImplementedError(f"{cls.__name__} does not define from_config(); cannot load")

    @classmethod
    def parameter_count(cls, config: Mapping[str, object]) -> int | None:
        """How many parameters a module of this ``config`` has, computed without building it.

        :meth:`load` compares it with the number of parameters in the file
        before building anything, so that a small file cannot ask for a huge
        network. ``None`` (the default) means "unknown": the module is then
        built first, which a subclass that can be large should avoid by
        overriding this. ``TypeError``/``ValueError`` for a config that is not valid.
        """
        return None

    def save(
        self,
        path: str | os.PathLike[str],
        format: str = "json",  # noqa: A002
        *,
        force: bool = False,
    ) -> None:
        """Write this module to a file, atomically.

        ``format="json"``: the JSON model file (:mod:`nn.modelfile`), for any
        module. ``format="safetensors"``: an MLP's weights under
        ``torch.nn.Sequential`` names, for PyTorch (:mod:`nn.safetensors`).
        A read-only file is replaced only with ``force``; a symbolic link is
        written through to its target; folders and special files are refused
        (:class:`autograd.atomic.TargetError`, an ``OSError``).
        """
        if format == "safetensors":
            from .layers import MLP
            from .safetensors import save_safetensors

            if not isinstance(self, MLP):
                raise TypeError(f"safetensors export is for an MLP, not a {type(self).__name__}")
            save_safetensors(self, path, force=force)
            return
        if format != "json":
            raise ValueError(f"save: unknown format {format!r:.40}; use 'json' or 'safetensors'")
        write_model_file(path, type(self).__name__, self.config(), self.state_dict(), force=force)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Self:
        """Rebuild a module from a model file written by :meth:`save`.

        ``MLP.load(path)`` insists on an MLP; ``Module.load(path)`` accepts any
        registered class. A damaged or foreign file raises a subclass of
        :class:`~nn.modelfile.ModelFileError` that says what is wrong.
        """
        contents = read_model_file(path, verify=False)
        where = contents.where
        target = Module._registry.get(contents.module)
        if target is None:
            raise NotAModelFileError(
                f"{where} holds an unknown module {quote_short(contents.module)}"
            )
        if cls is not Module and target is not cls:
            raise NotAModelFileError(
                f"{where} holds a {contents.module}, not a {cls.__name__}; "
                f"load it with {contents.module}.load or Module.load"
            )
        try:
            # the size first: a few bytes of config must not build a huge network
            count = target.parameter_count(contents.config)
            if count is not None and count > _BUILD_ALLOWANCE(len(contents.parameters)):
                raise ModelFileShapeError(
                    f"{where}: its config describes a {contents.module} with {count} "
                    f"parameters, but the file holds {len(contents.parameters)}"
                )
            module = target.from_config(contents.config)
        except TypeError as e:
            raise ModelFileTypeError(f"{where}: config: {shorten(str(e), 200)}") from None
        except ModelFileError:
            raise
        except ValueError as e:
            raise ModelFileError(f"{where}: config: {shorten(str(e), 200)}") from None
        try:
            module.load_state_dict(contents.parameters)
        except StateDictError as e:
            raise ModelFileShapeError(
                f"{where}: its parameters do not fit the {shorten(repr(module), 200)} "
                f"its config describes: {e.details}"
            ) from None
        contents.verify()
        return module  # type: ignore[return-value]  # target is cls, or cls is Module


def _BUILD_ALLOWANCE(held: int) -> int:
    """The most parameters :meth:`Module.load` builds for a file holding ``held``: a few
    more than it holds, so that a near miss is reported name by name, never many more."""
    return 2 * held + 1000


def _some(names: list[str], limit: int = 4) -> str:
    """Up to ``limit`` names, quoted, and how many more."""
    shown = ", ".join(quote_short(n) for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


# --- reading config values (for from_config) --------------------------------------


def config_int(config: Mapping[str, object], key: str) -> int:
    """``config[key]`` as an int; ``ValueError`` if missing, ``TypeError`` if not an integer."""
    value = _config_get(config, key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{key!r} must be an integer, got {quote_short(value, 40)}")
    return value


def config_str(config: Mapping[str, object], key: str) -> str:
    """``config[key]`` as a str; ``ValueError`` if missing, ``TypeError`` if not a string."""
    value = _config_get(config, key)
    if not isinstance(value, str):
        raise TypeError(f"{key!r} must be a string, got {quote_short(value, 40)}")
    return value


def config_int_list(config: Mapping[str, object], key: str) -> list[int]:
    """``config[key]`` as a list of ints; ``TypeError`` if it is anything else."""
    value = _config_get(config, key)
    if not isinstance(value, list) or any(
        isinstance(v, bool) or not isinstance(v, int) for v in value
    ):
        raise TypeError(f"{key!r} must be a list of integers, got {quote_short(value, 40)}")
    return list(value)


def _config_get(config: Mapping[str, object], key: str) -> object:
    if key not in config:
        raise ValueError(f"{key!r} is missing")
    return config[key]
