"""The notices written for the tests, scored against their hand-written gold files."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import FIXTURES, check_invariants

import report_parser
from report_parser.decode import load_path

NOTICES = FIXTURES / "notices"
NAMES = sorted(p.name.removesuffix(".gold.json") for p in NOTICES.glob("*.gold.json"))
# Each notice's score per part when last recorded: a drop fails, and so does a rise the file does not
# show yet, so an improvement updates it in the same commit (see _HOW).
BASELINE = NOTICES / "baseline.json"
_UPDATE = os.environ.get("REPORT_PARSER_UPDATE_BASELINE") == "1"
_HOW = "REPORT_PARSER_UPDATE_BASELINE=1 python -m pytest tests/test_notices.py -k notice_scores"
_DIGITS = 4  # scores are compared at this precision


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


@pytest.fixture(scope="module")
def baseline():
    data = json.loads(BASELINE.read_text(encoding="utf-8"))
    yield data["scores"]
    if _UPDATE:
        data["scores"] = dict(sorted(data["scores"].items()))
        BASELINE.write_text(_dumps(data), encoding="utf-8")


def _dumps(data: dict) -> str:
    """One notice per line, so a change shows as the lines of the notices it moved."""
    rows = [f"  {json.dumps(k, ensure_ascii=False)}: {json.dumps(v)}" for k, v in data["scores"].items()]
    about = json.dumps(data["_about"], ensure_ascii=False)
    return '{\n "_about": ' + about + ',\n "scores": {\n' + ",\n".join(rows) + "\n }\n}\n"


def _against_baseline(name: str, parts: dict[str, float], recorded: dict[str, float] | None) -> list[str]:
    """Why `parts` differ from the recorded scores: drops, and rises or new parts not yet recorded."""
    if recorded is None:
        return [f"{name} has no recorded scores"]
    now = {k: round(v, _DIGITS) for k, v in parts.items()}
    out = [f"{k}: {recorded[k]:.4f} → {now.get(k, 0.0):.4f} (drop)" for k in recorded if now.get(k, 0.0) < recorded[k]]
    out += [f"{k}: {recorded.get(k, 0.0):.4f} → {v:.4f} (rise: record it)" for k, v in now.items()
            if v > recorded.get(k, -1.0)]
    return out


@pytest.mark.parametrize("name", NAMES)
def test_notice_scores(scorer, baseline, name):
    total, parts, lines = _score(scorer, name)
    assert total >= 0.85, "\n".join(lines)
    for part in ("header", "headings", "nesting", "contact", "grounding"):
        if part in parts:
            assert parts[part] == 1.0, "\n".join(lines)
    if _UPDATE:
        baseline[name] = {k: round(v, _DIGITS) for k, v in sorted(parts.items())}
        return
    diff = _against_baseline(name, parts, baseline.get(name))
    assert not diff, "\n".join([*diff, *lines, f"if the change is intended, record it: {_HOW}"])


def test_baseline_names_the_notices():
    recorded = json.loads(BASELINE.read_text(encoding="utf-8"))
    assert recorded["_about"]
    assert set(recorded["scores"]) == set(NAMES), f"stale or missing names in {BASELINE.name}: {_HOW}"


def test_baseline_comparison_catches_a_drop_and_a_rise():
    recorded = {"status": 0.75, "metrics": 1.0}
    assert _against_baseline("x", {"status": 0.75, "metrics": 1.0}, recorded) == []
    assert "drop" in _against_baseline("x", {"status": 0.5, "metrics": 1.0}, recorded)[0]
    assert "rise" in _against_baseline("x", {"status": 1.0, "metrics": 1.0}, recorded)[0]
    assert _against_baseline("x", {"metrics": 1.0}, recorded)  # a part that disappears is a drop


def test_mean_score(scorer):
    scores = [_score(scorer, n)[0] for n in NAMES]
    assert len(scores) >= 92
    assert sum(scores) / len(scores) >= 0.97


def test_fixture_pairs_are_complete():
    inputs = {p.stem for ext in ("*.txt", "*.docx", "*.html", "*.pdf") for p in NOTICES.glob(ext)}
    assert inputs == set(NAMES) and all(_notice_file(n).stat().st_size > 500 for n in NAMES)
