"""Scans through OCR: the sample notice rendered as scanned pages, as a PDF without a text layer, a
PDF with one text page and one scanned page, and an image file; the OCR extra missing."""

from __future__ import annotations

import importlib.util
import io
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, check_invariants

from report_parser.decode import load_bytes
from report_parser.errors import InputError
from report_parser.formats import ocr, pdf
from report_parser.pipeline import parse_loaded

SAMPLE = ROOT / "corpora" / "seed" / "kuandian-investment-center-2025.txt"
GOLD = ROOT / "tests" / "fixtures" / "gold" / "kuandian-investment-center-2025.gold.json"


def _render_module() -> Any:
    spec = importlib.util.spec_from_file_location("render_scan", ROOT / "scripts" / "render_scan.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


render = _render_module()
needs_font = pytest.mark.skipif(render.cjk_font() is None, reason="no CJK font to render pages (fonts-noto-cjk)")
needs_ocr = pytest.mark.skipif(not ocr.available(), reason="OCR extra not installed (pip install -e '.[ocr]')")


@pytest.fixture(scope="module")
def pages() -> list[Any]:
    if render.cjk_font() is None:
        pytest.skip("no CJK font to render pages (fonts-noto-cjk)")
    return render.render_pages(SAMPLE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def scanned_doc(pages: list[Any]) -> Any:
    if not ocr.available():
        pytest.skip("OCR extra not installed")
    return parse_loaded(load_bytes(render.scan_pdf(pages), "scan.pdf"))


@needs_ocr
def test_scan_gives_headings_measures_and_figures(scanned_doc: Any, scorer: Any) -> None:
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    data = scanned_doc.model_dump(mode="json")
    _total, parts, lines = scorer.score(gold, data, data["source"]["text"])
    assert parts["headings"] >= 0.9, lines
    assert parts["measures"] >= 0.9, lines
    assert parts["metrics"] >= 0.8, lines
    assert parts["grounding"] == 1.0
    check_invariants(scanned_doc, data["source"]["text"])


@needs_ocr
def test_scan_source_is_ocr_text_without_page_chrome(scanned_doc: Any) -> None:
    text = scanned_doc.source.text
    assert scanned_doc.source.format == "pdf" and scanned_doc.source.encoding == "ocr"
    assert text.startswith("中共宽甸满族自治县招商服务中心党组关于县委巡察整改进展情况的通报\n")
    assert "内部资料" not in text  # the running header of every page
    assert not any(pdf.PAGE_NUMBER.match(line) for line in text.split("\n") if line.strip())
    # wrapped lines rejoined, across the page break too: the paragraphs of the original, about as many
    assert abs(len([ln for ln in text.split("\n") if ln.strip()]) - len(render.notice_lines(SAMPLE.read_text()))) <= 2
    w502 = [w for w in scanned_doc.warnings if w.code == "W502"]
    assert len(w502) == 1 and "3 pages" in w502[0].message
    confidence = float(w502[0].message.rsplit(" ", 1)[1])
    assert 0.8 < confidence <= 1.0


@needs_ocr
def test_only_pages_without_text_layer_are_read_by_ocr(pages: list[Any]) -> None:
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    mf = _make_fixtures()
    mf._register_font()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(595, 842), invariant=1)
    c.setFont(mf.PDF_FONT, 12)
    c.drawString(72, 760, "第一页是文字层：本页共有12个字。")
    c.showPage()
    c.drawImage(ImageReader(pages[0]), 0, 0, width=595, height=842)
    c.showPage()
    c.save()
    loaded = load_bytes(buf.getvalue(), "mixed.pdf")
    assert loaded.encoding == "unicode+ocr"
    assert loaded.text.startswith("第一页是文字层：本页共有12个字。\n")
    assert "关于县委巡察整改进展情况的通报" in loaded.text
    assert [d.code for d in loaded.warnings] == ["W502"]
    assert "1 page," in loaded.warnings[0].message()


def _make_fixtures() -> Any:
    path = ROOT / "tests" / "fixtures" / "formats" / "make_fixtures.py"
    spec = importlib.util.spec_from_file_location("make_fixtures_ocr", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@needs_ocr
def test_image_file(pages: list[Any]) -> None:
    data = render.image_bytes(pages[:1], "png")
    doc = parse_loaded(load_bytes(data, "page1.png"))
    assert doc.source.format == "image" and doc.source.encoding == "ocr"
    # one page: its running header cannot be told from a first line, but its page number goes
    assert "中共宽甸满族自治县招商服务中心党组关于县委巡察整改进展情况的通报\n" in doc.source.text
    assert "- 1 -" not in doc.source.text
    assert [n.marker for n in doc.sections][:2] == ["1.", "2."]
    assert any(w.code == "W502" and "1 page," in w.message for w in doc.warnings)


@needs_ocr
def test_image_without_text() -> None:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", (400, 300), 255).save(buf, format="PNG")
    with pytest.raises(InputError, match=r"^blank\.png: image file: OCR found no text in it$"):
        load_bytes(buf.getvalue(), "blank.png")


def test_unreadable_image() -> None:
    if not ocr.available():
        pytest.skip("OCR extra not installed")
    with pytest.raises(InputError, match=r"^bad\.png: unreadable image"):
        load_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "bad.png")


def test_missing_extra_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ocr, "available", lambda: False)
    with pytest.raises(InputError) as err:
        load_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "scan.png")
    assert str(err.value) == "scan.png: image file: reading it needs OCR, which is not installed: " \
                             "pip install 'report-parser[ocr]'"
    scanned = (ROOT / "tests" / "fixtures" / "formats" / "scanned.pdf").read_bytes()
    with pytest.raises(InputError) as err:
        load_bytes(scanned, "scanned.pdf")
    assert str(err.value) == "scanned.pdf: scanned PDF (no usable text layer): reading it needs OCR, which is " \
                             "not installed: pip install 'report-parser[ocr]'"


@needs_font
def test_missing_extra_skips_scanned_pages_with_a_warning(monkeypatch: pytest.MonkeyPatch,
                                                          pages: list[Any]) -> None:
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    mf = _make_fixtures()
    mf._register_font()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(595, 842), invariant=1)
    c.setFont(mf.PDF_FONT, 12)
    c.drawString(72, 760, "第一页是文字层。")
    c.showPage()
    c.drawImage(ImageReader(pages[1]), 0, 0, width=595, height=842)
    c.showPage()
    c.save()
    monkeypatch.setattr(ocr, "available", lambda: False)
    loaded = load_bytes(buf.getvalue(), "mixed.pdf")
    assert loaded.text == "第一页是文字层。\n"
    assert [d.code for d in loaded.warnings] == ["W503"]
    message = loaded.warnings[0].message()
    assert "page(s) 2;" in message and "report-parser[ocr]" in message


def test_garbage_text_layer_is_unusable() -> None:
    def line(text: str) -> pdf.Line:
        return pdf.Line(1, 0, 0, 10, 10, text, 842)

    assert pdf._unusable([line("(cid:12)(cid:13)(cid:14)"), line("ab")])
    assert pdf._unusable([line("\x01\x02\x03\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd")])
    assert not pdf._unusable([line("一、总体情况：共反馈问题12个，已整改10个。")])


@pytest.mark.parametrize("fixture", ["scanned.pdf"])
def test_vector_only_page_goes_to_ocr(fixture: str) -> None:
    """A page of drawings without text (outlined text, or the fixture's grey blocks) is read by OCR."""
    if not ocr.available():
        pytest.skip("OCR extra not installed")
    data = (Path(ROOT) / "tests" / "fixtures" / "formats" / fixture).read_bytes()
    with pytest.raises(InputError, match=r"scanned PDF: OCR found no text on its pages|no text found"):
        load_bytes(data, fixture)


@needs_ocr
def test_scan_with_a_stamped_text_line_goes_to_ocr(pages: list[Any]) -> None:
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(595, 842), invariant=1)
    c.drawImage(ImageReader(pages[1]), 0, 0, width=595, height=842)
    c.setFont("Helvetica", 8)
    c.drawString(420, 20, "scan-0002.tif  Page 2 of 3")
    c.showPage()
    c.save()
    loaded = load_bytes(buf.getvalue(), "stamped.pdf")
    assert loaded.encoding == "ocr"  # the whole page was read, the stamped line with it
    assert "财务" in loaded.text and [d.code for d in loaded.warnings] == ["W502"]


def test_which_pages_need_ocr() -> None:
    def line(text: str) -> pdf.Line:
        return pdf.Line(1, 0, 0, 10, 10, text, 842)

    body = [line("一、总体情况：共反馈问题12个，已整改10个，其余2个正在整改，预计年底前完成。" * 2)]
    assert pdf._needs_ocr([], 0.0)  # drawings only (outlined text)
    assert pdf._needs_ocr([], 1.0)  # a scan
    assert not pdf._needs_ocr([], None)  # a blank page
    assert pdf._needs_ocr([line("- 2 -")], 0.95)  # a scan with a page number as text
    assert not pdf._needs_ocr(body, 0.95)  # text over a background image
    assert not pdf._needs_ocr([line("中共某县委员会 2025年3月1日")], 0.1)  # a signature page with a seal
