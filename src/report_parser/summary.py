"""Machine-readable subjects for the figures of a summary paragraph (反馈问题25个, 整改完成率76%…)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import regex

from .lexicon import load

_CLAUSE_BREAK = regex.compile(r"[,;。:!?、\n]")


@dataclass(frozen=True, slots=True)
class SubjectRule:
    subject: str
    kinds: frozenset[str]
    units: frozenset[str] | None
    cue: regex.Pattern
    block_after: regex.Pattern | None
    after: regex.Pattern | None = None


@lru_cache(maxsize=1)
def _data() -> dict:
    return dict(load("summary_subjects.json"))


def total_subjects() -> tuple[str, ...]:
    """The subjects a headline total may have (contract: totals)."""
    return tuple(_data()["totals"])


@lru_cache(maxsize=1)
def rules() -> tuple[SubjectRule, ...]:
    data = _data()
    return tuple(
        SubjectRule(r["subject"], frozenset(r["kinds"]), frozenset(r["units"]) if r.get("units") else None,
                    regex.compile(r["cue"]), regex.compile(r["block_after"]) if r.get("block_after") else None,
                    regex.compile(r["after"]) if r.get("after") else None)
        for r in data["subjects"])


CLAUSE_REACH = 60  # characters a clause is looked for on each side of a figure: keeps the work linear


def clause(text: str, start: int, end: int) -> tuple[int, int]:
    """The clause around [start, end): from the previous clause break to the next, within reach."""
    lo = max(0, start - CLAUSE_REACH)
    s = lo
    for m in _CLAUSE_BREAK.finditer(text, lo, start):
        s = m.end()
    hi = min(len(text), end + CLAUSE_REACH)
    m = _CLAUSE_BREAK.search(text, end, hi)
    return s, m.start() if m else hi


_FIGURE = regex.compile(r"\d")
_AREA_AFTER = regex.compile(r"\d*(?:多|余)?(?:个|项|大)?(?:方面|领域|板块)")


def summary_subject(text: str, kind: str, unit: str | None, start: int, end: int) -> str | None:
    """The subject key of a figure at [start, end) of `text`, or None.

    The cue must stand near the figure: between the previous figure (or the clause start) and
    two characters past it (`反馈的18个问题` but not the `已完成整改` that follows)."""
    cs, ce = clause(text, start, end)
    lo = cs
    for m in _FIGURE.finditer(text, cs, start):
        if not _AREA_AFTER.match(text, m.end()):  # 反馈的问题共3个方面18个: the cue reaches past 3个方面
            lo = m.end()  # bounded: the clause is at most CLAUSE_REACH characters before the figure
    hi = min(ce, end + 2)
    nxt = _FIGURE.search(text, end, hi)
    if nxt:
        hi = nxt.start()
    c = text[lo:hi]
    fits = [r for r in rules() if kind in r.kinds and (r.units is None or unit in r.units)
            and not (r.block_after is not None and r.block_after.match(text, end, min(len(text), end + 6)))]
    for r in fits:
        if r.cue.search(c):
            return r.subject
    # only then what follows the figure (反馈的16个问题已整改完成13个: 16 is fed back, not rectified)
    for r in fits:
        m = r.after.match(text, end, min(len(text), end + 14)) if r.after is not None else None
        if m is None:
            continue
        if r.subject != "problems_fed_back" and _FIGURE.search(text, m.end(), min(ce, m.end() + 4)):
            continue  # 11个问题已整改完成9个: the next figure is the rectified one; 11 is the whole
        return r.subject
    return None
