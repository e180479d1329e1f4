# Source of notebooks/05_derivatives_of_derivatives.ipynb; rebuild with `python notebooks/build.py`.

# %% [markdown]
# # 05 · Derivatives of derivatives
#
# `backward()` leaves a plain number in every `.grad`: enough for gradient descent,
# but not for a second derivative, a Hessian or a Newton step. `autograd.grad`
# returns the derivatives instead, and with `create_graph=True` it returns them as
# **Values in a graph of their own**, built from the very same local derivatives of
# the op table, now applied to Values. That graph can be drawn, stepped through and
# differentiated again.
#
# This notebook draws the graph of $\tanh''$, runs Newton's method with a second
# derivative taken from the engine, and computes the Hessian of a tiny network's
# loss. Every number shown is also checked by an `assert`.

# %%
import itertools
import math

import matplotlib.pyplot as plt
import numpy as np

from autograd import Value, grad, gradgradcheck, hessian, linear, nodes_of
from autograd.stepper import backward_steps
from autograd.viz import draw_dot
from nn import MLP, softmax_cross_entropy

# %% [markdown]
# ## The graph of a derivative
#
# For $y = \tanh x$ the op table says $dy/dx = 1 - \tanh(x)^2 = 1 - y^2$, written with
# the node's own value `out`. Running the backward pass *on Values* records exactly
# that formula: $1 - y \cdot y$, a graph of four nodes that hangs on $y$ and through it
# on $x$.

# %%
x = Value(0.5, "x")
y = x.tanh()
y.label = "y"
(dy,) = grad(y, [x], create_graph=True)
dy.label = "y'"
print(f"dy/dx at x = 0.5: {dy.data!r}")
assert dy.data == 1.0 - y.data * y.data  # the op table's rule, evaluated on Values
assert len(nodes_of(dy)) == 4
draw_dot(dy, show_grad=False)

# %% [markdown]
# Differentiating that graph again is the same procedure: each of its nodes is an
# ordinary op (`*`, `-`, `tanh`) with ordinary local derivatives. The result is the
# graph of
#
# $$\frac{d^2y}{dx^2} = -2\,\tanh x\,\bigl(1 - \tanh^2 x\bigr),$$
#
# arrived at without anyone writing that formula down: the two products $-1 \cdot y$
# come from $y \cdot y$ (one per use of $y$), the product at the top from the chain
# rule through $\tanh$.

# %%
(d2y,) = grad(dy, [x], create_graph=True)
d2y.label = "y''"
t = math.tanh(0.5)
print(f"d2y/dx2 at x = 0.5: {d2y.data!r}   formula: {-2 * t * (1 - t * t)!r}")
assert math.isclose(d2y.data, -2 * t * (1 - t * t), rel_tol=1e-15)
draw_dot(d2y, show_grad=False)

# %% [markdown]
# A gradient's graph is a graph like any other: its backward pass can be stepped
# through node by node, and what it leaves in `x.grad` is the **third** derivative,
# $\tanh''' x = -2\,(1 - \tanh^2 x)(1 - 3\tanh^2 x)$.

# %%
for step in backward_steps(d2y):
    print(step.describe())
third = -2 * (1 - t * t) * (1 - 3 * t * t)
print(f"\nx.grad = {x.grad!r}   formula: {third!r}")
assert math.isclose(x.grad, third, rel_tol=1e-14)

# %% [markdown]
# ## tanh and its first two derivatives
#
# The same calls at many points draw the curves. $\tanh'$ peaks at 0, where $\tanh$
# is steepest, and $\tanh''$ changes sign there: it is the rate at which the slope
# falls off on either side.

# %%
xs = [k / 50 for k in range(-175, 176)]
curves: dict[str, list[float]] = {"tanh": [], "tanh'": [], "tanh''": []}
for point in xs:
    v = Value(point)
    out = v.tanh()
    (first,) = grad(out, [v], create_graph=True)
    (second,) = grad(first, [v])
    curves["tanh"].append(out.data)
    curves["tanh'"].append(first.data)
    curves["tanh''"].append(second)
    th = math.tanh(point)
    assert math.isclose(second, -2 * th * (1 - th * th), rel_tol=1e-12, abs_tol=1e-15)

fig, ax = plt.subplots(figsize=(7, 3.6), layout="constrained")
for (name, values), style in zip(curves.items(), ["-", "--", ":"]):
    ax.plot(xs, values, style, linewidth=2, label=name)
ax.axhline(0.0, color="grey", linewidth=0.6)
ax.axvline(0.0, color="grey", linewidth=0.6)
ax.set_xlabel("x")
ax.set_title("tanh, tanh' and tanh'' from autograd.grad(..., create_graph=True)")
ax.legend(loc="upper left")
plt.show()

# %% [markdown]
# ## Newton's method
#
# To minimise a function $\varphi$ of one variable, Newton's method replaces it near
# the current point $x_k$ by its second-order Taylor model and jumps to the model's
# minimum:
#
# $$x_{k+1} = x_k - \frac{\varphi'(x_k)}{\varphi''(x_k)}.$$
#
# Both derivatives come from the engine. We take $\varphi(x) = e^x - 3x$, whose
# minimum is at $x^* = \ln 3$, and start far to the right, at $x_0 = 3$.


# %%
def phi(v: Value) -> Value:
    return v.exp() - 3 * v


def newton(x0: float, steps: int) -> list[tuple[float, float, float, float]]:
    """``(x_k, phi, phi', phi'')`` at every iterate."""
    out = []
    xk = x0
    for _ in range(steps):
        v = Value(xk)
        f = phi(v)
        (d1,) = grad(f, [v], create_graph=True)
        (d2,) = grad(d1, [v])
        out.append((xk, f.data, d1.data, d2))
        xk = xk - d1.data / d2
    return out


iterates = newton(3.0, 8)
best = math.log(3.0)
print(" k   x_k                  |x_k - ln 3|")
for k, (xk, *_) in enumerate(iterates):
    print(f"{k:2d}   {xk:<20.17g} {abs(xk - best):.3e}")

# %% [markdown]
# Near the minimum the error is squared at every step, $e_{k+1} \approx C\,e_k^2$ with
# $C = |\varphi'''(x^*) / (2\,\varphi''(x^*))| = 1/2$ here: the number of correct
# digits doubles. The ratios $e_{k+1}/e_k^2$ show it.

# %%
errors = [abs(xk - best) for xk, *_ in iterates]
ratios = [e1 / e0**2 for e0, e1 in itertools.pairwise(errors) if e1 > 1e-15]
print("e_(k+1) / e_k^2:", [round(r, 4) for r in ratios])
assert all(0.4 < r < 0.6 for r in ratios[2:])  # the last steps, close to x*
assert errors[-1] < 1e-15  # x_7 is ln 3 to the last bit

# %% [markdown]
# The picture: each grey parabola is the Taylor model at one iterate; its lowest
# point (the open circle) gives the next iterate, dotted down to the curve. Far from $x^*$ the model is a poor
# guess and the steps are short; close to it the model fits and one step nearly lands.

# %%
grid = [k / 100 for k in range(40, 331)]
fig, (top, bottom) = plt.subplots(1, 2, figsize=(10, 3.8), layout="constrained")
top.plot(grid, [math.exp(g) - 3 * g for g in grid], linewidth=2.2, label="φ(x) = e^x − 3x")
for k, (xk, f, d1, d2) in enumerate(iterates[:4]):
    near = [g for g in grid if abs(g - xk) < 1.1]
    model = [f + d1 * (g - xk) + 0.5 * d2 * (g - xk) ** 2 for g in near]
    top.plot(near, model, color="grey", linewidth=1, alpha=0.8)
    top.plot([xk], [f], "o", color="C3")
    top.annotate(f"x{k}", (xk, f), textcoords="offset points", xytext=(6, -13))
    step = xk - d1 / d2  # the model's lowest point: the next iterate
    low = f + d1 * (step - xk) + 0.5 * d2 * (step - xk) ** 2
    top.plot([step], [low], "o", markerfacecolor="white", color="grey")
    top.plot([step, step], [low, math.exp(step) - 3 * step], ":", color="grey")
top.axvline(best, color="C2", linestyle=":", label="x* = ln 3")
top.set_xlim(0.4, 3.3)
top.set_ylim(-1.3, 12.5)
top.set_xlabel("x")
top.set_title("Newton's steps and their quadratic models")
top.legend(loc="upper left")
shown = [(k, e) for k, e in enumerate(errors) if e > 0]
bottom.semilogy([k for k, _ in shown], [e for _, e in shown], "o-", color="C3")
bottom.set_xlabel("step k")
bottom.set_ylabel("|x_k − ln 3|")
bottom.set_title("the error is squared at each step")
bottom.grid(True, which="major", alpha=0.4)
plt.show()

# %% [markdown]
# ## The Hessian of a tiny network's loss
#
# A 2-2-2 network (tanh, then two logits) has 12 parameters. The Hessian of its
# softmax cross-entropy loss at one sample is a $12 \times 12$ matrix: `grad` with
# `create_graph=True` gives the 12 first derivatives as Values, and one more `grad` of
# each gives a row. `gradgradcheck` compares every entry with finite differences of
# `backward()`'s first derivatives, on the same network written out by hand.

# %%
net = MLP(2, [2, 2], ["tanh", "linear"], seed=3)
names = [
    name.replace("layers.", "L").replace(".neurons.", ".n") for name, _ in net.named_parameters()
]
params = list(net.parameters())
sample, label = [0.5, -1.0], 1
loss = softmax_cross_entropy(net(sample), label)
firsts = grad(loss, params, create_graph=True)
H = np.array([grad(d, params) for d in firsts])
print(f"loss {loss.data:.6f}; largest asymmetry |H - H^T| = {np.abs(H - H.T).max():.1e}")
assert np.allclose(H, H.T, rtol=0, atol=1e-15)


def loss_of(*w: Value) -> Value:
    """The same network written out, its 12 parameters in the network's order."""
    hidden = [linear(w[0:2], sample, w[2]).tanh(), linear(w[3:5], sample, w[5]).tanh()]
    logits = [linear(w[6:8], hidden, w[8]), linear(w[9:11], hidden, w[11])]
    return softmax_cross_entropy(logits, label)


start = [p.data for p in params]
assert hessian(loss_of, start) == H.tolist()  # the same numbers, bit for bit
report = gradgradcheck(loss_of, start)
print(
    f"gradgradcheck: {len(report.inputs)} entries, worst |analytic - numeric| = {report.max_abs_error:.1e}"
)
assert report.passed

# %% [markdown]
# The picture shows which parameters interact. In the lower right corner (the output
# layer) the two output biases carry the softmax's own curvature: $p_0 p_1$ on the
# diagonal and $-p_0 p_1$ between them, $p$ the softmax of the logits. The strongest
# entries pair a hidden neuron's parameters with the output weight that reads that
# neuron. The eigenvalues give the shape of the loss around this point: the negative
# ones say it is not a bowl, and the zero ones are directions the loss does not feel to
# second order; one is adding the same amount to both output biases, which leaves the
# softmax as it is.

# %%
logits = [o.data for o in net(sample)]
top_logit = max(logits)
p = [math.exp(z - top_logit) / sum(math.exp(z - top_logit) for z in logits) for z in logits]
assert math.isclose(H[8][8], p[0] * p[1], rel_tol=1e-12)
assert math.isclose(H[8][11], -p[0] * p[1], rel_tol=1e-12)
assert np.abs(H[:, 8] + H[:, 11]).max() < 1e-15  # both biases up by the same: no change
eigen = np.linalg.eigvalsh(H)
eigen = np.where(np.abs(eigen) < 1e-12, 0.0, eigen)
print("eigenvalues:", np.array2string(eigen, precision=4))
assert eigen.min() < 0 < eigen.max()
limit = np.abs(H).max()
fig, ax = plt.subplots(figsize=(7.4, 6.2), layout="constrained")
image = ax.imshow(H, cmap="RdBu_r", vmin=-limit, vmax=limit)
ax.set_xticks(range(len(names)), names, rotation=60, ha="right", fontsize=8)
ax.set_yticks(range(len(names)), names, fontsize=8)
ax.set_title("Hessian of the loss with respect to the 12 parameters")
fig.colorbar(image, ax=ax, shrink=0.8, label="d²L / dθ_i dθ_j")
plt.show()
