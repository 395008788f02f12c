"""The notices written for the tests, scored against their hand-written gold files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FIXTURES, check_invariants

import report_parser

NOTICES = FIXTURES / "notices"
NAMES = sorted(p.name.removesuffix(".gold.json") for p in NOTICES.glob("*.gold.json"))


def _score(scorer, name: str):
    path = NOTICES / f"{name}.txt"
    gold = json.loads((NOTICES / f"{name}.gold.json").read_text(encoding="utf-8"))
    doc = report_parser.parse_file(path)
    source = path.read_text(encoding="utf-8")
    check_invariants(doc, source)
    return scorer.score(gold, doc.model_dump(mode="json"), source)


@pytest.mark.parametrize("name", NAMES)
def test_notice_scores(scorer, name):
    total, parts, lines = _score(scorer, name)
    assert total >= 0.85, "\n".join(lines)
    for part in ("header", "headings", "nesting", "contact", "grounding"):
        if part in parts:
            assert parts[part] == 1.0, "\n".join(lines)


def test_mean_score(scorer):
    scores = [_score(scorer, n)[0] for n in NAMES]
    assert len(scores) >= 24
    assert sum(scores) / len(scores) >= 0.97


def test_fixture_pairs_are_complete():
    texts = {p.stem for p in NOTICES.glob("*.txt")}
    assert texts == set(NAMES) and all(Path(NOTICES / f"{n}.txt").stat().st_size > 500 for n in NAMES)
