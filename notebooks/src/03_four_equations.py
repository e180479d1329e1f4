# Source of notebooks/03_four_equations.ipynb; rebuild with `python notebooks/build.py 03`.

# %% [markdown]
# # 03 · The four equations of backpropagation, and the delta rule
#
# Article 004 derives backpropagation as four equations on vectors and matrices
# (Nielsen's BP1–BP4); article 001 derives it unit by unit as the *generalised delta
# rule*. Both are closed-form recipes for one kind of network. The engine uses
# neither: it only knows the local derivative of each operation and applies the chain
# rule node by node. This notebook computes one small network's gradients in all
# three ways and checks, number by number, that they agree. Along the way it sorts
# out the one real difference between the articles: the sign of $\delta$.
#
# The articles: **004** is a set of notes on the four equations (its source names no
# title, author or address; its figures come from a CSDN blog,
# img-blog.csdn.net); **001** is "Backpropagation for Dummies", published in Analytics
# Vidhya on Medium, <https://medium.com/analytics-vidhya/backpropagation-for-dummies-e069410fa585>
# (the copy we work from does not name its author).
#
# The equations are computed by `nn.reference`, which works on plain Python lists
# and never touches the engine.

# %%
from autograd.compile import compile_step
from autograd.stepper import backward_steps
from nn import MLP, SGD, half_squared_error
from nn import reference as ref
from nn.worked_example import LEARNING_RATE, X, Y, network

# %% [markdown]
# ## Notation (article 004)
#
# Layer $l$ has weights $w^l$ (entry $w^l_{jk}$ connects neuron $k$ of layer $l-1$ to
# neuron $j$ of layer $l$) and biases $b^l$. It computes
#
# $$z^l = w^l a^{l-1} + b^l, \qquad a^l = \sigma(z^l), \qquad a^0 = x,$$
#
# and for one sample the cost is $C = \tfrac12 \lVert y - a^L \rVert^2$. The error of
# neuron $j$ in layer $l$ is $\delta^l_j = \partial C / \partial z^l_j$, and the four
# equations are
#
# | | equation | in words |
# |---|---|---|
# | BP1 | $\delta^L = \nabla_a C \odot \sigma'(z^L)$, with $\nabla_a C = a^L - y$ | the output layer's error |
# | BP2 | $\delta^l = \bigl((w^{l+1})^T \delta^{l+1}\bigr) \odot \sigma'(z^l)$ | each error from the layer above |
# | BP3 | $\partial C / \partial b^l_j = \delta^l_j$ | the bias gradient |
# | BP4 | $\partial C / \partial w^l_{jk} = a^{l-1}_k\, \delta^l_j$, i.e. $\partial C/\partial w^l = \delta^l (a^{l-1})^T$ | the weight gradient |
#
# ($\odot$ is the element-wise product.) The numbering is Nielsen's; article 004
# states the weight equation third and the bias equation fourth.
#
# ## A small network
#
# Two inputs, two hidden layers of three sigmoid neurons, two sigmoid outputs, so
# that BP2 is used twice. The weights are drawn from a seeded generator; one sample
# $x$, $y$.

# %%
net = MLP(2, [3, 3, 2], "sigmoid", "sigmoid", seed=7)
x, y = [0.8, -0.4], [1.0, 0.0]
W = [layer.weights_and_biases()[0] for layer in net.layers]
b = [layer.weights_and_biases()[1] for layer in net.layers]
acts = ["sigmoid"] * 3
for n_layer, (w_l, b_l) in enumerate(zip(W, b), start=1):
    print(f"w^{n_layer} = {[[round(v, 4) for v in row] for row in w_l]}")
    print(f"b^{n_layer} = {[round(v, 4) for v in b_l]}")

# %% [markdown]
# The engine's side: one forward pass, the cost, one backward pass. After it,
# each neuron's `z.grad` is $\partial C/\partial z$ and each parameter's `grad` is
# $\partial C / \partial w$ or $\partial C / \partial b$. The Values are named in
# the article's notation, written flat: `z3_2` is $z^3_2$, `a2_1` is $a^2_1$ and
# `w3_21` is $w^3_{21}$.

# %%
out = net(x)
C = half_squared_error(out, y)
C.label = "C"
layers = [layer.neurons for layer in net.layers]
for n_layer, neurons in enumerate(layers, start=1):
    for j, n in enumerate(neurons, start=1):
        n.z.label, n.out.label, n.b.label = f"z{n_layer}_{j}", f"a{n_layer}_{j}", f"b{n_layer}_{j}"
        for k, w in enumerate(n.w, start=1):
            w.label = f"w{n_layer}_{j}{k}"
net.zero_grad()
C.backward()
print(f"a^L = {[a.data for a in out]}, C = {C.data!r}")

# %% [markdown]
# The equations' side: `ref.backprop` runs the forward pass and BP1–BP4 on lists.
#
# **How close is "equal"?** Both sides multiply and add the same float64 numbers,
# but not always in the same order (the engine adds the contributions to a hidden
# neuron's gradient in the order its backward pass visits the layer above; the matrix
# product sums over $k$ from the first row). Each reordering moves a result by at most a few
# units in its last place. All numbers here are below 2 in size, where the last place
# is at most $2.2 \cdot 10^{-16}$, so we call two results equal when they differ by at
# most $10^{-15}$. A wrong equation — a missing $\sigma'$, a transpose the wrong way,
# a sign — is off by far more than that.

# %%
TOL = 1e-15


def agree(engine: float, reference: float) -> bool:
    return abs(engine - reference) <= TOL


grads = ref.backprop(W, b, x, y, acts)
print("layer  neuron  z (engine)           delta = z.grad          delta (BP1/BP2)")
worst = 0.0
for n_layer, (neurons, deltas, zs) in enumerate(zip(layers, grads.deltas, grads.zs), start=1):
    for j, (n, d, z) in enumerate(zip(neurons, deltas, zs), start=1):
        print(f"{n_layer:5}  {j:6}  {n.z.data: .15f}  {n.z.grad: .15e}  {d: .15e}")
        assert agree(n.z.data, z) and agree(n.z.grad, d)
        worst = max(worst, abs(n.z.grad - d))
print(f"\nlargest |engine - reference| over all deltas: {worst:.1e}")

# %% [markdown]
# ## The equations one at a time, on the engine's own numbers
#
# **BP1.** The engine's gradient at an output $a^L_j$ is the local derivative of the
# cost node, $\hat y_j - y_j$: that is $\nabla_a C = a^L - y$, bit for bit. The
# sigmoid node then multiplies by $\sigma'(z^L_j) = a^L_j (1 - a^L_j)$, which is the
# Hadamard product of BP1.

# %%
output = layers[-1]
grad_a = [n.out.data - t for n, t in zip(output, y)]
assert [n.out.grad for n in output] == grad_a  # exactly a^L - y
sigma_prime_L = [ref.sigma_prime("sigmoid", n.z.data) for n in output]
bp1 = ref.hadamard(ref.column(grad_a), ref.column(sigma_prime_L))
for n, (d,) in zip(output, bp1):
    print(f"delta^L_j: BP1 {d: .15e}   engine {n.z.grad: .15e}")
    assert agree(n.z.grad, d)

# %% [markdown]
# **BP2.** Take layer $l+1$'s errors as the engine found them, multiply by the
# transposed weight matrix, and the result is the gradient that arrived at layer
# $l$'s outputs, `a.grad`. The Hadamard product with $\sigma'(z^l)$ then gives
# $\delta^l$.

# %%
for n_layer in (2, 1):  # the hidden layers, from the top down
    above, here = layers[n_layer], layers[n_layer - 1]  # list index n_layer is layer n_layer + 1
    delta_above = ref.column([n.z.grad for n in above])
    back = ref.matmul(ref.transpose(W[n_layer]), delta_above)  # (w^{l+1})^T delta^{l+1}
    sigma_prime = ref.column([ref.sigma_prime("sigmoid", n.z.data) for n in here])
    bp2 = ref.hadamard(back, sigma_prime)
    for j, n in enumerate(here):
        assert agree(n.out.grad, back[j][0])
        assert agree(n.z.grad, bp2[j][0])
    head, tail = f"(w^{n_layer + 1})^T delta^{n_layer + 1}", f"delta^{n_layer}"
    print(f"layer {n_layer}: {head:>18} = {[f'{r[0]:.6e}' for r in back]}")
    print(f"{'':9}{tail:>18} = {[f'{r[0]:.6e}' for r in bp2]}")

# %% [markdown]
# Where does the matrix product happen in the engine? Nowhere as such. Each neuron
# $k$ of layer $l+1$ has a weighted-sum node, and its backward step sends
# $w^{l+1}_{kj}\,\delta^{l+1}_k$ to each input $a^l_j$; the sum over $k$ in
# $(w^{l+1})^T \delta^{l+1}$ is the accumulation of those contributions. Here are
# the ones that reach $a^2_1$, the first neuron of the second hidden layer, and the
# sigmoid step after them:

# %%
target = layers[1][0]
arrived = []
for step in backward_steps(C):
    for c in step.contributions:
        if c.target is target.out:
            arrived.append(c.contribution)
            print(f"step {step.index + 1}: {step.formula()}\n    {c.describe(6)}")
    if step.node is target.out:
        print(f"step {step.index + 1}: {step.formula()}\n    {step.contributions[0].describe(6)}")
assert len(arrived) == len(layers[2])  # one contribution from each neuron above
assert agree(sum(arrived), target.out.grad)

# %% [markdown]
# (`backward_steps` replays the backward pass: it sets every gradient to its value
# in that pass, so nothing has doubled. Zeroing the gradients and running
# `backward()` once more below, as a training step does, gives the same numbers.)
#
# **BP3 and BP4.** The bias enters $z$ with the local derivative 1 and the weight
# $w^l_{jk}$ with the local derivative $a^{l-1}_k$. So the engine's bias gradient is
# $\delta^l_j$ itself and its weight gradient is $a^{l-1}_k \delta^l_j$: the same
# floating-point product, hence equal bit for bit to the products formed from the
# engine's own $\delta$. Against the reference's BP3 and BP4 they agree to the
# tolerance.

# %%
net.zero_grad()
C.backward()
inputs = [x] + [[n.out.data for n in neurons] for neurons in layers[:-1]]  # a^{l-1}
for neurons, a_prev, gw, gb in zip(layers, inputs, grads.weights, grads.biases):
    for j, n in enumerate(neurons):
        assert n.b.grad == n.z.grad and agree(n.b.grad, gb[j])  # BP3
        for k, w in enumerate(n.w):
            assert w.grad == n.z.grad * a_prev[k] and agree(w.grad, gw[j][k])  # BP4
print("dC/dw^3 (engine):", [[f"{w.grad:.6e}" for w in n.w] for n in layers[2]])
print("dC/dw^3 (BP4):   ", [[f"{v:.6e}" for v in row] for row in grads.weights[2]])

# %% [markdown]
# ## The generalised delta rule (article 001)
#
# Article 001 writes the same network unit by unit: unit $t$ receives
# $net_t = \sum_i w_{ti} o_i$ (the bias is the weight from a unit whose output is
# always 1) and outputs $o_t = f(net_t)$; for one pattern the error is
# $E_p = \tfrac12 \sum_k (d_k - o_k)^2$ with targets $d_k$. Its error signals are
#
# $$\delta_k = (d_k - o_k)\, f'(net_k) \quad\text{for an output unit } k, \qquad
#   \delta_j = f'(net_j) \sum_k \delta_k\, w_{kj} \quad\text{for a hidden unit } j,$$
#
# and every weight moves by $\Delta w_{ti} = \eta\, \delta_t\, o_i$. These are BP1 and
# BP2 again, with one difference: article 001's $\delta_t$ is
# $-\partial E_p / \partial net_t$, the *negative* of article 004's
# $\delta = \partial C / \partial z$ (and $E_p$ is the same function as $C$).
#
# ## Two signs for $\delta$
#
# | | $\delta$ means | output unit | update |
# |---|---|---|---|
# | articles 003, 004; the engine | $\partial C/\partial z$ = `z.grad` | $(a - y)\,\sigma'(z)$ | $w \leftarrow w - \eta\, a^{l-1}_k \delta^l_j$ |
# | article 001; article 003's Iris code | $-\partial E/\partial net$ = `-z.grad` | $(d - o)\, f'(net)$ | $w_{ti} \leftarrow w_{ti} + \eta\, \delta_t\, o_i$ |
#
# The minus sign moves from the update into $\delta$; the step taken is the same.
# `ref.delta_rule_step` computes article 001's $\delta$ for every unit and the updated
# parameters, unit by unit, on lists:

# %%
eta = 0.5
rule_deltas, rule_w, rule_b = ref.delta_rule_step(W, b, x, y, acts, eta)
print("layer  unit  delta (article 001)      -z.grad (engine)")
for n_layer, (neurons, deltas) in enumerate(zip(layers, rule_deltas), start=1):
    for j, (n, d) in enumerate(zip(neurons, deltas), start=1):
        print(f"{n_layer:5}  {j:4}  {d: .15e}  {-n.z.grad: .15e}")
        assert agree(-n.z.grad, d)
# At the output both sides compute the same two factors: (d - o) is exactly -(o - d),
# so the two deltas are exact negatives of each other.
assert [d for d in rule_deltas[-1]] == [-n.z.grad for n in layers[-1]]

# %% [markdown]
# And the update: one step of the engine's `SGD` with learning rate $\eta$
# ($w \leftarrow w - \eta\,\partial C/\partial w$) lands on the same weights as
# article 001's $w + \eta\,\delta\,o$. The two multiply the same three numbers in a
# different order, so the weights (of size below 1) agree to a few units of
# $1.1 \cdot 10^{-16}$, again within $10^{-15}$.

# %%
opt = SGD(net.parameters(), lr=eta)
opt.zero_grad()
half_squared_error(net(x), y).backward()
opt.step()
for layer, new_w, new_b in zip(net.layers, rule_w, rule_b):
    got_w, got_b = layer.weights_and_biases()
    for row_got, row_rule in zip(got_w, new_w):
        assert all(agree(g, r) for g, r in zip(row_got, row_rule))
    assert all(agree(g, r) for g, r in zip(got_b, new_b))
moved = max(abs(n - o) for new, old in zip(rule_w, W) for r1, r0 in zip(new, old)
            for n, o in zip(r1, r0))  # fmt: skip
print(f"largest weight change in this step: {moved:.3e} (both ways)")
assert moved > 1e-3  # the step is real, so the comparison is not trivially true

# %% [markdown]
# ## The four equations, written out by the compiler
#
# `autograd.compile.compile_step` traces one training step (forward pass, cost,
# `backward()`, the SGD update) and writes it as straight-line Python, one statement
# per node, each local derivative taken from the op table. For article 003's worked
# example (the 2-3-2-1 sigmoid network, sample $x = (1, 2)$, $y = 1$, parameters named
# as the article names them, neurons `z1..z6`, `f1..f6`) the generated step *is*
# BP1–BP4 for this one network, written out:
#
# * `L = (0.5 * ((_e := (arg1[0] - f6)) * _e))` is the cost $\frac12 (y - a^L)^2$,
#   each difference computed once and held in the scratch name `_e`;
# * `dL/dz6 = dL/df6 * (f6 * (1.0 - f6))` is **BP1**: $\nabla_a C \odot \sigma'(z^L)$,
#   with `dL/df6 = (f6 - arg1[0])`, i.e. $a^L - y$ (the step's arguments are
#   `arg0` $= x$ and `arg1` $= y$);
# * `dL/df4 = dL/dz6 * W3[1][1]`, then `dL/dz4 = dL/df4 * (f4 * (1.0 - f4))` is
#   **BP2**: $(w^{l+1})^T \delta^{l+1} \odot \sigma'(z^l)$, one row of the matrix
#   product per line (a neuron feeding several neurons adds one line per use);
# * `dL/db3[1] = dL/dz6 or 0.0` is **BP3** (`c or 0.0` is the engine's `0.0 + c`,
#   written so that it costs no addition);
# * `dL/dW3[1][1] = dL/dz6 * f4 or 0.0` is **BP4**: $a^{l-1}_k \delta^l_j$;
# * the sums `z1 = ...` start without that `or 0.0`: the engine's $0.0 + \dots$ could
#   only turn a sum of $-0.0$ into $0.0$, and a sum that only a sigmoid reads makes
#   no difference either way ($\sigma(-0.0) = \sigma(0.0) = 0.5$, with the same slope);
# * `if dL/dz1 - dL/dz1 != 0.0: raise _Guard` sends the step to the eager engine if that
#   error term is infinite or NaN (`x - x` is then NaN, not 0.0). Only the first
#   layer's $\delta$ are tested: an infinite or NaN $\delta$ anywhere above would
#   have made them infinite or NaN too;
# * the last lines are the update $w \leftarrow w - \eta\, \partial C / \partial w$.
#
# The compiled step is the engine's step bit for bit: the check below trains two
# copies, one eagerly and one compiled.

# %%
example = network("forward")
for k, layer in enumerate(example.layers, start=1):
    for j, neuron in enumerate(layer.neurons, start=1):
        for i, w in enumerate(neuron.w, start=1):
            w.label = f"W{k}[{j}][{i}]"
        neuron.b.label = f"b{k}[{j}]"
units = [n for layer in example.layers for n in layer.neurons]
sgd = SGD(example.parameters(), lr=LEARNING_RATE)


def worked_step(x, y):
    out = example(x)
    loss = half_squared_error(out, y)
    loss.label = "L"
    for i, n in enumerate(units, start=1):
        n.z.label, n.out.label = f"z{i}", f"f{i}"
    sgd.zero_grad()
    loss.backward()
    sgd.step()
    return loss


compiled = compile_step(worked_step, X, Y, optimizer=sgd)
print(compiled.source())

# %%
twin = network("forward")
twin_sgd = SGD(twin.parameters(), lr=LEARNING_RATE)
for _ in range(3):
    compiled(X, Y)
    twin_sgd.zero_grad()
    half_squared_error(twin(X), Y).backward()
    twin_sgd.step()
assert [p.data.hex() for p in example.parameters()] == [p.data.hex() for p in twin.parameters()]
assert [p.grad.hex() for p in example.parameters()] == [p.grad.hex() for p in twin.parameters()]
print("three steps, compiled and eager: every parameter and gradient bit for bit the same")
