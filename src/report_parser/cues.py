"""Searches that start where a match can be: near a literal every match holds.

A pattern with an open, bounded prefix (up to 10 characters of any kind before 巡察组) is tried by the
regex engine at every position of the text. When every match holds a literal (`cue`) at most `reach`
characters after its start, no match starts before the first cue less `reach`: the search can
start there, found by `str.find`, and give the same match."""

from __future__ import annotations

from collections.abc import Iterator

import regex


def search_near(pattern: regex.Pattern, text: str, cue: str, reach: int, pos: int = 0,
                endpos: int | None = None) -> regex.Match | None:
    """`pattern.search(text, pos, endpos)`, for a pattern every match of which holds `cue` within
    `reach` characters of its start."""
    end = len(text) if endpos is None else endpos
    i = text.find(cue, pos, end)
    if i < 0:
        return None
    return pattern.search(text, max(pos, i - reach), end)


def finditer_near(pattern: regex.Pattern, text: str, cue: str, reach: int, pos: int = 0,
                  endpos: int | None = None) -> Iterator[regex.Match]:
    """`pattern.finditer(text, pos, endpos)` for such a pattern (whose matches are never empty)."""
    end = len(text) if endpos is None else endpos
    while (m := search_near(pattern, text, cue, reach, pos, end)) is not None:
        yield m
        pos = m.end()
