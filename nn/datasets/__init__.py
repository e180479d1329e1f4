"""Data sets, all with one interface: :class:`DataSplit` (training and validation rows, seeded).

* :mod:`nn.datasets.synthetic`: ``moons``, ``circles``, ``xor``, ``spiral``
  (``arms`` classes), generated from a seed, formulas in its docstring;
* :mod:`nn.datasets.iris`: the Iris table as article 003 prepares it;
* :mod:`nn.datasets.tabular`: your own CSV file, ``load_csv(path, target=...)``;
* :mod:`nn.datasets.common`: :class:`DataSplit`, :class:`Dataset`, scaling.

>>> data = load("spiral", seed=1, arms=4)
>>> data.nclasses, len(data.train) + len(data.val)
(4, 300)
>>> load("iris").train.x == load_iris(seed=0).train.x
True
"""

from __future__ import annotations

import random
from collections.abc import Callable

from .common import (
    DataFormatError,
    Dataset,
    DataSplit,
    Scaling,
    make_split,
    min_max_scale,
    one_hot,
    standard_scale,
)
from .iris import IRIS_CLASSES, IRIS_FEATURES, IrisData, load_iris, read_iris_csv
from .synthetic import (
    SYNTHETIC,
    circles,
    load_circles,
    load_moons,
    load_spiral,
    load_xor,
    moons,
    spiral,
    xor,
)
from .tabular import load_csv, read_csv_table

__all__ = [
    "BUILTIN",
    "IRIS_CLASSES",
    "IRIS_FEATURES",
    "DataFormatError",
    "DataSplit",
    "Dataset",
    "IrisData",
    "Scaling",
    "circles",
    "load",
    "load_circles",
    "load_csv",
    "load_iris",
    "load_moons",
    "load_spiral",
    "load_xor",
    "make_split",
    "min_max_scale",
    "moons",
    "one_hot",
    "read_csv_table",
    "read_iris_csv",
    "spiral",
    "standard_scale",
    "xor",
]


def _iris(seed: int | random.Random | None = 0, **options: object) -> DataSplit:
    if options:
        raise TypeError(f"iris takes no options besides seed, got {', '.join(options)}")
    return load_iris(seed)


BUILTIN: dict[str, Callable[..., DataSplit]] = {**SYNTHETIC, "iris": _iris}
"""The built-in data sets by name; each takes ``seed=`` and returns a :class:`DataSplit`."""


def load(name: str, seed: int | random.Random | None = 0, **options: object) -> DataSplit:
    """The built-in data set ``name``, split with ``seed``; ``options`` go to its loader.

    ``moons``, ``circles``, ``xor``: ``n``, ``noise``, ``val_fraction``;
    ``circles`` also ``factor``; ``spiral`` also ``arms``; ``iris``: none.
    """
    loader = BUILTIN.get(name)
    if loader is None:
        known = ", ".join(BUILTIN)
        raise ValueError(f"unknown data set {name!r:.40}; built in: {known}")
    return loader(seed=seed, **options)
