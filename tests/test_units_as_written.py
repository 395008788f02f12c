"""A count's classifier is reported as the original writes it; the pipeline reads it back from the
original only where normalization may have changed it (pipeline._as_written)."""

from __future__ import annotations

from report_parser import normalize as norm
from report_parser.pipeline import _as_written, parse


def _units(text: str) -> list[str | None]:
    doc = parse(text)
    out = [m.unit for m in doc.summary]
    stack = list(doc.sections)
    while stack:
        n = stack.pop()
        out += [m.unit for m in n.metrics]
        stack += n.children
    return out


def test_without_traditional_characters_normalize_changes_none_to_a_classifier_character() -> None:
    # the premise of the shortcut: every character of the Basic Multilingual Plane that t2s leaves
    # alone, in one line (no hard wraps to join), comes out as itself, at or below U+00B7, a blank
    # or U+FFFD: none of which _as_written lets a classifier hold
    may = norm._may_convert()
    chars = [chr(c) for c in range(0x20, 0x10000)
             if not 0xD800 <= c <= 0xDFFF and not chr(c).isspace() and not may.match(chr(c))]
    text = " ".join(chars)
    nt = norm.normalize(text)
    assert not nt.traditional and not nt.breaks and len(nt.text) == len(text)
    changed = {nt.text[i] for i in range(len(text)) if nt.text[i] != text[i]}
    assert changed  # full-width forms were narrowed: the test sees the changes it is about
    assert all(c <= "\xb7" or c.isspace() or c == "\ufffd" for c in changed)
    assert not any(_as_written(c) for c in changed)
    assert _as_written("个") and _as_written("人次") and not _as_written("ｋｍ".translate(norm._WIDTH))


def test_classifier_reported_as_written() -> None:
    simplified = "关于巡察整改情况的通报\n一、整改落实情况\n共整改问题12个，完成整改10个，约谈25人次。\n"
    assert {"个", "人次"} <= set(_units(simplified))
    traditional = "關於巡察整改情況的通報\n一、整改落實情況\n共整改問題12個，完成整改10個，約談25人次。\n"
    units = _units(traditional)
    assert "個" in units and "个" not in units
