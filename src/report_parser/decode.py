"""Turn a file or bytes into the text that every span indexes: encoding detection and format dispatch."""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import stat
from dataclasses import dataclass

from report_parser.errors import InputError

DEFAULT_MAX_BYTES = 20 * 1024 * 1024

# Control characters that a text file does not contain (tab, LF, VT, FF and CR are fine).
_CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f]")
# Characters usual in a Chinese text file: ASCII, Latin-1, CJK, CJK and general punctuation, fullwidth forms.
_PLAUSIBLE_RE = re.compile(
    "[\t\n\r\x20-\x7e\u00a0-\u00ff\u2000-\u206f\u2460-\u24ff\u2500-\u25ff"
    "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]+"
)
# Share of control characters above which decoded bytes are taken for binary content.
_MAX_CONTROL_SHARE = 0.01
# Share of undecodable bytes above which a candidate encoding is rejected (below: '+replace').
_MAX_REPLACE_SHARE = 0.01
_BINARY = "binary content (not text, not a supported document format)"


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
    # (code, message) pairs the parse adds to Document.warnings, e.g. W502 when the text came from OCR
    warnings: tuple[tuple[str, str], ...] = ()
    url: str | None = None  # where the bytes were fetched from, for inputs given as a URL
    repairs: tuple[str, ...] = ()  # warning codes (W506…) for what the loader repaired


# Seconds a special file (a FIFO, a terminal, a device) may take to deliver its content.
SPECIAL_READ_SECONDS = 30.0
# NUL bytes are removed (and warned) up to this share of a text file; above it the file is binary.
_MAX_NUL_SHARE = 0.25


def _newlines(text: str) -> str:
    """Universal newlines, exactly as Python's text mode: CRLF and CR become LF."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _replacements(data: bytes, codec: str) -> tuple[str, int]:
    """Decode with replacement; return the text and the number of bytes that had to be replaced."""
    text = data.decode(codec, errors="replace")
    return text, text.count("\ufffd") - _count_real_fffd(data, codec)


def _count_real_fffd(data: bytes, codec: str) -> int:
    """U+FFFD characters genuinely present in the input (encoded in it), not produced by replacement."""
    try:
        marker = "\ufffd".encode(codec)
    except (UnicodeError, LookupError):
        return 0
    return data.count(marker) if marker else 0


def _plausible_share(text: str) -> float:
    """Share of characters usual in a Chinese text file."""
    if not text:
        return 0.0
    return 1 - len(_PLAUSIBLE_RE.sub("", text)) / len(text)


def _utf16_order(data: bytes) -> str | None:
    """'le' or 'be' when NUL-bearing bytes read as sensible UTF-16 text in that byte order, else None.

    ASCII characters in UTF-16 put their zero byte on one side (odd offsets for little-endian);
    CJK characters such as 一 (U+4E00) put a few on the other, so the decision reads both ways.
    """
    best, best_share = None, 0.0
    for order in ("le", "be"):
        share = _plausible_share(data[: len(data) // 2 * 2].decode(f"utf-16-{order}", errors="replace"))
        if share > best_share:
            best, best_share = order, share
    return best if best_share >= 0.95 else None


def _control_share(text: str) -> float:
    if not text or not _CONTROL_RE.search(text):
        return 0.0
    return len(_CONTROL_RE.findall(text)) / len(text)


def _check_text(text: str, name: str | None) -> None:
    if "\x00" in text or _control_share(text) > _MAX_CONTROL_SHARE:
        raise InputError(name, _BINARY)


def _candidate(data: bytes, codec: str, label: str) -> tuple[str, str] | None:
    """Strict decode, else replacement decode when only a few bytes are bad, else None."""
    try:
        return data.decode(codec), label
    except UnicodeDecodeError:
        pass
    text, bad = _replacements(data, codec)
    if bad <= max(1, _MAX_REPLACE_SHARE * len(text)):
        return text, label + "+replace"
    return None


def _non_ascii(text: str) -> int:
    return len(text) - len(text.encode("ascii", errors="ignore"))


def _mostly_utf8(data: bytes) -> bool:
    """True when the bytes are UTF-8 apart from a few bad sequences (not a legacy encoding)."""
    text, bad = _replacements(data, "utf-8")
    if bad == 0:
        return True
    multibyte = _non_ascii(text) - text.count("\ufffd")
    return bad <= _MAX_REPLACE_SHARE * len(text) and multibyte >= 10 * bad


def _gb_plausible(text: str) -> bool:
    """Most non-ASCII characters of a real GBK/GB18030 file lie in the common GB2312 repertoire.

    Big5 (and other double-byte) files also decode as GB18030, but into rarely used characters.
    """
    non_ascii = _non_ascii(text)
    if non_ascii < 20:
        return True
    outside = text.encode("gb2312", errors="replace").count(b"?") - text.count("?")
    return outside <= 0.2 * non_ascii


def _heuristic(data: bytes) -> tuple[str, str] | None:
    """charset-normalizer as the last resort, for encodings the fast path does not cover."""
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - installed with trafilatura
        return None
    best = from_bytes(data).best()
    if best is None or not best.encoding:
        return None
    codec = best.encoding
    try:
        return data.decode(codec), codec.replace("_", "-")
    except (UnicodeDecodeError, LookupError):
        return None


def _decode_raw(data: bytes, name: str | None) -> tuple[str, str]:
    """Pick the encoding; return undecorated text (BOM stripped, line ends untouched) and its label."""
    # 1. Byte order marks decide at once.
    if data.startswith(codecs.BOM_UTF8):
        got = _candidate(data[3:], "utf-8", "utf-8-sig")
        if got:
            return got
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)) and len(data) % 4 == 0:
        codec = "utf-32-le" if data.startswith(codecs.BOM_UTF32_LE) else "utf-32-be"
        try:
            return data[4:].decode(codec), codec
        except UnicodeDecodeError:
            pass
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        codec = "utf-16-le" if data.startswith(codecs.BOM_UTF16_LE) else "utf-16-be"
        got = _candidate(data[2:], codec, codec)
        if got:
            return got
    # 2. NUL bytes: UTF-16 without BOM; else a few stray NULs in text are removed (and warned); else binary.
    if b"\x00" in data:
        order = _utf16_order(data)
        if order:
            got = _candidate(data, f"utf-16-{order}", f"utf-16-{order}")
            if got and _control_share(got[0]) <= _MAX_CONTROL_SHARE:
                return got
        clean = data.replace(b"\x00", b"")
        if clean and len(data) - len(clean) <= _MAX_NUL_SHARE * len(data):
            text, label = _decode_raw(clean, name)
            if _control_share(text) <= _MAX_CONTROL_SHARE:
                return text, label + "+nul-removed"
        raise InputError(name, _BINARY)
    # 3. UTF-8, strictly; then with a few bad bytes if it is clearly UTF-8 otherwise.
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if _mostly_utf8(data):
        return _replacements(data, "utf-8")[0], "utf-8+replace"
    try:
        strict = data.decode("gb18030")
        if _gb_plausible(strict):
            return strict, "gb18030"
    except UnicodeDecodeError:
        pass
    mixed = _by_line(data)  # only when neither encoding reads the whole file
    if mixed is not None:
        return mixed, "utf-8+gb18030-lines"
    # 4. GB18030 (a superset of GBK and GB2312), strictly, then with a few bad bytes.
    gb = _candidate(data, "gb18030", "gb18030")
    if gb and _gb_plausible(gb[0]):
        return gb
    # 5. Heuristics for whatever else it is (Big5, Shift-JIS, ...).
    guess = _heuristic(data)
    if guess and _control_share(guess[0]) <= _MAX_CONTROL_SHARE:
        return guess
    if gb:
        return gb
    raise InputError(name, _BINARY)


def _by_line(data: bytes) -> str | None:
    """Text whose lines are some UTF-8 and some GB18030 (pages pieced together), each line decoded
    in its own encoding; None unless both kinds of non-ASCII line are there and every line decodes."""
    out: list[str] = []
    utf8 = gb = 0
    for line in data.split(b"\n"):
        try:
            decoded = line.decode("utf-8")
            # a short GBK line can be valid UTF-8 too, but then as Latin letters (C2A1 is both 隆 and ¡)
            if line.isascii() or any(ord(c) >= 0x800 for c in decoded):
                out.append(decoded)
                utf8 += not line.isascii()
                continue
        except UnicodeDecodeError:
            pass
        try:
            out.append(line.decode("gb18030"))
            gb += 1
        except UnicodeDecodeError:
            return None
    if not (utf8 and gb):
        return None
    text = "\n".join(out)
    return text if _gb_plausible(text) else None


def _repairs(encoding: str) -> tuple[str, ...]:
    """Warning codes for what decoding repaired, read from its label."""
    return tuple(code for mark, code in (("+nul-removed", "W506"), ("gb18030-lines", "W507")) if mark in encoding)


def decode_text(data: bytes, name: str | None = None) -> tuple[str, str]:
    """Decode plain-text bytes: (text with BOM stripped and line ends made LF, encoding label).

    The label is the codec (`utf-8`, `utf-8-sig`, `gb18030`, `utf-16-le`, ...), with `+replace`
    appended when a few undecodable bytes were replaced by U+FFFD. Binary content and empty or
    whitespace-only input raise InputError.
    """
    if not data:
        raise InputError(name, "empty input")
    text, encoding = _decode_raw(data, name)
    _check_text(text, name)
    text = _newlines(text)
    if not text.strip():
        raise InputError(name, "empty input")
    return text, encoding


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
            better = formats.binary_reason(name) if exc.reason == _BINARY else None
            if better:
                raise InputError(name, better) from None
            raise
        return Loaded(text, encoding, "txt", digest, shown, False, repairs=_repairs(encoding))
    if kind in ("html", "mhtml"):
        from report_parser.formats import html as html_format

        repairs: list[str] = []
        if kind == "html":
            text, encoding, tables = html_format.extract_html_tables(data, name, charset, repairs=repairs)
        else:
            text, encoding, tables = html_format.extract_mhtml_tables(data, name, repairs=repairs)
        return _loaded(text, tables, name, encoding, kind, digest, shown, (*_repairs(encoding), *repairs))
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

        text, encoding, notes = pdf_format.extract_pdf_ocr(data, name)
        return Loaded(_finish(text, name), encoding, "pdf", digest, shown, True, warnings=notes)
    if kind in ("doc", "wps", "rtf", "odt"):
        from report_parser.formats import office

        text, tables = office.extract_office(data, kind, name)  # as .docx: ledger tables included
        return _loaded(text, tables, name, "utf-8", kind, digest, shown)
    if kind.startswith("image:"):
        from report_parser.formats import ocr

        text, notes = ocr.extract_image(data, name)
        return Loaded(_finish(text, name), "ocr", "image", digest, shown, True, warnings=notes)
    raise InputError(name, formats.refusal(kind, data, name))


def _loaded(text: str, tables: tuple, name: str | None, encoding: str, kind: str, digest: str,
            shown: str, repairs: tuple[str, ...] = ()) -> Loaded:
    """An extracted input with its ledger tables; tables whose spans the tidy-up moved are dropped."""
    finished = _finish(text, name)
    if finished != text:
        tables = ()
    return Loaded(finished, encoding, kind, digest, shown, True, tables, repairs=repairs)


def _declared_text(data: bytes, charset: str | None) -> tuple[str, str] | None:
    """Plain text in the charset its server declared, when it decodes cleanly in it; else None."""
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
    text = _newlines(text)
    if not text.strip() or "\x00" in text or _control_share(text) > _MAX_CONTROL_SHARE:
        return None
    return text, codec


def _finish(text: str, name: str | None) -> str:
    """Common tidy-up of extracted text: LF line ends, no NULs; empty extraction is an error."""
    text = _newlines(text).replace("\x00", "")
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


def _special_kind(mode: int) -> str:
    for test, what in ((stat.S_ISFIFO, "FIFO"), (stat.S_ISSOCK, "socket"), (stat.S_ISCHR, "character device"),
                       (stat.S_ISBLK, "block device")):
        if test(mode):
            return what
    return "special file"


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
                raise InputError(name, f"{_special_kind(mode)} gave no end of input within "
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
