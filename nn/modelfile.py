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
:class:`ModelFileError` (itself a ``ValueError``). Keys other than those
described here are ignored, so later versions can add information.

**Integrity.** :func:`write_model_file` adds a sixth entry, ``"checksum":
"sha256:<64 hex digits>"``, the SHA-256 of the canonical form of module,
config and parameters (:func:`checksum`: JSON with sorted keys, no spaces,
numbers as Python's ``repr``). Reading recomputes it from the values read and
refuses a file whose checksum differs (:class:`ModelFileChecksumError`): a
flipped bit or an edited number is caught rather than loaded as a different
network. A file without a ``checksum`` entry (written by hand, or by an older
deltagrad) still loads; :func:`seal` adds one to it.

**Bounds.** Only regular files are read (a FIFO, a device or a folder is
refused before reading, so ``/dev/zero`` or a named pipe cannot hang or exhaust
memory), at most :data:`MAX_FILE_BYTES` bytes, nested at most
:data:`MAX_NESTING` levels deep. :meth:`nn.module.Module.load` compares the
number of parameters the config describes with the number the file holds
*before* building the network, so loading costs at most a small multiple of
the file's size.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass

from autograd.atomic import atomic_write_text
from autograd.formatting import quote_short

__all__ = [
    "FORMAT",
    "MAX_FILE_BYTES",
    "MAX_NESTING",
    "VERSION",
    "EmptyModelFileError",
    "ModelFileChecksumError",
    "ModelFileContents",
    "ModelFileError",
    "ModelFileShapeError",
    "ModelFileTypeError",
    "NotAModelFileError",
    "NotJSONModelFileError",
    "TruncatedModelFileError",
    "checksum",
    "read_model_file",
    "seal",
    "write_model_file",
]

FORMAT = "deltagrad-model"
VERSION = 1
MAX_FILE_BYTES = 64 * 2**20
"""The largest model file read: 64 MiB, about 1.5 million parameters (a 4-10000-3
network, the largest ``deltagrad train`` makes, takes about 3 MB)."""
MAX_NESTING = 32
"""The deepest nesting of arrays and objects read (a model file needs 3 or 4)."""
_CHECKSUM_PREFIX = "sha256:"


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


class ModelFileChecksumError(ModelFileError):
    """The file's ``checksum`` does not match its contents: it was damaged or edited."""


@dataclass(frozen=True)
class ModelFileContents:
    """What a model file holds, its types checked."""

    module: str
    config: dict[str, object]
    parameters: dict[str, float]
    where: str = "model file"
    stored_checksum: object = None
    """The file's ``checksum`` entry, or None if it has none."""
    actual_checksum: str = ""
    """The checksum of what the file holds (:func:`checksum`)."""

    def verify(self) -> None:
        """Raise :class:`ModelFileChecksumError` if the file's checksum does not match."""
        if self.stored_checksum is None or self.stored_checksum == self.actual_checksum:
            return
        shown = quote_short(self.stored_checksum, 80)
        raise ModelFileChecksumError(
            f"{self.where} is damaged or was edited: its checksum {shown} does not match its "
            f"contents ({self.actual_checksum[:23]}...); if the edit was on purpose, seal it "
            "again with nn.modelfile.seal(path, force=True)"
        )


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
                f"save: parameter {quote_short(name)} is {value!r}; "
                "a model file holds finite numbers only"
            )
    config_copy = dict(config)
    values = {name: float(value) for name, value in parameters.items()}
    document = {
        "format": FORMAT,
        "version": VERSION,
        "module": module,
        "config": config_copy,
        "parameters": values,
        "checksum": checksum(module, config_copy, values),
    }
    _write(path, document, force)


def _write(path: str | os.PathLike[str], document: Mapping[str, object], force: bool) -> None:
    with atomic_write_text(path, force=force) as f:
        json.dump(document, f, indent=2, allow_nan=False)
        f.write("\n")


def read_model_file(path: str | os.PathLike[str], *, verify: bool = True) -> ModelFileContents:
    """Read and check a model file; :class:`ModelFileError` subclasses say what is wrong.

    With ``verify=False`` the checksum is not compared yet: the caller calls
    :meth:`ModelFileContents.verify` after its own checks (so that a more
    specific error, such as a missing parameter, is the one reported).
    """
    where = f"model file {quote_short(os.fspath(path), 240)}"
    document = _read_document(path, where)
    contents = _check_document(document, where)
    if verify:
        contents.verify()
    return contents


def seal(path: str | os.PathLike[str], *, force: bool = False) -> str:
    """Add a ``checksum`` to a model file written by hand (or refresh it); return it.

    The file is read and checked as :func:`read_model_file` does, then written
    back (atomically) with the checksum of what it holds. A file whose
    checksum is present but wrong is refused (:class:`ModelFileChecksumError`):
    it may be damaged, and sealing would bless the damage; ``force=True``
    seals it as it is, for a file edited on purpose.
    """
    where = f"model file {quote_short(os.fspath(path), 240)}"
    document = _read_document(path, where)
    contents = _check_document(document, where)
    if not force:
        contents.verify()
    assert isinstance(document, dict)  # checked by _check_document
    document["checksum"] = contents.actual_checksum
    _write(path, document, force=False)
    return contents.actual_checksum


def checksum(module: str, config: Mapping[str, object], parameters: Mapping[str, object]) -> str:
    """``"sha256:"`` and the SHA-256 of module, config and parameters in canonical JSON.

    Canonical: keys sorted, no spaces, ASCII only, every number as Python
    writes it (``repr``), so the same values always give the same text.

    >>> checksum("MLP", {"nin": 1}, {"b": 0.5})[:23]
    'sha256:007add0f7bad3b08'
    """
    canonical = json.dumps(
        {"module": module, "config": config, "parameters": parameters},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
        allow_nan=False,
    )
    return _CHECKSUM_PREFIX + hashlib.sha256(canonical.encode("ascii")).hexdigest()


def _read_document(path: str | os.PathLike[str], where: str) -> object:
    """The file's JSON: a regular file only, at most :data:`MAX_FILE_BYTES` bytes."""
    raw = _read_bytes(path, where)
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
    _check_nesting(document, where)
    return document


def _read_bytes(path: str | os.PathLike[str], where: str) -> bytes:
    # O_NONBLOCK: opening a FIFO must not wait for a writer; the kind is then checked on
    # the open file itself, so nothing can be swapped in between the check and the read.
    # A file that cannot be opened (missing, no permission) raises the usual OSError.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "a device, FIFO or socket"
            raise ModelFileError(f"{where} is {kind}, not a regular file; model files are files")
        if info.st_size > MAX_FILE_BYTES:
            raise ModelFileError(
                f"{where} is {info.st_size} bytes; the limit for a model file is "
                f"{MAX_FILE_BYTES} bytes ({MAX_FILE_BYTES // 2**20} MiB)"
            )
        chunks = []
        size = 0
        while size <= MAX_FILE_BYTES:
            # the size it has (plus one byte, to see the end), or more if it grows
            want = max(info.st_size + 1 - size, 2**16)
            chunk = os.read(fd, min(want, MAX_FILE_BYTES + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > MAX_FILE_BYTES:  # it grew while being read
            raise ModelFileError(
                f"{where} is more than {MAX_FILE_BYTES} bytes, the limit for a model file"
            )
        return b"".join(chunks)
    except OSError as e:
        raise ModelFileError(f"{where} cannot be read: {e.strerror or e}") from None
    finally:
        os.close(fd)


def _check_nesting(document: object, where: str) -> None:
    """Refuse arrays and objects nested deeper than :data:`MAX_NESTING` (without recursion)."""
    stack: list[tuple[object, int]] = [(document, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth >= MAX_NESTING:
                raise NotJSONModelFileError(
                    f"{where} nests arrays or objects more than {MAX_NESTING} levels deep; "
                    "a model file needs 4"
                )
            values = item.values() if isinstance(item, dict) else item
            stack.extend((v, depth + 1) for v in values)


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
        raise ModelFileError(
            f"{where}: the key {quote_short(e.key)} appears twice in one object"
        ) from None
    except RecursionError:
        raise NotJSONModelFileError(
            f"{where} nests arrays or objects too deeply to read (a model file needs 4 levels)"
        ) from None
    except ValueError as e:  # e.g. an integer with more digits than Python converts
        raise NotJSONModelFileError(
            f"{where} is not readable JSON: {quote_short(str(e))}"
        ) from None


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
        found = "has no 'format' entry" if fmt is None else f"has format {quote_short(fmt)}"
        raise NotAModelFileError(
            f"{where} is JSON but not a deltagrad model file: it {found}, expected {FORMAT!r}"
        )
    version = document.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise ModelFileTypeError(
            f"{where}: 'version' is {_json_type(version)} ({quote_short(version, 40)}), "
            "expected an integer"
        )
    if version != VERSION:
        raise NotAModelFileError(
            f"{where} has version {version}; this deltagrad reads version {VERSION} only"
        )
    module = document.get("module")
    if not isinstance(module, str):
        raise ModelFileTypeError(
            f"{where}: 'module' is {_json_type(module)} ({quote_short(module, 40)}), "
            "expected a class name"
        )
    config = document.get("config")
    if not isinstance(config, dict):
        raise ModelFileTypeError(
            f"{where}: 'config' is {_json_type(config)} ({quote_short(config, 40)}), "
            "expected an object"
        )
    params = document.get("parameters")
    if not isinstance(params, dict):
        raise ModelFileTypeError(
            f"{where}: 'parameters' is {_json_type(params)} ({quote_short(params, 40)}), "
            "expected an object of name: number"
        )
    parameters: dict[str, float] = {}
    for name, value in params.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ModelFileTypeError(
                f"{where}: parameter {quote_short(name)} is {_json_type(value)} "
                f"({quote_short(value, 40)}), "
                "expected a number"
            )
        try:
            parameters[name] = float(value)
        except OverflowError:
            raise ModelFileTypeError(
                f"{where}: parameter {quote_short(name)} ({quote_short(value, 40)}) "
                "is too large for a float"
            ) from None
    return ModelFileContents(
        module,
        config,
        parameters,
        where=where,
        stored_checksum=document.get("checksum"),
        actual_checksum=checksum(module, config, params),
    )
