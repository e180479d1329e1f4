# Source of notebooks/01_value_and_chain_rule.ipynb; rebuild with `python notebooks/build.py`.

# %% [markdown]
# # 01 · A Value and the chain rule
#
# This notebook follows one small expression through deltagrad's engine: how it is
# recorded, what its graph looks like, how the chain rule turns into `backward()`,
# what happens when a value is used twice, and how `gradcheck` confirms every
# gradient with finite differences. Every number printed here is also checked by an
# `assert`, so if the engine changes its answers this notebook stops with an error.

# %%
import math

from autograd import GradcheckError, Value, gradcheck
from autograd.stepper import backward_steps, forward_steps
from autograd.table import node_table
from autograd.viz import draw_dot

# %% [markdown]
# ## A Value
#
# A `Value` holds one number (`data`), the derivative of some final result with
# respect to it (`grad`, zero until a backward pass fills it) and, when an
# operation made it, that operation and its arguments. A Value made by hand is a
# *leaf*: it has no operation.

# %%
a = Value(0.5, "a")
print(a, a.is_leaf, repr(a.op))
assert (a.data, a.grad, a.op, a.is_leaf) == (0.5, 0.0, "", True)

# %% [markdown]
# ## An expression
#
# Arithmetic on Values computes the result at once *and* records how it was made.
# We build
#
# $$L = \tanh(a\,b + c), \qquad a = 0.5,\; b = -1.5,\; c = 1,$$
#
# naming the intermediate results $e = a\,b$ and $d = e + c$, so that $L = \tanh(d)$.

# %%
b, c = Value(-1.5, "b"), Value(1.0, "c")
e = a * b
e.label = "e"
d = e + c
d.label = "d"
L = d.tanh()
L.label = "L"
print(node_table(L))
assert (e.data, d.data) == (-0.75, 0.25)
assert L.data == math.tanh(0.25)
assert L.parents == (d,) and d.parents == (e, c) and e.parents == (a, b)

# %% [markdown]
# The forward pass can be replayed one node at a time, in the order the nodes were
# made. Each line shows the node, its formula in the graph's names, and the same
# formula with the numbers put in:

# %%
for step in forward_steps(L):
    print(step.describe())

# %% [markdown]
# ## Its graph
#
# `draw_dot` draws everything `L` depends on: a box per Value (name, data, grad)
# and a small circle per operation, with one arrow per argument. No backward pass
# has run yet, so every `grad` is still 0.

# %%
draw_dot(L)

# %% [markdown]
# ## The chain rule by hand
#
# $L$ depends on $a$ only through $e$ and $d$, so its derivative with respect to
# $a$ is a product of *local* derivatives, one per step of the path:
#
# $$\frac{\partial L}{\partial a}
#   = \frac{\partial L}{\partial d} \cdot \frac{\partial d}{\partial e}
#     \cdot \frac{\partial e}{\partial a}
#   = \bigl(1 - \tanh^2 d\bigr) \cdot 1 \cdot b .$$
#
# Each factor involves only one operation and the numbers next to it:
# $\partial \tanh(d)/\partial d = 1 - \tanh^2(d) = 1 - L^2$, $\partial(e + c)/\partial e = 1$
# and $\partial(a\,b)/\partial a = b$. In the same way
# $\partial L/\partial b = (1 - L^2)\,a$ and $\partial L/\partial c = (1 - L^2)\cdot 1$.
# With plain floats:

# %%
dL_dd = 1.0 - L.data * L.data  # d tanh(d)/dd = 1 - tanh(d)**2 = 1 - L**2
by_hand = {"a": dL_dd * 1.0 * b.data, "b": dL_dd * 1.0 * a.data, "c": dL_dd * 1.0}
by_hand

# %% [markdown]
# `backward()` computes the same products, starting from $\partial L/\partial L = 1$
# and walking the graph from the result back to the leaves:

# %%
L.backward()
print(node_table(L))
# The engine multiplies the very same floats in the very same order as the cell
# above (1 * (1 - L*L), then * 1, then * b), so the results agree to the last bit.
assert (a.grad, b.grad, c.grad) == (by_hand["a"], by_hand["b"], by_hand["c"])
assert round(a.grad, 6) == -1.410022 and round(b.grad, 6) == 0.470007

# %% [markdown]
# ## The backward pass, one node at a time
#
# `backward_steps` performs the same pass but stops after each node. A step shows
# the node, the gradient $g = \partial L/\partial\,\text{node}$ that has arrived at
# it, and for each argument the local derivative rule from the op table, the
# numbers put into it, and the contribution $g \cdot$ (local derivative) that is
# added to the argument's gradient. The rules are written in the operation's own
# argument names: in `d(a * b)/da = b` the `a` and `b` are the two factors of `*`,
# here the graph's `a` and `b`; in `d(a + b)/da = 1` they stand for `e` and `c`.

# %%
for g in (a, b, c):
    g.grad = 0.0  # leaves accumulate (see below): start this pass from zero
steps = list(backward_steps(L))
for step in steps:
    print(step.describe())
assert [s.node for s in steps] == [L, d, e]
assert (a.grad, b.grad, c.grad) == (by_hand["a"], by_hand["b"], by_hand["c"])

# %% [markdown]
# Each step can be drawn: the node being processed is yellow, the arguments it
# sends to are blue, and gradients that are not complete yet are left blank. Here
# is the second step, where $d = e + c$ passes its gradient on to $e$ and $c$
# ($a$ and $b$ are still waiting for $e$):

# %%
print(steps[1].describe())
steps[1].draw()

# %% [markdown]
# In a live notebook, `step_slider(steps)` from `autograd.stepper` shows the same
# pictures with a slider to move through the steps.
#
# ## Reuse: a Value used twice receives both contributions
#
# In $y = x\cdot x + x$ the leaf $x$ is used three times. The chain rule adds up
# what arrives along every path: $\partial y/\partial x = x + x + 1 = 2x + 1$.
# The graph shows the two arrows from `x` into `*` (one per argument) and a third
# into `+`.

# %%
x = Value(3.0, "x")
y = x * x + x
y.label = "y"
y.backward()
assert x.grad == 2 * 3.0 + 1 == 7.0
draw_dot(y)

# %% [markdown]
# Stepping through $x \cdot x$ alone shows the two contributions, one per argument
# of `*`, both sent to the same `x`:

# %%
x2 = Value(3.0, "x")
(square_step,) = backward_steps(x2 * x2)
print(square_step.describe())
assert [t.target for t in square_step.contributions] == [x2, x2] and x2.grad == 6.0

# %% [markdown]
# ## Accumulation across passes
#
# A leaf's gradient is *added to* by every backward pass, as in PyTorch: calling
# `backward()` twice doubles it. That is what lets gradients from several samples
# be summed, and it is why training zeroes the gradients before each pass.
# Intermediate nodes, on the other hand, are reset at the start of each pass.

# %%
y.backward()
assert x.grad == 14.0  # 7 from the first pass + 7 from this one
x.grad = 0.0
y.backward()
assert x.grad == 7.0
print(x)

# %% [markdown]
# ## Checking with finite differences
#
# `gradcheck(f, inputs)` compares `backward()` with the central difference
# $\bigl(f(x + h) - f(x - h)\bigr) / 2h$ for each input, and passes an input when
# $|\text{analytic} - \text{numeric}| \le \text{atol} + \text{rtol}\,|\text{numeric}|$
# (defaults $10^{-5}$ and $10^{-3}$).

# %%
report = gradcheck(lambda a, b, c: (a * b + c).tanh(), [0.5, -1.5, 1.0])
print(report)
assert report.passed and report.max_abs_error < 1e-8

# %% [markdown]
# It also catches a derivative that differs from the function's slope. `relu` has
# no derivative at exactly 0: the engine uses 0 there (a convention), while the
# central difference straddles the kink and measures $(h - 0)/2h = 0.5$. The check
# refuses that point:

# %%
caught = None
try:
    gradcheck(lambda x: x.relu(), [0.0])
except GradcheckError as err:
    print(err)
    caught = err
assert caught is not None and not caught.report.passed
assert caught.report.inputs[0].analytic == 0.0
assert abs(caught.report.inputs[0].numeric - 0.5) < 1e-9  # (h - 0) / 2h, up to rounding of h
