#!/usr/bin/env python3
"""Accuracy of figure subjects (report_parser.subjects) against the hand-written tests/fixtures/subjects.jsonl.

    PYTHONPATH=src python scripts/subject_accuracy.py [FIXTURE] [--misses]

Each fixture line is a sentence of a bundled notice, the figure's offsets in it and the subject a reader
gives it (`subject`, null when the figure counts nothing named, and `alt`: other acceptable readings).
Prints the misses (with --misses) and a last line `accuracy: A (hits/total)`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "subjects.jsonl"


def load(path: Path = FIXTURE) -> list[dict]:
    """The fixture cases, one dict a line."""
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def evaluate(cases: list[dict]) -> tuple[float, list[tuple[dict, str | None]]]:
    """(accuracy, misses as (case, predicted subject))."""
    from report_parser.analysis import segmenter
    from report_parser.subjects import subject_of

    seg = segmenter()
    misses = []
    for c in cases:
        got = subject_of(c["sentence"], c["start"], c["end"], c.get("unit"), seg=seg)
        if got != c["subject"] and got not in c.get("alt", []):
            misses.append((c, got))
    return (1 - len(misses) / len(cases)) if cases else 0.0, misses


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("fixture", nargs="?", type=Path, default=FIXTURE)
    ap.add_argument("--misses", action="store_true", help="print every case the rules get wrong")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT / "src"))
    cases = load(args.fixture)
    acc, misses = evaluate(cases)
    if args.misses:
        for c, got in misses:
            s = c["sentence"]
            ctx = s[max(0, c["start"] - 20):c["start"]] + "【" + c["metric"] + "】" + s[c["end"]:c["end"] + 20]
            print(f"want {c['subject']!s:<20} got {got!s:<20} {ctx}")
    print(f"accuracy: {acc:.3f} ({len(cases) - len(misses)}/{len(cases)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
