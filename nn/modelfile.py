"""The model file: a module's class, its constructor arguments and its parameters, as JSON.

A model file looks like this (``parameters`` in parameter order, numbers
written with ``repr`` so that they read back bit for bit)::

    {
      "format": "deltagrad-model",
      "version": 1,
      "module": "MLP",
      "config": {"nin": 4, "nouts": [5, 3], "activation": "sigmoid", ...},
      "parameters": {"layers.0.neurons.0.w.0": 0.8444218515250481, ...}
    }

Files are written atomically (:mod:`autograd.atomic`): a save that fails or is
interrupted leaves the previous file untouched. Reading checks everything and
says what is wrong with one error class per kind of damage, all subclasses of
:class:`ModelFileError` (itself a ``ValueError``). Keys other than the five
above are ignored, so later versions can add information.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from autograd.atomic import atomic_write_text

__all__ = [
    "FORMAT",
    "VERSION",
    "EmptyModelFileError",
    "ModelFileContents",
    "ModelFileError",
    "ModelFileShapeError",
    "ModelFileTypeError",
    "NotAModelFileError",
    "NotJSONModelFileError",
    "TruncatedModelFileError",
    "read_model_file",
    "write_model_file",
]

FORMAT = "deltagrad-model"
VERSION = 1


class ModelFileError(ValueError):
    """A model file that cannot be loaded. The message names the file and what is wrong."""


class EmptyModelFileError(ModelFileError):
    """The file has no content (0 bytes, or only white space)."""


class TruncatedModelFileError(ModelFileError):
    """The JSON stops in the middle: the file was cut short."""


class NotJSONModelFileError(ModelFileError):
    """The file is not JSON text at all (or not UTF-8)."""


class NotAModelFileError(ModelFileError):
    """Valid JSON, but not a deltagrad model file this version can read, or of another module."""


class ModelFileTypeError(ModelFileError):
    """An entry has the wrong type, e.g. a parameter that is a string instead of a number."""


class ModelFileShapeError(ModelFileError):
    """The parameters do not fit the network the file describes (missing or extra ones)."""


@dataclass(frozen=True)
class ModelFileContents:
    """What a model file holds, its types checked."""

    module: str
    config: dict[str, object]
    parameters: dict[str, float]


def write_model_file(
    path: str | os.PathLike[str],
    module: str,
    config: Mapping[str, object],
    parameters: Mapping[str, float],
    *,
    force: bool = False,
) -> None:
    """Write a model file atomically. Non-finite parameters are refused (JSON has no NaN).

    A folder, a device or other special file, a broken symbolic link and (unless
    ``force``) a read-only file are refused with :class:`autograd.atomic.TargetError`;
    a symbolic link is written through to its target (see :mod:`autograd.atomic`).
    """
    for name, value in parameters.items():
        if not math.isfinite(value):
            raise ValueError(
                f"save: parameter {name!r} is {value!r}; a model file holds finite numbers only"
            )
    document = {
        "format": FORMAT,
        "version": VERSION,
        "module": module,
        "config": dict(config),
        "parameters": dict(parameters),
    }
    with atomic_write_text(path, force=force) as f:
        json.dump(document, f, indent=2, allow_nan=False)
        f.write("\n")


def read_model_file(path: str | os.PathLike[str]) -> ModelFileContents:
    """Read and check a model file; :class:`ModelFileError` subclasses say what is wrong."""
    where = f"model file {os.fspath(path)!r}"
    raw = Path(path).read_bytes()
    if not raw.strip():
        raise EmptyModelFileError(f"{where} is empty ({len(raw)} bytes): there is no model in it")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise NotJSONModelFileError(
            f"{where} is not JSON text: byte {raw[e.start]:#04x} at offset {e.start} "
            "is not UTF-8 (is it a binary file?)"
        ) from None
    document = _parse_json(text, where)
    return _check_document(document, where)


# --- parsing ---------------------------------------------------------------

# What may be left after the point where a JSON parse failed if the text was
# merely cut short: part of a number (``0.``, ``1e-``) or of a literal (``tr``).
# Matched against the stripped rest (a pattern with ``\s*`` on both sides of an
# optional part backtracks quadratically over a run of spaces).
_CUT_TOKEN = re.compile(r"[0-9.eE+-]*|t(r(ue?)?)?|f(a(l(se?)?)?)?|n(u(ll?)?)?")


class _BadNumber(Exception):
    def __init__(self, token: str) -> None:
        self.token = token


def _parse_float(token: str) -> float:
    value = float(token)
    if not math.isfinite(value):  # e.g. 1e999, which float() turns into inf
        raise _BadNumber(token)
    return value


def _parse_constant(token: str) -> float:
    raise _BadNumber(token)  # NaN, Infinity, -Infinity: not JSON, and not a usable parameter


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result: dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _parse_json(text: str, where: str) -> object:
    try:
        return json.loads(
            text,
            parse_float=_parse_float,
            parse_constant=_parse_constant,
            object_pairs_hook=_no_duplicates,
        )
    except json.JSONDecodeError as e:
        rest = text[e.pos :]
        cut_short = e.msg.startswith("Unterminated string") or (
            e.msg != "Extra data" and _CUT_TOKEN.fullmatch(rest.strip()) is not None
        )
        if cut_short:
            raise TruncatedModelFileError(
                f"{where} is truncated: its JSON stops unexpectedly at line {e.lineno} "
                f"column {e.colno} (after {len(text)} characters); it was probably cut "
                "short while being written or copied"
            ) from None
        raise NotJSONModelFileError(
            f"{where} is not JSON: {e.msg} at line {e.lineno} column {e.colno}"
        ) from None
    except _BadNumber as e:
        raise ModelFileTypeError(
            f"{where}: {e.token} is not a finite number; a model file holds finite numbers only"
        ) from None
    except _DuplicateKey as e:
        raise ModelFileError(f"{where}: the key {e.key!r} appears twice in one object") from None
    except ValueError as e:  # e.g. an integer with more digits than Python converts
        raise NotJSONModelFileError(f"{where} is not readable JSON: {e}") from None


# --- checking --------------------------------------------------------------


def _json_type(x: object) -> str:
    if isinstance(x, bool):
        return "a boolean"
    if isinstance(x, int | float):
        return "a number"
    if isinstance(x, str):
        return "a string"
    if isinstance(x, list):
        return "an array"
    if isinstance(x, dict):
        return "an object"
    return "null"


def _check_document(document: object, where: str) -> ModelFileContents:
    if not isinstance(document, dict):
        raise NotAModelFileError(
            f"{where} is JSON but not a deltagrad model file: "
            f"its top level is {_json_type(document)}, expected an object"
        )
    fmt = document.get("format")
    if fmt != FORMAT:
        found = "has no 'format' entry" if fmt is None else f"has format {fmt!r}"
        raise NotAModelFileError(
            f"{where} is JSON but not a deltagrad model file: it {found}, expected {FORMAT!r}"
        )
    version = document.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise ModelFileTypeError(
            f"{where}: 'version' is {_json_type(version)} ({version!r:.40}), expected an integer"
        )
    if version != VERSION:
        raise NotAModelFileError(
            f"{where} has version {version}; this deltagrad reads version {VERSION} only"
        )
    module = document.get("module")
    if not isinstance(module, str):
        raise ModelFileTypeError(
            f"{where}: 'module' is {_json_type(module)} ({module!r:.40}), expected a class name"
        )
    config = document.get("config")
    if not isinstance(config, dict):
        raise ModelFileTypeError(
            f"{where}: 'config' is {_json_type(config)} ({config!r:.40}), expected an object"
        )
    params = document.get("parameters")
    if not isinstance(params, dict):
        raise ModelFileTypeError(
            f"{where}: 'parameters' is {_json_type(params)} ({params!r:.40}), "
            "expected an object of name: number"
        )
    parameters: dict[str, float] = {}
    for name, value in params.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ModelFileTypeError(
                f"{where}: parameter {name!r} is {_json_type(value)} ({value!r:.40}), "
                "expected a number"
            )
        try:
            parameters[name] = float(value)
        except OverflowError:
            raise ModelFileTypeError(
                f"{where}: parameter {name!r} ({value!r:.40}...) is too large for a float"
            ) from None
    return ModelFileContents(module, config, parameters)
