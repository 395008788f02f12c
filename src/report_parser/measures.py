"""Measure status from cue words: done, ongoing or planned."""

from __future__ import annotations

import regex

from .lexicon import alternation, load, patterns

# Cues are matched on the measure's matching text (data/measure_status.json). Planned wins over done
# only when nothing says the work already happened; a measure that reports results and promises more
# is ongoing.
_D = load("measure_status.json")
_NOT = "".join(_D["negations"])
_PLANNED = regex.compile(patterns(_D["planned"], load("sections.json")["next_step"]))
_ONGOING = regex.compile(alternation(_D["ongoing"]))
_DONE = regex.compile(rf"(?<![{_NOT}])(?:{alternation(_D['done'])})")
# A bare 完成 reports work done unless its own clause puts it in the future (拟于年底前完成).
_BARE_DONE = regex.compile(rf"(?<![{_NOT}])完成(?!{alternation(_D['bare_done_blocked_after'])})")
_FUTURE_IN_CLAUSE = regex.compile(rf"(?:{alternation(_D['future_in_clause'])})[^,，。;；]{{0,12}}$")


def _bare_done(text: str) -> bool:
    for m in _BARE_DONE.finditer(text):
        clause_start = max(text.rfind(p, 0, m.start()) for p in "，,。;；") + 1
        if not _FUTURE_IN_CLAUSE.search(text, clause_start, m.start()):
            return True
    return False


def measure_status(text: str) -> str | None:
    """`done`, `ongoing`, `planned`, or None when the text gives no cue."""
    planned = _PLANNED.search(text) is not None
    ongoing = _ONGOING.search(text) is not None
    done = _DONE.search(text) is not None or _bare_done(text)
    if planned and not done and _PLANNED.search(text, 0, 12):
        return "planned"  # opens with the plan (（3）下一步，将…常态化): what follows is promised
    if planned and not done and not ongoing:
        return "planned"
    if ongoing or (planned and done):
        return "ongoing"
    if done:
        return "done"
    return None
