"""The training figure: accuracy and loss per epoch (article 003's figure 3), decision regions.

Needs matplotlib (``pip install 'deltagrad[plot]'``); nothing else in ``nn``
does. The figure is drawn without a display (matplotlib's Agg canvas) and
written atomically.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from autograd.atomic import atomic_write_bytes
from nn.datasets import DataSplit
from nn.layers import MLP
from nn.objectives import Objective
from nn.train import EpochStats

__all__ = ["PlotUnavailableError", "plot_format", "plot_history", "require_matplotlib"]


class PlotUnavailableError(RuntimeError):
    """matplotlib is not installed."""


def require_matplotlib() -> None:
    """Raise :class:`PlotUnavailableError` with the install command if matplotlib is missing."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise PlotUnavailableError(
            "plotting needs matplotlib, which is not installed; "
            "install it with: pip install 'deltagrad[plot]'"
        ) from None


def plot_format(path: str | os.PathLike[str]) -> str:
    """The image format named by the suffix of ``path``; ``ValueError`` if matplotlib lacks it."""
    require_matplotlib()
    from matplotlib.backend_bases import FigureCanvasBase

    suffix = Path(path).suffix.lstrip(".").lower()
    formats = FigureCanvasBase.get_supported_filetypes()
    if suffix not in formats:
        known = ", ".join(f".{k}" for k in sorted(formats))
        raise ValueError(f"cannot tell the image format of {os.fspath(path)!r}; use one of {known}")
    return suffix


def plot_history(
    history: Sequence[EpochStats],
    path: str | os.PathLike[str],
    title: str = "",
    *,
    force: bool = False,
    loss_label: str = r"$\frac{1}{2} \sum_k (y_k - \hat{y}_k)^2$",
    boundary: tuple[MLP, DataSplit, Objective] | None = None,
) -> None:
    """Write accuracy per epoch (top) and loss per epoch (bottom), and a decision boundary.

    The training curves are the *running* figures of :class:`nn.train.EpochStats`
    (measured while the weights move; labelled so), the validation curves
    score the network at the end of each epoch. With ``boundary = (model,
    data, objective)`` for a two-input network, its decision regions are drawn
    in a third panel on the right (:mod:`viewers.boundary`). The format
    follows the file's suffix (``.png``, ``.svg``, ``.pdf``, ...; see
    :func:`plot_format`). ``force`` replaces a read-only file (see :mod:`autograd.atomic`).
    """
    require_matplotlib()
    from matplotlib.figure import Figure

    epochs = [s.epoch for s in history]
    if boundary is None:
        fig = Figure(figsize=(7.0, 6.0), layout="constrained")
        acc, loss = fig.subplots(2, 1, sharex=True)
    else:
        fig = Figure(figsize=(12.5, 6.0), layout="constrained")
        grid = fig.add_gridspec(2, 2, width_ratios=[1.0, 0.95])
        acc = fig.add_subplot(grid[0, 0])
        loss = fig.add_subplot(grid[1, 0], sharex=acc)
        from .boundary import draw_boundary

        ax = fig.add_subplot(grid[:, 1])
        model, data, objective = boundary
        draw_boundary(ax, model, data, objective)
        ax.set_title("decision regions of the final network", fontsize="medium")
    acc.plot(epochs, [100 * s.val_accuracy for s in history], label="validation (end of epoch)")
    acc.plot(
        epochs,
        [100 * s.train_accuracy for s in history],
        label="training (running, during the epoch)",
        alpha=0.6,
    )
    acc.set_ylabel("accuracy (%)")
    acc.set_ylim(0, 102)
    acc.legend(loc="lower right")
    acc.grid(alpha=0.3)
    loss.plot(epochs, [s.val_loss for s in history], label="validation (end of epoch)")
    loss.plot(
        epochs,
        [s.train_loss for s in history],
        label="training (running, during the epoch)",
        alpha=0.6,
    )
    loss.set_xlabel("epoch")
    loss.set_ylabel(f"mean loss, {loss_label}")
    loss.legend(loc="upper right")
    loss.grid(alpha=0.3)
    if title:
        fig.suptitle(title)
    fmt = plot_format(path)
    with atomic_write_bytes(path, force=force) as f:
        fig.savefig(f, format=fmt)
