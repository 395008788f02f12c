"""Where `parse -o` writes: never over an input, never a traceback for a folder or a full disk."""

from __future__ import annotations

import os
from pathlib import Path

import hostile
import pytest

from report_parser.cli import main


def _notice(tmp_path: Path) -> Path:
    f = tmp_path / "x.txt"
    f.write_text(hostile.NOTICE, encoding="utf-8")
    return f


def _one_line(capsys: pytest.CaptureFixture[str], *words: str) -> None:
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert all(w in err for w in words), err


def test_output_onto_an_input_is_refused_and_the_input_kept(tmp_path: Path, capsys) -> None:
    f = _notice(tmp_path)
    assert main(["parse", str(f), "-o", str(f)]) == 2
    _one_line(capsys, "also an input", "refusing")
    assert f.read_text(encoding="utf-8") == hostile.NOTICE
    link = tmp_path / "link.json"
    link.symlink_to(f)
    assert main(["parse", str(f), "-o", str(link)]) == 2  # the same file under another name
    _one_line(capsys, "also an input")
    assert f.read_text(encoding="utf-8") == hostile.NOTICE


def test_output_to_a_directory(tmp_path: Path, capsys) -> None:
    assert main(["parse", str(_notice(tmp_path)), "-o", str(tmp_path)]) == 2
    _one_line(capsys, "is a directory")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
def test_output_to_a_full_disk(tmp_path: Path, capsys) -> None:
    assert main(["parse", str(_notice(tmp_path)), "-o", "/dev/full"]) == 2
    _one_line(capsys, "/dev/full", "cannot write")


def test_output_in_a_missing_folder(tmp_path: Path, capsys) -> None:
    assert main(["parse", str(_notice(tmp_path)), "-o", str(tmp_path / "no" / "out.json")]) == 2
    _one_line(capsys, "cannot write")


def test_an_unreadable_folder_in_a_batch_is_listed(tmp_path: Path, monkeypatch) -> None:
    """Root reads any folder, so the refusal is simulated where the walk lists it."""
    import json

    d = tmp_path / "in"
    (d / "locked").mkdir(parents=True)
    (d / "a.txt").write_text(hostile.NOTICE, encoding="utf-8")
    real = os.scandir

    def scandir(path):
        if os.fspath(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    out = tmp_path / "out"
    assert main(["batch", str(d), "-o", str(out), "-j", "1", "-q"]) == 1
    [e] = [json.loads(x) for x in (out / "errors.jsonl").read_text("utf-8").splitlines()]
    assert e["file"] == str(d / "locked") and "folder cannot be read: Permission denied" in e["reason"]
