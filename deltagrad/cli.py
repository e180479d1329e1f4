"""The ``deltagrad`` command line: a dispatcher over :mod:`deltagrad.commands`.

Each subcommand lives in its own module there, which registers its parser
and its ``run`` function; add a module to :data:`COMMAND_MODULES` to add one.

Whatever happens, a user sees at most one line on stderr, never a traceback,
and the exit status says what kind of thing happened (:data:`EXIT_CODES`):
the commands' own statuses (0 done, 1 the math failed, 2 the arguments
cannot be used), and three that this dispatcher gives for any command:

* 130: interrupted by Ctrl-C, also during start-up (the imports and the
  reading of the arguments), as shells report a process stopped by SIGINT;
* 141: stdout was closed by its reader (``deltagrad ... | head -c 10``):
  nothing is printed, as ``yes | head`` prints nothing; 141 is what a shell
  reports for a process stopped by SIGPIPE;
* 74: stdout cannot be written (a full disk, ``> /dev/full``): one line on
  stderr (74 is ``EX_IOERR`` of BSD's ``sysexits.h``).

Only the few milliseconds in which Python itself starts, before this module
runs, are outside its reach; so that they stay few, this module imports only
the standard library at its top, and the commands inside :func:`main`.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import os
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType
from typing import Any, NoReturn, TextIO, cast

__all__ = [
    "COMMAND_MODULES",
    "EXIT_CODES",
    "EXIT_INTERRUPTED",
    "EXIT_OUTPUT_CLOSED",
    "EXIT_OUTPUT_FAILED",
    "build_parser",
    "main",
]

COMMAND_MODULES = ("demo", "train", "grad", "draw")
"""The modules of :mod:`deltagrad.commands`, imported when :func:`main` runs."""

EXIT_INTERRUPTED = 130
"""Exit status after Ctrl-C (128 + SIGINT, as a shell reports it)."""
EXIT_OUTPUT_CLOSED = 141
"""Exit status when stdout's reader has gone (128 + SIGPIPE, as a shell reports it)."""
EXIT_OUTPUT_FAILED = 74
"""Exit status when stdout cannot be written, e.g. a full disk (``EX_IOERR``)."""

EXIT_CODES = {
    0: "done",
    1: "the math failed on the given numbers",
    2: "the command cannot be carried out as given (arguments, files)",
    EXIT_OUTPUT_FAILED: "stdout cannot be written",
    EXIT_INTERRUPTED: "interrupted by Ctrl-C",
    EXIT_OUTPUT_CLOSED: "stdout was closed by its reader",
}
"""Every exit status of ``deltagrad``, and its meaning."""

_TEST_SIGNAL_ENV = "DELTAGRAD_TEST_SIGINT_AT"
"""For the tests: a phase name (``imports``, ``parse``, ``run``) at which :func:`main`
sends itself SIGINT, so that an interrupt at that moment can be tested deterministically."""


def build_parser() -> argparse.ArgumentParser:
    """The parser of every subcommand (importing the command modules)."""
    parser = _Parser(
        prog="deltagrad", description="Watch backpropagation happen, one node at a time."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        module: Any = importlib.import_module(f"deltagrad.commands.{name}")
        module.register(sub)
    return parser


class _Parser(argparse.ArgumentParser):
    """argparse's parser, whose error messages quote long arguments short (argparse repeats
    an unknown choice or argument whole, however long)."""

    def error(self, message: str) -> NoReturn:
        from autograd.formatting import shorten

        super().error(" ".join(shorten(word) for word in message.split(" ")))


def _check_count(parser: argparse.ArgumentParser, arguments: list[str]) -> None:
    """Refuse more arguments than :data:`deltagrad.limits.ARGUMENTS` allows (a usage error)."""
    from .limits import ARGUMENTS

    if len(arguments) > ARGUMENTS.high:
        parser.error(f"{len(arguments)} arguments; the limit is {ARGUMENTS.high} ({ARGUMENTS.why})")


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``deltagrad`` with ``argv`` (default: the program's arguments); return the status."""
    try:
        with _quit_on_sigint():
            _test_signal("imports")
            parser = build_parser()
            _test_signal("parse")
            arguments = sys.argv[1:] if argv is None else list(argv)
            _check_count(parser, arguments)
            args = parser.parse_args(arguments)
        _test_signal("run")
        stdout = sys.stdout
        sys.stdout = cast(TextIO, _GuardedOutput(stdout))
        try:
            status: int = args.run(args)
            sys.stdout.flush()
        finally:
            sys.stdout = stdout
    except KeyboardInterrupt:
        _say("deltagrad: interrupted")
        return EXIT_INTERRUPTED
    except _OutputError as exc:
        _silence_stdout()
        if exc.error.errno in (errno.EPIPE, errno.ECONNRESET):
            return EXIT_OUTPUT_CLOSED
        _say(f"deltagrad: cannot write the output: {exc.error.strerror or exc.error}")
        return EXIT_OUTPUT_FAILED
    return status


class _OutputError(Exception):
    """Writing stdout failed; ``error`` is the ``OSError``."""

    def __init__(self, error: OSError) -> None:
        super().__init__(str(error))
        self.error = error


class _GuardedOutput:
    """stdout, whose write errors become :class:`_OutputError` (told apart from file errors)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except OSError as exc:
            raise _OutputError(exc) from None

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as exc:
            raise _OutputError(exc) from None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that Python's own flush at exit finds nothing to fail on."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # a test's captured stream
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


def _say(line: str) -> None:
    """One line on stderr; if even stderr is gone there is nobody left to tell."""
    try:
        print(line, file=sys.stderr)
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


class _quit_on_sigint:
    """During start-up a Ctrl-C ends the program at once with status 130 and one line.

    Nothing has been written yet, so there is nothing to clean up; this holds
    even when the signal arrives inside an import, where a KeyboardInterrupt
    could be caught or half-handled by the imported module. Only in the main
    thread (elsewhere signals cannot be handled, and start-up is not interrupted).
    """

    def __enter__(self) -> None:
        self.previous: Any = None
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, _exit_interrupted)
            from . import ORIGINAL_SIGINT, early_sigint

            if self.previous is early_sigint:  # after start-up, Ctrl-C is a KeyboardInterrupt
                self.previous = ORIGINAL_SIGINT

    def __exit__(self, *exc: object) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)


def _exit_interrupted(signum: int, frame: FrameType | None) -> NoReturn:
    _say("deltagrad: interrupted")
    os._exit(EXIT_INTERRUPTED)


def _test_signal(phase: str) -> None:
    if os.environ.get(_TEST_SIGNAL_ENV) == phase:
        signal.raise_signal(signal.SIGINT)


if __name__ == "__main__":
    sys.exit(main())
