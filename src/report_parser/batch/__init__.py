"""Batch ingestion: parse many notices in parallel into JSONL and Parquet tables; `batch` and `compare` commands.

The stages live in their own modules: `plan` (which files, and why the others are listed), `run`
(workers under a per-file budget), `write` (lock, journal, tables, manifest) and `compare`.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .compare import compare_table, format_table, to_markdown
from .plan import (
    DUPLICATE,
    FAILED,
    SKIPPED,
    UNSUPPORTED,
    Plan,
    collect_inputs,
    display_name,
    plan_inputs,
    raw_name,
)
from .run import Limits, Outcome, Packed, Task, run_parallel, warm_up, work
from .write import (
    DOCUMENTS_JSONL,
    ERRORS_JSONL,
    JOURNAL,
    MANIFEST,
    OUTPUT_TABLES,
    SPOOL,
    MixedOutputsError,
    Staged,
    UsageError,
    build_tables,
    journal_first_line,
    journal_header,
    locked,
    prepare_outdir,
    previous,
    read_tables,
    remove_stale,
    write_outputs,
)

# multiprocessing, pandas and pyarrow are imported where used: `report-parser parse` loads this package to
# build its command line and should not pay for them.

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2

# The start method of worker processes; None picks one (see run.mp_context). Tests may pin it.
START_METHOD: str | None = None

__all__ = [
    "DOCUMENTS_JSONL", "ERRORS_JSONL", "JOURNAL", "MANIFEST", "OUTPUT_TABLES", "BatchResult", "Limits",
    "MixedOutputsError", "Staged", "UsageError", "collect_inputs", "compare_table",
    "default_jobs", "format_table", "plan_inputs", "read_tables", "run_batch", "to_markdown",
]


@dataclass
class BatchResult:
    """What a batch run produced: counts, the files listed instead of parsed, where the outputs are, the exit status."""

    outdir: Path
    files: int
    parsed: int
    reused: int
    documents: int
    errors: list[dict[str, str]] = field(default_factory=list)
    failed: int = 0
    status: int = EXIT_OK
    listed: dict[str, int] = field(default_factory=dict)  # kind → how many files of this run were listed

    def frames(self) -> dict[str, Any]:
        """The Parquet tables written to `outdir`, read back as pandas DataFrames."""
        return read_tables(self.outdir)

    def documents_path(self) -> Path:
        return self.outdir / DOCUMENTS_JSONL


def default_jobs() -> int:
    """The number of cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _check_options(jobs: int, max_bytes: int, limits: Limits) -> None:
    if jobs < 1:
        raise UsageError(f"-j must be at least 1, not {jobs}")
    if max_bytes < 0:
        raise UsageError(f"--max-bytes must be 0 or more, not {max_bytes}")
    if not limits.cpu_seconds > 0 or not limits.wall_seconds > 0:
        raise UsageError(f"time limits must be more than 0 s, not {limits.cpu_seconds:g} and {limits.wall_seconds:g}")
    if limits.memory_bytes < 64 * 2**20:
        raise UsageError(f"--memory-limit must be at least 64 MB, not {limits.memory_bytes / 2**20:g} MB")


@dataclass
class _Run:
    """The state of one run as files come back: document lines and table parts by name, reasons for the rest."""

    journal: Any
    lines: dict[str, bytes] = field(default_factory=dict)
    packs: list[Packed] = field(default_factory=list)  # table rows of parsed files, packed by the workers
    errors: dict[str, dict[str, str]] = field(default_factory=dict)
    bar: Any = None

    def emit(self, o: Outcome) -> None:
        if o.packed is not None:
            self.packs.append(o.packed)
        if not o.path:
            return  # a worker's last rows, sent at the end of the run
        name = display_name(o.path)
        if o.line is not None:
            self.lines[name] = o.line
            if not o.journaled:  # else the worker appended it already
                try:
                    self.journal.write(o.line + b"\n")
                    self.journal.flush()
                except OSError as exc:  # a full disk: stop now, with what was journaled kept for --resume
                    raise UsageError(_journal_failed(self.journal.name, exc)
                                     + " (--resume continues from the documents journaled so far)") from None
        else:
            self.errors[name] = _entry(o.path, o.reason or "internal error: unknown", FAILED)
        if self.bar is not None:
            self.bar.update(1)


def _journal_failed(path: Any, exc: OSError) -> str:
    return f"{os.fsdecode(path)}: cannot write the journal: {exc.strerror or exc}"


def _ends_line(path: Path) -> bool:
    with path.open("rb") as fh:
        fh.seek(-1, os.SEEK_END)
        return fh.read(1) == b"\n"


def _entry(path: str, reason: str, kind: str) -> dict[str, str]:
    e = {"file": display_name(path), "reason": reason, "kind": kind}
    raw = raw_name(path)
    if raw:
        e["file_hex"] = raw  # the name's bytes, for names that are not valid UTF-8
    return e


def _parse_all(todo: list[Task], jobs: int, limits: Limits, state: _Run, progress: bool, analyze: bool,
               files: tuple[Path, Path]) -> None:
    from tqdm import tqdm

    show = progress and sys.stderr.isatty() and bool(todo)

    def start_bar() -> None:
        if show and state.bar is None:
            state.bar = tqdm(total=len(todo), unit="file", desc="parsing", file=sys.stderr, dynamic_ncols=True)

    try:
        if todo:
            warm_up(analyze)  # before forking, so that workers inherit what it loaded
            run_parallel(todo, min(jobs, len(todo)), limits, state.emit, start_bar, START_METHOD,
                         journal=os.fspath(files[0]), spool=os.fspath(files[1]))
    finally:
        if state.bar is not None:
            state.bar.close()


def run_batch(
    paths: Sequence[str | os.PathLike[str]] | str | os.PathLike[str],
    outdir: str | os.PathLike[str],
    *,
    jobs: int | None = None,
    analyze: bool = False,
    resume: bool = False,
    max_bytes: int | None = None,
    progress: bool = False,
    limits: Limits | None = None,
    urls: Sequence[str] = (),
) -> BatchResult:
    """Parse every notice under `paths` into `outdir`; raise UsageError when the batch cannot start.

    Writes documents.jsonl, one Parquet file per table (see report_parser.frames), errors.jsonl (every
    file not in the tables, with its reason and kind) and manifest.json, each to a temporary file first
    and all renamed into place at the end. With `resume`, files whose sha256 (and name) are already in
    documents.jsonl are not parsed again. Each file is parsed under `limits` in a worker process.
    """
    from report_parser.decode import DEFAULT_MAX_BYTES

    if isinstance(paths, str | os.PathLike):
        paths = [paths]  # one path, not a sequence of characters
    jobs = default_jobs() if jobs is None else jobs
    max_bytes = DEFAULT_MAX_BYTES if max_bytes is None else max_bytes
    limits = limits or Limits()
    _check_options(jobs, max_bytes, limits)
    out = Path(outdir)
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out}: the output directory is a file")
    plan = plan_inputs(paths, outdir=os.fspath(out), max_bytes=max_bytes)
    plan.files += [u for u in dict.fromkeys(urls) if u not in plan.files]  # fetched and parsed like files, named by URL
    if not plan.files and all(x.kind == FAILED for x in plan.listed):
        first = plan.listed[0] if plan.listed else None
        raise UsageError("no inputs found" + (f": {first.path}: {first.reason}" if first else ""))
    prepare_outdir(out)
    with locked(out):
        remove_stale(out)
        return _run_locked(plan, out, [*paths, *urls], jobs=jobs, analyze=analyze, resume=resume, max_bytes=max_bytes,
                           progress=progress, limits=limits)


def _run_locked(plan: Plan, out: Path, paths: Sequence[Any], *, jobs: int, analyze: bool, resume: bool,
                max_bytes: int, progress: bool, limits: Limits) -> BatchResult:
    """The batch proper, with the output folder locked: reuse, parse, merge with earlier runs, write."""
    prev, old_errors = previous(out, analyze) if resume else ({}, [])
    journal_path = out / JOURNAL
    spool = out / SPOOL  # the workers' packed rows, read in place when the tables are put together
    try:
        if not resume or journal_first_line(journal_path) != journal_header(analyze):
            journal_path.write_text(json.dumps(journal_header(analyze)) + "\n", encoding="utf-8")
        state = _Run(journal=open(journal_path, "ab"))  # noqa: SIM115 - closed in _run_spooled, kept across the run
        if journal_path.stat().st_size and not _ends_line(journal_path):
            state.journal.write(b"\n")  # a line torn by a killed run: the next line appended starts its own
            state.journal.flush()
    except OSError as exc:  # a full disk, or something else in the journal's place
        raise UsageError(_journal_failed(journal_path, exc)) from None
    try:
        try:
            spool.write_bytes(b"")
        except OSError as exc:
            state.journal.close()
            raise UsageError(f"{spool}: cannot write the spool of table rows: {exc.strerror or exc}") from None
        return _run_spooled(plan, out, paths, state, journal_path, spool, prev, old_errors, jobs=jobs,
                            analyze=analyze, resume=resume, max_bytes=max_bytes, progress=progress, limits=limits)
    finally:
        with contextlib.suppress(OSError):  # not there, or not ours (a folder in its place)
            spool.unlink()


def _run_spooled(plan: Plan, out: Path, paths: Sequence[Any], state: _Run, journal_path: Path, spool: Path,
                 prev: dict[str, tuple[str, bytes]], old_errors: list[dict[str, str]], *, jobs: int, analyze: bool,
                 resume: bool, max_bytes: int, progress: bool, limits: Limits) -> BatchResult:
    todo: list[Task] = []
    reused = 0
    for f in plan.files:
        got = prev.get(display_name(f))
        if got is not None and plan.sha256.get(f) == got[0]:
            state.lines[display_name(f)] = got[1]
            reused += 1
        else:
            todo.append(Task(f, analyze, max_bytes))
    try:
        _parse_all(todo, jobs, limits, state, progress, analyze, (journal_path, spool))
    finally:
        with contextlib.suppress(OSError):  # a line a full disk refused is still in its buffer: dropped
            state.journal.close()

    # Merge: documents and errors of earlier runs for files not in this run are kept.
    for x in plan.listed:
        state.errors.setdefault(display_name(x.path), _entry(x.path, x.reason, x.kind))
    current = {display_name(f) for f in plan.files} | set(state.errors)
    shas = {plan.sha256.get(f) for f in plan.files}
    for name, (sha, line) in prev.items():
        if name not in current and sha not in shas:  # one row per content across runs too
            state.lines.setdefault(name, line)
    for e in old_errors:
        if e["file"] not in current and e["file"] not in state.lines:
            state.errors.setdefault(e["file"], {"kind": FAILED, **e})
    order = sorted(state.lines)
    error_list = [state.errors[f] for f in sorted(state.errors)]
    this_run = [e for name, e in state.errors.items() if name in current]
    listed = {k: sum(1 for e in this_run if e["kind"] == k) for k in (FAILED, UNSUPPORTED, SKIPPED, DUPLICATE)}
    manifest: dict[str, Any] = {}

    def tables_and_manifest() -> dict[str, Any]:
        tables = build_tables(state.lines, state.packs, order, analyze)
        manifest.update(_manifest(paths, plan, todo, state, jobs=jobs, analyze=analyze, resume=resume,
                                  max_bytes=max_bytes, limits=limits, reused=reused, listed=listed, order=order,
                                  tables=tables, n_errors=len(error_list)))
        return tables

    # the documents are written while the tables are put together
    write_outputs(out, state.lines, order, tables_and_manifest, error_list, manifest)
    with contextlib.suppress(FileNotFoundError):
        journal_path.unlink()
    return BatchResult(outdir=out, files=manifest["counts"]["files"], parsed=manifest["counts"]["parsed"],
                       reused=reused, documents=len(order), errors=error_list, failed=listed[FAILED],
                       status=EXIT_SOME_FAILED if listed[FAILED] else EXIT_OK, listed=listed)


def _manifest(paths: Sequence[Any], plan: Plan, todo: list[Task], state: _Run, *, jobs: int, analyze: bool,
              resume: bool, max_bytes: int, limits: Limits, reused: int, listed: dict[str, int],
              order: list[str], tables: dict[str, Any], n_errors: int) -> dict[str, Any]:
    import uuid
    from datetime import UTC, datetime

    from report_parser import __version__
    from report_parser.models import SCHEMA_VERSION

    failed_now = {display_name(t.path) for t in todo} & set(state.errors)
    raw = {display_name(p): raw_name(p) for p in [*plan.files, *(x.path for x in plan.listed)] if raw_name(p)}
    return {
        "tool": "report-parser",
        "version": __version__,
        "schema_version": SCHEMA_VERSION,
        "run_id": uuid.uuid4().hex,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "inputs": [display_name(os.fspath(p)) for p in paths],
        "options": {"analyze": analyze, "jobs": jobs, "resume": resume, "max_bytes": max_bytes,
                    "cpu_seconds": limits.cpu_seconds, "memory_bytes": limits.memory_bytes,
                    "wall_seconds": limits.wall_seconds},
        "counts": {
            "files": len(plan.files) + len(plan.listed),
            "parsed": len(todo) - len(failed_now),
            "reused": reused,
            "failed": listed[FAILED],
            "unsupported": listed[UNSUPPORTED],
            "skipped": listed[SKIPPED],
            "duplicates": listed[DUPLICATE],
            "documents": len(order),
            "errors": n_errors,
            "rows": {t: tables[t].num_rows for t in OUTPUT_TABLES},
        },
        "raw_names": raw,  # names that are not valid UTF-8: shown name → the name's bytes in hex
        "outputs": [DOCUMENTS_JSONL, *(f"{t}.parquet" for t in OUTPUT_TABLES), ERRORS_JSONL, MANIFEST],
    }


# names used by earlier versions of this module
_Task, _Outcome, _work, _Staged = Task, Outcome, work, Staged


def __getattr__(name: str) -> Any:
    if name == "SUPPORTED_EXTENSIONS":  # now the table in report_parser.formats, read when asked
        from report_parser.formats import supported_suffixes

        return supported_suffixes()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
