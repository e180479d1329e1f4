"""The Iris loader and article 003's training."""

import random

import pytest

from nn.datasets import (
    IRIS_CLASSES,
    DataFormatError,
    load_iris,
    min_max_scale,
    one_hot,
    read_iris_csv,
)
from nn.train import train_iris


def test_shipped_table():
    data = load_iris(seed=0)
    assert len(data.train) == 130 and len(data.val) == 20
    labels = data.train.labels + data.val.labels
    assert [labels.count(k) for k in range(3)] == [50, 50, 50]
    assert data.classes == IRIS_CLASSES
    # Min-max over all 150 rows: every column spans exactly [0, 1].
    xs = data.train.x + data.val.x
    for col in range(4):
        assert min(r[col] for r in xs) == 0.0 and max(r[col] for r in xs) == 1.0
    assert data.feature_min == [4.3, 2.0, 1.0, 0.1] and data.feature_max == [7.9, 4.4, 6.9, 2.5]
    for y, label in zip(data.train.y, data.train.labels):
        assert y == one_hot(label, 3)


def test_shuffle_is_seeded():
    assert load_iris(seed=3).train.x == load_iris(seed=3).train.x
    assert load_iris(seed=3).train.x != load_iris(seed=4).train.x
    rng = random.Random(3)
    load_iris(seed=rng)
    assert rng.getstate() != random.Random(3).getstate()  # a generator passed in is advanced


def test_min_max_scale_and_constant_column():
    scaled, lo, hi = min_max_scale([[1.0, 5.0], [3.0, 5.0], [2.0, 5.0]])
    assert scaled == [[0.0, 0.0], [1.0, 0.0], [0.5, 0.0]]
    assert (lo, hi) == ([1.0, 5.0], [3.0, 5.0])


def test_one_hot_range():
    assert one_hot(2, 3) == [0.0, 0.0, 1.0]
    with pytest.raises(ValueError, match="label 3 out of range"):
        one_hot(3, 3)


GOOD = "5.1,3.5,1.4,0.2,Iris-setosa\n7.0,3.2,4.7,1.4,Iris-versicolor\n"


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ("5.1,3.5,1.4,Iris-setosa", "line 3: expected 5 fields"),
        ("5.1,3.5,1.4,0.2,0.1,Iris-setosa", "line 3: expected 5 fields"),
        ("5.1,abc,1.4,0.2,Iris-setosa", "line 3, field 2: 'abc' is not a number"),
        ("5.1,3.5,nan,0.2,Iris-setosa", "line 3, field 3: 'nan' is not a finite number"),
        ("5.1,3.5,1.4,0.2,Iris-rosea", "line 3: unknown species 'Iris-rosea'"),
    ],
)
def test_malformed_row_is_reported_with_its_line_number(bad_line, message):
    with pytest.raises(DataFormatError, match=message):
        read_iris_csv(GOOD + bad_line + "\n" + GOOD, "my.csv")


def test_blank_lines_are_skipped_and_line_numbers_stay_true(tmp_path):
    text = "\n" + GOOD + "\n\n" + "1,2,3,x,Iris-setosa\n"
    with pytest.raises(DataFormatError, match=r"my\.csv line 6, field 4"):
        read_iris_csv(text, "my.csv")
    features, labels = read_iris_csv("\n" + GOOD + "\n")
    assert labels == [0, 1] and features[1] == [7.0, 3.2, 4.7, 1.4]


def test_load_from_a_file_names_the_file(tmp_path):
    path = tmp_path / "broken.csv"
    path.write_text(GOOD * 3 + "1,2\n")
    with pytest.raises(DataFormatError, match=r"broken\.csv line 7"):
        load_iris(path=path)
    empty = tmp_path / "empty.csv"
    empty.write_text("\n")
    with pytest.raises(DataFormatError, match="no data rows"):
        load_iris(path=empty)


def test_split_size_is_checked():
    with pytest.raises(ValueError, match="n_train must be between 1 and 149"):
        load_iris(n_train=150)


def test_article_training_reaches_95_percent_validation_accuracy():
    """4-5-3 sigmoid, U[0,1) init, per-sample SGD, lr 0.2, 300 epochs, default seed (0).

    Deterministic: the run is fixed by the seed. The article reports about 95%
    and better; the README gives the spread over ten seeds.
    """
    result = train_iris()
    assert result.epochs == 300 and len(result.history) == 300
    assert not result.interrupted
    assert result.val_accuracy >= 0.95
    assert result.history[-1].val_accuracy == result.val_accuracy
    assert result.train_accuracy >= 0.95
    # Training lowers the loss: the last epoch's mean loss is far below the first's.
    assert result.history[-1].train_loss < result.history[0].train_loss / 5


def test_should_stop_ends_training_after_the_current_sample():
    calls = []

    def stop():
        calls.append(1)
        return len(calls) >= 140  # during the second epoch

    result = train_iris(epochs=5, should_stop=stop)
    assert result.interrupted and result.epochs == 1 and len(result.history) == 1
    assert len(calls) == 140
