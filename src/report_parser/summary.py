"""Machine-readable subjects for the figures of a summary paragraph (反馈问题25个, 整改完成率76%…)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from .lexicon import load

_BREAKS = r"[,;。:!?、\n]"
_CLAUSE_BREAK = re.compile(_BREAKS)
_LAST_BREAK = re.compile(rf"[\s\S]*{_BREAKS}")  # greedy: ends at the last break of the window


@dataclass(frozen=True, slots=True)
class SubjectRule:
    subject: str
    kinds: frozenset[str]
    units: frozenset[str] | None
    cue: re.Pattern
    block_after: re.Pattern | None
    after: re.Pattern | None = None


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
                    re.compile(r["cue"]), re.compile(r["block_after"]) if r.get("block_after") else None,
                    re.compile(r["after"]) if r.get("after") else None)
        for r in data["subjects"])


CLAUSE_REACH = 60  # characters a clause is looked for on each side of a figure: keeps the work linear


def clause(text: str, start: int, end: int) -> tuple[int, int]:
    """The clause around [start, end): from the previous clause break to the next, within reach."""
    lo = max(0, start - CLAUSE_REACH)
    last = _LAST_BREAK.match(text, lo, start)
    s = last.end() if last else lo
    hi = min(len(text), end + CLAUSE_REACH)
    m = _CLAUSE_BREAK.search(text, end, hi)
    return s, m.start() if m else hi


_FIGURE = re.compile(r"\d")
_BREAK_OR_FIGURE = re.compile(rf"{_BREAKS}|\d")
_AREA_AFTER = re.compile(r"\d*(?:多|余)?(?:个|项|大)?(?:方面|领域|板块)")


@dataclass(frozen=True, slots=True)
class _Fitting:
    """The rules a figure of one kind and unit may take, in order, with a pattern matching where any
    of their `after` patterns does."""
    rules: tuple[SubjectRule, ...]
    any_after: re.Pattern | None


@cache
def _fitting(kind: str, unit: str | None) -> _Fitting:
    fits = tuple(r for r in rules() if kind in r.kinds and (r.units is None or unit in r.units))
    afters = [f"(?:{r.after.pattern})" for r in fits if r.after is not None]
    return _Fitting(fits, re.compile("|".join(afters)) if afters else None)


def _blocked(r: SubjectRule, text: str, end: int, memo: dict[str, bool]) -> bool:
    """Whether r's block_after matches right after the figure (rules share patterns: each is matched once)."""
    b = r.block_after
    if b is None:
        return False
    k = b.pattern
    if k not in memo:
        memo[k] = b.match(text, end, min(len(text), end + 6)) is not None
    return memo[k]


def _by_cue(f: _Fitting, c: str, text: str, end: int, memo: dict[str, bool]) -> str | None:
    """The first unblocked rule whose cue matches in c.

    Each rule's own cue is searched, in order, on the short window: cheaper than one search with all
    the cues in one pattern first (a cue that is a list of words lets the engine skip to where one of
    their first characters stands; the combined pattern does not)."""
    for r in f.rules:
        if r.cue.search(c) and not _blocked(r, text, end, memo):
            return r.subject
    return None


def _lo(text: str, start: int) -> int:
    """Where the cue may begin: past the last figure before `start` in its clause, or the clause start.

    The clause starts past the last clause break within reach (as `clause` finds it); a figure is a
    run of digits, but one that a 方面/领域 follows (反馈的问题共3个方面18个: the cue reaches past 3个方面).
    One scan back over the window reversed, to the first break or figure: most clauses hold no
    figure before this one."""
    lo = max(0, start - CLAUSE_REACH)
    back = text[lo:start][::-1]
    m = _BREAK_OR_FIGURE.search(back)
    while m is not None:
        k = m.start()
        if not back[k].isdecimal() or not _AREA_AFTER.match(text, start - k):
            return start - k  # past the break, or the end of the figure
        while k < len(back) and back[k].isdecimal():  # \d: the characters of category Nd
            k += 1
        m = _BREAK_OR_FIGURE.search(back, k)
    return lo


def summary_subject(text: str, kind: str, unit: str | None, start: int, end: int) -> str | None:
    """The subject key of a figure at [start, end) of `text`, or None.

    The cue must stand near the figure: between the previous figure (or the clause start) and
    two characters past it (`反馈的18个问题` but not the `已完成整改` that follows)."""
    f = _fitting(kind, unit)
    if not f.rules:
        return None
    lo = _lo(text, start)
    hi = min(len(text), end + 2)
    stop = _BREAK_OR_FIGURE.search(text, end, hi)  # the clause ends or the next figure starts
    if stop:
        hi = stop.start()
    memo: dict[str, bool] = {}
    subject = _by_cue(f, text[lo:hi], text, end, memo)
    if subject is not None:
        return subject
    stop = min(len(text), end + 14)
    if f.any_after is None or not f.any_after.match(text, end, stop):
        return None  # no rule's `after` pattern matches
    brk = _CLAUSE_BREAK.search(text, end, min(len(text), end + CLAUSE_REACH))  # the clause end, as `clause` finds it
    ce = brk.start() if brk else min(len(text), end + CLAUSE_REACH)
    # only then what follows the figure (反馈的16个问题已整改完成13个: 16 is fed back, not rectified)
    for r in f.rules:
        m = r.after.match(text, end, stop) if r.after is not None else None
        if m is None or _blocked(r, text, end, memo):
            continue
        if r.subject != "problems_fed_back" and _FIGURE.search(text, m.end(), min(ce, m.end() + 4)):
            continue  # 11个问题已整改完成9个: the next figure is the rectified one; 11 is the whole
        return r.subject
    return None
