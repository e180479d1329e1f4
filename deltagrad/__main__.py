"""``python -m deltagrad``: the same as the ``deltagrad`` program."""

import sys

from .cli import main

sys.exit(main())
