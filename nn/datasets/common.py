"""What every data set looks like from Python: :class:`DataSplit`, made by :func:`make_split`.

Every loader in :mod:`nn.datasets` (the built-in ``moons``, ``circles``,
``xor``, ``spiral``, ``iris``, and your own CSV) returns a :class:`DataSplit`:
a seeded training/validation split of labelled rows, each a list of floats,
with the class names and a word on how the features were scaled. A loop
written for one works for all:

>>> from nn.datasets import load
>>> data = load("moons", seed=0)
>>> len(data.train), len(data.val), data.nfeatures, data.classes
(160, 40, 2, ('0', '1'))
>>> data.train.y[0] == one_hot(data.train.labels[0], data.nclasses)
True
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "DataFormatError",
    "DataSplit",
    "Dataset",
    "Scaling",
    "make_split",
    "min_max_scale",
    "one_hot",
    "standard_scale",
]


class DataFormatError(ValueError):
    """Data that cannot be used; the message names the file, the line and the column."""


@dataclass(frozen=True)
class Dataset:
    """Samples as parallel lists: features ``x``, one-hot targets ``y``, class indices."""

    x: list[list[float]]
    y: list[list[float]]
    labels: list[int]

    def __len__(self) -> int:
        return len(self.x)


@dataclass(frozen=True)
class Scaling:
    """How raw features became the network's inputs: ``x' = (x - shift) / divisor``, per column.

    ``method`` is ``"none"``, ``"minmax"`` (shift = min, divisor = max - min)
    or ``"standard"`` (shift = mean, divisor = population standard deviation);
    a constant column gets divisor 1 (it becomes 0). ``fitted_on`` says which
    rows the statistics come from.
    """

    method: str
    shift: list[float]
    divisor: list[float]
    fitted_on: str = ""

    def apply(self, row: Sequence[float]) -> list[float]:
        """One raw row, scaled."""
        return [(x - s) / d for x, s, d in zip(row, self.shift, self.divisor)]

    def describe(self) -> str:
        """One line for the command line's report."""
        if self.method == "none":
            return "none (features used as they are)"
        what = {"minmax": "min-max to [0, 1]", "standard": "standardised (x - mean) / std"}
        return f"{what.get(self.method, self.method)}, fitted on {self.fitted_on}"


@dataclass(frozen=True)
class DataSplit:
    """A labelled data set split into training and validation rows (seeded).

    Attributes:
        name: what the data is (``"moons"``, ``"iris"``, a file name).
        train, val: the two parts, disjoint.
        classes: class names; label ``k`` is ``classes[k]``.
        feature_names: one name per input column.
        scaling: how the raw features were scaled (:class:`Scaling`).
        feature_min, feature_max: each raw column's range over all rows.
        description: how the rows were made, in one line.
    """

    name: str
    train: Dataset
    val: Dataset
    classes: tuple[str, ...]
    feature_names: tuple[str, ...]
    scaling: Scaling
    feature_min: list[float]
    feature_max: list[float]
    description: str = ""

    @property
    def nfeatures(self) -> int:
        """The number of input columns."""
        return len(self.feature_names)

    @property
    def nclasses(self) -> int:
        """The number of classes (the width of ``y``)."""
        return len(self.classes)


def one_hot(label: int, n: int) -> list[float]:
    """``[0, ..., 1, ..., 0]``: 1.0 at position ``label`` of ``n``."""
    if not 0 <= label < n:
        raise ValueError(f"one_hot: label {label} out of range for {n} classes")
    return [1.0 if k == label else 0.0 for k in range(n)]


def min_max_scale(
    rows: Sequence[Sequence[float]],
) -> tuple[list[list[float]], list[float], list[float]]:
    """``(scaled rows, column minima, column maxima)`` with ``x' = (x - min) / (max - min)``."""
    columns = list(zip(*rows))
    lo = [min(c) for c in columns]
    hi = [max(c) for c in columns]
    scaled = [[(x - a) / (b - a) if b > a else 0.0 for x, a, b in zip(row, lo, hi)] for row in rows]
    return scaled, lo, hi


def standard_scale(rows: Sequence[Sequence[float]]) -> tuple[list[float], list[float]]:
    """``(mean, std)`` per column (population std; 1.0 for a constant column)."""
    n = len(rows)
    columns = list(zip(*rows))
    means = [math.fsum(c) / n for c in columns]
    stds = []
    for c, m in zip(columns, means):
        s = math.sqrt(math.fsum((x - m) ** 2 for x in c) / n)
        stds.append(s if s > 0.0 else 1.0)
    return means, stds


def _dataset(rows: Sequence[tuple[list[float], int]], nclasses: int) -> Dataset:
    return Dataset(
        x=[x for x, _ in rows],
        y=[one_hot(label, nclasses) for _, label in rows],
        labels=[label for _, label in rows],
    )


def make_split(
    name: str,
    features: Sequence[Sequence[float]],
    labels: Sequence[int],
    classes: Sequence[str],
    rng: random.Random,
    *,
    n_val: int,
    scale: str = "none",
    feature_names: Sequence[str] | None = None,
    description: str = "",
) -> DataSplit:
    """Shuffle the rows once with ``rng``, keep the last ``n_val`` for validation, scale.

    ``scale="standard"`` takes mean and standard deviation from the training
    rows only (the validation rows play new data); ``"minmax"`` takes each
    column's range from the training rows too; ``"none"`` leaves the numbers
    as they are.
    """
    n = len(features)
    if not 0 < n_val < n:
        raise ValueError(f"{name}: the validation part must hold 1 to {n - 1} rows, got {n_val}")
    rows = [(list(map(float, x)), int(label)) for x, label in zip(features, labels)]
    rng.shuffle(rows)
    train_rows, val_rows = rows[: n - n_val], rows[n - n_val :]
    width = len(rows[0][0])
    names = (
        tuple(feature_names) if feature_names is not None else tuple(f"x{i}" for i in range(width))
    )
    n_train = len(train_rows)
    fitted = f"the {n_train} training rows"
    if scale == "none":
        scaling = Scaling("none", [0.0] * width, [1.0] * width)
    elif scale == "standard":
        means, stds = standard_scale([x for x, _ in train_rows])
        scaling = Scaling("standard", means, stds, fitted)
    elif scale == "minmax":
        _, lo, hi = min_max_scale([x for x, _ in train_rows])
        scaling = Scaling("minmax", lo, [b - a if b > a else 1.0 for a, b in zip(lo, hi)], fitted)
    else:
        raise ValueError(f"{name}: unknown scaling {scale!r:.40}; known: none, standard, minmax")
    if scale != "none":
        train_rows = [(scaling.apply(x), y) for x, y in train_rows]
        val_rows = [(scaling.apply(x), y) for x, y in val_rows]
    columns = list(zip(*features))
    return DataSplit(
        name=name,
        train=_dataset(train_rows, len(classes)),
        val=_dataset(val_rows, len(classes)),
        classes=tuple(classes),
        feature_names=names,
        scaling=scaling,
        feature_min=[float(min(c)) for c in columns],
        feature_max=[float(max(c)) for c in columns],
        description=description,
    )
