"""Output files of the commands (``--save``, ``--plot``, ``--svg``), checked before any work.

A problem with an output path must show up before a long training run, not
after it. :func:`output_problem` checks what :func:`autograd.atomic.check_target`
checks (the kind of file, links, read-only files, and that the folder can be
written in, by trying it) and returns one line for the user, or ``None``.
The write itself goes through :mod:`autograd.atomic` and checks again.
"""

from __future__ import annotations

from autograd.atomic import TargetError, check_target
from autograd.formatting import shorten

__all__ = ["FORCE_HELP", "PATH_LIMIT", "output_problem"]

PATH_LIMIT = 240
"""How many characters of a file name a message quotes (then its length)."""

FORCE_HELP = "replace output files even if they are read-only"
"""The help text of the commands' ``--force`` option."""


def output_problem(
    flag: str, path: str, *, force: bool = False, create_parents: bool = False
) -> str | None:
    """What is wrong with writing ``path`` for option ``flag`` (one line), or ``None``.

    >>> output_problem("--save", "/")
    "--save /: '/' is a folder, not a regular file: it will not be replaced"
    """
    try:
        check_target(path, force=force, create_parents=create_parents)
    except TargetError as exc:
        message = str(exc)
        if "read-only" in message and not force:
            message = message.replace("or force it", "or add --force")
        return f"{flag} {shorten(path, PATH_LIMIT)}: {message}"
    return None
