#!/usr/bin/env python3
"""Render a notice's text as scanned A4 pages (images), for OCR tests and the OCR benchmark.

    python scripts/render_scan.py NOTICE.txt OUT.pdf|OUT.png|OUT.tif [--dpi 150]

Pages look like a printed notice: a running header, a centred title, paragraphs wrapped and
indented two characters, a page number `- n -` at the foot; then a scanner's blur and speckle.
A .pdf output holds only the page images (no text layer); .png keeps the first page; .tif all.
Needs Pillow and a CJK font (Debian: fonts-noto-cjk).
"""

from __future__ import annotations

import argparse
import io
import random
from pathlib import Path
from typing import Any

FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
HEADER = "内部资料  巡察整改进展情况通报"


def cjk_font() -> str | None:
    """A CJK font file on this machine, or None."""
    return next((f for f in FONT_CANDIDATES if Path(f).is_file()), None)


def notice_lines(text: str) -> list[str]:
    """Non-blank lines, without conversion leftovers such as `[bookmark: _GoBack]`."""
    text = text.replace("[bookmark: _GoBack]", "")
    return [ln.strip() for ln in text.split("\n") if ln.strip()]


def render_pages(text: str, *, dpi: int = 150, seed: int = 7, header: str = HEADER,
                 truth: list[str] | None = None) -> list[Any]:
    """The notice as a list of greyscale PIL images, one per A4 page.

    When `truth` is a list, the text printed on each page (header, lines, page number) is appended to it.
    """
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    font_file = cjk_font()
    if font_file is None:
        raise RuntimeError("no CJK font found (install fonts-noto-cjk)")

    def pt(points: float) -> int:
        return round(points * dpi / 72)

    width, height, margin = pt(595), pt(842), pt(80)
    body_font = ImageFont.truetype(font_file, pt(12))
    title_font = ImageFont.truetype(font_file, pt(16))
    small_font = ImageFont.truetype(font_file, pt(9))
    leading = pt(21)
    usable = width - 2 * margin
    indent = 2 * pt(12)

    title, *paras = notice_lines(text)
    body: list[tuple[str, int]] = []
    for para in paras:
        cur, avail, x = "", usable - indent, indent
        for ch in para:
            if cur and body_font.getlength(cur + ch) > avail:
                body.append((cur, x))
                cur, avail, x = "", usable, 0
            cur += ch
        if cur:
            body.append((cur, x))

    pages: list[Any] = []
    per_page = (height - 2 * margin) // leading
    first = True
    rng = random.Random(seed)
    while body or first:
        img = Image.new("L", (width, height), 255)
        draw = ImageDraw.Draw(img)
        draw.text((width // 2, pt(40)), header, font=small_font, fill=0, anchor="mm")
        draw.line((margin, pt(48), width - margin, pt(48)), fill=0, width=1)
        draw.text((width // 2, height - pt(40)), f"- {len(pages) + 1} -", font=small_font, fill=0, anchor="mm")
        printed = [header]
        y = margin
        room = per_page
        if first:
            draw.text((width // 2, y), title, font=title_font, fill=0, anchor="mt")
            printed.append(title)
            y += 2 * leading
            room -= 2
            first = False
        for line, x in body[:room]:
            draw.text((margin + x, y), line, font=body_font, fill=0)
            printed.append(line)
            y += leading
        body = body[room:]
        if truth is not None:
            truth.append("\n".join([*printed, f"- {len(pages) + 1} -"]))
        img = img.filter(ImageFilter.GaussianBlur(0.6))
        px = img.load()
        for _ in range(width * height // 400):  # speckle
            px[rng.randrange(width), rng.randrange(height)] = rng.choice((0, 90, 200))
        pages.append(img)
    return pages


def scan_pdf(pages: list[Any], dpi: int = 150) -> bytes:
    """The page images as a PDF with no text layer."""
    buf = io.BytesIO()
    pages[0].save(buf, format="PDF", save_all=True, append_images=pages[1:], resolution=dpi)
    return buf.getvalue()


def image_bytes(pages: list[Any], fmt: str, dpi: int = 150) -> bytes:
    """The first page as PNG/JPEG, or all pages as one multi-page TIFF."""
    buf = io.BytesIO()
    if fmt.upper() in ("TIF", "TIFF"):
        pages[0].save(buf, format="TIFF", save_all=True, append_images=pages[1:], dpi=(dpi, dpi),
                      compression="tiff_deflate")
    else:
        pages[0].save(buf, format="JPEG" if fmt.upper() in ("JPG", "JPEG") else fmt.upper(), dpi=(dpi, dpi))
    return buf.getvalue()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("notice")
    ap.add_argument("out")
    ap.add_argument("--dpi", type=int, default=150)
    args = ap.parse_args()
    pages = render_pages(Path(args.notice).read_text(encoding="utf-8"), dpi=args.dpi)
    suffix = Path(args.out).suffix.lower().lstrip(".")
    data = scan_pdf(pages, args.dpi) if suffix == "pdf" else image_bytes(pages, suffix, args.dpi)
    Path(args.out).write_bytes(data)
    print(f"{args.out}: {len(pages)} page(s), {len(data)} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
