"""``deltagrad train iris``: article 003's Iris training, with a progress bar.

Ctrl-C during training stops it after the current sample: what ``--save``,
``--plot`` and ``--json`` asked for is still written, from the network as it
is, and the exit status is 130. A second Ctrl-C stops at once, without
writing anything.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import signal
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from tqdm import tqdm

from nn.init import INITIALIZERS
from nn.train import EpochStats, TrainResult, train_iris

__all__ = ["TrainOptions", "register", "run", "train_command"]

EXIT_INTERRUPTED = 130  # the shell's status for a process stopped by SIGINT


@dataclass(frozen=True)
class TrainOptions:
    """Everything ``deltagrad train iris`` can be told."""

    epochs: int = 300
    lr: float = 0.2
    hidden: int = 5
    seed: int = 0
    init: str = "uniform01"
    plot: str | None = None
    save: str | None = None
    json: bool = False
    progress: bool = True
    compile: bool = False


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value) or value <= 0.0:
        raise argparse.ArgumentTypeError(f"must be a finite number > 0, got {text!r}")
    return value


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``train`` subcommand."""
    p = subparsers.add_parser(
        "train",
        help="train a network on a data set (article 003's Iris project)",
        description="Train a 4-H-3 sigmoid network on Iris with per-sample SGD, as article 003 "
        "does. Ctrl-C stops after the current sample and still writes --save, --plot and --json.",
    )
    p.add_argument("dataset", choices=["iris"], help="the data set (only iris)")
    p.add_argument("--epochs", type=positive_int, default=300, help="epochs (default 300)")
    p.add_argument("--lr", type=positive_float, default=0.2, help="learning rate (default 0.2)")
    p.add_argument("--hidden", type=positive_int, default=5, help="hidden neurons (default 5)")
    p.add_argument("--seed", type=int, default=0, help="seed of shuffle and init (default 0)")
    p.add_argument(
        "--init",
        choices=sorted(INITIALIZERS),
        default="uniform01",
        help="initial parameters (default uniform01, the article's U[0, 1))",
    )
    p.add_argument(
        "--plot", metavar="PATH", help="write accuracy and loss per epoch (needs matplotlib)"
    )
    p.add_argument("--save", metavar="PATH", help="write the trained network as a JSON model file")
    p.add_argument("--json", action="store_true", help="print a JSON summary on stdout")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument(
        "--compile",
        action="store_true",
        help="trace the training step once and run it compiled (same result, bit for bit)",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run ``deltagrad train`` with parsed arguments."""
    options = TrainOptions(
        epochs=args.epochs,
        lr=args.lr,
        hidden=args.hidden,
        seed=args.seed,
        init=args.init,
        plot=args.plot,
        save=args.save,
        json=args.json,
        progress=not args.no_progress,
        compile=args.compile,
    )
    return train_command(options)


class StopRequest:
    """Set by the first Ctrl-C; the training loop asks it after every sample."""

    def __init__(self) -> None:
        self.requested = False

    def __call__(self) -> bool:
        return self.requested


@contextlib.contextmanager
def stop_on_sigint() -> Iterator[StopRequest]:
    """Within the block the first SIGINT only sets a flag; a second raises KeyboardInterrupt."""
    stop = StopRequest()

    def handler(signum: int, frame: FrameType | None) -> None:
        if stop.requested:
            raise KeyboardInterrupt
        stop.requested = True

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous)


def _check_outputs(options: TrainOptions) -> str | None:
    """What is wrong with ``--plot``/``--save`` (checked before training), or None."""
    for flag, path in (("--plot", options.plot), ("--save", options.save)):
        if path is None:
            continue
        parent = Path(path).parent
        if not parent.is_dir():
            return f"{flag} {path}: the directory {str(parent)!r} does not exist"
    if options.plot is not None:
        from viewers.plot import PlotUnavailableError, plot_format

        try:
            plot_format(options.plot)
        except (PlotUnavailableError, ValueError) as e:
            return f"--plot {options.plot}: {e}"
    return None


def train_command(options: TrainOptions) -> int:
    """Train, then write what was asked for; returns the exit status."""
    problem = _check_outputs(options)
    if problem is not None:
        print(f"deltagrad train: {problem}", file=sys.stderr)
        return 2

    with stop_on_sigint() as stop:
        with tqdm(
            total=options.epochs,
            desc=f"iris 4-{options.hidden}-3",
            unit="epoch",
            file=sys.stderr,
            disable=not options.progress,
            dynamic_ncols=True,
        ) as bar:

            def on_epoch(stats: EpochStats) -> None:
                bar.set_postfix_str(
                    f"loss {stats.train_loss:.4f}, train {100 * stats.train_accuracy:.1f}%, "
                    f"val {100 * stats.val_accuracy:.1f}%",
                    refresh=False,
                )
                bar.update(1)

            result = train_iris(
                epochs=options.epochs,
                lr=options.lr,
                hidden=options.hidden,
                seed=options.seed,
                init=options.init,
                on_epoch=on_epoch,
                should_stop=stop,
                compile=options.compile,
            )
        return _write_outputs(options, result)


def _write_outputs(options: TrainOptions, result: TrainResult) -> int:
    status = EXIT_INTERRUPTED if result.interrupted else 0
    if result.interrupted:
        print(
            f"deltagrad train: stopped by Ctrl-C after {result.epochs} complete epoch(s)",
            file=sys.stderr,
        )
    saved = plotted = None
    if options.save is not None:
        try:
            result.model.save(options.save)
            saved = options.save
        except (OSError, ValueError) as e:
            print(f"deltagrad train: --save {options.save}: {e}", file=sys.stderr)
            status = status or 1
    if options.plot is not None:
        from viewers.plot import plot_history

        try:
            plot_history(result.history, options.plot, title=_title(options))
            plotted = options.plot
        except (OSError, ValueError) as e:
            print(f"deltagrad train: --plot {options.plot}: {e}", file=sys.stderr)
            status = status or 1
    if options.json:
        summary = _summary(options, result) | {"saved": saved, "plot": plotted}
        print(json.dumps(summary, allow_nan=False))
    else:
        print(_report(options, result, saved, plotted))
    return status


def _title(options: TrainOptions) -> str:
    return (
        f"Iris, 4-{options.hidden}-3 sigmoid, per-sample SGD, "
        f"lr {options.lr:g}, seed {options.seed}"
    )


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def _summary(options: TrainOptions, result: TrainResult) -> dict[str, object]:
    return {
        "dataset": "iris",
        "epochs": result.epochs,
        "train_accuracy": _finite(result.train_accuracy),
        "val_accuracy": _finite(result.val_accuracy),
        "final_loss": _finite(result.final_loss),
        "seconds": round(result.seconds, 3),
        "interrupted": result.interrupted,
        "hidden": options.hidden,
        "lr": options.lr,
        "seed": options.seed,
        "init": options.init,
        "compile": options.compile,
    }


def _report(
    options: TrainOptions, result: TrainResult, saved: str | None, plotted: str | None
) -> str:
    lines = [
        f"{_title(options)}: {result.epochs} epochs in {result.seconds:.1f} s",
        f"training accuracy {100 * result.train_accuracy:.1f}%, "
        f"validation accuracy {100 * result.val_accuracy:.1f}%, "
        f"final loss {result.final_loss:.4f} (mean per training sample)",
    ]
    if saved is not None:
        lines.append(f"model saved to {saved}")
    if plotted is not None:
        lines.append(f"plot written to {plotted}")
    return "\n".join(lines)
