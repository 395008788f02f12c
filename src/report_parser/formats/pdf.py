"""PDF text layer to text: reading-order lines, wrapped sentences rejoined, headers/footers/page numbers dropped."""

from __future__ import annotations

import contextlib
import io
import logging
import re
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from report_parser import budget
from report_parser.budget import BudgetExceeded
from report_parser.errors import InputError

# A line that is nothing but a page number: `- 2 -`, `—2—`, `第2页`, `第 2 页 共 5 页`, `2/5`, `Page 2 of 5`.
PAGE_NUMBER = re.compile(
    r"^\s*(?:"
    r"[-—–－~～·•\s]*[0-9０-９]{1,4}[-—–－~～·•\s]*"
    r"|第\s*[0-9０-９一二三四五六七八九十百]+\s*页(?:\s*[,，/／]?\s*共\s*[0-9０-９一二三四五六七八九十百]+\s*页)?"
    r"|共\s*[0-9０-９]+\s*页\s*第\s*[0-9０-９]+\s*页"
    r"|[0-9０-９]{1,4}\s*[/／]\s*[0-9０-９]{1,4}"
    r"|(?:page|p\.)\s*\d+(?:\s*(?:of|/)\s*\d+)?"
    r"|[-—–－\s]*[ivxlcIVXLC]{1,6}[-—–－\s]*"
    r")\s*$",
    re.I,
)
# Where a new item starts: the next line is never glued to a wrapped line if it opens with one of these.
LIST_MARKER = re.compile(
    r"^\s*(?:"
    r"[一二三四五六七八九十百]+\s*[、.．]"
    r"|[（(]\s*[一二三四五六七八九十百]+\s*[）)]"
    r"|[0-9０-９]{1,3}\s*[.．、](?![0-9０-９])"
    r"|[（(]\s*[0-9０-９]{1,3}\s*[）)]"
    r"|[①-⑳⑴-⒇⒈-⒛㈠-㈩]"
    r"|[一二三四五六七八九十]+是"
    r"|第[一二三四五六七八九十百]+(?:[，,、：:]|部分|章|条|节)"
    r")"
)
# A line ending in one of these (before any closing quotes/brackets) ends its sentence.
_SENTENCE_END = frozenset("。；：！？;:!?…")
_CLOSERS = "”’」』）)》〉】\"' "
_CID = re.compile(r"\(cid:\d+\)")
_ZONE = 0.12  # share of the page height at top and bottom where headers and footers live
_SCAN_SHARE = 0.5  # an image covering this share of a page is taken for a scan of it
_FEW_CHARS = 40  # a text layer this short beside such an image does not hold the page's text


@dataclass
class Line:
    """One text line of a page, in PDF points (origin bottom left)."""

    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    page_height: float

    @property
    def height(self) -> float:
        return max(self.y1 - self.y0, 1.0)

    @property
    def in_margin_zone(self) -> bool:
        return self.y0 >= (1 - _ZONE) * self.page_height or self.y1 <= _ZONE * self.page_height


@contextlib.contextmanager
def _quiet_pdfminer() -> Iterator[None]:
    logger = logging.getLogger("pdfminer")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


class _CappedZlib:
    """Stands in for the zlib module inside pdfminer.pdftypes while a PDF is read: a stream that inflates
    past PDF_MAX_STREAM_BYTES raises instead of filling memory (pdfminer inflates streams whole)."""

    error = zlib.error

    def __init__(self, cap: int) -> None:
        self.cap = cap

    def decompress(self, data: bytes, *args: object) -> bytes:
        d = zlib.decompressobj()
        out = d.decompress(data, self.cap + 1)
        if len(out) > self.cap or d.unconsumed_tail:
            raise BudgetExceeded(f"a content stream inflates past {self.cap // budget.MB} MB")
        return out + d.flush()

    def decompressobj(self, *args: object, **kwargs: object) -> _CappedDecompressor:
        return _CappedDecompressor(zlib.decompressobj(*args, **kwargs), self.cap)  # type: ignore[arg-type]


class _CappedDecompressor:
    def __init__(self, inner: Any, cap: int) -> None:
        self.inner, self.cap, self.total = inner, cap, 0

    def decompress(self, data: bytes, max_length: int = 0) -> bytes:
        out = self.inner.decompress(data, self.cap + 1 - self.total)
        self.total += len(out)
        if self.total > self.cap:
            raise BudgetExceeded(f"a content stream inflates past {self.cap // budget.MB} MB")
        return out

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@contextlib.contextmanager
def _capped_streams() -> Iterator[None]:
    from pdfminer import pdftypes

    real = pdftypes.zlib
    pdftypes.zlib = _CappedZlib(budget.PDF_MAX_STREAM_BYTES)  # type: ignore[assignment]
    try:
        yield
    finally:
        pdftypes.zlib = real


def _budgeted_classes() -> tuple[type, type]:
    """pdfminer's page aggregator and interpreter, counting characters and Form XObject calls."""
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.pdfinterp import PDFPageInterpreter

    class Aggregator(PDFPageAggregator):
        chars = 0
        page_chars = 0
        xobjects = 0

        def begin_page(self, page: Any, ctm: Any) -> None:
            self.page_chars = self.xobjects = 0
            super().begin_page(page, ctm)

        def render_char(self, *args: Any, **kwargs: Any) -> float:
            self.chars += 1
            self.page_chars += 1
            if self.page_chars > budget.PDF_MAX_PAGE_CHARS:
                raise BudgetExceeded(f"a page lays out more than {budget.PDF_MAX_PAGE_CHARS:,} characters")
            if self.chars > budget.PDF_MAX_CHARS:
                raise BudgetExceeded(f"the document lays out more than {budget.PDF_MAX_CHARS:,} characters")
            return super().render_char(*args, **kwargs)

    class Interpreter(PDFPageInterpreter):
        def do_Do(self, xobjid_arg: Any) -> None:  # noqa: N802 - pdfminer's name
            device = self.device
            device.xobjects += 1  # type: ignore[attr-defined]
            if device.xobjects > budget.PDF_MAX_XOBJECT_CALLS:  # type: ignore[attr-defined]
                raise BudgetExceeded(f"a page draws more than {budget.PDF_MAX_XOBJECT_CALLS:,} Form XObjects "
                                     "(nested fan-out)")
            super().do_Do(xobjid_arg)

    return Aggregator, Interpreter


def _pages(data: bytes, params: Any) -> Iterator[Any]:
    """The laid-out pages, as pdfminer's extract_pages gives them, under the page, stream, character,
    XObject and CPU budgets (pdfminer itself skips content streams that refer to themselves)."""
    from pdfminer.pdfinterp import PDFResourceManager
    from pdfminer.pdfpage import PDFPage

    aggregator, interpreter = _budgeted_classes()
    manager = PDFResourceManager(caching=True)
    device = aggregator(manager, laparams=params)
    interp = interpreter(manager, device)
    with _capped_streams(), budget.cpu_budget(budget.PDF_CPU_SECONDS, "reading the PDF"):
        for n, page in enumerate(PDFPage.get_pages(io.BytesIO(data)), start=1):
            if n > budget.PDF_MAX_PAGES:
                raise BudgetExceeded(f"more than {budget.PDF_MAX_PAGES:,} pages")
            interp.process_page(page)
            yield device.get_result()



def _layout_lines(
    data: bytes, name: str | None, drawn: dict[int, float] | None = None
) -> tuple[list[Line], int]:
    """All horizontal text lines of all pages, each page's lines merged into rows top to bottom.

    Pages with images or vector graphics on them are keys of `drawn` (where a scan or outlined text may be),
    with the share of the page that their largest image covers.
    """
    from pdfminer.layout import LAParams, LTCurve, LTImage, LTTextLineHorizontal

    try:
        from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    except ImportError:  # pragma: no cover - older pdfminer
        PDFEncryptionError = PDFPasswordIncorrect = ()  # type: ignore[assignment,misc]  # noqa: N806

    # word_margin 0.5: justified CJK text spreads its characters; don't read that as spaces.
    params = LAParams(word_margin=0.5, char_margin=2.0, line_margin=0.5)
    lines: list[Line] = []
    pages = 0
    try:
        with _quiet_pdfminer():
            for pages, page in enumerate(_pages(data, params), start=1):
                height = page.height or 842.0
                found: list[Line] = []
                stack = list(page)
                while stack:
                    item = stack.pop()
                    if isinstance(item, LTTextLineHorizontal):
                        text = item.get_text().replace("\n", "")
                        if text.strip():
                            found.append(Line(pages, item.x0, item.y0, item.x1, item.y1, text, height))
                    elif hasattr(item, "__iter__"):
                        stack.extend(item)
                    elif drawn is not None and isinstance(item, LTImage | LTCurve):
                        share = 0.0
                        if isinstance(item, LTImage) and page.width and page.height:
                            share = item.width * item.height / (page.width * page.height)
                        drawn[pages] = max(drawn.get(pages, 0.0), share)
                lines.extend(_rows(found))
    except BudgetExceeded as exc:
        raise InputError(name, f"PDF past its budget: {exc}; refused") from None
    except MemoryError:
        raise InputError(name, "PDF past its budget: out of memory while reading it; refused") from None
    except PDFPasswordIncorrect:
        raise InputError(
            name, "encrypted PDF (a password is required to open it); remove the protection first"
        ) from None
    except PDFEncryptionError as exc:
        raise InputError(name, f"encrypted PDF ({exc}); remove the protection first") from None
    except InputError:
        raise
    except Exception as exc:  # PDFSyntaxError, PSEOF, struct errors on damaged files
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        if "encrypt" in message.lower() or "password" in message.lower():
            raise InputError(name, f"encrypted PDF ({message}); remove the protection first") from None
        raise InputError(
            name, f"corrupt or unreadable PDF ({type(exc).__name__}{': ' + message if message else ''})"
        ) from None
    return lines, pages


def _rows(lines: list[Line]) -> list[Line]:
    """Sort a page's lines top to bottom, left to right; merge pieces that share a baseline."""
    lines.sort(key=lambda ln: (-ln.y1, ln.x0))
    rows: list[Line] = []
    for ln in lines:
        if rows:
            last = rows[-1]
            overlap = min(last.y1, ln.y1) - max(last.y0, ln.y0)
            if overlap > 0.6 * min(last.height, ln.height) and ln.x0 >= last.x1 - 1:
                gap = ln.x0 - last.x1
                sep = " " if gap > 0.5 * min(last.height, ln.height) else ""
                last.text = last.text.rstrip() + sep + ln.text.lstrip()
                last.x1 = max(last.x1, ln.x1)
                last.y0, last.y1 = min(last.y0, ln.y0), max(last.y1, ln.y1)
                continue
        rows.append(ln)
    return rows


def _key(line: Line) -> tuple[str, int]:
    text = re.sub(r"[0-9０-９]+", "#", re.sub(r"\s+", "", line.text))
    return text, round((line.y0 if line.y0 < line.page_height / 2 else line.y1) / 4)


def drop_page_chrome(lines: list[Line], pages: int) -> list[Line]:
    """Drop headers/footers repeated at the same place on most pages, and page-number lines."""
    repeated: set[tuple[str, int]] = set()
    if pages >= 2:
        pairs = {(_key(ln), ln.page) for ln in lines if ln.in_margin_zone}
        per_key = Counter(k for k, _page in pairs)
        need = max(2, pages // 2 + 1)
        repeated = {k for k, n in per_key.items() if n >= need}
    first_last: set[int] = set()
    by_page: dict[int, list[int]] = {}
    for i, ln in enumerate(lines):
        by_page.setdefault(ln.page, []).append(i)
    for idx in by_page.values():
        first_last.update((idx[0], idx[-1]))
    kept = []
    for i, ln in enumerate(lines):
        if ln.in_margin_zone and _key(ln) in repeated:
            continue
        if PAGE_NUMBER.match(ln.text) and (ln.in_margin_zone or i in first_last):
            continue
        kept.append(ln)
    return kept


def _percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(q * (len(values) - 1))))]


def _ends_sentence(text: str) -> bool:
    stripped = text.rstrip(_CLOSERS)
    if not stripped:
        return True
    if stripped[-1] in _SENTENCE_END:
        return True
    return stripped != text.rstrip() and stripped[-1] in "。！？!?"


def join_wrapped(lines: list[Line]) -> list[str]:
    """Rejoin lines that a sentence was wrapped across (also across a page break).

    A line is glued to the previous one when the previous reaches the right margin, the two have
    about the same font size and this one is not indented. When every paragraph of the document
    starts indented, that is enough; otherwise the previous line must also not end its sentence
    and this one must not open with a list marker (一、 （一） 1. （1） 一是 …).
    """
    if not lines:
        return []
    left = Counter(round(ln.x0) for ln in lines).most_common(1)[0][0]
    right = _percentile([ln.x1 for ln in lines], 0.9)

    def full(ln: Line) -> bool:
        return ln.x1 >= right - 1.5 * ln.height

    def indent(ln: Line) -> float:
        return (ln.x0 - left) / ln.height

    # How do paragraphs start here? Look at the lines that follow a short (paragraph-ending) line.
    starts_indented = starts_flush = 0
    for prev, ln in zip(lines, lines[1:], strict=False):
        if not full(prev):
            if 0.6 < indent(ln) <= 4.5:
                starts_indented += 1
            elif abs(indent(ln)) <= 0.6:
                starts_flush += 1
    indented_paragraphs = starts_indented >= 2 and starts_flush <= 0.1 * starts_indented

    out: list[str] = []
    prev: Line | None = None
    for ln in lines:
        text = ln.text.strip()
        continues = (
            prev is not None
            and out
            and full(prev)
            and indent(ln) <= 0.6
            and 0.9 <= ln.height / prev.height <= 1.11
            and (indented_paragraphs or (not _ends_sentence(out[-1]) and not LIST_MARKER.match(text)))
        )
        if continues:
            sep = " " if re.search(r"[A-Za-z]$", out[-1]) and re.match(r"[A-Za-z]", text) else ""
            out[-1] = out[-1] + sep + text
        else:
            out.append(text)
        prev = ln
    return out


def _unusable(lines: list[Line]) -> bool:
    """True when a page's text layer is garbage: mostly unmapped glyphs, U+FFFD or control characters."""
    from report_parser.charset import plausible_share

    text = "".join(re.sub(r"\s+", "", ln.text) for ln in lines)
    cids = len(_CID.findall(text))
    visible = _CID.sub("", text)
    if cids > len(visible):
        return True
    return len(visible) >= 10 and plausible_share(visible.replace("\ufffd", "\x00")) < 0.6


def _needs_ocr(lines: list[Line], drawn: float | None) -> bool:
    """A page is read by OCR when it has drawings but no text, a garbage text layer, or a scan covering
    most of it with only a few characters of text (a stamped page number or file name)."""
    if drawn is not None and not lines:
        return True
    if lines and _unusable(lines):
        return True
    chars = sum(len(re.sub(r"\s+", "", ln.text)) for ln in lines if not PAGE_NUMBER.match(ln.text))
    return drawn is not None and drawn >= _SCAN_SHARE and chars < _FEW_CHARS


def extract_pdf(
    data: bytes, name: str | None = None, _lines: tuple[list[Line], int] | None = None
) -> tuple[str, str]:
    """(text, encoding) of a PDF's text layer; encoding is 'unicode', '+replace' for unmapped glyphs."""
    lines, pages = _lines if _lines is not None else _layout_lines(data, name)
    body = drop_page_chrome(lines, pages)
    visible = sum(len(re.sub(r"\s+", "", _CID.sub("", ln.text))) for ln in body)
    cids = sum(len(_CID.findall(ln.text)) for ln in body)
    if visible == 0 and cids == 0:
        raise InputError(name, "no text layer (scanned PDF?); run OCR first")
    if cids > visible:
        raise InputError(name, "text layer without Unicode mapping (fonts lack ToUnicode); run OCR first")
    for ln in body:
        ln.text = _CID.sub("\ufffd", ln.text)
    text = "\n".join(join_wrapped(body)) + "\n"
    return text, "unicode+replace" if cids else "unicode"
