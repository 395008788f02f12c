"""Turn a file or bytes into the text that every span indexes: format dispatch, size limit, clear refusals."""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass

from report_parser.charset import BINARY_REASON, MAX_CONTROL_SHARE, control_share, decode_text, newlines
from report_parser.errors import Code, Diagnostic, InputError

__all__ = ["DEFAULT_MAX_BYTES", "Loaded", "decode_text", "load_bytes", "load_path"]

DEFAULT_MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Loaded:
    """A decoded or extracted input: `text` is what all spans index."""

    text: str
    encoding: str
    format: str
    sha256: str
    name: str
    extracted: bool
    # ledger tables (整改台账) written into `text`, with their cells' spans (formats.table.LedgerTable)
    tables: tuple = ()
    # warnings found while decoding, added to Document.warnings: W502 when the text came from OCR…
    warnings: tuple[Diagnostic, ...] = ()
    url: str | None = None  # where the bytes were fetched from, for inputs given as a URL


# Seconds a special file (a FIFO, a terminal, a device) may take to deliver its content.
SPECIAL_READ_SECONDS = 30.0


def _size_reason(size: int | None, max_bytes: int) -> str:
    limit = f"{max_bytes / 1048576:g} MB" if max_bytes >= 1048576 else f"{max_bytes} bytes"
    if size is None:
        return f"larger than the {limit} limit (max_bytes)"
    shown = f"{size / 1048576:.1f} MB" if max_bytes >= 1048576 else f"{size} bytes"
    return f"{shown} exceeds the {limit} limit (max_bytes)"


def load_bytes(
    data: bytes, name: str | None = None, *, max_bytes: int = DEFAULT_MAX_BYTES, charset: str | None = None
) -> Loaded:
    """Decode or extract `data`: the format is sniffed from the content first, the name's extension second.

    `charset` is one declared outside the bytes (an HTTP Content-Type); a page's own declaration and
    byte order marks are weighed the same way as for files.
    """
    from report_parser import formats

    if len(data) > max_bytes:
        raise InputError(name, _size_reason(len(data), max_bytes))
    shown = name or "<input>"
    digest = hashlib.sha256(data).hexdigest()
    kind = formats.sniff(data, name)

    if kind == "txt":
        declared = _declared_text(data, charset)
        if declared:
            return Loaded(declared[0], declared[1], "txt", digest, shown, False)
        try:
            text, encoding = decode_text(data, name)
        except InputError as exc:
            better = formats.binary_reason(name) if exc.reason == BINARY_REASON else None
            if better:
                raise InputError(name, better) from None
            raise
        return Loaded(text, encoding, "txt", digest, shown, False, warnings=_repairs(encoding))
    loaded = _extracted(kind, data, name, charset, digest, shown)
    if loaded is None:
        raise InputError(name, formats.refusal(kind, data, name))
    return loaded


def _extracted(kind: str, data: bytes, name: str | None, charset: str | None, digest: str,
               shown: str) -> Loaded | None:
    """An input of an extracted format (a page, a document, a scan), or None for a kind not read."""
    if kind in ("html", "mhtml"):
        from report_parser.formats import html as html_format

        repairs: list[str] = []
        if kind == "html":
            text, encoding, tables = html_format.extract_html_tables(data, name, charset, repairs=repairs)
        else:
            text, encoding, tables = html_format.extract_mhtml_tables(data, name, repairs=repairs)
        found = (*_repairs(encoding), *(Diagnostic(c) for c in repairs))
        return _loaded(text, tables, name, encoding, kind, digest, shown, found)
    if kind == "docx":
        from report_parser.formats import docx as docx_format

        text, tables = docx_format.extract_docx(data, name)
        return _loaded(text, tables, name, "utf-8", "docx", digest, shown)
    if kind == "xlsx":
        from report_parser.formats import xlsx as xlsx_format

        text, tables = xlsx_format.extract_xlsx(data, name)
        return _loaded(text, tables, name, "utf-8", "xlsx", digest, shown)
    if kind == "pdf":
        from report_parser.formats import ocr  # the text layer, and OCR for pages without one

        text, encoding, notes = ocr.extract_pdf_ocr(data, name)
        return Loaded(_finish(text, name), encoding, "pdf", digest, shown, True, warnings=notes)
    if kind in ("doc", "wps", "rtf", "odt"):
        from report_parser.formats import office

        text, tables = office.extract_office(data, kind, name)  # as .docx: ledger tables included
        return _loaded(text, tables, name, "utf-8", kind, digest, shown)
    if kind.startswith("image:"):
        from report_parser.formats import ocr

        text, notes = ocr.extract_image(data, name)
        return Loaded(_finish(text, name), "ocr", "image", digest, shown, True, warnings=notes)
    return None


def _loaded(text: str, tables: tuple, name: str | None, encoding: str, kind: str, digest: str,
            shown: str, repairs: tuple[Diagnostic, ...] = ()) -> Loaded:
    """An extracted input with its ledger tables; tables whose spans the tidy-up moved are dropped."""
    finished = _finish(text, name)
    if finished != text:
        tables = ()
    return Loaded(finished, encoding, kind, digest, shown, True, tables, warnings=repairs)


def _repairs(encoding: str) -> tuple[Diagnostic, ...]:
    """Warnings for what decoding repaired, read from its label (W506 NUL bytes, W507 two encodings)."""
    return tuple(Diagnostic(code) for mark, code in (("+nul-removed", Code.W506), ("gb18030-lines", Code.W507))
                 if mark in encoding)


def _declared_text(data: bytes, charset: str | None) -> tuple[str, str] | None:
    """Plain text in the charset its server declared, when it decodes cleanly in it; else None."""
    if not charset:
        return None  # a file: nothing declared (and the HTML reader is not imported for it)
    from report_parser.formats.html import normalize_charset

    codec = normalize_charset(charset)
    if not codec or codec in ("ascii", "latin-1", "iso8859-1", "cp1252"):
        return None  # a Western default says nothing about Chinese text: sniff instead
    try:
        data.decode("utf-8")
        return None  # valid UTF-8 is UTF-8 whatever the server says (mislabelled text is common)
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode(codec).removeprefix("\ufeff")
    except (UnicodeDecodeError, LookupError):
        return None
    text = newlines(text)
    if not text.strip() or "\x00" in text or control_share(text) > MAX_CONTROL_SHARE:
        return None
    return text, codec


def _finish(text: str, name: str | None) -> str:
    """Common tidy-up of extracted text: LF line ends, no NULs; empty extraction is an error."""
    text = newlines(text).replace("\x00", "")
    if not text.strip():
        raise InputError(name, "no text found in the document")
    return text


def load_path(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES) -> Loaded:
    """Read a file (never more than max_bytes + 1 bytes) and load it with load_bytes."""
    name = os.fspath(path)
    try:
        st = os.stat(name)
    except FileNotFoundError:
        if os.path.islink(name):
            raise InputError(name, "broken symbolic link (its target does not exist)") from None
        raise InputError(name, "no such file") from None
    except PermissionError:
        raise InputError(name, "permission denied") from None
    except OSError as exc:
        raise InputError(name, f"cannot read: {exc.strerror or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(name, "is a directory, not a file")
    if stat.S_ISREG(st.st_mode) and st.st_size > max_bytes:
        raise InputError(name, _size_reason(st.st_size, max_bytes))
    try:
        if stat.S_ISREG(st.st_mode):
            with open(name, "rb") as fh:
                data = fh.read(max_bytes + 1)
        else:
            data = _read_special(name, st.st_mode, max_bytes)
    except PermissionError:
        raise InputError(name, "permission denied") from None
    except IsADirectoryError:
        raise InputError(name, "is a directory, not a file") from None
    except OSError as exc:
        raise InputError(name, f"cannot read: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise InputError(name, _size_reason(None if not stat.S_ISREG(st.st_mode) else len(data), max_bytes))
    return load_bytes(data, display_name(name), max_bytes=max_bytes)


def display_name(name: str) -> str:
    """A file name as valid Unicode: bytes that are not UTF-8 (os.fsdecode's surrogates) shown as \\xNN."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return os.fsencode(name).decode("utf-8", "backslashreplace")


def special_kind(mode: int, other: str = "special file") -> str:
    """What a file that is not a regular one is: FIFO, socket, character or block device, else `other`."""
    for test, what in ((stat.S_ISFIFO, "FIFO"), (stat.S_ISSOCK, "socket"), (stat.S_ISCHR, "character device"),
                       (stat.S_ISBLK, "block device")):
        if test(mode):
            return what
    return other


def _read_special(name: str, mode: int, max_bytes: int) -> bytes:
    """Read a FIFO or device without blocking forever: opened non-blocking, read as data comes, at most
    max_bytes + 1 bytes and SPECIAL_READ_SECONDS seconds (a FIFO nobody writes to is refused, not waited on)."""
    import select
    import time

    fd = os.open(name, os.O_RDONLY | os.O_NONBLOCK)
    try:
        poller = select.poll()
        poller.register(fd, select.POLLIN | select.POLLHUP)
        deadline = time.monotonic() + SPECIAL_READ_SECONDS
        chunks: list[bytes] = []
        total = 0
        while total <= max_bytes:
            left = deadline - time.monotonic()
            if left <= 0:
                raise InputError(name, f"{special_kind(mode)} gave no end of input within "
                                       f"{SPECIAL_READ_SECONDS:g} s; not a regular file")
            if not poller.poll(left * 1000):
                continue
            try:
                chunk = os.read(fd, min(1 << 16, max_bytes + 1 - total))
            except BlockingIOError:
                continue
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)
