"""`make torch-check`: our safetensors export loaded into PyTorch; outputs and gradients compared.

PyTorch is too heavy for `make test`; this file runs only under `make
torch-check`, which installs torch==2.13.0 (CPU). Each network is exported with
``model.save(path, format="safetensors")``, read by the ``safetensors``
package's own PyTorch reader, and loaded with ``load_state_dict(strict=True)``
into a ``torch.nn.Sequential`` of float64 ``Linear`` layers with the activation
modules between them. On seeded random inputs both must give the same outputs,
and, for ``L = sum_k c_k out_k`` with random ``c``, the same gradients for
every parameter and every input, to 1e-12 (float64 sums of at most 17 products
of numbers of order 1 differ in the last bits only, ~1e-15; 1e-12 leaves room
for the different summation orders and still catches any misplaced weight).
"""

from __future__ import annotations

import random

import pytest
import safetensors.torch as safetensors_torch  # the format's own reader, PyTorch back end
import torch  # make torch-check installs torch==2.13.0 first; a missing torch fails here

from autograd import Value
from nn import MLP
from nn.datasets import load
from nn.train import train

TOL = 1e-12

MODULES = {
    "relu": torch.nn.ReLU,
    "tanh": torch.nn.Tanh,
    "sigmoid": torch.nn.Sigmoid,
    "linear": torch.nn.Identity,
}


def torch_sequential(model: MLP):
    """The torch.nn.Sequential the export's names describe (module docstring of nn.safetensors)."""
    modules = []
    for k, layer in enumerate(model.layers):
        modules.append(torch.nn.Linear(layer.nin, layer.nout, dtype=torch.float64))
        last = k == len(model.layers) - 1
        if not last or layer.activation != "linear":
            modules.append(MODULES[layer.activation]())
    return torch.nn.Sequential(*modules)


def networks():
    yield "micrograd MLP(2, [16, 16, 1])", MLP(2, [16, 16, 1], seed=1)
    yield "Iris 4-5-3 sigmoid", MLP(4, [5, 3], "sigmoid", "sigmoid", init="uniform01", seed=2)
    yield (
        "tanh, linear hidden, sigmoid out",
        MLP(3, [6, 4, 2], ["tanh", "linear", "sigmoid"], seed=3),
    )
    trained = train(load("moons", n=60), epochs=5, seed=4).model
    yield "trained on moons", trained


@pytest.mark.parametrize(("name", "model"), list(networks()), ids=lambda v: str(v)[:30])
def test_export_loads_into_torch_and_agrees(tmp_path, name, model, record_property):
    path = tmp_path / "net.safetensors"
    model.save(path, format="safetensors")
    state = safetensors_torch.load_file(str(path))
    seq = torch_sequential(model)
    seq.load_state_dict(state, strict=True)  # every name and shape must match
    assert all(t.dtype == torch.float64 for t in state.values())

    rng = random.Random(0)
    worst = 0.0
    for _ in range(20):
        x = [rng.uniform(-2.0, 2.0) for _ in range(model.nin)]
        c = [rng.uniform(-1.0, 1.0) for _ in range(model.nouts[-1])]
        # deltagrad
        xs = [Value(v) for v in x]
        model.zero_grad()
        out = model(xs)
        loss = sum((ci * o for ci, o in zip(c, out)), Value(0.0))
        loss.backward()
        # PyTorch
        seq.zero_grad()
        xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        yt = seq(xt)
        (yt * torch.tensor(c, dtype=torch.float64)).sum().backward()

        for o, t in zip(out, yt.tolist()):
            worst = max(worst, abs(o.data - t))
            assert abs(o.data - t) <= TOL, name
        for v, g in zip(xs, xt.grad.tolist()):
            worst = max(worst, abs(v.grad - g))
            assert abs(v.grad - g) <= TOL, name
        params = dict(seq.named_parameters())
        for k, layer in enumerate(model.layers):
            index = 2 * k
            wg = params[f"{index}.weight"].grad.tolist()
            bg = params[f"{index}.bias"].grad.tolist()
            for j, neuron in enumerate(layer.neurons):
                for i, w in enumerate(neuron.w):
                    worst = max(worst, abs(w.grad - wg[j][i]))
                    assert abs(w.grad - wg[j][i]) <= TOL, (name, index, j, i)
                worst = max(worst, abs(neuron.b.grad - bg[j]))
                assert abs(neuron.b.grad - bg[j]) <= TOL, (name, index, j)
    print(f"{name}: largest difference {worst:.1e}")


def test_torch_numbers_linear_layers_as_the_readme_says():
    """Sequential(Linear, ReLU, Linear, ReLU, Linear) names 0.*, 2.*, 4.*; Linear is affine."""
    seq = torch.nn.Sequential(
        torch.nn.Linear(2, 16),
        torch.nn.ReLU(),
        torch.nn.Linear(16, 16),
        torch.nn.ReLU(),
        torch.nn.Linear(16, 1),
    )
    assert list(seq.state_dict()) == [
        "0.weight",
        "0.bias",
        "2.weight",
        "2.bias",
        "4.weight",
        "4.bias",
    ]
    assert tuple(seq.state_dict()["0.weight"].shape) == (16, 2)
    layer = torch.nn.Linear(3, 2, dtype=torch.float64)
    x = torch.tensor([-5.0, 0.5, 2.0], dtype=torch.float64)
    expected = layer.weight.detach() @ x + layer.bias.detach()
    assert torch.equal(layer(x), expected) or torch.allclose(layer(x), expected, atol=1e-15)


def test_pytorch_export_reads_back_into_deltagrad(tmp_path):
    """A torch.nn.Sequential saved by the safetensors package loads with MLP.load."""
    torch.manual_seed(0)
    seq = torch.nn.Sequential(
        torch.nn.Linear(3, 5, dtype=torch.float64),
        torch.nn.Tanh(),
        torch.nn.Linear(5, 2, dtype=torch.float64),
    )
    path = tmp_path / "torch.safetensors"
    safetensors_torch.save_file(seq.state_dict(), str(path))
    model = MLP.load(path, activation="tanh", output_activation="linear")
    x = [0.3, -1.2, 0.7]
    got = [v.data for v in model(x)]
    want = seq(torch.tensor(x, dtype=torch.float64)).tolist()
    assert max(abs(a - b) for a, b in zip(got, want)) <= TOL
