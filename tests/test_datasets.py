"""Built-in generated data sets and your own CSV: formulas, seeds, splits, scaling, errors."""

import math
import random

import pytest

import nn.datasets.tabular as tabular
from nn.datasets import (
    BUILTIN,
    DataFormatError,
    circles,
    load,
    load_csv,
    moons,
    spiral,
    xor,
)

GENERATED = ["moons", "circles", "xor", "spiral"]


@pytest.mark.parametrize("name", [*GENERATED, "iris"])
def test_one_interface_seeded_split(name):
    a, b, c = load(name, seed=3), load(name, seed=3), load(name, seed=4)
    assert a.train.x == b.train.x and a.val.labels == b.val.labels
    assert a.train.x != c.train.x
    assert len(a.train) > len(a.val) > 0
    assert a.nfeatures == len(a.train.x[0]) == len(a.feature_names)
    for part in (a.train, a.val):
        assert len(part.x) == len(part.y) == len(part.labels)
        for y, label in zip(part.y, part.labels):
            assert len(y) == a.nclasses and y[label] == 1.0 and sum(y) == 1.0
    # the split is a partition: no row in both parts
    assert not {tuple(x) for x in a.train.x} & {tuple(x) for x in a.val.x}
    # every class appears
    assert set(a.train.labels + a.val.labels) == set(range(a.nclasses))


def test_all_builtin_names():
    assert set(BUILTIN) == {"moons", "circles", "xor", "spiral", "iris"}
    with pytest.raises(ValueError, match="unknown data set 'mnist'"):
        load("mnist")


def test_moons_lie_on_their_half_circles_without_noise():
    rows, labels = moons(101, 0.0, random.Random(0))
    assert labels.count(0) == 50 and labels.count(1) == 51
    for (x, y), label in zip(rows, labels):
        if label == 0:
            assert math.isclose(math.hypot(x, y), 1.0, abs_tol=1e-15) and y >= 0.0
        else:
            assert math.isclose(math.hypot(x - 1.0, y - 0.5), 1.0, abs_tol=1e-15)
            assert y <= 0.5 + 1e-15


def test_noise_has_the_asked_spread():
    clean, _ = moons(2000, 0.0, random.Random(1))
    noisy, _ = moons(2000, 0.1, random.Random(1))
    d = [a - b for r, s in zip(noisy, clean) for a, b in zip(r, s)]
    std = math.sqrt(sum(v * v for v in d) / len(d))
    assert 0.095 < std < 0.105  # 4000 draws: the sample std is within ~2% of 0.1


def test_circles_radii_and_xor_signs():
    rows, labels = circles(40, 0.0, random.Random(0), factor=0.3)
    for (x, y), label in zip(rows, labels):
        assert math.isclose(math.hypot(x, y), 1.0 if label == 0 else 0.3, rel_tol=1e-15)
    rows, labels = xor(500, 0.0, random.Random(0))
    assert all((x * y < 0) == (label == 1) for (x, y), label in zip(rows, labels))
    assert all(-1.0 <= v <= 1.0 for row in rows for v in row)
    assert 200 < labels.count(1) < 300


def test_spiral_arms_follow_the_formula():
    rows, labels = spiral(30, 0.0, random.Random(0), arms=3)
    assert [labels.count(j) for j in range(3)] == [10, 10, 10]
    for i, ((x, y), j) in enumerate(zip(rows, labels)):
        r = (i % 10) / 9
        theta = 2 * math.pi * j / 3 + 4 * r
        assert math.isclose(x, r * math.sin(theta), abs_tol=1e-15)
        assert math.isclose(y, r * math.cos(theta), abs_tol=1e-15)
    assert load("spiral", arms=5).nclasses == 5


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: load("moons", n=1), "from 2 to 100000"),
        (lambda: load("moons", n=10**9), "from 2 to 100000"),
        (lambda: load("circles", noise=-1.0), "noise must be between 0 and 10"),
        (lambda: load("spiral", arms=1), "arms must be an integer from 2 to 10"),
        (lambda: load("xor", val_fraction=1.0), "val_fraction"),
        (lambda: load("iris", n=3), "iris takes no options"),
    ],
)
def test_bad_options(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()


# --- CSV ------------------------------------------------------------------------

GOOD = "a,b,kind\n1,10,cat\n2,20,dog\n3,30,cat\n4,40,dog\n5,50,cat\n"


def write(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def test_csv_loads_scales_on_training_rows_and_reports(tmp_path):
    data = load_csv(write(tmp_path, GOOD), target="kind", seed=0)
    assert data.classes == ("cat", "dog") and data.feature_names == ("a", "b")
    assert len(data.train) == 4 and len(data.val) == 1
    assert data.scaling.method == "standard" and "4 training rows" in data.scaling.describe()
    for col in range(2):
        values = [x[col] for x in data.train.x]
        # mean 0 and std 1 over the training rows, up to rounding of 4 numbers of order 1
        assert abs(sum(values) / 4) < 1e-15
        assert math.isclose(math.sqrt(sum(v * v for v in values) / 4), 1.0, rel_tol=1e-15)
    raw = {(1, 10): "cat", (2, 20): "dog", (3, 30): "cat", (4, 40): "dog", (5, 50): "cat"}
    for x, label in zip(data.train.x + data.val.x, data.train.labels + data.val.labels):
        original = [v * d + s for v, d, s in zip(x, data.scaling.divisor, data.scaling.shift)]
        key = tuple(round(v) for v in original)
        assert raw[key] == data.classes[label]
    same = load_csv(write(tmp_path, GOOD), target="kind", seed=0, scale="none")
    assert sorted(same.train.x + same.val.x) == [[float(k), 10.0 * k] for k in range(1, 6)]


def test_csv_numeric_classes_sort_as_numbers(tmp_path):
    text = "x,y\n1,10\n2,2\n3,2.0\n4,+10\n5,-1\n"
    data = load_csv(write(tmp_path, text), target="y", scale="minmax")
    assert data.classes == ("-1", "2", "10")
    labels = data.train.labels + data.val.labels
    assert sorted(labels) == [0, 1, 1, 2, 2]
    assert min(x[0] for x in data.train.x) == 0.0 and max(x[0] for x in data.train.x) == 1.0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "is empty"),
        ("\n\n", "is empty"),
        ("a,b,kind\n", "a header but no data rows"),
        ("a,b,kind\n1,2,cat\n", "one class only"),
        ("a,b,kind\n1,2,cat\n1,2,cat\n", "one class only \\('cat'\\)"),
        ("a,b,kind\n1,2,cat\n1,x,dog\n", "line 3, column 'b': 'x' is not a finite number"),
        ("a,b,kind\n1,2,cat\n\n1,,dog\n", "line 4, column 'b': an empty cell"),
        ("a,b,kind\n1,nan,cat\n1,2,dog\n", "line 2, column 'b': 'nan' is not a finite"),
        ("a,b,kind\n1,1e999,cat\n1,2,dog\n", "line 2, column 'b': '1e999' is not a finite"),
        ("a,b,kind\n1,__import__('os'),cat\n", "line 2, column 'b'"),
        ("a,b,kind\n1,2,cat\n1,2\n", "line 3: 2 fields, but the header has 3 columns"),
        ("a,b,kind\n1,2,\n", "line 2, column 'kind': an empty target cell"),
        ("a,b,c\n1,2,3\n", "no column named 'kind'"),
        ("a,a,kind\n1,2,3\n", "line 1, column 2: the name 'a' appears twice"),
        ("kind\ncat\ndog\n", "no feature columns"),
        (b"a,b,kind\n1,2,c\xffat\n", "line 2: byte 0xff is not UTF-8"),
    ],
)
def test_csv_errors_name_line_and_column(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(DataFormatError, match=message) as e:
        load_csv(path, target="kind")
    assert str(e.value).startswith(str(path))


def test_csv_size_limits(tmp_path, monkeypatch):
    monkeypatch.setattr(tabular, "MAX_ROWS", 3)
    with pytest.raises(DataFormatError, match="line 5: more than 3 data rows"):
        load_csv(write(tmp_path, GOOD), target="kind")
    monkeypatch.setattr(tabular, "MAX_BYTES", 20)
    with pytest.raises(DataFormatError, match="larger than"):
        load_csv(write(tmp_path, GOOD), target="kind")


def test_csv_too_many_classes(tmp_path):
    text = "x,y\n" + "".join(f"{k},{k / 7}\n" for k in range(150))
    with pytest.raises(DataFormatError, match="150 different values; at most 100 classes"):
        load_csv(write(tmp_path, text), target="y")


def test_csv_missing_file(tmp_path):
    with pytest.raises(DataFormatError, match="cannot read it"):
        load_csv(tmp_path / "nope.csv", target="y")
