"""Format sniffing (magic bytes and content first, extension second) and refusal messages; stdlib only."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

HTML_EXTENSIONS = frozenset({".html", ".htm", ".shtml", ".xhtml", ".jsp", ".asp", ".aspx", ".php"})
MHTML_EXTENSIONS = frozenset({".mhtml", ".mht"})

_DOCX_CONTENT_TYPES = (
    b"wordprocessingml.document.main+xml",
    b"ms-word.document.macroenabled.main+xml",
    b"wordprocessingml.template.main+xml",
    b"ms-word.template.macroenabledtemplate.main+xml",
)
_IMAGES = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
)
_HTML_START = re.compile(r"<(?:!doctype\s+html|html[\s>]|head[\s>]|meta[\s>]|body[\s>]|title[\s>])")
_HTML_TAG = re.compile(r"<(?:p|div|table|span|br|h[1-6]|article|section|font|center)[\s>/]")
_MIME_HEADER = re.compile(
    r"^(?:mime-version|content-type|from|subject|date|snapshot-content-location|content-location)\s*:", re.M
)


@dataclass(frozen=True)
class FileType:
    """A kind of file as the batch walker knows it by name: what it is called and whether it is parsed."""

    label: str
    suffixes: frozenset[str]
    supported: bool


# The one table of file types by suffix. A folder walk parses files whose suffix is supported, lists the
# others as unsupported under their label, and sniffs files with a suffix not in the table (a supported
# document format found by content is parsed). A new format registers its suffixes with `register`.
FILE_TYPES: dict[str, FileType] = {}


def register(label: str, suffixes: tuple[str, ...] | frozenset[str], *, supported: bool = True) -> FileType:
    """Record a file type; a later registration of a suffix wins (a format module making a type supported)."""
    ft = FileType(label, frozenset(s.lower() for s in suffixes), supported)
    for suffix in ft.suffixes:
        FILE_TYPES[suffix] = ft
    return ft


register("plain text", (".txt", ".text", ".md"))
register("Word document", (".docx", ".docm", ".dotx", ".dotm"))
register("web page", tuple(HTML_EXTENSIONS - {".jsp", ".asp", ".aspx", ".php"}))
register("web archive", tuple(MHTML_EXTENSIONS))
register("PDF", (".pdf",))
register("legacy Word document", (".doc", ".dot"))
register("WPS document", (".wps", ".wpt"))
register("Excel workbook", (".xlsx",))
register("spreadsheet", (".xlsm", ".xls", ".et", ".csv", ".ods"), supported=False)
register("presentation", (".pptx", ".ppt", ".dps", ".odp"), supported=False)
register("OpenDocument text", (".odt",))
register("RTF document", (".rtf",))
register("image", (".png", ".jpg", ".jpeg", ".tif", ".tiff"))
register("other image", (".gif", ".bmp", ".webp"), supported=False)
register("archive", (".zip", ".rar", ".7z", ".gz", ".tgz", ".bz2", ".xz", ".tar"), supported=False)
register("audio or video", (".mp3", ".mp4", ".wav", ".avi", ".mov", ".flv", ".wmv"), supported=False)
register("executable or library", (".exe", ".dll", ".so", ".bin"), supported=False)
register("data file", (".json", ".xml", ".jsonl", ".parquet", ".db", ".sqlite"), supported=False)

# Kinds `sniff` can give that load_bytes reads (decode.py dispatches on them).
LOADABLE_KINDS = frozenset({"txt", "html", "mhtml", "docx", "xlsx", "pdf", "doc", "wps", "rtf", "odt"})


def supported_suffixes() -> frozenset[str]:
    return frozenset(s for s, ft in FILE_TYPES.items() if ft.supported)


def file_type(name: str | None) -> FileType | None:
    """The registered type of a file name's suffix, or None when the suffix is not in the table."""
    return FILE_TYPES.get(extension(name))


def extension(name: str | None) -> str:
    """The lower-cased extension of a file name ('' when there is none)."""
    if not name:
        return ""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    dot = base.rfind(".")
    return base[dot:].lower() if dot > 0 else ""


def _head_text(data: bytes, size: int = 4096) -> str:
    """The start of the input as text, good enough to look for markup (ASCII-compatible or UTF-16)."""
    head = data[:size]
    if head.startswith(codecs.BOM_UTF16_LE):
        return head[2:].decode("utf-16-le", errors="ignore")
    if head.startswith(codecs.BOM_UTF16_BE):
        return head[2:].decode("utf-16-be", errors="ignore")
    if head.count(0) > len(head) // 4:
        zeros_even = head[0::2].count(0)
        codec = "utf-16-be" if zeros_even > head.count(0) // 2 else "utf-16-le"
        return head[: len(head) // 2 * 2].decode(codec, errors="ignore")
    return head.decode("latin-1").removeprefix("\xef\xbb\xbf")


_SNIFF_READ = 1 << 16  # the sniffer reads at most this much of one zip member


def _read_capped(zf: object, member: str) -> bytes:
    """The first 64 KB of a zip member: a bomb inflates no further than that."""
    with zf.open(member) as fh:  # type: ignore[attr-defined]
        return fh.read(_SNIFF_READ)


def _sniff_zip(data: bytes | object) -> str:
    """What a zip package holds; `data` is the bytes or a seekable binary file."""
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes | bytearray) else data) as zf:
            names = set(zf.namelist())
            if "word/document.xml" in names:
                return "docx"
            if "[Content_Types].xml" in names:
                types = _read_capped(zf, "[Content_Types].xml").lower()
                if any(ct in types for ct in _DOCX_CONTENT_TYPES):
                    return "docx"
            if "xl/workbook.xml" in names:
                return "xlsx"
            if "ppt/presentation.xml" in names:
                return "pptx"
            if "mimetype" in names:
                mimetype = _read_capped(zf, "mimetype")
                if mimetype.startswith(b"application/vnd.oasis.opendocument.text"):
                    return "odt"
                if mimetype.startswith(b"application/vnd.oasis.opendocument"):
                    return "odf"
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        KeyError,
        OSError,
        EOFError,
        ValueError,
        NotImplementedError,
    ):
        return "zip-corrupt"
    return "zip"


def sniff_file(path: str, name: str | None = None) -> str:
    """`sniff` for a file on disk, reading only a prefix (and a zip's directory, not its members whole)."""
    with open(path, "rb") as fh:
        head = fh.read(8192)
        if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
            fh.seek(0)
            return _sniff_zip(fh)
    return sniff(head, name or path)


def sniff(data: bytes, name: str | None = None) -> str:
    """Say what the bytes are.

    One of: 'pdf', 'docx', 'xlsx', 'html', 'mhtml', 'txt' (loadable), 'doc', 'wps', 'rtf', 'odt' (loadable with
    LibreOffice), 'image:<KIND>' (loadable with OCR), or 'ole-encrypted', 'ole-legacy', 'zip-corrupt',
    'pptx', 'odf', 'zip' (refused, see `refusal`).
    """
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return _sniff_zip(data)
    if data.startswith(bytes.fromhex("D0CF11E0A1B11AE1")):
        # Directory entry names are UTF-16LE; an encrypted OOXML package carries EncryptionInfo.
        if "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data:
            return "ole-encrypted"
        # A Word binary document (Word 97-2003, or WPS Writer, which saves the same structure) has a
        # WordDocument stream; a .wps without one is a Works document, which LibreOffice also reads.
        if "WordDocument".encode("utf-16-le") in data:
            return "wps" if extension(name) == ".wps" else "doc"
        if extension(name) == ".wps":
            return "wps"
        return "ole-legacy"
    if data.lstrip()[:5] == b"{\\rtf":
        return "rtf"
    for magic, kind in _IMAGES:
        if data.startswith(magic):
            return f"image:{kind}"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image:WEBP"

    head = _head_text(data).lstrip("\ufeff \t\r\n").lower()
    if _MIME_HEADER.match(head) and "multipart/" in head[:4096] and b"text/html" in data.lower():
        return "mhtml"
    if head.startswith("<"):
        if _HTML_START.search(head[:2048]):
            return "html"
        if extension(name) in HTML_EXTENSIONS and _HTML_TAG.search(head):
            return "html"
    return "txt"


def refusal(kind: str, data: bytes, name: str | None) -> str:
    """The one-line reason why a sniffed kind cannot be loaded."""
    ext = extension(name)
    if kind == "ole-encrypted":
        return "encrypted or password-protected Office document; remove the password and save as .docx first"
    if kind == "ole-legacy":
        return "legacy Excel/PowerPoint binary format; save as .xlsx, .docx or .txt first"
    if kind == "zip-corrupt":
        what = ext if ext in (".docx", ".docm", ".dotx", ".xlsx", ".zip") else "zip"
        return f"corrupt or truncated {what} file (not a readable zip archive)"
    if kind == "pptx":
        return "PowerPoint file (.pptx) is not supported; save the notice as .docx or .txt first"
    if kind == "odf":
        return "OpenDocument file other than text (.odt) is not supported; save the notice as .docx or .txt first"
    if kind == "zip":
        return "zip archive without a Word document (no word/document.xml); not a supported format"
    if kind.startswith("image:"):
        return f"image file ({kind.split(':', 1)[1]}), not text; run OCR first"
    return f"unsupported input ({kind})"


def binary_reason(name: str | None) -> str | None:
    """A clearer reason for binary content under a document extension, or None."""
    ext = extension(name)
    if ext in (".docx", ".docm", ".dotx"):
        return f"not a valid {ext} file (no zip signature; damaged, or the extension is wrong)"
    if ext == ".pdf":
        return "not a valid PDF file (no %PDF header; damaged, or the extension is wrong)"
    if ext in (".doc", ".xls", ".wps", ".et"):
        return f"not a valid {ext} file (no OLE2 signature; damaged, or the extension is wrong)"
    return None
