"""Fuzz target: any input is refused with an InputError or parses into a Document that keeps every invariant."""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import signal
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

USAGE = """\
examples:
  python fuzz/fuzz_parse.py --minutes 10                      # atheris if installed, else hypothesis
  python fuzz/fuzz_parse.py -max_total_time=600 -timeout=30   # libFuzzer flags pass through
  python fuzz/fuzz_parse.py --engine hypothesis --minutes 5
  python fuzz/fuzz_parse.py --keep-going --findings fuzz/findings --minutes 30
  python fuzz/fuzz_parse.py --replay fuzz/findings/*.bin      # run saved inputs again

Each input is one of: raw bytes through the loader (encoding detection, binary refusal), a Unicode
string straight to parse(), or a bundled notice mutated by the property tests' operations (deletions,
duplications, swaps, shuffled or truncated lines, width and script swaps, markers inserted
mid-sentence, pieces repeated hundreds of times), or a document built from choices: a .docx with
chosen zip members (sizes, bombs, garbage, thousands of parts), a PDF with a chosen object graph
(references anywhere, themselves included, Form XObject fan-out, page counts, stream sizes), or a
page of chosen DOM size and depth. Loading past LOAD_CPU_SECONDS is a finding too. A parse slower than SLOW_BASE + SLOW_PER_CHAR x
length is a finding too. Failures that only show a bug already pinned in tests/test_regressions.py
are counted, not reported, unless --strict.
"""

ROOT = Path(__file__).resolve().parent.parent
for _p in (ROOT / "tests", ROOT / "src"):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

try:
    import atheris
except ImportError:  # the hypothesis engine needs nothing beyond the test dependencies
    atheris = None

if atheris is not None:
    with atheris.instrument_imports(include=["report_parser"]):
        import report_parser
        import report_parser.decode
        import report_parser.pipeline
else:
    import report_parser
    import report_parser.decode
    import report_parser.pipeline

import hostile  # noqa: E402
from test_properties import FUZZ_MUTATIONS, SEEDS, full_check, known_bug  # noqa: E402

from report_parser.errors import InputError  # noqa: E402

SLOW_BASE = 1.0  # CPU seconds any input may take …
SLOW_PER_CHAR = 20e-6  # … plus this per character (a plain notice parses at about 1 µs per character)
MAX_STEPS = 8


class SlowParse(Exception):
    """A parse that took far longer than its size warrants; `hotspot` names where the time went."""

    def __init__(self, spent: float, chars: int, hotspot: str) -> None:
        self.hotspot = hotspot
        super().__init__(f"{spent:.2f} s CPU for {chars} characters, mostly in {hotspot}")


class KnownBug(Exception):
    """A failure that only shows an open bug already pinned by a regression test."""


class ByteChooser:
    """A Chooser (see test_properties) that reads its decisions from fuzzer bytes."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def _next(self) -> int:
        if self.pos + 4 > len(self.data):
            self.pos = len(self.data)
            return 0
        v = int.from_bytes(self.data[self.pos:self.pos + 4], "little")
        self.pos += 4
        return v

    def integer(self, lo: int, hi: int) -> int:
        return lo if hi <= lo else lo + self._next() % (hi - lo + 1)

    def choice(self, options: Sequence[Any]) -> Any:
        return options[self.integer(0, len(options) - 1)]

    def rng(self) -> random.Random:
        return random.Random(self._next())


_SEED_NAMES = sorted(SEEDS)


def text_from_program(data: bytes) -> str:
    """A bundled notice with the mutations the bytes choose."""
    c = ByteChooser(data)
    text = SEEDS[c.choice(_SEED_NAMES)]
    for _ in range(c.integer(0, MAX_STEPS)):
        text = c.choice(FUZZ_MUTATIONS)(c, text)
    return text


class _Sampler:
    """Samples, every 10 ms of CPU, the innermost parser function running: where a slow parse spends its time."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.active = hasattr(signal, "setitimer")

    def _sample(self, signum: int, frame: Any) -> None:
        while frame is not None and "report_parser" not in frame.f_code.co_filename:
            frame = frame.f_back
        if frame is not None:
            self.counts[f"{Path(frame.f_code.co_filename).name}:{frame.f_code.co_name}"] += 1

    def __enter__(self) -> _Sampler:
        if self.active:
            self._old = signal.signal(signal.SIGPROF, self._sample)
            signal.setitimer(signal.ITIMER_PROF, 0.01, 0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.active:
            signal.setitimer(signal.ITIMER_PROF, 0)
            signal.signal(signal.SIGPROF, self._old)

    def hotspot(self) -> str:
        return self.counts.most_common(1)[0][0] if self.counts else "?"


# Open bugs pinned by xfail tests in tests/test_regressions.py, as (name, test on the exception a
# parse raised): counted, not reported, unless --strict. Empty while none is open; the documents
# that fail a check are triaged by test_properties.KNOWN_BUGS. Entries looked like:
#   ("numerals: one recursion per 亿", lambda e: isinstance(e, RecursionError) and "numerals.py" in _files(e))
#   ("summary: O(figures x clause)", lambda e: isinstance(e, SlowParse) and e.hotspot.startswith("summary.py"))
KNOWN_CRASHES: list[tuple[str, Callable[[BaseException], bool]]] = []


def _files(exc: BaseException) -> str:
    return " ".join(f.filename for f in traceback.extract_tb(exc.__traceback__))


def _known(exc: BaseException) -> str | None:
    return next((name for name, shows in KNOWN_CRASHES if shows(exc)), None)


def _parse(parse: Any, text: str) -> report_parser.Document:
    t0 = time.process_time()
    try:
        with _Sampler() as sampler:
            doc = parse()
    except Exception as exc:
        name = _known(exc)
        if name:
            raise KnownBug(name) from exc
        raise
    spent = time.process_time() - t0
    if spent > SLOW_BASE + SLOW_PER_CHAR * len(text):
        slow = SlowParse(spent, len(text), sampler.hotspot())
        name = _known(slow)
        if name:
            raise KnownBug(name) from slow
        raise slow
    return doc


def _check(doc: report_parser.Document, text: str) -> None:
    try:
        full_check(doc, text)
    except Exception as exc:
        name = known_bug(doc) or _known(exc)
        if name:
            raise KnownBug(name) from exc
        raise


def check_text(text: str) -> None:
    _check(_parse(lambda: report_parser.parse(text), text), text)


def check_bytes(data: bytes) -> None:
    """Bytes through the loader, as the command line reads a file."""
    try:
        loaded = report_parser.decode.load_bytes(data, "fuzz.txt")
    except InputError as e:
        msg = str(e)
        assert "\n" not in msg and msg.startswith("fuzz.txt: ") and e.reason, msg
        return
    _check(_parse(lambda: report_parser.pipeline.parse_loaded(loaded), loaded.text), loaded.text)


# ---------------------------------------------------------------------------------------------
# Structural mutations: documents built from choices (zip members, PDF objects and references, DOM size)

LOAD_CPU_SECONDS = 60.0  # the budget of one input: a loader past it is a finding


def _docx_structure(c: ByteChooser, d: Path) -> Path:
    """A .docx whose members are chosen: a body from a notice, extra members of chosen sizes and
    compressibility, duplicated or missing parts, garbage in a part, many tiny parts."""
    import warnings
    import zipfile

    lines = SEEDS[c.choice(_SEED_NAMES)].splitlines()[: c.integer(1, 200)]
    path = d / "s.docx"
    with warnings.catch_warnings(), zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        warnings.simplefilter("ignore")  # duplicated member names are one of the mutations
        if c.integer(0, 5):
            zf.writestr("[Content_Types].xml", hostile._CONTENT_TYPES)
        zf.writestr("_rels/.rels", hostile._RELS)
        body = hostile._document_xml(hostile._paragraphs(lines))
        if not c.integer(0, 4):
            cut = c.integer(0, len(body))
            body = body[:cut] + c.choice(["", "<w:p>", "</w:body>", "<w:t>\x00", "&#0;"]) + body[cut:]
        zf.writestr("word/document.xml", body)
        for _ in range(c.integer(0, 3)):
            name = c.choice(["word/styles.xml", "word/numbering.xml", "docProps/thumbnail.jpeg",
                             "word/document.xml", "customXml/item1.xml"])
            size = c.choice([0, 10, 1 << 16, 1 << 20, 8 << 20, 80 << 20])
            fill = c.choice([b" ", b"\0", b"<a>", os.urandom(16)])
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            with zf.open(info, "w", force_zip64=True) as fh:
                for chunk in hostile._chunks(fill, size, 1 << 20 if len(fill) == 1 else 1 << 16):
                    fh.write(chunk)
        for i in range(c.choice([0, 0, 10, 2500])):
            zf.writestr(f"customXml/part{i}.xml", "<a/>")
    return path


def _pdf_structure(c: ByteChooser, d: Path) -> Path:
    """A PDF whose object graph is chosen: pages, contents and resources pointing anywhere (themselves
    included), Form XObjects fanning out, streams of chosen sizes."""
    w = hostile._PDF(d / "s.pdf")
    pages = c.choice([1, 2, 3, 50, 2100])
    objects = 10 + min(pages, 3000)

    def ref() -> str:
        return f"{c.integer(1, objects + 3)} 0 R"

    w.obj(1, f"<< /Type /Catalog /Pages {c.choice(['2 0 R', ref()])} >>")
    kids = " ".join(f"{10 + i} 0 R" if c.integer(0, 9) else ref() for i in range(pages))
    w.obj(2, f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>")
    w.obj(3, hostile._FONT)
    depth, fan = c.integer(0, 8), c.integer(1, 12)
    body = c.choice([hostile._TEXT, b"/X Do\n" * fan if depth else hostile._TEXT, b"(x) Tj\n" * 1000])
    w.stream(4, hostile._chunks(body, c.choice([len(body), 1 << 20, 70 << 20])) if len(body) < 64 else [body])
    for level in range(depth):
        last = level == depth - 1
        res = "<< /Font << /F1 3 0 R >> >>" if last else f"<< /XObject << /X {5 + level + 1} 0 R >> >>"
        if not c.integer(0, 6):
            res = ref()
        w.stream(5 + level, [hostile._TEXT if last else b"/X Do\n" * fan],
                 extra=f"/Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources {res} ")
    xobj = " /XObject << /X 5 0 R >>" if depth else ""
    for i in range(pages):
        contents = "4 0 R" if c.integer(0, 7) else ref()
        resources = f"<< /Font << /F1 3 0 R >>{xobj} >>" if c.integer(0, 7) else ref()
        w.obj(10 + i, f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {contents} "
                      f"/Resources {resources} >>")
    w.finish(root=c.choice([1, 1, 1, 2, 4]))
    return d / "s.pdf"


def _html_structure(c: ByteChooser, d: Path) -> Path:
    """A page whose DOM size and depth are chosen: unclosed inline tags, many elements, chrome blocks."""
    lines = SEEDS[c.choice(_SEED_NAMES)].splitlines()[: c.integer(1, 300)]
    opener = c.choice(["<p>", "<p><font>", "<div><span>", "<p><b><i>"])
    repeat = c.choice([1, 1, 10, 300])
    body = "".join(opener + line for line in lines * repeat)
    chrome = "".join(f"<p>{c.choice(['来源：', '发布时间：', '分享到：'])}站点</p>" for _ in range(c.choice([0, 50, 5000])))
    nest = c.choice([0, 300, 3000])
    page = (f"<html><head><meta charset='utf-8'><title>通报</title></head><body>{'<div>' * nest}"
            f"<div>{chrome}</div>{body}</body></html>")
    path = d / "s.html"
    path.write_text(page, encoding="utf-8")
    return path


def check_structure(data: bytes) -> None:
    """A document built from the bytes' choices, through the loader under the input budget."""
    c = ByteChooser(data)
    build = c.choice([_docx_structure, _pdf_structure, _html_structure])
    with tempfile.TemporaryDirectory(prefix="fuzz-struct-") as tmp:
        path = build(c, Path(tmp))
        t0 = time.process_time()
        try:
            loaded = report_parser.decode.load_path(path)
        except InputError as e:
            msg = str(e)
            assert "\n" not in msg and msg.startswith(f"{path}: ") and e.reason, msg
            return
        finally:
            spent = time.process_time() - t0
            if spent > LOAD_CPU_SECONDS:
                raise SlowParse(spent, path.stat().st_size, f"loading {path.suffix}")
    _check(_parse(lambda: report_parser.pipeline.parse_loaded(loaded), loaded.text), loaded.text)


def one_input(data: bytes) -> None:
    """The fuzz target: the first byte picks how the rest is read."""
    if not data:
        return
    mode, rest = data[0] % 4, data[1:]
    if mode == 0:
        check_bytes(rest)
    elif mode == 1:
        check_text(rest.decode("utf-8", errors="replace"))
    elif mode == 2:
        check_text(text_from_program(rest))
    else:
        check_structure(rest)


# ---------------------------------------------------------------------------------------------
# Findings: one saved input per distinct failure, so a long run reports every bug once


def signature(exc: BaseException) -> str:
    """Exception type and the innermost parser frame (or check) that raised it; where a slow parse spent its time."""
    if isinstance(exc, SlowParse):
        return f"SlowParse@{exc.hotspot}"
    frames = traceback.extract_tb(exc.__traceback__)
    src = [f for f in frames if "report_parser" in f.filename]
    where = (src or frames or [None])[-1]
    loc = f"{Path(where.filename).name}:{where.lineno}" if where else "?"
    return f"{type(exc).__name__}@{loc}"


class Findings:
    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self.seen: Counter[str] = Counter()
        self.known: Counter[str] = Counter()

    def record(self, exc: BaseException, data: bytes) -> bool:
        """Count the failure; True when its signature is new (and the input was saved)."""
        sig = signature(exc)
        new = sig not in self.seen
        self.seen[sig] += 1
        if new:
            first = str(exc).splitlines()[0][:200] if str(exc) else ""
            print(f"\n[fuzz] NEW {sig}: {first}", file=sys.stderr, flush=True)
            if self.directory is not None:
                self.directory.mkdir(parents=True, exist_ok=True)
                stem = sig.replace("@", "-").replace(":", "-") + "-" + hashlib.sha1(data).hexdigest()[:8]
                (self.directory / f"{stem}.bin").write_bytes(data)
                (self.directory / f"{stem}.txt").write_text("".join(traceback.format_exception(exc)),
                                                            encoding="utf-8")
        return new

    def summary(self) -> str:
        lines = [f"  {n:6d}  {s}" for s, n in sorted(self.seen.items())]
        lines += [f"  {n:6d}  known: {s}" for s, n in sorted(self.known.items())]
        return "[fuzz] failures:\n" + "\n".join(lines) if lines else "[fuzz] no failures"


def seed_corpus(directory: Path) -> None:
    """Start inputs for libFuzzer: each notice as bytes, as text in windows, and as mutation programs."""
    directory.mkdir(parents=True, exist_ok=True)
    rnd = random.Random(0)
    for name, text in SEEDS.items():
        (directory / f"{name}.bytes").write_bytes(b"\x00" + text.encode("utf-8")[:60_000])
        for k, i in enumerate(range(0, min(len(text), 12_000), 1500)):
            (directory / f"{name}.{k}.text").write_bytes(b"\x01" + text[i:i + 2000].encode("utf-8"))
        for k in range(3):
            (directory / f"{name}.{k}.prog").write_bytes(b"\x02" + rnd.randbytes(64))
    for k in range(12):
        (directory / f"structure.{k}.bin").write_bytes(b"\x03" + rnd.randbytes(128))


# ---------------------------------------------------------------------------------------------
# Engines


def run_input(data: bytes, findings: Findings, *, strict: bool, keep_going: bool) -> None:
    try:
        one_input(data)
    except KnownBug as exc:
        if strict:
            raise exc.__cause__ from None
        findings.known[str(exc)] += 1
    except Exception as exc:
        findings.record(exc, data)
        if not keep_going:
            raise


def run_atheris(argv: list[str], findings: Findings, *, strict: bool, keep_going: bool) -> None:
    if not any(not a.startswith("-") for a in argv[1:]):
        corpus = Path(tempfile.mkdtemp(prefix="fuzz-corpus-"))
        seed_corpus(corpus)
        argv = [*argv, str(corpus)]
    if not any(a.startswith("-timeout=") for a in argv):
        argv.append("-timeout=60")
    if not any(a.startswith("-artifact_prefix=") for a in argv):  # crash-/slow-unit- files, not in the repo
        where = findings.directory or Path(tempfile.mkdtemp(prefix="fuzz-artifacts-"))
        where.mkdir(parents=True, exist_ok=True)
        argv.append(f"-artifact_prefix={where}/")
        print(f"[fuzz] libFuzzer artifacts go to {where}/", file=sys.stderr)
    runs = 0
    started = time.monotonic()

    def target(data: bytes) -> None:
        nonlocal runs
        runs += 1
        if runs % 5000 == 0:
            print(f"[fuzz] {runs} inputs, {time.monotonic() - started:.0f} s\n{findings.summary()}",
                  file=sys.stderr, flush=True)
        run_input(data, findings, strict=strict, keep_going=keep_going)

    atheris.Setup(argv, target)
    atheris.Fuzz()


def run_hypothesis(seconds: float, findings: Findings, *, strict: bool, seed: int | None = None) -> None:
    """Random inputs for `seconds`; with `seed`, the same inputs in the same order on every run (each
    round of examples seeded seed, seed + 1, …), so a check run in CI cannot fail on luck."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import seed as seeded
    from hypothesis import strategies as st
    from test_properties import mutated_notices, notice_soup

    inputs = st.one_of(
        st.binary(max_size=2000).map(lambda b: b"\x00" + b),
        st.text(max_size=400).map(lambda t: b"\x01" + t.encode("utf-8")),
        notice_soup.map(lambda t: b"\x01" + t.encode("utf-8")),
        mutated_notices(FUZZ_MUTATIONS).map(lambda t: b"\x01" + t.encode("utf-8")),
        st.binary(min_size=8, max_size=256).map(lambda b: b"\x03" + b),
    )
    deadline = time.monotonic() + seconds
    runs = 0
    last_failing = b""

    @settings(max_examples=200, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(inputs)
    def batch(data: bytes) -> None:
        nonlocal runs, last_failing
        runs += 1
        try:
            one_input(data)
        except KnownBug as exc:
            if strict:
                raise
            findings.known[str(exc)] += 1
        except Exception as exc:
            if signature(exc) in findings.seen:  # reported already: look for something else
                return
            last_failing = data  # the last one is the shrunk example hypothesis replays at the end
            raise

    rounds = 0
    while time.monotonic() < deadline:
        run = batch if seed is None else seeded(seed + rounds)(batch)
        rounds += 1
        try:
            run()
        except Exception as exc:  # hypothesis shrank a new failure: keep the minimal input
            findings.record(exc, last_failing)
            print("".join(traceback.format_exception(exc))[-3000:], file=sys.stderr)
    print(f"[fuzz] hypothesis: {runs} inputs in {seconds:.0f} s", file=sys.stderr)


def replay(paths: list[str]) -> int:
    bad = 0
    for p in paths:
        try:
            one_input(Path(p).read_bytes())
            print(f"{p}: ok")
        except Exception as exc:
            bad += 1
            print(f"{p}: {signature(exc)}: {str(exc).splitlines()[0][:200] if str(exc) else ''}")
    return 1 if bad else 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    ap = argparse.ArgumentParser(description=__doc__, epilog=USAGE, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, help="stop after this many minutes")
    ap.add_argument("--engine", choices=("atheris", "hypothesis"), default="atheris" if atheris else "hypothesis")
    ap.add_argument("--keep-going", action="store_true",
                    help="record each distinct failure once and go on (default: stop at the first new one)")
    ap.add_argument("--strict", action="store_true", help="stop on bugs already pinned by regression tests too")
    ap.add_argument("--findings", type=Path, default=None, help="directory to save failing inputs in")
    ap.add_argument("--replay", nargs="+", metavar="FILE", help="run saved inputs once and exit")
    ap.add_argument("--seed", type=int, default=None,
                    help="hypothesis engine: the same inputs on every run (for CI); without it, new ones each run")
    ours, rest = ap.parse_known_args(argv[1:])
    if ours.replay:
        return replay(ours.replay)
    seconds = ours.minutes * 60 if ours.minutes else None
    for a in rest:
        if a.startswith("-max_total_time="):
            seconds = float(a.split("=", 1)[1])
    findings = Findings(ours.findings)
    if ours.engine == "atheris":
        if atheris is None:
            print("atheris is not installed: pip install atheris, or use --engine hypothesis", file=sys.stderr)
            return 2
        flags = [a for a in rest if not a.startswith("-max_total_time=")]
        if seconds:
            flags.append(f"-max_total_time={int(seconds)}")
        run_atheris([argv[0], *flags], findings, strict=ours.strict, keep_going=ours.keep_going)
        return 0  # libFuzzer exits the process itself; a crash leaves crash-<sha1> in the working directory
    run_hypothesis(seconds or 60.0, findings, strict=ours.strict, seed=ours.seed)
    print(findings.summary(), file=sys.stderr)
    return 1 if findings.seen else 0


if __name__ == "__main__":
    sys.exit(main())
