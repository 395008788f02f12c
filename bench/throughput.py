"""Throughput benchmark: parse vs jieba.lcut, batch -j 1 vs -j 2, cold-start wall time and peak RSS of one parse."""

from __future__ import annotations

import argparse
import cProfile
import importlib.util
import io
import json
import os
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
if str(SRC) not in sys.path:
    sys.path.insert(0, str(SRC))  # this checkout's code, installed or not

# Targets of the issue.
PARSE_VS_JIEBA = 2.5  # parse throughput ≥ 2.5 × jieba.lcut's on the same text
J2_VS_J1 = 1.6  # batch -j 2 ≥ 1.6 × batch -j 1
COLD_WALL_S = 0.5  # `report-parser parse NOTICE` from a cold start
PEAK_RSS_MB = 120.0  # peak resident memory of that parse

MB = 1_000_000

# Peak RSS of one child: measured in a helper process whose only child is the parse.
_RSS_HELPER = """
import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def bundled_notices() -> list[Path]:
    """The notices of corpora/ (the *.md files there describe the sources)."""
    return sorted(p for p in (ROOT / "corpora").rglob("*.txt") if p.is_file())


def build_corpus(target_bytes: int, where: Path) -> list[Path]:
    """Copies of the bundled notices, round-robin, until they add up to `target_bytes`; each copy ends with
    its own number so that no two files are identical (a batch parses identical files once)."""
    notices = [(p.name, p.read_bytes()) for p in bundled_notices()]
    if not notices:
        raise SystemExit("no notices under corpora/")
    where.mkdir(parents=True, exist_ok=True)
    files, total, i = [], 0, 0
    while total < target_bytes:
        name, data = notices[i % len(notices)]
        f = where / f"{i:06d}-{name}"
        data += f"\n{i}\n".encode()
        f.write_bytes(data)
        files.append(f)
        total += len(data)
        i += 1
    return files


def timed(fn: Callable[[], object], repeat: int = 1) -> float:
    """The best wall time of `repeat` calls: the machine may be shared, and noise only ever adds time."""
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def _cpu() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def timed_batch(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Best wall time of `repeat` runs, and the CPU time (this process and its workers) of that run."""
    best = (float("inf"), 0.0)
    for _ in range(repeat):
        c, t = _cpu(), time.perf_counter()
        fn()
        best = min(best, (time.perf_counter() - t, _cpu() - c))
    return best


def _spin(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i
    return total


def parallel_capacity(repeat: int) -> float:
    """How much faster two processes finish two equal CPU-bound jobs than one process finishes both.

    2.0 on two idle cores; less when other processes hold a core. Puts the -j 2 figure in context.
    """
    from concurrent.futures import ProcessPoolExecutor

    n = 1
    while timed(lambda n=n: _spin(n)) < 0.2:
        n *= 2
    with ProcessPoolExecutor(max_workers=2) as pool:
        list(pool.map(_spin, [1, 1]))  # workers started before the timing
        two = timed(lambda: list(pool.map(_spin, [n, n])), repeat)
    one = timed(lambda: (_spin(n), _spin(n)), repeat)
    return one / two


def cli_command() -> tuple[list[str], dict[str, str]]:
    """How to run `report-parser`: the installed script beside this Python, else `python -m report_parser`."""
    env = dict(os.environ)
    script = Path(sys.executable).with_name("report-parser")
    if script.exists():
        return [str(script)], env
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    return [sys.executable, "-m", "report_parser"], env


def cold_start(notice: Path, runs: int = 3) -> tuple[float, float]:
    """Best wall time (s) of `report-parser parse NOTICE` over `runs`, and its peak RSS (MB)."""
    cmd, env = cli_command()
    argv = [*cmd, "parse", str(notice)]
    best = float("inf")
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env=env)
        best = min(best, time.perf_counter() - t)
    out = subprocess.run([sys.executable, "-c", _RSS_HELPER, *argv], check=True, capture_output=True,
                         text=True, env=env)
    kib = int(out.stdout.strip().splitlines()[-1])  # ru_maxrss is in KiB on Linux
    rss = kib * (1 if sys.platform == "darwin" else 1024) / 2**20  # bytes on macOS
    return best, rss


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def profile_parse(texts: list[str], top: int) -> str:
    import report_parser

    prof = cProfile.Profile()
    prof.enable()
    for t in texts:
        report_parser.parse(t)
    prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(top)
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="a 2 MB corpus instead of 20 MB (a smoke run)")
    ap.add_argument("--mb", type=float, default=None, help="corpus size in MB (default 20, or 2 with --quick)")
    ap.add_argument("--repeat", type=int, default=3, metavar="N", help="best of N runs for each figure (default 3)")
    ap.add_argument("--profile", type=int, default=0, metavar="N", help="also print the top N functions of the parse")
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON to FILE")
    args = ap.parse_args(argv)
    size_mb = args.mb or (2.0 if args.quick else 20.0)

    import jieba

    import report_parser
    from report_parser.batch import run_batch
    from report_parser.pipeline import ParseOptions

    # found, not imported: the analysis layer loads jieba, which should not sit in the batch's parent
    has_analysis = importlib.util.find_spec("report_parser.analysis") is not None

    figures: dict[str, float] = {}
    results: list[tuple[str, bool]] = []
    with tempfile.TemporaryDirectory(prefix="report-parser-bench-") as tmp:
        corpus_dir = Path(tmp) / "corpus"
        files = build_corpus(int(size_mb * MB), corpus_dir)
        texts = [f.read_text(encoding="utf-8") for f in files]
        nbytes = sum(len(t.encode("utf-8")) for t in texts)
        mb, ndocs = nbytes / MB, len(texts)
        print(f"corpus: {ndocs} documents, {mb:.1f} MB ({sum(map(len, texts)) / 1e6:.1f} M characters), copies of "
              f"{len(bundled_notices())} bundled notices; {os.cpu_count()} cores; best of {args.repeat} runs each")

        # Batches first, from a parent that has not loaded jieba: as `report-parser batch` runs.
        run_batch(files[:2], Path(tmp) / "warm-up", jobs=1)  # imports (pyarrow, pandas) out of the timing
        load_before = os.getloadavg()[0]
        capacity = [parallel_capacity(args.repeat)]
        for jobs in (1, 2):
            out = Path(tmp) / f"out-j{jobs}"
            t, cpu = timed_batch(lambda jobs=jobs, out=out: run_batch([corpus_dir], out, jobs=jobs), args.repeat)
            figures[f"batch_j{jobs}_mb_s"], figures[f"batch_j{jobs}_docs_s"] = mb / t, ndocs / t
            figures[f"batch_j{jobs}_cpu_s"], figures[f"batch_j{jobs}_wall_s"] = cpu, t
        load_after = os.getloadavg()[0]
        capacity.append(parallel_capacity(args.repeat))

        report_parser.parse(texts[0])  # imports and compiled patterns out of the timing
        t_parse = timed(lambda: [report_parser.parse(t) for t in texts], args.repeat)
        figures["parse_mb_s"], figures["parse_docs_s"] = mb / t_parse, ndocs / t_parse

        jieba.setLogLevel(60)
        jieba.initialize()
        t_jieba = timed(lambda: [jieba.lcut(t) for t in texts], args.repeat)
        figures["jieba_mb_s"] = mb / t_jieba

        analysis_error = None
        if has_analysis:
            analyze = ParseOptions(analyze=True)
            try:
                report_parser.parse(texts[0], options=analyze)
                t_an = timed(lambda: [report_parser.parse(t, options=analyze) for t in texts])  # one run: slow, and a side figure
                figures["analyze_mb_s"], figures["analyze_docs_s"] = mb / t_an, ndocs / t_an
            except Exception as exc:  # the analysis layer is optional; report and go on
                analysis_error = f"{type(exc).__name__}: {exc}"

        notice = max(bundled_notices(), key=lambda p: p.stat().st_size)
        figures["cold_wall_s"], figures["cold_rss_mb"] = cold_start(notice)

        if args.profile:
            print(profile_parse(texts[: max(1, ndocs // 10)], args.profile))

    f = figures
    ratio_parse = f["parse_mb_s"] / f["jieba_mb_s"]
    ratio_j = f["batch_j2_mb_s"] / f["batch_j1_mb_s"]
    print()
    print(f"{'':34}{'MB/s':>9}{'docs/s':>10}{'× jieba':>9}")
    rows = [("parse, one process", f["parse_mb_s"], f["parse_docs_s"])]
    if has_analysis and analysis_error is None:
        rows.append(("parse --analyze, one process", f["analyze_mb_s"], f["analyze_docs_s"]))
    rows += [("batch -j 1 (with tables)", f["batch_j1_mb_s"], f["batch_j1_docs_s"]),
             ("batch -j 2 (with tables)", f["batch_j2_mb_s"], f["batch_j2_docs_s"]),
             ("jieba.lcut (reference)", f["jieba_mb_s"], None)]
    for label, mbs, docs in rows:
        docs_s = f"{docs:10.1f}" if docs is not None else f"{'':10}"
        print(f"{label:34}{mbs:9.2f}{docs_s}{mbs / f['jieba_mb_s']:9.2f}")
    print(f"{'report-parser parse, cold start':34}{f['cold_wall_s'] * 1000:8.0f} ms (best of 3), "
          f"peak RSS {f['cold_rss_mb']:.0f} MB ({notice.name}, {notice.stat().st_size / 1000:.0f} kB)")
    cores = os.cpu_count() or 1
    print(f"batch CPU time (parent and workers): -j 1 {f['batch_j1_cpu_s']:.2f} s, -j 2 {f['batch_j2_cpu_s']:.2f} s "
          f"for {f['batch_j1_wall_s']:.2f} s and {f['batch_j2_wall_s']:.2f} s of wall time; "
          f"load average {load_before:.1f} → {load_after:.1f} on {cores} cores")
    busy = f["batch_j2_cpu_s"] / f["batch_j2_wall_s"]
    print(f"-j 2 used {f['batch_j2_cpu_s'] / f['batch_j1_cpu_s'] - 1:+.0%} CPU time against -j 1 and kept "
          f"{busy:.2f} cores busy on average")
    print(f"parallel capacity before/after the batches: {capacity[0]:.2f}/{capacity[1]:.2f} (two processes ran two "
          "equal CPU-bound jobs that much faster than one; 2.00 on two idle cores)")
    if ratio_j < J2_VS_J1 and busy < 1.7:
        print(f"note: the -j 2 runs did not get two cores ({busy:.2f} busy on average; load "
              f"{max(load_before, load_after):.1f}): other processes held one; rerun on an idle machine")
    if analysis_error:
        print(f"parse --analyze failed: {analysis_error}")
    elif not has_analysis:
        print("parse --analyze: report_parser.analysis is not there yet")
    print()
    results = [
        (f"parse ≥ {PARSE_VS_JIEBA}× jieba.lcut throughput: {ratio_parse:.2f}×", ratio_parse >= PARSE_VS_JIEBA),
        (f"batch -j 2 ≥ {J2_VS_J1}× -j 1: {ratio_j:.2f}×", ratio_j >= J2_VS_J1),
        (f"single-file wall time ≤ {COLD_WALL_S} s: {f['cold_wall_s']:.3f} s", f["cold_wall_s"] <= COLD_WALL_S),
        (f"single-file peak RSS ≤ {PEAK_RSS_MB:.0f} MB: {f['cold_rss_mb']:.0f} MB", f["cold_rss_mb"] <= PEAK_RSS_MB),
    ]
    for text, ok in results:
        print(f"{verdict(ok)}  {text}")
    if args.json:
        Path(args.json).write_text(json.dumps({**figures, "parse_vs_jieba": ratio_parse, "j2_vs_j1": ratio_j,
                                               "documents": ndocs, "mb": mb}, indent=2) + "\n", encoding="utf-8")
    return 0 if all(ok for _, ok in results) else 1


if __name__ == "__main__":
    sys.exit(main())
