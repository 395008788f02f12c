"""Hostile files: each is parsed or refused with one line, within the CPU and memory budget of one input.

Every case runs `report-parser parse` in a child process under RLIMIT_AS and RLIMIT_CPU and asserts the
outcome (the refusal's reason, or a Document with the expected warning) and the bounds (CPU seconds
and peak resident memory of the child, from wait4). The default run uses small instances of each shape
(a bomb past the cap rather than a 2 GB one); `pytest -m slow` runs the full sizes.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import hostile
import pytest
from conftest import ROOT

CPU_BUDGET = 60  # seconds of CPU for one input
RSS_BUDGET = 1 << 30  # bytes resident for one input
MB = hostile.MB


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_BUDGET + 30, CPU_BUDGET + 35))


def parse_bounded(path: Path, *args: str) -> tuple[int, str, str, float, int]:
    """(exit status, stdout, stderr, CPU seconds, peak RSS bytes) of `report-parser parse` on path."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))}
    # what a user's parse costs: without the suite's check of every output against the models, which
    # holds the whole output twice more; the same parse is checked on every other input of the suite
    env.pop("REPORT_PARSER_CHECK_OUTPUT", None)
    out = path.with_suffix(path.suffix + ".json")
    proc = subprocess.Popen([sys.executable, "-m", "report_parser", "parse", str(path), "-o", str(out), *args],
                            stderr=subprocess.PIPE, text=True, env=env, preexec_fn=_limits)
    try:
        err = proc.stderr.read() if proc.stderr else ""  # the child ends when its CPU limit is reached
        _, status, usage = os.wait4(proc.pid, 0)
    finally:
        if proc.stderr:
            proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    text = out.read_text(encoding="utf-8") if out.exists() else ""
    return proc.returncode, text, err, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024


def assert_refused(path: Path, *words: str) -> None:
    status, out, err, cpu, rss = parse_bounded(path)
    assert status == 2, (status, err)
    lines = err.splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and "Traceback" not in err, err
    assert all(w in lines[0] for w in words), lines[0]
    assert cpu < CPU_BUDGET and rss < RSS_BUDGET, (cpu, rss / MB)


def assert_parsed(path: Path, *codes: str) -> dict:
    status, out, err, cpu, rss = parse_bounded(path)
    assert status == 0 and not err, err
    doc = json.loads(out)
    found = {w["code"] for w in doc["warnings"]}
    assert set(codes) <= found, found
    assert cpu < CPU_BUDGET and rss < RSS_BUDGET, (cpu, rss / MB)
    return doc


# --- Word ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("member", ["word/document.xml", "word/styles.xml", "[Content_Types].xml.bak",
                                    "docProps/thumbnail.jpeg"])
def test_docx_member_bomb_is_refused_before_inflating(tmp_path: Path, member: str) -> None:
    f = hostile.docx_member_bomb(tmp_path / "bomb.docx", member, size=80 * MB)
    assert_refused(f, member, "refused before inflating")


def test_xlsx_member_bomb_is_refused_before_inflating(tmp_path: Path) -> None:
    assert_refused(hostile.xlsx_member_bomb(tmp_path / "bomb.xlsx", size=80 * MB), "sheet1.xml", "refused before")


def test_docx_body_that_compresses_like_a_bomb_is_refused(tmp_path: Path) -> None:
    f = hostile.docx_big_body(tmp_path / "body.docx", size=20 * MB)
    assert_refused(f, "word/document.xml", "zip bomb")


def test_docx_with_thousands_of_parts_is_refused(tmp_path: Path) -> None:
    assert_refused(hostile.docx_many_parts(tmp_path / "parts.docx", parts=2500), "members")


def test_a_small_valid_docx_still_parses(tmp_path: Path) -> None:
    doc = assert_parsed(hostile.docx(tmp_path / "ok.docx"))
    assert doc["source"]["format"] == "docx" and "制度不健全" in doc["source"]["text"]


# --- PDF -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["Contents", "Root", "Resources", "Kids"])
def test_pdf_referring_to_itself_ends(tmp_path: Path, where: str) -> None:
    f = hostile.pdf_self_reference(tmp_path / f"self-{where}.pdf", where)
    status, out, err, cpu, rss = parse_bounded(f)
    assert (status == 0 and out) or (status == 2 and len(err.splitlines()) == 1), err
    assert cpu < CPU_BUDGET and rss < RSS_BUDGET


def test_pdf_stream_bomb_is_refused(tmp_path: Path) -> None:
    assert_refused(hostile.pdf_stream_bomb(tmp_path / "bomb.pdf", size=80 * MB), "inflates past")


def test_pdf_xobject_fan_out_is_refused(tmp_path: Path) -> None:
    assert_refused(hostile.pdf_xobject_fanout(tmp_path / "fan.pdf", depth=6, fan=8), "Form XObjects")


def test_pdf_page_budget(tmp_path: Path) -> None:
    assert_refused(hostile.pdf(tmp_path / "pages.pdf", pages=2100), "2,000 pages")


def test_pdf_with_a_few_pages_still_parses(tmp_path: Path) -> None:
    doc = assert_parsed(hostile.pdf(tmp_path / "ok.pdf", pages=3))
    assert doc["source"]["text"].count("Rectification notice") == 3


# --- HTML and text -------------------------------------------------------------------------------


def test_html_unclosed_font_keeps_every_paragraph(tmp_path: Path) -> None:
    doc = assert_parsed(hostile.html_unclosed_font(tmp_path / "font.html", paragraphs=400))
    assert doc["source"]["text"].count("整改措施") == 400


def test_html_nested_past_huge_tree_is_flattened_with_a_warning(tmp_path: Path) -> None:
    doc = assert_parsed(hostile.html_unclosed_font(tmp_path / "font.html", paragraphs=2500), "W504")
    assert doc["source"]["text"].count("整改措施") == 2500


def test_html_element_budget(tmp_path: Path) -> None:
    assert_refused(hostile.html_many_paragraphs(tmp_path / "many.html", n=250_000), "element budget")


def test_html_chrome_labels_in_one_block_are_linear(tmp_path: Path) -> None:
    status, out, err, cpu, rss = parse_bounded(hostile.html_chrome_labels(tmp_path / "chrome.html", n=10_000))
    assert status == 0, err
    assert cpu < 10, cpu  # was 45 s: the block was measured once per label


def test_text_of_bare_markers_stays_within_the_node_budget(tmp_path: Path) -> None:
    doc = assert_parsed(hostile.text_bare_markers(tmp_path / "markers.txt", size=MB // 2), "W505")
    assert sum(1 for _ in _walk(doc["sections"])) <= 20_000


def test_text_with_nul_bytes_is_repaired_with_a_warning(tmp_path: Path) -> None:
    doc = assert_parsed(hostile.text_with_nul(tmp_path / "nul.txt"), "W506")
    assert "\x00" not in json.dumps(doc["title"], ensure_ascii=False)


def test_text_mixing_utf8_and_gbk_is_repaired_with_a_warning(tmp_path: Path) -> None:
    assert_parsed(hostile.text_mixed_encodings(tmp_path / "mixed.txt"), "W507")


def _walk(nodes: list[dict]) -> list[dict]:
    out, stack = [], list(nodes)
    while stack:
        n = stack.pop()
        out.append(n)
        stack.extend(n.get("children") or [])
    return out


# --- full sizes ------------------------------------------------------------------------------------

FULL: list[tuple[str, Callable[[Path], Path], str | None]] = [
    ("docx-document-2gb", lambda d: hostile.docx_member_bomb(d / "b.docx"), "refused before inflating"),
    ("docx-thumbnail-2gb", lambda d: hostile.docx_member_bomb(d / "t.docx", "docProps/thumbnail.jpeg"),
     "refused before inflating"),
    ("xlsx-sheet-2gb", lambda d: hostile.xlsx_member_bomb(d / "x.xlsx"), "refused before inflating"),
    ("docx-body-50mb", lambda d: hostile.docx_big_body(d / "body.docx"), "word/document.xml"),
    ("docx-30000-parts", lambda d: hostile.docx_many_parts(d / "p.docx"), "members"),
    ("pdf-stream-2gb", lambda d: hostile.pdf_stream_bomb(d / "s.pdf"), "inflates past"),
    ("pdf-operators-300mb", lambda d: hostile.pdf_operator_flood(d / "o.pdf"), "PDF past its budget"),
    ("pdf-30000-pages", lambda d: hostile.pdf(d / "pages.pdf", pages=30000), "pages"),
    ("pdf-fan-out", lambda d: hostile.pdf_xobject_fanout(d / "f.pdf"), "Form XObjects"),
    ("html-million-p", lambda d: hostile.html_many_paragraphs(d / "m.html"), "element budget"),
    ("text-19mb-markers", lambda d: hostile.text_bare_markers(d / "m.txt"), None),
]


@pytest.mark.slow
@pytest.mark.parametrize(("make", "words"), [(m, w) for _, m, w in FULL], ids=[i for i, _, _ in FULL])
def test_full_size_hostile_file_within_budget(tmp_path: Path, make: Callable[[Path], Path], words: str | None) -> None:
    f = make(tmp_path)
    if words is None:
        assert_parsed(f, "W505")
    else:
        assert_refused(f, words)


def test_docx_xml_part_budgets(tmp_path: Path, monkeypatch) -> None:
    """In process, with the budgets lowered: a part over its cap, then all parts over theirs."""
    from report_parser import budget
    from report_parser.decode import load_path
    from report_parser.errors import InputError

    f = hostile.docx(tmp_path / "ok.docx", lines=hostile.NOTICE_LINES * 20)
    size = len(hostile._document_xml(hostile._paragraphs(hostile.NOTICE_LINES * 20)).encode())
    monkeypatch.setattr(budget, "DOCX_MAX_XML_BYTES", size - 1)
    with pytest.raises(InputError, match=r"XML part word/document.xml .* budget; refused before parsing"):
        load_path(f)
    monkeypatch.setattr(budget, "DOCX_MAX_XML_BYTES", size)
    monkeypatch.setattr(budget, "DOCX_MAX_XML_TOTAL", size)
    with pytest.raises(InputError, match=r"XML parts of .* in all"):
        load_path(f)
    monkeypatch.setattr(budget, "DOCX_MAX_XML_TOTAL", 10 * size)
    assert "制度不健全" in load_path(f).text


def test_cpu_budget_raises_and_keeps_raising_when_swallowed() -> None:
    import time

    from report_parser.budget import BudgetExceeded, cpu_budget

    swallowed = 0
    with pytest.raises(BudgetExceeded, match="used more than 0.2 s"), cpu_budget(0.2, "spinning"):
        while True:
            try:
                t = time.process_time()
                while time.process_time() - t < 5:
                    pass
            except BudgetExceeded:
                swallowed += 1  # as a library's `except Exception` would
                if swallowed == 2:
                    raise
    assert swallowed == 2


def test_parse_command_has_a_cpu_budget_per_file(tmp_path: Path, monkeypatch, capsys) -> None:
    import time

    from report_parser import budget, pipeline
    from report_parser.cli import main

    def spin(loaded, options=None):
        while True:
            time.process_time()

    monkeypatch.setattr(budget, "PARSE_CPU_SECONDS", 0.3)
    monkeypatch.setattr(pipeline, "parse_loaded", spin)
    f = tmp_path / "n.txt"
    f.write_text(hostile.NOTICE, encoding="utf-8")
    assert main(["parse", str(f)]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "used more than 0.3 s of CPU time" in err and str(f) in err
