"""Every row of the marker table, checked on its own: found, read, kept through hard wraps and traditional text."""

from __future__ import annotations

import random
import re
import typing
from pathlib import Path

import pytest
import regex

import report_parser
from report_parser.markers import (
    _IDEOGRAPHS,
    _REACH,
    _SCAN,
    _STRAY,
    LINE_MARKER_RE,
    MARKER_PATTERN,
    RULES,
    STYLES,
    TABLE_ROW,
    Marker,
    MarkerRule,
    find_markers,
    stray_markers,
)
from report_parser.models import MarkerStyle
from report_parser.normalize import normalize

_TITLE = "中共永宁县水利局党组关于县委巡察整改进展情况的通报\n"
_PREAMBLE = "根据县委统一部署，2024年3月4日至5月17日，县委第三巡察组对永宁县水利局党组进行了常规巡察。\n"
_BODIES = ("加强理论学习，落实学习制度，全年开展专题学习12次。", "完善工作机制，推进整改落实，修订制度5项。")
_WRAP = 20  # the width the hard-wrapped paragraph is broken at


def _item_lines(rule: MarkerRule, bodies: tuple[str, str] = _BODIES) -> str:
    return "".join(f"{ex}{body}\n" for ex, body in zip(rule.examples, bodies, strict=True))


def _found(text: str, rule: MarkerRule) -> list[tuple[int, bool]]:
    return [(m.ordinal, m.line_start) for m in find_markers(text) if m.family == rule.family]


@pytest.mark.parametrize("rule", RULES, ids=[r.family for r in RULES])
def test_row_is_found_and_read(rule: MarkerRule):
    nt = normalize(_item_lines(rule))
    assert _found(nt.text, rule) == [(1, True), (2, True)]
    for ex in rule.examples:
        head = normalize(ex).text.lstrip()
        assert regex.match(f"[{rule.first}]", head), f"{ex!r} does not open with a character of `first`"
        assert LINE_MARKER_RE.match(head), ex


@pytest.mark.parametrize("rule", RULES, ids=[r.family for r in RULES])
def test_row_survives_hard_wraps(rule: MarkerRule):
    # a paragraph broken at a fixed width: every line but the last ends mid-sentence, so it is
    # joined; a marker line after a full-width line must still open its own line
    prose = ("按照巡察整改工作要求对照反馈意见逐条逐项研究制定整改方案明确整改目标责任分工和完成时限" * 4)[:_WRAP * 7]
    wrapped = "\n".join(prose[i:i + _WRAP] for i in range(0, len(prose), _WRAP))
    nt = normalize(_TITLE + wrapped + "\n" + _item_lines(rule))
    assert nt.joined_lines >= 6
    assert _found(nt.text, rule) == [(1, True), (2, True)]


@pytest.mark.parametrize("rule", RULES, ids=[r.family for r in RULES])
def test_row_survives_traditional_conversion(rule: MarkerRule):
    bodies = ("加強理論學習，落實學習製度，全年開展專題學習12次。", "完善工作機制，推進整改落實，修訂製度5項。")
    nt = normalize(_item_lines(rule, bodies))
    assert nt.traditional
    assert _found(nt.text, rule) == [(1, True), (2, True)]


@pytest.mark.parametrize("rule", RULES, ids=[r.family for r in RULES])
def test_row_parses_into_nodes(rule: MarkerRule):
    text = _TITLE + _PREAMBLE + _item_lines(rule)
    doc = report_parser.parse(text)
    nodes = [n for n in doc.walk() if n.marker is not None and n.style == rule.out_style]
    assert [n.ordinal for n in nodes] == [1, 2]
    for node, ex in zip(nodes, rule.examples, strict=True):
        assert ex.startswith(node.marker)
        assert text[node.span[0]:node.span[1]] == node.text
    assert not [w for w in doc.warnings if w.code in ("W201", "W202", "W203")]


def test_table_is_consistent():
    assert len({r.family for r in RULES}) == len(RULES)
    assert set(typing.get_args(MarkerStyle)) == set(STYLES) == {r.out_style for r in RULES} | {TABLE_ROW}
    for r in RULES:
        assert "(?P<n>" in r.pattern, r.family


@pytest.mark.parametrize("line", ["【一】加强学习", "一）加强学习", "Ⅱ.完善制度", "A、落实责任", "❶建立台账", "(a)健全机制"])
def test_unknown_marker_shape_is_named(line: str):
    text = _TITLE + _PREAMBLE + "一、学习方面\n" + line + "，推进整改。\n二、制度方面\n（一）完善制度。\n"
    nt = normalize(text)
    assert len(stray_markers(nt.text, 0, len(nt.text))) == 1
    doc = report_parser.parse(text)
    w203 = [w for w in doc.warnings if w.code == "W203"]
    assert len(w203) == 1
    s, e = w203[0].span
    assert line.startswith(text[s:e])


@pytest.mark.parametrize("line", ["（一）加强学习", "2023年完成整改", "A股上市公司", "3.5万元已追缴", "第一书记"])
def test_known_or_plain_line_is_not_named(line: str):
    nt = normalize(line + "。\n")
    assert stray_markers(nt.text, 0, len(nt.text)) == []


# find_markers scans with the stdlib `re` and checks the boundary itself; stray_markers looks after
# line breaks only. Both must find exactly what the one-pattern definitions find.
_MARKER_RX = regex.compile(MARKER_PATTERN, regex.M | regex.V0)
_FUZZ_CHARS = (list("\n\n \t  。!?;:,、)”\"(（）第部分是否首先其次再次最后问题一二三四五六七八九十两0123456789.%")
               + list("㈠㈡⑴⑵①②⒈⒉【】〔〕<>《》ⅠⅡabAB❶㉑\x1c\u3000\r")
               + list("ⅻzZ❿➀➓⓵⓾⓫⓴㉟㊱㊿⒜⒵ⓐⓩ[]")
               + ["\U00010d40", "\U000116d1", "1.", "一、", "(1)", "第一,", "问题1:", "首先,", "加强学习"]
               + [" " * 4, " " * 9, "\t" * 16, " " * 17, " " * 40, " " * 41])


def _defined_markers(text: str) -> list[Marker]:
    """find_markers as defined: MARKER_PATTERN over the whole text, read and filtered as the tree needs."""
    out = []
    for m in _MARKER_RX.finditer(text):
        rule = next(r for r in RULES if m.group(r.family) is not None)
        ordinal = rule.read(m.group(f"n_{rule.family}"))
        j = m.start() - 1
        while j >= 0 and text[j] in " \t":
            j -= 1
        ls = j < 0 or text[j] == "\n"
        if not ordinal or (rule.line_start_only and not ls):
            continue
        after = ls or (j >= 0 and text[j] in "。!?") or (m.start() > 0 and text[m.start() - 1] in " \t")
        out.append(Marker(rule.family, rule.out_style, ordinal, m.start(), m.end(), ls, after, rule.measure, rule.part))
    return out


def _defined_strays(text: str, start: int, end: int) -> list[tuple[int, int]]:
    return [(m.start("m"), m.end("m")) for m in _STRAY.finditer(text, start, end)
            if not LINE_MARKER_RE.match(text, m.start("m"))]


def _texts() -> list[str]:
    rng = random.Random(14)
    fixtures = sorted((Path(__file__).parent / "fixtures" / "notices").glob("*.txt"))[:20]
    texts = [normalize(p.read_text(encoding="utf-8")).text for p in fixtures]
    texts += ["".join(rng.choice(_FUZZ_CHARS) for _ in range(rng.randrange(1, 40))) for _ in range(3000)]
    return texts


def test_scan_finds_what_the_pattern_defines():
    rng = random.Random(7)
    for text in _texts():
        defined = _defined_markers(text)
        assert find_markers(text) == defined, text
        a = rng.randrange(len(text) + 1)
        b = rng.randrange(a, len(text) + 1)
        assert find_markers(text, a, b) == [m for m in defined if a <= m.start and m.end <= b], (text, a, b)
        assert stray_markers(text, a, b) == _defined_strays(text, a, b), (text, a, b)
        known = [m.start for m in find_markers(text, a, b)]  # as the body passes them: in text order
        assert known == sorted(known)
        assert stray_markers(text, a, b, known) == _defined_strays(text, a, b), (text, a, b)


def test_scan_reads_no_further_than_its_reach():
    # find_markers stops the scan _REACH characters past `end`: no match may read further, and a
    # marker ending right at `end` is read as in the whole text (its look-ahead sees past `end`)
    widest = re._parser.parse(_SCAN.pattern).getwidth()[1]  # look-aheads read one character more
    assert widest + 1 <= _REACH
    for text in ("说明。\n1.5亿元\n2.完成", "情况，（十二）项；第十九部分\n问题12:整改", "一是加强；二是否定。三、"):
        whole = find_markers(text)
        for b in range(len(text) + 1):
            assert find_markers(text, 0, b) == [m for m in whole if m.end <= b], (text, b)


def test_no_ideograph_is_a_digit_to_either_engine():
    # find_markers reads a marker again with `regex` only before a digit that `re` does not know;
    # it does not look before an ideograph of this block (where most markers stand)
    lo, hi = (ord(c) for c in _IDEOGRAPHS)
    block = "".join(chr(c) for c in range(lo, hi + 1))
    assert regex.search(r"\d", block, regex.V0) is None
    assert not any(c.isdecimal() for c in block)
    assert find_markers("1.\u4e00") and find_markers("1.\u4e00")[0].end == 2


_HALF = str.maketrans("，：（）", ",:()")  # the examples' full-width marks as the matching text has them


def test_scan_names_each_rule_by_its_only_group():
    # find_markers tells the rule of a match by the group that closed last: each rule's ordinal, the
    # only group of its pattern, so no other group of the rule can close after it
    for rule in RULES:
        assert re.compile(rule.pattern).groups == 1, rule.family
    assert _SCAN.groups == len(RULES)
    for rule in RULES:
        for ex in rule.examples:
            m = _SCAN.match("\n" + ex.translate(_HALF) + "加")
            assert m is not None and m.lastindex == _SCAN.groupindex[f"n_{rule.family}"], (rule.family, ex)
