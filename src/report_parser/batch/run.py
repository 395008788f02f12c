"""Running a batch: each file parsed in a worker process under a CPU, memory and wall-clock budget.

A worker gets files from the parent over a pipe, a run of consecutive files at a time and the next
run before it is done (so it never waits for the parent, which reads the replies every few
milliseconds, several files per wake-up). It appends each document's JSON line to the run's journal
itself, and the packed rows of each run to the run's spool, and sends the parent only where they
are (offset and length): the parent, which shares the two cores with the workers under `-j 2`, then
moves a few bytes per file instead of the whole document. Before each file the worker raises its
soft RLIMIT_CPU to what it has used plus the CPU budget (SIGXCPU then ends the parse with an
error), and it runs under RLIMIT_AS set at start (a MemoryError ends the parse). The parent is the
watchdog: it kills a worker whose file passes the wall-clock budget or whose resident memory passes
the memory budget, lists the file with that reason, gives the files queued behind it to the others
and starts a fresh worker. Workers die with their parent (PR_SET_PDEATHSIG on Linux when forked
from it, and a thread that watches the parent's pid).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import select
import signal
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import multiprocessing.context

log = logging.getLogger("report_parser")

# The budget of one file: CPU seconds, resident bytes, wall-clock seconds (the machine may be shared).
DEFAULT_CPU_SECONDS = 60
DEFAULT_MEMORY_BYTES = 1 << 30
DEFAULT_WALL_SECONDS = 180
_POLL = 0.25  # seconds between the parent's checks of its workers
_NAP = 0.005  # seconds the parent lets replies gather before it reads them, while the workers have
_NAP_FILES = 8  # at least this many files each (near the end, it answers at once)


@dataclass(frozen=True, slots=True)
class Limits:
    cpu_seconds: float = DEFAULT_CPU_SECONDS
    memory_bytes: int = DEFAULT_MEMORY_BYTES
    wall_seconds: float = DEFAULT_WALL_SECONDS


@dataclass(frozen=True, slots=True)
class Task:
    path: str
    analyze: bool
    max_bytes: int


# A worker sends the table rows of this many parsed files at once: building and sending Arrow tables
# costs about as much for 32 files as for one, and the parent then concatenates a few dozen parts.
PACK_FILES = 32
FLUSH = "flush"  # the parent's request for the rows a worker still holds (at the end of the run)


@dataclass(slots=True)
class Packed:
    """The table rows of several files a worker parsed, as Arrow IPC streams of all their rows."""

    paths: list[str]  # the files, in the order of their rows
    counts: dict[str, list[int]]  # per table, the rows of each file of `paths`
    streams: dict[str, bytes]  # per table, an Arrow IPC stream of the rows of all `paths` (when not spooled)
    spool: str | None = None  # the file the streams were appended to instead,
    at: dict[str, tuple[int, int]] | None = None  # per table, where its stream is in `spool`: (offset, length)


@dataclass(slots=True)
class Outcome:
    path: str  # "" for the reply to FLUSH, which only carries `packed`
    line: bytes | None = None  # the Document as one line of JSON, UTF-8, no newline
    sha256: str | None = None
    reason: str | None = None
    rows: dict[str, list[dict[str, Any]]] | None = None  # its table rows: kept by the worker, not sent
    packed: Packed | None = None  # the rows of this and the worker's earlier files, every PACK_FILES files
    journaled: bool = False  # `line` is already in the run's journal (the worker appended it)


class _CPUBudget(Exception):
    """Raised in a worker by SIGXCPU: the file used up its CPU seconds."""


def _dump_line(data: dict[str, Any]) -> bytes:
    # the same text as `report-parser parse --jsonl` (cli.to_json); bytes travel between processes as they are
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def work(task: Task) -> Outcome:
    """Parse one file; never raises: a failure becomes an outcome with a reason."""
    from report_parser.errors import InputError
    from report_parser.fetch import load_input
    from report_parser.frames import rows
    from report_parser.pipeline import ParseOptions, parse_loaded

    try:
        loaded = load_input(task.path, max_bytes=task.max_bytes)  # a file, or a URL from --urls
        doc = parse_loaded(loaded, ParseOptions(analyze=task.analyze))
        data = doc.model_dump(mode="json")
        # the table rows are built here, in the worker, so that the parent only concatenates
        return Outcome(task.path, _dump_line(data), loaded.sha256, rows=rows(data))
    except InputError as exc:
        return Outcome(task.path, reason=exc.reason)
    except _CPUBudget:
        return Outcome(task.path, reason="CPU time limit exceeded (the file's budget of CPU seconds ran out)")
    except MemoryError:
        return Outcome(task.path, reason="memory limit exceeded while parsing")
    except Exception as exc:  # one bad file never stops the run
        log.debug("internal error on %s", task.path, exc_info=True)
        return Outcome(task.path, reason=f"internal error: {type(exc).__name__}: {exc}")


def to_ipc(tables: dict[str, Any]) -> dict[str, bytes]:
    """Arrow tables as IPC stream bytes: pickled as plain bytes, ten times cheaper than pickling the tables."""
    import pyarrow as pa

    out = {}
    for name, table in tables.items():
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        out[name] = sink.getvalue().to_pybytes()
    return out


class Packer:
    """A worker's rows of the files it parsed since it last sent them, packed into one Packed."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        self.rows: dict[str, list[dict[str, Any]]] = {}
        self.counts: dict[str, list[int]] = {}

    def add(self, path: str, part: dict[str, list[dict[str, Any]]]) -> None:
        self.paths.append(path)
        for t, r in part.items():
            self.rows.setdefault(t, []).extend(r)
            self.counts.setdefault(t, [0] * (len(self.paths) - 1)).append(len(r))
        for c in self.counts.values():  # a table the part had no key for
            if len(c) < len(self.paths):
                c.append(0)

    def take(self) -> Packed | None:
        """The rows held, packed (None when there are none); the packer is empty after."""
        from report_parser.frames import arrow_tables

        if not self.paths:
            return None
        packed = Packed(self.paths, self.counts, to_ipc(arrow_tables(self.rows)))
        self.clear()
        return packed

    def clear(self) -> None:
        self.paths, self.rows, self.counts = [], {}, {}


def from_ipc(streams: dict[str, bytes]) -> dict[str, Any]:
    import pyarrow as pa

    return {name: pa.ipc.open_stream(data).read_all() for name, data in streams.items()}


def unpack(p: Packed, maps: dict[str, Any]) -> dict[str, Any]:
    """A pack's Arrow tables: from its streams, or read in place from the spool (memory-mapped once, in `maps`)."""
    if p.spool is None or p.at is None:
        return from_ipc(p.streams)
    import pyarrow as pa

    m = maps.get(p.spool)
    if m is None:
        m = maps[p.spool] = pa.memory_map(p.spool, "r").read_buffer()
    return {name: pa.ipc.open_stream(m.slice(off, n)).read_all() for name, (off, n) in p.at.items()}


class Appender:
    """A file of the run that workers append to (the journal, the spool): opened with O_APPEND, so each
    write lands whole at the end whoever else writes; `append` returns where it landed."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | getattr(os, "O_CLOEXEC", 0))

    def append(self, parts: list[bytes]) -> int:
        """Write `parts` at the end of the file in one call; their offset. OSError if not all was written."""
        n = sum(len(x) for x in parts)
        if os.writev(self.fd, parts) != n:
            raise OSError(f"{self.path}: short write")
        return os.lseek(self.fd, 0, os.SEEK_CUR) - n  # this descriptor's position: the end of this write


def _appender(path: str | None) -> Appender | None:
    if path is None:
        return None
    try:
        return Appender(path)
    except OSError:  # the parent gets the bytes through the pipe instead
        log.debug("cannot append to %s", path, exc_info=True)
        return None


# A tiny notice parsed before forking: the lazily built converters, patterns and schemas are then
# inherited by every worker instead of being built again in each.
_WARM_UP = ("中共某县某局党组关于巡察整改情况的通报\n根据县委统一部署，2024年3月1日至5月10日，县委第一巡察组对某局党组"
            "进行了常规巡察，6月2日反馈了意见。反馈问题5个，已完成整改4个，整改完成率80%。\n一、问题\n"
            "（一）制度不健全。一是制定制度3项；二是拟于2025年底前完成。\n欢迎广大干部群众监督。联系电话：0415-5110029。\n")


def warm_up(analyze: bool) -> None:
    from report_parser.decode import load_bytes
    from report_parser.frames import arrow_tables, rows
    from report_parser.pipeline import ParseOptions, parse_loaded

    try:
        doc = parse_loaded(load_bytes(_WARM_UP.encode("utf-8"), "warm-up.txt"), ParseOptions(analyze=analyze))
        arrow_tables(rows(doc.model_dump(mode="json")))
    except Exception:  # only an optimisation; the real files will tell what is wrong
        log.debug("warm-up parse failed", exc_info=True)


# ---------------------------------------------------------------------------------------------- the worker


def _die_with_parent() -> None:
    """Ask the kernel to kill this process when its parent dies (Linux); elsewhere the pid check does it."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _vm_size() -> int:
    """This process's virtual size in bytes (0 when /proc is not there)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _on_sigxcpu(signum: int, frame: object) -> None:
    raise _CPUBudget()


def _set_cpu_budget(seconds: float) -> None:
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    soft = int(usage.ru_utime + usage.ru_stime + seconds) + 1
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _set_memory_budget(nbytes: int) -> None:
    """RLIMIT_AS at the worker's size at start plus the budget: allocations past it raise MemoryError."""
    import resource

    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    soft = _vm_size() + nbytes
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _watch_parent(parent: int) -> None:
    """Exit when the batch's process is gone: started through a fork server, a worker's parent is the
    server, so the kernel's parent-death signal does not cover it."""
    import threading

    def watch() -> None:
        while True:
            time.sleep(1.0)
            try:
                os.kill(parent, 0)
            except ProcessLookupError:
                os._exit(1)
            except OSError:
                pass

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def worker_main(conn: Any, limits: Limits, parent: int, journal: str | None = None, spool: str | None = None) -> None:
    """A worker's loop: receive a task (path, analyze, max_bytes), send back its reply (see `_reply`), until
    None or the parent is gone. Document lines go to `journal`, packed rows to `spool` (when given)."""
    if os.getppid() == parent:
        _die_with_parent()
    _watch_parent(parent)
    signal.signal(signal.SIGXCPU, _on_sigxcpu)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:
        _set_memory_budget(limits.memory_bytes)
    except (ValueError, OSError):
        log.debug("RLIMIT_AS not set", exc_info=True)
    packer = Packer()
    files = [_appender(journal), _appender(spool)]
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        if isinstance(msg, str):  # FLUSH
            _cpu_budget(limits)
            conn.send(("", None, None, None, _take(packer, files)))
            continue
        for i, args in enumerate(msg):
            _cpu_budget(limits)
            task = Task(*args)
            outcome = work(task)
            if outcome.rows is not None:
                packer.add(task.path, outcome.rows)
                outcome.rows = None
            # packs end where runs end: their files are then consecutive, and the tables their concatenation
            full = bool(packer.paths) and (i == len(msg) - 1 or len(packer.paths) >= PACK_FILES)
            conn.send(_reply(outcome, files, _take(packer, files) if full else None))


def _cpu_budget(limits: Limits) -> None:
    try:
        _set_cpu_budget(limits.cpu_seconds)
    except (ValueError, OSError):
        log.debug("RLIMIT_CPU not set", exc_info=True)


def _reply(o: Outcome, files: list[Appender | None], packed: Packed | None) -> tuple[Any, ...]:
    """What a worker sends for a file: (path, line, sha256, reason, packed), a plain tuple (cheap to pickle);
    `line` is (offset, length) in the journal once appended there, the bytes themselves when it could not be."""
    line: bytes | tuple[int, int] | None = o.line
    journal = files[0]
    if o.line is not None and journal is not None:
        try:
            line = (journal.append([o.line, b"\n"]), len(o.line))
        except (OSError, _CPUBudget, MemoryError):
            files[0] = None  # from now on through the pipe
            log.debug("journal append failed", exc_info=True)
    return (o.path, line, o.sha256, o.reason, packed)


def _take(packer: Packer, files: list[Appender | None]) -> Packed | None:
    """The rows held, or None when packing them fails (the parent then builds them from the files' JSON);
    their streams appended to the spool when there is one."""
    try:
        packed = packer.take()
    except (_CPUBudget, MemoryError):
        packer.clear()
        return None
    spool = files[1]
    if packed is None or spool is None:
        return packed
    try:
        at = spool.append(list(packed.streams.values()))
    except (OSError, _CPUBudget, MemoryError):
        files[1] = None  # from now on through the pipe
        log.debug("spool append failed", exc_info=True)
        return packed
    where = {}
    for name, data in packed.streams.items():
        where[name] = (at, len(data))
        at += len(data)
    packed.streams, packed.spool, packed.at = {}, spool.path, where
    return packed


# ---------------------------------------------------------------------------------------------- the parent


def mp_context(method: str | None) -> multiprocessing.context.BaseContext:
    """fork from a single-threaded parent (cheap: workers inherit the loaded parser), else forkserver.

    Forking a process that runs other threads (a Jupyter kernel, a GUI) can deadlock the child; the
    fork server is a small single-threaded process with the parser preloaded, forked for each worker.
    """
    import multiprocessing
    import threading

    methods = multiprocessing.get_all_start_methods()
    if method is None:
        if "fork" in methods and threading.active_count() == 1:
            method = "fork"
        else:
            method = "forkserver" if "forkserver" in methods else "spawn"
    ctx = multiprocessing.get_context(method)
    if method == "forkserver":
        ctx.set_forkserver_preload(["report_parser.pipeline", "report_parser.frames", "pyarrow"])
    return ctx


def _private_memory(pid: int) -> int:
    """Bytes resident in a worker that are its own: not the pages it still shares with the parent it was
    forked from (counted in its RSS, though the file did not cost them). 0 when /proc cannot tell."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            return sum(int(line.split()[1]) * 1024 for line in fh if line.startswith(("Private_Clean:", "Private_Dirty:")))
    except (OSError, ValueError, IndexError):
        return 0


class _Worker:
    """A worker process, its end of the pipe, and the files given to it: it parses them in order, the
    first now (since `started`); the next are already in its pipe, so it never waits for the parent."""

    def __init__(self, ctx: Any, limits: Limits, files: tuple[str | None, str | None] = (None, None)) -> None:
        parent_conn, child_conn = ctx.Pipe()
        self.proc = ctx.Process(target=worker_main, args=(child_conn, limits, os.getpid(), *files), daemon=True)
        self.proc.start()
        child_conn.close()
        self.conn = parent_conn
        self._poll: Any = None  # one syscall to ask whether a reply is there (Connection.poll builds a selector)
        if hasattr(select, "poll"):
            self._poll = select.poll()
            self._poll.register(parent_conn.fileno(), select.POLLIN)
        self.tasks: deque[Task] = deque()
        self.started = 0.0
        self.watched = False  # in the run's selector
        self.asked_to_stop = False

    def readable(self) -> bool:
        return bool(self._poll.poll(0)) if self._poll is not None else self.conn.poll()

    @property
    def task(self) -> Task | None:
        """The file being parsed now."""
        return self.tasks[0] if self.tasks else None

    def give(self, tasks: list[Task]) -> None:
        """Send a run of consecutive files in one message, as tuples (they pickle faster than the dataclass);
        the worker packs the rows of the run when it is done with its last."""
        if not self.tasks:
            self.started = time.monotonic()
        self.tasks.extend(tasks)
        self.conn.send([(t.path, t.analyze, t.max_bytes) for t in tasks])

    def watch(self, sel: Any, on: bool) -> None:
        """Put this worker's pipe and process sentinel in the run's selector, or take them out."""
        import selectors

        if on and not self.watched:
            sel.register(self.conn, selectors.EVENT_READ, self)
            sel.register(self.proc.sentinel, selectors.EVENT_READ, self)
        elif not on and self.watched:
            sel.unregister(self.conn)
            sel.unregister(self.proc.sentinel)
        self.watched = on

    def done(self) -> None:
        """The current file is back: the next one given started just now."""
        self.tasks.popleft()
        self.started = time.monotonic()

    def kill(self) -> None:
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(5)
        self.conn.close()

    def ask_to_stop(self) -> None:
        if not self.asked_to_stop:
            self.asked_to_stop = True
            with contextlib.suppress(OSError):
                self.conn.send(None)

    def stop(self) -> None:
        self.ask_to_stop()
        self.proc.join(2)
        self.kill()


def _death(w: _Worker) -> str:
    w.proc.join(1)
    code = w.proc.exitcode
    if code is not None and code < 0:
        try:
            how = f"killed by {signal.Signals(-code).name}"
        except ValueError:
            how = f"killed by signal {-code}"
    else:
        how = f"exit status {code}"
    return f"internal error: the worker process died while parsing this file ({how})"


def _outcome(msg: tuple[Any, ...], journal: int | None) -> Outcome:
    """A worker's reply as an Outcome; a line the worker appended to the journal is read back from it."""
    path, line, sha256, reason, packed = msg
    if isinstance(line, tuple):
        assert journal is not None
        offset, n = line
        data = os.pread(journal, n, offset)
        while len(data) < n:  # a regular file reads whole; only in case
            more = os.pread(journal, n - len(data), offset + len(data))
            if not more:
                raise OSError(f"the journal ends before the line of {path}")
            data += more
        return Outcome(path, data, sha256, reason, packed=packed, journaled=True)
    return Outcome(path, line, sha256, reason, packed=packed)


def _check(w: _Worker, limits: Limits, ready: bool = False, journal: int | None = None) -> tuple[Outcome, bool] | None:
    """(outcome, whether the worker must be replaced) once a busy worker's file is done, else None.
    `ready`: the selector saw the pipe readable (no need to poll it again)."""
    assert w.task is not None
    if ready or w.readable():
        try:
            return _outcome(w.conn.recv(), journal), False
        except (EOFError, OSError):
            return Outcome(w.task.path, reason=_death(w)), True
    if not w.proc.is_alive():
        return Outcome(w.task.path, reason=_death(w)), True
    elapsed = time.monotonic() - w.started
    if elapsed > limits.wall_seconds:
        return Outcome(w.task.path, reason=f"time limit exceeded: no result within {limits.wall_seconds:g} s "
                                           "(the worker was stopped)"), True
    # reading smaps costs a walk of the worker's mappings: only for a file that is taking a while
    if elapsed > _POLL and limits.memory_bytes and _private_memory(w.proc.pid) > limits.memory_bytes:
        return Outcome(w.task.path, reason=f"memory limit exceeded: over {limits.memory_bytes / 2**20:g} MB "
                                           "resident (the worker was stopped)"), True
    return None


def run_parallel(tasks: list[Task], jobs: int, limits: Limits, emit: Callable[[Outcome], None],
                 started: Callable[[], None] = lambda: None, method: str | None = None, *,
                 journal: str | None = None, spool: str | None = None) -> None:
    """Parse `tasks` in `jobs` worker processes, runs of files in flight each, emitting outcomes as they come.

    `started` is called once the workers exist (a progress bar may start its monitor thread then).
    A worker that died or was stopped for its budget is replaced; only its file fails. With `journal`
    (an existing file), workers append each document's line to it themselves (the outcome says
    `journaled`); with `spool` (an existing file), the packed rows go there (see `unpack`).
    """
    try:
        jfd: int | None = os.open(journal, os.O_RDWR | os.O_APPEND) if journal else None
    except OSError:
        jfd, journal = None, None
    pool = _Pool(mp_context(method), tasks, limits, emit, jfd, (journal, spool))
    try:
        pool.start(min(jobs, len(tasks)))
        started()
        pool.run()
    finally:
        pool.close()
        if jfd is not None:
            os.close(jfd)


class _Pool:
    """The workers of a run, the files not handed out yet, and the selector that watches the workers."""

    def __init__(self, ctx: Any, tasks: list[Task], limits: Limits, emit: Callable[[Outcome], None],
                 journal: int | None, files: tuple[str | None, str | None]) -> None:
        import selectors

        self.ctx, self.limits, self.emit, self.journal, self.files = ctx, limits, emit, journal, files
        self.queue = deque(tasks)
        self.workers: list[_Worker] = []
        self.sel = selectors.DefaultSelector()  # for the whole run: a worker's pipe and sentinel while it has files

    def start(self, n: int) -> None:
        self.workers = _start_workers(self.ctx, n, self.limits, self.files)

    def fill(self, w: _Worker) -> None:
        """The next run before this one is done; near the end, fewer files held, so that the workers finish together."""
        queue, n = self.queue, len(self.workers)
        while queue and len(w.tasks) <= max(1, min(PACK_FILES // 2, len(queue) // n)):
            w.give([queue.popleft() for _ in range(_chunk_size(len(queue), n))])
        w.watch(self.sel, bool(w.tasks))

    def run(self) -> None:
        for w in self.workers:
            self.fill(w)
        swept = time.monotonic()
        while any(w.tasks for w in self.workers):
            events = self.sel.select(timeout=_POLL)
            ready = {key.data for key, _ in events}
            readable = {key.data for key, _ in events if key.fileobj is key.data.conn}
            sweep = time.monotonic() - swept >= _POLL  # every worker's budget, now and then
            if sweep:
                swept = time.monotonic()
            for i, w in enumerate(self.workers):
                if w.tasks and (sweep or w in ready):
                    self.serve(i, w, w in readable)
            if ready and all(len(w.tasks) >= _NAP_FILES for w in self.workers if w.tasks):
                time.sleep(_NAP)
        _flush(self.workers, self.limits, self.emit)

    def serve(self, i: int, w: _Worker, readable: bool) -> None:
        """Take the replies of worker i (every one gathered during the nap), or replace it when it is gone or
        past its budget, and top its files up."""
        done = _check(w, self.limits, readable, self.journal)
        while done is not None and not done[1] and len(w.tasks) > 1 and w.readable():
            w.done()
            self.emit(done[0])
            done = _check(w, self.limits, True, self.journal)
        if done is None:
            return
        outcome, replace = done
        if replace:  # only the current file failed: the ones queued behind it go to the others
            self.queue.extendleft(reversed(list(w.tasks)[1:]))
            w.watch(self.sel, False)
            w.kill()
            _end_torn_line(self.journal)
            w = self.workers[i] = _Worker(self.ctx, self.limits, self.files)
        else:
            w.done()
        self.emit(outcome)
        self.fill(w)

    def close(self) -> None:
        """Every worker told to stop before any is waited for: they exit side by side."""
        self.sel.close()
        for w in self.workers:
            w.ask_to_stop()
        for w in self.workers:
            w.stop()


def _end_torn_line(journal: int | None) -> None:
    """After a worker was killed, which may have been in the middle of appending its line: a newline, so that
    the next line appended starts a line of its own (resume skips the torn piece, and blank lines)."""
    if journal is not None:
        with contextlib.suppress(OSError):
            os.write(journal, b"\n")


def _start_workers(ctx: Any, n: int, limits: Limits, files: tuple[str | None, str | None]) -> list[_Worker]:
    import gc

    gc.freeze()  # forked workers then don't copy the parent's heap page by page when they collect garbage
    try:
        return [_Worker(ctx, limits, files) for _ in range(n)]
    finally:
        gc.unfreeze()


def _chunk_size(left: int, jobs: int) -> int:
    """Files handed to a worker as one run of consecutive files: PACK_FILES, fewer near the end so that
    the workers finish together (a worker asks for the next run halfway through this one)."""
    return max(1, min(PACK_FILES, left // (2 * jobs)))


def _flush(workers: list[_Worker], limits: Limits, emit: Callable[[Outcome], None]) -> None:
    """Ask the idle workers for the rows they still hold (all at once: they pack side by side); a worker
    that does not answer leaves its rows to the parent, which builds them from the files' JSON."""
    asked = []
    for w in workers:
        try:
            w.conn.send(FLUSH)
            asked.append(w)
        except OSError:
            log.debug("no rows from a worker at the end of the run", exc_info=True)
    for w in asked:
        try:
            if w.conn.poll(limits.wall_seconds):
                emit(_outcome(w.conn.recv(), None))
        except (EOFError, OSError):
            log.debug("no rows from a worker at the end of the run", exc_info=True)
