"""Compact number formatting shared by the drawings and the step-through."""

from __future__ import annotations

import math

__all__ = ["QUOTE_LIMIT", "format_exact", "format_number", "quote_short", "shorten"]

QUOTE_LIMIT = 60
"""How many characters of a user's text an error message quotes at most."""


def format_number(x: float, digits: int = 4) -> str:
    """``x`` with ``digits`` significant digits, compactly.

    Positional notation from 1e-4 up to ``10**digits``, short scientific
    notation (no ``+``, no leading zeros in the exponent) outside that range;
    trailing zeros are dropped, both zeros print as ``0``, and ``nan``,
    ``inf``, ``-inf`` print as such.

    >>> [format_number(v) for v in (3.0, 2 / 3, -0.5, 1234.5678, 123456.0, 1e-7, -0.0)]
    ['3', '0.6667', '-0.5', '1235', '1.235e5', '1e-7', '0']
    >>> [format_number(float(s)) for s in ("nan", "inf", "-inf")]
    ['nan', 'inf', '-inf']
    >>> format_number(2 / 3, digits=8)
    '0.66666667'
    """
    if isinstance(digits, bool) or not isinstance(digits, int) or not 1 <= digits <= 17:
        raise ValueError(f"format_number: digits must be an int from 1 to 17, got {digits!r}")
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0:
        return "0"
    text = f"{x:.{digits}g}"
    mantissa, e, exponent = text.partition("e")
    return f"{mantissa}e{int(exponent)}" if e else text


def format_exact(x: float) -> str:
    """``x`` in full: the shortest text that reads back as the same float, ``2`` for 2.0.

    >>> [format_exact(v) for v in (2.0, 0.1 + 0.2, -0.0, 1e300, float("nan"))]
    ['2', '0.30000000000000004', '-0', '1e+300', 'nan']
    """
    text = repr(float(x))
    return text[:-2] if text.endswith(".0") else text


def quote_short(text: object, limit: int = QUOTE_LIMIT) -> str:
    """``text`` quoted for an error message, cut to its first ``limit`` characters.

    Error messages quote what the user gave (an argument, a file name, a
    piece of a file); quoting it whole would let a message grow without
    bound. Longer texts keep their start and say how long they were:

    >>> quote_short("x=1.5")
    "'x=1.5'"
    >>> quote_short("1" * 100_000, limit=8)
    "'11111111'... (100000 characters)"

    Anything that is not a string is quoted by its ``repr``, cut the same way
    (``repr`` of a huge integer is refused by Python, so it is described instead).
    """
    if not isinstance(text, str):
        if isinstance(text, int) and not isinstance(text, bool) and text.bit_length() > 4000:
            return f"an integer of {text.bit_length()} bits"
        text = repr(text)
        return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}... ({len(text)} characters)"


def shorten(text: str, limit: int = QUOTE_LIMIT) -> str:
    """``text`` unquoted, cut like :func:`quote_short` (for ``--at x=1`` and file names).

    >>> shorten("x=1")
    'x=1'
    >>> shorten("x=" + "1" * 99, limit=5)
    'x=111... (101 characters)'
    """
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"
