"""``deltagrad demo``: the main demonstration, in three parts.

1. The engine on one expression: every node's value and gradient.
2. Article 003's worked example: the printed numbers beside the engine's,
   for both readings of the printed parameters (see :mod:`nn.worked_example`),
   the network view after the backward pass (z, a and delta in every neuron),
   ``out/worked_example_network.svg``, the drawing of its scalar graph,
   ``out/worked_example.svg``, and the page that steps through both passes
   in a browser, ``out/worked_example.html`` (:mod:`viewers.page`), and its
   backward pass on the network view neuron by neuron,
   ``out/worked_example_network.html`` (:mod:`viewers.replay`).
3. Article 003's Iris training with its progress bar; the plot and the
   trained model are written to ``out/``.
4. micrograd's demo (moons, ``MLP(2, [16, 16, 1])``, max-margin loss, 100
   full-batch steps), reproduced; its decision boundary is written to
   ``out/micrograd-moons.png`` (see :mod:`nn.micrograd_demo`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from autograd import Value
from autograd.table import node_table
from nn import worked_example as we

from ..limits import EPOCHS, bounded_int
from .train import TrainOptions, train_command

__all__ = [
    "register",
    "run",
    "write_worked_example_graph",
    "write_worked_example_network",
    "write_worked_example_network_page",
    "write_worked_example_page",
]

OUT = Path("out")
GRAPH_FILE = "worked_example.svg"
NETWORK_FILE = "worked_example_network.svg"
PAGE_FILE = "worked_example.html"
NETWORK_PAGE_FILE = "worked_example_network.html"
MOONS_FILE = "micrograd-moons.png"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``demo`` subcommand."""
    p = subparsers.add_parser("demo", help="run the main demonstration")
    p.add_argument("--epochs", type=bounded_int(EPOCHS), default=300, help=argparse.SUPPRESS)
    p.add_argument(
        "--micrograd-steps", type=bounded_int(EPOCHS), default=100, help=argparse.SUPPRESS
    )
    p.set_defaults(run=run)


def _heading(text: str) -> None:
    print(f"\n{'=' * 8} {text} {'=' * max(0, 70 - len(text))}\n")


def engine_part() -> None:
    """An expression, its backward pass, and every node's value and gradient."""
    a, b, c = Value(0.5, "a"), Value(-1.5, "b"), Value(1.0, "c")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    L = d.tanh()
    L.label = "L"
    L.backward()
    print("L = tanh(a*b + c) with a = 0.5, b = -1.5, c = 1.0\n")
    print(node_table(L))
    print(f"\nby hand: dL/da = (1 - L**2) * b = {(1 - L.data**2) * b.data:.6g}")


def worked_example_part() -> Path | None:
    """The article's printed numbers beside the engine's; returns the page written, if any."""
    print(
        "2-3-2-1 sigmoid network, x = (1, 2), y = 1, L = 1/2 (y - y_hat)^2;\n"
        "delta = dL/dz = z.grad. The printed W2 has W2[2][2] = 2 (row 2, column 2, from 1),\n"
        "but the printed z5 needs 3. A = parameters as printed, B = W2[2][2] set to 3.\n"
        f"✓: |engine - article| <= {we.TOLERANCE:g}, one unit in the last printed decimal.\n"
    )
    print(we.format_comparison(we.comparison_rows()))
    print(
        "\nB reproduces every printed number but f3' and delta1[2]. The printed delta1 is B's\n"
        "delta2 and f' put through W2^T with the printed W2 (last column): the article did its\n"
        "forward pass with 3 and its back-propagation through W2 with 2. f3' is a slip: the\n"
        "printed f3 gives f3 (1 - f3) = 0.000045395807736, and no other number depends on it."
    )
    print("\nOne update with alpha = 0.1 on network B (the output layer; W with and without +W):")
    for decay, rule in ((1.0, "W <- W - alpha (delta a^T + W)"), (0.0, "W <- W - alpha delta a^T")):
        net = we.one_step(we.network("forward"), weight_decay=decay)
        w3, b3 = net.layers[2].weights_and_biases()
        row = ", ".join(f"{w:.12f}" for w in w3[0])
        print(f"  {rule:32}  W3 = [{row}],  b3 = [{b3[0]:.12f}]")
    network = write_worked_example_network(OUT / NETWORK_FILE)
    print(f"\nThe network view (z, a and delta = dL/dz in every neuron, network B): {network}")
    path = write_worked_example_graph(OUT / GRAPH_FILE)
    if path is not None:
        print(f"\nThe graph of L after backward() (network B, the article's names): {path}")
    page = write_worked_example_page(OUT / PAGE_FILE)
    if page is not None:
        print(
            "The same graph, one node at a time, forward and backward, in any browser "
            f"(arrow keys step):\n  {page.resolve()}"
        )
        network_page = write_worked_example_network_page(OUT / NETWORK_PAGE_FILE)
        print(f"and on the network view, one neuron at a time:\n  {network_page.resolve()}")
    return page


def write_worked_example_network(path: Path) -> Path:
    """Write the network view of the example (network B) after ``backward()`` to ``path`` (SVG).

    One column per layer, the article's names (``z5``, ``f5``, ``W2[1][3]``),
    and ``delta = dL/dz`` in every neuron (see :mod:`viewers.network`).
    """
    from viewers.network import draw_network

    graph = we.article_graph("forward")
    graph.loss.backward()
    return draw_network(graph.net, loss=graph.loss).save(path)


def write_worked_example_graph(path: Path) -> Path | None:
    """Draw the example's graph (network B) after ``backward()`` into ``path``.

    Every Value is labelled as in the article (``W1[1][1]``, ``b1[1]``,
    ``z1``, ``f1``, ..., ``L``; see :func:`nn.worked_example.article_graph`)
    and shows its data and its gradient: ``z(k).grad`` is ``delta(k)``. The
    format follows the suffix (see :func:`autograd.viz.render`). Returns the
    path written, or None, with a note on stderr, when Graphviz is missing.
    """
    try:
        from autograd.viz import DotNotFoundError, render
    except ImportError:
        print(
            "deltagrad demo: the graph drawing needs the graphviz package: "
            "pip install 'deltagrad[viz]'; skipped",
            file=sys.stderr,
        )
        return None
    graph = we.article_graph("forward")
    graph.loss.backward()
    try:
        return render(graph.loss, path)
    except DotNotFoundError as err:
        print(f"deltagrad demo: drawing skipped: {err}", file=sys.stderr)
        return None


def write_worked_example_page(path: Path) -> Path | None:
    """Write the step-through page of the example (:func:`viewers.page.worked_example_page`).

    Returns the path written, or None, with a note on stderr, when Graphviz is missing.
    """
    try:
        from autograd.viz import DotNotFoundError
        from viewers.page import worked_example_page
    except ImportError:
        print(
            "deltagrad demo: the page needs the graphviz package: pip install 'deltagrad[viz]'; "
            "skipped",
            file=sys.stderr,
        )
        return None
    try:
        return worked_example_page().save(path)
    except DotNotFoundError as err:
        print(f"deltagrad demo: page skipped: {err}", file=sys.stderr)
        return None


def write_worked_example_network_page(path: Path) -> Path:
    """Write the example's backward pass on the network view, neuron by neuron (a page)."""
    from viewers.replay import worked_example_network_page

    return worked_example_network_page().save(path)


def iris_part(epochs: int) -> int:
    """Train on Iris as the article does, writing the plot and the model to ``out/``."""
    OUT.mkdir(exist_ok=True)
    options = TrainOptions(
        epochs=epochs,
        plot=str(OUT / "iris-training.png"),
        save=str(OUT / "iris-model.json"),
    )
    print("4-5-3 sigmoid network, U[0, 1) initial parameters, per-sample SGD, lr 0.2, seed 0\n")
    return train_command(options)


def micrograd_part(steps: int) -> None:
    """micrograd's demo with deltagrad: the loss and accuracy it prints, and the picture."""
    from nn.micrograd_demo import SEED, run_demo

    try:
        result = run_demo(steps)  # imports numpy for the data
    except ImportError:
        print("deltagrad demo: micrograd's demo needs numpy: pip install numpy; skipped")
        return
    print(
        f"scikit-learn's make_moons(100, noise=0.1) after np.random.seed({SEED}) (numpy only),\n"
        f"micrograd's MLP(2, [16, 16, 1]) after random.seed({SEED}): ReLU, ReLU, linear,\n"
        "loss mean(relu(1 - y * score)) + 1e-4 * sum(p * p), full batch, lr 1 - 0.9 k / 100\n"
    )
    print("step  loss                 accuracy (before the step's update)")
    for k in sorted({*range(0, steps, 10), steps - 1}):
        print(f"{k:4d}  {result.losses[k]:.16f}  {100 * result.accuracies[k]:.0f}%")
    print(
        f"\nafter {steps} steps: {100 * result.final_accuracy:.0f}% of the 100 points right "
        f"({result.seconds:.1f} s)"
    )
    OUT.mkdir(exist_ok=True)
    from nn.objectives import Objective
    from viewers.boundary import plot_boundary
    from viewers.plot import PlotUnavailableError

    try:
        path = OUT / MOONS_FILE
        plot_boundary(
            result.model,
            result.data,
            Objective("hinge", 2),
            path,
            title=f"micrograd's demo with deltagrad: {100 * result.final_accuracy:.0f}% "
            f"after {steps} steps",
        )
        print(f"decision boundary: {path}")
    except PlotUnavailableError as e:
        print(f"deltagrad demo: the picture is skipped: {e}")


def run(args: argparse.Namespace) -> int:
    """Run the four parts."""
    _heading("1. The engine: one expression, node by node")
    engine_part()
    _heading("2. Article 003's worked example: printed numbers and the engine's")
    page = worked_example_part()
    _heading("3. Article 003's Iris project, trained with the engine")
    status = iris_part(args.epochs)
    _heading("4. micrograd's demo: moons, 2-16-16-1, max-margin loss, 100 steps")
    micrograd_part(args.micrograd_steps)
    if page is not None:
        print(f"\nOpen the worked example's step-through page in a browser: {page.resolve()}")
    return status
