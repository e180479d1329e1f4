# Source of notebooks/02_worked_example.ipynb; rebuild with `python notebooks/build.py 02`.

# %% [markdown]
# # 02 · Article 003's worked example, one neuron at a time
#
# Article 003 (the two-part backpropagation tutorial "BP算法" of the GitHub repository
# [INTERMT/BP-Algorithm](https://github.com/INTERMT/BP-Algorithm); the copy we work from
# names no other title or author) pushes one sample through a small 2-3-2-1 network by
# hand and prints every intermediate number: the inputs $z$ and outputs $f$ of all six
# neurons, the derivatives $f'$, and the error terms $\delta$ of each layer. This
# notebook lets the engine do the same computation and tells it as the article does:
# the network drawn as layers of neurons, the forward pass, then the backward pass one
# neuron and one layer at a time with the article's numbers, then the same pass one
# node of the graph at a time. The article's printing slips (not every printed number
# comes from one network) are taken apart in the last section.
#
# Every comparison below is an `assert`. Unless a cell says otherwise, a printed
# number counts as reproduced when $|\text{engine} - \text{article}| \le 10^{-15}$
# (`nn.worked_example.TOLERANCE`): the article prints 15 decimals of a float64
# computation, and a sum taken in another order can move the last bit (one unit in
# the last place is $8.9 \cdot 10^{-16}$ near 6, where $z_4$ and $z_6$ lie).

# %%
from IPython.display import SVG, display

from autograd import nodes_of
from autograd.stepper import backward_steps, forward_steps
from autograd.viz import draw_dot
from nn import worked_example as we
from viewers.netsteps import layer_steps, neuron_steps
from viewers.network import draw_network

TOL = we.TOLERANCE
printed = we.printed_values()  # the article's numbers, by name: "z5", "delta2[1]", ...


def close(engine: float, article: float, tol: float = TOL) -> bool:
    return abs(engine - article) <= tol


# %% [markdown]
# ## The network
#
# Layer $k$ computes $z^{(k)} = W^{(k)} f^{(k-1)} + b^{(k)}$ and
# $f^{(k)} = f\bigl(z^{(k)}\bigr)$ with the logistic function
# $f(z) = 1/(1 + e^{-z})$ on every layer, the output included; $f^{(0)} = x$.
# Row $j$ of $W^{(k)}$ holds the weights into neuron $j$ of layer $k$. The sample is
# $x = (1, 2)$ with label $y = 1$, and the loss is
# $L(y, \hat y) = \tfrac12 (y - \hat y)^2$ with $\hat y = f_6$. The neurons are
# numbered across the layers as in the article: 1–3 in the first hidden layer, 4–5
# in the second, 6 at the output. The parameters as the article prints them:
#
# $$W^{(1)} = \begin{pmatrix} 2 & 1 \\ 1 & 3 \\ 3 & 2 \end{pmatrix},\;
#   b^{(1)} = \begin{pmatrix} 1 \\ 2 \\ 3 \end{pmatrix},\qquad
#   W^{(2)} = \begin{pmatrix} 1 & 1 & 2 \\ 3 & \mathbf{2} & 2 \end{pmatrix},\;
#   b^{(2)} = \begin{pmatrix} 2 \\ 1 \end{pmatrix},\qquad
#   W^{(3)} = \begin{pmatrix} 1 & 3 \end{pmatrix},\; b^{(3)} = (2).$$
#
# The bold entry $W^{(2)}_{22}$, the weight from neuron 2 into neuron 5, is printed
# as 2, but the article's own value of $z_5$ needs a 3 there. We walk through the
# version with 3 (reading **B**, `we.network("forward")`), which reproduces the whole
# printed forward pass; the last section shows where the article used the 2.
#
# `we.article_graph` runs the forward pass and names every Value as the article
# does: `W2[2][1]` is $W^{(2)}_{21}$, `b1[3]` is $b^{(1)}_3$, and `z1`…`z6`,
# `f1`…`f6` and `L` are the neurons' nodes and the loss.

# %%
params = we.printed()["parameters_as_printed"]
for name in ("W1", "b1", "W2", "b2", "W3", "b3"):
    print(f"{name} = {params[name]}")
graph = we.network("forward")
print("reading B: W2 =", [[w.data for w in n.w] for n in graph.layers[1].neurons])

example = we.article_graph("forward")
L = example.loss
print(f"L = {L.data!r}, {len(nodes_of(L))} Values in the graph")
assert params["W2"][1][1] == 2 and example.net.layers[1].neurons[1].w[1].data == 3

# %% [markdown]
# ## The network as the article draws it
#
# `viewers.network.draw_network` draws the network in columns, one per layer, with
# neuron 1 at the top: in each neuron its $z$ and its output $f$ (named as in the
# article), its bias on the left, one line per weight (width: size, blue: positive,
# red: negative). The error terms $\delta$ are still blank: no backward pass has run.
# Hover over a neuron or a line for its exact numbers.

# %%
draw_network(example.net, loss=L)

# %% [markdown]
# ## The forward pass, step by step
#
# `forward_steps(L)` replays the forward pass one operation at a time: a neuron's
# weighted sum $z = \sum_i w_i x_i + b$ is one node (`linear`), its output
# $f(z)$ another, and the loss a last one. Each line gives the node in the graph's
# names, then with the numbers put in (10 significant digits here):

# %%
forward = list(forward_steps(L))
for step in forward:
    print(step.describe(digits=10))

for k in range(6):
    assert close(example.z[k].data, printed[f"z{k + 1}"]), f"z{k + 1}"
    assert close(example.f[k].data, printed[f"f{k + 1}"]), f"f{k + 1}"
# The article prints y - y_hat, not L: L = 1/2 (y - y_hat)^2. The printed difference
# carries at most 5e-16 of rounding, which moves L by at most 2 * 2e-13 of itself.
half_square = 0.5 * printed["error_y_minus_yhat"] ** 2
assert abs(L.data - half_square) <= 1e-12 * half_square

# %% [markdown]
# All twelve printed values $z_1 \dots z_6$, $f_1 \dots f_6$ agree with the engine
# to $10^{-15}$. Here is the step that computes $z_5$, the number at the heart of the
# discrepancy: the node being computed is yellow, the Values it reads are blue, and
# values not computed yet are left blank.

# %%
z5_step = next(s for s in forward if s.node is example.z[4])
print(z5_step.describe(digits=10))
z5_step.draw()

# %% [markdown]
# ## The backward pass, one neuron at a time
#
# The article computes the error terms layer by layer, output first. For one neuron
# $j$ this is the *delta rule*: the output neuron's
# $\delta_6 = f'(z_6)\,\partial L/\partial f_6$, and for a hidden neuron
# $\delta_j = f'(z_j) \sum_k w_{kj}\,\delta_k$, the sum running over the neurons $k$
# of the next layer. `neuron_steps` performs `L.backward()` one neuron at a time (in
# the engine's own order and arithmetic) and writes each rule with its numbers:

# %%
story = we.article_graph("forward")
by_neuron = list(neuron_steps(story.net, story.loss))
for step in by_neuron:
    print(step.describe())
# the deltas are the article's delta3, delta2 and (two of three) delta1, to 1e-15
assert close(story.z[5].grad, printed["delta3[1]"])
assert close(story.z[4].grad, printed["delta2[2]"]) and close(story.z[3].grad, printed["delta2[1]"])

# %% [markdown]
# Each step is also a picture: the neuron being worked on is yellow, the neurons
# whose $\delta$ it reads are blue, the weights it reads are bold, and the deltas not
# known yet are blank. Here is the step at neuron 5:

# %%
display(SVG(by_neuron[1].to_svg()))

# %% [markdown]
# The same pass one layer at a time is BP1 and BP2 in matrix form
# ($\odot$ is the element-wise product), with the numbers:

# %%
story_layers = we.article_graph("forward")
for step in layer_steps(story_layers.net, story_layers.loss):
    print(step.describe(), end="\n\n")
assert [z.grad for z in story_layers.z] == [z.grad for z in story.z]  # the same bits

# %% [markdown]
# After the pass every neuron shows its $\delta$:

# %%
draw_network(story.net, loss=story.loss)

# %% [markdown]
# ## The backward pass, one node of the graph at a time
#
# Article 003 calls $\delta^{(k)} = \partial L / \partial z^{(k)}$ the error term of
# layer $k$ and works with
#
# $$\delta^{(3)} = -(y - \hat y)\, f'\bigl(z^{(3)}\bigr), \qquad
#   \delta^{(k)} = f'\bigl(z^{(k)}\bigr) \odot \bigl(W^{(k+1)}\bigr)^{T} \delta^{(k+1)}, \qquad
#   \frac{\partial L}{\partial W^{(k)}} = \delta^{(k)} \bigl(f^{(k-1)}\bigr)^{T}, \qquad
#   \frac{\partial L}{\partial b^{(k)}} = \delta^{(k)},$$
#
# with $f'(z) = f(z)\,(1 - f(z))$ for the logistic function. The engine knows none of
# these formulas. It visits the nodes from the loss backwards, in the order
# `autograd.graph_order(L)` gives (a node comes only after every node that uses it),
# and at each node multiplies the gradient $g$ that has arrived there by the local
# derivative of the node's operation with respect to each argument, adding the
# product to that argument's gradient. So $\delta$ of a neuron is simply `z.grad`
# after the pass.
#
# `backward_steps(L)` performs exactly this pass, stopping after each node. A step
# prints the node and $g = \partial L / \partial\,\text{node}$, then one line per
# argument: the rule from the op table (in the op's own argument names: for a
# weighted sum `w_i` are the weights, `x_i` the inputs, `b` the bias), the numbers
# put in, and the contribution $g \cdot \text{local derivative}$.

# %%
steps = list(backward_steps(L))
for step in steps:
    print(step.describe(digits=6))
    print()

# %% [markdown]
# Read against the article's equations:
#
# * **step 1**, the loss: $\partial L/\partial \hat y = \hat y - y$, the printed
#   $y - \hat y$ with the opposite sign;
# * **step 2**, $f_6 = f(z_6)$: the contribution to $z_6$ is
#   $(\hat y - y)\, f'(z_6) = \delta^{(3)}$, with
#   $f'(z_6) = f_6 (1 - f_6)$ filled in from the node's own output;
# * **step 3**, $z_6 = W^{(3)} f^{(2)} + b^{(3)}$: the weights receive
#   $\delta^{(3)} f_4$ and $\delta^{(3)} f_5$ (that is
#   $\delta^{(3)} (f^{(2)})^T$), the bias receives $\delta^{(3)}$, and $f_4$, $f_5$
#   receive $W^{(3)}_{11} \delta^{(3)}$ and $W^{(3)}_{12} \delta^{(3)}$, the two
#   entries of $(W^{(3)})^T \delta^{(3)}$;
# * the steps at $f_5$ and $f_4$ multiply by $f'(z_5)$ and $f'(z_4)$ — the Hadamard
#   product with $f'(z^{(2)})$ — giving $\delta^{(2)}$;
# * the steps at $z_5$ and $z_4$ each send one contribution to every one of $f_1$,
#   $f_2$, $f_3$; their sum is $(W^{(2)})^T \delta^{(2)}$, and only after both steps
#   is a first-layer output's gradient complete. The last six steps give
#   $\delta^{(1)}$ and the first layer's parameter gradients.

# %%
numbers = {  # all read off the graph after the pass
    "error_y_minus_yhat": -example.f[5].grad,  # dL/dy_hat = y_hat - y
    "delta3[1]": example.z[5].grad,
    "W3T_delta3[1]": example.f[3].grad,
    "W3T_delta3[2]": example.f[4].grad,
    "delta2[1]": example.z[3].grad,
    "delta2[2]": example.z[4].grad,
    "delta1[1]": example.z[0].grad,
    "delta1[2]": example.z[1].grad,
    "delta1[3]": example.z[2].grad,
}
for name, value in numbers.items():
    mark = "reproduced" if close(value, printed[name]) else "DIFFERS"
    shown = name.replace("error_y_minus_yhat", "y - y_hat")
    print(f"{shown:14} article {printed[name]: .15f}  engine {value: .15f}  {mark}")
assert [n for n, v in numbers.items() if not close(v, printed[n])] == ["delta1[2]"]

# the step-through performs backward() itself: a fresh graph, one call, the same bits
fresh = we.article_graph("forward").loss
fresh.backward()
assert [v.grad for v in nodes_of(fresh)] == [v.grad for v in nodes_of(L)]

# %% [markdown]
# Every printed error term but one is reproduced: $\delta^{(1)}_2$ comes out as
# $-2.737 \cdot 10^{-12}$ where the article prints $-2.451 \cdot 10^{-12}$. The last
# section explains why.
#
# ## The whole graph
#
# After the pass, each box shows a Value's name, its `data` and its `grad` (4
# significant digits): `grad` of `z1`…`z6` is $\delta$, `grad` of a weight is
# $\partial L/\partial w$. Each layer's neurons are grouped in a column, neuron 1 at
# the top; the inputs $x = (1, 2)$, plain numbers rather than Values, are drawn once
# each with an arrow to every weighted sum that reads them, and the small grey box is
# the label $y = 1$. `make demo` writes this same drawing to `out/worked_example.svg`.

# %%
draw_dot(L)

# %% [markdown]
# Two steps drawn on their own. In step 3 the output neuron's weighted sum passes
# $\delta^{(3)}$ on (the node is yellow, the Values that receive are blue; gradients
# that are not complete yet are blank):

# %%
z6_step = next(s for s in steps if s.node is example.z[5])
assert z6_step.index == 2 and close(z6_step.grad, printed["delta3[1]"])
z6_step.draw()

# %% [markdown]
# and at $z_4$, the last node of the second layer, the first layer's outputs
# receive their second contribution, which completes
# $\partial L/\partial f_1$, $\partial L/\partial f_2$ and $\partial L/\partial f_3$:

# %%
z4_step = next(s for s in steps if s.node is example.z[3])
first_layer_outputs = set(example.f[:3])
assert first_layer_outputs <= set(z4_step.grads)  # finished at this step...
before = steps[z4_step.index - 1]
assert not first_layer_outputs & set(before.grads)  # ...and not one step earlier
z4_step.draw()

# %% [markdown]
# In a live notebook, `step_slider(steps)` from `autograd.stepper` shows every step
# with a slider.
#
# ## At the end: the article's printing slips
#
# ### Article versus engine
#
# Every number the article prints, beside what the engine computes for two readings
# of the parameters: **A** uses $W^{(2)}$ exactly as printed ($W^{(2)}_{22} = 2$),
# **B** uses $W^{(2)}_{22} = 3$. The last column, for $\delta^{(1)}$ only, is
# explained in the next section. ✓ means equal to within $10^{-15}$.

# %%
rows = we.comparison_rows()
print(we.format_comparison(rows))

# %%
a_matches = [r.name for r in rows if we.matches(r.network_a, r.printed)]
b_misses = [r.name for r in rows if not we.matches(r.network_b, r.printed)]
mixed = [r for r in rows if r.article_reading is not None]
assert a_matches == [
    "z1", "f1", "z2", "f2", "z3", "f3", "z4", "f4", "f4_prime", "f1_prime", "f2_prime"
]  # fmt: skip
assert b_misses == ["f3_prime", "delta1[2]"]
assert [r.name for r in mixed] == ["delta1[1]", "delta1[2]", "delta1[3]"]
assert all(we.matches(r.article_reading, r.printed) for r in mixed if r.article_reading)
print(f"A reproduces {len(a_matches)} of {len(rows)} printed numbers, B {len(rows) - 2}")

# %% [markdown]
# ### Where the printed numbers disagree
#
# **Reading A: the parameters as printed.** With $W^{(2)}_{22} = 2$ the network
# reproduces everything up to $f_4$ and nothing that depends on $z_5$:
#
# $$z_5 = W^{(2)}_{21} f_1 + W^{(2)}_{22} f_2 + W^{(2)}_{23} f_3 + b^{(2)}_2,$$
#
# so changing $W^{(2)}_{22}$ from 3 to 2 lowers $z_5$ by exactly $f_2 \approx 0.99988$.
# The article's own expanded sum for $z_5$ is $3 f_1 + 3 f_2 + 2 f_3 + 1$: its forward
# pass used 3.

# %%
z5_a = we.engine_numbers(we.network("printed")).values["z5"]
z5_b = example.z[4].data
print(
    f"z5 with W2[2][2] = 3: {z5_b!r}\nz5 with W2[2][2] = 2: {z5_a!r}\ndifference: {z5_b - z5_a!r}"
)
print("the article's expansion:", we.printed()["forward_as_printed"]["z5_expression_as_printed"])
# The two sums differ only in the term W2[2][2] * f2; rounding the sums of numbers
# near 9 moves the difference by a few units of 1.8e-15 at most: 1e-14 covers it.
assert abs((z5_b - z5_a) - example.f[1].data) <= 1e-14
assert close(z5_b, printed["z5"]) and not close(z5_a, printed["z5"])

# %% [markdown]
# **Reading B: $W^{(2)}_{22} = 3$.** Now the whole forward pass matches, and so do
# $\delta^{(3)}$, $(W^{(3)})^T\delta^{(3)}$ and $\delta^{(2)}$. Of $\delta^{(1)}$, the
# first and third entries match and the second does not. BP2 for the first layer
# reads, entry by entry,
#
# $$\delta^{(1)}_j = f'(z_j) \sum_{k=1}^{2} W^{(2)}_{kj}\, \delta^{(2)}_k ,$$
#
# so $\delta^{(1)}_j$ uses column $j$ of $W^{(2)}$, and only $\delta^{(1)}_2$ uses
# the disputed $W^{(2)}_{22}$. Redo BP2 with B's $\delta^{(2)}$ and $f'$ but the
# printed matrix (the function `we.article_delta1`, written with the reference
# matrix operations of `nn.reference`, not with the engine) and all three printed
# entries come out, the second included. The article computed its forward pass with
# $W^{(2)}_{22} = 3$ and its backward pass through $W^{(2)}$ with the printed 2.
#
# In the step-through the difference is one single contribution: the one that the
# step at $z_5$ sends to $f_2$, which is $W^{(2)}_{22}\,\delta^{(2)}_2$.

# %%
b_numbers = we.engine_numbers(we.network("forward"))
article_reading = we.article_delta1(b_numbers)
print("delta1, engine (B):         ", [f"{z.grad:.15f}" for z in example.z[:3]])
print("delta1, BP2 with printed W2:", [f"{d:.15f}" for d in article_reading])
print("delta1, as printed:         ", [f"{printed[f'delta1[{j}]']:.15f}" for j in (1, 2, 3)])

z5_sends = next(s for s in steps if s.node is example.z[4])
to_f2 = next(c for c in z5_sends.contributions if c.target is example.f[1])
print(f"\nstep {z5_sends.index + 1}, {z5_sends.formula()}, sends {to_f2.describe(6)}")

f2_prime, delta2_2 = b_numbers.fprime1[1], b_numbers.delta2[1]
# With 3 instead of 2 the sum in BP2 gains one more delta2[2], times f'(z2). Both sides
# are a few roundings away from each other on numbers near 3e-12, whose last place is
# 4e-28: 1e-26 allows for 25 of those.
assert abs((example.z[1].grad - article_reading[1]) - delta2_2 * f2_prime) <= 1e-26
assert to_f2.local == 3.0 and to_f2.contribution == 3.0 * delta2_2
for j in range(3):
    assert close(article_reading[j], printed[f"delta1[{j + 1}]"])
assert close(example.z[0].grad, printed["delta1[1]"]) and close(
    example.z[2].grad, printed["delta1[3]"]
)
assert not close(example.z[1].grad, printed["delta1[2]"])

# %% [markdown]
# **One more slip: $f'_3$.** The article prints $f'(z_3) = 0.000045395807355$, but
# $f_3 (1 - f_3)$ with its own printed $f_3$ is $0.0000453958077355$, and the engine's
# local derivative of the sigmoid node (from the unrounded $f_3$) agrees with that
# to $10^{-15}$: the printed value is off by about $3.8 \cdot 10^{-13}$. The slip changes
# no other printed number: the only one computed from $f'(z_3)$ is
# $\delta^{(1)}_3$, printed to four significant digits, which come out the same
# either way.

# %%
f3 = printed["f3"]
from_printed_f3 = f3 * (1.0 - f3)
engine_f3_prime = b_numbers.values["f3_prime"]
print(f"printed f3'      {printed['f3_prime']:.17f}")
print(f"f3 (1 - f3)      {from_printed_f3:.17f}")
print(f"engine's f'(z3)  {engine_f3_prime:.17f}")
assert close(engine_f3_prime, from_printed_f3)
assert abs(printed["f3_prime"] - from_printed_f3) > 3e-13  # far beyond any rounding
# delta1[3] computed with the printed f3' instead, to 4 significant digits as printed
with_slip = article_reading[2] / engine_f3_prime * printed["f3_prime"]
assert f"{with_slip:.3e}" == f"{article_reading[2]:.3e}" == f"{printed['delta1[3]']:.3e}"
