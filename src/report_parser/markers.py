"""Marker rule table: 一、（一）1.（1）① 一是 第一 … found in the matching text as a flat stream.

`RULES` is the whole marker grammar. Everything else that needs to know what a marker looks like
is derived from it: the first-character pre-check, the ordinal readings, the pattern for a line
that opens with a marker (hard-wrap joining, the end of the title block) and the style names of
the output contract."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache, partial
from typing import Literal, NamedTuple

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


LAST = 99  # 最后 closes a 首先/其次 list whatever its length
SEQ_ORDINAL = {"首先": 1, "其次": 2, "再次": 3, "最后": LAST}

Reading = Literal["number", "char", "seq"]


@dataclass(frozen=True, slots=True)
class MarkerRule:
    """One marker family: one row of the grammar.

    `pattern` is matched on the matching text (full-width ASCII already half-width) and defines
    the group `n`, the ordinal as written; `first` lists the characters a marker of the family can
    open with (a regex character-class body); `reading` says how `n` becomes an ordinal (`number`:
    Arabic or Chinese numerals; `char`: consecutive code points from the first character of
    `first`, read 1, 2, …; `seq`: 首先/其次/再次/最后); `style` is the
    output name (families written alike share one); `examples` are the first two markers of a
    list as a notice writes them, read 1 and 2 (tests/test_markers.py checks every row)."""

    family: str
    pattern: str
    first: str
    reading: Reading
    examples: tuple[str, str]
    style: str = ""  # defaults to `family`
    measure: bool = False  # a family that lists actions (一是, 第一，) rather than headings
    line_start_only: bool = False  # too ambiguous to accept in running text
    part: bool = False  # 第一部分: a heading of the top level, never a measure

    @property
    def out_style(self) -> str:
        return self.style or self.family

    def read(self, raw: str) -> int | None:
        if self.reading == "char":
            return ord(raw) - ord(self.first[0]) + 1 if len(raw) == 1 else None
        if self.reading == "seq":
            return SEQ_ORDINAL.get(raw)
        return int(raw) if raw.isdigit() else cn_ordinal(raw)


def _chars(first: str, count: int) -> str:
    """The character-class body of `count` consecutive code points from `first`."""
    return f"{first}-{chr(ord(first) + count - 1)}"


_CN = r"[一二三四五六七八九十]{1,3}"
_CN_FIRST = "一二三四五六七八九十"
# Ordered: earlier rules win where two could match at one place.
RULES: tuple[MarkerRule, ...] = (
    MarkerRule("cn_di_part", rf"第(?P<n>{_CN})(?:部分)", "第", "number", ("第一部分", "第二部分"),
               style="cn_di", part=True),
    MarkerRule("cn_di", rf"第(?P<n>{_CN})(?=[,、:]|是)[,、:是]?", "第", "number", ("第一，", "第二，"), measure=True),
    MarkerRule("paren_cn", rf"\((?P<n>{_CN})\)", "(", "number", ("（一）", "（二）")),
    MarkerRule("paren_cn_char", rf"(?P<n>[{_chars('㈠', 10)}])", _chars("㈠", 10), "char", ("㈠", "㈡"),
               style="paren_cn"),
    MarkerRule("paren_arabic", r"\((?P<n>\d{1,3})\)", "(", "number", ("（1）", "（2）")),
    MarkerRule("paren_arabic_char", rf"(?P<n>[{_chars('⑴', 20)}])", _chars("⑴", 20), "char", ("⑴", "⑵"),
               style="paren_arabic"),
    # the deepest level: actions, inline or not
    MarkerRule("circled", rf"(?P<n>[{_chars('①', 20)}])", _chars("①", 20), "char", ("①", "②"), measure=True),
    MarkerRule("cn_shi", rf"(?P<n>{_CN})是(?![否非])", _CN_FIRST, "number", ("一是", "二是"), measure=True),
    # 首先，…其次，…最后，
    MarkerRule("seq", r"(?P<n>首先|其次|再次|最后)(?=,)", "首其再最", "seq", ("首先，", "其次，"), measure=True),
    MarkerRule("cn_dun", rf"(?P<n>{_CN})(?:、|\.(?![\d.]))", _CN_FIRST, "number", ("一、", "二、")),
    # 问题3：… — a problem numbered by its label (the unnumbered 问题： is a field, see fields.py)
    MarkerRule("wenti", rf"问题(?P<n>\d{{1,3}}|{_CN})[:.、]", "问", "number", ("问题1：", "问题2："),
               line_start_only=True),
    MarkerRule("arabic_dot", r"(?P<n>\d{1,3})(?:\.(?![\d.%])|、(?!\d))", "0-9", "number", ("1.", "2.")),
    # ⒈⒉⒊: one character for 1. 2. 3., written like them
    MarkerRule("arabic_dot_char", rf"(?P<n>[{_chars('⒈', 20)}])", _chars("⒈", 20), "char", ("⒈", "⒉"),
               style="arabic_dot"),
    MarkerRule("arabic_rparen", r"(?P<n>\d{1,2})\)(?![\d%])", "0-9", "number", ("1）", "2）"),
               line_start_only=True),
)

# A row of a ledger table numbered in its 序号 cell (ledger.py): a style of the output no rule finds in text.
TABLE_ROW = "table_row"
STYLES: tuple[str, ...] = (*dict.fromkeys(r.out_style for r in RULES), TABLE_ROW)  # the output names


def _alternation(group: bool, families: bool = True) -> str:
    """Every rule's pattern as one alternation; with `group`, each ordinal named (n_family) and, with
    `families`, each family too."""
    if not group:
        return "|".join(r.pattern.replace("(?P<n>", "(?:") for r in RULES)
    if not families:
        return "|".join(r.pattern.replace("(?P<n>", f"(?P<n_{r.family}>") for r in RULES)
    return "|".join(f"(?P<{r.family}>{r.pattern.replace('(?P<n>', f'(?P<n_{r.family}>')})" for r in RULES)


# Where a marker may stand: at the start of a line, or in running text after a sentence or clause
# break. `\x20{0,8}` allows indentation and blanked artefacts (`**`, `[bookmark…]`).
_BOUNDARY = r"(?:(?<=^[\x20\t]{0,40})|(?<=[。!?;:,、)”\"][\x20\t]{0,16})|(?<=\S[\x20\t]{1,16}))"
# Every marker starts with one of these characters: checking it first lets the engine skip the
# rest at almost every position of the text.
_FIRST = "(?=[" + "".join(dict.fromkeys(r.first for r in RULES)) + "])"
# What find_markers finds, as one `regex` pattern (flags M and V0): the definition its faster scan
# is tested against (tests/test_markers.py).
MARKER_PATTERN = rf"{_FIRST}{_BOUNDARY}(?:{_alternation(True)})"

# A line (of the matching text) that opens with a marker of any row: such a line starts a new
# item, so hard-wrap joining never runs it into the line before, and it ends the title block.
LINE_MARKER = rf"(?:{_alternation(False)})"
LINE_MARKER_RE = regex.compile(rf"[\x20\t]*{LINE_MARKER}", regex.V0)

# A line that opens like a numbering marker of a shape no row knows (【一】 一） Ⅱ. A、 ❶ ㉑):
# read as text, and named in a W203 warning so a new style is noticed rather than lost.
_ROMAN = "Ⅰ-Ⅻⅰ-ⅻ"
_CIRCLED = "❶-❿➀-➓⓵-⓾⓫-⓴㉑-㉟㊱-㊿⒜-⒵ⓐ-ⓩ"
_STRAY = regex.compile(
    rf"^[\x20\t]*(?P<m>[(\[【〔<《][\x20\t]*(?:{_CN}|\d{{1,3}}|[{_ROMAN}]|[A-Za-z])[\x20\t]*[)\]】〕>》]"
    rf"|(?:{_CN}|[{_ROMAN}]|[A-Za-z])[)\]】〕](?![A-Za-z\d])"
    rf"|[{_ROMAN}A-Za-z](?:\.(?![A-Za-z\d])|、)"
    rf"|[{_CIRCLED}])", regex.M | regex.V0)
# A line opening (after spaces and tabs) with a character a stray marker can start with, the first
# of each branch of _STRAY: only those openings are tried (found by the stdlib `re`, a plain set);
# _STRAY_LINE finds them after a line break, which it consumes.
_STRAY_OPEN = re.compile(rf"[\x20\t]*[(\[【〔<《{_CN_FIRST}{_ROMAN}A-Za-z{_CIRCLED}]")
_STRAY_LINE = re.compile("\n" + _STRAY_OPEN.pattern)


class Marker(NamedTuple):
    """A candidate marker in the matching text (a tuple: a parse makes one per numbered item)."""

    family: str  # the rule that matched: the unit of level inference
    style: str  # the stable output name (`⑴` and `（1）` share `paren_arabic`)
    ordinal: int
    start: int
    end: int
    line_start: bool
    after_sentence: bool  # preceded by a sentence end (。！？) or a line start
    measure: bool
    part: bool = False  # 第一部分 style headings


# The scan (find_markers) runs the stdlib `re` over the rule table, several times faster than
# MARKER_PATTERN's look-behinds, and checks the boundary in Python for the few hits. Every marker
# stands after one of these characters (or at the very start of the text); the scan consumes
# that character, so the engine jumps from one to the next.
_PUNCT = "。!?;:,、)”\""  # the characters of _BOUNDARY's second branch
_BEFORE = re.escape("\n\x20\t" + _PUNCT)
# Only the ordinals are groups (each rule has one, which no other group follows): the group that
# closes last names the rule, and the engine sets half the marks it would with the families named.
_SCAN = re.compile(rf"[{_BEFORE}]{_FIRST}(?:{_alternation(True, families=False)})")
_AT_START = re.compile(rf"{_FIRST}(?:{_alternation(True, families=False)})")
# by the index of a rule's ordinal group (the group that closes last): the rule, that index again,
# and what each of its markers takes from it
_BY_GROUP = {_SCAN.groupindex[f"n_{r.family}"]: (r, _SCAN.groupindex[f"n_{r.family}"], r.family, r.out_style,
                                                 r.measure, r.part, r.line_start_only, {}) for r in RULES}
# how far past its start a match of _SCAN reads, look-aheads included, at most (tests/test_markers.py checks)
_REACH = 16
_READINGS_KEPT = 2048  # ordinals as written remembered per rule (MarkerRule.read of each), at most
_new_marker = partial(tuple.__new__, Marker)  # Marker(...) without the call of its Python __new__
_SPACE_NOT_RX = "\x1c\x1d\x1e\x1f"  # str.isspace() but not `regex`'s \s
_RX_DIGIT = regex.compile(r"\d", regex.V0)
_IDEOGRAPHS = ("\u4e00", "\u9fff")  # CJK Unified Ideographs: none is a digit (tests/test_markers.py checks)


@lru_cache(maxsize=1024)
def _regex_only_digit(ch: str) -> bool:
    """Whether `regex` reads `ch` as a decimal digit and `re` does not (its Unicode is newer)."""
    return _RX_DIGIT.match(ch) is not None and not ch.isdecimal()


@cache
def _alternation_rx() -> regex.Pattern:
    return regex.compile(_alternation(True), regex.V0)


def _regex_reading(text: str, s: int) -> tuple[MarkerRule, str, int] | None:
    """(rule, ordinal as written, end) of the marker `regex` reads at `s`, if any: where a digit only
    `regex` knows (its Unicode is newer than `re`'s) follows a hit, so MARKER_PATTERN may differ."""
    rx = _alternation_rx().match(text, s)
    if rx is None:
        return None
    rule = next(r for r in RULES if rx.group(r.family) is not None)
    return rule, rx.group(f"n_{rule.family}"), rx.end()


def find_markers(text: str, start: int = 0, end: int | None = None) -> list[Marker]:
    """Every place a marker could stand, in text order; the tree decides which to accept.

    With `start`/`end`, only the markers within [start, end): the same as filtering the markers of
    the whole text (a marker's look-ahead still sees the text past `end`). Each match of the rule
    alternation after a boundary character (or at the start of the text) is a candidate; the
    boundary of MARKER_PATTERN is then checked here."""
    end = len(text) if end is None else end
    out: list[Marker] = []
    search = _SCAN.search
    # no match that starts past `end` is kept: the scan stops there, once a marker starting at `end` is seen whole
    stop = min(len(text), end + _REACH)
    first = _AT_START.match(text, 0, stop) if start <= 0 else None
    m = first or search(text, max(start - 1, 0), stop)
    while m is not None:
        s, e = 0 if m is first else m.start() + 1, m.end()
        rule, n, family, style, measure, part, line_start_only, readings = _BY_GROUP[m.lastindex]
        raw = m.group(n)
        m = search(text, e - 1, stop)  # a marker's last character may stand before the next one
        after = text[e:e + 1]
        # (most markers stand before an ideograph, which no Unicode version reads as a digit)
        if after > "\x7f" and not _IDEOGRAPHS[0] <= after <= _IDEOGRAPHS[1] and _regex_only_digit(after):
            read = _regex_reading(text, s)
            if read is None:
                continue
            rule, raw, e = read
            family, style, measure, part, line_start_only = (
                rule.family, rule.out_style, rule.measure, rule.part, rule.line_start_only)
            readings = _BY_GROUP[_SCAN.groupindex[f"n_{rule.family}"]][7]
        if e > end:
            break
        # the boundary: spaces and tabs back to a line start (at most 40), to a sentence or clause
        # mark (at most 16), or to any other non-space character (1 to 16)
        c = text[s - 1] if s else "\n"  # the character the scan consumed (a line start for the text's first)
        if c == "\n":
            ls = after_sentence = True
        elif c != " " and c != "\t":  # a sentence or clause mark (_PUNCT) right before the marker
            if line_start_only:
                continue
            ls, after_sentence = False, c in "。!?"
        else:
            j = s - 2
            while j >= 0 and text[j] in " \t":
                j -= 1
            k = s - 1 - j  # (one or more)
            c = text[j] if j >= 0 else "\n"
            ls = c == "\n"
            if not ((ls and k <= 40) or (k <= 16 and (c in _PUNCT or not c.isspace() or c in _SPACE_NOT_RX))):
                continue
            if line_start_only and not ls:
                continue
            after_sentence = True
        ordinal = readings.get(raw, 0)
        if ordinal == 0:
            ordinal = rule.read(raw)  # None or 0 where no ordinal is read: neither is kept
            if ordinal and len(readings) < _READINGS_KEPT:
                readings[raw] = ordinal
        if ordinal:
            out.append(_new_marker((family, style, ordinal, s, e, ls, after_sentence, measure, part)))
    return out


def stray_markers(text: str, start: int, end: int, known: Iterable[int] = ()) -> list[tuple[int, int]]:
    """Spans of line openings in [start, end) shaped like a marker that no rule matches.

    `known`: where find_markers found a marker (any of them), in increasing order: a rule matches
    there, without trying _STRAY or LINE_MARKER_RE (most line openings of that shape, （一）, are markers).
    Both are walked as they come: a text of millions of markers holds no list or set of them here."""
    out = []
    ahead = iter(known)
    k = next(ahead, None)
    # `^` holds at `start` only when it opens a line
    first = _STRAY.match(text, start, end) if _STRAY_OPEN.match(text, start, end) else None
    if first is not None:
        s = first.start("m")
        while k is not None and k < s:
            k = next(ahead, None)
        if s != k and not LINE_MARKER_RE.match(text, s):
            out.append((s, first.end("m")))
    # the lines after a line break that open with a character a stray marker starts with
    for c in _STRAY_LINE.finditer(text, first.end() if first is not None else start, end):
        s = c.end() - 1  # where _STRAY's marker would start: after the line's spaces and tabs
        while k is not None and k < s:
            k = next(ahead, None)
        if s == k:
            continue
        m = _STRAY.match(text, c.start() + 1, end)  # `^` holds after the line break
        if m is not None and not LINE_MARKER_RE.match(text, s):
            out.append((s, m.end("m")))
    return out
