"""Two-dimensional toy data sets, generated from a seed with the standard library only.

Each function draws every random number from one ``random.Random(seed)`` (an
int seed makes a new one; a ``Random`` passed in is used and advanced),
first the points, then the shuffle of the training/validation split. The
same seed gives the same rows, bit for bit. Noise is Gaussian,
``N(0, noise^2)``, drawn with ``rng.gauss`` for each coordinate in turn.

``moons(n, noise)`` -- two interleaved half circles (the data of micrograd's
demo; scikit-learn's ``make_moons`` uses the same curves). With
``n_0 = n // 2`` points on the upper moon (class 0) and ``n_1 = n - n_0`` on
the lower one (class 1), ``t_i = pi * i / (n_c - 1)`` evenly spaced::

    class 0:  (cos t_i,      sin t_i)
    class 1:  (1 - cos t_i,  1/2 - sin t_i)

``circles(n, noise, factor)`` -- two concentric circles, ``t_i = 2 pi i / n_c``
(the end point excluded): class 0 on ``(cos t_i, sin t_i)``, class 1 on
``factor * (cos t_i, sin t_i)`` (``factor`` = 0.5).

``xor(n, noise)`` -- points ``U[-1, 1]^2``; class 1 when the two coordinates
have opposite signs (``x_0 * x_1 < 0``), else class 0; noise is added to the
coordinates after the label is decided (0 by default: clean quadrants).

``spiral(n, arms, noise)`` -- ``arms`` spiral arms of ``n // arms`` points
(the first ``n % arms`` arms one more), arm ``j`` is class ``j``. Point ``i``
of an arm of ``m`` points has radius ``r_i = i / (m - 1)`` and angle
``theta_i = 2 pi j / arms + 4 r_i + N(0, noise^2)``; it lies at
``(r_i sin theta_i, r_i cos theta_i)``. The noise is on the angle.

>>> rows, labels = moons(4, 0.0, random.Random(0))
>>> [[round(v, 12) + 0.0 for v in row] for row in rows]
[[1.0, 0.0], [-1.0, 0.0], [0.0, 0.5], [2.0, 0.5]]
>>> labels
[0, 0, 1, 1]
"""

from __future__ import annotations

import math
import random

from ..init import make_rng
from .common import DataSplit, make_split

__all__ = [
    "SYNTHETIC",
    "circles",
    "load_circles",
    "load_moons",
    "load_spiral",
    "load_xor",
    "moons",
    "spiral",
    "xor",
]

Rows = tuple[list[list[float]], list[int]]

MAX_SAMPLES = 100_000
"""Bound on ``n``: every row is a forward and backward pass of Python objects per epoch."""


def _check(n: object, noise: object, where: str, at_least: int = 2) -> tuple[int, float]:
    if isinstance(n, bool) or not isinstance(n, int) or not at_least <= n <= MAX_SAMPLES:
        raise ValueError(
            f"{where}: the number of points must be an integer from {at_least} to "
            f"{MAX_SAMPLES}, got {n!r:.40}"
        )
    if isinstance(noise, bool) or not isinstance(noise, int | float):
        raise ValueError(f"{where}: noise must be a number >= 0, got {noise!r:.40}")
    if not math.isfinite(noise) or not 0.0 <= noise <= 10.0:
        raise ValueError(f"{where}: noise must be between 0 and 10, got {noise!r:.40}")
    return n, float(noise)


def _jitter(rng: random.Random, noise: float, point: list[float]) -> list[float]:
    if noise == 0.0:
        return point
    return [v + rng.gauss(0.0, noise) for v in point]


def _ts(count: int, stop: float, endpoint: bool) -> list[float]:
    if count == 1:
        return [0.0]
    steps = count - 1 if endpoint else count
    return [stop * i / steps for i in range(count)]


def moons(n: int, noise: float, rng: random.Random) -> Rows:
    """``n`` points on two interleaved half circles (see the module docstring)."""
    n, noise = _check(n, noise, "moons")
    n0 = n // 2
    rows: list[list[float]] = []
    labels: list[int] = []
    for t in _ts(n0, math.pi, True):
        rows.append(_jitter(rng, noise, [math.cos(t), math.sin(t)]))
        labels.append(0)
    for t in _ts(n - n0, math.pi, True):
        rows.append(_jitter(rng, noise, [1.0 - math.cos(t), 0.5 - math.sin(t)]))
        labels.append(1)
    return rows, labels


def circles(n: int, noise: float, rng: random.Random, factor: float = 0.5) -> Rows:
    """``n`` points on two concentric circles, the inner one of radius ``factor``."""
    n, noise = _check(n, noise, "circles")
    if not 0.0 < factor < 1.0:
        raise ValueError(f"circles: factor must be between 0 and 1, got {factor!r:.40}")
    n0 = n // 2
    rows: list[list[float]] = []
    labels: list[int] = []
    for label, count, radius in ((0, n0, 1.0), (1, n - n0, factor)):
        for t in _ts(count, 2.0 * math.pi, False):
            rows.append(_jitter(rng, noise, [radius * math.cos(t), radius * math.sin(t)]))
            labels.append(label)
    return rows, labels


def xor(n: int, noise: float, rng: random.Random) -> Rows:
    """``n`` points in ``[-1, 1]^2``, class 1 where ``x_0 * x_1 < 0``."""
    n, noise = _check(n, noise, "xor")
    rows: list[list[float]] = []
    labels: list[int] = []
    for _ in range(n):
        point = [rng.uniform(-1.0, 1.0), rng.uniform(-1.0, 1.0)]
        labels.append(1 if point[0] * point[1] < 0.0 else 0)
        rows.append(_jitter(rng, noise, point))
    return rows, labels


MAX_ARMS = 10


def spiral(n: int, noise: float, rng: random.Random, arms: int = 3) -> Rows:
    """``arms`` interleaved spiral arms, one class each (see the module docstring)."""
    if isinstance(arms, bool) or not isinstance(arms, int) or not 2 <= arms <= MAX_ARMS:
        raise ValueError(f"spiral: arms must be an integer from 2 to {MAX_ARMS}, got {arms!r:.40}")
    n, noise = _check(n, noise, "spiral", at_least=2 * arms)
    rows: list[list[float]] = []
    labels: list[int] = []
    for j in range(arms):
        m = n // arms + (1 if j < n % arms else 0)
        for i in range(m):
            r = i / (m - 1)
            theta = 2.0 * math.pi * j / arms + 4.0 * r
            if noise:
                theta += rng.gauss(0.0, noise)
            rows.append([r * math.sin(theta), r * math.cos(theta)])
            labels.append(j)
    return rows, labels


def _n_val(n: int, val_fraction: float) -> int:
    if not 0.0 < val_fraction < 1.0:
        raise ValueError(f"val_fraction must be between 0 and 1, got {val_fraction!r:.40}")
    return min(n - 1, max(1, round(n * val_fraction)))


def load_moons(
    n: int = 200,
    noise: float = 0.1,
    seed: int | random.Random | None = 0,
    val_fraction: float = 0.2,
) -> DataSplit:
    """:func:`moons` split into training and validation rows (seeded)."""
    rng = make_rng(seed)
    rows, labels = moons(n, noise, rng)
    return make_split(
        "moons",
        rows,
        labels,
        ("0", "1"),
        rng,
        n_val=_n_val(n, val_fraction),
        description=f"two interleaved half circles, {n} points, noise {noise:g}",
    )


def load_circles(
    n: int = 200,
    noise: float = 0.05,
    seed: int | random.Random | None = 0,
    val_fraction: float = 0.2,
    factor: float = 0.5,
) -> DataSplit:
    """:func:`circles` split into training and validation rows (seeded)."""
    rng = make_rng(seed)
    rows, labels = circles(n, noise, rng, factor)
    return make_split(
        "circles",
        rows,
        labels,
        ("outer", "inner"),
        rng,
        n_val=_n_val(n, val_fraction),
        description=f"two concentric circles (radii 1 and {factor:g}), {n} points, noise {noise:g}",
    )


def load_xor(
    n: int = 200,
    noise: float = 0.0,
    seed: int | random.Random | None = 0,
    val_fraction: float = 0.2,
) -> DataSplit:
    """:func:`xor` split into training and validation rows (seeded)."""
    rng = make_rng(seed)
    rows, labels = xor(n, noise, rng)
    return make_split(
        "xor",
        rows,
        labels,
        ("same sign", "opposite signs"),
        rng,
        n_val=_n_val(n, val_fraction),
        description=f"uniform points in [-1, 1]^2 labelled by the signs, {n} points, "
        f"noise {noise:g}",
    )


def load_spiral(
    n: int = 300,
    noise: float = 0.2,
    seed: int | random.Random | None = 0,
    val_fraction: float = 0.2,
    arms: int = 3,
) -> DataSplit:
    """:func:`spiral` split into training and validation rows (seeded)."""
    rng = make_rng(seed)
    rows, labels = spiral(n, noise, rng, arms)
    return make_split(
        "spiral",
        rows,
        labels,
        tuple(f"arm {j}" for j in range(arms)),
        rng,
        n_val=_n_val(n, val_fraction),
        description=f"{arms} spiral arms, {n} points, angle noise {noise:g}",
    )


SYNTHETIC = {
    "moons": load_moons,
    "circles": load_circles,
    "xor": load_xor,
    "spiral": load_spiral,
}
"""The generated data sets by name."""
