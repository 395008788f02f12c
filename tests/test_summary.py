"""Subjects of summary figures: where the cue of a figure may begin."""

from __future__ import annotations

import random
import re

from report_parser import summary


def _lo_by_definition(text: str, start: int) -> int:
    """The clause start (past the last clause break within reach), then past every figure after it
    but those a 方面/领域 follows: searched forward, run by run."""
    reach = max(0, start - summary.CLAUSE_REACH)
    breaks = [m.end() for m in summary._CLAUSE_BREAK.finditer(text, reach, start)]
    lo = breaks[-1] if breaks else reach
    for m in re.finditer(r"\d+", text[:start]):
        if m.end() > lo and not summary._AREA_AFTER.match(text, m.end()):
            lo = m.end()
    return lo


def test_cue_start_as_defined() -> None:
    """_lo scans back once to the first break or figure: the same start as the definition, on
    text crowded with breaks, figures (ASCII and other Nd digits), areas and long clauses."""
    rnd = random.Random(29)
    pieces = ["3", "18", "٣", "个", "方面", "多个领域", "3个方面", "问题", "反馈", ",", "。", "、", "\n", ";", "x",
              "的" * 25, "整改完成", "25个", "12项"]
    for _ in range(4000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randrange(1, 20)))
        for start in range(len(text) + 1):
            assert summary._lo(text, start) == _lo_by_definition(text, start), (text, start)
