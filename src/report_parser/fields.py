"""Labelled fields under a heading (问题：/整改情况：/整改进展：/责任单位：…) and what they imply."""

from __future__ import annotations

import regex

from .lexicon import alternation, load

# Canonical field name → the labels notices write for it (data/fields.json; matched longest first).
FIELD_LABELS: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in load("fields.json")["labels"].items()}
_LABEL_TO_FIELD = {label: name for name, labels in FIELD_LABELS.items() for label in labels}
_ALT = alternation(_LABEL_TO_FIELD)
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
