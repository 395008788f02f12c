"""Labelled fields under a heading (问题：/整改情况：/整改进展：/责任单位：…) and what they imply."""

from __future__ import annotations

import regex

# Canonical field name → the labels notices write for it (matched longest first).
FIELD_LABELS: dict[str, tuple[str, ...]] = {
    "problem": ("反馈问题", "存在问题", "问题表现", "主要问题", "问题描述", "具体问题", "问题清单", "问题"),
    "rectification": ("整改落实情况", "整改完成情况", "整改推进情况", "整改措施", "整改举措", "整改情况", "落实情况",
                      "整改结果", "具体措施", "主要措施"),
    "progress": ("整改进展", "进展情况", "整改状态", "完成情况", "整改进度"),
    "leader": ("责任领导", "牵头领导", "分管领导", "责任人"),
    "unit": ("责任单位", "责任部门", "牵头单位", "责任科室", "配合单位"),
    "deadline": ("完成时限", "整改时限", "完成时间", "整改期限", "时限要求"),
}
_LABEL_TO_FIELD = {label: name for name, labels in FIELD_LABELS.items() for label in labels}
_ALT = "|".join(sorted(_LABEL_TO_FIELD, key=len, reverse=True))
LABEL_RE = regex.compile(
    rf"(?:(?<=^[\x20\t]{{0,8}})|(?<=[。;!?][\x20\t]{{0,3}})|(?<=\S[\x20\t]{{1,4}}))"
    rf"[\[【]?(?P<label>{_ALT})[\]】]?[\x20\t]*[:]",
    regex.M)

def find_fields(text: str, start: int, end: int, skip: list[tuple[int, int]]) -> list[tuple[str, int, int, int]]:
    """(name, label_start, value_start, value_end) for each label in [start, end) outside `skip` spans."""
    hits = []
    for m in LABEL_RE.finditer(text, start, end):
        if any(a <= m.start() < b for a, b in skip):
            continue
        hits.append((_LABEL_TO_FIELD[m.group("label")], m.start(), m.end()))
    out = []
    for i, (name, ls, vs) in enumerate(hits):
        ve = hits[i + 1][1] if i + 1 < len(hits) else end
        while vs < ve and text[vs] in " \t\n":
            vs += 1
        while ve > vs and text[ve - 1] in " \t\n":
            ve -= 1
        out.append((name, ls, vs, ve))
    return out
