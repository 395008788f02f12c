"""The notices written for the tests, scored against their hand-written gold files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FIXTURES, check_invariants

import report_parser
from report_parser.decode import load_path

NOTICES = FIXTURES / "notices"
NAMES = sorted(p.name.removesuffix(".gold.json") for p in NOTICES.glob("*.gold.json"))


def _notice_file(name: str) -> Path:
    return next(NOTICES / f"{name}{ext}" for ext in (".txt", ".docx", ".html", ".pdf") if (NOTICES / f"{name}{ext}").exists())


def _score(scorer, name: str):
    path = _notice_file(name)
    gold = json.loads((NOTICES / f"{name}.gold.json").read_text(encoding="utf-8"))
    doc = report_parser.parse_file(path)
    # spans index source.text for extracted formats, else the decoded file (GB18030, CRLF…)
    source = doc.source.text if doc.source.text is not None else load_path(path).text
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
    assert len(scores) >= 92
    assert sum(scores) / len(scores) >= 0.97


def test_fixture_pairs_are_complete():
    inputs = {p.stem for ext in ("*.txt", "*.docx", "*.html", "*.pdf") for p in NOTICES.glob(ext)}
    assert inputs == set(NAMES) and all(_notice_file(n).stat().st_size > 500 for n in NAMES)
