"""Model files under hostile input: bounded reading, sizes checked before building,
and a checksum that turns every damaged file into an error instead of another network."""

from __future__ import annotations

import json
import os
import random
import signal
import tracemalloc
from pathlib import Path

import pytest

from nn import MLP, ModelFileError, Module, NotJSONModelFileError
from nn.modelfile import (
    MAX_FILE_BYTES,
    MAX_NESTING,
    ModelFileChecksumError,
    ModelFileShapeError,
    checksum,
    seal,
)


@pytest.fixture
def no_hang():
    """Fail instead of hanging: a load that waits (a FIFO) is cut after 20 s."""

    def alarm(signum, frame):
        raise TimeoutError("the load hung")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def document(nin: int, nouts: list[int], parameters: dict[str, float]) -> dict[str, object]:
    return {
        "format": "deltagrad-model",
        "version": 1,
        "module": "MLP",
        "config": {"nin": nin, "nouts": nouts, "activations": ["sigmoid"] * len(nouts)},
        "parameters": parameters,
    }


def small_file(tmp_path: Path, nin: int, nouts: list[int]) -> Path:
    """A file of about 2 KB whose config asks for an ``nin``-input network."""
    params = {f"layers.0.neurons.0.w.{i}": 0.5 for i in range(40)}
    path = tmp_path / "model.json"
    path.write_text(json.dumps(document(nin, nouts, params)))
    return path


@pytest.mark.parametrize("nin", [1_000_000, 10**9, 10**300])
def test_a_huge_config_in_a_small_file_is_refused_before_building(tmp_path, nin):
    path = small_file(tmp_path, nin, [5, 3])
    size = path.stat().st_size
    tracemalloc.start()
    try:
        with pytest.raises(ModelFileShapeError, match="its config describes a MLP with"):
            MLP.load(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # a small multiple of the file: parsing it, not building a network of nin inputs
    assert peak < 200 * size, (peak, size)


def test_a_config_of_100000_layers_gives_a_short_message(tmp_path):
    path = small_file(tmp_path, 4, [1] * 100_000)
    with pytest.raises(ModelFileShapeError) as refused:
        MLP.load(path)
    assert len(str(refused.value)) < 500


def test_deep_nesting_is_a_model_file_error_not_a_recursion_error(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(NotJSONModelFileError, match=r"deep\.json.*nests arrays or objects"):
        MLP.load(path)


def test_nesting_beyond_the_limit_in_the_config_is_refused(tmp_path):
    deep: object = 1
    for _ in range(MAX_NESTING + 1):
        deep = [deep]
    doc = document(2, [2], {})
    doc["config"]["extra"] = deep  # type: ignore[index]
    path = tmp_path / "deep.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(NotJSONModelFileError, match=f"more than {MAX_NESTING} levels"):
        MLP.load(path)


def test_a_fifo_is_refused_without_waiting(tmp_path, no_hang):
    path = tmp_path / "model.json"
    os.mkfifo(path)
    with pytest.raises(ModelFileError, match=r"model\.json.*not a regular file"):
        MLP.load(path)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_dev_zero_is_refused_without_reading(no_hang):
    with pytest.raises(ModelFileError, match="'/dev/zero' is a device, FIFO or socket"):
        MLP.load("/dev/zero")


def test_a_folder_is_refused(tmp_path):
    with pytest.raises(ModelFileError, match="is a folder, not a regular file"):
        MLP.load(tmp_path)


def test_a_file_over_the_size_cap_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "big.json"
    with open(path, "wb") as f:
        f.truncate(MAX_FILE_BYTES + 1)  # sparse: takes no disk space
    with pytest.raises(ModelFileError, match=f"the limit for a model file is {MAX_FILE_BYTES}"):
        MLP.load(path)


# --- integrity -----------------------------------------------------------------------------


def fingerprint(module: Module) -> tuple[str, str, list[tuple[str, str]]]:
    """Everything that makes a network: its class, its shape and every parameter, bit for bit."""
    return (
        type(module).__name__,
        json.dumps(module.config(), sort_keys=True),
        [(name, float(p.data).hex()) for name, p in module.named_parameters()],
    )


def test_every_single_bit_flip_is_refused_or_harmless(tmp_path):
    net = MLP(2, [2], seed=3)
    path = tmp_path / "model.json"
    net.save(path)
    original = path.read_bytes()
    expected = fingerprint(net)
    refused = harmless = 0
    for i in range(len(original)):
        for bit in range(8):
            damaged = bytearray(original)
            damaged[i] ^= 1 << bit
            path.write_bytes(bytes(damaged))
            try:
                loaded = Module.load(path)
            except ModelFileError:
                refused += 1
                continue
            # a flip that loads must give the very same network (e.g. 'e' -> 'E' in 1e-05,
            # or a flip inside a key that is ignored)
            assert fingerprint(loaded) == expected, f"byte {i} bit {bit} loaded another network"
            harmless += 1
    assert refused + harmless == 8 * len(original)
    assert refused > 0.9 * 8 * len(original)


def test_a_changed_parameter_is_a_checksum_error(tmp_path):
    path = tmp_path / "model.json"
    MLP(2, [2], seed=0).save(path)
    doc = json.loads(path.read_text())
    doc["parameters"]["layers.0.neurons.0.b"] += 2**-40
    path.write_text(json.dumps(doc))
    with pytest.raises(ModelFileChecksumError, match="damaged or was edited"):
        MLP.load(path)


def test_a_file_written_by_hand_without_checksum_loads_and_can_be_sealed(tmp_path):
    net = MLP(2, [1], "sigmoid", "sigmoid", seed=0)  # the activations document() writes
    doc = document(2, [1], net.state_dict())
    path = tmp_path / "by_hand.json"
    path.write_text(json.dumps(doc))
    assert fingerprint(MLP.load(path)) == fingerprint(net)  # no checksum: still loads
    stamp = seal(path)
    assert stamp == checksum("MLP", doc["config"], doc["parameters"])  # type: ignore[arg-type]
    assert json.loads(path.read_text())["checksum"] == stamp
    assert fingerprint(MLP.load(path)) == fingerprint(net)
    # now an edit is caught, and seal refuses to bless it unless forced
    edited = json.loads(path.read_text())
    edited["parameters"]["layers.0.neurons.0.w.0"] = 0.25
    path.write_text(json.dumps(edited))
    with pytest.raises(ModelFileChecksumError):
        MLP.load(path)
    with pytest.raises(ModelFileChecksumError):
        seal(path)
    seal(path, force=True)
    assert MLP.load(path).state_dict()["layers.0.neurons.0.w.0"] == 0.25


def test_the_checksum_does_not_depend_on_key_order_or_spacing(tmp_path):
    net = MLP(3, [2, 1], seed=random.Random(1))
    path = tmp_path / "model.json"
    net.save(path)
    doc = json.loads(path.read_text())
    reordered = dict(reversed(list(doc.items())))
    reordered["parameters"] = dict(reversed(list(doc["parameters"].items())))
    path.write_text(json.dumps(reordered, separators=(",", ":")))
    assert fingerprint(MLP.load(path)) == fingerprint(net)


LONG = "z" * 1_000_000


@pytest.mark.parametrize(
    "text",
    [
        json.dumps({"format": LONG}),
        json.dumps(dict(document(1, [1], {}), version=[0] * 100_000)),
        json.dumps(dict(document(1, [1], {LONG: "a string"}))),
        '{"' + LONG + '": 1, "' + LONG + '": 2}',
        json.dumps(dict(document(1, [1], {LONG: 1.0, "b": 0.0}))),
        json.dumps(dict(document(1, [1], {}), module=LONG)),
        json.dumps(document(1, [1], {"x": 1.0}) | {"checksum": LONG}),
    ],
    ids=["format", "version", "param-type", "duplicate", "param-name", "module", "checksum"],
)
def test_messages_about_a_file_quote_it_short(tmp_path, text):
    path = tmp_path / "model.json"
    path.write_text(text)
    with pytest.raises(ModelFileError) as refused:
        Module.load(path)
    assert len(str(refused.value)) < 600
