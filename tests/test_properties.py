"""Property tests: arbitrary text and mutated real notices always parse into valid, grounded Documents."""

from __future__ import annotations

import functools
import json
import math
import os
import random
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import jsonschema
import pytest
import regex
from conftest import FIXTURES, ROOT, bundled_notices, check_invariants
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import report_parser
from report_parser.cli import json_schema, to_json
from report_parser.errors import WARNINGS
from report_parser.models import Document, Node

SCHEMA_PATH = ROOT / "schemas" / "notice.schema.json"
# Non-blank, as the coverage figure counts it (Unicode White_Space, the `regex` module's \s).
_BLANK = regex.compile(r"\s+")
_ISO = regex.compile(r"^\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?$")
W401_MIN = 20  # pipeline.SKIPPED_WARN_MIN: a gap this large is named in a W401

# ---------------------------------------------------------------------------------------------
# The full set of checks every parse must pass


@functools.cache
def schema_validator() -> jsonschema.protocols.Validator:
    """A validator for the exported schema (the models' own schema while the file is missing)."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8")) if SCHEMA_PATH.exists() else json_schema()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _reject_constant(name: str) -> None:
    raise ValueError(f"JSON output holds {name}, which is not JSON")


def covered_spans(doc: Document) -> list[tuple[int, int]]:
    """The spans of every part that counts as covered: title, preamble, nodes, closing, contact, …"""
    spans = [t.span for t in (doc.title, doc.preamble, doc.closing, doc.signature) if t is not None]
    spans += [c.span for c in doc.chrome]
    spans += [n.span for n in doc.sections]
    contact = doc.contact
    spans += [t.span for t in [*contact.phones, *contact.emails, contact.address, contact.postcode] if t]
    return sorted(tuple(s) for s in spans)


def uncovered_runs(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """(start, end, non-blank characters) of each stretch of `text` outside every span."""
    out = []
    pos = 0
    for s, e in [*spans, (len(text), len(text))]:
        if s > pos:
            k = len(_BLANK.sub("", text[pos:s]))
            if k:
                out.append((pos, s, k))
        pos = max(pos, e)
    return out


def check_coverage(doc: Document, text: str) -> None:
    """Coverage is the share of non-blank characters in some part; big gaps are named in W401."""
    total = len(_BLANK.sub("", text))
    gaps = uncovered_runs(text, covered_spans(doc))
    missing = sum(k for _, _, k in gaps)
    if total:
        assert math.isclose(doc.coverage, 1 - missing / total, abs_tol=1e-4), (doc.coverage, missing, total)
    w401 = [tuple(w.span) for w in doc.warnings if w.code == "W401"]
    for s, e, k in gaps:
        if k >= W401_MIN:
            assert any(a <= s and e <= b for a, b in w401), ("unreported gap", s, e, text[s:e][:80])
    for a, b in w401:
        assert sum(k for s, e, k in gaps if a <= s and e <= b) >= W401_MIN, ("W401 over covered text", a, b)


def _check_node(n: Node, text: str) -> None:
    assert (n.marker is None) == (n.style is None), (n.marker, n.style)
    assert n.ordinal is None or n.ordinal >= 0
    if n.marker is not None:
        assert n.text.startswith(n.marker), (n.marker, n.text[:20])
    if n.title is not None:
        assert n.title and not n.title.endswith("。") and "**" not in n.title, n.title
    assert n.status is None or n.role == "measure", (n.role, n.status)
    inner = [c.span for c in n.children]
    for m in n.metrics:
        assert n.span[0] <= m.span[0] and m.span[1] <= n.span[1], ("metric outside its node", m.text)
        assert not any(a <= m.span[0] and m.span[1] <= b for a, b in inner), ("child's metric", m.text)


def _check_metric(m: Any) -> None:
    if isinstance(m.value, float):
        assert math.isfinite(m.value), m
    for iso in (m.date, m.start, m.end):
        assert iso is None or _ISO.match(iso), m
    if m.kind == "date":
        assert m.date is not None, m
    if m.kind == "period":
        assert m.start is not None and m.end is not None, m


def full_check(doc: Document, text: str) -> None:
    """Every invariant of the output contract that can be checked without a gold file."""
    assert isinstance(doc, Document)
    check_invariants(doc, text)
    assert doc.source.chars == len(text)
    data = doc.model_dump(mode="json")
    schema_validator().validate(data)
    line = to_json(doc)
    assert "\n" not in line
    assert json.loads(line, parse_constant=_reject_constant) == data
    assert Document.model_validate_json(line) == doc
    for w in doc.warnings:
        assert w.code in WARNINGS, w
        if w.span is not None:
            assert 0 <= w.span[0] <= w.span[1] <= len(text), w
    if doc.title is not None:
        assert "**" not in doc.title.value
    for n in doc.walk():
        _check_node(n, text)
    for m in [*doc.summary, *(m for n in doc.walk() for m in n.metrics)]:
        _check_metric(m)
    check_coverage(doc, text)


def parse_and_check(text: str) -> Document:
    doc = report_parser.parse(text)
    full_check(doc, text)
    return doc


# ---------------------------------------------------------------------------------------------
# Mutations of real notices, written against a small chooser so the fuzzer can drive them too


class Chooser(Protocol):
    def integer(self, lo: int, hi: int) -> int: ...

    def choice(self, options: Sequence[Any]) -> Any: ...

    def rng(self) -> random.Random: ...


class DrawChooser:
    """A Chooser backed by hypothesis `draw`, so failing examples shrink."""

    def __init__(self, draw: Callable[[st.SearchStrategy[Any]], Any]) -> None:
        self.draw = draw

    def integer(self, lo: int, hi: int) -> int:
        return self.draw(st.integers(lo, max(lo, hi)))

    def choice(self, options: Sequence[Any]) -> Any:
        return self.draw(st.sampled_from(options))

    def rng(self) -> random.Random:
        return self.draw(st.randoms(use_true_random=False))


MARKERS = ("一、", "二、", "十、", "（一）", "(二)", "（十一）", "1.", "2．", "10.", "1、", "（1）", "(2)", "（12）",
           "1)", "①", "②", "⑳", "⑴", "㈠", "一是", "二是", "第一，", "第二、", "第一部分")
ARTEFACTS = ("**", "__", "[bookmark: _GoBack]", "{ PAGE }", "# ", "\u200b", "\ufeff", "\u3000")
_FULL = {cp: cp + 0xFEE0 for cp in range(0x21, 0x7F)} | {0x20: 0x3000}
_HALF = {cp + 0xFEE0: cp for cp in range(0x21, 0x7F)} | {0x3000: 0x20}


@functools.cache
def _s2t():
    import opencc

    return opencc.OpenCC("s2t")


def _region(c: Chooser, t: str) -> tuple[int, int]:
    i = c.integer(0, len(t))
    return i, c.integer(i, min(len(t), i + 400))


def m_delete(c: Chooser, t: str) -> str:
    i = c.integer(0, len(t))
    return t[:i] + t[i + c.integer(1, 40):]


def m_duplicate(c: Chooser, t: str) -> str:
    i, j = _region(c, t)
    return t[:j] + t[i:j] * c.integer(1, 3) + t[j:]


def m_swap(c: Chooser, t: str) -> str:
    if len(t) < 2:
        return t
    i, j = sorted((c.integer(0, len(t) - 1), c.integer(0, len(t) - 1)))
    return t[:i] + t[j] + t[i + 1:j] + t[i] + t[j + 1:] if i < j else t


def m_shuffle_lines(c: Chooser, t: str) -> str:
    lines = t.split("\n")
    c.rng().shuffle(lines)
    return "\n".join(lines)


def m_truncate_lines(c: Chooser, t: str) -> str:
    rnd = c.rng()
    return "\n".join(ln[: rnd.randint(0, len(ln))] if rnd.random() < 0.3 else ln for ln in t.split("\n"))


def m_truncate(c: Chooser, t: str) -> str:
    return t[: c.integer(0, len(t))]


def m_width(c: Chooser, t: str) -> str:
    i, j = _region(c, t) if c.choice((True, False)) else (0, len(t))
    return t[:i] + t[i:j].translate(c.choice((_FULL, _HALF))) + t[j:]


def m_marker(c: Chooser, t: str) -> str:
    i = c.integer(0, len(t))
    return t[:i] + c.choice(("", "", "\n", " ", "。")) + c.choice(MARKERS) + t[i:]


def m_traditional(c: Chooser, t: str) -> str:
    i, j = _region(c, t) if c.choice((True, False)) else (0, len(t))
    return t[:i] + _s2t().convert(t[i:j]) + t[j:]


def m_artefact(c: Chooser, t: str) -> str:
    i = c.integer(0, len(t))
    return t[:i] + c.choice(ARTEFACTS) + t[i:]


def m_line_ends(c: Chooser, t: str) -> str:
    return t.replace("\n", c.choice(("\r\n", "\r", "\n\n", "\u2028", " ")))


MUTATIONS: tuple[Callable[[Chooser, str], str], ...] = (
    m_delete, m_duplicate, m_swap, m_shuffle_lines, m_truncate_lines, m_truncate, m_width, m_marker,
    m_traditional, m_artefact, m_line_ends,
)


def seed_texts() -> dict[str, str]:
    """The bundled notices and the per-layout fixtures: real structure to mutate."""
    paths = [*bundled_notices(), *sorted((FIXTURES / "layouts").glob("*.txt"))]
    return {p.name: p.read_text(encoding="utf-8") for p in paths}


SEEDS = seed_texts()


def mutate(c: Chooser, text: str, steps: int) -> str:
    for _ in range(steps):
        text = c.choice(MUTATIONS)(c, text)
    return text


@st.composite
def mutated_notices(draw: Callable[[st.SearchStrategy[Any]], Any]) -> str:
    c = DrawChooser(draw)
    text = SEEDS[c.choice(sorted(SEEDS))]
    return mutate(c, text, c.integer(1, 6))


# ---------------------------------------------------------------------------------------------
# Text made of the pieces notices are made of

TOKENS = (
    *MARKERS, "。", "，", "；", "：", "、", "\n", "\n\n", " ", "\t", "　", "（", "）", "(", ")", "“", "”", "《", "》",
    "2024年", "2025年1—8月", "2月17日", "9月14日至12月30日", "2024年9月30日至12月30日", "至", "—", "-",
    "25个", "19个", "76%", "7.132万元", "2/3", "20余份", "近10次", "六个方面", "三重一大", "一把手",
    "第三轮", "〔2023〕7号", "48号", "0415-5123456", "13912345678", "邮编：118200", "a@b.cn",
    "关于", "巡察整改情况的通报", "中共宽甸县委", "党组", "根据县委统一部署", "县委第三巡察组", "进行了常规巡察",
    "反馈了巡察意见", "问题", "整改", "已完成", "正在推进", "下一步", "欢迎广大干部群众监督", "联系电话：",
    "一", "二", "十", "是", "第", "1", "9", "0", ".", "年", "月", "日", "亿", "万", "元", "个", "%",
)
notice_soup = st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=3)), max_size=120).map("".join)
NOTICE_ALPHABET = "".join(sorted(set("".join(TOKENS))))

_FAST = int(os.environ.get("REPORT_PARSER_PROPERTY_EXAMPLES", "0"))


def _settings(n: int) -> settings:
    """Fixed, derandomised runs for CI; REPORT_PARSER_PROPERTY_EXAMPLES=N runs N random examples instead."""
    return settings(
        max_examples=_FAST or n,
        deadline=None,
        derandomize=not _FAST,
        database=None,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )


@_settings(300)
@given(st.text(max_size=400))
@example("")
@example("\x1c\x1d\x1e\x1f")
@example("\u2028\u2029\x85")
def test_any_text(text: str) -> None:
    parse_and_check(text)


@_settings(300)
@given(st.text(alphabet=NOTICE_ALPHABET, max_size=300))
def test_text_from_notice_characters(text: str) -> None:
    parse_and_check(text)


@_settings(300)
@given(notice_soup)
def test_token_soup(text: str) -> None:
    parse_and_check(text)


@_settings(150)
@given(mutated_notices())
def test_mutated_notices(text: str) -> None:
    parse_and_check(text)


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_seed_texts_pass_every_check(name: str) -> None:
    parse_and_check(SEEDS[name])


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_whole_notice_in_traditional_script(name: str) -> None:
    parse_and_check(_s2t().convert(SEEDS[name]))


@pytest.mark.parametrize("table", [_FULL, _HALF], ids=["full-width", "half-width"])
def test_whole_notice_width_swapped(table: dict[int, int]) -> None:
    for text in SEEDS.values():
        parse_and_check(text.translate(table))


def test_parse_is_deterministic() -> None:
    text = SEEDS[sorted(SEEDS)[0]]
    assert to_json(report_parser.parse(text)) == to_json(report_parser.parse(text))
