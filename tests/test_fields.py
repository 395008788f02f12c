"""Labelled fields: the body's labels are found in one scan, searched for only before colons, and
each heading takes those within its span; that must be what a scan of each span finds."""

from __future__ import annotations

import random
from pathlib import Path

from report_parser.fields import _LABEL_TO_FIELD, LABEL_RE, Labels, find_fields
from report_parser.normalize import normalize

_LABELS = list(_LABEL_TO_FIELD)
_FUZZ = list("\n\n \t  。;!?:::,[]【】问题整改情况x\x1c\u3000\r") + ["\t" * 4, " " * 5, " " * 9] + _LABELS * 2


def _defined(text: str, start: int, end: int, skip: list[tuple[int, int]]) -> list[tuple[str, int, int, int]]:
    """find_fields as defined: LABEL_RE over the span, values up to the next label, trimmed."""
    hits = [(m.start(), m.end(), _LABEL_TO_FIELD[m.group("label")]) for m in LABEL_RE.finditer(text, start, end)]
    hits = [h for h in hits if not any(a <= h[0] < b for a, b in skip)]
    out = []
    for i, (ls, vs, name) in enumerate(hits):
        ve = hits[i + 1][0] if i + 1 < len(hits) else end
        while vs < ve and text[vs] in " \t\n":
            vs += 1
        while ve > vs and text[ve - 1] in " \t\n":
            ve -= 1
        out.append((name, ls, vs, ve))
    return out


def test_labels_hold_no_colon_bracket_or_space():
    # the scan looks for a label just before each colon: a label must not hold one itself
    for label in _LABELS:
        assert not set(label) & set(":[]【】 \t\n"), label


def test_labels_have_two_characters_or_more():
    # the scan looks a label up by the two characters before the colon (fields._BY_ENDING)
    assert all(len(label) >= 2 for label in _LABELS)


def test_one_scan_finds_what_each_span_scan_finds():
    rng = random.Random(5)
    fixtures = sorted((Path(__file__).parent / "fixtures" / "notices").glob("*.txt"))[:20]
    texts = [normalize(p.read_text(encoding="utf-8")).text for p in fixtures]
    texts += ["".join(rng.choice(_FUZZ) for _ in range(rng.randrange(1, 30))) for _ in range(3000)]
    for text in texts:
        labels = Labels(text, 0, len(text))
        for _ in range(3):
            a = rng.randrange(len(text) + 1)
            b = rng.randrange(a, len(text) + 1)
            skip = [(a + 1, a + 4)] if rng.random() < 0.3 else []
            if rng.random() < 0.2:  # several spans, in any order, overlapping or empty
                skip = [(c, c + rng.randrange(-1, 6)) for c in (rng.randrange(len(text) + 1) for _ in range(3))]
            defined = _defined(text, a, b, skip)
            assert find_fields(text, a, b, skip) == defined, (text, a, b)
            assert labels.fields(a, b, skip) == defined, (text, a, b)
            assert labels.any_in(a, b) or not defined, (text, a, b)
