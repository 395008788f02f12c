"""A scraped folder with traps, and a batch under attack: the corpus is the folder, every file is accounted
for, no file can stop or outlive the batch, and the outputs are never mixed or lost."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import hostile
import pandas as pd
import pytest
from conftest import ROOT

from report_parser import batch
from report_parser.cli import main
from report_parser.frames import frames

needs_fork = pytest.mark.skipif(__import__("multiprocessing").get_start_method() != "fork",
                                reason="needs forked workers (the patched parser is inherited)")


def run(*args: object) -> int:
    return main(["batch", *map(str, args), "-q"])


def errors_by_name(out: Path) -> dict[str, dict]:
    lines = (out / "errors.jsonl").read_text(encoding="utf-8").splitlines()
    return {os.path.relpath(e["file"], out.parent / "in"): e for e in map(json.loads, lines)}


def test_a_scraped_folder_with_traps(tmp_path: Path) -> None:
    root = tmp_path / "in"
    expected = hostile.trap_folder(root)
    out = tmp_path / "out"
    assert run(root, "-o", out, "-j", "2") == 0
    listed = errors_by_name(out)
    raw = (out / "documents.jsonl").read_bytes()
    docs = [json.loads(line) for line in raw.decode("utf-8").splitlines()]  # valid UTF-8 throughout
    parsed = {os.path.relpath(os.fsencode(d["source"]["name"]).decode("utf-8", "surrogateescape"), root)
              for d in docs}
    gbk_shown = os.fsencode(next(n for n, what in expected.items() if what == "parsed" and not n.isascii()))
    assert "copy/notice.txt" in parsed and len(docs) == 2
    assert any("\\x" in d["source"]["name"] for d in docs), [d["source"]["name"] for d in docs]
    for name, what in expected.items():
        if what == "parsed":
            continue
        shown = name if name.isascii() else os.fsencode(name).decode("utf-8", "backslashreplace")
        assert listed[shown]["kind"] == what, (name, listed.get(shown))
    assert "symbolic link leaving the input folder" in listed["passwd.txt"]["reason"]
    assert "never opened" in listed["pipe.txt"]["reason"]
    assert "notice.txt" in listed and "copy/notice.txt" in listed["notice.txt"]["reason"]
    assert b"root:" not in raw  # nothing of /etc/passwd
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert manifest["counts"]["files"] == len(expected) and manifest["counts"]["documents"] == 2
    assert manifest["counts"]["duplicates"] == 1 and manifest["counts"]["unsupported"] == 4
    # the undecodable name round-trips: its bytes are in the manifest
    [(shown, hexed)] = manifest["raw_names"].items()
    assert bytes.fromhex(hexed) == os.fsencode(root) + b"/" + gbk_shown and os.path.exists(bytes.fromhex(hexed))
    assert shown in {d["source"]["name"] for d in docs}
    tables = batch.read_tables(out)
    assert len(tables["documents"]) == 2 and tables["documents"]["doc_id"].is_unique
    # --resume reads the same names back
    assert run(root, "-o", out, "-j", "1", "--resume") == 0
    assert json.loads((out / "manifest.json").read_text("utf-8"))["counts"]["reused"] == 2


def test_a_fifo_named_on_the_command_line_is_listed_not_opened(tmp_path: Path) -> None:
    d = tmp_path / "in"
    d.mkdir()
    (d / "notice.txt").write_text(hostile.NOTICE, encoding="utf-8")
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    out = tmp_path / "out"
    start = time.monotonic()
    assert run(d, fifo, "-o", out, "-j", "1") == 1
    assert time.monotonic() - start < 60
    [e] = [e for e in errors_by_name(out).values() if e["kind"] == "failed"]
    assert e["file"] == str(fifo) and "FIFO" in e["reason"]


def test_parse_of_a_fifo_without_writer_is_refused_within_its_time(tmp_path: Path, monkeypatch, capsys) -> None:
    from report_parser import decode

    monkeypatch.setattr(decode, "SPECIAL_READ_SECONDS", 0.5)
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    assert main(["parse", str(fifo)]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "FIFO" in err and "0.5 s" in err


def test_a_second_batch_into_a_locked_folder_fails_with_one_line(tmp_path: Path, capsys) -> None:
    import fcntl

    d = tmp_path / "in"
    d.mkdir()
    (d / "notice.txt").write_text(hostile.NOTICE, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    with open(out / ".lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        fh.write("12345")
        fh.flush()
        assert run(d, "-o", out, "-j", "1") == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "another batch is writing" in err and "12345" in err
    assert not (out / "manifest.json").exists()
    assert run(d, "-o", out, "-j", "1") == 0  # once released
    assert not (out / ".lock").exists()


def test_stale_temporaries_are_removed_and_mixed_outputs_are_detected(tmp_path: Path, capsys) -> None:
    d = tmp_path / "in"
    d.mkdir()
    (d / "a.txt").write_text(hostile.NOTICE, encoding="utf-8")
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    (one / ".nodes.parquet.x1y2.tmp").write_bytes(b"PAR1 half")  # left by a killed run
    assert run(d, "-o", one, "-j", "1") == 0
    assert not list(one.glob(".*.tmp"))
    (d / "b.txt").write_text(hostile.NOTICE.replace("某局", "某所"), encoding="utf-8")
    assert run(d, "-o", two, "-j", "1") == 0
    m1, m2 = (json.loads((p / "manifest.json").read_text("utf-8")) for p in (one, two))
    assert m1["run_id"] != m2["run_id"] and set(m1["sha256"]) == {*m1["outputs"]} - {"manifest.json"}
    # as if a kill fell between two renames: one table of the second run beside the first run's manifest
    (one / "measures.parquet").write_bytes((two / "measures.parquet").read_bytes())
    with pytest.raises(batch.MixedOutputsError, match="measures.parquet"):
        batch.read_tables(one)
    assert main(["compare", str(one)]) == 2
    assert "measures.parquet does not belong to run" in capsys.readouterr().err


def test_bad_limits_and_max_bytes_zero(tmp_path: Path, capsys) -> None:
    d = tmp_path / "in"
    d.mkdir()
    (d / "a.txt").write_text(hostile.NOTICE, encoding="utf-8")
    for bad in (["--time-limit", "0"], ["--cpu-limit", "-1"], ["--memory-limit", "1"], ["--max-bytes", "-1"]):
        assert run(d, "-o", tmp_path / "o", *bad) == 2
        err = capsys.readouterr().err
        assert len(err.splitlines()) == 1 and "error:" in err, err
    out = tmp_path / "zero"
    assert run(d, "-o", out, "-j", "1", "--max-bytes", "0") == 1  # 0 means 0, not the 20 MB default
    [e] = errors_by_name(out).values()
    assert "limit" in e["reason"]


@needs_fork
@pytest.mark.parametrize(("how", "option", "words"), [
    ("sleep", ["--time-limit", "1"], "time limit exceeded"),
    ("spin", ["--cpu-limit", "1"], "CPU time limit exceeded"),
    ("allocate", ["--memory-limit", "600"], "memory limit exceeded"),
], ids=["wall-clock", "cpu", "memory"])
def test_a_file_past_its_budget_is_listed_and_the_batch_goes_on(tmp_path: Path, monkeypatch, how: str,
                                                                 option: list[str], words: str) -> None:
    from report_parser import pipeline

    real = pipeline.parse_loaded

    def hostile_parse(loaded, options=None):
        if "evil" in loaded.name:
            if how == "sleep":
                time.sleep(30)
            elif how == "spin":
                while True:
                    pass
            else:
                hog = [bytearray(50 << 20) for _ in range(40)]  # 2 GB, touched
                return hog
        return real(loaded, options or pipeline.ParseOptions())

    monkeypatch.setattr(pipeline, "parse_loaded", hostile_parse)
    monkeypatch.setattr(batch, "START_METHOD", "fork")
    d = tmp_path / "in"
    d.mkdir()
    for i in range(3):
        (d / f"n{i}.txt").write_text(hostile.NOTICE + f"附件{i}\n", encoding="utf-8")
    # first in the order: the file given to its worker after it goes to another worker; last: the worker
    # it stops still holds the rows of the file it parsed before
    for name in ("a-evil.txt", "z-evil.txt"):
        (d / name).write_text(hostile.NOTICE + f"附件{name}\n", encoding="utf-8")
    out = tmp_path / "out"
    start = time.monotonic()
    assert run(d, "-o", out, "-j", "2", *option) == 1
    assert time.monotonic() - start < 25
    failed = [e for e in errors_by_name(out).values() if e["kind"] == "failed"]
    assert sorted(e["file"].rsplit("/", 1)[-1] for e in failed) == ["a-evil.txt", "z-evil.txt"]
    assert all(words in e["reason"] for e in failed), failed
    docs = [json.loads(x) for x in (out / "documents.jsonl").read_text("utf-8").splitlines()]
    assert len(docs) == 3
    # the rows the stopped worker held are not lost: the tables hold every parsed document's rows
    expected = frames(docs)
    for t, frame in batch.read_tables(out).items():
        pd.testing.assert_frame_equal(frame, expected[t])


def test_workers_die_with_their_parent(tmp_path: Path) -> None:
    d = tmp_path / "in"
    d.mkdir()
    (d / "slow.txt").write_text(hostile.NOTICE, encoding="utf-8")
    pidfile = tmp_path / "worker.pid"
    script = f"""
import os, time
from report_parser import batch, pipeline
def stuck(loaded, options=None):
    open({str(pidfile)!r}, "w").write(str(os.getpid()))
    time.sleep(120)
pipeline.parse_loaded = stuck
batch.START_METHOD = "fork"
batch.run_batch([{str(d)!r}], {str(tmp_path / "out")!r}, jobs=1)
"""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    parent = subprocess.Popen([sys.executable, "-c", script], env=env)
    try:
        deadline = time.monotonic() + 60
        while not pidfile.exists() or not pidfile.read_text():
            assert time.monotonic() < deadline and parent.poll() is None
            time.sleep(0.1)
        worker = int(pidfile.read_text())
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 10
        while _alive(worker):
            assert time.monotonic() < deadline, "the worker outlived its parent"
            time.sleep(0.1)
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(") ", 1)[1][0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


def test_resume_from_another_folder_keeps_one_row_per_content(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "n.txt").write_text(hostile.NOTICE, encoding="utf-8")
    (b / "same.txt").write_text(hostile.NOTICE, encoding="utf-8")
    out = tmp_path / "out"
    assert run(a, "-o", out, "-j", "1") == 0
    assert run(b, "-o", out, "-j", "1", "--resume") == 0
    assert batch.read_tables(out)["documents"]["doc_id"].is_unique
