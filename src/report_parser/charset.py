"""Bytes of a plain-text file → str: BOM, UTF-16 without BOM, UTF-8, GB18030, then a heuristic."""

from __future__ import annotations

import codecs
import re

from report_parser.errors import InputError

# Control characters that a text file does not contain (tab, LF, VT, FF and CR are fine).
_CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f]")
# Characters usual in a Chinese text file: ASCII, Latin-1, CJK, CJK and general punctuation, fullwidth forms.
_PLAUSIBLE_RE = re.compile(
    "[\t\n\r\x20-\x7e\u00a0-\u00ff\u2000-\u206f\u2460-\u24ff\u2500-\u25ff"
    "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]+"
)
# Share of control characters above which decoded bytes are taken for binary content.
MAX_CONTROL_SHARE = 0.01
# Share of undecodable bytes above which a candidate encoding is rejected (below: '+replace').
_MAX_REPLACE_SHARE = 0.01
# NUL bytes are removed (and warned) up to this share of a text file; above it the file is binary.
_MAX_NUL_SHARE = 0.25
BINARY_REASON = "binary content (not text, not a supported document format)"


def newlines(text: str) -> str:
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


def plausible_share(text: str) -> float:
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
        share = plausible_share(data[: len(data) // 2 * 2].decode(f"utf-16-{order}", errors="replace"))
        if share > best_share:
            best, best_share = order, share
    return best if best_share >= 0.95 else None


def control_share(text: str) -> float:
    if not text or not _CONTROL_RE.search(text):
        return 0.0
    return len(_CONTROL_RE.findall(text)) / len(text)


def _check_text(text: str, name: str | None) -> None:
    if "\x00" in text or control_share(text) > MAX_CONTROL_SHARE:
        raise InputError(name, BINARY_REASON)


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


def decode_raw(data: bytes, name: str | None) -> tuple[str, str]:
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
            if got and control_share(got[0]) <= MAX_CONTROL_SHARE:
                return got
        clean = data.replace(b"\x00", b"")
        if clean and len(data) - len(clean) <= _MAX_NUL_SHARE * len(data):
            text, label = decode_raw(clean, name)
            if control_share(text) <= MAX_CONTROL_SHARE:
                return text, label + "+nul-removed"
        raise InputError(name, BINARY_REASON)
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
    if guess and control_share(guess[0]) <= MAX_CONTROL_SHARE:
        return guess
    if gb:
        return gb
    raise InputError(name, BINARY_REASON)


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


def decode_text(data: bytes, name: str | None = None) -> tuple[str, str]:
    """Decode plain-text bytes: (text with BOM stripped and line ends made LF, encoding label).

    The label is the codec (`utf-8`, `utf-8-sig`, `gb18030`, `utf-16-le`, ...), with `+replace`
    appended when a few undecodable bytes were replaced by U+FFFD. Binary content and empty or
    whitespace-only input raise InputError.
    """
    if not data:
        raise InputError(name, "empty input")
    text, encoding = decode_raw(data, name)
    _check_text(text, name)
    text = newlines(text)
    if not text.strip():
        raise InputError(name, "empty input")
    return text, encoding
