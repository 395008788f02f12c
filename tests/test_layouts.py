"""One short notice per layout of the field guide, each with a hand-written expected outline.

Every `tests/fixtures/layouts/<name>.txt` has a `<name>.expected.json` written by hand from the
output contract and the layout guide (never copied from the parser's output). The expected form is
compact: headings only (role != measure, marker not null), with the number of direct measure
children, their statuses and titles, labelled fields, summary figures and (where listed) every
figure of the notice. Keys missing from an expected node are not checked, except `children`
(missing means no headings below).
"""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES, check_invariants

import report_parser

LAYOUTS = FIXTURES / "layouts"
NAMES = sorted(p.name[: -len(".txt")] for p in LAYOUTS.glob("*.txt"))
METRIC_KEYS = ("kind", "text", "value", "unit", "date", "start", "end", "subject", "approx")


def _source(name: str) -> str:
    return (LAYOUTS / f"{name}.txt").read_text(encoding="utf-8")


def _expected(name: str) -> dict:
    return json.loads((LAYOUTS / f"{name}.expected.json").read_text(encoding="utf-8"))


_DOCS: dict[str, object] = {}


def _doc(name: str):
    if name not in _DOCS:
        _DOCS[name] = report_parser.parse_file(LAYOUTS / f"{name}.txt")
    return _DOCS[name]


def _headings(children) -> list:
    """Direct heading children; headings wrongly nested under a measure are lifted so they still show."""
    out = []
    for c in children:
        if c.role != "measure" and c.marker is not None:
            out.append(c)
        elif c.role == "measure":
            out.extend(_headings(c.children))
    return out


def compact_node(n) -> dict:
    measures = [c for c in n.children if c.role == "measure"]
    return {
        "marker": n.marker,
        "title": n.title,
        "role": n.role,
        "style": n.style,
        "measures": len(measures),
        "statuses": [m.status for m in measures],
        "measure_titles": [m.title for m in measures],
        "fields": {k: v.text for k, v in n.fields.items()},
        "children": [compact_node(c) for c in _headings(n.children)],
    }


def compact_tree(doc) -> list[dict]:
    return [compact_node(n) for n in _headings(doc.sections)]


def _label(n: dict) -> str:
    return f"{n.get('marker')}{n.get('title')}"


def diff_tree(exp: list[dict], got: list[dict], path: str = "") -> list[str]:
    out = []
    if len(exp) != len(got):
        out.append(f"{path or '<root>'}: expected {len(exp)} headings {[_label(n) for n in exp]}, "
                   f"got {len(got)} {[_label(n) for n in got]}")
    for e, g in zip(exp, got, strict=False):
        here = f"{path}/{_label(e)}"
        for key, want in e.items():
            if key == "children":
                continue
            have = g.get(key)
            if want != have:
                out.append(f"{here}: {key} expected {want!r}, got {have!r}")
        out.extend(diff_tree(e.get("children", []), g["children"], here))
    return out


def _compact_metric(m, keys) -> dict:
    d = m.model_dump(mode="json")
    return {k: d.get(k) for k in keys}


def all_metrics(doc) -> list:
    out = list(doc.summary)
    for n in doc.walk():
        out.extend(n.metrics)
    return out


def diff_metrics(exp: list[dict], got: list, what: str) -> list[str]:
    """Expected figures against the parsed ones, as multisets matched on (kind, text)."""
    out = []
    pool = list(got)
    for e in exp:
        hit = next((g for g in pool if g.kind == e["kind"] and g.text == e["text"]), None)
        if hit is None:
            hit = next((g for g in pool if g.text == e["text"]), None)
        if hit is None:
            out.append(f"{what}: missing {e!r}")
            continue
        pool.remove(hit)
        have = _compact_metric(hit, e.keys())
        if have != e:
            out.append(f"{what}: expected {e!r}, got {have!r}")
    for g in pool:
        out.append(f"{what}: unexpected {_compact_metric(g, ('kind', 'text', 'value', 'unit', 'date', 'start', 'end'))!r}")
    return out


def diff_document(exp: dict, doc) -> list[str]:
    out = []
    if "title" in exp:
        got = doc.title.value if doc.title else None
        if got != exp["title"]:
            out.append(f"title: expected {exp['title']!r}, got {got!r}")
    for part in ("issuer", "inspection"):
        if part not in exp:
            continue
        obj = getattr(doc, part)
        if exp[part] is None or obj is None:
            if exp[part] != obj:
                out.append(f"{part}: expected {exp[part]!r}, got {obj!r}")
            continue
        d = obj.model_dump(mode="json")
        for k, want in exp[part].items():
            if d.get(k) != want:
                out.append(f"{part}.{k}: expected {want!r}, got {d.get(k)!r}")
    if "tree" in exp:
        out.extend(diff_tree(exp["tree"], compact_tree(doc)))
    if "summary" in exp:
        got = doc.summary
        for i, e in enumerate(exp["summary"]):
            have = _compact_metric(got[i], e.keys()) if i < len(got) else None
            if have != e:
                out.append(f"summary[{i}]: expected {e!r}, got {have!r}")
        for g in got[len(exp["summary"]):]:
            out.append(f"summary: unexpected {_compact_metric(g, ('kind', 'text', 'value', 'unit', 'subject'))!r}")
    if "metrics" in exp:
        out.extend(diff_metrics(exp["metrics"], all_metrics(doc), "metrics"))
    codes = {w.code for w in doc.warnings}
    for c in exp.get("warnings", []):
        if c not in codes:
            out.append(f"warnings: {c} expected, got {sorted(codes)}")
    for c in exp.get("no_warnings", []):
        if c in codes:
            msgs = [w.message for w in doc.warnings if w.code == c]
            out.append(f"warnings: {c} must be absent, got {msgs}")
    if doc.coverage < exp.get("min_coverage", 0.98):
        out.append(f"coverage: expected >= {exp.get('min_coverage', 0.98)}, got {doc.coverage}")
    return out


def test_every_fixture_has_an_expectation():
    assert len(NAMES) >= 14
    for name in NAMES:
        assert (LAYOUTS / f"{name}.expected.json").exists(), name


@pytest.mark.parametrize("name", NAMES)
def test_layout_matches_expected(name):
    diffs = diff_document(_expected(name), _doc(name))
    assert not diffs, f"{name}:\n  " + "\n  ".join(diffs)


@pytest.mark.parametrize("name", NAMES)
def test_layout_invariants(name):
    doc = _doc(name)
    check_invariants(doc, _source(name))


def _ordinal_breaks(nodes) -> list[str]:
    out = []
    by_style: dict[str | None, list] = {}
    for n in nodes:
        if n.ordinal is not None:
            by_style.setdefault(n.style, []).append(n)
    for sibs in by_style.values():
        for a, b in zip(sibs, sibs[1:], strict=False):
            if b.ordinal != a.ordinal + 1:
                out.append(f"{a.marker}{a.title} → {b.marker}{b.title}")
    for n in nodes:
        out.extend(_ordinal_breaks(n.children))
    return out


@pytest.mark.parametrize("name", NAMES)
def test_sibling_ordinals_increase_or_are_warned(name):
    doc = _doc(name)
    breaks = _ordinal_breaks(doc.sections)
    codes = {w.code for w in doc.warnings}
    assert not breaks or codes & {"W201", "W202"}, breaks


def _shape(nodes) -> list:
    return [(n["marker"], n["title"], n["role"], n["measures"], _shape(n["children"])) for n in nodes]


def test_single_line_parses_like_its_line_broken_twin():
    one = compact_tree(_doc("single_line"))
    twin = compact_tree(_doc("single_line_twin"))
    assert _shape(one) == _shape(twin)
    assert _doc("single_line").title.value == _doc("single_line_twin").title.value


def test_hard_wrapped_metrics_are_grounded_across_the_break():
    src = _source("hard_wrapped")
    money = [m for m in all_metrics(_doc("hard_wrapped")) if m.kind == "money"]
    assert [src[m.span[0]:m.span[1]] for m in money] == ["1\n20万元"]


def test_no_chrome_line_becomes_a_heading_or_figure():
    doc = _doc("web_chrome")
    src = _source("web_chrome")
    body_from = src.index("根据县委")
    for n in doc.walk():
        assert n.span[0] >= body_from, (n.marker, n.title)
    for m in all_metrics(doc):
        assert m.span[0] >= body_from, m


def test_damaged_dates_invent_no_figures():
    doc = _doc("damaged")
    for m in all_metrics(doc):
        assert m.kind not in ("period",), m
        assert "717" not in m.text and "830" not in m.text and "1015" not in m.text, m


def test_no_markers_loses_nothing():
    doc = _doc("no_markers")
    assert any(w.code == "W204" for w in doc.warnings)
    assert doc.coverage >= 0.98
