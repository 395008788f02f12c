"""Inputs the command line must refuse: one line on stderr naming the file and the reason, status 2, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLE
from test_properties import full_check

import report_parser
from report_parser.cli import main
from report_parser.decode import DEFAULT_MAX_BYTES, load_bytes, load_path
from report_parser.errors import InputError

EXIT_USAGE = 2
NOTICE = SAMPLE.read_text(encoding="utf-8")
SMALL_NOTICE = "关于XX局党组巡察整改情况的通报\n一、问题\n（一）制度不全。一是制定制度3项。\n"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(["parse", *argv])
    out, err = capsys.readouterr()
    return status, out, err


def _assert_refused(status: int, out: str, err: str, path: Path, *reason_words: str) -> None:
    assert status == EXIT_USAGE, (status, err)
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert str(path) in lines[0], lines[0]
    assert all(w in lines[0] for w in reason_words), lines[0]
    assert "Traceback" not in err


# --- size ------------------------------------------------------------------------------------


def test_default_limit_is_20_megabytes() -> None:
    assert DEFAULT_MAX_BYTES == 20 * 1024 * 1024


def test_file_over_the_default_limit_is_refused_without_reading_it(tmp_path: Path, capsys) -> None:
    big = tmp_path / "big.txt"
    with open(big, "wb") as fh:  # sparse: the size is checked before anything is read
        fh.truncate(DEFAULT_MAX_BYTES + 1)
    _assert_refused(*_run(capsys, str(big)), big, "20 MB", "limit")


def test_file_at_the_limit_is_not_refused_for_its_size(tmp_path: Path) -> None:
    f = tmp_path / "notice.txt"
    f.write_text(NOTICE, encoding="utf-8")
    size = f.stat().st_size
    assert load_path(f, max_bytes=size).text == NOTICE
    with pytest.raises(InputError, match="exceeds"):
        load_path(f, max_bytes=size - 1)


def test_max_bytes_option_lowers_the_limit(tmp_path: Path, capsys) -> None:
    f = tmp_path / "notice.txt"
    f.write_text(NOTICE, encoding="utf-8")
    _assert_refused(*_run(capsys, "--max-bytes", "1000", str(f)), f, "1000 bytes", "limit")
    status, out, err = _run(capsys, "--max-bytes", str(10 * len(NOTICE.encode())), str(f))
    assert status == 0 and out and not err


def test_bytes_over_the_limit_are_refused_by_load_bytes() -> None:
    data = NOTICE.encode("utf-8")
    with pytest.raises(InputError) as exc:
        load_bytes(data, "x.txt", max_bytes=len(data) - 1)
    assert str(exc.value).startswith("x.txt: ") and "limit" in str(exc.value)


def test_stdin_like_stream_over_the_limit_is_refused(tmp_path: Path) -> None:
    """A FIFO has no size to check up front: the reader stops at max_bytes + 1."""
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    writer = subprocess.Popen([sys.executable, "-c", f"open({str(fifo)!r}, 'wb').write(b'x' * 5000)"])
    try:
        with pytest.raises(InputError, match="limit"):
            load_path(fifo, max_bytes=1000)
    finally:
        writer.kill()
        writer.wait()


# --- files that are not notices ------------------------------------------------------------------


@pytest.mark.parametrize(("content", "words"), [
    (b"", ("empty",)),
    (b"   \n\t\r\n  \n", ("empty",)),
    ("\u3000\u3000\n".encode(), ("empty",)),
    (bytes(range(256)) * 20, ("binary",)),
    (b"\x7fELF\x02\x01\x01" + bytes(500), ("binary",)),
    (b"PK\x03\x04" + os.urandom(300), ()),
    (b"\x89PNG\r\n\x1a\n" + os.urandom(300), ()),
], ids=["empty", "whitespace", "ideographic-space", "all-bytes", "elf", "zip", "png"])
def test_content_that_is_not_text_is_refused(tmp_path: Path, capsys, content: bytes, words: tuple[str, ...]) -> None:
    f = tmp_path / "input.txt"
    f.write_bytes(content)
    _assert_refused(*_run(capsys, str(f)), f, *words)


def test_missing_file(tmp_path: Path, capsys) -> None:
    f = tmp_path / "nowhere.txt"
    _assert_refused(*_run(capsys, str(f)), f, "no such file")


def test_directory_passed_as_a_file(tmp_path: Path, capsys) -> None:
    _assert_refused(*_run(capsys, str(tmp_path)), tmp_path, "directory")


def test_broken_symlink(tmp_path: Path, capsys) -> None:
    link = tmp_path / "link.txt"
    link.symlink_to(tmp_path / "gone.txt")
    _assert_refused(*_run(capsys, str(link)), link, "symbolic link")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root reads files whatever their mode")
def test_unreadable_file(tmp_path: Path, capsys) -> None:
    f = tmp_path / "secret.txt"
    f.write_text(NOTICE, encoding="utf-8")
    f.chmod(0)
    try:
        _assert_refused(*_run(capsys, str(f)), f, "permission denied")
    finally:
        f.chmod(0o644)


def test_unreadable_file_as_root_via_patched_open(tmp_path: Path, capsys, monkeypatch) -> None:
    """Root ignores chmod 000, so the permission error is simulated where the file is opened."""
    f = tmp_path / "secret.txt"
    f.write_text(NOTICE, encoding="utf-8")
    real_open = open

    def deny(file, *args, **kwargs):
        if os.fspath(file) == str(f):
            raise PermissionError(13, "Permission denied", str(f))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", deny)
    _assert_refused(*_run(capsys, str(f)), f, "permission denied")


def test_bad_files_do_not_stop_the_good_ones(tmp_path: Path, capsys) -> None:
    good = tmp_path / "good.txt"
    good.write_text(NOTICE, encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    status, out, err = _run(capsys, str(empty), str(good), str(tmp_path / "missing.txt"))
    assert status == EXIT_USAGE
    assert len(out.splitlines()) == 1 and "good.txt" in out
    assert len(err.splitlines()) == 2 and "empty.txt" in err and "missing.txt" in err


def test_an_internal_error_is_one_line_with_its_own_status(tmp_path: Path, capsys, monkeypatch) -> None:
    """A bug in the parser must still not print a traceback or stop the other files."""
    f = tmp_path / "notice.txt"
    f.write_text(NOTICE, encoding="utf-8")

    def boom(*args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr("report_parser.pipeline.parse_loaded", boom)
    status, out, err = _run(capsys, str(f))
    assert status not in (0, EXIT_USAGE), status
    assert out == "" and len(err.splitlines()) == 1 and str(f) in err and "Traceback" not in err


def test_refusals_through_python_dash_m(tmp_path: Path) -> None:
    """Once end to end: `python -m report_parser parse` on every kind of bad input."""
    good = tmp_path / "good.txt"
    good.write_text(SMALL_NOTICE, encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "binary.txt"
    binary.write_bytes(bytes(range(256)) * 8)
    link = tmp_path / "broken.txt"
    link.symlink_to(tmp_path / "gone.txt")
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 2000)
    paths = [empty, binary, tmp_path, link, big, good]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))}
    proc = subprocess.run(
        [sys.executable, "-m", "report_parser", "parse", "--max-bytes", "1500", *map(str, paths)],
        capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path)
    assert proc.returncode == EXIT_USAGE, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 5, proc.stderr
    for p, line in zip(paths, lines, strict=False):
        assert line.startswith(f"report-parser: {p}: "), (p, line)
    assert len(proc.stdout.splitlines()) == 1 and 'good.txt"' in proc.stdout


@pytest.mark.parametrize("make", [
    lambda d: d,
    lambda d: d / "missing.txt",
    lambda d: (d / "empty.txt", (d / "empty.txt").write_bytes(b""))[0],
], ids=["directory", "missing", "empty"])
def test_parse_file_raises_input_error_naming_the_file(tmp_path: Path, make) -> None:
    path = make(tmp_path)
    with pytest.raises(InputError) as exc:
        report_parser.parse_file(path)
    assert str(exc.value).startswith(f"{path}: ") and "\n" not in str(exc.value)


def test_parse_api_accepts_blank_text() -> None:
    """The library, unlike the command line, parses blank text: an empty Document, nothing to cover."""
    for text in ("", " \n\t", "\u3000\n"):
        doc = report_parser.parse(text)
        full_check(doc, text)
        assert doc.sections == [] and doc.title is None
