"""The parse as a list of named stages over one state: each can be run, checked and timed on its own."""

from __future__ import annotations

from conftest import SAMPLE

import report_parser
from report_parser.models import Source
from report_parser.pipeline import STAGES, ParseOptions, ParseState, parse_text, run_stages

TEXT = SAMPLE.read_text(encoding="utf-8")


def _source() -> Source:
    return Source(sha256="0" * 64, encoding="str", chars=len(TEXT))


def _state_after(name: str) -> ParseState:
    names = [s.name for s in STAGES]
    return run_stages(ParseState(TEXT, _source()), STAGES[:names.index(name) + 1])


def test_stages_are_named_once_and_end_in_a_document():
    names = [s.name for s in STAGES]
    assert len(names) == len(set(names)) >= 8
    assert names[0] == "normalize"
    assert _state_after(names[-1]).doc is not None
    assert _state_after("document").doc is not None and _state_after("nodes").doc is None


def test_running_the_stages_is_the_parse():
    state = run_stages(ParseState(TEXT, _source()))
    assert state.doc.model_dump_json() == parse_text(TEXT, _source()).model_dump_json()


def test_each_stage_adds_its_own_part():
    head = _state_after("head_and_tail")
    assert head.header.title is not None and head.roots == []
    body = _state_after("body")
    assert body.roots and body.preamble[1] > body.preamble[0] and body.found == []
    figures = _state_after("figures")
    assert figures.found and figures.inspection is None
    inspection = _state_after("inspection")
    assert inspection.inspection is not None and len(inspection.found) < len(figures.found)
    assigned = _state_after("assign")
    assert assigned.owned and all(n.status is None for n in assigned.flat)
    status = _state_after("status")
    assert any(n.status for n in status.flat) and status.sections == []
    assert _state_after("nodes").sections


def test_a_stage_can_be_left_out():
    # without the status stage nothing has a status: the stage is the only place statuses come from
    state = run_stages(ParseState(TEXT, _source()), [s for s in STAGES if s.name != "status"])
    assert not [n for n in state.doc.walk() if n.status is not None]
    assert [n for n in report_parser.parse(TEXT).walk() if n.status is not None]


def test_timings_name_every_stage():
    timings: dict[str, float] = {}
    report_parser.parse(TEXT, timings=timings)
    report_parser.parse(TEXT, timings=timings)  # accumulates
    assert list(timings) == [s.name for s in STAGES]
    assert all(t >= 0.0 for t in timings.values()) and sum(timings.values()) > 0.0
    seen: list[str] = []
    run_stages(ParseState(TEXT, _source(), ParseOptions()), on_stage=lambda name, sec: seen.append(name))
    assert seen == list(timings)
