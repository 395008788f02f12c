"""Scans to text: offline OCR of page images with RapidOCR (PP-OCRv4 models run by ONNX Runtime).

The models ship inside the `rapidocr_onnxruntime` wheel; nothing is fetched at run time. Images
(.png, .jpg, .tif, multi-page TIFF included) are read with Pillow; PDF pages without a usable text
layer are rendered with pypdfium2 (see `extract_pdf_ocr`). Recognised lines become `pdf.Line`s
in PDF points, so that running headers, footers and page numbers are dropped and wrapped lines
rejoined exactly as for a PDF text layer. All of this is the optional extra `report-parser[ocr]`.
"""

from __future__ import annotations

import io
import re
import statistics
from dataclasses import dataclass
from typing import Any

from report_parser.errors import Code, Diagnostic, InputError
from report_parser.formats.pdf import (
    _CID,
    Line,
    _layout_lines,
    _needs_ocr,
    _rows,
    drop_page_chrome,
    extract_pdf,
    join_wrapped,
)

MISSING = "needs OCR, which is not installed: pip install 'report-parser[ocr]'"
# Pixels per PDF point at which PDF pages are rendered for OCR: the resolution of the page's scanned
# image (neither blurred by resampling up nor thrown away), kept between 150 dpi (enough for 10.5 pt
# CJK text) and 300 dpi.
RENDER_SCALE = 150 / 72
MAX_RENDER_SCALE = 300 / 72
# Larger images are refused (a decompression bomb, or not a page scan).
MAX_PIXELS = 80_000_000
MAX_FRAMES = 500
# A CJK 一 between two Arabic digits is the dash of a range (1—8月) read as the look-alike numeral:
# written Chinese never puts 一 there.
_DASH_AS_ONE = re.compile(r"(?<=[0-9])一(?=[0-9])")

_engine: Any = None


def available() -> bool:
    """True when the OCR extra (RapidOCR and Pillow) is installed."""
    try:
        import PIL  # noqa: F401
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def engine(name: str | None = None) -> Any:
    """The RapidOCR engine, created once per process (loading its models takes a fraction of a second)."""
    global _engine
    if _engine is None:
        try:
            from rapidocr_onnxruntime import RapidOCR
        except ImportError:
            raise InputError(name, MISSING) from None
        _engine = RapidOCR()
    return _engine


@dataclass
class PageText:
    """What OCR read on one page: its lines in PDF points and the confidence of each recognised character."""

    lines: list[Line]
    chars: int
    score_sum: float


def recognise(image: Any, page: int, page_width_pt: float | None = None, name: str | None = None) -> PageText:
    """OCR one PIL image; its lines come out in PDF points (origin bottom left), the page `page_width_pt` wide.

    Without a width the page is taken to be A4-wide (595 pt), which keeps the header/footer zones and
    the joining rules of the PDF reader in the units they were written for.
    """
    import numpy as np

    ocr = engine(name)
    rgb = image.convert("RGB")
    width_px, height_px = rgb.size
    factor = (page_width_pt or 595.0) / width_px
    result, _elapsed = ocr(np.asarray(rgb)[:, :, ::-1])  # RapidOCR takes arrays in OpenCV's BGR order
    lines: list[Line] = []
    chars, score_sum = 0, 0.0
    for box, text, score in result or []:
        text = _DASH_AS_ONE.sub("—", str(text).strip())
        if not text:
            continue
        xs = [float(p[0]) for p in box]
        ys = [float(p[1]) for p in box]
        lines.append(Line(page, min(xs) * factor, (height_px - max(ys)) * factor, max(xs) * factor,
                          (height_px - min(ys)) * factor, text, height_px * factor))
        n = sum(1 for ch in text if not ch.isspace())
        chars += n
        score_sum += n * float(score)
    return PageText(_rows(lines), chars, score_sum)


def even_heights(lines: list[Line]) -> None:
    """Give body lines the page's usual line height: OCR boxes vary by a few pixels with the glyphs in them,
    and the PDF joining rules compare line heights. Lines far from the usual height (titles) keep theirs."""
    if len(lines) < 3:
        return
    usual = statistics.median(ln.height for ln in lines)
    for ln in lines:
        if 0.75 <= ln.height / usual <= 1.3:
            mid = (ln.y0 + ln.y1) / 2
            ln.y0, ln.y1 = mid - usual / 2, mid + usual / 2


def confidence_note(pages: list[PageText], ocr_pages: int) -> Diagnostic:
    """The W502 warning: how many pages were read by OCR and the mean character confidence."""
    chars = sum(p.chars for p in pages)
    mean = sum(p.score_sum for p in pages) / chars if chars else 0.0
    what = "1 page" if ocr_pages == 1 else f"{ocr_pages} pages"
    return Diagnostic(Code.W502, None, {"pages": what, "confidence": mean})


def text_of(pages: list[PageText], page_count: int) -> str:
    """Lines of all pages, headers/footers/page numbers dropped, wrapped lines rejoined."""
    lines = [ln for p in pages for ln in p.lines]
    even_heights(lines)
    return "\n".join(join_wrapped(drop_page_chrome(lines, page_count))) + "\n"


def _frames(data: bytes, name: str | None) -> list[Any]:
    try:
        from PIL import Image, ImageSequence
    except ImportError:
        raise InputError(name, MISSING) from None
    try:
        img = Image.open(io.BytesIO(data))
        if img.size[0] * img.size[1] > MAX_PIXELS:
            raise InputError(name, f"image of {img.size[0]}×{img.size[1]} pixels is too large to OCR")
        frames = []
        for i, frame in enumerate(ImageSequence.Iterator(img)):
            if i >= MAX_FRAMES:
                break
            frame.load()
            frames.append(frame.copy())
        return frames
    except InputError:
        raise
    except (Image.DecompressionBombError, OSError, ValueError, SyntaxError) as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(name, f"unreadable image ({message[:200]})") from None


def extract_image(data: bytes, name: str | None = None) -> tuple[str, tuple[Diagnostic, ...]]:
    """(text, warnings) of an image file; every frame of a multi-page TIFF is a page."""
    if not available():
        raise InputError(name, f"image file: reading it {MISSING}")
    pages = [recognise(frame, i, None, name) for i, frame in enumerate(_frames(data, name), start=1)]
    if not any(p.lines for p in pages):
        raise InputError(name, "image file: OCR found no text in it")
    return text_of(pages, len(pages)), (confidence_note(pages, len(pages)),)


# ---------------------------------------------------------------------------------------------- PDF pages


def extract_pdf_ocr(data: bytes, name: str | None = None) -> tuple[str, str, tuple[Diagnostic, ...]]:
    """(text, encoding, warnings) of a PDF: its text layer, and OCR for the pages without a usable one.

    A page needs OCR when it has images or drawings but no text, or a garbage text layer. When the OCR
    extra is missing, such pages are skipped with warning W503 if other pages have text; a PDF with no
    usable text at all is refused with a line naming the extra.
    """
    drawn: dict[int, float] = {}
    lines, pages = _layout_lines(data, name, drawn)
    by_page: dict[int, list[Line]] = {}
    for ln in lines:
        by_page.setdefault(ln.page, []).append(ln)
    need = sorted(p for p in range(1, pages + 1) if _needs_ocr(by_page.get(p, []), drawn.get(p)))
    if not need:
        return (*extract_pdf(data, name, _lines=(lines, pages)), ())
    kept = [ln for ln in lines if ln.page not in need]
    if not available():
        if not kept:
            raise InputError(name, f"scanned PDF (no usable text layer): reading it {MISSING}")
        text, encoding = extract_pdf(data, name, _lines=(kept, pages))
        skipped = ", ".join(str(p) for p in need)
        return text, encoding, (Diagnostic(Code.W503, None, {"pages": skipped, "missing": MISSING}),)
    read = _ocr_pages(data, need, name)
    even_heights([ln for p in read for ln in p.lines])
    merged = sorted(kept + [ln for p in read for ln in p.lines], key=lambda ln: ln.page)
    if not any(re.sub(r"\s+", "", _CID.sub("", ln.text)) for ln in merged):
        raise InputError(name, "scanned PDF: OCR found no text on its pages")
    body = drop_page_chrome(merged, pages)
    for ln in body:
        ln.text = _CID.sub("\ufffd", ln.text)
    text = "\n".join(join_wrapped(body)) + "\n"
    encoding = "ocr" if not kept else "unicode+ocr"
    return text, encoding, (confidence_note(read, len(need)),)


def _ocr_pages(data: bytes, pages: list[int], name: str | None) -> list[Any]:
    """OCR the given (1-based) pages, rendered with pypdfium2."""
    try:
        import pypdfium2 as pdfium
    except ImportError:
        raise InputError(name, f"scanned PDF: reading it {MISSING}") from None
    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise InputError(name, f"corrupt or unreadable PDF (pdfium: {exc})") from None
    out = []
    try:
        for p in pages:
            page = doc[p - 1]
            width_pt, _height_pt = page.get_size()
            image = page.render(scale=_scan_scale(page), grayscale=True).to_pil()
            out.append(recognise(image, p, width_pt, name))
            page.close()
    finally:
        doc.close()
    return out


def _scan_scale(page: Any) -> float:
    """Render scale for OCR: the resolution of the largest image on the page, within the OCR module's bounds."""
    scale, widest = RENDER_SCALE, 0.0
    try:
        import pypdfium2.raw as pdfium_c

        for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=3):
            left, _bottom, right, _top = obj.get_bounds()
            width_px, _height_px = obj.get_px_size()
            if right - left > widest and right - left > 72:
                widest, scale = right - left, width_px / (right - left)
    except Exception:  # an odd image object: the default resolution
        return RENDER_SCALE
    return min(max(scale, RENDER_SCALE), MAX_RENDER_SCALE)
