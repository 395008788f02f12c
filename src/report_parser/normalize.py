"""Text for matching (width, script, artefacts, hard wraps) with an offset map back to the original."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .markers import LINE_MARKER_RE as _LINE_MARKER
from .width import HALF_WIDTH, IDEOGRAPHIC_SPACE

# Full-width ASCII variants and odd spaces become their plain forms: one character for one,
# so these substitutions never move an offset.
_WIDTH = dict(HALF_WIDTH)
_WIDTH.update({IDEOGRAPHIC_SPACE: 0x20, 0xA0: 0x20, 0x200B: 0x20, 0xFEFF: 0x20, 0x2002: 0x20, 0x2003: 0x20,
               0x2009: 0x20, 0x2027: 0x00B7})
# The full-width punctuation of every Chinese notice is replaced with str.replace, one pass each
# (str.translate over a whole notice, whose characters mostly have no entry, is ten times slower);
# the rarer ones are looked for in one scan and replaced only when present.
_WIDTH_STR = {chr(k): chr(v) for k, v in _WIDTH.items()}
_COMMON_WIDE = "，：；（）"
_RARE_WIDE = re.compile("[" + "".join(re.escape(c) for c in sorted(_WIDTH_STR) if c not in _COMMON_WIDE) + "]")


def _narrow(text: str, start: int = 0) -> str:
    """`text.translate(_WIDTH)`, faster: one character for one, so no offset moves. `start`: no rare
    character stands before it."""
    for c in _COMMON_WIDE:
        text = text.replace(c, _WIDTH_STR[c])
    m = _RARE_WIDE.search(text, start)
    while m is not None:  # each rare character present, replaced everywhere at once
        c = m.group()
        text = text.replace(c, _WIDTH_STR[c])
        m = _RARE_WIDE.search(text, m.start())  # none replaced makes a rare one: the next is another
    return text

# Conversion leftovers and markup that must never reach a title or heading; blanked to spaces.
_ARTEFACT = re.compile(
    r"\[(?:bookmark|comment|footnote|endnote)[^\]\n]{0,120}\]"  # pandoc/docx2txt leftovers
    r"|\{\s*(?:PAGE|NUMPAGES|MERGEFORMAT|HYPERLINK)[^}\n]{0,120}\}"  # Word field codes
    r"|[*_]{2,}"  # Markdown bold, as runs (*__* must not leave **)
    r"|&(?:nbsp|ensp|emsp|thinsp|#160|#12288);"  # HTML space entities left in copied page text
    r"|^#{1,6}(?= )"  # Markdown heading marks
    , re.M | re.I)

_ARTEFACT_FIRST = "[{*_&#"
_SURROGATE = re.compile("[\ud800-\udfff]")
_SENTENCE_END = "。；;！!？?：:”\"』」)）】》…"


_LINE_LABEL = re.compile(r"\s*[\[【]?[\u4e00-\u9fff]{2,6}[\]】]?\s*[:：]")


@dataclass(frozen=True, slots=True)
class NormText:
    """The original text and its matching form; offsets in `text` map back via `orig_span`.

    Most notices have no hard wraps to join: `text` then has the original's offsets and every
    mapping is the identity. Otherwise `index` holds the original offset of each position of
    `text` (and of its end), computed once for the whole text."""

    original: str
    text: str
    breaks: tuple[int, ...] = ()  # positions in `text` after which the shift changes
    shifts: tuple[int, ...] = ()  # characters deleted before each break (cumulative)
    traditional: bool = False
    joined_lines: int = 0
    index: tuple[int, ...] = ()  # original offset of text[i], i ≤ len(text); empty for the identity

    def to_orig(self, i: int) -> int:
        """Original offset of the character at `text[i]` (or of the end, for i == len)."""
        if not self.breaks:
            return i
        if self.index and 0 <= i < len(self.index):
            return self.index[i]
        k = bisect_right(self.breaks, i) - 1
        return i + (self.shifts[k] if k >= 0 else 0)

    def orig_span(self, start: int, end: int) -> tuple[int, int]:
        """Half-open original span of the half-open matching span [start, end)."""
        if not self.breaks:
            return (start, end) if end > start else (start, start)
        if end <= start:
            o = self.to_orig(start)
            return o, o
        return self.to_orig(start), self.to_orig(end - 1) + 1

    def orig_text(self, start: int, end: int) -> str:
        if not self.breaks:
            return self.original[start:end]
        s, e = self.orig_span(start, end)
        return self.original[s:e]


def _index(size: int, breaks: list[int], shifts: list[int]) -> tuple[int, ...]:
    """to_orig of every position 0…size, from the breaks and their cumulative shifts."""
    out: list[int] = []
    lo, shift = 0, 0
    for b, sh in zip(breaks, shifts, strict=True):
        out.extend(range(lo + shift, b + shift))
        lo, shift = b, sh
    out.extend(range(lo + shift, size + 1 + shift))
    return tuple(out)


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _may_convert() -> re.Pattern[str]:
    """A character without which t2s leaves a text unchanged (data/t2s_chars.txt, written from
    OpenCC's dictionaries by scripts/t2s_chars.py), any character beyond the BMP, or a lone surrogate
    (which the conversion replaces); most notices have none, and one scan for them costs a fraction
    of the conversion."""
    lines = resources.files("report_parser").joinpath("data", "t2s_chars.txt").read_text(encoding="utf-8")
    chars = "".join(ln for ln in lines.splitlines() if not ln.startswith("#"))
    return re.compile("[" + "".join(re.escape(c) for c in chars if c <= "\uffff") + "\ud800-\udfff\U00010000-\U0010ffff]")


# Characters in no entry of t2s's dictionaries (tests/test_t2s_chars.py checks): no match spans one,
# so the clauses between them convert as they would inside the whole text.
T2S_BOUNDARIES = "\n。,;"
_T2S_BOUNDARY = re.compile("[" + re.escape(T2S_BOUNDARIES) + "]")


def _clauses_to_convert(text: str, m: re.Match[str] | None, may: re.Pattern[str]) -> list[tuple[int, int]]:
    """The (start, end) of each clause holding a character that t2s may change, in order, from the
    first such character `m` on."""
    out: list[tuple[int, int]] = []
    while m is not None:
        i = m.start()
        s = max([text.rfind(c, 0, i) for c in T2S_BOUNDARIES]) + 1
        b = _T2S_BOUNDARY.search(text, i)
        e = b.start() if b is not None else len(text)
        out.append((s, e))
        m = may.search(text, e)
    return out


@lru_cache(maxsize=1)
def _rare_or_may_convert() -> re.Pattern[str]:
    """A rare wide character or one that t2s may change: most notices have neither, and one scan for
    both costs what one for either does."""
    return re.compile(_RARE_WIDE.pattern[:-1] + _may_convert().pattern[1:])


def _to_simplified(text: str, start: int = 0) -> tuple[str, bool]:
    """Traditional → simplified, one character for one; lines whose length would change keep theirs.
    `start`: no character that t2s may change stands before it.

    Only the clauses holding a character that t2s may change are converted (most notices that have
    one, 覆 of 覆盖, have it in a clause or two)."""
    may = _may_convert()
    m = may.search(text, start)
    if m is None:
        return text, False
    try:
        return _convert_clauses(text, _clauses_to_convert(text, m, may))
    except UnicodeEncodeError:  # OpenCC takes UTF-8 only; lone surrogates can't be encoded
        text = _SURROGATE.sub("\ufffd", text)
        return _convert_clauses(text, _clauses_to_convert(text, may.search(text), may))


def _convert_clauses(text: str, spans: list[tuple[int, int]]) -> tuple[str, bool]:
    """`text` with the clauses at `spans` converted, and whether that changed it."""
    t2s = _t2s()
    converted = [t2s.convert(text[s:e]) for s, e in spans]
    if all(c == text[s:e] for (s, e), c in zip(spans, converted, strict=True)):
        return text, False
    # the whole text's conversion when it keeps the length; else lines whose length would change keep theirs
    grown: dict[int, int] = {}  # line start → characters its conversion adds
    for (s, e), c in zip(spans, converted, strict=True):
        line = text.rfind("\n", 0, s) + 1
        grown[line] = grown.get(line, 0) + len(c) - (e - s)
    whole = sum(grown.values()) == 0
    out: list[str] = []
    done = 0
    for (s, e), c in zip(spans, converted, strict=True):
        if not whole and grown[text.rfind("\n", 0, s) + 1]:
            c = "".join(ch if len(one := t2s.convert(ch)) != 1 else one for ch in text[s:e])
        out.append(text[done:s])
        out.append(c)
        done = e
    out.append(text[done:])
    return "".join(out), True


def _blank_artefacts(text: str) -> str:
    """`_ARTEFACT.sub` with every match blanked to spaces, trying the pattern only where one of the
    characters every artefact starts with stands (they are rare: a scan of the whole text by the
    pattern costs more than finding them)."""
    starts: list[int] = []
    for c in _ARTEFACT_FIRST:
        i = text.find(c)
        while i >= 0:
            starts.append(i)
            i = text.find(c, i + 1)
    if not starts:
        return text
    out: list[str] = []
    done = 0  # text before this is in `out`
    for i in sorted(starts):
        if i < done:
            continue  # inside the artefact just blanked
        m = _ARTEFACT.match(text, i)  # with re.M, ^ still matches only at a line start
        if m is not None:
            out.append(text[done:i])
            out.append(" " * (m.end() - i))
            done = m.end()
    out.append(text[done:])
    return "".join(out)


def _wrap_width(lines: list[str]) -> int | None:
    """The fixed width a hard-wrapped text was broken at, or None when lines end naturally.

    Hard wrapping shows as many lines that stop mid-sentence at (nearly) the same length."""
    stripped = list(map(str.strip, lines))
    body = len(stripped) - stripped.count("")  # lines that are not blank
    open_ends = [ln for ln in stripped if len(ln) >= 12 and ln[-1] not in _SENTENCE_END]
    if len(open_ends) < 6 or len(open_ends) < 0.3 * body:
        return None  # too few even before headings are left out: most texts, without a pattern run
    # headings end without punctuation by nature: only running lines count as evidence
    open_ends = [ln for ln in open_ends if not _LINE_MARKER.match(ln)]
    if len(open_ends) < 6 or len(open_ends) < 0.3 * body:
        return None
    lengths = sorted(len(ln) for ln in open_ends)
    width = lengths[len(lengths) // 2]
    near = sum(1 for n in lengths if width - 2 <= n <= width + 2)
    return width if near >= 0.6 * len(lengths) and near >= 6 else None


def _join_wraps(text: str) -> tuple[str, list[tuple[int, int]]]:
    """Delete line breaks inside wrapped sentences; returns the text and (position, count) deletions."""
    lines = text.split("\n")
    width = _wrap_width(lines)
    if width is None:
        return text, []
    out: list[str] = []
    deletions: list[tuple[int, int]] = []
    pos = 0  # position in the output
    for i, line in enumerate(lines):
        last = i == len(lines) - 1
        stripped = line.rstrip()
        nxt = lines[i + 1] if not last else ""
        join = (not last and len(stripped.strip()) >= width - 2 and stripped
                and stripped[-1] not in _SENTENCE_END and nxt.strip()
                and not _LINE_MARKER.match(nxt) and not _LINE_LABEL.match(nxt))
        if join:
            lead = len(nxt) - len(nxt.lstrip())
            keep = stripped
            out.append(keep)
            pos += len(keep)
            deleted = (len(line) - len(stripped)) + 1 + lead
            deletions.append((pos, deleted))
            lines[i + 1] = nxt[lead:]
        else:
            out.append(line + ("" if last else "\n"))
            pos += len(line) + (0 if last else 1)
    return "".join(out), deletions


def normalize(original: str) -> NormText:
    """Build the matching form of `original`; every character of it maps back to the original."""
    first = _rare_or_may_convert().search(original)
    if first is None:  # most notices: only the common wide punctuation to narrow
        text, traditional = _narrow(original, len(original)), False
    else:  # narrowing makes no character that t2s may change, nor removes one
        text = _narrow(original, first.start())  # = original.translate(_WIDTH)
        text, traditional = _to_simplified(text, first.start())
    text = _blank_artefacts(text)
    joined, deletions = _join_wraps(text)
    if not deletions:
        return NormText(original, text, traditional=traditional)
    breaks, shifts, total = [], [], 0
    for pos, count in deletions:
        total += count
        breaks.append(pos)
        shifts.append(total)
    return NormText(original, joined, tuple(breaks), tuple(shifts), traditional, len(deletions),
                    _index(len(joined), breaks, shifts))
