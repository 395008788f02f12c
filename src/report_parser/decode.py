"""Turn a file or bytes into the text that every span indexes: format dispatch, size limit, clear refusals."""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass

from report_parser.charset import BINARY_REASON, decode_text, newlines
from report_parser.errors import InputError

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


def _size_reason(size: int | None, max_bytes: int) -> str:
    limit = f"{max_bytes / 1048576:g} MB" if max_bytes >= 1048576 else f"{max_bytes} bytes"
    if size is None:
        return f"larger than the {limit} limit (max_bytes)"
    shown = f"{size / 1048576:.1f} MB" if max_bytes >= 1048576 else f"{size} bytes"
    return f"{shown} exceeds the {limit} limit (max_bytes)"


def load_bytes(data: bytes, name: str | None = None, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Loaded:
    """Decode or extract `data`: the format is sniffed from the content first, the name's extension second."""
    from report_parser import formats

    if len(data) > max_bytes:
        raise InputError(name, _size_reason(len(data), max_bytes))
    shown = name or "<input>"
    digest = hashlib.sha256(data).hexdigest()
    kind = formats.sniff(data, name)

    if kind == "txt":
        try:
            text, encoding = decode_text(data, name)
        except InputError as exc:
            better = formats.binary_reason(name) if exc.reason == BINARY_REASON else None
            if better:
                raise InputError(name, better) from None
            raise
        return Loaded(text, encoding, "txt", digest, shown, False)
    if kind in ("html", "mhtml"):
        from report_parser.formats import html as html_format

        if kind == "html":
            text, encoding, tables = html_format.extract_html_tables(data, name)
        else:
            text, encoding, tables = html_format.extract_mhtml_tables(data, name)
        return _loaded(text, tables, name, encoding, kind, digest, shown)
    if kind == "docx":
        from report_parser.formats import docx as docx_format

        text, tables = docx_format.extract_docx(data, name)
        return _loaded(text, tables, name, "utf-8", "docx", digest, shown)
    if kind == "xlsx":
        from report_parser.formats import xlsx as xlsx_format

        text, tables = xlsx_format.extract_xlsx(data, name)
        return _loaded(text, tables, name, "utf-8", "xlsx", digest, shown)
    if kind == "pdf":
        from report_parser.formats import pdf as pdf_format

        text, encoding = pdf_format.extract_pdf(data, name)
        return Loaded(_finish(text, name), encoding, "pdf", digest, shown, True)
    raise InputError(name, formats.refusal(kind, data, name))


def _loaded(text: str, tables: tuple, name: str | None, encoding: str, kind: str, digest: str,
            shown: str) -> Loaded:
    """An extracted input with its ledger tables; tables whose spans the tidy-up moved are dropped."""
    finished = _finish(text, name)
    if finished != text:
        tables = ()
    return Loaded(finished, encoding, kind, digest, shown, True, tables)


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
        with open(name, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except PermissionError:
        raise InputError(name, "permission denied") from None
    except IsADirectoryError:
        raise InputError(name, "is a directory, not a file") from None
    except OSError as exc:
        raise InputError(name, f"cannot read: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise InputError(name, _size_reason(None if not stat.S_ISREG(st.st_mode) else len(data), max_bytes))
    return load_bytes(data, name, max_bytes=max_bytes)
