"""What one input may cost: the limits every loader checks before and while it reads, in one place.

Each input is parsed or refused within about 60 s of CPU and 1 GB resident. Sizes are checked before
anything is inflated (zip members' declared sizes and ratios, PDF streams as they inflate), counts as
they grow (PDF pages, characters and Form XObject calls, HTML elements, body nodes), and the PDF
library, which has no hook for time, runs under a CPU-time alarm.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

from report_parser.errors import InputError

MB = 1 << 20

# zip packages (.docx, .xlsx): checked from the central directory, before any member is inflated
ZIP_MAX_MEMBERS = 2000
ZIP_MAX_MEMBER_BYTES = 64 * MB  # one member, inflated
ZIP_MAX_TOTAL_BYTES = 256 * MB  # all members, inflated
ZIP_MAX_RATIO = 200  # inflated / compressed, for members over ZIP_RATIO_FLOOR
ZIP_RATIO_FLOOR = 4 * MB
DOCX_MAX_XML_BYTES = 32 * MB  # one XML part, which python-docx/openpyxl parse into a tree ten times larger
DOCX_MAX_XML_TOTAL = 64 * MB  # all XML parts

# PDF (pdfminer.six)
PDF_MAX_PAGES = 2000
PDF_MAX_STREAM_BYTES = 64 * MB  # one content stream, inflated
PDF_MAX_CHARS = 3_000_000  # characters laid out in the whole document
PDF_MAX_PAGE_CHARS = 200_000  # characters on one page
PDF_MAX_XOBJECT_CALLS = 2_000  # Form XObjects drawn in one page (fan-out)
PDF_CPU_SECONDS = 45.0
PARSE_CPU_SECONDS = 60.0  # one input through `report-parser parse`, loading included

# HTML (lxml, trafilatura)
HTML_MAX_ELEMENTS = 200_000  # past this, the main-text extractor is skipped for the linear fallback

# the parse of a body (pipeline): nodes of the tree
MAX_BODY_MARKERS = 20_000


class BudgetExceeded(Exception):
    """An input went past one of its limits while being read; the message says which."""


@contextlib.contextmanager
def cpu_budget(seconds: float, what: str) -> Iterator[None]:
    """Raise BudgetExceeded when this block has used `seconds` of CPU time (main thread only, POSIX).

    Uses ITIMER_PROF, which counts this process's CPU time; elsewhere the block runs unbounded
    (a batch worker still has its RLIMIT_CPU).
    """
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expired(signum: int, frame: object) -> None:
        raise BudgetExceeded(f"{what} used more than {seconds:g} s of CPU time")

    import time

    previous = signal.signal(signal.SIGPROF, expired)
    started = time.process_time()
    # then every half second: a library's broad `except Exception` may swallow one of them
    old_timer = signal.setitimer(signal.ITIMER_PROF, seconds, 0.5)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)
        if old_timer[0] > 0:  # an enclosing budget goes on, less what this block used
            used = time.process_time() - started
            signal.setitimer(signal.ITIMER_PROF, max(old_timer[0] - used, 0.001), old_timer[1])


def _size(n: int) -> str:
    return f"{n / MB:.1f} MB" if n >= MB else f"{n} bytes"


def check_zip(zf: object, name: str | None) -> None:
    """Refuse a zip package whose central directory announces a bomb: too many members, a member or
    the whole inflating past the limits, or a compression ratio no document has. Nothing is inflated.

    The declared sizes are enough: zipfile never inflates a member past its declared size (it stops
    there and the CRC check fails), so a lying directory cannot make a member larger than it says."""
    infos = zf.infolist()  # type: ignore[attr-defined]
    if len(infos) > ZIP_MAX_MEMBERS:
        raise InputError(name, f"zip package with {len(infos)} members (more than {ZIP_MAX_MEMBERS}); refused")
    total = 0
    for info in infos:
        size, packed = info.file_size, max(info.compress_size, 1)
        total += size
        if size > ZIP_MAX_MEMBER_BYTES:
            raise InputError(name, f"zip member {info.filename} inflates to {_size(size)} "
                                   f"(more than {_size(ZIP_MAX_MEMBER_BYTES)}); refused before inflating")
        if size > ZIP_RATIO_FLOOR and size / packed > ZIP_MAX_RATIO:
            raise InputError(name, f"zip member {info.filename} inflates {size // packed}:1 "
                                   f"({_size(packed)} to {_size(size)}): a zip bomb; refused before inflating")
    if total > ZIP_MAX_TOTAL_BYTES:
        raise InputError(name, f"zip members inflate to {_size(total)} in all "
                               f"(more than {_size(ZIP_MAX_TOTAL_BYTES)}); refused before inflating")


def check_package(data: bytes, name: str | None, what: str) -> None:
    """Refuse an Office package (.docx, .xlsx) that is a zip bomb, or whose XML parts are too large for
    the library that parses them whole into trees about ten times their size. Nothing is inflated."""
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            check_zip(zf, name)
            xml = [(i.filename, i.file_size) for i in zf.infolist() if i.filename.endswith((".xml", ".rels"))]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        raise InputError(name, f"corrupt or truncated {what} ({type(exc).__name__}: {exc})") from None
    for part, size in xml:
        if size > DOCX_MAX_XML_BYTES:
            raise InputError(name, f"XML part {part} of {size / MB:.1f} MB is more than the "
                                   f"{DOCX_MAX_XML_BYTES // MB} MB budget; refused before parsing")
    total = sum(size for _, size in xml)
    if total > DOCX_MAX_XML_TOTAL:
        raise InputError(name, f"XML parts of {total / MB:.1f} MB in all, more than the "
                               f"{DOCX_MAX_XML_TOTAL // MB} MB budget; refused before parsing")
