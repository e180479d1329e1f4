"""Decision-boundary pictures of networks with two inputs (matplotlib).

The plane around the data is cut into a ``resolution x resolution`` grid; the
network classifies the centre of every cell (under :func:`autograd.no_grad`,
through the same :meth:`nn.objectives.Objective.predict` as training), and
each cell is tinted with its predicted class. For a network with one score
(two classes, hinge or cross-entropy) the line ``score = 0`` is drawn too.
The training rows are dots, the validation rows crosses, coloured by their
true class. Axes are the network's inputs, after the data set's scaling.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from autograd import no_grad
from autograd.atomic import atomic_write_bytes
from nn.datasets import DataSplit
from nn.layers import MLP
from nn.objectives import Objective

from .plot import plot_format, require_matplotlib

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["CLASS_COLOURS", "draw_boundary", "grid_predictions", "plot_boundary"]

CLASS_COLOURS = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#ff7f0e",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)
"""One colour per class (classes beyond ten reuse them)."""


def _span(values: Sequence[float]) -> tuple[float, float]:
    lo, hi = min(values), max(values)
    pad = 0.15 * (hi - lo) if hi > lo else 1.0
    return lo - pad, hi + pad


def grid_predictions(
    model: MLP, objective: Objective, xs: Sequence[float], ys: Sequence[float]
) -> tuple[list[list[int]], list[list[float]] | None]:
    """``(classes, scores)`` at every grid point ``(xs[i], ys[j])``, indexed ``[j][i]``.

    ``scores`` is the single output of a one-score network, else None.
    """
    if model.nin != 2:
        raise ValueError(f"decision boundary: the network has {model.nin} inputs; it needs 2")
    classes: list[list[int]] = []
    scores: list[list[float]] = []
    with no_grad():
        for y in ys:
            row_c, row_s = [], []
            for x in xs:
                out = model([x, y])
                row_c.append(objective.predict(out))
                row_s.append(out[0].data)
            classes.append(row_c)
            scores.append(row_s)
    return classes, scores if objective.single_score else None


def draw_boundary(
    ax: Axes,
    model: MLP,
    data: DataSplit,
    objective: Objective,
    resolution: int = 80,
) -> None:
    """Draw the decision regions and the data on the matplotlib axes ``ax``."""
    from matplotlib.colors import ListedColormap

    if not 4 <= resolution <= 400:
        raise ValueError(f"decision boundary: resolution must be 4 to 400, got {resolution}")
    points = data.train.x + data.val.x
    x0, x1 = _span([p[0] for p in points])
    y0, y1 = _span([p[1] for p in points])
    xs = [x0 + (x1 - x0) * (i + 0.5) / resolution for i in range(resolution)]
    ys = [y0 + (y1 - y0) * (j + 0.5) / resolution for j in range(resolution)]
    classes, scores = grid_predictions(model, objective, xs, ys)
    k = data.nclasses
    colours = [CLASS_COLOURS[c % len(CLASS_COLOURS)] for c in range(k)]
    ax.imshow(
        classes,
        origin="lower",
        extent=(x0, x1, y0, y1),
        cmap=ListedColormap(colours),
        vmin=-0.5,
        vmax=k - 0.5,
        alpha=0.25,
        interpolation="nearest",
        aspect="auto",
    )
    if scores is not None:
        ax.contour(xs, ys, scores, levels=[0.0], colors="black", linewidths=1.0)
    for c in range(k):
        for part, marker, what in ((data.train, "o", "training"), (data.val, "x", "validation")):
            pts = [x for x, label in zip(part.x, part.labels) if label == c]
            if not pts:
                continue
            ax.scatter(
                [p[0] for p in pts],
                [p[1] for p in pts],
                s=18 if marker == "o" else 30,
                c=colours[c],
                marker=marker,
                edgecolors="white" if marker == "o" else None,
                linewidths=0.5 if marker == "o" else 1.3,
                label=f"{data.classes[c]} ({what})",
            )
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    names = data.feature_names
    scaled = "" if data.scaling.method == "none" else f" ({data.scaling.method}-scaled)"
    ax.set_xlabel(f"{names[0]}{scaled}")
    ax.set_ylabel(f"{names[1]}{scaled}")
    ax.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.11),
        fontsize="x-small",
        ncols=min(4, 2 * k),
        frameon=False,
    )


def plot_boundary(
    model: MLP,
    data: DataSplit,
    objective: Objective,
    path: str | os.PathLike[str],
    title: str = "",
    resolution: int = 80,
) -> None:
    """Write the decision-boundary picture alone (format from the suffix), atomically."""
    require_matplotlib()
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.0, 5.4), layout="constrained")
    ax = fig.subplots()
    draw_boundary(ax, model, data, objective, resolution)
    if title:
        ax.set_title(title, fontsize="medium")
    fmt = plot_format(path)
    with atomic_write_bytes(path) as f:
        fig.savefig(f, format=fmt, dpi=110)
