"""The safetensors export: torch.nn.Sequential names, exact round trip, bounded and checked reading.

The comparison with PyTorch itself is `make torch-check` (bench/torch_check.py);
here the file is read back by deltagrad, by hand, and by the `safetensors`
package's own reader (its numpy back end, no PyTorch).
"""

import json
import math
import struct

import pytest

import nn.safetensors as st
from deltagrad.cli import main
from nn import MLP
from nn.safetensors import SafetensorsError, Tensor, write_safetensors


def micrograd_shape():
    return MLP(2, [16, 16, 1], seed=4)


def parse_by_hand(path):
    raw = path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    return n, header, raw[8 + n :]


def test_names_shapes_and_layout_follow_torch_sequential(tmp_path):
    net = micrograd_shape()
    path = tmp_path / "net.safetensors"
    net.save(path, format="safetensors")
    n, header, data = parse_by_hand(path)
    assert n % 8 == 0  # padded so that the data is 8-byte aligned
    meta = header.pop("__metadata__")
    assert meta["sequential"] == (
        "Sequential(Linear(2, 16), ReLU(), Linear(16, 16), ReLU(), Linear(16, 1))"
    )
    assert meta["format"] == "pt" and json.loads(meta["deltagrad"]) == net.config()
    shapes = {name: entry["shape"] for name, entry in header.items()}
    assert shapes == {
        "0.weight": [16, 2],
        "0.bias": [16],
        "2.weight": [16, 16],
        "2.bias": [16],
        "4.weight": [1, 16],
        "4.bias": [1],
    }
    assert all(entry["dtype"] == "F64" for entry in header.values())
    # weight[j][i] is the weight from input i into neuron j (torch.nn.Linear's layout)
    begin = header["2.weight"]["data_offsets"][0]
    j, i = 3, 5
    (value,) = struct.unpack_from("<d", data, begin + 8 * (j * 16 + i))
    assert value == net.layers[1].neurons[j].w[i].data
    begin = header["4.bias"]["data_offsets"][0]
    assert struct.unpack_from("<d", data, begin)[0] == net.layers[2].neurons[0].b.data
    assert sum(e["data_offsets"][1] - e["data_offsets"][0] for e in header.values()) == len(data)


def test_the_safetensors_package_reads_our_file(tmp_path):
    import safetensors.numpy as safetensors_numpy  # a dev dependency: the format's own reader

    net = MLP(3, [4, 2], "tanh", "sigmoid", seed=0)
    path = tmp_path / "net.safetensors"
    net.save(path, format="safetensors")
    arrays = safetensors_numpy.load_file(str(path))
    assert sorted(arrays) == ["0.bias", "0.weight", "2.bias", "2.weight"]
    weights, biases = net.weights_and_biases()
    assert arrays["0.weight"].tolist() == weights[0] and arrays["2.bias"].tolist() == biases[1]
    assert str(arrays["0.weight"].dtype) == "float64"


def test_numbering_with_identity_and_output_activation(tmp_path):
    net = MLP(2, [3, 3, 2], ["linear", "tanh", "sigmoid"], seed=1)
    path = tmp_path / "n.safetensors"
    net.save(path, format="safetensors")
    _, header, _ = parse_by_hand(path)
    assert header["__metadata__"]["sequential"] == (
        "Sequential(Linear(2, 3), Identity(), Linear(3, 3), Tanh(), Linear(3, 2), Sigmoid())"
    )
    assert {k for k in header if k != "__metadata__"} == {
        "0.weight",
        "0.bias",
        "2.weight",
        "2.bias",
        "4.weight",
        "4.bias",
    }


@pytest.mark.parametrize("suffix", [".safetensors", ".bin"])
def test_round_trip_is_exact(tmp_path, suffix):
    net = MLP(4, [5, 6, 3], "tanh", "sigmoid", seed=11)
    path = tmp_path / f"net{suffix}"
    net.save(path, format="safetensors")
    back = MLP.load(path)  # by suffix, or by content for .bin
    assert back.state_dict() == net.state_dict()  # every float64 bit for bit
    assert back.activations == net.activations and back.nouts == net.nouts
    x = [0.1, -0.2, 0.3, 0.7]
    assert [v.data for v in back(x)] == [v.data for v in net(x)]


def test_json_model_files_still_load_and_are_not_taken_for_safetensors(tmp_path):
    net = MLP(2, [3, 1], seed=0)
    path = tmp_path / "net.json"
    net.save(path)
    assert MLP.load(path).state_dict() == net.state_dict()
    with pytest.raises(ValueError, match="unknown format 'xml'"):
        net.save(tmp_path / "x", format="xml")


def test_f32_is_widened_and_foreign_files_need_activations(tmp_path):
    path = tmp_path / "foreign.safetensors"
    weight = struct.pack("<4f", 0.5, -1.25, 2.0, 0.1)
    bias = struct.pack("<2f", 0.25, -0.5)
    header = {
        "0.weight": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]},
        "0.bias": {"dtype": "F32", "shape": [2], "data_offsets": [16, 24]},
    }
    text = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(text)) + text + weight + bias)
    with pytest.raises(SafetensorsError, match="does not say its activations"):
        MLP.load(path)
    net = MLP.load(path, activation="relu", output_activation="tanh")
    assert net.activations == ["tanh"]
    w, b = net.weights_and_biases()
    assert w == [[[0.5, -1.25], [2.0, struct.unpack("<f", struct.pack("<f", 0.1))[0]]]]
    assert b == [[0.25, -0.5]]


def good_file(tmp_path):
    path = tmp_path / "good.safetensors"
    MLP(2, [2, 1], seed=0).save(path, format="safetensors")
    return path


def rewrite(path, header, data=None, n=None):
    raw = path.read_bytes()
    (old_n,) = struct.unpack("<Q", raw[:8])
    body = raw[8 + old_n :] if data is None else data
    text = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(text) if n is None else n) + text + body)


def header_of(path):
    return parse_by_hand(path)[1]


def damaged(tmp_path, change):
    path = good_file(tmp_path)
    header = header_of(path)
    change(header)
    rewrite(path, header)
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda h: h["0.weight"].update(dtype="F16"), "dtype 'F16' is not supported"),
        (lambda h: h["0.weight"].update(dtype="I64"), "dtype 'I64' is not supported"),
        (lambda h: h["0.weight"].update(shape=[2, 3]), "needs 48 bytes, data_offsets give 32"),
        (lambda h: h["0.weight"].update(shape=[-2, 2]), "is not a shape"),
        (lambda h: h["0.weight"].update(shape="2x2"), "is not a shape"),
        (lambda h: h["0.bias"].update(data_offsets=[8, 0]), "are not \\[begin, end\\]"),
        (lambda h: h["0.weight"].pop("dtype"), "expected dtype, shape and data_offsets"),
        (lambda h: h.update({"__metadata__": {"a": 1}}), "__metadata__ must map names"),
        (lambda h: h.pop("2.bias"), "the tensors take 64 bytes, but 72 bytes"),
        (lambda h: h.update({"1.weight": h.pop("2.weight")}), "found 0.bias, 0.weight, 1.weight"),
    ],
)
def test_damaged_headers_are_refused_by_name(tmp_path, change, message):
    path = damaged(tmp_path, change)
    with pytest.raises(SafetensorsError, match=message) as e:
        MLP.load(path)
    assert str(path) in str(e.value)


def test_gaps_overlaps_and_bounds(tmp_path, monkeypatch):
    path = good_file(tmp_path)
    header = header_of(path)
    meta = header.pop("__metadata__")
    header["0.bias"]["data_offsets"] = [24, 40]  # overlaps 0.weight's [0, 32)
    rewrite(path, {"__metadata__": meta, **header})
    with pytest.raises(SafetensorsError, match="overlaps"):
        MLP.load(path)

    path = good_file(tmp_path)
    raw = path.read_bytes()
    path.write_bytes(raw[:-8])  # truncated: the data is 8 bytes short
    with pytest.raises(SafetensorsError, match="the tensors take 72 bytes, but 64"):
        MLP.load(path, format="safetensors")
    path.write_bytes(raw + b"\0" * 8)  # trailing bytes
    with pytest.raises(SafetensorsError, match="but 80 bytes of data"):
        MLP.load(path, format="safetensors")
    path.write_bytes(struct.pack("<Q", 2**40) + b"{}")
    with pytest.raises(SafetensorsError, match="over the limit"):
        MLP.load(path, format="safetensors")
    path.write_bytes(struct.pack("<Q", 1000) + b"{}")
    with pytest.raises(SafetensorsError, match="only 2 bytes follow"):
        MLP.load(path, format="safetensors")
    path.write_bytes(b"\x01\x02")
    with pytest.raises(SafetensorsError, match="has 2 bytes"):
        MLP.load(path, format="safetensors")
    path.write_bytes(struct.pack("<Q", 3) + b"{x}")
    with pytest.raises(SafetensorsError, match="not JSON"):
        MLP.load(path, format="safetensors")
    monkeypatch.setattr(st, "MAX_ELEMENTS", 5)
    with pytest.raises(SafetensorsError, match="more than 5 numbers"):
        MLP.load(good_file(tmp_path))


def test_non_finite_numbers_and_shape_chain(tmp_path):
    path = tmp_path / "nan.safetensors"
    write_safetensors(
        path,
        {
            "0.weight": Tensor((1, 2), [1.0, 2.0]),
            "0.bias": Tensor((1,), [0.0]),
        },
    )
    raw = bytearray(path.read_bytes())
    raw[-8:] = struct.pack("<d", math.nan)
    path.write_bytes(bytes(raw))
    with pytest.raises(SafetensorsError, match="finite"):
        MLP.load(path, activation="relu")
    write_safetensors(
        path,
        {
            "0.weight": Tensor((3, 2), [1.0] * 6),
            "0.bias": Tensor((3,), [0.0] * 3),
            "2.weight": Tensor((1, 4), [1.0] * 4),
            "2.bias": Tensor((1,), [0.0]),
        },
    )
    with pytest.raises(SafetensorsError, match=r"2\.weight takes 4 inputs, but layer 0 has 3"):
        MLP.load(path, activation="relu")
    with pytest.raises(ValueError, match="finite numbers only"):
        write_safetensors(path, {"0.weight": Tensor((1,), [math.inf])})


def test_cli_saves_safetensors(capsys, tmp_path):
    path = tmp_path / "moons.safetensors"
    args = ["train", "moons", "--epochs", "1", "--samples", "20", "--no-progress"]
    assert main([*args, "--save", str(path), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["saved"] == str(path)
    net = MLP.load(path)
    assert net.nouts == [16, 16, 1] and net.activations == ["relu", "relu", "linear"]


def test_a_fifo_or_folder_named_safetensors_is_refused_without_waiting(tmp_path):
    """Only regular files are read: a FIFO would block the reader forever."""
    import os

    from nn.modelfile import ModelFileError

    fifo = tmp_path / "pipe.safetensors"
    os.mkfifo(fifo)
    folder = tmp_path / "dir.safetensors"
    folder.mkdir()
    for path in (fifo, folder):
        with pytest.raises(ModelFileError, match="not a regular file"):
            MLP.load(path)
