"""Marker rule table: 一、（一）1.（1）① 一是 第一 … found in the matching text as a flat stream."""

from __future__ import annotations

from dataclasses import dataclass

import regex

_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "〇": 0, "零": 0}


def cn_ordinal(s: str) -> int | None:
    """Small Chinese numerals used as ordinals (一 … 九十九)."""
    if not s:
        return None
    if "十" not in s:
        if len(s) == 1:
            return _CN_DIGITS.get(s)
        return None
    head, _, tail = s.partition("十")
    tens = 1 if not head else _CN_DIGITS.get(head)
    ones = 0 if not tail else _CN_DIGITS.get(tail)
    if tens is None or ones is None or len(head) > 1 or len(tail) > 1:
        return None
    return tens * 10 + ones


@dataclass(frozen=True, slots=True)
class MarkerRule:
    """One marker family: its stable style name, pattern and whether it opens measures."""

    style: str
    pattern: str  # must define the group `n` holding the ordinal as written
    measure: bool = False  # a family that lists actions (一是, 第一，) rather than headings
    line_start_only: bool = False  # too ambiguous to accept in running text


_CN = r"[一二三四五六七八九十]{1,3}"
# Ordered: earlier rules win where two could match at one place.
RULES: tuple[MarkerRule, ...] = (
    MarkerRule("cn_di_part", rf"第(?P<n>{_CN})(?:部分)"),
    MarkerRule("cn_di", rf"第(?P<n>{_CN})(?=[,、:]|是)[,、:是]?"),
    MarkerRule("paren_cn", rf"\((?P<n>{_CN})\)"),
    MarkerRule("paren_cn_char", r"(?P<n>[㈠-㈩])"),
    MarkerRule("paren_arabic", r"\((?P<n>\d{1,3})\)"),
    MarkerRule("paren_arabic_char", r"(?P<n>[⑴-⒇])"),
    MarkerRule("circled", r"(?P<n>[①-⑳])", measure=True),  # the deepest level: actions, inline or not
    MarkerRule("cn_shi", rf"(?P<n>{_CN})是(?![否非])", measure=True),
    MarkerRule("seq", r"(?P<n>首先|其次|再次|最后)(?=,)", measure=True),  # 首先，…其次，…最后，
    MarkerRule("cn_dun", rf"(?P<n>{_CN})(?:、|\.(?![\d.]))"),
    # 问题3：… — a problem numbered by its label (the unnumbered 问题： is a field, see fields.py)
    MarkerRule("wenti", rf"问题(?P<n>\d{{1,3}}|{_CN})[:.、]", line_start_only=True),
    MarkerRule("arabic_dot", r"(?P<n>\d{1,3})(?:\.(?![\d.%])|、(?!\d))"),
    MarkerRule("arabic_rparen", r"(?P<n>\d{1,2})\)(?![\d%])", line_start_only=True),
)

# Families that share a style name in the output: `⑴` is written like `（1）`, `㈠` like `（一）`.
STYLE_ALIASES = {"paren_cn_char": "paren_cn", "paren_arabic_char": "paren_arabic", "cn_di_part": "cn_di"}

LAST = 99  # 最后 closes a 首先/其次 list whatever its length
SEQ_ORDINAL = {"首先": 1, "其次": 2, "再次": 3, "最后": LAST}
_CHAR_ORDINAL = {
    **{chr(0x3220 + i): i + 1 for i in range(10)},  # ㈠-㈩
    **{chr(0x2474 + i): i + 1 for i in range(20)},  # ⑴-⒇
    **{chr(0x2460 + i): i + 1 for i in range(20)},  # ①-⑳
}

# Where a marker may stand: at the start of a line, or in running text after a sentence or clause
# break. `\x20{0,8}` allows indentation and blanked artefacts (`**`, `[bookmark…]`).
_BOUNDARY = r"(?:(?<=^[\x20\t]{0,40})|(?<=[。!?;:,、)”\"][\x20\t]{0,16})|(?<=\S[\x20\t]{1,16}))"
_ALT = "|".join(f"(?P<{r.style}>{r.pattern.replace('(?P<n>', f'(?P<n_{r.style}>')})" for r in RULES)
# Every marker starts with one of these characters: checking it first lets the engine skip the
# boundary look-behinds at almost every position of the text.
_FIRST = r"(?=[第问首其再最(一二三四五六七八九十㈠-㈩⑴-⒇①-⑳0-9])"
MARKER_RE = regex.compile(rf"{_FIRST}{_BOUNDARY}(?:{_ALT})", regex.M | regex.V0)
_RULE_BY_STYLE = {r.style: r for r in RULES}


@dataclass(frozen=True, slots=True)
class Marker:
    """A candidate marker in the matching text."""

    family: str  # the rule that matched: the unit of level inference
    style: str  # the stable output name (`⑴` and `（1）` share `paren_arabic`)
    ordinal: int
    start: int
    end: int
    line_start: bool
    after_sentence: bool  # preceded by a sentence end (。！？) or a line start
    measure: bool
    part: bool = False  # 第一部分 style headings


def _line_start(text: str, i: int) -> bool:
    j = i - 1
    while j >= 0 and text[j] in " \t":
        j -= 1
    return j < 0 or text[j] == "\n"


def find_markers(text: str) -> list[Marker]:
    """Every place a marker could stand, in text order; the tree decides which to accept."""
    out: list[Marker] = []
    for m in MARKER_RE.finditer(text):
        style = m.lastgroup
        if style is None or style.startswith("n_"):
            # lastgroup names the innermost group that closed last; find the family group instead
            style = next(r.style for r in RULES if m.group(r.style) is not None)
        rule = _RULE_BY_STYLE[style]
        raw = m.group(f"n_{style}")
        if raw in _CHAR_ORDINAL:
            ordinal = _CHAR_ORDINAL[raw]
        elif raw in SEQ_ORDINAL:
            ordinal = SEQ_ORDINAL[raw]
        elif raw.isdigit():
            ordinal = int(raw)
        else:
            ordinal = cn_ordinal(raw)
        if ordinal is None or ordinal == 0:
            continue
        start, end = m.span()
        ls = _line_start(text, start)
        if rule.line_start_only and not ls:
            continue
        prev = text[start - 1] if start else "\n"
        j = start - 1
        while j >= 0 and text[j] in " \t":
            j -= 1
        after_sentence = ls or (j >= 0 and text[j] in "。!?") or prev in " \t"
        out.append(Marker(
            family=style,
            style=STYLE_ALIASES.get(style, style),
            ordinal=ordinal,
            start=start,
            end=end,
            line_start=ls,
            after_sentence=after_sentence,
            measure=rule.measure or (style == "cn_di"),
            part=style == "cn_di_part",
        ))
    return out
