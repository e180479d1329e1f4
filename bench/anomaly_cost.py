"""What detect_anomaly() costs: nothing when off, and how much when on.

Off: leaving the block puts back the very same method objects that were there
before it was entered, so code outside the block runs exactly what it ran
before (checked below by identity). The op chain of ``chain.py`` is then timed
outside and inside the block, interleaved, to show what switching it on costs.
"""

from __future__ import annotations

from autograd import Value, detect_anomaly
from autograd.anomaly import _METHODS

from .chain import BLOCK, LINKS
from .chain import _deltagrad as _chain
from .harness import Result, interleave

ROUNDS = 11


def _checked_chain() -> float:
    with detect_anomaly():
        return _chain()


def run() -> Result:
    names = [*_METHODS, "backward"]
    before = {name: Value.__dict__[name] for name in names}
    with detect_anomaly():
        pass
    same = all(Value.__dict__[name] is before[name] for name in names)
    result = Result("detect_anomaly() on the op chain", "op", baseline="off")
    result.times = interleave(
        {"off": _chain, "on": _checked_chain}, ROUNDS, per_unit=2 * LINKS, block=BLOCK
    )
    result.notes.append(
        "off: after a block is left, every operation is the same object as before it was "
        f"entered ({'checked: identical' if same else 'NOT identical'}), so off costs nothing"
    )
    return result
