"""The ``deltagrad`` command line (``deltagrad grad``, ``train``, ``demo``).

The library itself is two packages: :mod:`autograd` (the engine) and
:mod:`nn` (neural networks); :mod:`viewers` draws networks and training runs.
This package only reads arguments, calls them and reports, one module per
subcommand in :mod:`deltagrad.commands`. ``python -m deltagrad`` is the same
as the ``deltagrad`` program.
"""

import _signal  # type: ignore[import-not-found]  # the C module: importing it imports nothing else (``signal`` imports enum)
import os as _os
import sys as _sys

ORIGINAL_SIGINT = _signal.getsignal(_signal.SIGINT)
"""The SIGINT handler Python had when this package was imported."""


def early_sigint(signum: int, frame: object) -> None:
    """Ctrl-C while the program is still starting: one line, status 130, no traceback."""
    _os.write(2, b"deltagrad: interrupted\n")
    _os._exit(130)


# Only when this package is the program being started (``deltagrad`` or
# ``python -m deltagrad``), never when a notebook or a test imports it: from
# here until :func:`deltagrad.cli.main` takes over, a Ctrl-C in the middle of
# an import (of nn, numpy, ...) must not show a traceback.
if _sys.argv and (_sys.argv[0] == "-m" or _os.path.basename(_sys.argv[0]) == "deltagrad"):
    _signal.signal(_signal.SIGINT, early_sigint)

import nn as _nn  # noqa: E402, F401 - importing nn checks that `autograd` is deltagrad's
