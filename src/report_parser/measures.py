"""Measure status from cue words: done, ongoing or planned."""

from __future__ import annotations

import re

import regex

from .cues import by_first_char, plain
from .lexicon import alternation, load, patterns

# Cues are matched on the measure's matching text (data/measure_status.json). Planned wins over done
# only when nothing says the work already happened; a measure that reports results and promises more
# is ongoing.
_D = load("measure_status.json")
_NOT = "".join(_D["negations"])
# Plain patterns and literal word lists: the stdlib `re` finds the first of them faster than `regex`.
# not cues.plain: one cue reads a digit (计划2025年…), and \d differs between the two modules only for
# digits of scripts newer than Python's Unicode tables, which normalised notices do not hold
_PLANNED = re.compile(patterns(_D["planned"], load("sections.json")["next_step"]))
_ONGOING_WORDS = sorted(_D["ongoing"], key=len, reverse=True)  # longest first, as `alternation` orders them
_DONE_LIST = sorted(_D["done"], key=len, reverse=True)
_ONGOING = re.compile(by_first_char(_ONGOING_WORDS))
_DONE_WORDS = re.compile(by_first_char(_DONE_LIST))  # a done word counts unless a negation stands right before
# Any of the three: a measure with none of them (most) is read by one search, not three.
_ANY_CUE = re.compile("|".join((by_first_char(_ONGOING_WORDS + _DONE_LIST), _PLANNED.pattern)))
# A bare 完成 reports work done unless its own clause puts it in the future (拟于年底前完成).
_BARE_DONE = regex.compile(rf"(?<![{_NOT}])完成(?!{alternation(_D['bare_done_blocked_after'])})")
_CLAUSE_STOP_BACK = regex.compile("(?r)[，,。;；]")  # searched backwards: where a clause starts
_FUTURE_IN_CLAUSE = plain(rf"(?:{alternation(_D['future_in_clause'])})[^,，。;；]{{0,12}}$")


def _done_word(text: str, pos: int = 0) -> bool:
    """A done word with no negation right before it (已完成, not 未已整改), at or after `pos`."""
    while (m := _DONE_WORDS.search(text, pos)) is not None:
        i = m.start()
        if i == 0 or text[i - 1] not in _NOT:
            return True
        pos = i + 1  # another word may start inside this one
    return False


def _bare_done(text: str) -> bool:
    if "完成" not in text:
        return False
    for m in _BARE_DONE.finditer(text):
        stop = _CLAUSE_STOP_BACK.search(text, 0, m.start())  # the nearest clause stop before it
        if not _FUTURE_IN_CLAUSE.search(text, stop.end() if stop else 0, m.start()):
            return True
    return False


def measure_status(text: str) -> str | None:
    """`done`, `ongoing`, `planned`, or None when the text gives no cue.

    The plan cues, the costliest to look for, are looked for only when the answer depends on them."""
    first = _ANY_CUE.search(text)
    if first is None:  # no cue word: only a bare 完成 can say anything
        return "done" if _bare_done(text) else None
    # no cue of any of the three kinds starts before the first of them all: look from there
    # (a search from a position still sees the text before it, as the look-behinds need)
    at = first.start()
    ongoing = _ONGOING.search(text, at) is not None
    if _done_word(text, at) or _bare_done(text):
        # done with a plan or continuing work is ongoing
        return "ongoing" if ongoing or _PLANNED.search(text, at) is not None else "done"
    if _PLANNED.search(text, at) is None:
        return "ongoing" if ongoing else None
    if not ongoing or _PLANNED.search(text, 0, 12):
        return "planned"  # a plan and nothing done; or one that opens with the plan (（3）下一步，将…常态化)
    return "ongoing"
