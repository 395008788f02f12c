"""Builders of hostile inputs: bombs, cycles, fan-outs, degenerate pages and folder traps.

Every builder writes to a path and streams what it writes (a 2 GB bomb is compressed from a generator
of chunks, never held in memory), so the tests can make the real sizes when they run marked `slow`
and smaller ones of the same shape by default. Also usable by hand: `python tests/hostile.py DIR`
writes one file of each kind into DIR.
"""

from __future__ import annotations

import os
import sys
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

NOTICE_LINES = [
    "关于某局党组巡察整改情况的通报",
    "根据县委统一部署，2024年3月1日至5月10日，县委第一巡察组对某局党组进行了常规巡察。",
    "一、存在问题",
    "（一）制度不健全。一是制定制度3项；二是拟于2025年底前完成。",
    "欢迎广大干部群众监督。联系电话：0415-5110029。",
]
NOTICE = "\n".join(NOTICE_LINES) + "\n"
MB = 1 << 20


def _chunks(byte: bytes, size: int, chunk: int = MB) -> Iterator[bytes]:
    block = byte * chunk
    left = size
    while left > 0:
        yield block[: min(chunk, left)]
        left -= chunk


# ---------------------------------------------------------------------------------------------- Word

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Default Extension="jpeg" ContentType="image/jpeg"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/>'
    "</Relationships>"
)
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _paragraphs(lines: Iterable[str]) -> str:
    return "".join(f"<w:p><w:r><w:t>{line}</w:t></w:r></w:p>" for line in lines)


def _document_xml(body: str) -> str:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{_W}"><w:body>'
            f"{body}</w:body></w:document>")


def _write_member(zf: zipfile.ZipFile, name: str, chunks: Iterable[bytes]) -> None:
    info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    with zf.open(info, "w", force_zip64=True) as fh:
        for chunk in chunks:
            fh.write(chunk)


def docx(path: Path, lines: Iterable[str] = NOTICE_LINES, extra: dict[str, Iterable[bytes]] | None = None,
         document: Iterable[bytes] | None = None) -> Path:
    """A minimal valid .docx; `extra` members (name → chunks) added, `document` replacing the body part."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _RELS)
        if document is None:
            zf.writestr("word/document.xml", _document_xml(_paragraphs(lines)))
        else:
            _write_member(zf, "word/document.xml", document)
        for name, chunks in (extra or {}).items():
            _write_member(zf, name, chunks)
    return path


def docx_member_bomb(path: Path, member: str = "word/document.xml", size: int = 2 << 30) -> Path:
    """A .docx one of whose members inflates to `size` bytes of spaces (or zeros for a binary part)."""
    fill = b"\0" if member.endswith((".jpeg", ".png", ".bin")) else b" "
    if member == "word/document.xml":
        head = _document_xml(_paragraphs(NOTICE_LINES)).encode()
        cut = head.index(b"</w:body>")
        return docx(path, document=[head[:cut], *_chunks(fill, size), head[cut:]])
    return docx(path, extra={member: _chunks(fill, size)})


def xlsx_member_bomb(path: Path, size: int = 2 << 30) -> Path:
    """An .xlsx (by its xl/workbook.xml) whose sheet inflates to `size` bytes of spaces."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        _write_member(zf, "xl/worksheets/sheet1.xml", _chunks(b" ", size))
    return path


def docx_big_body(path: Path, size: int = 50 * MB) -> Path:
    """A .docx whose body is `size` bytes of real paragraphs (compresses well: a small file)."""
    para = _paragraphs(["（一）制度不健全。一是制定制度3项；二是拟于2025年底前完成。"]).encode()
    n = max(1, size // len(para))

    def body() -> Iterator[bytes]:
        head = _document_xml("").encode()
        cut = head.index(b"</w:body>")
        yield head[:cut]
        block = para * 1000
        for _ in range(n // 1000):
            yield block
        yield para * (n % 1000)
        yield head[cut:]

    return docx(path, document=body())


def docx_many_parts(path: Path, parts: int = 30000) -> Path:
    """A .docx whose document relationships reference `parts` tiny parts."""
    rels = "".join(
        f'<Relationship Id="rIdX{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        f'customXml" Target="../customXml/item{i}.xml"/>' for i in range(parts))
    doc_rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                f"{rels}</Relationships>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("word/document.xml", _document_xml(_paragraphs(NOTICE_LINES)))
        zf.writestr("word/_rels/document.xml.rels", doc_rels)
        for i in range(parts):
            zf.writestr(f"customXml/item{i}.xml", "<a/>")
    return path


# ---------------------------------------------------------------------------------------------- PDF


class _PDF:
    """A PDF written object by object with a correct xref table; streams may be written from chunks."""

    def __init__(self, path: Path) -> None:
        self.fh = open(path, "wb")  # noqa: SIM115 - closed by finish()
        self.fh.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        self.offsets: dict[int, int] = {}

    def obj(self, num: int, body: str | bytes) -> None:
        self.offsets[num] = self.fh.tell()
        data = body.encode("latin-1") if isinstance(body, str) else body
        self.fh.write(f"{num} 0 obj\n".encode() + data + b"\nendobj\n")

    def stream(self, num: int, chunks: Iterable[bytes], extra: str = "", compress: bool = True) -> None:
        """A stream object with an indirect /Length (object num + 1000) written after it."""
        self.offsets[num] = self.fh.tell()
        filt = " /Filter /FlateDecode" if compress else ""
        self.fh.write(f"{num} 0 obj\n<< /Length {num + 1000} 0 R{filt} {extra}>>\nstream\n".encode())
        start = self.fh.tell()
        z = zlib.compressobj(9) if compress else None
        for chunk in chunks:
            self.fh.write(z.compress(chunk) if z else chunk)
        if z:
            self.fh.write(z.flush())
        length = self.fh.tell() - start
        self.fh.write(b"\nendstream\nendobj\n")
        self.obj(num + 1000, str(length))

    def finish(self, root: int = 1) -> None:
        xref = self.fh.tell()
        size = max(self.offsets) + 1
        self.fh.write(f"xref\n0 {size}\n0000000000 65535 f \n".encode())
        for i in range(1, size):
            off = self.offsets.get(i)
            self.fh.write(f"{off:010d} 00000 n \n".encode() if off is not None else b"0000000000 65535 f \n")
        self.fh.write(f"trailer\n<< /Size {size} /Root {root} 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
        self.fh.close()


_FONT = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
_TEXT = b"BT /F1 12 Tf 72 400 Td (Rectification notice) Tj ET\n"


def pdf(path: Path, pages: int = 1, content: Iterable[bytes] | None = None) -> Path:
    """A PDF of `pages` pages sharing one content stream (`content` chunks, or a line of text)."""
    w = _PDF(path)
    kids = " ".join(f"{10 + i} 0 R" for i in range(pages))
    w.obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
    w.obj(2, f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>")
    w.obj(3, _FONT)
    w.stream(4, content if content is not None else [_TEXT])
    for i in range(pages):
        w.obj(10 + i, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
                      "/Resources << /Font << /F1 3 0 R >> >> >>")
    w.finish()
    return path


def pdf_self_reference(path: Path, where: str = "Contents") -> Path:
    """A small PDF where /Contents, /Root, /Resources or /Kids refers to the object that holds it."""
    w = _PDF(path)
    if where == "Root":
        w.obj(1, "<< /Type /Catalog /Pages 1 0 R >>")
        w.finish()
        return path
    w.obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
    if where == "Kids":
        w.obj(2, "<< /Type /Pages /Kids [2 0 R] /Count 1 >>")
        w.finish()
        return path
    w.obj(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
    contents = "3 0 R" if where == "Contents" else "4 0 R"
    resources = "3 0 R" if where == "Resources" else "<< /Font << /F1 5 0 R >> >>"
    w.obj(3, f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {contents} /Resources {resources} >>")
    w.stream(4, [_TEXT])
    w.obj(5, _FONT)
    w.finish()
    return path


def pdf_xobject_fanout(path: Path, depth: int = 10, fan: int = 10) -> Path:
    """Form XObjects each drawing the next level `fan` times, `depth` levels: fan**depth text draws."""
    w = _PDF(path)
    w.obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
    w.obj(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
    w.obj(3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
             "/Resources << /Font << /F1 5 0 R >> /XObject << /X 100 0 R >> >> >>")
    w.stream(4, [b"/X Do\n"])
    w.obj(5, _FONT)
    for level in range(depth):
        num = 100 + level
        last = level == depth - 1
        body = _TEXT if last else b"/X Do\n" * fan
        res = "<< /Font << /F1 5 0 R >> >>" if last else f"<< /XObject << /X {num + 1} 0 R >> >>"
        w.stream(num, [body], extra=f"/Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources {res} ")
    w.finish()
    return path


def pdf_stream_bomb(path: Path, size: int = 2 << 30, fill: bytes = b" ") -> Path:
    """A one-page PDF whose content stream inflates to `size` bytes (whitespace, or operators when fill says)."""
    return pdf(path, content=_chunks(fill, size))


def pdf_operator_flood(path: Path, size: int = 300 * MB) -> Path:
    """A content stream of `size` bytes of text-showing operators."""
    op = b"BT /F1 12 Tf 72 720 Td (x) Tj ET\n"
    n = size // len(op)

    def gen() -> Iterator[bytes]:
        block = op * 30000
        for _ in range(n // 30000):
            yield block
        yield op * (n % 30000)

    return pdf(path, content=gen())


# ---------------------------------------------------------------------------------------------- HTML and text


def html_unclosed_font(path: Path, paragraphs: int = 400) -> Path:
    """Every paragraph opens a <font> never closed: nesting as deep as the paragraph count."""
    body = "".join(f'<p><font face="宋体">（{i}）整改措施第{i}项已完成。' for i in range(1, paragraphs + 1))
    path.write_text(f"<html><head><meta charset='utf-8'><title>关于整改情况的通报</title></head><body>"
                    f"<h1>关于整改情况的通报</h1>{body}</body></html>", encoding="utf-8")
    return path


def html_many_paragraphs(path: Path, n: int = 10**6) -> Path:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("<html><head><meta charset='utf-8'><title>关于整改情况的通报</title></head><body>")
        for i in range(0, n, 1000):
            fh.write("<p>段。</p>" * (min(n, i + 1000) - i))
        fh.write("</body></html>")
    return path


def html_chrome_labels(path: Path, n: int = 10000) -> Path:
    """One <div> holding `n` paragraphs that each open with a chrome label (来源：)."""
    lines = "".join(f"<p>来源：某某网站第{i}页</p>" for i in range(n))
    path.write_text("<html><head><meta charset='utf-8'><title>关于整改情况的通报</title></head><body>"
                    f"<div>{NOTICE.replace(chr(10), '<br>')}</div><div>{lines}</div></body></html>", encoding="utf-8")
    return path


def text_bare_markers(path: Path, size: int = 19 * MB) -> Path:
    """A text file of one bare marker per line (一、 二、 … and （一）, 1., ① mixed)."""
    markers = ["一、", "（一）", "1.", "（1）", "①", "一是"]
    line_block = "\n".join(markers * 1000).encode("utf-8") + b"\n"
    with open(path, "wb") as fh:
        written = 0
        while written < size:
            fh.write(line_block)
            written += len(line_block)
    return path


def text_with_nul(path: Path) -> Path:
    data = NOTICE.encode("utf-8")
    path.write_bytes(data[:30] + b"\x00" + data[30:] + b"\x00\x00")
    return path


def text_mixed_encodings(path: Path) -> Path:
    half = len(NOTICE_LINES) // 2
    utf8 = "\n".join(NOTICE_LINES[:half]).encode("utf-8")
    gbk = "\n".join(NOTICE_LINES[half:]).encode("gb18030")
    path.write_bytes(utf8 + b"\n" + gbk + b"\n")
    return path


# ---------------------------------------------------------------------------------------------- folders


def trap_folder(root: Path) -> dict[str, str]:
    """A scraped folder with traps; returns {entry name: what the batch must do with it}."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "notice.txt").write_text(NOTICE, encoding="utf-8")
    sub = root / "copy"
    sub.mkdir()
    (sub / "notice.txt").write_text(NOTICE, encoding="utf-8")  # same content; first in path order is kept
    (root / "passwd.txt").symlink_to("/etc/passwd")
    (root / "everything").symlink_to("/")
    (root / "loop").symlink_to(root)  # back into the corpus
    os.mkfifo(root / "pipe.txt")
    name = os.fsdecode("通报".encode("gbk") + b".txt")  # a GBK name from a Chinese zip archive
    (root / name).write_text(NOTICE.replace("某局", "某中心"), encoding="utf-8")
    (root / "ledger.xls").write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504))
    (root / "photo.gif").write_bytes(b"GIF89a" + bytes(64))  # images other than scans' .png/.jpg/.tif
    (root / "slides.ppt").write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504))
    (root / "bundle.zip").write_bytes(b"PK\x05\x06" + bytes(18))
    return {
        "notice.txt": "duplicate", "copy/notice.txt": "parsed", "passwd.txt": "skipped", "everything": "skipped",
        "loop": "skipped", "pipe.txt": "skipped", name: "parsed", "ledger.xls": "unsupported",
        "photo.gif": "unsupported", "slides.ppt": "unsupported", "bundle.zip": "unsupported",
    }


if __name__ == "__main__":  # one of each, full size, for trying by hand
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile-files")
    out.mkdir(parents=True, exist_ok=True)
    docx_member_bomb(out / "bomb-document.docx")
    docx_member_bomb(out / "bomb-thumbnail.docx", "docProps/thumbnail.jpeg")
    docx_big_body(out / "big-body.docx")
    xlsx_member_bomb(out / "bomb-sheet.xlsx")
    docx_many_parts(out / "many-parts.docx")
    for where in ("Contents", "Root", "Resources", "Kids"):
        pdf_self_reference(out / f"self-{where.lower()}.pdf", where)
    pdf(out / "many-pages.pdf", pages=30000)
    pdf_xobject_fanout(out / "fanout.pdf")
    pdf_stream_bomb(out / "stream-bomb.pdf")
    pdf_operator_flood(out / "operators.pdf")
    html_unclosed_font(out / "unclosed-font.html")
    html_many_paragraphs(out / "many-p.html")
    html_chrome_labels(out / "chrome-labels.html")
    text_bare_markers(out / "bare-markers.txt")
    text_with_nul(out / "nul.txt")
    text_mixed_encodings(out / "mixed.txt")
    print(out)
