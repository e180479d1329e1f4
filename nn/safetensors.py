"""A way out to PyTorch: an MLP's weights as safetensors, under ``torch.nn.Sequential`` names.

``mlp.save("net.safetensors", format="safetensors")`` writes, for an MLP with
layers ``0 .. L-1``, the tensors that ``torch.nn.Sequential`` gives its
``Linear`` layers when an activation module stands between each two of them::

    MLP(2, [16, 16, 1])  ->  Sequential(Linear(2, 16), ReLU(), Linear(16, 16), ReLU(),
                                        Linear(16, 1))
    names and shapes:        0.weight [16, 2]   0.bias [16]
                             2.weight [16, 16]  2.bias [16]
                             4.weight [1, 16]   4.bias [1]

Layer ``k`` is module ``2k``: its ``weight[j][i]`` is the weight from input
``i`` into neuron ``j`` (``W[j][i]`` of :meth:`nn.layers.MLP.weights_and_biases`,
the layout of ``torch.nn.Linear``), its ``bias[j]`` neuron ``j``'s bias. The
module ``2k + 1`` between layers is the hidden activation (``ReLU``,
``Tanh``, ``Sigmoid``, or ``Identity`` for ``"linear"``, so that the
numbering never shifts); an output activation other than ``"linear"`` is one
more module at the end. Activations have no parameters, so they appear in
the file only in its metadata: ``__metadata__`` holds ``"format": "pt"``,
``"deltagrad"`` (the MLP's config as JSON, which :func:`load_safetensors`
reads back) and ``"sequential"`` (the ``torch.nn.Sequential`` in words).

The format (that of the ``safetensors`` package, written here in a few lines
without that package and without PyTorch): an unsigned
64-bit little-endian header length ``N``; ``N`` bytes of UTF-8 JSON mapping
each name to ``{"dtype", "shape", "data_offsets": [begin, end]}``; then the
data, each tensor's numbers little-endian in row-major order, ``begin`` and
``end`` counted from the start of the data. Numbers are written as ``F64``
(float64: the engine's own numbers, so the round trip is exact).

Reading checks everything before it trusts it, and bounds what it reads:

* the header length is at most :data:`MAX_HEADER` (1 MiB: the header of an
  MLP of hundreds of layers is a few kilobytes) and fits in the file;
* dtypes ``F64`` and ``F32`` only (an ``F32`` number widens to float64
  exactly); anything else (``F16``, ``BF16``, integers) is refused by name;
* every shape is a list of non-negative integers whose product times the
  dtype's size is exactly ``end - begin``; the tensors tile the data with no
  gap and no overlap, and the data ends where the file ends;
* at most :data:`MAX_ELEMENTS` numbers in all (1,000,000: every parameter
  becomes a Python ``Value`` object, and a scalar engine trains far smaller
  networks), checked from the header before the data is read.

Damage raises :class:`SafetensorsError` (a
:class:`~nn.modelfile.ModelFileError`) naming the file and what is wrong.
"""

from __future__ import annotations

import json
import math
import os
import stat
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import BinaryIO

from autograd.atomic import atomic_write_bytes

from .layers import MLP
from .modelfile import ModelFileError

__all__ = [
    "MAX_ELEMENTS",
    "MAX_HEADER",
    "SafetensorsError",
    "Tensor",
    "is_safetensors",
    "load_safetensors",
    "read_safetensors",
    "save_safetensors",
    "sequential_names",
    "write_safetensors",
]

MAX_HEADER = 2**20
MAX_ELEMENTS = 1_000_000

_DTYPES = {"F64": ("<d", 8), "F32": ("<f", 4)}
_TORCH_MODULES = {
    "relu": "ReLU()",
    "tanh": "Tanh()",
    "sigmoid": "Sigmoid()",
    "linear": "Identity()",
}


class SafetensorsError(ModelFileError):
    """A safetensors file that cannot be read, or that does not hold an MLP."""


@dataclass(frozen=True)
class Tensor:
    """A tensor as the file holds it: its shape and its numbers in row-major order."""

    shape: tuple[int, ...]
    values: list[float]


def sequential_names(model: MLP) -> list[tuple[str, tuple[int, ...]]]:
    """``[(name, shape)]`` of ``model``'s tensors: ``0.weight [out, in]``, ``0.bias [out]``, ..."""
    names: list[tuple[str, tuple[int, ...]]] = []
    for k, layer in enumerate(model.layers):
        names.append((f"{2 * k}.weight", (layer.nout, layer.nin)))
        names.append((f"{2 * k}.bias", (layer.nout,)))
    return names


def _sequential_text(model: MLP) -> str:
    modules = []
    for k, layer in enumerate(model.layers):
        modules.append(f"Linear({layer.nin}, {layer.nout})")
        last = k == len(model.layers) - 1
        if not last or layer.activation != "linear":
            modules.append(_TORCH_MODULES[layer.activation])
    return f"Sequential({', '.join(modules)})"


def write_safetensors(
    path: str | os.PathLike[str],
    tensors: Mapping[str, Tensor],
    metadata: Mapping[str, str] | None = None,
    *,
    force: bool = False,
) -> None:
    """Write ``tensors`` as F64, in the given order, atomically.

    A read-only file is replaced only with ``force`` (see :mod:`autograd.atomic`).
    """
    header: dict[str, object] = {}
    if metadata:
        header["__metadata__"] = dict(metadata)
    chunks = []
    offset = 0
    for name, tensor in tensors.items():
        count = math.prod(tensor.shape)
        if count != len(tensor.values):
            raise ValueError(
                f"safetensors: {name!r} has {len(tensor.values)} numbers for shape "
                f"{list(tensor.shape)}"
            )
        for v in tensor.values:
            if not math.isfinite(v):
                raise ValueError(f"safetensors: {name!r} holds {v!r}; finite numbers only")
        data = struct.pack(f"<{count}d", *tensor.values)
        header[name] = {
            "dtype": "F64",
            "shape": list(tensor.shape),
            "data_offsets": [offset, offset + len(data)],
        }
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)  # pad with spaces so that the data starts 8-byte aligned
    with atomic_write_bytes(path, force=force) as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for chunk in chunks:
            f.write(chunk)


def save_safetensors(model: MLP, path: str | os.PathLike[str], *, force: bool = False) -> None:
    """Write ``model``'s parameters under ``torch.nn.Sequential`` names (module docstring)."""
    if not isinstance(model, MLP):
        raise TypeError(f"safetensors export is for an MLP, not a {type(model).__name__}")
    tensors: dict[str, Tensor] = {}
    for k, layer in enumerate(model.layers):
        weights, biases = layer.weights_and_biases()
        tensors[f"{2 * k}.weight"] = Tensor(
            (layer.nout, layer.nin), [w for row in weights for w in row]
        )
        tensors[f"{2 * k}.bias"] = Tensor((layer.nout,), biases)
    metadata = {
        "format": "pt",
        "deltagrad": json.dumps(model.config()),
        "sequential": _sequential_text(model),
    }
    write_safetensors(path, tensors, metadata, force=force)


def _open_regular(path: str | os.PathLike[str], where: str) -> BinaryIO:
    """``path`` opened for reading if it is a regular file; a FIFO is never waited on."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = "a folder" if stat.S_ISDIR(mode) else "a device, FIFO or socket"
            raise SafetensorsError(f"{where} is {kind}, not a regular file")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def is_safetensors(path: str | os.PathLike[str]) -> bool:
    """True if the file starts like a safetensors file: a length that fits, then ``{``.

    Anything but a regular file (a folder, a FIFO, a device) is not one.
    """
    try:
        f = _open_regular(path, "")
    except (OSError, SafetensorsError):
        return False
    with f:
        head = f.read(9)
        size = os.fstat(f.fileno()).st_size
    if len(head) < 9 or head[8:9] != b"{":
        return False
    n: int = struct.unpack("<Q", head[:8])[0]
    return n <= size - 8


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result: dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise SafetensorsError(f"the name {key!r:.60} appears twice in the header")
        result[key] = value
    return result


def _int_list(value: object) -> list[int] | None:
    if not isinstance(value, list):
        return None
    if any(isinstance(v, bool) or not isinstance(v, int) or v < 0 for v in value):
        return None
    return list(value)


def read_safetensors(
    path: str | os.PathLike[str],
) -> tuple[dict[str, Tensor], dict[str, str]]:
    """``(tensors, metadata)`` of a safetensors file, every bound checked (module docstring)."""
    where = f"safetensors file {os.fspath(path)!r}"
    try:
        return _read(path, where)
    except SafetensorsError as e:
        message = str(e)
        if message.startswith(where):
            raise
        raise SafetensorsError(f"{where}: {message}") from None


def _read(path: str | os.PathLike[str], where: str) -> tuple[dict[str, Tensor], dict[str, str]]:
    with _open_regular(path, where) as f:
        size = os.fstat(f.fileno()).st_size
        head = f.read(8)
        if len(head) < 8:
            raise SafetensorsError(f"{where} has {size} bytes; a header length takes 8")
        (n,) = struct.unpack("<Q", head)
        if n > MAX_HEADER:
            raise SafetensorsError(
                f"{where}: header length {n} bytes is over the limit of {MAX_HEADER}"
            )
        if n > size - 8:
            raise SafetensorsError(
                f"{where}: header length {n} bytes, but only {size - 8} bytes follow "
                "(truncated, or not a safetensors file)"
            )
        raw = f.read(n)
        buffer_size = size - 8 - n
        try:
            header = json.loads(raw.decode("utf-8"), object_pairs_hook=_no_duplicates)
        except (UnicodeDecodeError, ValueError) as e:
            if isinstance(e, SafetensorsError):
                raise
            raise SafetensorsError(f"{where}: the header is not JSON text ({e})") from None
        if not isinstance(header, dict):
            raise SafetensorsError(f"{where}: the header is not a JSON object")
        metadata_raw = header.pop("__metadata__", {})
        if not isinstance(metadata_raw, dict) or not all(
            isinstance(v, str) for v in metadata_raw.values()
        ):
            raise SafetensorsError(f"{where}: __metadata__ must map names to strings")
        metadata: dict[str, str] = dict(metadata_raw)
        entries = []
        total = 0
        for name, entry in header.items():
            what = f"{where}: tensor {name!r:.60}"
            if not isinstance(entry, dict) or set(entry) != {"dtype", "shape", "data_offsets"}:
                raise SafetensorsError(f"{what}: expected dtype, shape and data_offsets")
            dtype = entry["dtype"]
            if dtype not in _DTYPES:
                raise SafetensorsError(
                    f"{what}: dtype {dtype!r:.20} is not supported; F64 and F32 are read"
                )
            shape = _int_list(entry["shape"])
            offsets = _int_list(entry["data_offsets"])
            if shape is None or len(shape) > 8:
                raise SafetensorsError(f"{what}: shape {entry['shape']!r:.60} is not a shape")
            if offsets is None or len(offsets) != 2 or offsets[0] > offsets[1]:
                raise SafetensorsError(
                    f"{what}: data_offsets {entry['data_offsets']!r:.60} are not [begin, end]"
                )
            count = math.prod(shape)
            total += count
            if total > MAX_ELEMENTS:
                raise SafetensorsError(
                    f"{where}: more than {MAX_ELEMENTS} numbers; every parameter becomes a "
                    "Python object in this scalar engine"
                )
            fmt, itemsize = _DTYPES[dtype]
            if offsets[1] - offsets[0] != count * itemsize:
                raise SafetensorsError(
                    f"{what}: shape {shape} of {dtype} needs {count * itemsize} bytes, "
                    f"data_offsets give {offsets[1] - offsets[0]}"
                )
            entries.append((offsets[0], offsets[1], name, tuple(shape), fmt, count))
        entries.sort()
        end = 0
        for begin, stop, name, _, _, _ in entries:
            if begin != end:
                problem = "overlaps the one before" if begin < end else "leaves a gap before it"
                raise SafetensorsError(f"{where}: tensor {name!r:.60} {problem}")
            end = stop
        if end != buffer_size:
            raise SafetensorsError(
                f"{where}: the tensors take {end} bytes, but {buffer_size} bytes of data follow "
                "the header"
            )
        data = f.read(buffer_size)
    tensors = {}
    for begin, _, name, dims, fmt, count in entries:
        values = list(struct.unpack_from(f"<{count}{fmt[1]}", data, begin))
        tensors[name] = Tensor(dims, values)
    return tensors, metadata


def load_safetensors(
    path: str | os.PathLike[str],
    activation: str | Sequence[str] | None = None,
    output_activation: str | None = None,
) -> MLP:
    """An MLP from a safetensors file with ``torch.nn.Sequential`` names (module docstring).

    The activations come from the file's ``deltagrad`` metadata; for a file
    written elsewhere (e.g. by PyTorch) give them: ``activation`` (hidden
    layers, or a list with one name per layer) and ``output_activation``.
    """
    where = f"safetensors file {os.fspath(path)!r}"
    tensors, metadata = read_safetensors(path)
    nlayers = len(tensors) // 2
    expected = [f"{2 * k}.{part}" for k in range(nlayers) for part in ("weight", "bias")]
    if not tensors or sorted(tensors) != sorted(expected):
        found = ", ".join(sorted(tensors)[:6]) or "none"
        raise SafetensorsError(
            f"{where}: expected the Linear layers of a torch.nn.Sequential with an activation "
            f"between them (0.weight, 0.bias, 2.weight, ...); found {found}"
        )
    weights: list[Tensor] = []
    biases: list[Tensor] = []
    for k in range(nlayers):
        w, b = tensors[f"{2 * k}.weight"], tensors[f"{2 * k}.bias"]
        if len(w.shape) != 2 or w.shape[0] == 0 or w.shape[1] == 0:
            raise SafetensorsError(
                f"{where}: {2 * k}.weight has shape {list(w.shape)}, not [out, in]"
            )
        if b.shape != (w.shape[0],):
            raise SafetensorsError(
                f"{where}: {2 * k}.bias has shape {list(b.shape)}; {2 * k}.weight needs "
                f"[{w.shape[0]}]"
            )
        if k > 0 and w.shape[1] != weights[-1].shape[0]:
            raise SafetensorsError(
                f"{where}: {2 * k}.weight takes {w.shape[1]} inputs, but layer "
                f"{2 * k - 2} has {weights[-1].shape[0]} outputs"
            )
        weights.append(w)
        biases.append(b)
    if activation is None:
        activations = _activations_from_metadata(metadata, where, nlayers)
        if output_activation is not None:
            activations[-1] = output_activation
        act: str | Sequence[str] = activations
        out_act = None
    else:
        act, out_act = activation, output_activation
    matrices = [
        [w.values[j * w.shape[1] : (j + 1) * w.shape[1]] for j in range(w.shape[0])]
        for w in weights
    ]
    try:
        return MLP.from_weights(matrices, [b.values for b in biases], act, out_act)
    except (TypeError, ValueError) as e:
        raise SafetensorsError(f"{where}: {e}") from None


def _activations_from_metadata(metadata: Mapping[str, str], where: str, nlayers: int) -> list[str]:
    text = metadata.get("deltagrad")
    if text is None:
        raise SafetensorsError(
            f"{where} was not written by deltagrad and does not say its activations; give them: "
            "MLP.load(path, activation='relu', output_activation='linear')"
        )
    try:
        config = json.loads(text)
        activations = config["activations"]
    except (ValueError, KeyError, TypeError):
        raise SafetensorsError(f"{where}: its deltagrad metadata is damaged") from None
    if (
        not isinstance(activations, list)
        or len(activations) != nlayers
        or not all(isinstance(a, str) for a in activations)
    ):
        raise SafetensorsError(
            f"{where}: its deltagrad metadata names {activations!r:.60} as activations "
            f"for {nlayers} layers"
        )
    return list(activations)
