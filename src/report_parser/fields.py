"""Labelled fields under a heading (问题：/整改情况：/整改进展：/责任单位：…) and what they imply."""

from __future__ import annotations

from bisect import bisect_left

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

Hit = tuple[int, int, str]  # a label's match: (start, end, field name)


_LONGEST = max(map(len, _LABEL_TO_FIELD))  # no label holds a colon (tests/test_markers.py checks)
# the lengths of the labels ending with each pair of characters, longest first (every label has two or more)
_BY_ENDING: dict[str, tuple[int, ...]] = {
    end: tuple(sorted({len(label) for label in _LABEL_TO_FIELD if label.endswith(end)}, reverse=True))
    for end in {label[-2:] for label in _LABEL_TO_FIELD}}
_SPACE_NOT_RX = "\x1c\x1d\x1e\x1f"  # str.isspace() but not `regex`'s \s


def _boundary(text: str, s: int) -> bool:
    """Whether LABEL_RE's look-behind holds at `s`: a line start, a sentence end (。;!?) or any other
    non-blank character, each followed by at most 8, 3 or 1 to 4 spaces or tabs."""
    i = s
    while i > 0 and text[i - 1] in " \t":
        i -= 1
    k = s - i
    if i == 0 or text[i - 1] == "\n":
        return k <= 8
    c = text[i - 1]
    if c in "。;!?":
        return k <= 4  # 0 to 3 after the sentence end, or 1 to 4 after a non-blank
    return 1 <= k <= 4 and (not c.isspace() or c in _SPACE_NOT_RX)


def _scan(text: str, start: int, end: int) -> list[Hit]:
    """What LABEL_RE.finditer(text, start, end) finds, read only just before each colon: every match
    ends with one, after a label, a bracket and spaces (tests/test_fields.py checks the two agree)."""
    hits = []
    pos = start
    colon = text.find(":", start, end)
    while colon >= 0:
        j = colon  # where the spaces before the colon start
        while j > pos and text[j - 1] in " \t":
            j -= 1
        # the leftmost match at `lo` or later whose label (and closing bracket) ends at j
        lo = max(pos, j - _LONGEST - 2)
        k = j - 1 if j > lo and text[j - 1] in "]】" else j
        lengths = _BY_ENDING.get(text[k - 2:k]) if k - 2 >= lo else None
        for n in lengths or ():  # the longest label first: the leftmost start
            s = k - n
            if s < lo:
                continue
            name = _LABEL_TO_FIELD.get(text[s:k])
            if name is None:
                continue
            if s > lo and text[s - 1] in "[【":
                s -= 1  # the opening bracket is taken: without it, the look-behind fails after a bracket
            if _boundary(text, s):
                hits.append((s, colon + 1, name))
                pos = colon + 1
                break
        colon = text.find(":", colon + 1, end)
    return hits


def _outside(hits: list[Hit], skip: list[tuple[int, int]]) -> list[Hit]:
    """The hits (in text order) that start in none of the `skip` spans, in one walk over both: the
    spans merged into disjoint ones, in order (a heading's children hold most of its labels)."""
    if not skip:
        return hits
    merged: list[list[int]] = []
    for a, b in sorted(skip):
        if a >= b:
            continue  # holds nothing
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    kept, i, n = [], 0, len(merged)
    for h in hits:
        while i < n and merged[i][1] <= h[0]:
            i += 1
        if i == n or h[0] < merged[i][0]:
            kept.append(h)
    return kept


def _fields(text: str, hits: list[Hit], end: int, skip: list[tuple[int, int]]) -> list[tuple[str, int, int, int]]:
    """Each label of `hits` outside `skip` with its value: up to the next label or `end`, trimmed."""
    kept = _outside(hits, skip)
    out = []
    for i, (ls, vs, name) in enumerate(kept):
        ve = kept[i + 1][0] if i + 1 < len(kept) else end
        while vs < ve and text[vs] in " \t\n":
            vs += 1
        while ve > vs and text[ve - 1] in " \t\n":
            ve -= 1
        out.append((name, ls, vs, ve))
    return out


def find_fields(text: str, start: int, end: int, skip: list[tuple[int, int]]) -> list[tuple[str, int, int, int]]:
    """(name, label_start, value_start, value_end) for each label in [start, end) outside `skip` spans."""
    return _fields(text, _scan(text, start, end), end, skip)


class Labels:
    """The labels of a span found in one scan, from which the fields of every heading within it are
    read (find_fields on each heading would scan the text once per level of nesting)."""

    def __init__(self, text: str, start: int, end: int) -> None:
        self.text, self.start, self.end = text, start, end
        self.hits = _scan(text, start, end)
        self.starts = [h[0] for h in self.hits]

    def within(self, start: int, end: int) -> list[Hit] | None:
        """The hits a scan of [start, end) finds, or None when a hit crosses `start` or `end` (a scan
        of the part alone could then find what the scan of the whole does not)."""
        if start < self.start or end > self.end:
            return None
        i = bisect_left(self.starts, start)
        if i and self.hits[i - 1][1] > start:
            return None
        out = []
        for h in self.hits[i:]:
            if h[0] >= end:
                break
            if h[1] > end:
                return None
            out.append(h)
        return out

    def any_in(self, start: int, end: int) -> bool:
        """Whether a scan of [start, end) could find a label (`within` is not empty, or is None)."""
        if start < self.start or end > self.end:
            return True
        i = bisect_left(self.starts, start)
        return (i > 0 and self.hits[i - 1][1] > start) or (i < len(self.starts) and self.starts[i] < end)

    def fields(self, start: int, end: int, skip: list[tuple[int, int]]) -> list[tuple[str, int, int, int]]:
        """find_fields(text, start, end, skip), from the one scan where it can be."""
        hits = self.within(start, end)
        if hits is None:
            return find_fields(self.text, start, end, skip)
        return _fields(self.text, hits, end, skip)
