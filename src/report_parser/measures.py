"""Measure status from cue words: done, ongoing or planned."""

from __future__ import annotations

import re

import regex

# Cues are matched on the measure's matching text. Planned wins over done only when nothing
# says the work already happened; a measure that reports results and promises more is ongoing.
_PLANNED = regex.compile(
    r"(?<![模草])拟(?![定稿订人制])|将于|(?<!已)将(?=建立|健全|推动|持续|进一步|加强|开展|完善|继续|全面|深入|不断|适时|定期|启动|组织|推进)|计划(?=于|在|对|将|通过|用|开展|召开|组织|年|月|\d)|(?<![招接期等看对])待[^。;]{0,12}(?:时机|条件|后)|正积极谋划|积极谋划|正在谋划|下一步|下步|"
    r"力争|争取于|预计于|预计在|年底前|月底前|近期将|准备于")
_ONGOING = regex.compile(
    r"持续整改|持续推进|持续开展|长期坚持|长期整改|常态化|正在推进|正在整改|正在开展|推进中|整改中|逐步推进|分步推进|"
    r"稳步推进|有序推进|不断完善|持续加强|持续深化|阶段性成效|基本完成")
_DONE = regex.compile(
    r"(?<![未没不])(?:已完成|已经完成|完成了|已整改|整改到位|已全部|已清退|已追缴|已收回|已印发|已出台|已制定|已建立|已修订|已开展|已召开|"
    r"已落实|已办结|已于|已按|已对|已将|已经|完成整改|全部完成|办结)")


# A bare 完成 reports work done unless its own clause puts it in the future (拟于年底前完成).
_BARE_DONE = regex.compile(r"(?<![未没不])完成(?!时限|时间|率|目标|任务数)")
_FUTURE_IN_CLAUSE = re.compile(r"(?:拟|将|计划|力争|预计|争取|确保|待|需|要|前|后|内)[^,，。;；]{0,12}$")


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
