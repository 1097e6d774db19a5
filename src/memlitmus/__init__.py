"""memlitmus: a weak-memory litmus test engine with herd7-compatible verdicts."""

__version__ = "0.1.0"
