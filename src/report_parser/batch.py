"""Batch ingestion: parse many notices in parallel into JSONL and Parquet tables; `batch` and `compare` commands."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    import multiprocessing.context

# multiprocessing, concurrent.futures, pandas and pyarrow are imported where used: `report-parser parse`
# loads this module to build its command line and should not pay for them.

log = logging.getLogger("report_parser")

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2

# Extensions picked up when walking folders; a file named explicitly is parsed whatever its name.
SUPPORTED_EXTENSIONS = frozenset({".txt", ".text", ".md", ".docx", ".html", ".htm", ".shtml", ".mhtml", ".pdf",
                                  ".xlsx", ".doc", ".wps", ".rtf", ".odt", ".png", ".jpg", ".jpeg", ".tif", ".tiff"})
OUTPUT_TABLES = ("documents", "nodes", "problems", "measures", "metrics", "topics", "warnings")  # frames.TABLES
DOCUMENTS_JSONL = "documents.jsonl"
ERRORS_JSONL = "errors.jsonl"
MANIFEST = "manifest.json"
# Documents parsed so far in an unfinished run, one per line after a header; read by --resume, removed at the end.
JOURNAL = ".documents.partial.jsonl"
MAX_CHUNK = 8


class UsageError(ValueError):
    """A batch that cannot start: no inputs, an unusable output directory, bad options (exit status 2)."""


@dataclass(frozen=True, slots=True)
class _Task:
    path: str
    analyze: bool
    max_bytes: int


@dataclass(slots=True)
class _Outcome:
    path: str
    line: bytes | None = None  # the Document as one line of JSON, UTF-8, no newline
    tables: dict[str, bytes] | None = None  # its rows of each table, as Arrow IPC streams
    sha256: str | None = None
    reason: str | None = None


@dataclass
class BatchResult:
    """What a batch run produced: counts, the files that failed, where the outputs are, and the exit status."""

    outdir: Path
    files: int
    parsed: int
    reused: int
    documents: int
    errors: list[dict[str, str]] = field(default_factory=list)
    failed: int = 0
    status: int = EXIT_OK

    def frames(self) -> dict[str, Any]:
        """The Parquet tables written to `outdir`, read back as pandas DataFrames."""
        return read_tables(self.outdir)

    def documents_path(self) -> Path:
        return self.outdir / DOCUMENTS_JSONL


# ---------------------------------------------------------------------------------------------- inputs


def _walk(root: str, skip: set[str]) -> Iterator[str]:
    """Files under `root` with a supported extension (and directories so named, which fail), hidden ones skipped."""
    seen: set[str] = set()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        real = os.path.realpath(dirpath)
        if real in seen or real in skip:  # symlink loops, and the output directory itself
            dirnames[:] = []
            continue
        seen.add(real)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in dirnames + filenames:
            if not name.startswith(".") and os.path.splitext(name)[1].lower() in SUPPORTED_EXTENSIONS:
                yield os.path.join(dirpath, name)


def _has_magic(p: str) -> bool:
    return any(c in p for c in "*?[")


def collect_inputs(paths: Iterable[str | os.PathLike[str]], *, skip: Iterable[str] = ()) -> tuple[list[str], list[dict[str, str]]]:
    """Expand folders and globs into files, sorted by path; also return the arguments that matched nothing.

    A folder contributes its supported files (recursively); a glob its matches (folders among them are
    walked, files are taken whatever their extension); any other existing path, a broken symbolic link
    included, is taken as named so that the parse can say what is wrong with it.
    """
    skip_real = {os.path.realpath(s) for s in skip}
    found: set[str] = set()
    missing: list[dict[str, str]] = []
    for arg in paths:
        p = os.fspath(arg)
        if os.path.isdir(p):
            found.update(_walk(p, skip_real))
        elif os.path.lexists(p):
            found.add(p)
        elif _has_magic(p):
            import glob

            matches = glob.glob(p, recursive=True)
            for m in matches:
                if os.path.isdir(m):
                    found.update(_walk(m, skip_real))
                else:
                    found.add(m)
            if not matches:
                missing.append({"file": p, "reason": "no file matches the pattern"})
        else:
            missing.append({"file": p, "reason": "no such file or directory"})
    files = sorted({os.path.normpath(f) for f in found})
    return files, missing


# ---------------------------------------------------------------------------------------------- parsing


def _dump_line(data: dict[str, Any]) -> bytes:
    # the same text as `report-parser parse --jsonl` (cli.to_json); bytes travel between processes as they are
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _work(task: _Task) -> _Outcome:
    """Parse one file; never raises: a failure becomes an outcome with a reason."""
    from .errors import InputError
    from .fetch import load_input
    from .frames import arrow_tables, rows
    from .pipeline import ParseOptions, parse_loaded

    try:
        loaded = load_input(task.path, max_bytes=task.max_bytes)  # a file, or a URL from --urls
        doc = parse_loaded(loaded, ParseOptions(analyze=task.analyze))
        data = doc.model_dump(mode="json")
        # the table rows are built here, in the worker, so that the parent only concatenates
        return _Outcome(task.path, _dump_line(data), _to_ipc(arrow_tables(rows(data))), loaded.sha256)
    except InputError as exc:
        return _Outcome(task.path, reason=exc.reason)
    except Exception as exc:  # one bad file never stops the run
        log.debug("internal error on %s", task.path, exc_info=True)
        return _Outcome(task.path, reason=f"internal error: {type(exc).__name__}: {exc}")


def _to_ipc(tables: dict[str, Any]) -> dict[str, bytes]:
    """Arrow tables as IPC stream bytes: pickled as plain bytes, ten times cheaper than pickling the tables."""
    import pyarrow as pa

    out = {}
    for name, table in tables.items():
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        out[name] = sink.getvalue().to_pybytes()
    return out


def _from_ipc(streams: dict[str, bytes]) -> dict[str, Any]:
    import pyarrow as pa

    return {name: pa.ipc.open_stream(data).read_all() for name, data in streams.items()}


def _work_chunk(tasks: list[_Task]) -> list[_Outcome]:
    return [_work(t) for t in tasks]


def _chunks(tasks: list[_Task], jobs: int) -> list[list[_Task]]:
    """Chunks that shrink as the work runs out (guided scheduling): few round trips, workers finish together."""
    out, i = [], 0
    while i < len(tasks):
        size = max(1, min(MAX_CHUNK, (len(tasks) - i) // (jobs * 4)))
        out.append(tasks[i:i + size])
        i += size
    return out


# A tiny notice parsed before forking: the lazily built converters, patterns and schemas are then
# inherited by every worker instead of being built again in each.
_WARM_UP = ("中共某县某局党组关于巡察整改情况的通报\n根据县委统一部署，2024年3月1日至5月10日，县委第一巡察组对某局党组"
            "进行了常规巡察，6月2日反馈了意见。反馈问题5个，已完成整改4个，整改完成率80%。\n一、问题\n"
            "（一）制度不健全。一是制定制度3项；二是拟于2025年底前完成。\n欢迎广大干部群众监督。联系电话：0415-5110029。\n")


def _warm_up(analyze: bool) -> None:
    from .decode import load_bytes
    from .frames import arrow_tables, rows
    from .pipeline import ParseOptions, parse_loaded

    try:
        doc = parse_loaded(load_bytes(_WARM_UP.encode("utf-8"), "warm-up.txt"), ParseOptions(analyze=analyze))
        arrow_tables(rows(doc.model_dump(mode="json")))
    except Exception:  # only an optimisation; the real files will tell what is wrong
        log.debug("warm-up parse failed", exc_info=True)


def _died(task: _Task) -> _Outcome:
    return _Outcome(task.path, reason="internal error: the worker process died while parsing this file")


# The start method of worker processes; None picks one (see _mp_context). Tests may pin it.
START_METHOD: str | None = None


def _mp_context() -> multiprocessing.context.BaseContext:
    """fork from a single-threaded parent (cheap: workers inherit the loaded parser), else forkserver.

    Forking a process that runs other threads (a Jupyter kernel, a GUI) can deadlock the child; the
    fork server is a small single-threaded process with the parser preloaded, forked for each worker.
    """
    import multiprocessing
    import threading

    methods = multiprocessing.get_all_start_methods()
    method = START_METHOD
    if method is None:
        if "fork" in methods and threading.active_count() == 1:
            method = "fork"
        else:
            method = "forkserver" if "forkserver" in methods else "spawn"
    ctx = multiprocessing.get_context(method)
    if method == "forkserver":
        ctx.set_forkserver_preload(["report_parser.pipeline", "report_parser.frames", "pyarrow"])
    return ctx


def _run_parallel(tasks: list[_Task], jobs: int, emit: Callable[[_Outcome], None],
                  started: Callable[[], None] = lambda: None) -> None:
    """Parse in `jobs` processes, chunk by chunk; files of a chunk whose worker died are retried one by one.

    `started` is called once the workers exist (a progress bar may start its monitor thread then).
    """
    import gc
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    ctx = _mp_context()
    orphans: list[_Task] = []
    gc.freeze()  # forked workers then don't copy the parent's heap page by page when they collect garbage
    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
            futures = {pool.submit(_work_chunk, chunk): chunk for chunk in _chunks(tasks, jobs)}
            gc.unfreeze()
            started()
            for fut in as_completed(futures):
                try:
                    outcomes = fut.result()
                except BrokenProcessPool:
                    orphans.extend(futures[fut])
                    continue
                except Exception as exc:  # e.g. a result that cannot be pickled
                    outcomes = [_Outcome(t.path, reason=f"internal error: {type(exc).__name__}: {exc}")
                                for t in futures[fut]]
                for o in outcomes:
                    emit(o)
    finally:
        gc.unfreeze()
    # A worker crashed (out of memory, a signal): isolate each remaining file so only the culprit fails.
    for task in sorted(orphans, key=lambda t: t.path):
        with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
            try:
                emit(pool.submit(_work, task).result())
            except BrokenProcessPool:
                emit(_died(task))


# ---------------------------------------------------------------------------------------------- outputs


class _Staged:
    """Output files written to temporary names in the output directory, then renamed into place together."""

    def __init__(self, outdir: Path) -> None:
        self.outdir = outdir
        self.pending: list[tuple[str, Path]] = []

    def _temp(self, name: str) -> Path:
        import tempfile

        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=self.outdir)
        try:
            os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; outputs get the usual permissions
        finally:
            os.close(fd)
        self.pending.append((tmp, self.outdir / name))
        return Path(tmp)

    def text(self, name: str, write: Callable[[IO[str]], None]) -> None:
        tmp = self._temp(name)
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())

    def binary(self, name: str, write: Callable[[IO[bytes]], None]) -> None:
        tmp = self._temp(name)
        with open(tmp, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())

    def parquet(self, name: str, table: Any) -> None:
        import pyarrow.parquet as pq

        tmp = self._temp(name)
        pq.write_table(table, tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())

    def commit(self) -> None:
        for tmp, final in self.pending:
            os.replace(tmp, final)
        self.pending.clear()
        _fsync_dir(self.outdir)

    def discard(self) -> None:
        for tmp, _ in self.pending:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        self.pending.clear()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def read_tables(outdir: str | os.PathLike[str]) -> dict[str, Any]:
    """The Parquet tables of a batch output directory as pandas DataFrames."""
    import pandas as pd

    out = Path(outdir)
    return {t: pd.read_parquet(out / f"{t}.parquet") for t in OUTPUT_TABLES}


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    """The objects of a JSON-lines file; unreadable or torn lines are skipped."""
    try:
        data = path.read_bytes()
    except OSError:
        return []
    out = []
    for line in data.split(b"\n"):  # not splitlines(): U+2028 and friends may sit inside JSON strings
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if isinstance(obj, dict):
            out.append(obj)
    return out


def _journal_header(analyze: bool) -> dict[str, Any]:
    from . import __version__
    from .models import SCHEMA_VERSION

    return {"journal": {"version": __version__, "schema_version": SCHEMA_VERSION, "analyze": analyze}}


def _previous(outdir: Path, analyze: bool) -> tuple[dict[str, tuple[str, bytes]], list[dict[str, str]]]:
    """Documents of earlier runs in `outdir` (finished, then unfinished) by name → (sha256, line), and errors."""
    from . import __version__

    manifest = outdir / MANIFEST
    same = True
    if manifest.exists():
        try:
            m = json.loads(manifest.read_text(encoding="utf-8"))
            same = (m.get("version") == __version__ and m.get("options", {}).get("analyze") == analyze)
        except (OSError, ValueError, AttributeError):
            same = False
    docs: dict[str, tuple[str, bytes]] = {}
    errors: list[dict[str, str]] = []
    if same:
        for path in (outdir / DOCUMENTS_JSONL,):
            try:
                lines = path.read_bytes().split(b"\n")
            except OSError:
                lines = []
            _absorb(lines, docs)
        errors = [e for e in _read_jsonl(outdir / ERRORS_JSONL) if "file" in e and "reason" in e]
    try:
        journal = (outdir / JOURNAL).read_bytes().split(b"\n")
    except OSError:
        journal = []
    if journal and _loads(journal[0]) == _journal_header(analyze):
        _absorb(journal[1:], docs)
    return docs, errors


def _journal_first_line(path: Path) -> Any:
    try:
        with open(path, encoding="utf-8") as fh:
            return _loads(fh.readline())
    except (OSError, UnicodeDecodeError):
        return None


def _loads(line: str | bytes) -> Any:
    try:
        return json.loads(line)
    except ValueError:  # UnicodeDecodeError included
        return None


def _absorb(lines: list[bytes], docs: dict[str, tuple[str, bytes]]) -> None:
    for line in lines:
        if not line.strip():
            continue
        obj = _loads(line)
        if not isinstance(obj, dict):
            continue  # a line torn by a crash
        src = obj.get("source") or {}
        if src.get("name") and src.get("sha256"):
            docs[src["name"]] = (src["sha256"], line)


def _sha256_of(path: str, max_bytes: int) -> str | None:
    import hashlib

    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            read = 0
            while chunk := fh.read(1 << 20):
                read += len(chunk)
                if read > max_bytes:
                    return None
                h.update(chunk)
    except OSError:
        return None
    return h.hexdigest()


def _prepare_outdir(outdir: Path) -> None:
    if outdir.exists() and not outdir.is_dir():
        raise UsageError(f"{outdir}: the output directory is a file")
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{outdir}: cannot create the output directory: {exc.strerror or exc}") from None
    if not os.access(outdir, os.W_OK | os.X_OK):
        raise UsageError(f"{outdir}: the output directory is not writable")


def default_jobs() -> int:
    """The number of cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _with_boilerplate(measures: Any, documents: list[dict[str, Any]]) -> Any:
    """The measures table with `boilerplate_group` filled across all the run's documents."""
    import pyarrow as pa

    from .frames import boilerplate_values

    values = boilerplate_values(documents, measures.column("doc_id").to_pylist(),
                                measures.column("span_start").to_pylist())
    i = measures.schema.get_field_index("boilerplate_group")
    return measures.set_column(i, measures.schema.field(i), pa.array(values, type=pa.int64()))


def run_batch(
    paths: Sequence[str | os.PathLike[str]] | str | os.PathLike[str],
    outdir: str | os.PathLike[str],
    *,
    jobs: int | None = None,
    analyze: bool = False,
    resume: bool = False,
    max_bytes: int | None = None,
    progress: bool = False,
    urls: Sequence[str] = (),
) -> BatchResult:
    """Parse every notice under `paths` into `outdir`; raise UsageError when the batch cannot start.

    Writes documents.jsonl, one Parquet file per table (see report_parser.frames), errors.jsonl and
    manifest.json, each to a temporary file first and all renamed into place at the end. With `resume`,
    files whose sha256 (and name) are already in documents.jsonl are not parsed again.
    """
    from datetime import UTC, datetime

    from . import __version__
    from .decode import DEFAULT_MAX_BYTES
    from .frames import arrow_schema, arrow_tables, rows
    from .models import SCHEMA_VERSION

    if isinstance(paths, str | os.PathLike):
        paths = [paths]  # one path, not a sequence of characters
    jobs = default_jobs() if jobs is None else jobs
    if jobs < 1:
        raise UsageError(f"-j must be at least 1, not {jobs}")
    max_bytes = max_bytes or DEFAULT_MAX_BYTES
    out = Path(outdir)
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out}: the output directory is a file")
    files, missing = collect_inputs(paths, skip=[os.fspath(out)])
    files += [u for u in dict.fromkeys(urls) if u not in files]  # fetched and parsed like files, named by URL
    if not files:
        raise UsageError("no inputs found" + (f": {missing[0]['file']}: {missing[0]['reason']}" if missing else ""))
    _prepare_outdir(out)

    previous, old_errors = _previous(out, analyze) if resume else ({}, [])
    lines: dict[str, bytes] = {}  # path → document line
    parts: dict[str, dict[str, Any]] = {}  # path → {table: Arrow IPC stream bytes, or a pyarrow Table}
    errors: dict[str, str] = {e["file"]: e["reason"] for e in missing}
    todo: list[_Task] = []
    reused = 0
    for f in files:
        prev = previous.get(f)
        if prev is not None and _sha256_of(f, max_bytes) == prev[0]:
            lines[f] = prev[1]
            reused += 1
        else:
            todo.append(_Task(f, analyze, max_bytes))

    journal_path = out / JOURNAL
    if not resume or _journal_first_line(journal_path) != _journal_header(analyze):
        journal_path.write_text(json.dumps(_journal_header(analyze)) + "\n", encoding="utf-8")
    journal = open(journal_path, "ab")  # noqa: SIM115 - closed below, kept across the run

    from tqdm import tqdm

    show = progress and sys.stderr.isatty() and bool(todo)
    bar: Any = None

    def start_bar() -> None:
        nonlocal bar
        if show and bar is None:
            bar = tqdm(total=len(todo), unit="file", desc="parsing", file=sys.stderr, dynamic_ncols=True)

    def emit(o: _Outcome) -> None:
        if o.line is not None:
            lines[o.path] = o.line
            parts[o.path] = o.tables or {}
            journal.write(o.line + b"\n")
            journal.flush()
        else:
            errors[o.path] = o.reason or "internal error: unknown"
        if bar is not None:
            bar.update(1)

    try:
        if jobs == 1 or len(todo) <= 1:
            start_bar()
            for t in todo:
                emit(_work(t))
        else:
            _warm_up(analyze)  # before forking, so that workers inherit what it loaded
            _run_parallel(todo, min(jobs, len(todo)), emit, start_bar)
    finally:
        if bar is not None:
            bar.close()
        journal.close()

    # Merge: documents and errors of earlier runs for files not in this run are kept.
    current = set(files) | {e["file"] for e in missing}
    for name, (_sha, line) in previous.items():
        if name not in current:
            lines.setdefault(name, line)
    for e in old_errors:
        if e["file"] not in current and e["file"] not in lines:
            errors.setdefault(e["file"], e["reason"])
    order = sorted(lines)
    for name in order:
        if name not in parts:
            parts[name] = arrow_tables(rows(json.loads(lines[name])))
    import pyarrow as pa

    for name in order:
        if any(isinstance(v, bytes) for v in parts[name].values()):
            parts[name] = _from_ipc(parts[name])
    tables = {t: pa.concat_tables([arrow_schema(t).empty_table(), *(parts[n][t] for n in order)])
              for t in OUTPUT_TABLES}
    if analyze and tables["measures"].num_rows:
        tables["measures"] = _with_boilerplate(tables["measures"], [json.loads(lines[n]) for n in order])
    error_list = [{"file": f, "reason": errors[f]} for f in sorted(errors)]
    failed = sum(1 for f in errors if f in current)

    manifest = {
        "tool": "report-parser",
        "version": __version__,
        "schema_version": SCHEMA_VERSION,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "inputs": [*(os.fspath(p) for p in paths), *urls],
        "options": {"analyze": analyze, "jobs": jobs, "resume": resume, "max_bytes": max_bytes},
        "counts": {
            "files": len(files) + len(missing),
            "parsed": len(todo) - sum(1 for t in todo if t.path in errors),
            "reused": reused,
            "failed": failed,
            "documents": len(order),
            "errors": len(error_list),
            "rows": {t: tables[t].num_rows for t in OUTPUT_TABLES},
        },
        "outputs": [DOCUMENTS_JSONL, *(f"{t}.parquet" for t in OUTPUT_TABLES), ERRORS_JSONL, MANIFEST],
    }
    staged = _Staged(out)
    try:
        staged.binary(DOCUMENTS_JSONL, lambda fh: fh.writelines(lines[n] + b"\n" for n in order))
        for t in OUTPUT_TABLES:
            staged.parquet(f"{t}.parquet", tables[t])
        staged.text(ERRORS_JSONL, lambda fh: fh.writelines(
            json.dumps(e, ensure_ascii=False) + "\n" for e in error_list))
        staged.text(MANIFEST, lambda fh: fh.write(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"))
        staged.commit()  # the manifest comes last: it vouches for the files before it
    except BaseException:
        staged.discard()
        raise
    with contextlib.suppress(FileNotFoundError):
        journal_path.unlink()

    return BatchResult(outdir=out, files=len(files) + len(missing), parsed=manifest["counts"]["parsed"],
                       reused=reused, documents=len(order), errors=error_list, failed=failed,
                       status=EXIT_SOME_FAILED if failed else EXIT_OK)


# ---------------------------------------------------------------------------------------------- compare


def compare_table(source: str | os.PathLike[str] | dict[str, Any]) -> Any:
    """One row per notice (its unit): problems, measures, quantified and status shares, summary figures.

    `source` is a batch output directory or the tables of `report_parser.frames`. Sorted by unit, then
    feedback date. `boilerplate_share` is added when the measures table has `boilerplate_group` values.
    """
    import pandas as pd

    tables = read_tables(source) if not isinstance(source, dict) else source
    docs, measures = tables["documents"], tables["measures"]
    # groups exist only when analysis ran: an all-empty column means no share to report
    grouped = "boilerplate_group" in measures.columns and bool(measures["boilerplate_group"].notna().any())
    out_rows = []
    for d in docs.itertuples(index=False):
        m = measures[measures["doc_id"] == d.doc_id]
        n_m = len(m)
        unit = d.issuer if isinstance(d.issuer, str) else Path(str(d.name)).stem
        status = m["status"].astype("string")

        def share(mask: Any, n: int = n_m) -> float | None:
            return round(float(mask.sum()) / n, 4) if n else None

        row = {
            "unit": unit,
            "feedback_date": d.feedback_date if isinstance(d.feedback_date, str) else None,
            "doc_id": d.doc_id,
            "problems": int(d.n_problems),
            "measures": n_m,
            "measures_per_problem": round(n_m / d.n_problems, 2) if d.n_problems else None,
            "quantified_share": share(m["has_figure"].fillna(False).astype(bool)),
            "done_share": share(status.eq("done").fillna(False)),
            "ongoing_share": share(status.eq("ongoing").fillna(False)),
            "planned_share": share(status.eq("planned").fillna(False)),
            "problems_fed_back": _num(d.problems_fed_back),
            "problems_rectified": _num(d.problems_rectified),
            "completion_rate": _num(d.completion_rate),
        }
        if grouped:
            row["boilerplate_share"] = share(m["boilerplate_group"].notna())
        out_rows.append(row)
    cols = ["unit", "feedback_date", "doc_id", "problems", "measures", "measures_per_problem", "quantified_share",
            "done_share", "ongoing_share", "planned_share", "problems_fed_back", "problems_rectified",
            "completion_rate"]
    if grouped:
        cols.append("boilerplate_share")
    table = pd.DataFrame(out_rows, columns=cols)
    for c in cols[3:]:
        table[c] = table[c].astype("Int64" if c in ("problems", "measures") else "Float64")
    return table.sort_values(["unit", "feedback_date", "doc_id"], na_position="last", kind="stable").reset_index(drop=True)


def _num(v: Any) -> float | int | None:
    if _missing(v):
        return None
    f = float(v)
    return int(f) if f.is_integer() else f


def _cell(v: Any) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, float):
        return f"{v:.4g}" if abs(v) < 1 else f"{v:g}"
    return str(v).replace("|", "\\|").replace("\n", " ")


def to_markdown(table: Any) -> str:
    """A DataFrame as a GitHub Markdown table, numbers right-aligned; no extra dependency."""
    from pandas.api.types import is_numeric_dtype

    cols = list(table.columns)
    records = [[None if _missing(v) else v for v in r] for r in table.astype("object").itertuples(index=False)]
    head = "| " + " | ".join(cols) + " |"
    rule = "|" + "|".join("---:" if is_numeric_dtype(table[c]) else "---" for c in cols) + "|"
    body = ["| " + " | ".join(_cell(v) for v in r) + " |" for r in records]
    return "\n".join([head, rule, *body]) + "\n"


def _missing(v: Any) -> bool:
    import pandas as pd

    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def format_table(table: Any, fmt: str) -> str:
    """The comparison table as `markdown`, `csv` (UTF-8 with BOM) or `json` (a list of records) text."""
    if fmt == "csv":  # with a byte order mark, so Excel reads it as UTF-8
        return "\ufeff" + table.to_csv(index=False, lineterminator="\n")
    if fmt == "json":
        records = [{k: (None if _missing(v) else v) for k, v in r.items()}
                   for r in table.astype("object").to_dict(orient="records")]
        return json.dumps(records, ensure_ascii=False, indent=2) + "\n"
    return to_markdown(table)


# ---------------------------------------------------------------------------------------------- command line


def add_arguments(sub: argparse._SubParsersAction) -> None:
    """Add the `batch` and `compare` subcommands to the report-parser command line."""
    p = sub.add_parser("batch", help="parse folders of notices into JSONL and Parquet tables",
                       description="Parse every supported file under PATH (folders, globs, files) into OUTDIR.")
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help="folders (walked for " + " ".join(sorted(SUPPORTED_EXTENSIONS)) + "), globs, or files")
    p.add_argument("-o", "--outdir", required=True, metavar="OUTDIR", help="where the outputs are written")
    p.add_argument("-j", "--jobs", type=int, default=None, metavar="N",
                   help=f"parallel processes (default: the number of cores, here {default_jobs()}); 1 runs in-process")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar and no summary line")
    p.add_argument("--analyze", action="store_true", help="add subjects, keywords and topics (loads jieba)")
    p.add_argument("--resume", action="store_true",
                   help="skip files already in OUTDIR/documents.jsonl (same sha256) and merge the rest")
    p.add_argument("--max-bytes", type=int, default=None, metavar="N", help="refuse inputs larger than N bytes")
    p.add_argument("--urls", metavar="FILE", help="also fetch and parse the URLs listed in FILE, one a line")
    p.set_defaults(func=_cmd_batch)

    c = sub.add_parser("compare", help="per-unit comparison table of a batch output directory")
    c.add_argument("outdir", metavar="OUTDIR", help="a directory written by `report-parser batch`")
    c.add_argument("--format", choices=("markdown", "csv", "json", "xlsx"), default="markdown",
                   help="output format (xlsx needs -o)")
    c.add_argument("-o", "--output", metavar="OUT", help="write to OUT instead of standard output")
    c.add_argument("--labels", choices=("en", "zh"), default="en", help="xlsx column names (default en)")
    c.set_defaults(func=_cmd_compare)


def _cmd_batch(args: argparse.Namespace) -> int:
    from .errors import InputError
    from .fetch import read_url_list

    try:
        urls = read_url_list(args.urls) if args.urls else []
        result = run_batch(args.paths, args.outdir, jobs=args.jobs, analyze=args.analyze, resume=args.resume,
                           max_bytes=args.max_bytes, progress=not args.quiet, urls=urls)
    except InputError as exc:
        print(f"report-parser batch: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except UsageError as exc:
        print(f"report-parser batch: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if result.failed:
        print(f"report-parser batch: {result.failed} of {result.files} files could not be parsed "
              f"(see {result.outdir / ERRORS_JSONL})", file=sys.stderr)
    elif not args.quiet:
        print(f"report-parser batch: {result.documents} documents in {result.outdir}"
              + (f" ({result.reused} reused)" if result.reused else ""), file=sys.stderr)
    return result.status


def _cmd_compare(args: argparse.Namespace) -> int:
    out = Path(args.outdir)
    missing = [f"{t}.parquet" for t in ("documents", "measures") if not (out / f"{t}.parquet").is_file()]
    if missing:
        print(f"report-parser compare: error: {out}: not a batch output directory (no {missing[0]})",
              file=sys.stderr)
        return EXIT_USAGE
    import pandas as pd

    tables = {t: pd.read_parquet(out / f"{t}.parquet") for t in ("documents", "measures")}
    if args.format == "xlsx":
        if not args.output:
            print("report-parser compare: error: --format xlsx needs -o OUT.xlsx", file=sys.stderr)
            return EXIT_USAGE
        from .xlsx import write_xlsx

        write_xlsx({"compare": compare_table(tables)}, args.output, labels=args.labels)
        return EXIT_OK
    text = format_table(compare_table(tables), args.format)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return EXIT_OK
