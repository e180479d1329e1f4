"""``deltagrad train DATASET_OR_CSV``: train an MLP on a built-in data set or your own CSV.

Steps, in order (each its own function, so that checks slot in):

1. :func:`resolve` fills every option the user left out with the data set's
   default (:data:`DEFAULTS`: ``iris`` keeps article 003's training, the
   others micrograd's kind of network);
2. :func:`check_options` and :func:`check_outputs` refuse what cannot work,
   before anything is computed (one line on stderr, exit status 2);
3. :func:`load_data` makes or reads the data (a CSV error names the line and
   the column; exit status 2);
4. :func:`build` makes the network and the objective; the architecture, the
   data and the scaling are printed on stdout (in ``--json`` mode they are
   part of the one JSON line instead);
5. :func:`run_training` trains with a progress bar (its training figures are
   *running* ones, labelled so);
6. :func:`write_outputs` writes ``--save``, ``--plot``, ``--html`` (the replay
   page of :mod:`viewers.replay`, recorded during training) and the report.

One ``random.Random(seed)`` makes the data, the split, the initial weights
and the batch order, in that order: the same seed gives the same numbers.

Ctrl-C during training stops it after the current step: what ``--save``,
``--plot`` and ``--json`` asked for is still written, from the network as it
is, and the exit status is 130. A second Ctrl-C stops at once, without
writing anything.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import math
import random
import signal
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from tqdm import tqdm

from autograd.formatting import quote_short, shorten
from nn.datasets import BUILTIN, DataFormatError, DataSplit, load, load_csv
from nn.init import INITIALIZERS
from nn.layers import ACTIVATIONS, MLP
from nn.objectives import LOSSES, Objective
from nn.optim import SGD
from nn.train import EpochStats, Step, TrainResult, fit

from ..limits import EPOCHS, HIDDEN, bounded_int, seed_int
from ..outputs import FORCE_HELP, PATH_LIMIT, output_problem

if TYPE_CHECKING:
    from viewers.replay import Recorder

__all__ = [
    "DEFAULTS",
    "TrainOptions",
    "build",
    "check_options",
    "check_outputs",
    "load_data",
    "register",
    "resolve",
    "run",
    "run_training",
    "train_command",
    "write_outputs",
]

EXIT_INTERRUPTED = 130  # the shell's status for a process stopped by SIGINT
EXIT_USAGE = 2

MAX_EPOCHS = 1_000_000
MAX_BATCH = 1_000_000
MAX_WIDTH = HIDDEN.high
MAX_LAYERS = 8


@dataclass(frozen=True)
class TrainOptions:
    """Everything ``deltagrad train`` can be told; None means "the data set's default"."""

    dataset: str = "iris"
    target: str | None = None
    epochs: int | None = None
    lr: float | None = None
    batch_size: int | None = None
    hidden: tuple[int, ...] | None = None
    activation: str | None = None
    output_activation: str | None = None
    loss: str | None = None
    init: str | None = None
    l2: float | None = None
    shuffle: bool | None = None
    seed: int = 0
    samples: int | None = None
    noise: float | None = None
    arms: int | None = None
    val_fraction: float | None = None
    scale: str | None = None
    plot: str | None = None
    save: str | None = None
    html: str | None = None
    html_steps: str = "neuron"
    json: bool = False
    progress: bool = True
    force: bool = False
    compile: bool = False


IRIS_DEFAULTS = {
    "epochs": 300,
    "lr": 0.2,
    "batch_size": 1,
    "hidden": (5,),
    "activation": "sigmoid",
    "output_activation": "sigmoid",
    "loss": "half-squared-error",
    "init": "uniform01",
    "l2": 0.0,
    "shuffle": False,
}
"""Article 003's Iris training: 4-5-3 sigmoid, U[0, 1), per-sample SGD in one fixed order."""

GENERIC_DEFAULTS = {
    "epochs": 50,
    "lr": 0.2,
    "batch_size": 16,
    "hidden": (16, 16),
    "activation": "relu",
    "output_activation": "linear",
    "loss": "hinge",
    "init": "scaled_uniform",
    "l2": 0.0,
    "shuffle": True,
}
"""moons, circles, xor, spiral and CSV files: micrograd's network shape and loss, mini-batches."""

DEFAULTS = {name: IRIS_DEFAULTS if name == "iris" else GENERIC_DEFAULTS for name in BUILTIN}


class UsageError(Exception):
    """An option that cannot work; the message is one line for stderr."""


# --- argument types ------------------------------------------------------------------


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{quote_short(text)} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{quote_short(text)} is not a number") from None
    if not math.isfinite(value) or value <= 0.0:
        raise argparse.ArgumentTypeError(f"must be a finite number > 0, got {quote_short(text)}")
    return value


def nonnegative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value) or value < 0.0:
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0, got {text!r}")
    return value


def fraction(text: str) -> float:
    value = positive_float(text)
    if value >= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {text!r}")
    return value


def layer_sizes(text: str) -> tuple[int, ...]:
    """``"16,16"`` -> (16, 16): hidden layer sizes, each within HIDDEN, at most MAX_LAYERS."""
    parts = text.split(",")
    if len(parts) > MAX_LAYERS:
        raise argparse.ArgumentTypeError(f"at most {MAX_LAYERS} hidden layers, got {len(parts)}")
    width = bounded_int(HIDDEN)
    sizes = []
    for p in parts:
        if not p.strip().isdigit():
            raise argparse.ArgumentTypeError(
                f"{quote_short(text)} is not a list of layer sizes such as 16,16"
            )
        sizes.append(width(p))
    return tuple(sizes)


# --- the parser ------------------------------------------------------------------------


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``train`` subcommand."""
    builtin = ", ".join(BUILTIN)
    p = subparsers.add_parser(
        "train",
        help="train a network on a built-in data set or your own CSV",
        description=(
            f"Train an MLP by (mini-batch) SGD on a built-in data set ({builtin}) or on a CSV "
            "file with a header row (give --target COLUMN). iris defaults to article 003's "
            "training (4-5-3 sigmoid, per-sample SGD, lr 0.2, 300 epochs); the others to "
            "2 hidden ReLU layers of 16, a linear output, hinge loss, batches of 16, lr 0.2, "
            "50 epochs. Ctrl-C stops after the current step and still writes --save, --plot "
            "and --json."
        ),
    )
    p.add_argument("dataset", metavar="DATASET_OR_CSV", help=f"{builtin}, or a CSV file")
    p.add_argument("--target", metavar="COLUMN", help="the CSV column holding the class")
    p.add_argument("--epochs", type=bounded_int(EPOCHS), help="passes over the training rows")
    p.add_argument("--lr", type=positive_float, help="learning rate of SGD")
    p.add_argument(
        "--batch-size",
        type=positive_int,
        metavar="N",
        help="rows per step: 1 = per-sample SGD, the training set size or more = full batch",
    )
    p.add_argument("--loss", choices=LOSSES, help="what to minimise (see nn.objectives)")
    p.add_argument(
        "--hidden", type=layer_sizes, metavar="N[,N...]", help="hidden layer sizes, e.g. 16,16"
    )
    p.add_argument("--activation", choices=sorted(ACTIVATIONS), help="hidden layers' activation")
    p.add_argument(
        "--output-activation", choices=sorted(ACTIVATIONS), help="the output layer's activation"
    )
    p.add_argument("--init", choices=sorted(INITIALIZERS), help="initial parameters")
    p.add_argument(
        "--l2", type=nonnegative_float, metavar="ALPHA", help="add ALPHA * sum(p^2) to the loss"
    )
    p.add_argument("--seed", type=seed_int, default=0, help="seed of data, split, init, batches")
    p.add_argument("--samples", type=positive_int, metavar="N", help="points (generated sets)")
    p.add_argument("--noise", type=nonnegative_float, help="noise (generated sets)")
    p.add_argument("--arms", type=positive_int, metavar="K", help="spiral arms (classes)")
    p.add_argument(
        "--val-fraction", type=fraction, metavar="F", help="validation share (default 0.2)"
    )
    p.add_argument(
        "--scale",
        choices=["standard", "minmax", "none"],
        help="CSV feature scaling (default standard, fitted on the training rows)",
    )
    p.add_argument(
        "--plot",
        metavar="PATH",
        help="write accuracy and loss per epoch, and the decision regions of 2-D data",
    )
    p.add_argument(
        "--save",
        metavar="PATH",
        help="write the trained network: .safetensors (PyTorch names) or a JSON model file",
    )
    p.add_argument(
        "--html",
        metavar="PATH",
        help="write a replay of the training as one self-contained HTML page: at most 300 "
        "steps (sampled when longer), play/pause, network view, loss curve, decision regions "
        "of 2-D data, each step's backward pass",
    )
    p.add_argument(
        "--html-steps",
        choices=("neuron", "layer"),
        default="neuron",
        help="the replay's backward pass one neuron or one layer at a time (default neuron)",
    )
    p.add_argument("--json", action="store_true", help="print one line of JSON on stdout")
    p.add_argument("--force", action="store_true", help=FORCE_HELP)
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument(
        "--compile",
        action="store_true",
        help="trace the step and the evaluation once and run them as generated Python "
        "(autograd.compile): the same network, bit for bit, faster",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run ``deltagrad train`` with parsed arguments."""
    options = TrainOptions(
        dataset=args.dataset,
        target=args.target,
        epochs=args.epochs,
        lr=args.lr,
        batch_size=args.batch_size,
        hidden=args.hidden,
        activation=args.activation,
        output_activation=args.output_activation,
        loss=args.loss,
        init=args.init,
        l2=args.l2,
        seed=args.seed,
        samples=args.samples,
        noise=args.noise,
        arms=args.arms,
        val_fraction=args.val_fraction,
        scale=args.scale,
        plot=args.plot,
        save=args.save,
        html=args.html,
        html_steps=args.html_steps,
        json=args.json,
        progress=not args.no_progress,
        force=args.force,
        compile=args.compile,
    )
    return train_command(options)


# --- 1. defaults, 2. checks ------------------------------------------------------------


def is_builtin(options: TrainOptions) -> bool:
    return options.dataset in BUILTIN


def resolve(options: TrainOptions) -> TrainOptions:
    """``options`` with every None training option replaced by the data set's default."""
    defaults = DEFAULTS.get(options.dataset, GENERIC_DEFAULTS)
    filled = {k: v for k, v in defaults.items() if getattr(options, k) is None}
    return dataclasses.replace(options, **filled)  # type: ignore[arg-type]


def check_options(options: TrainOptions) -> None:
    """Refuse options that do not fit the data set, or too large (:class:`UsageError`)."""
    for flag, value, bound in (
        ("--epochs", options.epochs, MAX_EPOCHS),
        ("--batch-size", options.batch_size, MAX_BATCH),
    ):
        if value is not None and value > bound:
            raise UsageError(f"{flag} {value}: at most {bound}")
    name = options.dataset
    if is_builtin(options):
        if options.target is not None:
            raise UsageError(f"--target is for CSV files; {name} is a built-in data set")
        if options.scale is not None:
            raise UsageError(f"--scale is for CSV files; {name} is a built-in data set")
        if name == "iris":
            iris_extras: tuple[tuple[str, object], ...] = (
                ("--samples", options.samples),
                ("--noise", options.noise),
                ("--val-fraction", options.val_fraction),
            )
            for flag, extra in iris_extras:
                if extra is not None:
                    raise UsageError(f"{flag} does not apply to iris (150 rows, 130/20 split)")
        if options.arms is not None and name != "spiral":
            raise UsageError(f"--arms is for spiral, not {name}")
        return
    try:
        is_file = Path(name).is_file()
    except (OSError, ValueError):  # a name too long for the system, or with a NUL byte
        is_file = False
    if not is_file:
        known = ", ".join(BUILTIN)
        raise UsageError(
            f"{quote_short(name)} is neither a built-in data set ({known}) nor an existing file"
        )
    if options.target is None:
        raise UsageError(f"{name}: a CSV file needs --target COLUMN (the column with the class)")
    generated: tuple[tuple[str, object], ...] = (
        ("--samples", options.samples),
        ("--noise", options.noise),
        ("--arms", options.arms),
    )
    for flag, extra in generated:
        if extra is not None:
            raise UsageError(f"{flag} is for generated data sets, not a CSV file")


def check_outputs(options: TrainOptions) -> None:
    """What is wrong with ``--plot``/``--save``/``--html``, checked before training (UsageError)."""
    outputs = (("--plot", options.plot), ("--save", options.save), ("--html", options.html))
    for flag, path in outputs:
        if path is None:
            continue
        problem = output_problem(flag, path, force=options.force)
        if problem is not None:
            raise UsageError(problem)
    if options.html is not None and Path(options.html).suffix.lower() not in (".html", ".htm"):
        raise UsageError(f"--html {shorten(options.html, PATH_LIMIT)}: the name must end in .html")
    if options.plot is not None:
        from viewers.plot import PlotUnavailableError, plot_format

        try:
            plot_format(options.plot)
        except (PlotUnavailableError, ValueError) as e:
            raise UsageError(f"--plot {shorten(options.plot, PATH_LIMIT)}: {e}") from None


# --- 3. data, 4. network -----------------------------------------------------------------


def load_data(options: TrainOptions, rng: random.Random) -> DataSplit:
    """The data set, made or read with ``rng`` (its split drawn from it too)."""
    if is_builtin(options):
        extra: dict[str, object] = {}
        for key, value in (
            ("n", options.samples),
            ("noise", options.noise),
            ("arms", options.arms),
            ("val_fraction", options.val_fraction),
        ):
            if value is not None:
                extra[key] = value
        return load(options.dataset, seed=rng, **extra)
    assert options.target is not None
    return load_csv(
        options.dataset,
        options.target,
        seed=rng,
        val_fraction=0.2 if options.val_fraction is None else options.val_fraction,
        scale=options.scale or "standard",
    )


def build(options: TrainOptions, data: DataSplit, rng: random.Random) -> tuple[MLP, Objective]:
    """The network (drawn from ``rng``) and the objective for ``data``."""
    assert options.loss is not None and options.hidden is not None
    objective = Objective(options.loss, data.nclasses)
    model = MLP(
        data.nfeatures,
        [*options.hidden, objective.nout],
        options.activation or "relu",
        options.output_activation,
        init=options.init or "scaled_uniform",
        seed=rng,
    )
    return model, objective


def architecture(model: MLP) -> str:
    """``2-16-16-1 MLP, relu hidden, linear output, 337 parameters``."""
    sizes = "-".join(str(n) for n in (model.nin, *model.nouts))
    acts = model.activations
    hidden = sorted(set(acts[:-1]))
    hidden_text = f"{'/'.join(hidden)} hidden, " if hidden else ""
    return f"{sizes} MLP, {hidden_text}{acts[-1]} output, {len(model.parameters())} parameters"


def describe(options: TrainOptions, data: DataSplit, model: MLP, objective: Objective) -> str:
    """What will be trained, for stdout before training."""
    batch = options.batch_size or 1
    n = len(data.train)
    kind = "per-sample SGD" if batch == 1 else "full batch" if batch >= n else "mini-batches"
    order = "reshuffled every epoch" if options.shuffle else "in one fixed order"
    l2 = f", plus {options.l2:g} * sum(p^2)" if options.l2 else ""
    return "\n".join(
        [
            f"data: {data.name}: {data.description}",
            f"      {n} training + {len(data.val)} validation rows (seed {options.seed}), "
            f"{data.nfeatures} features, {data.nclasses} classes ({', '.join(data.classes[:6])}"
            f"{', ...' if data.nclasses > 6 else ''})",
            f"      scaling: {data.scaling.describe()}",
            f"network: {architecture(model)} ({model!r}, init {options.init})",
            f"training: loss {objective.formula()}{l2}; SGD lr {options.lr:g}, batch size "
            f"{batch} ({kind}, rows {order}), {options.epochs} epochs",
        ]
    )


# --- 5. training ------------------------------------------------------------------------


class StopRequest:
    """Set by the first Ctrl-C; the training loop asks it after every step."""

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


def run_training(
    options: TrainOptions,
    data: DataSplit,
    model: MLP,
    objective: Objective,
    rng: random.Random,
    on_step: Callable[[Step], None] | None = None,
) -> TrainResult:
    """Train with a progress bar on stderr; Ctrl-C stops after the current step."""
    assert options.epochs is not None and options.lr is not None
    sizes = "-".join(str(n) for n in (model.nin, *model.nouts))
    with (
        stop_on_sigint() as stop,
        tqdm(
            total=options.epochs,
            desc=f"{data.name} {sizes}",
            unit="epoch",
            file=sys.stderr,
            disable=not options.progress,
            dynamic_ncols=True,
        ) as bar,
    ):

        def on_epoch(stats: EpochStats) -> None:
            bar.set_postfix_str(
                f"running: loss {stats.train_loss:.4f}, train "
                f"{100 * stats.train_accuracy:.1f}%; val {100 * stats.val_accuracy:.1f}%",
                refresh=False,
            )
            bar.update(1)

        return fit(
            model,
            data,
            objective,
            SGD(model.parameters(), lr=options.lr),
            epochs=options.epochs,
            batch_size=options.batch_size or 1,
            shuffle=bool(options.shuffle),
            seed=rng,
            l2=options.l2 or 0.0,
            on_epoch=on_epoch,
            on_step=on_step,
            should_stop=stop,
            compile=options.compile,
        )


def train_command(options: TrainOptions) -> int:
    """Check, load, build, train, then write what was asked for; returns the exit status."""
    options = resolve(options)
    try:
        check_options(options)
        check_outputs(options)
        rng = random.Random(options.seed)
        data = load_data(options, rng)
        model, objective = build(options, data, rng)
    except (UsageError, DataFormatError, ValueError) as e:
        print(f"deltagrad train: {e}", file=sys.stderr)
        return EXIT_USAGE
    if not options.json:
        print(describe(options, data, model, objective), flush=True)
    recorder = replay_recorder(options, data, model, objective)
    on_step = recorder.on_step if recorder is not None else None
    result = run_training(options, data, model, objective, rng, on_step)
    return write_outputs(options, data, objective, result, recorder)


def replay_recorder(
    options: TrainOptions, data: DataSplit, model: MLP, objective: Objective
) -> Recorder | None:
    """The recorder of ``--html`` (:class:`viewers.replay.Recorder`), made before training."""
    if options.html is None:
        return None
    from viewers.replay import Recorder

    batch = options.batch_size or 1
    total = math.ceil(len(data.train) / batch) * (options.epochs or 1)
    return Recorder(model, data, objective, total, granularity=options.html_steps)


def write_replay(recorder: Recorder, path: str, heading: str, *, force: bool = False) -> str:
    """Write the replay page of ``--html``; returns the path."""
    from viewers.replay import replay_page

    replay_page(recorder, title=f"deltagrad train {heading}"[:200]).save(path, force=force)
    return path


# --- 6. outputs -------------------------------------------------------------------------


def save_model(model: MLP, path: str, *, force: bool = False) -> None:
    """``.safetensors``: PyTorch's names (:mod:`nn.safetensors`); anything else: JSON."""
    if path.lower().endswith(".safetensors"):
        model.save(path, format="safetensors", force=force)
    else:
        model.save(path, force=force)


def write_outputs(
    options: TrainOptions,
    data: DataSplit,
    objective: Objective,
    result: TrainResult,
    recorder: Recorder | None = None,
) -> int:
    status = EXIT_INTERRUPTED if result.interrupted else 0
    if result.interrupted:
        print(
            f"deltagrad train: stopped by Ctrl-C after {result.epochs} complete epoch(s)",
            file=sys.stderr,
        )
    saved = plotted = None
    if options.save is not None:
        try:
            save_model(result.model, options.save, force=options.force)
            saved = options.save
        except (OSError, ValueError) as e:
            shown = shorten(options.save, PATH_LIMIT)
            print(f"deltagrad train: --save {shown}: {e}", file=sys.stderr)
            status = status or 1
    if options.plot is not None:
        from viewers.plot import plot_history

        boundary = (result.model, data, objective) if data.nfeatures == 2 else None
        try:
            plot_history(
                result.history,
                options.plot,
                title=title(options, data, result.model),
                loss_label=objective.formula(),
                boundary=boundary,
                force=options.force,
            )
            plotted = options.plot
        except (OSError, ValueError) as e:
            shown = shorten(options.plot, PATH_LIMIT)
            print(f"deltagrad train: --plot {shown}: {e}", file=sys.stderr)
            status = status or 1
    replayed = None
    if options.html is not None and recorder is not None and recorder.frames:
        try:
            replayed = write_replay(
                recorder, options.html, title(options, data, result.model), force=options.force
            )
        except (OSError, ValueError) as e:
            shown = shorten(options.html, PATH_LIMIT)
            print(f"deltagrad train: --html {shown}: {e}", file=sys.stderr)
            status = status or 1
    if options.json:
        record = summary(options, data, objective, result) | {"saved": saved, "plot": plotted}
        if options.html is not None:
            record["html"] = replayed
        print(json.dumps(record, allow_nan=False))
    else:
        print(report(options, data, result, saved, plotted))
        if replayed is not None:
            print(f"replay of {len(recorder.frames) if recorder else 0} steps: {replayed}")
    return status


def title(options: TrainOptions, data: DataSplit, model: MLP) -> str:
    sizes = "-".join(str(n) for n in (model.nin, *model.nouts))
    return (
        f"{data.name}, {sizes} ({'/'.join(dict.fromkeys(model.activations))}), {options.loss}, "
        f"batch {options.batch_size}, lr {options.lr:g}, seed {options.seed}"
    )


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def summary(
    options: TrainOptions, data: DataSplit, objective: Objective, result: TrainResult
) -> dict[str, object]:
    model = result.model
    return {
        "dataset": data.name,
        "source": options.dataset if not is_builtin(options) else None,
        "train_accuracy": _finite(result.train_accuracy),
        "val_accuracy": _finite(result.val_accuracy),
        "final_loss": _finite(result.final_loss),
        "epochs": result.epochs,
        "steps": result.steps,
        "seconds": round(result.seconds, 3),
        "compiled": result.compiled,
        "interrupted": result.interrupted,
        "n_train": len(data.train),
        "n_val": len(data.val),
        "classes": list(data.classes),
        "scaling": data.scaling.method,
        "architecture": {
            "sizes": [model.nin, *model.nouts],
            "activations": list(model.activations),
            "parameters": len(model.parameters()),
        },
        "hidden": list(options.hidden or ()),
        "loss": objective.name,
        "batch_size": options.batch_size,
        "lr": options.lr,
        "l2": options.l2,
        "seed": options.seed,
        "init": options.init,
    }


def report(
    options: TrainOptions,
    data: DataSplit,
    result: TrainResult,
    saved: str | None,
    plotted: str | None,
) -> str:
    lines = [
        f"{data.name}: {result.epochs} epochs ({result.steps} steps) in {result.seconds:.1f} s"
        + (f" (compiled: {result.compiled})" if options.compile else ""),
        f"final network, every row, no_grad: training accuracy "
        f"{100 * result.train_accuracy:.1f}%, validation accuracy "
        f"{100 * result.val_accuracy:.1f}%, final loss {result.final_loss:.4f} "
        "(mean per training row)",
        "(the progress bar's training figures are running ones, measured while the weights moved)",
    ]
    if saved is not None:
        lines.append(f"model saved to {saved}")
    if plotted is not None:
        lines.append(f"plot written to {plotted}")
    return "\n".join(lines)
