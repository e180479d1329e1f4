"""Output files (``--save``, ``--plot``, ``--svg``, ``Module.save``): checked before any work,
never a device, a folder or a FIFO replaced, links written through, read-only files kept.

Tests run as root here, where permission bits do not stop a write: an unwritable
folder is ``/sys`` for root (the kernel refuses new files there), a folder of mode 555
otherwise; devices are private device nodes made with ``mknod`` (never ``/dev/null``
itself, which a failing test would replace).
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import deltagrad.commands.train as train_command
from autograd.atomic import TargetError, atomic_write_text, check_target
from deltagrad.cli import main
from nn import MLP

ROOT = Path(__file__).resolve().parents[1]


def unwritable_folder(tmp_path: Path) -> Path:
    if os.geteuid() == 0:
        return Path("/sys")
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    return folder


def make(kind: str, tmp_path: Path, name: str = "model.json") -> tuple[Path, str]:
    """A path of the given ``kind``, named ``name``, and what the refusal must say."""
    path = tmp_path / name
    if kind == "folder":
        path.mkdir()
        return path, "is a folder"
    if kind == "unwritable folder":
        return unwritable_folder(tmp_path) / name, "cannot write in the folder"
    if kind == "symlink loop":
        other = tmp_path / ("other-" + name)
        path.symlink_to(other)
        other.symlink_to(path)
        return path, "symbolic link that cannot be followed"
    if kind == "dangling symlink":
        path.symlink_to(tmp_path / "nowhere" / name)
        return path, "which does not exist"
    if kind == "device":
        try:
            os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a twin of /dev/null
        except PermissionError:
            pytest.skip("mknod is not allowed here")
        return path, "is a device, not a regular file"
    if kind == "fifo":
        os.mkfifo(path)
        return path, "is a FIFO (named pipe)"
    if kind == "read-only file":
        path.write_text("old")
        path.chmod(0o444)
        return path, "is read-only (mode 444)"
    raise AssertionError(kind)


KINDS = [
    "folder",
    "unwritable folder",
    "symlink loop",
    "dangling symlink",
    "device",
    "fifo",
    "read-only file",
]


def state(path: Path) -> tuple[int, bytes | None]:
    """What a path is, to check that a refusal left it alone."""
    info = os.lstat(path) if os.path.lexists(path) else None
    if info is None:
        return 0, None
    content = path.read_bytes() if stat.S_ISREG(info.st_mode) else None
    return info.st_mode, content


@pytest.mark.parametrize("flag", ["--save", "--plot"])
@pytest.mark.parametrize("kind", KINDS)
def test_train_refuses_a_bad_output_before_the_first_epoch(
    capsys, tmp_path, monkeypatch, kind, flag
):
    path, message = make(kind, tmp_path, "model.json" if flag == "--save" else "plot.png")
    before = state(path)
    monkeypatch.setattr(train_command, "fit", lambda *a, **kw: pytest.fail("trained anyway"))
    status = main(["train", "iris", "--no-progress", flag, str(path)])
    out, err = capsys.readouterr()
    assert status == 2 and out == ""
    assert err.startswith(f"deltagrad train: {flag} ") and message in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert state(path) == before


@pytest.mark.parametrize("kind", KINDS)
def test_grad_svg_refuses_a_bad_output_before_computing(capsys, tmp_path, kind):
    path, message = make(kind, tmp_path, "graph.svg")
    before = state(path)
    status = main(["grad", "x*x", "--at", "x=3", "--svg", str(path)])
    out, err = capsys.readouterr()
    assert status == 2 and out == ""
    assert message in err and err.count("\n") == 1
    assert state(path) == before


@pytest.mark.parametrize("kind", KINDS)
def test_module_save_refuses_and_leaves_the_path_alone(tmp_path, kind):
    path, message = make(kind, tmp_path)
    before = state(path)
    # an unwritable folder is the operating system's refusal (PermissionError), the
    # others are refused before any file is made (TargetError); both are OSErrors
    expected = PermissionError if kind == "unwritable folder" else TargetError
    with pytest.raises(expected) as refused:
        MLP(2, [2], seed=0).save(path)
    if expected is TargetError:
        assert message in str(refused.value)
    assert state(path) == before
    assert not list(tmp_path.glob(".*.tmp"))


def test_a_read_only_model_file_is_replaced_with_force_and_stays_read_only(capsys, tmp_path):
    path = tmp_path / "model.json"
    MLP(2, [2], seed=0).save(path)
    path.chmod(0o444)
    new = MLP(2, [2], seed=1)
    new.save(path, force=True)
    assert stat.S_IMODE(path.stat().st_mode) == 0o444
    assert MLP.load(path).state_dict() == new.state_dict()


def test_train_force_replaces_a_read_only_save(capsys, tmp_path):
    path = tmp_path / "model.json"
    path.write_text("old")
    path.chmod(0o444)
    status = main(["train", "iris", "--epochs", "1", "--no-progress", "--save", str(path)])
    assert status == 2 and path.read_text() == "old"
    capsys.readouterr()
    status = main(
        ["train", "iris", "--epochs", "1", "--no-progress", "--save", str(path), "--force"]
    )
    assert status == 0 and MLP.load(path).nin == 4


def test_a_symlink_is_written_through_and_stays_a_link(capsys, tmp_path):
    real = tmp_path / "models" / "real.json"
    real.parent.mkdir()
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    status = main(["train", "iris", "--epochs", "1", "--no-progress", "--save", str(link)])
    out, _ = capsys.readouterr()
    assert status == 0 and f"model saved to {link}" in out
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert MLP.load(real).nin == 4  # the target got the model
    assert not list(real.parent.glob(".*.tmp")) and not list(tmp_path.glob(".*.tmp"))


def test_check_target_returns_the_file_a_link_points_to(tmp_path):
    real = tmp_path / "real.json"
    link = tmp_path / "link.json"
    link.symlink_to(real)
    real.write_text("{}")
    assert check_target(link) == real
    assert check_target(tmp_path / "new" / "x.svg", create_parents=True) == (
        tmp_path / "new" / "x.svg"
    )


SLOW_SAVE = """
import sys, time
from autograd.atomic import atomic_write_text
with atomic_write_text(sys.argv[1]) as f:
    f.write("half of a new file")
    f.flush()
    print("writing", flush=True)
    time.sleep(60)
    f.write("never")
"""


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_during_a_save_leaves_no_temporary_file(tmp_path, signum):
    target = tmp_path / "model.json"
    target.write_text("old")
    proc = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(SLOW_SAVE), str(target)],
        stdout=subprocess.PIPE,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline() == b"writing\n"
    assert list(tmp_path.glob(".model.json.*.tmp"))  # the save is under way
    proc.send_signal(signum)
    assert proc.wait(timeout=30) == -signum  # still ended by the signal
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.json"]
    assert target.read_text() == "old"


def test_an_exception_during_a_save_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "a.txt"
    with pytest.raises(RuntimeError), atomic_write_text(target) as f:
        f.write("x")
        raise RuntimeError
    assert list(tmp_path.iterdir()) == []
