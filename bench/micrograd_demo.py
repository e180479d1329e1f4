"""micrograd's demo, run by micrograd 0.1.0 itself and by deltagrad, on the same data.

1. The data: :func:`nn.micrograd_demo.sklearn_moons` (numpy only) against
   scikit-learn's ``make_moons(n_samples=100, noise=0.1)`` after
   ``np.random.seed(1337)``, as the demo calls it: bit for bit.
2. The training: micrograd's own ``MLP(2, [16, 16, 1])`` after
   ``random.seed(1337)``, its loss (max-margin plus ``1e-4 * sum(p * p)``),
   100 full-batch steps with ``lr = 1 - 0.9 * k / 100``, exactly as the demo
   notebook writes them; then deltagrad's :func:`nn.micrograd_demo.run_demo`.
   Per step: the loss and accuracy each prints, and the time both take.

python -m bench.micrograd_demo      (needs scikit-learn and micrograd: make bench-setup)
"""

from __future__ import annotations

import random
import time

from nn.micrograd_demo import SEED, STEPS, run_demo, sklearn_moons


def check_data() -> bool:
    import numpy as np
    from sklearn.datasets import make_moons

    np.random.seed(SEED)
    x, y = make_moons(n_samples=100, noise=0.1)
    ours_x, ours_y = sklearn_moons()
    same = x.tolist() == ours_x and y.tolist() == ours_y
    print(f"data: numpy-only make_moons == scikit-learn's, bit for bit: {same}")
    return same


def micrograd_run() -> tuple[list[float], list[float], float, float]:
    """The demo notebook's loop with micrograd 0.1.0: (losses, accuracies, final acc, seconds)."""
    import numpy as np
    from micrograd.engine import Value
    from micrograd.nn import MLP

    np.random.seed(SEED)
    random.seed(SEED)
    xs, ys = sklearn_moons()
    labels = [2 * c - 1 for c in ys]
    model = MLP(2, [16, 16, 1])

    def loss() -> tuple[Value, float]:
        inputs = [list(map(Value, row)) for row in xs]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * si).relu() for yi, si in zip(labels, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = 1e-4 * sum(p * p for p in model.parameters())
        total = data_loss + reg_loss
        acc = [(yi > 0) == (si.data > 0) for yi, si in zip(labels, scores)]
        return total, sum(acc) / len(acc)

    losses, accs = [], []
    start = time.perf_counter()
    for k in range(STEPS):
        total, acc = loss()
        model.zero_grad()
        total.backward()
        lr = 1.0 - 0.9 * k / 100
        for p in model.parameters():
            p.data -= lr * p.grad
        losses.append(total.data)
        accs.append(acc)
    seconds = time.perf_counter() - start
    _, final = loss()
    return losses, accs, final, seconds


def main() -> None:
    check_data()
    m_losses, m_accs, m_final, m_seconds = micrograd_run()
    ours = run_demo()
    diffs = [abs(a - b) for a, b in zip(m_losses, ours.losses)]
    rel = max(d / abs(a) for d, a in zip(diffs, m_losses))
    print("step  micrograd loss       deltagrad loss       acc (m / d)")
    for k in (0, 1, 2, 10, 50, 98, 99):
        print(
            f"{k:4d}  {m_losses[k]:.16f}  {ours.losses[k]:.16f}  "
            f"{100 * m_accs[k]:.0f}% / {100 * ours.accuracies[k]:.0f}%"
        )
    print(f"largest relative loss difference over {STEPS} steps: {rel:.2e}")
    print(f"same printed accuracy at every step: {m_accs == ours.accuracies}")
    print(
        f"after the last update: micrograd {100 * m_final:.0f}%, "
        f"deltagrad {100 * ours.final_accuracy:.0f}%"
    )
    print(
        f"time for {STEPS} steps: micrograd {m_seconds:.2f} s, deltagrad {ours.seconds:.2f} s "
        f"(ratio {ours.seconds / m_seconds:.2f})"
    )


if __name__ == "__main__":
    main()
