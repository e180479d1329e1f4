"""Your own data: a CSV file with a header row, numeric features and a target column.

``load_csv("data.csv", target="species")`` (or ``deltagrad train data.csv
--target species``):

* line 1 is the header: the column names, unique and not empty;
* every other non-blank line is one sample: the target column holds its
  class (a name such as ``setosa`` or a number such as ``0``), every other
  column a finite number (``12``, ``-0.5``, ``1e-3``; no ``nan``, no
  ``inf``, no empty cell);
* the classes are sorted (numerically when every target is a number, else
  alphabetically) and numbered from 0;
* the rows are shuffled once by the seed and the last ``val_fraction`` of
  them (at least one) kept for validation;
* features are standardised by default, ``x' = (x - mean) / std`` with mean
  and standard deviation of the *training* rows (a constant column becomes
  0); ``scale="minmax"`` maps the training range to [0, 1], ``"none"``
  keeps the numbers.

Errors are :class:`~nn.datasets.common.DataFormatError` naming the file,
the line (the header is line 1) and the column.

Limits, and why: at most :data:`MAX_BYTES` (16 MiB) of file,
:data:`MAX_ROWS` (50,000) samples, :data:`MAX_COLUMNS` (1,000) columns and
:data:`MAX_CLASSES` (100) classes. The engine is scalar: each sample of each
epoch is a forward and a backward pass over Python objects, one node per
neuron (about 0.07 ms for Iris's 4-5-3 network, 0.3 to 1 ms for two hidden
layers of 16), so 50,000 rows already take 15 to 50 s per epoch; the output
layer has one neuron per class.
"""

from __future__ import annotations

import csv
import io
import math
import os
import random
import re
from pathlib import Path

from ..init import make_rng
from .common import DataFormatError, DataSplit, make_split

__all__ = ["MAX_BYTES", "MAX_CLASSES", "MAX_COLUMNS", "MAX_ROWS", "load_csv", "read_csv_table"]

MAX_BYTES = 16 * 2**20
MAX_ROWS = 50_000
MAX_COLUMNS = 1_000
MAX_CLASSES = 100

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")  # no nested repeats: linear


def _short(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _number(cell: str) -> float | None:
    """The cell as a finite float, or None. Parsed by a pattern, never evaluated."""
    text = cell.strip()
    if not _NUMBER.fullmatch(text):
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def read_csv_table(
    text: str, target: str, source: str = "data.csv"
) -> tuple[list[list[float]], list[int], tuple[str, ...], tuple[str, ...]]:
    """``(features, labels, classes, feature names)`` from CSV text; see the module docstring."""
    if not text.strip():
        raise DataFormatError(f"{source} is empty: expected a header row and data rows")
    reader = csv.reader(io.StringIO(text))
    try:
        header: list[str] | None = None
        for row in reader:
            if row and any(cell.strip() for cell in row):
                header = [cell.strip() for cell in row]
                break
        if header is None:
            raise DataFormatError(f"{source} is empty: expected a header row and data rows")
        header_line = reader.line_num
        if len(header) > MAX_COLUMNS:
            raise DataFormatError(
                f"{source} line {header_line}: {len(header)} columns; at most {MAX_COLUMNS}"
            )
        for k, name in enumerate(header, start=1):
            if not name:
                raise DataFormatError(f"{source} line {header_line}, column {k}: empty name")
            if header.index(name) != k - 1:
                raise DataFormatError(
                    f"{source} line {header_line}, column {k}: the name {_short(name)} "
                    "appears twice"
                )
        if target not in header:
            known = ", ".join(repr(h) for h in header[:20])
            raise DataFormatError(
                f"{source}: no column named {_short(target)} for the target; "
                f"the header (line {header_line}) has {known}"
            )
        if len(header) < 2:
            raise DataFormatError(
                f"{source} line {header_line}: only the target column; no feature columns"
            )
        t = header.index(target)
        names = tuple(h for k, h in enumerate(header) if k != t)
        features: list[list[float]] = []
        raw_targets: list[tuple[str, int]] = []
        for row in reader:
            line = reader.line_num
            if not row or all(not cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise DataFormatError(
                    f"{source} line {line}: {len(row)} fields, but the header has "
                    f"{len(header)} columns"
                )
            if len(features) == MAX_ROWS:
                raise DataFormatError(
                    f"{source} line {line}: more than {MAX_ROWS} data rows; the scalar engine "
                    "would take about half a minute per epoch (see nn.datasets.tabular)"
                )
            values = []
            for k, cell in enumerate(row):
                if k == t:
                    continue
                value = _number(cell)
                if value is None:
                    what = "an empty cell" if not cell.strip() else f"{_short(cell)} is not"
                    tail = "" if not cell.strip() else " a finite number"
                    raise DataFormatError(
                        f"{source} line {line}, column {_short(header[k])}: {what}{tail}"
                    )
                values.append(value)
            label = row[t].strip()
            if not label:
                raise DataFormatError(
                    f"{source} line {line}, column {_short(target)}: an empty target cell"
                )
            features.append(values)
            raw_targets.append((label, line))
    except csv.Error as e:
        raise DataFormatError(f"{source} line {reader.line_num}: not valid CSV: {e}") from None
    if not features:
        raise DataFormatError(f"{source}: a header but no data rows")
    classes, labels = _classes(raw_targets, target, source)
    return features, labels, classes, names


def _classes(
    raw: list[tuple[str, int]], target: str, source: str
) -> tuple[tuple[str, ...], list[int]]:
    numbers = [_number(label) for label, _ in raw]
    if all(v is not None for v in numbers):
        # numbers: "1", "1.0" and "+1" are one class, named by its shortest form
        keys: list[float] = [v for v in numbers if v is not None]
        distinct = sorted(set(keys))
        names = [f"{v:g}" if v == int(v) and abs(v) < 1e15 else repr(v) for v in distinct]
    else:
        keys_s = [label for label, _ in raw]
        distinct_s = sorted(set(keys_s))
        names = distinct_s
    if len(names) > MAX_CLASSES:
        raise DataFormatError(
            f"{source}: the target column {_short(target)} has {len(names)} different values; "
            f"at most {MAX_CLASSES} classes (one output neuron each); train classifies, "
            "it does not fit a regression"
        )
    if len(names) < 2:
        raise DataFormatError(
            f"{source}: the target column {_short(target)} has one class only "
            f"({_short(names[0])}); a classifier needs at least two"
        )
    if all(v is not None for v in numbers):
        index_f = {v: k for k, v in enumerate(distinct)}
        labels = [index_f[v] for v in keys]
    else:
        index_s = {v: k for k, v in enumerate(distinct_s)}
        labels = [index_s[v] for v in keys_s]
    return tuple(names), labels


def load_csv(
    path: str | os.PathLike[str],
    target: str,
    *,
    seed: int | random.Random | None = 0,
    val_fraction: float = 0.2,
    scale: str = "standard",
) -> DataSplit:
    """Read, split (seeded) and scale a CSV file; see the module docstring."""
    source = os.fspath(path)
    if not 0.0 < val_fraction < 1.0:
        raise ValueError(f"val_fraction must be between 0 and 1, got {val_fraction!r:.40}")
    try:
        with Path(path).open("rb") as f:
            raw = f.read(MAX_BYTES + 1)
    except OSError as e:
        raise DataFormatError(f"{source}: cannot read it: {e.strerror or e}") from None
    if len(raw) > MAX_BYTES:
        raise DataFormatError(
            f"{source}: larger than {MAX_BYTES // 2**20} MiB; the scalar engine trains at most "
            f"{MAX_ROWS} rows (see nn.datasets.tabular)"
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise DataFormatError(
            f"{source} line {line}: byte {raw[e.start]:#04x} is not UTF-8 text"
        ) from None
    features, labels, classes, names = read_csv_table(text, target, source)
    n = len(features)
    if n < 2:
        raise DataFormatError(f"{source}: one data row; a training and a validation part need 2")
    n_val = min(n - 1, max(1, round(n * val_fraction)))
    return make_split(
        Path(source).name,
        features,
        labels,
        classes,
        make_rng(seed),
        n_val=n_val,
        scale=scale,
        feature_names=names,
        description=f"{n} rows of {source}, target column {target!r}",
    )
