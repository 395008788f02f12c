"""Writing a batch's outputs: the lock on the output folder, the journal, the tables, the manifest.

Outputs are written to temporary files and renamed into place together, the manifest last: it holds
the run id and the sha256 of every output, so a reader can tell a complete set from a set mixed by a
kill in the middle of the renames (`read_tables` refuses those). Temporary files left by a killed run
are removed at the start of the next; a second batch into a locked folder stops at once.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

OUTPUT_TABLES = ("documents", "nodes", "problems", "measures", "metrics", "topics", "warnings")  # frames.TABLES
DOCUMENTS_JSONL = "documents.jsonl"
ERRORS_JSONL = "errors.jsonl"
MANIFEST = "manifest.json"
# Documents parsed so far in an unfinished run, one per line after a header; read by --resume, removed at the end.
JOURNAL = ".documents.partial.jsonl"
# The table rows the workers packed during a run (Arrow IPC streams), removed at its end; `.tmp` so that a
# killed run's spool is removed by the next.
SPOOL = ".rows.spool.tmp"
LOCK = ".lock"


class UsageError(ValueError):
    """A batch that cannot start: no inputs, an unusable output directory, bad options (exit status 2)."""


class MixedOutputsError(RuntimeError):
    """The outputs of a folder do not all belong to the run its manifest describes."""


class Staged:
    """Output files written to temporary names in the output directory, then renamed into place together."""

    def __init__(self, outdir: Path) -> None:
        self.outdir = outdir
        self.pending: list[tuple[str, Path]] = []
        self.hashes: dict[str, str] = {}  # output name → sha256 of what was written

    def _hash(self, name: str, tmp: Path) -> None:
        h = hashlib.sha256()
        with open(tmp, "rb") as fh:
            while chunk := fh.read(1 << 20):
                h.update(chunk)
            os.fsync(fh.fileno())
        self.hashes[name] = h.hexdigest()

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
        self._hash(name, tmp)

    def lines(self, name: str, lines: list[bytes]) -> None:
        """Each of `lines` followed by a newline: two threads copy halves into the file side by side (the
        kernel's copy is most of the cost) while a third hashes; no joined copy of the whole is made."""
        from concurrent.futures import ThreadPoolExecutor

        tmp = self._temp(name)
        offsets = [0]
        for line in lines:
            offsets.append(offsets[-1] + len(line) + 1)
        half = next((i for i, at in enumerate(offsets) if at >= offsets[-1] // 2), len(lines))

        def sha() -> str:
            h = hashlib.sha256()
            for line in lines:
                h.update(line)  # releases the GIL for lines of more than 2 KB
                h.update(b"\n")
            return h.hexdigest()

        fd = os.open(tmp, os.O_WRONLY)
        try:
            with ThreadPoolExecutor(max_workers=3) as pool:
                digest = pool.submit(sha)
                parts = [pool.submit(_pwrite_lines, fd, lines[a:b], offsets[a]) for a, b in ((0, half),
                                                                                            (half, len(lines)))]
                for part in parts:
                    part.result()
                self.hashes[name] = digest.result()
            os.fsync(fd)
        finally:
            os.close(fd)

    def parquet(self, name: str, table: Any) -> None:
        import pyarrow.parquet as pq

        tmp = self._temp(name)
        pq.write_table(table, tmp)
        self._hash(name, tmp)

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


def _pwrite_lines(fd: int, lines: list[bytes], offset: int) -> None:
    """Write each line and a newline at `offset` on, a few hundred lines a call."""
    for i in range(0, len(lines), 256):
        parts = [x for line in lines[i:i + 256] for x in (line, b"\n")]
        n = sum(len(x) for x in parts)
        done = os.pwritev(fd, parts, offset)
        if done < n:  # a short write: the rest in one piece
            rest = b"".join(parts)[done:]
            while rest:
                k = os.pwrite(fd, rest, offset + done)
                done, rest = done + k, rest[k:]
        offset += n


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


def _file_sha256(path: Path) -> str | None:
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                h.update(chunk)
    except OSError:
        return None
    return h.hexdigest()


def check_outputs(outdir: str | os.PathLike[str]) -> None:
    """Raise MixedOutputsError when an output's sha256 differs from the one the manifest records."""
    out = Path(outdir)
    try:
        manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return  # no manifest (tables written by hand, or an older version): nothing to check against
    hashes = manifest.get("sha256") if isinstance(manifest, dict) else None
    if not isinstance(hashes, dict):
        return
    for name, digest in hashes.items():
        if _file_sha256(out / name) != digest:
            raise MixedOutputsError(
                f"{out}: {name} does not belong to run {manifest.get('run_id')} of its manifest "
                "(a batch was stopped while renaming its outputs); run the batch again")


def read_tables(outdir: str | os.PathLike[str], *, check: bool = True) -> dict[str, Any]:
    """The Parquet tables of a batch output directory as pandas DataFrames (checked against the manifest)."""
    import pandas as pd

    out = Path(outdir)
    if check:
        check_outputs(out)
    return {t: pd.read_parquet(out / f"{t}.parquet") for t in OUTPUT_TABLES}


@contextlib.contextmanager
def locked(outdir: Path) -> Any:
    """Hold an exclusive lock on the output folder for the run; another holder → UsageError at once."""
    import fcntl

    path = outdir / LOCK
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.read(fd, 32).decode("ascii", "replace").strip()
            os.close(fd)
            raise UsageError(f"{outdir}: another batch is writing to this folder"
                             + (f" (pid {holder})" if holder else "") + "; wait for it or use another -o") from None
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)  # the file was removed by the run that held it: lock the new one
    try:
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
        os.close(fd)


def remove_stale(outdir: Path) -> list[str]:
    """Temporary outputs left by a run that was killed (`.NAME.XXXX.tmp`); removed, their names returned."""
    gone = []
    for p in outdir.glob(".*.tmp"):
        if p.is_file():
            with contextlib.suppress(OSError):
                p.unlink()
                gone.append(p.name)
    return gone


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


def journal_header(analyze: bool) -> dict[str, Any]:
    from report_parser import __version__
    from report_parser.models import SCHEMA_VERSION

    return {"journal": {"version": __version__, "schema_version": SCHEMA_VERSION, "analyze": analyze}}


def previous(outdir: Path, analyze: bool) -> tuple[dict[str, tuple[str, bytes]], list[dict[str, str]]]:
    """Documents of earlier runs in `outdir` (finished, then unfinished) by name → (sha256, line), and errors."""
    from report_parser import __version__

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
    if journal and _loads(journal[0]) == journal_header(analyze):
        _absorb(journal[1:], docs)
    return docs, errors


def journal_first_line(path: Path) -> Any:
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


def prepare_outdir(outdir: Path) -> None:
    if outdir.exists() and not outdir.is_dir():
        raise UsageError(f"{outdir}: the output directory is a file")
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{outdir}: cannot create the output directory: {exc.strerror or exc}") from None
    if not os.access(outdir, os.W_OK | os.X_OK):
        raise UsageError(f"{outdir}: the output directory is not writable")




def _with_boilerplate(measures: Any, documents: list[dict[str, Any]]) -> Any:
    """The measures table with `boilerplate_group` filled across all the run's documents."""
    import pyarrow as pa

    from report_parser.frames import boilerplate_values

    values = boilerplate_values(documents, measures.column("doc_id").to_pylist(),
                                measures.column("span_start").to_pylist())
    i = measures.schema.get_field_index("boilerplate_group")
    return measures.set_column(i, measures.schema.field(i), pa.array(values, type=pa.int64()))


def _ordered(pieces: list[Any], where: dict[str, tuple[int, int]], order: list[str]) -> Any:
    """The rows of `pieces` (concatenated) in document order; `where`: name → (first row, rows)."""
    import pyarrow as pa

    whole = pa.concat_tables(pieces)
    at = 0
    for name in order:
        first, n = where[name]
        if first != at:
            break
        at += n
    else:
        if at == whole.num_rows:
            # the packs one after the other: written as they are (a chunk per pack of a few dozen files
            # writes as fast as one chunk, and neither take nor combine_chunks copies every row)
            return whole
    index = [i for name in order for i in range(where[name][0], sum(where[name]))]
    # one chunk per column: Parquet writes a table of many small chunks three times slower
    return whole.take(pa.array(index, type=pa.int64())).combine_chunks()


def build_tables(lines: dict[str, bytes], packs: list[Any], order: list[str], analyze: bool) -> dict[str, Any]:
    """One pyarrow Table per output table, documents in `order`: their rows from the workers' packs
    (run.Packed), or built here from their JSON line (reused documents, a worker that died holding rows)."""
    from report_parser.frames import arrow_schema, arrow_tables, rows

    from .plan import display_name
    from .run import Packer, unpack

    wanted = set(order)
    pieces: dict[str, list[Any]] = {t: [arrow_schema(t).empty_table()] for t in OUTPUT_TABLES}
    where: dict[str, dict[str, tuple[int, int]]] = {t: {} for t in OUTPUT_TABLES}  # name → (first row, rows)
    length = dict.fromkeys(OUTPUT_TABLES, 0)  # rows in pieces[t] so far

    def add(names: list[str], counts: dict[str, list[int]], tables: dict[str, Any]) -> None:
        for t in OUTPUT_TABLES:
            at = length[t]
            for name, n in zip(names, counts.get(t) or [0] * len(names), strict=True):
                if name in wanted:
                    where[t].setdefault(name, (at, n))
                at += n
            pieces[t].append(tables[t])
            length[t] += len(tables[t])

    maps: dict[str, Any] = {}  # the spool, memory-mapped
    position = {name: i for i, name in enumerate(order)}
    named = [([display_name(x) for x in p.paths], p) for p in packs]
    # in document order: the workers pack runs of consecutive files, so the tables are then most often
    # the packs one after the other, which needs no reordering
    named.sort(key=lambda x: min((position[n] for n in x[0] if n in position), default=len(order)))
    for names, p in named:
        add(names, p.counts, unpack(p, maps))
    rest = Packer()
    for name in order:
        if name not in where[OUTPUT_TABLES[0]]:
            rest.add(name, rows(json.loads(lines[name])))
    if rest.paths:
        add(rest.paths, rest.counts, arrow_tables(rest.rows))

    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=4) as pool:  # take and combine release the GIL
        tables = dict(zip(OUTPUT_TABLES, pool.map(lambda t: _ordered(pieces[t], where[t], order), OUTPUT_TABLES),
                          strict=True))
    if analyze and tables["measures"].num_rows:
        tables["measures"] = _with_boilerplate(tables["measures"], [json.loads(lines[n]) for n in order])
    return tables


def write_outputs(out: Path, lines: dict[str, bytes], order: list[str], tables: Callable[[], dict[str, Any]],
                  error_list: list[dict[str, str]], manifest: dict[str, Any]) -> None:
    """Write every output to a temporary file, then rename them all; the manifest, with their hashes, last.

    `tables()` builds the tables (and fills `manifest`): it runs while the documents are being written."""
    from concurrent.futures import ThreadPoolExecutor

    staged = Staged(out)
    names = [DOCUMENTS_JSONL, *(f"{t}.parquet" for t in OUTPUT_TABLES), ERRORS_JSONL]
    try:
        # written side by side: Parquet encoding, hashing and fsync release the GIL
        with ThreadPoolExecutor(max_workers=4) as pool:
            # copying and hashing release the GIL, which the tables being built meanwhile need
            jobs = [pool.submit(staged.lines, DOCUMENTS_JSONL, [lines[n] for n in order]),
                    pool.submit(staged.text, ERRORS_JSONL, lambda fh: fh.writelines(
                        json.dumps(e, ensure_ascii=False) + "\n" for e in error_list))]
            built = tables()
            jobs += [pool.submit(staged.parquet, f"{t}.parquet", built[t]) for t in OUTPUT_TABLES]
            for job in jobs:
                job.result()  # the first error, raised here
        manifest["sha256"] = {name: staged.hashes[name] for name in names}
        staged.text(MANIFEST, lambda fh: fh.write(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"))
        staged.commit()  # the manifest comes last: it vouches for the files before it
    except OSError as exc:
        staged.discard()
        raise UsageError(f"{out}: cannot write the outputs: {exc.strerror or exc}"
                         + (" (no space left on the device)" if getattr(exc, "errno", None) == 28 else "")) from None
    except BaseException:
        staged.discard()
        raise
