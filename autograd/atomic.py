"""Writing files atomically: a reader sees the old file or the new one, never half of one.

The new contents go to a temporary file in the same directory, which is
flushed to disk and then renamed over the target with :func:`os.replace` (an
atomic rename on POSIX and Windows). If anything fails before the rename, an
exception, a Ctrl-C, or a SIGTERM or SIGHUP (which would otherwise end the
process on the spot), the temporary file is removed and the target is left
exactly as it was; the signal then has its usual effect.

What may be written over is checked first (:func:`check_target`), and a
refusal is a :class:`TargetError` (an ``OSError``):

* a folder, a device, a FIFO or a socket is never replaced (as root, a rename
  would turn ``/dev/null`` into a regular file);
* a symbolic link is written through: the file it points to is replaced,
  atomically, by a temporary file in *that* file's folder, and the link stays
  a link. A dangling link and a link loop are refused;
* a file without write permission for the current user by its permission
  bits (mode 444, say) is refused unless ``force=True``: renaming over a file
  needs only the folder to be writable, and root may write anything, so
  without this check a read-only file would be replaced silently. With
  ``force`` the new file keeps the old one's permission bits.
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import IO, Any, BinaryIO, TextIO, cast

from .formatting import quote_short

__all__ = [
    "TargetError",
    "atomic_write_bytes",
    "atomic_write_text",
    "check_target",
    "write_atomic",
]


_PATH_LIMIT = 240
"""How many characters of a path a message quotes (then its length)."""


class TargetError(OSError):
    """A path that will not be written: a folder, a special file, a broken link, a read-only
    file, or a folder that cannot be written in. The message says which."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


def check_target(
    path: str | os.PathLike[str], *, force: bool = False, create_parents: bool = False
) -> Path:
    """Check that ``path`` may be written atomically; return the file that will be replaced.

    That is ``path`` itself, or for a symbolic link the file it points to. The
    folder that will receive the temporary file is tried out by creating and
    removing an empty file in it (the only test that holds for root and for
    read-only file systems alike). With ``create_parents`` missing folders are
    allowed (the nearest existing one is tried instead). Raises :class:`TargetError`.
    """
    target = _final_target(path, force=force)
    folder = target.parent
    while not folder.exists() and create_parents and folder != folder.parent:
        folder = folder.parent
    shown = _quoted(path)
    if not folder.exists():
        raise TargetError(f"{shown}: the folder {_quoted(folder)} does not exist")
    if not folder.is_dir():
        raise TargetError(f"{shown}: {_quoted(folder)} is a file, not a folder")
    try:
        fd, probe = tempfile.mkstemp(prefix=".deltagrad-probe.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise TargetError(
            f"{shown}: cannot write in the folder {_quoted(folder)}: {exc.strerror or exc}"
        ) from None
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(probe)
    return target


def _quoted(path: str | os.PathLike[str]) -> str:
    return quote_short(os.fspath(path), _PATH_LIMIT)


def _final_target(path: str | os.PathLike[str], *, force: bool) -> Path:
    """The file a write to ``path`` replaces (a link's target), checked for its kind."""
    given = Path(path)
    shown = _quoted(path)
    try:
        link = given.is_symlink()
    except OSError as exc:
        raise TargetError(f"{shown}: {exc.strerror or exc}") from None
    if link:
        try:
            os.stat(given)
        except FileNotFoundError:
            raise TargetError(
                f"{shown} is a symbolic link to {_quoted(os.readlink(given))}, which does "
                "not exist; remove the link or create its target"
            ) from None
        except OSError as exc:
            raise TargetError(
                f"{shown} is a symbolic link that cannot be followed: {exc.strerror or exc}"
            ) from None
        target = Path(os.path.realpath(given))
    else:
        target = given
    try:
        info = os.stat(target)
    except (FileNotFoundError, NotADirectoryError):  # the folders are checked by the caller
        return target
    except OSError as exc:
        raise TargetError(f"{shown}: {exc.strerror or exc}") from None
    kind = _special_kind(info.st_mode)
    if kind is not None:
        raise TargetError(f"{shown} is {kind}, not a regular file: it will not be replaced")
    if not force and not _writable_by_bits(info):
        raise TargetError(
            f"{shown} is read-only (mode {stat.S_IMODE(info.st_mode):o}): it will not be "
            "replaced (make it writable, or force it)"
        )
    return target


def _special_kind(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def _writable_by_bits(info: os.stat_result) -> bool:
    """Whether the permission bits let the current user write the file, ignoring that root
    may write anything (so a file made read-only stays so for root too)."""
    if not hasattr(os, "geteuid"):  # Windows: the read-only attribute
        return bool(info.st_mode & stat.S_IWUSR)
    if info.st_uid == os.geteuid():
        return bool(info.st_mode & stat.S_IWUSR)
    if info.st_gid == os.getegid() or info.st_gid in os.getgroups():
        return bool(info.st_mode & stat.S_IWGRP)
    return bool(info.st_mode & stat.S_IWOTH)


@contextlib.contextmanager
def atomic_write_text(path: str | os.PathLike[str], *, force: bool = False) -> Iterator[TextIO]:
    """A text file (UTF-8) that replaces ``path`` when the block ends without an exception."""
    with _atomic(path, "w", force) as f:
        yield cast(TextIO, f)


@contextlib.contextmanager
def atomic_write_bytes(path: str | os.PathLike[str], *, force: bool = False) -> Iterator[BinaryIO]:
    """A binary file that replaces ``path`` when the block ends without an exception."""
    with _atomic(path, "wb", force) as f:
        yield cast(BinaryIO, f)


def write_atomic(path: str | os.PathLike[str], data: bytes | str, *, force: bool = False) -> Path:
    """Write ``data`` (bytes, or text as UTF-8) to ``path`` atomically; return the path.

    Missing parent folders are created.
    """
    target = Path(path)
    _final_target(target, force=force)  # before creating any folder
    target.parent.mkdir(parents=True, exist_ok=True)
    with _atomic(target, "w" if isinstance(data, str) else "wb", force) as f:
        f.write(data)
    return target


_CLEANUP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)


@contextlib.contextmanager
def _atomic(path: str | os.PathLike[str], mode: str, force: bool) -> Iterator[IO[Any]]:
    target = _final_target(path, force=force)
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".tmp", dir=target.resolve().parent
    )
    tmp = Path(tmp_name)
    try:
        with _remove_on_signal(tmp):
            encoding = None if "b" in mode else "utf-8"
            with os.fdopen(fd, mode, encoding=encoding) as f:
                yield f
                f.flush()
                os.fsync(f.fileno())
            tmp.chmod(_mode_for(target))
            os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


@contextlib.contextmanager
def _remove_on_signal(tmp: Path) -> Iterator[None]:
    """While the block runs, SIGTERM and SIGHUP first remove ``tmp``, then act as before.

    Their default action ends the process without running ``finally`` blocks;
    the handler removes the file, restores the previous handler and sends the
    signal again, so the process still ends by that signal. Only in the main
    thread, where Python runs signal handlers.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous: dict[int, Any] = {}

    def handler(signum: int, frame: FrameType | None) -> None:
        with contextlib.suppress(OSError):
            tmp.unlink()
        before = previous.pop(signum)
        signal.signal(signum, before)
        if callable(before):
            before(signum, frame)
        else:
            os.kill(os.getpid(), signum)

    for signum in _CLEANUP_SIGNALS:
        current = signal.getsignal(signum)
        if current is not None and current is not signal.SIG_IGN:  # None: set outside Python
            previous[signum] = signal.signal(signum, handler)
    try:
        yield
    finally:
        for signum, before in previous.items():
            signal.signal(signum, before)


def _mode_for(target: Path) -> int:
    """The permission bits the new file should get: the old file's, else the umask default."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
