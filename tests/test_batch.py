"""Batch ingestion: bad files recorded and skipped, exit statuses, atomic outputs, --resume, -j 2, compare."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import bundled_notices

from report_parser import batch
from report_parser.cli import main

TABLES = batch.OUTPUT_TABLES
OUTPUTS = [batch.DOCUMENTS_JSONL, *(f"{t}.parquet" for t in TABLES), batch.ERRORS_JSONL, batch.MANIFEST]


@pytest.fixture
def good(tmp_path: Path) -> Path:
    """A folder with the bundled notices (one in a subfolder) and a file the walk must ignore."""
    d = tmp_path / "in"
    (d / "sub").mkdir(parents=True)
    notices = bundled_notices()
    for i, p in enumerate(notices):
        shutil.copy(p, (d / "sub" if i % 2 else d) / p.name)
    (d / "notes.csv").write_text("not,a,notice\n", encoding="utf-8")  # unsupported type: listed, not parsed
    (d / ".hidden.txt").write_text("hidden\n", encoding="utf-8")  # hidden: listed as skipped
    return d


@pytest.fixture
def mixed(good: Path) -> tuple[Path, dict[str, str]]:
    """The good folder plus an empty file, a binary .txt, a directory named x.txt (walked) and a broken symlink."""
    (good / "empty.txt").write_bytes(b"")
    (good / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (good / "x.txt").mkdir()
    (good / "dangling.txt").symlink_to(good / "nowhere.txt")
    expected = {
        "empty.txt": "empty",
        "binary.txt": "binary",
        "dangling.txt": "symbolic link",
    }
    return good, expected


def run(*args: str) -> int:
    return main(["batch", *map(str, args), "-q"])


def read_errors(out: Path, kinds: tuple[str, ...] = ("failed",)) -> list[dict]:
    """The lines of errors.jsonl of the given kinds (failed; unsupported, skipped, duplicate), kind dropped."""
    lines = [json.loads(line) for line in (out / "errors.jsonl").read_text(encoding="utf-8").splitlines()]
    return [{k: v for k, v in e.items() if k != "kind"} for e in lines if e["kind"] in kinds]


def snapshot(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in OUTPUTS}


def assert_same_tables(a: Path, b: Path) -> None:
    assert (a / "documents.jsonl").read_bytes() == (b / "documents.jsonl").read_bytes()
    assert (a / "errors.jsonl").read_bytes() == (b / "errors.jsonl").read_bytes()
    for t in TABLES:
        pd.testing.assert_frame_equal(pd.read_parquet(a / f"{t}.parquet"), pd.read_parquet(b / f"{t}.parquet"))


def test_bad_files_are_recorded_and_the_good_ones_are_in_every_table(mixed, tmp_path, capsys):
    folder, expected = mixed
    out = tmp_path / "out"
    assert run(folder, "-o", out, "-j", "1") == 1
    assert "3 of 7 files could not be parsed" in capsys.readouterr().err
    errors = read_errors(out)
    assert [Path(e["file"]).name for e in errors] == sorted(expected)
    for e in errors:
        assert expected[Path(e["file"]).name] in e["reason"], e
    docs = [json.loads(line) for line in (out / "documents.jsonl").read_text(encoding="utf-8").splitlines()]
    names = [d["source"]["name"] for d in docs]
    assert names == sorted(names) and sorted(Path(n).name for n in names) == sorted(p.name for p in bundled_notices())
    ids = {d["source"]["sha256"][:16] for d in docs}
    tables = batch.read_tables(out)
    for t in ("documents", "nodes", "measures", "metrics"):
        assert set(tables[t]["doc_id"]) == ids, t
    n_warn = tables["warnings"].groupby("doc_id").size().to_dict()
    assert n_warn == {d["source"]["sha256"][:16]: len(d["warnings"]) for d in docs if d["warnings"]}
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"] | {"rows": None} == {"files": 7, "parsed": 2, "reused": 0, "failed": 3,
                                                   "unsupported": 1, "skipped": 1, "duplicates": 0,
                                                   "documents": 2, "errors": 5, "rows": None}
    others = read_errors(out, ("unsupported", "skipped"))
    assert [(Path(e["file"]).name, e["reason"]) for e in others] == [
        (".hidden.txt", "hidden (the name starts with a dot)"),
        ("notes.csv", "unsupported file type: spreadsheet (.csv)")]
    assert manifest["counts"]["rows"] == {t: len(tables[t]) for t in TABLES}
    assert manifest["options"]["jobs"] == 1 and manifest["schema_version"] and manifest["version"]
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporaries, no journal left


def test_all_good_exits_0_and_explicit_files_and_globs_are_taken(good, tmp_path):
    out = tmp_path / "out"
    assert run(good, "-o", out, "-j", "1") == 0
    assert read_errors(out) == []
    # a file named explicitly is parsed whatever its extension; a glob's matches likewise
    odd = tmp_path / "notice.dat"
    shutil.copy(bundled_notices()[0], odd)
    out2 = tmp_path / "out2"
    assert run(odd, str(good / "sub" / "*.txt"), "-o", out2, "-j", "1") == 0
    names = [json.loads(line)["source"]["name"] for line in (out2 / "documents.jsonl").read_text("utf-8").splitlines()]
    assert len(names) == 2 and str(odd) in names


def test_usage_errors_exit_2(tmp_path, good, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run(empty, "-o", tmp_path / "o1") == 2
    assert "no inputs found" in capsys.readouterr().err
    assert run(tmp_path / "missing", "-o", tmp_path / "o2") == 2
    assert run(str(tmp_path / "*.nothing"), "-o", tmp_path / "o3") == 2
    afile = tmp_path / "a-file"
    afile.write_text("x", encoding="utf-8")
    assert run(good, "-o", afile) == 2
    assert "is a file" in capsys.readouterr().err
    assert run(good, "-o", tmp_path / "o4", "-j", "0") == 2
    with pytest.raises(SystemExit) as exc:  # argparse: no OUTDIR
        main(["batch", str(good)])
    assert exc.value.code == 2
    assert not (tmp_path / "o1").exists() and not (tmp_path / "o2").exists()


def test_a_path_that_does_not_exist_beside_real_inputs_is_an_error_not_a_usage_error(good, tmp_path):
    out = tmp_path / "out"
    assert run(good, tmp_path / "missing.txt", "-o", out, "-j", "1") == 1
    assert read_errors(out) == [{"file": str(tmp_path / "missing.txt"), "reason": "no such file or directory"}]


def test_an_unexpected_exception_is_an_internal_error_and_the_run_goes_on(good, tmp_path, monkeypatch):
    from report_parser import pipeline

    real = pipeline.parse_loaded

    def flaky(loaded, options=None):
        if "nankai" in loaded.name:
            raise RuntimeError("boom")
        return real(loaded, options or pipeline.ParseOptions())

    monkeypatch.setattr(pipeline, "parse_loaded", flaky)
    out = tmp_path / "out"
    assert run(good, "-o", out, "-j", "1") == 1
    [err] = read_errors(out)
    assert "nankai" in err["file"] and err["reason"] == "internal error: RuntimeError: boom"
    assert len((out / "documents.jsonl").read_text("utf-8").splitlines()) == len(bundled_notices()) - 1


def test_a_crash_while_writing_leaves_the_previous_outputs(mixed, good, tmp_path, monkeypatch, capsys):
    folder, _ = mixed
    out = tmp_path / "out"
    assert run(folder, "-o", out, "-j", "1") == 1
    before = snapshot(out)

    written: list[str] = []
    real = pq.write_table

    def crash_midway(table, path, *args, **kwargs):
        written.append(str(path))
        if len(written) == 3:  # write a truncated temporary file, then die
            Path(path).write_bytes(b"PAR1 half")
            raise OSError("disk full")
        return real(table, path, *args, **kwargs)

    monkeypatch.setattr(pq, "write_table", crash_midway)
    for bad in ("empty.txt", "binary.txt", "dangling.txt"):
        (folder / bad).unlink()
    (folder / "x.txt").rmdir()
    assert run(folder, "-o", out, "-j", "1") == 2  # one line, no traceback
    assert "cannot write the outputs: disk full" in capsys.readouterr().err
    assert all(Path(w).parent == out and Path(w).name.startswith(".") for w in written)  # temporaries in OUTDIR
    assert snapshot(out) == before
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".documents.partial")) == sorted(OUTPUTS)

    monkeypatch.setattr(pq, "write_table", real)
    assert run(folder, "-o", out, "-j", "1") == 0  # the next run replaces them all
    assert read_errors(out) == []


def test_resume_equals_a_fresh_run(mixed, tmp_path):
    folder, _ = mixed
    fresh = tmp_path / "fresh"
    assert run(folder, "-o", fresh, "-j", "1") == 1

    resumed = tmp_path / "resumed"
    first = [next(p for p in sorted(folder.rglob("*.txt")) if p.name == bundled_notices()[0].name)]
    assert run(*first, "-o", resumed, "-j", "1") in (0, 1)
    assert run(folder, "-o", resumed, "-j", "1", "--resume") == 1
    assert_same_tables(fresh, resumed)
    manifest = json.loads((resumed / "manifest.json").read_text("utf-8"))
    assert manifest["counts"]["reused"] == 1 and manifest["counts"]["parsed"] == len(bundled_notices()) - 1

    # resuming a finished run parses nothing again and changes nothing
    assert run(folder, "-o", resumed, "-j", "1", "--resume") == 1
    assert json.loads((resumed / "manifest.json").read_text("utf-8"))["counts"]["reused"] == len(bundled_notices())
    assert_same_tables(fresh, resumed)


def test_resume_after_a_killed_run_reuses_the_journal(good, tmp_path, monkeypatch, capsys):
    fresh = tmp_path / "fresh"
    assert run(good, "-o", fresh, "-j", "1") == 0
    out = tmp_path / "out"

    def killed(self):
        raise KeyboardInterrupt

    monkeypatch.setattr(batch._Staged, "commit", killed)
    capsys.readouterr()
    assert run(good, "-o", out, "-j", "1") == 130  # Ctrl-C: the status a shell gives, one line, no traceback
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "interrupted" in err[0] and "--resume" in err[0] and str(out) in err[0]
    assert [p.name for p in out.iterdir()] == [batch.JOURNAL]  # no outputs, only the journal
    monkeypatch.undo()

    changed = next(p for p in sorted(good.rglob("*.txt")) if p.name == bundled_notices()[0].name)
    changed.write_text(changed.read_text("utf-8") + "\n", encoding="utf-8")  # this one must be parsed again
    fresh2 = tmp_path / "fresh2"
    assert run(good, "-o", fresh2, "-j", "1") == 0
    assert run(good, "-o", out, "-j", "1", "--resume") == 0
    counts = json.loads((out / "manifest.json").read_text("utf-8"))["counts"]
    assert (counts["reused"], counts["parsed"]) == (len(bundled_notices()) - 1, 1)
    assert_same_tables(fresh2, out)
    assert not (out / batch.JOURNAL).exists()


@pytest.mark.parametrize("method", [None, "forkserver"])
def test_two_processes_give_the_same_outputs_as_one(mixed, tmp_path, monkeypatch, method):
    if method and method not in __import__("multiprocessing").get_all_start_methods():
        pytest.skip(f"no {method} here")
    monkeypatch.setattr(batch, "START_METHOD", method)
    folder, _ = mixed
    for i in range(3):  # enough files for several chunks
        shutil.copy(bundled_notices()[0], folder / f"copy{i}.txt")
    one, two = tmp_path / "one", tmp_path / "two"
    assert run(folder, "-o", one, "-j", "1") == 1
    assert run(folder, "-o", two, "-j", "2") == 1
    assert_same_tables(one, two)
    assert json.loads((two / "manifest.json").read_text("utf-8"))["options"]["jobs"] == 2


def test_rows_packed_by_the_workers_come_back_in_document_order(tmp_path, monkeypatch):
    """Workers send the rows of several files at once (and the rest when asked at the end): with packs of
    two files, two workers and files of very different sizes, every table still equals the tables built
    from the documents themselves, in the documents' order."""
    import importlib

    from report_parser.batch import run as batch_run

    frames = importlib.import_module("report_parser.frames").frames
    monkeypatch.setattr(batch_run, "PACK_FILES", 2)
    monkeypatch.setattr(batch, "START_METHOD", "fork")  # the patched pack size is inherited
    folder = tmp_path / "in"
    folder.mkdir()
    notices = bundled_notices()
    for i in range(7):  # each copy ends with its number: identical files would be parsed once
        src = notices[i % len(notices)]
        (folder / f"{i}-{src.name}").write_text(src.read_text("utf-8") + f"\n{i}\n", encoding="utf-8")
    result = batch.run_batch([folder], tmp_path / "out", jobs=2)
    assert (result.documents, result.failed) == (7, 0)
    docs = [json.loads(line) for line in result.documents_path().read_text("utf-8").splitlines()]
    expected = frames(docs)
    for t, frame in result.frames().items():
        pd.testing.assert_frame_equal(frame, expected[t])


def test_run_batch_api_and_tables_equal_frames_of_the_documents(good, tmp_path):
    import importlib

    frames = importlib.import_module("report_parser.frames").frames
    result = batch.run_batch([good], tmp_path / "out", jobs=1)
    assert (result.status, result.documents, result.failed) == (0, len(bundled_notices()), 0)
    assert [e["kind"] for e in result.errors] == ["skipped", "unsupported"]  # .hidden.txt, notes.csv
    docs = [json.loads(line) for line in result.documents_path().read_text("utf-8").splitlines()]
    expected = frames(docs)
    written = result.frames()
    assert set(written) == set(TABLES)
    for t in TABLES:
        pd.testing.assert_frame_equal(written[t], expected[t])
    with pytest.raises(batch.UsageError):
        batch.run_batch([tmp_path / "nothing-here"], tmp_path / "out2")


@pytest.mark.parametrize("fmt", ["markdown", "csv", "json"])
def test_compare_formats(good, tmp_path, capsys, fmt):
    out = tmp_path / "out"
    assert run(good, "-o", out, "-j", "1") == 0
    capsys.readouterr()
    assert main(["compare", str(out), "--format", fmt]) == 0
    text = capsys.readouterr().out
    tables = batch.read_tables(out)
    units = set(tables["documents"]["issuer"].dropna())
    cols = ["key", "unit", "file", "sector", "level", "region_province", "region_city", "region_county", "round",
            "feedback_date", "doc_id", "problems", "measures", "measures_per_problem", "quantified_share",
            "done_share", "ongoing_share", "planned_share", "problems_done_share", "problems_partial_share",
            "problems_ongoing_share", "problems_fed_back", "problems_rectified", "problems_partly_rectified",
            "problems_in_progress", "completion_rate", "measures_made", "rules_made", "people_disciplined",
            "funds_recovered", "clues_handled"]
    if fmt == "json":
        records = json.loads(text)
        assert [list(r) for r in records] == [cols] * len(records)
        by_unit = {r["unit"]: r for r in records}
        assert set(by_unit) == units
        for d in tables["documents"].itertuples():
            r = by_unit[d.issuer]
            assert (r["problems"], r["measures"]) == (d.n_problems, d.n_measures)
            m = tables["measures"][tables["measures"]["doc_id"] == d.doc_id]
            assert r["quantified_share"] == pytest.approx(m["has_figure"].mean(), abs=1e-4)
    elif fmt == "csv":
        assert text.startswith("\ufeff")  # UTF-8 with BOM: Excel opens it ungarbled
        lines = text[1:].splitlines()
        assert lines[0] == ",".join(cols) and len(lines) == 1 + len(units)
    else:
        lines = text.splitlines()
        assert lines[0] == "| " + " | ".join(cols) + " |"
        assert lines[1].startswith("|---|---|---|---|---|---|---|---|---|---|---|---:|") and len(lines) == 2 + len(units)
        assert all(any(u in line for line in lines) for u in units)


def test_compare_needs_a_batch_directory(tmp_path, capsys):
    assert main(["compare", str(tmp_path)]) == 2
    assert "not a batch output directory" in capsys.readouterr().err


def test_outputs_have_ordinary_permissions(good, tmp_path):
    out = tmp_path / "out"
    assert run(good, "-o", out, "-j", "1") == 0
    mask = os.umask(0)
    os.umask(mask)
    assert (out / "documents.jsonl").stat().st_mode & 0o777 == 0o666 & ~mask


@pytest.mark.skipif(__import__("multiprocessing").get_start_method() != "fork", reason="needs forked workers")
def test_a_worker_that_dies_fails_only_its_own_file(good, tmp_path, monkeypatch):
    from report_parser import pipeline

    real = pipeline.parse_loaded

    def fatal(loaded, options=None):
        if "nankai" in loaded.name:
            os._exit(3)  # as if killed by the out-of-memory killer
        return real(loaded, options or pipeline.ParseOptions())

    monkeypatch.setattr(pipeline, "parse_loaded", fatal)  # inherited by the forked workers
    monkeypatch.setattr(batch, "START_METHOD", "fork")
    text = bundled_notices()[0].read_text("utf-8")
    for i in range(3):  # distinct contents: identical files would be parsed once
        (good / f"copy{i}.txt").write_text(text + f"\n附件{i}\n", encoding="utf-8")
    out = tmp_path / "out"
    assert run(good, "-o", out, "-j", "2") == 1
    [err] = read_errors(out)
    assert "nankai" in err["file"] and "worker process died" in err["reason"]
    assert len((out / "documents.jsonl").read_text("utf-8").splitlines()) == 4


def test_no_progress_bar_when_stderr_is_not_a_terminal(good, tmp_path, capsys):
    assert main(["batch", str(good), "-o", str(tmp_path / "out"), "-j", "1"]) == 0
    err = capsys.readouterr().err
    assert err.splitlines() == [f"report-parser batch: {len(bundled_notices())} documents in {tmp_path / 'out'}"
                                " (1 unsupported, 1 skipped: see errors.jsonl)"]


def test_only_bad_files_still_write_empty_tables(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    (d / "empty.txt").write_bytes(b"")
    out = tmp_path / "out"
    assert run(d, "-o", out, "-j", "1") == 1
    assert [e["reason"] for e in read_errors(out)] == ["empty input"]
    tables = batch.read_tables(out)
    for t in TABLES:
        assert tables[t].empty and list(tables[t].columns) == list(batch_columns()[t])


def batch_columns() -> dict[str, list[str]]:
    import importlib

    return importlib.import_module("report_parser.frames").COLUMNS


def test_resume_keeps_documents_whose_text_holds_line_separators(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    text = bundled_notices()[-1].read_text("utf-8")
    (d / "sep.txt").write_text(text.replace("。", "。\u2028", 3), encoding="utf-8")  # U+2028 stays raw in JSON
    fresh, resumed = tmp_path / "fresh", tmp_path / "resumed"
    assert run(d, "-o", fresh, "-j", "1") == 0
    assert run(d, "-o", resumed, "-j", "1") == 0
    assert run(d, "-o", resumed, "-j", "1", "--resume") == 0
    assert json.loads((resumed / "manifest.json").read_text("utf-8"))["counts"]["reused"] == 1
    assert_same_tables(fresh, resumed)
