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
from hypothesis import HealthCheck, example, given, reject, settings
from hypothesis import strategies as st

import report_parser
from report_parser.cli import json_schema, to_json
from report_parser.decode import load_bytes, load_path
from report_parser.errors import WARNINGS, InputError
from report_parser.models import Document, Node
from report_parser.pipeline import parse_loaded

SCHEMA_PATH = ROOT / "schemas" / "notice.schema.json"
# Non-blank, as the coverage figure counts it (Unicode White_Space, the `regex` module's \s).
_BLANK = regex.compile(r"\s+")
_ISO = regex.compile(r"^\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?$")
W401_MIN: int = getattr(report_parser.pipeline, "SKIPPED_WARN_MIN", 20)  # a gap this large is named in a W401

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
    spans = [t.span for t in (doc.title, doc.preamble, doc.closing, doc.signature, doc.attachments) if t is not None]
    if doc.contact.span is not None:
        spans.append(doc.contact.span)
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
            k = len("".join(text[pos:s].split()))  # blank as str.isspace, like the parser
            if k:
                out.append((pos, s, k))
        pos = max(pos, e)
    return out


def check_coverage(doc: Document, text: str) -> None:
    """Coverage is the share of non-blank characters in some part; big gaps are named in W401."""
    total = len("".join(text.split()))
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
    # a status on measures (done/ongoing/planned) and on problems (contract: problem status), nowhere else
    assert n.status is None or n.role in ("measure", "problem"), (n.role, n.status)
    assert n.status != "partial" or n.role == "problem", (n.role, n.status)
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


def depth(nodes: list[Node]) -> int:
    """Levels of nesting below `nodes` (1 for a flat list)."""
    d, level = 0, nodes
    while level:
        d += 1
        level = [c for n in level for c in n.children]
    return d


# Open bugs pinned by xfail tests in tests/test_regressions.py, as (name, test on a Document that
# failed a check): the random tests and the fuzzer skip such examples so they keep looking for new
# bugs. Empty while none is open; add an entry when pinning one, drop it when its test passes.
KNOWN_BUGS: list[tuple[str, Callable[[Document], bool]]] = []


def known_bug(doc: Document) -> str | None:
    """The open bug a Document that failed a check shows, if it is a known one."""
    return next((name for name, shows in KNOWN_BUGS if shows(doc)), None)


def parse_and_check_or_skip_known(text: str) -> Document:
    """parse_and_check, but an example that only shows a known open bug is rejected, not failed."""
    doc = report_parser.parse(text)
    try:
        full_check(doc, text)
    except (AssertionError, RecursionError, ValueError):
        if known_bug(doc) is not None:
            reject()
        raise
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


def m_repeat(c: Chooser, t: str) -> str:
    """A short piece (a marker, a figure, a bracket) repeated hundreds of times: the fuzzer's hostile case."""
    piece = c.choice((*MARKERS, "（", "）", "2024年", "3个", "5%", "一亿", "\n", "1.\n", "一是，"))
    i = c.integer(0, len(t))
    return t[:i] + piece * c.integer(2, 800) + t[i:]


MUTATIONS: tuple[Callable[[Chooser, str], str], ...] = (
    m_delete, m_duplicate, m_swap, m_shuffle_lines, m_truncate_lines, m_truncate, m_width, m_marker,
    m_traditional, m_artefact, m_line_ends,
)
# The fuzzer also repeats pieces: that reaches the known deep-nesting, recursion and quadratic bugs
# (tests/test_regressions.py), which the property tests leave to the regression tests.
FUZZ_MUTATIONS = (*MUTATIONS, m_repeat)


def seed_texts() -> dict[str, str]:
    """The bundled notices, the per-layout fixtures and the synthetic notices: real structure to mutate."""
    paths = [*bundled_notices(), *sorted((FIXTURES / "layouts").glob("*.txt")),
             *sorted((FIXTURES / "notices").glob("*.txt"))]
    seeds = {}
    for p in paths:  # any encoding and line ending: the text the loader makes of the file
        try:
            seeds[p.name] = load_path(p).text
        except InputError:
            continue
    return seeds


SEEDS = seed_texts()


@st.composite
def mutated_notices(draw: Callable[[st.SearchStrategy[Any]], Any],
                    mutations: Sequence[Callable[[Chooser, str], str]] = MUTATIONS) -> str:
    c = DrawChooser(draw)
    text = SEEDS[c.choice(sorted(SEEDS))]
    for _ in range(c.integer(1, 6)):
        text = c.choice(mutations)(c, text)
    return text


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


@_settings(800)
@given(st.text(max_size=400))
@example("")
@example("\x1c\x1d\x1e\x1f")
@example("\u2028\u2029\x85")
def test_any_text(text: str) -> None:
    parse_and_check(text)


@_settings(800)
@given(st.text(alphabet=NOTICE_ALPHABET, max_size=300))
def test_text_from_notice_characters(text: str) -> None:
    parse_and_check(text)


@_settings(800)
@given(notice_soup)
def test_token_soup(text: str) -> None:
    parse_and_check(text)


@_settings(500)
@given(mutated_notices())
def test_mutated_notices(text: str) -> None:
    parse_and_check_or_skip_known(text)


@_settings(300)
@given(st.one_of(
    st.binary(max_size=600),
    st.tuples(notice_soup, st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16", "big5"])).map(
        lambda te: te[0].encode(te[1], errors="ignore")),
))
def test_any_bytes_are_refused_in_one_line_or_parsed(data: bytes) -> None:
    """Bytes go through the loader as a file does: an InputError naming the input, or a valid Document."""
    try:
        loaded = load_bytes(data, "input.txt")
    except InputError as e:
        assert str(e).startswith("input.txt: ") and e.reason and "\n" not in str(e)
        return
    full_check(parse_loaded(loaded), loaded.text)


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


# ---------------------------------------------------------------------------------------------
# No silent loss: text left out of every part lowers coverage and, past a size, is named in W401

_HEAD = "关于XX局党组巡察整改情况的通报\n"
_PRE = "根据县委统一部署，2024年3月1日至5月10日，县委第二巡察组对XX局党组进行了常规巡察。6月2日反馈了巡察意见。\n"
_BODY = "一、问题\n（一）制度不全。一是制定制度3项。\n（二）监督不力。已完成整改。\n"
_TAIL = "欢迎广大干部群众监督。联系电话：0415-5123456。\n中共XX局党组\n2024年9月1日\n"
# Conversion leftovers are blanked for matching, so no part can take them in.
JUNK = "[comment: 这是一段不属于通报正文的批注文字共有二十多个字符需要被报告出来]"
JUNK_PLACES: dict[str, Callable[[str], str]] = {
    "before_title": lambda j: j + "\n" + _HEAD + _PRE + _BODY + _TAIL,
    "after_title": lambda j: _HEAD + j + "\n" + _PRE + _BODY + _TAIL,
    "before_signature": lambda j: _HEAD + _PRE + _BODY + _TAIL.replace("中共", j + "\n中共"),
    "after_signature": lambda j: _HEAD + _PRE + _BODY + _TAIL + j + "\n",
}


def test_the_clean_notice_is_fully_covered() -> None:
    doc = parse_and_check(_HEAD + _PRE + _BODY + _TAIL)
    assert doc.coverage == 1.0
    assert not [w for w in doc.warnings if w.code in ("W401", "W402")]


@pytest.mark.parametrize("where", sorted(JUNK_PLACES))
@pytest.mark.parametrize("junk", [JUNK, "*" * 30, "{ PAGE \\* MERGEFORMAT 域代码留下的一串文字共有二十多个字 }"],
                         ids=["comment", "stars", "field-code"])
def test_unassigned_junk_is_named_with_its_span(where: str, junk: str) -> None:
    text = JUNK_PLACES[where](junk)
    doc = parse_and_check(text)
    w401 = [w for w in doc.warnings if w.code == "W401"]
    assert len(w401) == 1, doc.warnings
    s, e = w401[0].span
    assert text[s:e].strip() == junk
    total = len("".join(text.split()))
    assert doc.coverage == pytest.approx(1 - len(_BLANK.sub("", junk)) / total, abs=1e-4)
    assert doc.coverage < 1.0


@pytest.mark.parametrize("where", sorted(JUNK_PLACES))
def test_small_unassigned_junk_lowers_coverage_without_a_warning(where: str) -> None:
    junk = "[comment: 批注]"
    text = JUNK_PLACES[where](junk)
    doc = parse_and_check(text)
    assert doc.coverage == pytest.approx(1 - len(_BLANK.sub("", junk)) / len(_BLANK.sub("", text)), abs=1e-4)
    assert not [w for w in doc.warnings if w.code == "W401"]


@pytest.mark.parametrize("text", [
    _HEAD + _PRE + JUNK + "\n" + _BODY + _TAIL,
    _HEAD + _PRE + _BODY.replace("一是", JUNK + "一是") + _TAIL,
], ids=["preamble", "node"])
def test_junk_inside_a_part_is_kept_as_written(text: str) -> None:
    doc = parse_and_check(text)
    assert doc.coverage == 1.0
    parts = [doc.preamble.text if doc.preamble else "", *(n.text for n in doc.sections)]
    assert any(JUNK in p for p in parts)
    assert all(JUNK not in (n.title or "") for n in doc.walk())
