"""Regression suites: expectations (`Result:` comments, herd's `.expected` and kinds.txt,
TSV files), a parallel runner with a result cache, and reports (docs/suite.md)."""

from memlitmus.suite.discover import SuiteTest, discover
from memlitmus.suite.runner import Status, SuiteRun, TestRun, check, run_suite

__all__ = ["Status", "SuiteRun", "SuiteTest", "TestRun", "check", "discover", "run_suite"]
