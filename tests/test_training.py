"""Mini-batch training: losses, objectives, article 004's batch rule, running vs final accuracy."""

import copy
import math

import pytest

from autograd import Value, is_grad_enabled
from nn import MLP, SGD
from nn.datasets import load, make_split
from nn.losses import hinge, multiclass_hinge
from nn.objectives import LOSSES, Objective
from nn.train import batch_loss, evaluate, fit, train


def test_hinge_value_and_gradient():
    s = Value(0.25)
    loss = hinge(s, 1.0)
    loss.backward()
    assert loss.data == 0.75 and s.grad == -1.0
    s = Value(0.25)
    loss = hinge(s, -1.0)
    loss.backward()
    assert loss.data == 1.25 and s.grad == 1.0
    s = Value(2.0)
    loss = hinge(s, 1.0)
    loss.backward()
    assert loss.data == 0.0 and s.grad == 0.0  # margin reached: no push
    for bad in (0.0, 2.0, True, "1"):
        with pytest.raises(ValueError, match="label must be -1 or \\+1"):
            hinge(s, bad)  # type: ignore[arg-type]


def test_multiclass_hinge():
    s = [Value(1.0), Value(0.5), Value(-1.0)]
    loss = multiclass_hinge(s, 0)  # max(0, 1 + .5 - 1) + max(0, 1 - 1 - 1) = 0.5
    loss.backward()
    assert loss.data == 0.5 and [v.grad for v in s] == [-1.0, 1.0, 0.0]
    with pytest.raises(ValueError, match="out of range"):
        multiclass_hinge(s, 3)


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("k", [2, 3])
def test_objective_shapes_and_prediction(loss, k):
    obj = Objective(loss, k)
    single = k == 2 and loss in ("hinge", "cross-entropy")
    assert obj.nout == (1 if single else k)
    outs = [Value(0.3 * (j + 1) * (-1) ** j) for j in range(obj.nout)]
    value = obj.loss(outs, 1)
    assert math.isfinite(value.data) and value.data >= 0.0
    if single:
        assert obj.predict([0.1]) == 1 and obj.predict([-0.1]) == 0 and obj.predict([0.0]) == 0
    else:
        assert obj.predict([0.0] * (k - 1) + [1.0]) == k - 1
    with pytest.raises(ValueError, match="outputs"):
        obj.loss([Value(0.0)] * (obj.nout + 1), 0)


def test_unknown_loss_and_too_few_classes():
    with pytest.raises(ValueError, match="unknown loss 'l1'"):
        Objective("l1", 2)
    with pytest.raises(ValueError, match="at least 2 classes"):
        Objective("hinge", 1)


def small_data():
    return load("moons", n=24, seed=5)


def test_batch_gradient_is_the_mean_of_per_sample_gradients_article_004():
    """``w <- w - eta/m sum_x delta^{x,l} (a^{x,l-1})^T``: one batch step, by the article's rule."""
    data = small_data()
    net = MLP(2, [3, 2], "sigmoid", "sigmoid", seed=1)
    obj = Objective("half-squared-error", 2)
    xs, labels = data.train.x[:5], data.train.labels[:5]
    # the article's rule, sample by sample: delta = dL_x/dz (z.grad), a = the layer's input
    eta, m = 0.5, len(xs)
    expected = {}
    for name, p in net.named_parameters():
        expected[name] = p.data
    for x, label in zip(xs, labels):
        net.zero_grad()
        obj.loss(net(x), label).backward()
        inputs = [x, [n.out.data for n in net.layers[0].neurons]]  # type: ignore[union-attr]
        for li, layer in enumerate(net.layers):
            for j, neuron in enumerate(layer.neurons):
                delta = neuron.z.grad  # type: ignore[union-attr]
                for i, a in enumerate(inputs[li]):
                    expected[f"layers.{li}.neurons.{j}.w.{i}"] -= eta / m * delta * a
                expected[f"layers.{li}.neurons.{j}.b"] -= eta / m * delta
    batch = copy.deepcopy(net)
    opt = SGD(batch.parameters(), lr=eta)
    opt.zero_grad()
    batch_loss(batch, xs, labels, obj).total.backward()
    opt.step()
    for name, p in batch.named_parameters():
        # five products of order 1 summed in another order: 1e-15 absolute
        assert abs(p.data - expected[name]) <= 1e-15, name


def test_batch_sizes_give_the_number_of_steps():
    data = small_data()
    n = len(data.train)
    for batch_size, steps in ((1, n), (5, math.ceil(n / 5)), (n, 1), (10 * n, 1)):
        seen = []
        result = train(data, hidden=(4,), epochs=2, batch_size=batch_size, on_step=seen.append)
        assert result.steps == len(seen) == 2 * steps
        assert [s.index for s in seen] == list(range(2 * steps))
        for epoch in (1, 2):
            rows = [r for s in seen if s.epoch == epoch for r in s.rows]
            assert sorted(rows) == list(range(n))  # every row once per epoch
        assert all(s.model is result.model for s in seen)


def test_shuffle_is_seeded_and_changes_each_epoch():
    data = small_data()

    def orders(seed):
        seen = []
        train(data, hidden=(4,), epochs=2, batch_size=100, seed=seed, on_step=seen.append)
        return [s.rows for s in seen]

    a, b = orders(1), orders(1)
    assert a == b and a[0] != a[1] and orders(2) != a


def test_one_accuracy_story_running_and_final():
    """Full batch, one epoch: the running accuracy is the initial network's; the final is after."""
    data = small_data()
    obj = Objective("hinge", 2)
    net = MLP(2, [8, 1], seed=3)
    before = evaluate(net, data.train, obj)
    result = fit(net, data, obj, SGD(net.parameters(), lr=0.5), epochs=1, batch_size=1000)
    after = evaluate(net, data.train, obj)
    assert result.history[0].train_accuracy == before[1]
    assert result.history[0].train_loss == pytest.approx(before[0], rel=1e-15)
    assert (result.final_loss, result.train_accuracy) == after
    assert result.history[0].val_accuracy == result.val_accuracy == evaluate(net, data.val, obj)[1]
    assert after != before  # the step did change the network


def test_evaluation_records_no_graph():
    data = small_data()
    seen = []

    class Spy(Objective):
        def loss(self, outputs, label):
            seen.append(is_grad_enabled())
            return super().loss(outputs, label)

    net = MLP(2, [4, 1], seed=0)
    obj = Spy("hinge", 2)
    evaluate(net, data.val, obj)
    assert seen and not any(seen)
    seen.clear()
    fit(net, data, obj, SGD(net.parameters(), lr=0.1), epochs=1, batch_size=4)
    # training with grad (first len(train) calls), then validation and final scoring without
    n = len(data.train)
    assert all(seen[:n]) and not any(seen[n:])


def test_l2_and_schedule():
    data = small_data()
    obj = Objective("hinge", 2)
    net = MLP(2, [4, 1], seed=0)
    plain = batch_loss(net, data.train.x, data.train.labels, obj)
    reg = batch_loss(net, data.train.x, data.train.labels, obj, l2=1e-2)
    squares = math.fsum(p.data**2 for p in net.parameters())
    assert reg.data_loss == plain.data_loss
    assert reg.total.data == pytest.approx(plain.total.data + 1e-2 * squares, rel=1e-14)
    seen = []
    fit(
        net,
        data,
        obj,
        SGD(net.parameters(), lr=1.0),
        epochs=3,
        batch_size=1000,
        lr_schedule=lambda k: 1.0 - 0.9 * k / 100,
        on_step=seen.append,
    )
    assert [s.lr for s in seen] == [1.0, 1.0 - 0.9 / 100, 1.0 - 1.8 / 100]


def test_fit_checks_its_arguments():
    data = small_data()
    net = MLP(2, [1], seed=0)
    opt = SGD(net.parameters(), lr=0.1)
    obj = Objective("hinge", 2)
    with pytest.raises(ValueError, match="batch_size"):
        fit(net, data, obj, opt, epochs=1, batch_size=0)
    with pytest.raises(ValueError, match="epochs"):
        fit(net, data, obj, opt, epochs=-1)
    with pytest.raises(ValueError, match="l2"):
        fit(net, data, obj, opt, epochs=1, l2=math.nan)


def test_every_builtin_trains_with_every_loss():
    for name in ("moons", "xor", "spiral", "iris"):
        data = load(name) if name == "iris" else load(name, n=30)
        for loss in LOSSES:
            result = train(data, hidden=(4,), epochs=1, loss=loss, batch_size=8)
            assert 0.0 <= result.train_accuracy <= 1.0 and math.isfinite(result.final_loss)


def test_csv_like_split_trains_to_separate_two_blobs():
    """Two well separated clusters: any sensible training separates them fully."""
    xs = [[-2.0 + 0.01 * i, -2.0] for i in range(20)] + [[2.0, 2.0 - 0.01 * i] for i in range(20)]
    labels = [0] * 20 + [1] * 20
    import random

    data = make_split("blobs", xs, labels, ("a", "b"), random.Random(0), n_val=8, scale="standard")
    result = train(data, hidden=(4,), epochs=20, loss="cross-entropy", batch_size=4)
    assert result.train_accuracy == 1.0 and result.val_accuracy == 1.0
