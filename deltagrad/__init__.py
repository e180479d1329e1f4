"""The ``deltagrad`` command line (``deltagrad grad``, ``train``, ``demo``).

The library itself is two packages: :mod:`autograd` (the engine) and
:mod:`nn` (neural networks); :mod:`viewers` draws networks and training runs.
This package only reads arguments, calls them and reports, one module per
subcommand in :mod:`deltagrad.commands`. ``python -m deltagrad`` is the same
as the ``deltagrad`` program.
"""

import nn as _nn  # noqa: F401 - importing nn checks that `autograd` is deltagrad's
