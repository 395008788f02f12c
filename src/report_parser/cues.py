"""Searches that try a pattern only where a match can start: near a literal every match holds.

A pattern with an open, bounded prefix (up to 10 characters of any kind before 巡察组) is tried by the
regex engine at every position of the text. When every match holds a literal (`cue`) at most `reach`
characters after its start, and the engine reads at most `span` characters from where it tries
(lookarounds included), a match can start only within `reach` characters before a cue, and trying
those starts reads nothing past the cue plus `span`: each cue, found by `str.find`, gets one search
of that small window, and the result is the match the search of the whole text gives."""

from __future__ import annotations

import re
from collections.abc import Iterator

import regex

# The characters `regex` matches with \s (Unicode White_Space). The stdlib `re` matches \x1c-\x1f
# too: a pattern moved to `re` spells these out so that it matches exactly as before (see `plain`).
REGEX_SPACE = "\\t-\\r\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
_NOT_PLAIN = re.compile(r"\\[dDwWbB]|\(\?[rV]|\\[pP]\{|\[\[")
_NOT_PLAIN_DIGITS = re.compile(r"\\[DwWbB]|\(\?[rV]|\\[pP]\{|\[\[")

_SPELLED = {("\\s", True): REGEX_SPACE, ("\\s", False): f"[{REGEX_SPACE}]", ("\\S", False): f"[^{REGEX_SPACE}]"}


def by_first_char(words: list[str]) -> str:
    """Literal words as an alternation grouped by their first character (持(?:续整改|续推进)|已(?:完成|…)):
    the engine tries one branch per character where a flat alternation tries every word at every
    position. Words keep their given order within a group, and words with different first
    characters never match at the same position, so every search finds what the flat one finds."""
    groups: dict[str, list[str]] = {}
    for w in words:
        groups.setdefault(w[:1], []).append(w[1:])
    out = []
    for first, rests in groups.items():
        tail = "|".join(re.escape(r) for r in rests)
        out.append(re.escape(first) + (f"(?:{tail})" if len(rests) > 1 else tail))
    return "|".join(out)


def plain(pattern: str, flags: int = 0, digits: bool = False) -> re.Pattern:
    """`pattern` compiled with the stdlib `re`, which finds plain patterns faster than `regex`, matching
    what `regex.compile(pattern, flags)` matches: \\s and \\S are spelled out as `regex` reads them.
    Patterns with \\d, \\w or \\b (whose character sets differ between the two modules' Unicode
    versions), \\S inside a set, or `regex`-only syntax are refused; \\d is taken when `digits` says
    the difference does not matter (digits of scripts newer than Python's Unicode tables, which
    normalised notices do not hold)."""
    if (_NOT_PLAIN_DIGITS if digits else _NOT_PLAIN).search(pattern):
        raise ValueError(f"not a plain pattern: {pattern!r}")
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            esc = pattern[i:i + 2]
            if esc == "\\S" and in_class:
                raise ValueError(f"not a plain pattern: {pattern!r}")
            out.append(_SPELLED.get((esc, in_class), esc))
            i += 2
            continue
        if c == "[" and not in_class:
            in_class = True
            out.append(pattern[i:i + 2] if pattern.startswith("[^", i) else c)
            i += 2 if pattern.startswith("[^", i) else 1
            if i < len(pattern) and pattern[i] == "]":  # a ] first in a set is a literal
                out.append("]")
                i += 1
            continue
        if c == "]" and in_class:
            in_class = False
        out.append(c)
        i += 1
    return re.compile("".join(out), flags)


_BLANKS = plain(r"\s+")


def squash(s: str) -> str:
    """`s` without the blanks \\s+ finds (as `regex` reads \\s). Most names and titles hold none: those
    come back as they are, told by `str.split` (which parts on every such blank) instead of a regex."""
    parts = s.split()
    if len(parts) == 1 and len(parts[0]) == len(s):
        return s
    return _BLANKS.sub("", s)


def search_near(pattern: regex.Pattern, text: str, cue: str, reach: int, span: int, pos: int = 0,
                endpos: int | None = None, barrier: regex.Pattern | None = None,
                tail: regex.Pattern | None = None) -> regex.Match | None:
    """`pattern.search(text, pos, endpos)`, for a pattern every match of which holds `cue` within
    `reach` characters of its start, and which reads at most `span` characters from where it is tried.

    `barrier`, a reverse pattern (?r), finds what no match holds before its cue: a match starts after
    the last one before the cue. `tail` matches at the cue of every match: a cue where it does not
    is no match's, and costs no search (a pattern tried before a cue that fails late backtracks long)."""
    end = len(text) if endpos is None else endpos
    lo = k = pos
    while (i := text.find(cue, k, end)) >= 0:
        k = i + 1
        if tail is not None and tail.match(text, i, end) is None:
            continue
        # starts before i - reach hold no usable cue in reach; starts up to i read nothing past i + span
        first = max(lo, i - reach)
        b = barrier.search(text, first, i) if barrier is not None else None
        m = pattern.search(text, b.end() if b else first, min(end, i + span))
        if m is not None and m.start() <= i:
            return m
        lo = k  # a start past i is tried with the next cue (a match cut short by the window is not one)
    return None


def finditer_near(pattern: regex.Pattern, text: str, cue: str, reach: int, span: int, pos: int = 0,
                  endpos: int | None = None, barrier: regex.Pattern | None = None,
                  tail: regex.Pattern | None = None) -> Iterator[regex.Match]:
    """`pattern.finditer(text, pos, endpos)` for such a pattern (whose matches are never empty)."""
    end = len(text) if endpos is None else endpos
    while (m := search_near(pattern, text, cue, reach, span, pos, end, barrier, tail)) is not None:
        yield m
        pos = m.end()


class Endings:
    """A list of endings, to find the first in list order a word ends with by one look-up per distinct
    length, not one test per ending."""

    def __init__(self, endings: tuple[str, ...]) -> None:
        self.endings = endings
        self._index: dict[str, int] = {}
        for i, e in enumerate(endings):
            self._index.setdefault(e, i)
        self._lengths = tuple(sorted({len(e) for e in endings}))
        # the lengths of the endings by their last character: a word is looked up only at those of its
        # own last character (all lengths when "" is an ending)
        by_last: dict[str, set[int]] = {}
        for e in endings:
            by_last.setdefault(e[-1:], set()).add(len(e))
        self._by_last = None if "" in by_last else {c: tuple(sorted(ks)) for c, ks in by_last.items()}

    def first(self, word: str, shorter: bool = False) -> int | None:
        """The list index of the first ending `word` ends with (and, if `shorter`, is longer than)."""
        n = len(word)
        lengths = self._lengths
        if self._by_last is not None:
            lengths = self._by_last.get(word[-1:], ())
        best: int | None = None
        for k in lengths:
            if k > n or (shorter and k == n):
                break
            i = self._index.get(word[n - k:])
            if i is not None and (best is None or i < best):
                best = i
        return best
