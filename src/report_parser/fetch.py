"""Notices given as URLs: fetched with httpx (timeouts, bounded redirects, the file size limit, the declared
charset, at most two requests at a time per host), then loaded like a file; a page that only links to its
notice as an attachment (.pdf, .doc, .docx, .xlsx, .wps, …) is followed to that file."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import re
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from .decode import DEFAULT_MAX_BYTES, Loaded, _size_reason, load_bytes, load_path
from .errors import InputError
from .lexicon import alternation, load

TIMEOUT = 30.0  # seconds for each of connecting, reading a chunk, writing; the whole fetch has 4×
MAX_REDIRECTS = 5
PER_HOST = 2  # requests at a time to one host, across threads and processes (batch workers)
ATTACHMENT_EXTENSIONS = (".pdf", ".doc", ".docx", ".xlsx", ".xls", ".wps", ".rtf", ".odt", ".txt")
# A page whose own text, past its title and attachment lines, is shorter than this only points elsewhere.
LINK_ONLY_CHARS = 150
_URL = re.compile(r"^https?://", re.I)
# A link text that names a document file: 通报.pdf, 整改情况.docx（56KB）
_NAMED_FILE = re.compile(r"\.(?:pdf|docx?|xlsx?|wps|rtf|odt)(?![A-Za-z0-9])", re.I)
_HEADER = load("header.json")
# A link text that reads like a notice's title (the words of data/header.json that mark one).
_TITLE_HINT = re.compile(alternation(_HEADER["title_end_words"], _HEADER["title_endings"], _HEADER["page_title_hints"]))
_ATTACHMENT_LINE = re.compile(r"附件|下载|点击|打开|查看|预览|\.(?:pdf|docx?|xlsx?|wps|rtf|odt)\b", re.I)


def is_url(arg: str | os.PathLike[str]) -> bool:
    """True for an http:// or https:// URL."""
    return isinstance(arg, str) and bool(_URL.match(arg))


def load_input(arg: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES) -> Loaded:
    """A file path or a URL, loaded."""
    if is_url(arg):
        return load_url(str(arg), max_bytes=max_bytes)
    return load_path(arg, max_bytes=max_bytes)


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    data: bytes
    content_type: str | None
    charset: str | None


@contextlib.contextmanager
def host_slot(host: str, limit: int = PER_HOST, poll: float = 0.05) -> Iterator[None]:
    """Hold one of `limit` lock files for `host` (flock: shared by every thread and process on the machine)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no cross-process limit
        yield
        return
    folder = Path(tempfile.gettempdir()) / f"report-parser-hosts-{os.getuid()}"
    folder.mkdir(exist_ok=True)
    key = hashlib.sha256(host.lower().encode()).hexdigest()[:16]
    while True:
        for i in range(limit):
            fh = open(folder / f"{key}.{i}.lock", "a+b")  # noqa: SIM115 - held until the fetch ends
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                fh.close()
                continue
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)
                fh.close()
            return
        time.sleep(poll)


def fetch(url: str, *, max_bytes: int = DEFAULT_MAX_BYTES, timeout: float = TIMEOUT,
          name: str | None = None) -> Fetched:
    """GET `url`: redirects followed (at most MAX_REDIRECTS), the body streamed and cut at `max_bytes`."""
    import httpx

    from .version import __version__

    shown = name or url
    host = urlsplit(url).hostname or ""
    if not host:
        raise InputError(shown, "not a valid URL (no host)")
    deadline = time.monotonic() + 4 * timeout
    try:
        with host_slot(host), httpx.Client(
            follow_redirects=True, max_redirects=MAX_REDIRECTS, timeout=httpx.Timeout(timeout),
            headers={"User-Agent": f"report-parser/{__version__}"},
        ) as client, client.stream("GET", url) as resp:
            if resp.status_code >= 400:
                raise InputError(shown, f"HTTP {resp.status_code} {resp.reason_phrase}".rstrip())
            length = resp.headers.get("content-length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise InputError(shown, _size_reason(int(length), max_bytes))
            buf = bytearray()
            for chunk in resp.iter_bytes():
                buf += chunk
                if len(buf) > max_bytes:
                    raise InputError(shown, _size_reason(None, max_bytes))
                if time.monotonic() > deadline:
                    raise InputError(shown, f"timed out (the download took more than {4 * timeout:g} s)")
            ctype = resp.headers.get("content-type")
            return Fetched(str(resp.url), bytes(buf), ctype, resp.charset_encoding)
    except InputError:
        raise
    except httpx.TooManyRedirects:
        raise InputError(shown, f"too many redirects (more than {MAX_REDIRECTS})") from None
    except httpx.TimeoutException:
        raise InputError(shown, f"timed out (no response within {timeout:g} s)") from None
    except httpx.ConnectError as exc:
        raise InputError(shown, f"cannot connect ({_first_line(exc) or 'connection failed'})") from None
    except httpx.InvalidURL as exc:
        raise InputError(shown, f"not a valid URL ({_first_line(exc)})") from None
    except httpx.HTTPError as exc:
        raise InputError(shown, f"fetch failed ({type(exc).__name__}: {_first_line(exc)})") from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else ""


def load_url(url: str, *, max_bytes: int = DEFAULT_MAX_BYTES, timeout: float = TIMEOUT) -> Loaded:
    """Fetch and load a notice; `source.name` is the URL given, `source.url` the URL of what was parsed."""
    got = fetch(url, max_bytes=max_bytes, timeout=timeout)
    loaded: Loaded | None
    try:
        loaded = _load(got, url, max_bytes)
    except InputError as exc:
        # a page without text of its own may still link to its notice
        if not (exc.reason.startswith("no text found") and _is_html(got)):
            raise
        loaded = None
    if loaded is not None and loaded.format not in ("html", "mhtml"):
        return loaded
    target = attachment_link(got, loaded.text if loaded is not None else None)
    if target is None:
        if loaded is None:
            raise InputError(url, "no text found in the page, and no link to a notice attachment")
        return loaded
    shown = f"{url}: attachment {target}"
    attached = _load(fetch(target, max_bytes=max_bytes, timeout=timeout, name=shown), shown, max_bytes)
    return dataclasses.replace(attached, name=url)


def _load(got: Fetched, name: str, max_bytes: int) -> Loaded:
    loaded = load_bytes(got.data, name, max_bytes=max_bytes, charset=got.charset)
    # there is no local file to read the text from again: source.text always carries it
    return dataclasses.replace(loaded, url=got.url, extracted=True)


def _is_html(got: Fetched) -> bool:
    return bool(got.content_type and "html" in got.content_type.lower()) or b"<html" in got.data[:4096].lower()


def attachment_link(got: Fetched, text: str | None) -> str | None:
    """The absolute URL of the notice attachment a page links to, when the page has no notice text of its own."""
    links = _attachment_links(got)
    if not links:
        return None
    if text is not None:
        lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
        own = [ln for ln in lines[1:] if not _ATTACHMENT_LINE.search(ln)]  # the first line is the title
        if sum(len("".join(ln.split())) for ln in own) >= LINK_ONLY_CHARS:
            return None
    hinted = [href for href, label in links if _TITLE_HINT.search(label)]
    return (hinted or [links[0][0]])[0]


def _attachment_links(got: Fetched) -> list[tuple[str, str]]:
    """(absolute URL, link text) of the page's links to document files, in page order."""
    import lxml.html

    from .formats.html import decode_html

    try:
        page, _enc = decode_html(got.data, got.url, got.charset)
        tree = lxml.html.fromstring(page)
    except Exception:  # undecodable or unparsable markup: no links
        return []
    base = got.url
    for b in tree.iter("base"):
        if b.get("href"):
            base = urljoin(base, b.get("href"))
            break
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for a in tree.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        label = " ".join(a.text_content().split())
        path = unquote(urlsplit(href).path).lower()
        if not (path.endswith(ATTACHMENT_EXTENSIONS) or _NAMED_FILE.search(label)):
            continue
        absolute = urljoin(base, href)
        if urlsplit(absolute).scheme in ("http", "https") and absolute not in seen:
            seen.add(absolute)
            out.append((absolute, label))
    return out


def read_url_list(path: str | os.PathLike[str]) -> list[str]:
    """URLs from a file, one a line; blank lines and lines starting with # are skipped."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(os.fspath(path), f"cannot read the URL list: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise InputError(os.fspath(path), "the URL list is not UTF-8 text") from None
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
