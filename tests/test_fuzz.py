"""A few hundred mutants of the project's own litmus files and cat models, through the
command line: no traceback, no internal error, every exit 0 or 2 with `file:line:col`
(`benchmarks/fuzz.py` runs the long campaigns, over the reference corpora too)."""

from __future__ import annotations

import pytest

from benchmarks import fuzz


@pytest.mark.parametrize("seed", [11, 12])
def test_mutants_never_crash_and_every_rejection_has_a_position(seed: int) -> None:
    # generous bounds: this checks crashes and messages, not speed on a busy machine
    tally = fuzz.run(150, seed, timeout=10.0, slack=60.0, include_corpus=False)
    assert tally.mutants == 150
    assert dict(tally.failures) == {}, tally.examples
    assert set(tally.exits) <= {0, 2}
    assert tally.exits[0] > 0 and tally.exits[2] > 0
