"""Shared test helpers: the bundled notices and an invariant walker over parsed output."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Every parse the tests run validates its whole output against the models (assemble.check): the
# parser builds its output without validation, and this is what shows it builds it right. Set
# before report_parser is imported; worker processes inherit it.
os.environ["REPORT_PARSER_CHECK_OUTPUT"] = "1"

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ROOT / "corpora"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SAMPLE = CORPORA / "seed" / "kuandian-investment-center-2025.txt"
NANKAI = CORPORA / "real" / "nankai-central-2022.txt"


def bundled_notices() -> list[Path]:
    return sorted(p for p in CORPORA.rglob("*.txt"))


def load_scorer():
    spec = importlib.util.spec_from_file_location("score", ROOT / "scripts" / "score.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def grounded(obj) -> Iterator[dict]:
    """Every dict in a JSON tree that carries both `text` and `span`."""
    stack = [obj]
    while stack:
        o = stack.pop()
        if isinstance(o, dict):
            if o.get("span") is not None and isinstance(o.get("text"), str):
                yield o
            stack.extend(o.values())
        elif isinstance(o, list):
            stack.extend(o)


def check_invariants(doc, source: str) -> None:
    """Spans index the source; children lie inside parents; siblings don't overlap; coverage in [0, 1]."""
    data = doc.model_dump(mode="json")
    for o in grounded(data):
        s, e = o["span"]
        assert 0 <= s <= e <= len(source), o
        assert source[s:e] == o["text"], o
    if doc.issuer is not None:
        s, e = doc.issuer.span
        assert source[s:e] == doc.issuer.name

    def walk(nodes, lo, hi):
        prev_end = lo
        for n in nodes:
            s, e = n.span
            assert lo <= s <= e <= hi, (n.marker, n.title, (s, e), (lo, hi))
            assert s >= prev_end, ("siblings overlap", n.marker, n.title)
            prev_end = e
            walk(n.children, s, e)

    walk(doc.sections, 0, len(source))
    assert 0.0 <= doc.coverage <= 1.0


@pytest.fixture(scope="session")
def scorer():
    return load_scorer()


def sample_docx_bytes() -> bytes:
    """The sample notice as a .docx whose markers are typed text, one paragraph per line."""
    import io

    import docx

    d = docx.Document()
    for line in SAMPLE.read_text(encoding="utf-8").replace("[bookmark: _GoBack]", "").split("\n"):
        if line.strip():
            d.add_paragraph(line.strip())
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()
