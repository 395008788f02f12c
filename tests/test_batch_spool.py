"""The workers append document lines to the journal and packed rows to the spool themselves: nothing is lost
when one dies, the journal stays readable by --resume, and neither file outlives the run."""

from __future__ import annotations

import importlib
import json
import os
from pathlib import Path

import pandas as pd
import pytest
from conftest import bundled_notices

from report_parser import batch
from report_parser.batch import run as batch_run

OUTPUTS = sorted([batch.DOCUMENTS_JSONL, *(f"{t}.parquet" for t in batch.OUTPUT_TABLES), batch.ERRORS_JSONL,
                  batch.MANIFEST])


def _distinct_copies(folder: Path, n: int) -> list[Path]:
    """n notices, each ending with its number (identical files would be parsed once)."""
    folder.mkdir()
    notices = bundled_notices()
    out = []
    for i in range(n):
        src = notices[i % len(notices)]
        p = folder / f"{i:02d}-{src.name}"
        p.write_text(src.read_text("utf-8") + f"\n{i}\n", encoding="utf-8")
        out.append(p)
    return out


def _assert_tables_are_the_documents(result: batch.BatchResult) -> None:
    frames = importlib.import_module("report_parser.frames").frames
    docs = [json.loads(line) for line in result.documents_path().read_text("utf-8").splitlines()]
    expected = frames(docs)
    for t, frame in result.frames().items():
        pd.testing.assert_frame_equal(frame, expected[t])


def test_a_worker_that_dies_after_packing_rows_loses_none_of_them(tmp_path, monkeypatch):
    """Packs of two files: the dying worker has sent packs to the spool and holds rows of files it reported;
    every file it parsed is still in every table, only the file it died on is listed."""
    from report_parser import pipeline

    files = _distinct_copies(tmp_path / "in", 9)
    fatal_name = files[6].name
    real = pipeline.parse_loaded

    def fatal(loaded, options=None):
        if loaded.name.endswith(fatal_name):
            os._exit(3)
        return real(loaded, options or pipeline.ParseOptions())

    monkeypatch.setattr(pipeline, "parse_loaded", fatal)  # inherited by the forked workers
    monkeypatch.setattr(batch_run, "PACK_FILES", 2)
    monkeypatch.setattr(batch, "START_METHOD", "fork")
    out = tmp_path / "out"
    result = batch.run_batch([tmp_path / "in"], out, jobs=2)
    assert (result.documents, result.failed) == (8, 1)
    assert fatal_name in result.errors[0]["file"] and "worker process died" in result.errors[0]["reason"]
    _assert_tables_are_the_documents(result)
    assert sorted(p.name for p in out.iterdir()) == OUTPUTS  # no journal, no spool left


def test_the_workers_journal_is_what_resume_reads(tmp_path, monkeypatch):
    """A run stopped before its outputs are renamed leaves the journal the workers wrote: one whole line per
    document, which --resume reuses without parsing again."""
    _distinct_copies(tmp_path / "in", 6)
    out = tmp_path / "out"

    def killed(self):
        raise KeyboardInterrupt

    monkeypatch.setattr(batch.Staged, "commit", killed)
    with pytest.raises(KeyboardInterrupt):
        batch.run_batch([tmp_path / "in"], out, jobs=2)
    assert [p.name for p in out.iterdir()] == [batch.JOURNAL]  # the spool and the temporaries are gone
    lines = (out / batch.JOURNAL).read_bytes().split(b"\n")
    assert json.loads(lines[0]) == batch.journal_header(False)
    docs = [json.loads(x) for x in lines[1:] if x]
    assert len(docs) == 6 and len({d["source"]["sha256"] for d in docs}) == 6
    monkeypatch.undo()
    result = batch.run_batch([tmp_path / "in"], out, jobs=2, resume=True)
    assert (result.reused, result.documents) == (6, 6)
    _assert_tables_are_the_documents(result)


def test_a_line_torn_by_a_killed_worker_costs_only_its_own_document(tmp_path):
    """A worker killed while appending leaves a piece of a line; the parent ends it with a newline, so the
    next worker's line stays whole and resume reuses it."""
    _distinct_copies(tmp_path / "in", 2)
    fresh = tmp_path / "fresh"
    batch.run_batch([tmp_path / "in"], fresh, jobs=1)
    good = fresh.joinpath(batch.DOCUMENTS_JSONL).read_bytes().split(b"\n")[:2]
    out = tmp_path / "out"
    out.mkdir()
    journal = out / batch.JOURNAL
    journal.write_text(json.dumps(batch.journal_header(False)) + "\n", encoding="utf-8")
    fd = os.open(journal, os.O_RDWR | os.O_APPEND)
    try:
        batch_run.Appender(os.fspath(journal)).append([good[0][: len(good[0]) // 2]])  # torn
        batch_run._end_torn_line(fd)
        at = batch_run.Appender(os.fspath(journal)).append([good[1], b"\n"])
    finally:
        os.close(fd)
    assert journal.read_bytes()[at:at + len(good[1])] == good[1]  # the offset the worker reports
    result = batch.run_batch([tmp_path / "in"], out, jobs=1, resume=True)
    assert (result.reused, result.parsed, result.documents) == (1, 1, 2)
    assert out.joinpath(batch.DOCUMENTS_JSONL).read_bytes() == fresh.joinpath(batch.DOCUMENTS_JSONL).read_bytes()


@pytest.mark.skipif("fork" not in __import__("multiprocessing").get_all_start_methods(), reason="needs fork")
def test_a_journal_the_disk_refuses_stops_the_batch_with_one_line(tmp_path, monkeypatch):
    """Workers that cannot append send their lines to the parent; when the parent cannot append either (a full
    disk), the batch stops with a usage error naming the journal, and keeps what it journaled for --resume."""
    import errno

    _distinct_copies(tmp_path / "in", 4)
    out = tmp_path / "out"
    monkeypatch.setattr(batch, "START_METHOD", "fork")
    monkeypatch.setattr(batch_run, "_appender", lambda path: None)  # the workers' lines come through the pipe

    class Full:
        def __init__(self, path, mode):
            self.name = path

        def write(self, data):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def flush(self):
            pass

        def close(self):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))  # the refused bytes, flushed again

    monkeypatch.setattr(batch, "open", Full, raising=False)
    with pytest.raises(batch.UsageError, match="cannot write the journal: No space left on device"):
        batch.run_batch([tmp_path / "in"], out, jobs=2)
    assert [p.name for p in out.iterdir()] == [batch.JOURNAL]  # no spool, no temporaries, no lock
    monkeypatch.undo()
    result = batch.run_batch([tmp_path / "in"], out, jobs=2, resume=True)
    assert (result.documents, result.status) == (4, 0)
    _assert_tables_are_the_documents(result)


@pytest.mark.parametrize("name", [batch.JOURNAL, batch.SPOOL])
def test_a_folder_in_the_place_of_the_journal_or_spool_is_a_usage_error(tmp_path, name):
    _distinct_copies(tmp_path / "in", 1)
    out = tmp_path / "out"
    (out / name).mkdir(parents=True)
    with pytest.raises(batch.UsageError, match=f"{name}: cannot write"):
        batch.run_batch([tmp_path / "in"], out, jobs=1)
    assert (out / name).is_dir()  # not removed: not the run's own


def test_resume_ends_a_line_torn_by_the_killed_run_before_appending(tmp_path, monkeypatch):
    """A parent killed while a worker appended leaves a piece of a line at the journal's end; the resumed run
    starts a new line, so that its first document is not glued to the piece (and lost to a later resume)."""
    _distinct_copies(tmp_path / "in", 3)
    fresh = tmp_path / "fresh"
    batch.run_batch([tmp_path / "in"], fresh, jobs=1)
    good = fresh.joinpath(batch.DOCUMENTS_JSONL).read_bytes().split(b"\n")
    out = tmp_path / "out"
    out.mkdir()
    header = json.dumps(batch.journal_header(False)).encode()
    (out / batch.JOURNAL).write_bytes(header + b"\n" + good[0] + b"\n" + good[1][:80])

    def killed(self):
        raise KeyboardInterrupt

    monkeypatch.setattr(batch.Staged, "commit", killed)
    with pytest.raises(KeyboardInterrupt):
        batch.run_batch([tmp_path / "in"], out, jobs=2, resume=True)
    monkeypatch.undo()
    result = batch.run_batch([tmp_path / "in"], out, jobs=2, resume=True)
    assert (result.reused, result.parsed) == (3, 0)
    assert out.joinpath(batch.DOCUMENTS_JSONL).read_bytes() == fresh.joinpath(batch.DOCUMENTS_JSONL).read_bytes()
