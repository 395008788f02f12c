"""Planning a batch: which files to parse, and which to list with the reason they are not parsed.

The corpus is the folder: a walk never follows a symbolic link out of the folder it was given, never
opens a FIFO, socket or device, and lists every entry it does not parse (unsupported type, hidden,
special file, unreadable folder, link leaving the folder, same content as another file).
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from report_parser.decode import display_name, special_kind

# What happened to a file that is not in the tables; the `kind` of its line in errors.jsonl.
FAILED, UNSUPPORTED, SKIPPED, DUPLICATE = "failed", "unsupported", "skipped", "duplicate"


@dataclass(frozen=True, slots=True)
class Listed:
    """A path that gives no document, and why."""

    path: str
    reason: str
    kind: str = FAILED


@dataclass
class Plan:
    """The files to parse (sorted, one per content) and everything listed instead."""

    files: list[str] = field(default_factory=list)
    listed: list[Listed] = field(default_factory=list)
    sha256: dict[str, str | None] = field(default_factory=dict)

    def skip(self, path: str, reason: str, kind: str = SKIPPED) -> None:
        self.listed.append(Listed(path, reason, kind))


def raw_name(path: str) -> str | None:
    """The path's bytes as hex when the name is not valid UTF-8 (so that it round-trips exactly), else None."""
    try:
        path.encode("utf-8")
        return None
    except UnicodeEncodeError:
        return os.fsencode(path).hex()


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _classify(path: str, plan: Plan) -> bool:
    """Whether a regular file found by a walk is parsed: by its suffix in the table, else by its content."""
    from report_parser import formats

    ft = formats.file_type(path)
    if ft is not None:
        if not ft.supported:
            plan.skip(path, f"unsupported file type: {ft.label} ({formats.extension(path)})", UNSUPPORTED)
        return ft.supported
    try:
        kind = formats.sniff_file(path)
    except OSError as exc:
        plan.skip(path, f"cannot read: {exc.strerror or exc}", FAILED)
        return False
    if (kind in formats.LOADABLE_KINDS and kind != "txt") or kind.startswith("image:"):
        return True
    suffix = formats.extension(path) or "no file name extension"
    plan.skip(path, f"unsupported file type ({suffix})", UNSUPPORTED)
    return False


def _walk(root: str, out_real: str, plan: Plan) -> Iterator[str]:
    """Files under `root` to parse, in no particular order; every other entry is listed in `plan`."""
    root_real = os.path.realpath(root)
    seen: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            st = os.stat(folder)
            if (st.st_dev, st.st_ino) in seen:
                plan.skip(folder, "folder already walked (a symbolic link back into the corpus)")
                continue
            seen.add((st.st_dev, st.st_ino))
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            plan.skip(folder, f"folder cannot be read: {exc.strerror or exc}", FAILED)
            continue
        for entry in entries:
            yield from _entry(entry, root_real, out_real, stack, plan)


def _entry(entry: os.DirEntry[str], root_real: str, out_real: str, stack: list[str], plan: Plan) -> Iterator[str]:
    path = entry.path
    if entry.name.startswith("."):
        plan.skip(path, "hidden (the name starts with a dot)")
        return
    if entry.is_symlink():
        target = os.path.realpath(path)
        if not _inside(target, root_real):
            plan.skip(path, f"symbolic link leaving the input folder (to {display_name(target)}); not followed")
            return
        if not os.path.exists(path):
            yield path  # broken: the parse says so
            return
    try:
        st = os.stat(path)
    except OSError:
        yield path  # the parse names the problem
        return
    if stat.S_ISDIR(st.st_mode):
        if os.path.realpath(path) == out_real:
            plan.skip(path, "the output folder of this batch")
        else:
            stack.append(path)
    elif not stat.S_ISREG(st.st_mode):
        plan.skip(path, f"special file ({special_kind(st.st_mode, 'not a regular file')}); never opened")
    elif _classify(path, plan):
        yield path


def _has_magic(p: str) -> bool:
    return any(c in p for c in "*?[")


def _named(p: str, out_real: str, plan: Plan) -> Iterator[str]:
    """An argument: a folder is walked, a glob expanded, a file taken as named whatever its suffix."""
    if os.path.isdir(p):
        yield from _walk(p, out_real, plan)
    elif os.path.lexists(p):
        try:
            mode = os.stat(p).st_mode
        except OSError:
            mode = stat.S_IFREG  # broken link or unreadable: the parse names the problem
        if stat.S_ISREG(mode):
            yield p
        else:
            plan.skip(p, f"special file ({special_kind(mode, 'not a regular file')}); never opened", FAILED)
    elif _has_magic(p):
        import glob

        matches = glob.glob(p, recursive=True)
        for m in matches:
            yield from _named(m, out_real, plan)
        if not matches:
            plan.skip(p, "no file matches the pattern", FAILED)
    else:
        plan.skip(p, "no such file or directory", FAILED)


def sha256_of(path: str, max_bytes: int) -> str | None:
    """The sha256 of a regular file of at most max_bytes, read in chunks; None when larger or unreadable."""
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                return None
            read = 0
            while chunk := fh.read(1 << 20):
                read += len(chunk)
                if read > max_bytes:
                    return None
                h.update(chunk)
    except OSError:
        return None
    return h.hexdigest()


def plan_inputs(paths: Iterable[str | os.PathLike[str]], *, outdir: str | None = None,
                max_bytes: int | None = None) -> Plan:
    """Expand folders and globs into the files to parse, sorted by path, one per content.

    With `max_bytes`, files are hashed (up to that size) and a file with the same content as an
    earlier one (by path order) is listed as its duplicate instead of being parsed again.
    """
    plan = Plan()
    out_real = os.path.realpath(outdir) if outdir else ""
    found: set[str] = set()
    for arg in paths:
        found.update(_named(os.fspath(arg), out_real, plan))
    files = sorted({os.path.normpath(f) for f in found})
    if max_bytes is None:
        plan.files = files
    else:
        first: dict[str, str] = {}
        for f in files:
            digest = sha256_of(f, max_bytes)
            plan.sha256[f] = digest
            if digest is not None and digest in first:
                plan.skip(f, f"same content as {display_name(first[digest])} (sha256 {digest[:16]}); "
                             "parsed once", DUPLICATE)
                continue
            if digest is not None:
                first[digest] = f
            plan.files.append(f)
    plan.listed.sort(key=lambda x: x.path)
    return plan


def collect_inputs(paths: Iterable[str | os.PathLike[str]], *,
                   skip: Iterable[str] = ()) -> tuple[list[str], list[dict[str, str]]]:
    """The files to parse, sorted, and the arguments and entries that give none ({file, reason, kind})."""
    skip = list(skip)
    plan = plan_inputs(paths, outdir=skip[0] if skip else None)
    return plan.files, [{"file": x.path, "reason": x.reason, "kind": x.kind} for x in plan.listed]
