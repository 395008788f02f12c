"""Legacy Word, WPS, RTF and OpenDocument text: converted to .docx by LibreOffice running headless.

Each conversion runs `soffice --headless --convert-to docx` in its own temporary folder with its own
user profile (`-env:UserInstallation`), so that parallel batch workers never share LibreOffice's
profile lock, and is killed after a timeout. The .docx it writes is read by the .docx reader, which
rebuilds automatic list numbering.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from report_parser.errors import InputError

# Seconds one conversion may take (a cold LibreOffice start with a fresh profile takes a few seconds).
DEFAULT_TIMEOUT = 120.0
# The suffix LibreOffice is given for each sniffed kind (its import filter is chosen by content anyway).
SUFFIXES = {"doc": ".doc", "wps": ".wps", "rtf": ".rtf", "odt": ".odt"}
LABELS = {"doc": "legacy Word document (.doc)", "wps": "WPS document (.wps)", "rtf": "RTF document",
          "odt": "OpenDocument text (.odt)"}


def soffice() -> str | None:
    """The LibreOffice executable on PATH (`soffice` or `libreoffice`), or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_to_docx(data: bytes, kind: str, name: str | None = None, *, timeout: float | None = None) -> bytes:
    """The bytes of a .docx that LibreOffice made from `data` (a `kind` in SUFFIXES)."""
    exe = soffice()
    label = LABELS.get(kind, kind)
    if exe is None:
        raise InputError(name, f"{label}: reading it needs LibreOffice (soffice), which is not installed")
    timeout = DEFAULT_TIMEOUT if timeout is None else timeout
    with tempfile.TemporaryDirectory(prefix="report-parser-soffice-") as tmp:
        work = Path(tmp)
        src = work / f"input{SUFFIXES.get(kind, '')}"
        src.write_bytes(data)
        out = work / "out"
        out.mkdir()
        cmd = [
            exe,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless", "--invisible", "--nologo", "--nodefault", "--nolockcheck", "--norestore",
            "--convert-to", "docx:MS Word 2007 XML",
            "--outdir", str(out),
            str(src),
        ]  # fmt: skip
        env = dict(os.environ, HOME=str(work))  # nothing written to the real home directory
        try:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    env=env, cwd=work, start_new_session=True)
        except OSError as exc:
            raise InputError(name, f"{label}: cannot start LibreOffice ({exc.strerror or exc})") from None
        try:
            _stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            raise InputError(name, f"{label}: LibreOffice did not convert it within {timeout:g} s") from None
        result = out / "input.docx"
        if proc.returncode != 0 or not result.is_file() or result.stat().st_size == 0:
            detail = stderr.decode("utf-8", "replace").strip().splitlines()
            why = f" ({detail[-1][:200]})" if detail else ""
            raise InputError(name, f"{label}: LibreOffice could not convert it (damaged or not a document){why}")
        return result.read_bytes()


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """End the conversion and anything it started (soffice.bin runs as a child of the soffice script)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
    proc.communicate()


def extract_office(data: bytes, kind: str, name: str | None = None, *,
                   timeout: float | None = None) -> tuple[str, tuple]:
    """The text of a .doc/.wps/.rtf/.odt document, as the .docx reader gives it after conversion."""
    from report_parser.formats.docx import extract_docx

    return extract_docx(convert_to_docx(data, kind, name, timeout=timeout), name)
