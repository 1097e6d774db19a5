"""Check `memlitmus suite`'s report on the LKMM corpus against herd7's pass/fail picture.

    memlitmus suite ../shared/corpus/lkmm --timeout 40 --json lkmm.json
    python benchmarks/lkmm_result_comments.py lkmm.json

herd7's picture is computed here, independently of memlitmus's suite code, by applying
judgelitmus.sh's rules (Linux tools/memory-model/scripts) to herd7's rows in
expected.tsv: the test fails when its `Result:` comment disagrees with herd7's verdict.
Prints both pictures and their differences; exit status 0 when, over the tests that have
both a comment and a herd7 row, exactly the same tests fail.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "lkmm"
RESULT = re.compile(r"^[( ]\* Result: (.*)$", re.MULTILINE)
DATARACE = re.compile(r"^[( ]\* Result: .* DATARACE", re.MULTILINE)


def herd_fails(text: str, row: dict[str, str]) -> bool:
    """judgelitmus.sh on herd7's Observation line (`Observation NAME WORD POS NEG`)."""
    match = RESULT.search(text)
    assert match is not None
    outcome = match.group(1).split()[0]
    predicted = DATARACE.search(text) is not None
    modeled = "data-race" in row["flags"].split(",")
    if predicted != modeled:
        return True
    no_execution = row["positive"] == "0" and row["negative"] == "0"
    if outcome == "DEADLOCK":
        return not no_execution
    if no_execution:
        return True
    return not (row["observation"] == outcome or outcome == "Maybe" or modeled)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path, help="the JSON report of memlitmus suite")
    args = parser.parse_args()
    csv.field_size_limit(1 << 30)
    with (CORPUS / "expected.tsv").open(newline="", encoding="utf-8") as handle:
        herd = {r["file"]: r for r in csv.DictReader(handle, delimiter="\t",
                                                       quoting=csv.QUOTE_NONE)}
    report = json.loads(args.report.read_text(encoding="utf-8"))
    ours = {str(Path(t["file"]).resolve().relative_to(CORPUS.resolve())): t
            for t in report["tests"]}
    commented = {str(p.relative_to(CORPUS)): p.read_text(encoding="utf-8", errors="replace")
                 for p in sorted(CORPUS.rglob("*.litmus"))}
    commented = {f: t for f, t in commented.items() if RESULT.search(t)}
    both = sorted(f for f in commented if f in herd)
    herd_bad = {f for f in both if herd_fails(commented[f], herd[f])}
    our_bad = {f for f in both if ours.get(f, {}).get("status") != "pass"}
    print(f"tests with a Result: comment: {len(commented)}, with a herd7 row: {len(both)}")
    print(f"herd7's verdict disagrees with the comment (should fail): {len(herd_bad)}")
    print(f"memlitmus suite: {len(our_bad)} not passing among them")
    for file in sorted(herd_bad - our_bad):
        print(f"  herd fails, memlitmus does not: {file} {ours.get(file, {}).get('status')}")
    for file in sorted(our_bad - herd_bad):
        test = ours.get(file, {})
        print(f"  memlitmus {test.get('status')}, herd passes: {file} {test.get('reasons')}")
    rest = sorted(f for f in commented if f not in herd)
    statuses: dict[str, int] = {}
    for file in rest:
        status = ours.get(file, {}).get("status", "absent")
        statuses[status] = statuses.get(status, 0) + 1
    print(f"commented tests without a herd7 row (herd7 did not finish): {len(rest)}: {statuses}")
    for file in sorted(herd_bad):
        print(f"  should fail: {file} ({herd[file]['observation']}"
              f"{' ' + herd[file]['flags'] if herd[file]['flags'] else ''})")
    return 0 if herd_bad == our_bad else 1


if __name__ == "__main__":
    sys.exit(main())
