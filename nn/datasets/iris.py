"""The Iris data set, prepared as article 003 prepares it.

``nn/data/iris.csv`` (shipped with the package) has 150 rows of four
measurements (sepal length and width, petal length and width, in cm) and the
species name; 50 rows per species. :func:`load_iris`:

1. reads the rows, reporting a malformed one with its line number;
2. scales each measurement to [0, 1] over all 150 rows,
   ``x' = (x - min) / (max - min)`` (a column whose values are all equal
   becomes 0);
3. shuffles the rows once with a seeded generator and takes the first 130
   for training and the other 20 for validation;
4. gives each label as a class index and as a one-hot vector.

>>> data = load_iris(seed=0)
>>> len(data.train), len(data.val), data.classes[0]
(130, 20, 'Iris-setosa')
>>> data.train.y[0] == [1.0 if k == data.train.labels[0] else 0.0 for k in range(3)]
True
"""

from __future__ import annotations

import csv
import io
import math
import os
import random
from collections.abc import Sequence
from importlib import resources

from ..init import make_rng
from .common import DataFormatError, DataSplit, Scaling, _dataset, min_max_scale

__all__ = ["IRIS_CLASSES", "IRIS_FEATURES", "IrisData", "load_iris", "read_iris_csv"]

IRIS_CLASSES = ("Iris-setosa", "Iris-versicolor", "Iris-virginica")
"""The species, in the order of article 003's labels 0, 1, 2."""

IRIS_FEATURES = ("sepal length", "sepal width", "petal length", "petal width")
"""The four measurements, in cm, in the file's column order."""

N_FEATURES = 4

IrisData = DataSplit
"""Iris loads into the :class:`~nn.datasets.common.DataSplit` every data set uses."""


def read_iris_csv(
    text: str, source: str = "iris.csv", classes: Sequence[str] = IRIS_CLASSES
) -> tuple[list[list[float]], list[int]]:
    """Parse ``measurement x 4, species`` rows into features and class indices.

    Blank lines are skipped. Anything else that is not four finite numbers and
    a known species raises :class:`DataFormatError` naming ``source`` and the
    line number.
    """
    index = {name: k for k, name in enumerate(classes)}
    features: list[list[float]] = []
    labels: list[int] = []
    reader = csv.reader(io.StringIO(text))
    for row in reader:
        line = reader.line_num
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) != N_FEATURES + 1:
            raise DataFormatError(
                f"{source} line {line}: expected {N_FEATURES + 1} fields (four measurements "
                f"and a species), got {len(row)}: {','.join(row)!r:.80}"
            )
        values = []
        for col, cell in enumerate(row[:N_FEATURES], start=1):
            try:
                value = float(cell)
            except ValueError:
                raise DataFormatError(
                    f"{source} line {line}, field {col}: {cell!r:.40} is not a number"
                ) from None
            if not math.isfinite(value):
                raise DataFormatError(
                    f"{source} line {line}, field {col}: {cell!r:.40} is not a finite number"
                )
            values.append(value)
        species = row[N_FEATURES].strip()
        if species not in index:
            known = ", ".join(classes)
            raise DataFormatError(
                f"{source} line {line}: unknown species {species!r:.40} (known: {known})"
            )
        features.append(values)
        labels.append(index[species])
    if not features:
        raise DataFormatError(f"{source}: no data rows")
    return features, labels


def load_iris(
    seed: int | random.Random | None = 0,
    n_train: int = 130,
    path: str | os.PathLike[str] | None = None,
) -> DataSplit:
    """Read, scale, shuffle (seeded) and split the Iris table; see the module docstring.

    ``seed`` may be a ``random.Random``, which is then advanced by the shuffle:
    initialising a network from the same generator afterwards repeats the
    order of draws of article 003's program (shuffle first, then weights).
    ``path`` reads another file of the same layout instead of the shipped one.
    """
    if path is None:
        text = resources.files("nn").joinpath("data", "iris.csv").read_text(encoding="utf-8")
        source = "iris.csv"
    else:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        source = os.fspath(path)
    features, labels = read_iris_csv(text, source)
    if not 0 < n_train < len(features):
        raise ValueError(
            f"load_iris: n_train must be between 1 and {len(features) - 1}, got {n_train}"
        )
    scaled, lo, hi = min_max_scale(features)
    rows = list(zip(scaled, labels))
    make_rng(seed).shuffle(rows)
    nclasses = len(IRIS_CLASSES)
    return DataSplit(
        name="iris",
        train=_dataset(rows[:n_train], nclasses),
        val=_dataset(rows[n_train:], nclasses),
        classes=IRIS_CLASSES,
        feature_names=IRIS_FEATURES,
        scaling=Scaling(
            "minmax", lo, [b - a if b > a else 1.0 for a, b in zip(lo, hi)], "all 150 rows"
        ),
        feature_min=lo,
        feature_max=hi,
        description="Fisher's Iris table (150 flowers, 4 measurements, 3 species), "
        "as article 003 prepares it",
    )
