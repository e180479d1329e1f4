"""Model files: exact round trip, one clear error per kind of damage, atomic saves."""

import json
import os

import pytest

import autograd.atomic
from nn import (
    MLP,
    EmptyModelFileError,
    Layer,
    ModelFileError,
    ModelFileShapeError,
    ModelFileTypeError,
    Module,
    Neuron,
    NotAModelFileError,
    NotJSONModelFileError,
    TruncatedModelFileError,
)


@pytest.fixture
def saved(tmp_path):
    path = tmp_path / "model.json"
    net = MLP(4, [5, 3], "tanh", "sigmoid", seed=3)
    net.save(path)
    return net, path


def test_round_trip_is_bit_exact(saved):
    net, path = saved
    loaded = MLP.load(path)
    assert loaded.state_dict() == net.state_dict()  # floats written with repr: exact
    assert loaded.activations == ["tanh", "sigmoid"]
    assert repr(loaded) == repr(net)
    x = [0.1, 0.5, -0.3, 0.8]
    assert [v.data for v in loaded(x)] == [v.data for v in net(x)]


def test_module_load_rebuilds_any_registered_class(tmp_path):
    for module in (Neuron(3, "relu", seed=0), Layer(2, 4, "linear", seed=0), MLP(2, [2], seed=0)):
        path = tmp_path / f"{type(module).__name__}.json"
        module.save(path)
        loaded = Module.load(path)
        assert type(loaded) is type(module)
        assert loaded.state_dict() == module.state_dict()
        assert loaded.config() == module.config()


def test_the_file_is_readable_json(saved):
    _, path = saved
    doc = json.loads(path.read_text())
    assert doc["format"] == "deltagrad-model" and doc["version"] == 1
    assert doc["module"] == "MLP"
    assert doc["config"] == {"nin": 4, "nouts": [5, 3], "activations": ["tanh", "sigmoid"]}
    assert list(doc["parameters"])[:2] == ["layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1"]


def _rewrite(path, change):
    doc = json.loads(path.read_text())
    change(doc)
    path.write_text(json.dumps(doc))


# --- one error class per kind of damage ------------------------------------------


@pytest.mark.parametrize("content", [b"", b"   \n\t\n"])
def test_empty_file(tmp_path, content):
    path = tmp_path / "m.json"
    path.write_bytes(content)
    with pytest.raises(EmptyModelFileError, match="is empty"):
        MLP.load(path)


@pytest.mark.parametrize("fraction", [0.01, 0.1, 0.37, 0.5, 0.73, 0.9, 0.999])
def test_truncated_file(saved, fraction):
    _, path = saved
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * fraction)])
    with pytest.raises(TruncatedModelFileError, match="is truncated"):
        MLP.load(path)


def test_truncated_at_every_byte_is_reported_as_truncated(tmp_path):
    path = tmp_path / "m.json"
    MLP(1, [1, 1], seed=0).save(path)  # strings, numbers, objects and arrays, nested
    data = path.read_bytes().rstrip()
    for cut in range(1, len(data)):
        path.write_bytes(data[:cut])
        with pytest.raises(TruncatedModelFileError):
            MLP.load(path)


@pytest.mark.parametrize(
    "content",
    [b"hello", b"model: 1\n", b"{'format': 'deltagrad-model'}", b"{} {}", b"\x89PNG\r\n\x1a\n"],
)
def test_not_json(tmp_path, content):
    path = tmp_path / "m.json"
    path.write_bytes(content)
    with pytest.raises(NotJSONModelFileError, match="is not JSON"):
        MLP.load(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[1, 2, 3]", "top level is an array"),
        ('{"weights": [1, 2]}', "no 'format' entry"),
        ('{"format": "other"}', "has format 'other'"),
        ('{"format": "deltagrad-model", "version": 2}', "version 2"),
    ],
)
def test_json_that_is_not_a_model_file(tmp_path, content, message):
    path = tmp_path / "m.json"
    path.write_text(content)
    with pytest.raises(NotAModelFileError, match=message):
        MLP.load(path)


def test_file_of_another_module_class(tmp_path):
    path = tmp_path / "m.json"
    Layer(2, 3, seed=0).save(path)
    with pytest.raises(NotAModelFileError, match="holds a Layer, not a MLP"):
        MLP.load(path)
    _rewrite(path, lambda d: d.update(module="Transformer"))
    with pytest.raises(NotAModelFileError, match="unknown module 'Transformer'"):
        Module.load(path)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["parameters"].update({"layers.0.neurons.0.b": "0.5"}), "is a string"),
        (lambda d: d["parameters"].update({"layers.0.neurons.0.b": None}), "is null"),
        (lambda d: d["parameters"].update({"layers.0.neurons.0.b": True}), "is a boolean"),
        (lambda d: d["parameters"].update({"layers.0.neurons.0.b": [1]}), "is an array"),
        (lambda d: d.update(parameters=[1, 2]), "'parameters' is an array"),
        (lambda d: d.update(config="4-5-3"), "'config' is a string"),
        (lambda d: d.update(version="1"), "'version' is a string"),
        (lambda d: d.update(module=7), "'module' is a number"),
        (lambda d: d["config"].update(nin="4"), "'nin' must be an integer"),
        (lambda d: d["config"].update(nouts=[5.0, 3]), "'nouts' must be a list of integers"),
        (lambda d: d["config"].update(activations="sigmoid"), "'activations' must be a list"),
    ],
)
def test_wrong_type(saved, change, message):
    _, path = saved
    _rewrite(path, change)
    with pytest.raises(ModelFileTypeError, match=message):
        MLP.load(path)


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_non_finite_numbers_are_a_type_error(saved, token):
    _, path = saved
    text = path.read_text()
    name = '"layers.0.neurons.0.b": '
    start = text.index(name) + len(name)
    end = text.index(",", start)
    path.write_text(text[:start] + token + text[end:])
    with pytest.raises(ModelFileTypeError, match="not a finite number"):
        MLP.load(path)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        # a sixth hidden neuron: 4 weights and a bias, and one more weight per output
        (lambda d: d["config"].update(nouts=[6, 3]), "missing 8 parameter"),
        # one input fewer: each of the 5 hidden neurons has a weight too many
        (lambda d: d["config"].update(nin=3), "5 unexpected"),
        (lambda d: d["parameters"].pop("layers.1.neurons.2.b"), "'layers.1.neurons.2.b'"),
        (
            lambda d: d["parameters"].update({"layers.1.neurons.3.b": 0.0}),
            "1 unexpected: 'layers.1.neurons.3.b'",
        ),
    ],
)
def test_wrong_shape(saved, change, message):
    _, path = saved
    _rewrite(path, change)
    with pytest.raises(ModelFileShapeError, match=message) as e:
        MLP.load(path)
    assert "its parameters do not fit the MLP(" in str(e.value)


def test_invalid_config_values_and_duplicate_keys(saved):
    _, path = saved
    _rewrite(path, lambda d: d["config"].update(activations=["tanh", "swish"]))
    with pytest.raises(ModelFileError, match="unknown activation 'swish'"):
        MLP.load(path)
    _rewrite(path, lambda d: d["config"].pop("nin"))
    with pytest.raises(ModelFileError, match="'nin' is missing"):
        MLP.load(path)
    path.write_text('{"format": "deltagrad-model", "format": "deltagrad-model"}')
    with pytest.raises(ModelFileError, match="appears twice"):
        MLP.load(path)


def test_every_error_names_the_file(tmp_path):
    path = tmp_path / "which-one.json"
    path.write_text("")
    with pytest.raises(ModelFileError, match=r"which-one\.json"):
        MLP.load(path)


def test_a_missing_file_is_the_usual_os_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        MLP.load(tmp_path / "nope.json")


def test_saving_non_finite_parameters_is_refused_and_keeps_the_old_file(saved):
    net, path = saved
    before = path.read_bytes()
    net.parameters()[3].data = float("nan")
    with pytest.raises(ValueError, match="finite numbers only"):
        net.save(path)
    assert path.read_bytes() == before


# --- a failed save never destroys the previous file ------------------------------


def _leftovers(directory):
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


@pytest.mark.parametrize("error", [OSError("disk full"), KeyboardInterrupt()])
def test_interrupted_write_keeps_the_old_file(saved, monkeypatch, error):
    net, path = saved
    before = path.read_bytes()
    real_dump = json.dump

    def dump_half_then_fail(obj, f, **kwargs):
        text = json.dumps(obj, **kwargs)
        f.write(text[: len(text) // 2])  # half the file reaches the temporary file
        raise error

    monkeypatch.setattr(json, "dump", dump_half_then_fail)
    net.parameters()[0].data += 1.0
    with pytest.raises(type(error)):
        net.save(path)
    monkeypatch.setattr(json, "dump", real_dump)
    assert path.read_bytes() == before
    assert _leftovers(path.parent) == []
    assert MLP.load(path).state_dict() != net.state_dict()  # still the old model


def test_failed_rename_keeps_the_old_file(saved, monkeypatch):
    net, path = saved
    before = path.read_bytes()

    def fail(src, dst):
        raise OSError("rename failed")

    monkeypatch.setattr(autograd.atomic.os, "replace", fail)
    with pytest.raises(OSError, match="rename failed"):
        net.save(path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert _leftovers(path.parent) == []


def test_save_keeps_file_permissions_and_creates_with_umask_default(saved, tmp_path):
    net, path = saved
    os.chmod(path, 0o640)
    net.save(path)
    assert os.stat(path).st_mode & 0o777 == 0o640
    fresh = tmp_path / "fresh.json"
    net.save(fresh)
    umask = os.umask(0)
    os.umask(umask)
    assert os.stat(fresh).st_mode & 0o777 == 0o666 & ~umask
