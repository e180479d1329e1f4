"""Writing files atomically: a reader sees the old file or the new one, never half of one.

The new contents go to a temporary file in the same directory, which is
flushed to disk and then renamed over the target with :func:`os.replace` (an
atomic rename on POSIX and Windows). If anything fails before the rename, an
exception or a Ctrl-C, the temporary file is removed and the target is left
exactly as it was.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, BinaryIO, TextIO, cast

__all__ = ["atomic_write_bytes", "atomic_write_text", "write_atomic"]


@contextlib.contextmanager
def atomic_write_text(path: str | os.PathLike[str]) -> Iterator[TextIO]:
    """A text file (UTF-8) that replaces ``path`` when the block ends without an exception."""
    with _atomic(path, "w") as f:
        yield cast(TextIO, f)


@contextlib.contextmanager
def atomic_write_bytes(path: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """A binary file that replaces ``path`` when the block ends without an exception."""
    with _atomic(path, "wb") as f:
        yield cast(BinaryIO, f)


def write_atomic(path: str | os.PathLike[str], data: bytes | str) -> Path:
    """Write ``data`` (bytes, or text as UTF-8) to ``path`` atomically; return the path.

    Missing parent folders are created.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with _atomic(target, "w" if isinstance(data, str) else "wb") as f:
        f.write(data)
    return target


@contextlib.contextmanager
def _atomic(path: str | os.PathLike[str], mode: str) -> Iterator[IO[Any]]:
    target = Path(path)
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".tmp", dir=target.resolve().parent
    )
    tmp = Path(tmp_name)
    try:
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


def _mode_for(target: Path) -> int:
    """The permission bits the new file should get: the old file's, else the umask default."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
