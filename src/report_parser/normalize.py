"""Text for matching (width, script, artefacts, hard wraps) with an offset map back to the original."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from .markers import LINE_MARKER_RE as _LINE_MARKER
from .width import HALF_WIDTH, IDEOGRAPHIC_SPACE

# Full-width ASCII variants and odd spaces become their plain forms: one character for one,
# so these substitutions never move an offset.
_WIDTH = dict(HALF_WIDTH)
_WIDTH.update({IDEOGRAPHIC_SPACE: 0x20, 0xA0: 0x20, 0x200B: 0x20, 0xFEFF: 0x20, 0x2002: 0x20, 0x2003: 0x20,
               0x2009: 0x20, 0x2027: 0x00B7})
# The runs of those characters: translating only them is twice as fast as str.translate over a
# whole notice, whose characters mostly have no entry.
_WIDE_RUN = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_WIDTH)) + "]+")


def _narrow(m: re.Match[str]) -> str:
    return m.group().translate(_WIDTH)

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
    """The original text and its matching form; offsets in `text` map back via `orig_span`."""

    original: str
    text: str
    breaks: tuple[int, ...] = ()  # positions in `text` after which the shift changes
    shifts: tuple[int, ...] = ()  # characters deleted before each break (cumulative)
    traditional: bool = False
    joined_lines: int = 0

    def to_orig(self, i: int) -> int:
        """Original offset of the character at `text[i]` (or of the end, for i == len)."""
        if not self.breaks:
            return i
        k = bisect_right(self.breaks, i) - 1
        return i + (self.shifts[k] if k >= 0 else 0)

    def orig_span(self, start: int, end: int) -> tuple[int, int]:
        """Half-open original span of the half-open matching span [start, end)."""
        if end <= start:
            o = self.to_orig(start)
            return o, o
        return self.to_orig(start), self.to_orig(end - 1) + 1

    def orig_text(self, start: int, end: int) -> str:
        s, e = self.orig_span(start, end)
        return self.original[s:e]


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def _to_simplified(text: str) -> tuple[str, bool]:
    """Traditional → simplified, one character for one; lines whose length would change keep theirs."""
    text = _SURROGATE.sub("\ufffd", text)  # OpenCC takes UTF-8 only; lone surrogates can't be encoded
    conv = _t2s().convert(text)
    if conv == text:
        return text, False
    if len(conv) == len(text):
        return conv, True
    out = []
    for line in text.split("\n"):
        c = _t2s().convert(line)
        if len(c) != len(line):
            c = "".join(ch if len(s := _t2s().convert(ch)) != 1 else s for ch in line)
        out.append(c)
    return "\n".join(out), True


def _blank(m: re.Match[str]) -> str:
    return " " * (m.end() - m.start())


def _wrap_width(lines: list[str]) -> int | None:
    """The fixed width a hard-wrapped text was broken at, or None when lines end naturally.

    Hard wrapping shows as many lines that stop mid-sentence at (nearly) the same length."""
    body = [ln.strip() for ln in lines if ln.strip()]
    # headings end without punctuation by nature: only running lines count as evidence
    open_ends = [ln for ln in body if len(ln) >= 12 and ln[-1] not in _SENTENCE_END and not _LINE_MARKER.match(ln)]
    if len(open_ends) < 6 or len(open_ends) < 0.3 * len(body):
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
    text = _WIDE_RUN.sub(_narrow, original)  # = original.translate(_WIDTH)
    text, traditional = _to_simplified(text)
    if any(c in text for c in _ARTEFACT_FIRST):  # every artefact starts with one of these
        text = _ARTEFACT.sub(_blank, text)
    joined, deletions = _join_wraps(text)
    if not deletions:
        return NormText(original, text, traditional=traditional)
    breaks, shifts, total = [], [], 0
    for pos, count in deletions:
        total += count
        breaks.append(pos)
        shifts.append(total)
    return NormText(original, joined, tuple(breaks), tuple(shifts), traditional, len(deletions))
