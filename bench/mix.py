"""A realistic mix of notices for the benchmarks, built from the bundled notices and test fixtures.

A real collection is mostly notices of one to ten KB, each with dozens of numbered items and
figures, and a few long ones (tens of KB); it spans every layout the parser reads. The mix takes
every decodable notice under `corpora/`, `tests/fixtures/notices`, `tests/fixtures/layouts` and
`tests/fixtures/formats` (.txt in any encoding, .docx, .html, .pdf, decoded once, before any
timing) and weights them by document count, not by bytes: each short notice once per round, each
long one (LONG_KB and more) repeated so that long notices make `long_share` of the documents.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
if str(SRC) not in sys.path:
    sys.path.insert(0, str(SRC))  # this checkout's code, installed or not

SOURCES = ("corpora", "tests/fixtures/notices", "tests/fixtures/compare", "tests/fixtures/layouts",
           "tests/fixtures/ledger", "tests/fixtures/formats")
EXTENSIONS = {".txt", ".docx", ".xlsx", ".html", ".htm", ".pdf"}
LONG_KB = 20  # a notice of this many KB (UTF-8) or more counts as long
LONG_SHARE = 0.03  # long notices as a share of the documents of a collection
SIZE_CLASSES = ((0, 1), (1, 3), (3, 10), (10, 30), (30, 100), (100, 10_000))  # KB


@dataclass(frozen=True, slots=True)
class Notice:
    name: str  # the path under the repository
    text: str  # decoded as `report-parser parse` decodes it
    kb: float  # UTF-8 size of the text

    @property
    def long(self) -> bool:
        return self.kb >= LONG_KB


def bundled() -> list[Notice]:
    """Every notice of the sources that decodes (fixtures built to be refused are left out)."""
    from report_parser.decode import load_path
    from report_parser.errors import InputError

    out = []
    for src in SOURCES:
        for p in sorted((ROOT / src).rglob("*")):
            if not p.is_file() or p.suffix.lower() not in EXTENSIONS or p.name.startswith("."):
                continue
            try:
                text = load_path(p).text
            except InputError:
                continue  # binary, encrypted, scanned, legacy: refused, not parsed
            if len(text.strip()) < 100:
                continue
            out.append(Notice(str(p.relative_to(ROOT)), text, len(text.encode("utf-8")) / 1000))
    return out


def one_round(notices: list[Notice], long_share: float = LONG_SHARE) -> list[Notice]:
    """One collection: every short notice once, the long ones repeated to `long_share` of the documents."""
    short = [n for n in notices if not n.long]
    long_ = [n for n in notices if n.long]
    if not long_ or long_share <= 0:
        return short
    wanted = long_share * len(short) / (1 - long_share)  # long documents for that share
    copies = max(1, round(wanted / len(long_)))
    return short + [n for n in long_ for _ in range(copies)]


def build(target_docs: int, long_share: float = LONG_SHARE) -> list[Notice]:
    """Whole rounds of the collection until there are at least `target_docs` documents."""
    base = one_round(bundled(), long_share)
    if not base:
        raise SystemExit("no notices found under " + ", ".join(SOURCES))
    return base * max(1, math.ceil(target_docs / len(base)))


def describe(mix: list[Notice]) -> str:
    """Documents and bytes per size class, and where they came from."""
    total_kb = sum(n.kb for n in mix)
    lines = [f"{'size (KB)':>12}{'documents':>11}{'share':>8}{'of bytes':>10}"]
    for lo, hi in SIZE_CLASSES:
        part = [n for n in mix if lo <= n.kb < hi]
        if part:
            kb = sum(n.kb for n in part)
            label = f"{lo}–{hi}" if hi < 10_000 else f"{lo}+"
            lines.append(f"{label:>12}{len(part):>11}{len(part) / len(mix):>8.0%}{kb / total_kb:>10.0%}")
    by_src: dict[str, int] = {}
    for n in {n.name: n for n in mix}.values():
        key = next((s for s in SOURCES if n.name.startswith(s)), "other")
        by_src[key] = by_src.get(key, 0) + 1
    kinds: dict[str, int] = {}
    for n in {n.name: n for n in mix}.values():
        ext = Path(n.name).suffix.lower()
        kinds[ext] = kinds.get(ext, 0) + 1
    sizes = sorted(n.kb for n in mix)
    lines.append("distinct notices: " + ", ".join(f"{k} {v}" for k, v in by_src.items())
                 + " (" + ", ".join(f"{v} {k}" for k, v in sorted(kinds.items())) + f"); median {sizes[len(sizes) // 2]:.1f} KB")
    return "\n".join(lines)
