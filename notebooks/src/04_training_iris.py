# Source of notebooks/04_training_iris.ipynb; rebuild with `python notebooks/build.py 04`.

# %% [markdown]
# # 04 · Training on Iris
#
# The second half of article 003 (the two-part tutorial "BP算法" of the GitHub
# repository [INTERMT/BP-Algorithm](https://github.com/INTERMT/BP-Algorithm), whose copy
# names no other title or author) trains a network on the Iris flowers: four
# measurements per flower in, one of three species out. This notebook repeats that
# project with the engine — the same network, the same data preparation, the same
# training loop — and then looks at what the trained network decides on the flowers
# it never saw.
#
# The settings are the article's: a 4-5-3 network with the logistic sigmoid
# $\sigma(z) = 1/(1 + e^{-z})$ on both layers, initial weights and biases drawn from
# $U[0, 1)$, the loss $L = \tfrac12 \sum_k (y_k - \hat y_k)^2$ against a one-hot
# target, plain stochastic gradient descent with learning rate $\alpha = 0.2$ and one
# update per sample, 300 epochs. Everything random comes from one seeded generator
# (seed 0), so every run of this notebook gives the same numbers.

# %%
import random

import matplotlib.pyplot as plt
from IPython.display import Markdown

from nn.datasets import IRIS_CLASSES, load_iris
from nn.train import argmax, evaluate, train_iris

SEED = 0
FEATURES = ("sepal length", "sepal width", "petal length", "petal width")

# %% [markdown]
# ## The data
#
# 150 flowers, 50 of each species. Each measurement (in cm) is scaled to $[0, 1]$
# over the whole table, $x' = (x - \min) / (\max - \min)$; the rows are shuffled
# once, and the first 130 are used for training, the other 20 for validation. The
# training function makes the same draws from the same seed (the shuffle first,
# then the initial parameters), so loading the data here with a generator seeded
# the same way gives exactly the split the network is trained on.

# %%
data = load_iris(random.Random(SEED))
short = [name.removeprefix("Iris-") for name in IRIS_CLASSES]
for part, rows in (("training", data.train), ("validation", data.val)):
    counts = {s: rows.labels.count(k) for k, s in enumerate(short)}
    print(f"{part:10}: {len(rows):3} rows {counts}")
print(f"first training row, scaled: {[round(v, 3) for v in data.train.x[0]]}")
print(f"  its target (one-hot): {data.train.y[0]} = {short[data.train.labels[0]]}")
assert (len(data.train), len(data.val)) == (130, 20)
assert all(0.0 <= v <= 1.0 for row in data.train.x + data.val.x for v in row)

# %% [markdown]
# ## Training
#
# Per sample $(x, y)$: a forward pass, the loss, `backward()`, then
# $w \leftarrow w - \alpha\, \partial L / \partial w$ for every parameter. After each
# epoch the network is evaluated on the validation rows (recording no graph). The
# training accuracy of an epoch counts the samples that were classified correctly
# just before their own update.

# %%
result = train_iris(epochs=300, lr=0.2, hidden=5, seed=SEED)
history = result.history
first, last = history[0], history[-1]
print(
    f"epoch   1: training loss {first.train_loss:.4f}, validation accuracy {first.val_accuracy:.0%}"
)
print(
    f"epoch 300: training loss {last.train_loss:.4f}, validation accuracy {last.val_accuracy:.0%}"
)
print(f"final network: training accuracy {result.train_accuracy:.1%}, "
      f"validation accuracy {result.val_accuracy:.1%}")  # fmt: skip
assert result.epochs == len(history) == 300 and not result.interrupted
assert result.val_accuracy >= 0.95  # at most one of the 20 held-out flowers wrong
assert result.train_accuracy >= 0.95
assert last.train_loss < first.train_loss / 5  # the loss has come down a long way

# %% [markdown]
# ## Accuracy and loss per epoch
#
# The upper panel is the article's figure: the accuracy on the validation rows after
# each epoch, here with the training accuracy beside it. The lower panel shows the
# mean loss per sample on both parts, on a logarithmic scale.

# %%
epochs = [s.epoch for s in history]
fig, (top, bottom) = plt.subplots(2, 1, figsize=(7, 6), sharex=True, layout="constrained")
top.plot(epochs, [s.val_accuracy for s in history], label="validation (20 rows)")
top.plot(epochs, [s.train_accuracy for s in history], label="training (130 rows)", alpha=0.8)
top.set_ylabel("accuracy")
top.set_ylim(0, 1.02)
top.legend(loc="lower right")
bottom.plot(epochs, [s.val_loss for s in history], label="validation")
bottom.plot(epochs, [s.train_loss for s in history], label="training", alpha=0.8)
bottom.set_yscale("log")
bottom.set_xlabel("epoch")
bottom.set_ylabel("mean loss per sample")
bottom.legend(loc="upper right")
fig.suptitle("Iris, 4-5-3 sigmoid network, per-sample SGD, α = 0.2")
plt.show()

# %% [markdown]
# With only 20 validation rows, each one is 5% of the validation accuracy, which is
# why that curve moves in steps. The mistakes that remain after training are all
# between versicolor and virginica, whose measurements overlap (see the last table);
# setosa, with its much smaller petals, is never confused with them.
#
# ## The trained network on the validation rows
#
# For each of the 20 flowers held out from training: its measurements (back in cm),
# the true species, the species the network predicts — the output neuron with the
# largest activation — and the three output activations
# $\hat y = (\hat y_\text{setosa}, \hat y_\text{versicolor}, \hat y_\text{virginica})$.

# %%
model = result.model
span = [hi - lo for lo, hi in zip(data.feature_min, data.feature_max)]
lines = [
    "| # | " + " | ".join(FEATURES) + " | species | predicted | $\\hat y$ | |",
    "|---:|" + "---:|" * len(FEATURES) + "---|---|---|---|",
]
correct = 0
for i, (x, label) in enumerate(zip(data.val.x, data.val.labels), start=1):
    out = model(x)
    predicted = argmax(out)
    correct += predicted == label
    cm = [v * s + lo for v, s, lo in zip(x, span, data.feature_min)]
    activations = ", ".join(f"{o.data:.3f}" for o in out)
    mark = "✓" if predicted == label else "✗"
    lines.append(
        f"| {i} | " + " | ".join(f"{v:.1f}" for v in cm)
        + f" | {short[label]} | {short[predicted]} | ({activations}) | {mark} |"
    )  # fmt: skip
lines.append(f"\n{correct} of {len(data.val)} validation rows classified correctly.")
assert correct / len(data.val) == result.val_accuracy
assert evaluate(model, data.val)[1] == result.val_accuracy  # the split is the one trained on
Markdown("\n".join(lines))

# %% [markdown]
# The activations are not probabilities (they need not sum to 1: each output neuron
# has its own sigmoid and its own target of 0 or 1), but the largest one is the
# prediction. How sure the network is shows in the gap between the largest and the
# second largest. Here are the validation rows on which it is least sure:

# %%
margins = []
for i, x in enumerate(data.val.x, start=1):
    a = sorted((o.data for o in model(x)), reverse=True)
    margins.append((a[0] - a[1], i))
for gap, i in sorted(margins)[:3]:
    print(f"row {i:2}: largest activation ahead of the next by {gap:.3f}")
assert all(gap > 0 for gap, _ in margins)  # no ties: argmax is well defined on every row

# %% [markdown]
# And on the 130 training rows, which species are mistaken for which (rows: true
# species, columns: predicted):

# %%
confusion = [[0, 0, 0] for _ in short]
for x, label in zip(data.train.x, data.train.labels):
    confusion[label][argmax(model(x))] += 1
print(f"{'':12}" + "".join(f"{s:>12}" for s in short))
for s, row in zip(short, confusion):
    print(f"{s:12}" + "".join(f"{n:12}" for n in row))
assert sum(confusion[k][k] for k in range(3)) / len(data.train) == result.train_accuracy
assert confusion[0][1] == confusion[0][2] == 0  # no setosa is mistaken for another species
