"""Speed on a realistic mix of notices: parse vs jieba.lcut, time per stage, cold start, batch -j 1 vs -j 2.

Every parse figure is CPU time (the machine may be shared), parse and jieba run in interleaved rounds
in each of several fresh processes (jieba.lcut's speed moves with each process's hash seed); the batch runs are timed by the wall clock beside the cores that were free; the load
of the machine is printed beside the figures that depend on it.

    python bench/throughput.py            # the full run (a few minutes)
    python bench/throughput.py --quick    # a smoke run
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import functools
import gc
import importlib
import io
import json
import os
import pstats
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import mix  # noqa: E402  (bench/mix.py, beside this file)

ROOT, SRC = mix.ROOT, mix.SRC
SAMPLE = ROOT / "corpora" / "seed" / "kuandian-investment-center-2025.txt"

# Targets of the issue.
PARSE_VS_JIEBA = 4.0  # parse CPU throughput ≥ 4 × jieba.lcut's on the same texts
J2_VS_J1 = 1.7  # batch -j 2 ≥ 1.7 × -j 1 (on two free cores)
COLD_CPU_S = 0.35  # `report-parser parse SAMPLE`, user + system CPU of the process
PEAK_RSS_MB = 120.0

MB = 1_000_000

# Within the pipeline's stages (pipeline.STAGES, each timed in CPU time), functions timed apart by
# wrapping them (module, attribute): the body stage's markers and tree, and the figure subjects.
INNER: list[tuple[str, list[tuple[str, str]]]] = [
    ("markers", [("report_parser.pipeline", "find_markers")]),
    ("tree", [("report_parser.pipeline", "build_tree")]),
    ("figure subjects", [("report_parser.pipeline", "summary_subject")]),
]


def cpu() -> float:
    return time.process_time()


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


# ---------------------------------------------------------------------------------------------- the machine


def proc_stat_idle() -> tuple[float, float] | None:
    """(idle, total) jiffies of all cores from /proc/stat; None off Linux."""
    try:
        with open("/proc/stat") as fh:
            vals = [float(v) for v in fh.readline().split()[1:]]
    except OSError:
        return None
    return vals[3] + (vals[4] if len(vals) > 4 else 0.0), sum(vals[:8])


@contextlib.contextmanager
def free_cores() -> Iterator[list[float]]:
    """Cores left idle by everything on the machine while the block runs (appended to the yielded list)."""
    out: list[float] = []
    a = proc_stat_idle()
    yield out
    b = proc_stat_idle()
    if a and b and b[1] > a[1]:
        out.append((b[0] - a[0]) / (b[1] - a[1]) * (os.cpu_count() or 1))


def idle_now(seconds: float = 1.0) -> float | None:
    with free_cores() as got:
        time.sleep(seconds)
    return got[0] if got else None


def machine() -> str:
    import platform

    mem = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        kb = int(next(ln for ln in Path("/proc/meminfo").read_text().splitlines() if ln.startswith("MemTotal")).split()[1])
        mem = f", {kb / 2**20:.0f} GiB"
    cpu_name = ""
    with contextlib.suppress(OSError, StopIteration):
        cpu_name = next(ln for ln in Path("/proc/cpuinfo").read_text().splitlines() if ln.startswith("model name")).split(":", 1)[1].strip()
    return (f"{os.cpu_count()} cores{' (' + cpu_name + ')' if cpu_name else ''}{mem}, "
            f"Python {platform.python_version()} ({interpreter()}), {platform.system()}")


def interpreter() -> str:
    """Which interpreter build ran the figures: the parse against jieba.lcut moves with it
    (jieba.lcut, plain Python over dict look-ups, gains more from an optimised build than the parse,
    which spends more of its time in the regular-expression engines)."""
    import platform

    base = os.path.realpath(getattr(sys, "_base_executable", sys.executable))
    return f"{base}, {platform.python_compiler()}, built {platform.python_build()[1]}"


def load_line() -> str:
    la = os.getloadavg()
    idle = idle_now()
    free = f", {idle:.2f} of {os.cpu_count()} cores idle over the last second" if idle is not None else ""
    return f"load average {la[0]:.2f} {la[1]:.2f} {la[2]:.2f}{free}"


# ---------------------------------------------------------------------------------------------- stages


class StageTimer:
    """CPU time per stage, by wrapping the pipeline's functions.

    Exclusive times: while a stage runs inside another (figure subjects within output nodes),
    the outer one's clock stops, so the stages add up to no more than the whole parse."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = {name: 0.0 for name, _ in INNER}
        self.missing: list[str] = []
        self._undo: list[tuple[object, str, object]] = []
        self._stack: list[str] = []
        self._since = 0.0

    def _switch(self, now: float) -> None:
        if self._stack:
            self.spent[self._stack[-1]] += now - self._since
        self._since = now

    def _wrap(self, stage: str, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def timed(*a, **k):
            if self._stack and self._stack[-1] == stage:
                return fn(*a, **k)  # a recursive call: the same stage goes on
            self._switch(time.process_time())
            self._stack.append(stage)
            try:
                return fn(*a, **k)
            finally:
                self._switch(time.process_time())
                self._stack.pop()

        return timed

    def __enter__(self) -> StageTimer:
        for stage, targets in INNER:
            for modname, attr in targets:
                mod = importlib.import_module(modname)
                fn = getattr(mod, attr, None)
                if fn is None:
                    self.missing.append(f"{modname}.{attr}")
                    continue
                self._undo.append((mod, attr, fn))
                setattr(mod, attr, self._wrap(stage, fn))
        return self

    def __exit__(self, *exc: object) -> None:
        for mod, attr, fn in reversed(self._undo):
            setattr(mod, attr, fn)


# ---------------------------------------------------------------------------------------------- cold start


def cli_command() -> tuple[list[str], dict[str, str]]:
    """`report-parser` beside this Python when installed, else `python -m report_parser` on this checkout."""
    env = dict(os.environ)
    script = Path(sys.executable).with_name("report-parser")
    if script.exists():
        return [str(script)], env
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    return [sys.executable, "-m", "report_parser"], env


_RSS_HELPER = """
import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def cold_start(notice: Path, runs: int) -> dict[str, float]:
    """CPU (user + system) and wall time of `report-parser parse NOTICE`, best and median of `runs`; peak RSS."""
    cmd, env = cli_command()
    argv = [*cmd, "parse", str(notice)]
    cpus, walls = [], []
    for _ in range(runs):
        c, t = children_cpu(), time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env=env)
        walls.append(time.perf_counter() - t)
        cpus.append(children_cpu() - c)
    out = subprocess.run([sys.executable, "-c", _RSS_HELPER, *argv], check=True, capture_output=True,
                         text=True, env=env)
    kib = int(out.stdout.strip().splitlines()[-1])
    return {"cpu_best": min(cpus), "cpu_median": statistics.median(cpus), "wall_best": min(walls),
            "rss_mb": kib * 1024 / 2**20}


_IMPORT_LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def import_breakdown(notice: Path, runs: int = 3) -> list[tuple[str, float, int]]:
    """Where the imports of `report-parser parse` spend their time: (name, ms, modules), best of `runs`.

    Self times of `python -X importtime`, summed per third-party package (pydantic, regex, …) and
    per module of this project, so nothing is counted twice.
    """
    best: dict[str, tuple[float, int]] = {}
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    for _ in range(runs):
        err = subprocess.run([sys.executable, "-X", "importtime", "-m", "report_parser", "parse", str(notice)],
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                             check=True).stderr
        seen: dict[str, tuple[float, int]] = {}
        for line in err.splitlines():
            m = _IMPORT_LINE.match(line)
            if not m:
                continue
            name = m.group(4)
            key = name if name.startswith("report_parser") else name.split(".")[0]
            if key in sys.stdlib_module_names or key.startswith("_"):
                key = "(standard library)"
            ms, k = seen.get(key, (0.0, 0))
            seen[key] = (ms + int(m.group(1)) / 1000, k + 1)
        for key, v in seen.items():
            if key not in best or v[0] < best[key][0]:
                best[key] = v
    return sorted(((n, ms, k) for n, (ms, k) in best.items()), key=lambda r: -r[1])


# ---------------------------------------------------------------------------------------------- batch


def _spin(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i
    return total


def parallel_capacity() -> float:
    """How much faster two processes finish two equal CPU-bound jobs than one process finishes both (2.0 idle)."""
    from concurrent.futures import ProcessPoolExecutor

    n = 1
    while True:
        t = time.perf_counter()
        _spin(n)
        if time.perf_counter() - t > 0.15:
            break
        n *= 2
    with ProcessPoolExecutor(max_workers=2) as pool:
        list(pool.map(_spin, [1, 1]))
        t = time.perf_counter()
        list(pool.map(_spin, [n, n]))
        two = time.perf_counter() - t
    t = time.perf_counter()
    _spin(n)
    _spin(n)
    return (time.perf_counter() - t) / two


def batch_runs(folder: Path, tmp: Path, rounds: int) -> dict[str, list[dict[str, float]]]:
    """-j 1 and -j 2 in alternation: wall, CPU of parent and workers, and the cores left idle meanwhile."""
    from report_parser.batch import run_batch

    run_batch([folder], tmp / "warm-up", jobs=1)  # pyarrow, pandas and the tables' code loaded first
    out: dict[str, list[dict[str, float]]] = {"1": [], "2": []}
    for r in range(rounds):
        for jobs in (1, 2) if r % 2 == 0 else (2, 1):
            gc.collect()
            c0, k0, t0 = cpu(), children_cpu(), time.perf_counter()
            with free_cores() as idle:
                run_batch([folder], tmp / f"out-{r}-{jobs}", jobs=jobs)
            wall = time.perf_counter() - t0
            parent, kids = cpu() - c0, children_cpu() - k0
            mine = parent + kids
            # idle cores during the run, plus the ones this run itself kept busy: what it could have had
            free = (idle[0] + mine / wall) if idle else float("nan")
            out[str(jobs)].append({"wall": wall, "parent_cpu": parent, "worker_cpu": kids, "busy": mine / wall,
                                   "free": free})
    return out


def batch_of(texts: list[str], n: int, rounds: int) -> dict[str, list[dict[str, float]]]:
    """-j 1 and -j 2 runs on `n` files: the mix's texts repeated, each copy made distinct by its number
    (a batch parses identical files once)."""
    with tempfile.TemporaryDirectory(prefix="report-parser-bench-") as tmp:
        folder = Path(tmp) / "mix"
        folder.mkdir()
        for i in range(n):
            (folder / f"{i:05d}.txt").write_text(f"{texts[i % len(texts)]}\n{i}\n", encoding="utf-8")
        return batch_runs(folder, Path(tmp), rounds)


def print_batch(n: int, runs: dict[str, list[dict[str, float]]], best: dict[str, dict[str, float]], ratio: float,
                cap: float) -> None:
    print(f"\nbatch of {n} .txt files from the mix (JSONL + Parquet tables), best of {len(runs['1'])} alternating runs:")
    print(f"{'':10}{'wall s':>8}{'docs/s':>9}{'parent CPU':>12}{'worker CPU':>12}{'cores busy':>12}{'cores free':>12}")
    for j in ("1", "2"):
        b = best[j]
        print(f"{'-j ' + j:10}{b['wall']:8.2f}{n / b['wall']:9.0f}{b['parent_cpu']:12.2f}"
              f"{b['worker_cpu']:12.2f}{b['busy']:12.2f}{b['free']:12.2f}")
    print(f"-j 2 / -j 1: {ratio:.2f}× (two equal CPU-bound jobs ran {cap:.2f}× faster in two processes "
          "than in one just before; 2.00 on two free cores)")
    if best["2"]["free"] < 1.85:
        print(f"note: only {best['2']['free']:.2f} cores were free for -j 2 (idle cores plus its own); the "
              "ratio is bounded by that, rerun on an idle machine for the 1.7× target")


# ---------------------------------------------------------------------------------------------- main


def stage_times(texts: list[str]) -> tuple[dict[str, float], dict[str, dict[str, float]], float]:
    """CPU seconds per stage of pipeline.STAGES over all texts (run as `parse` runs them), the functions
    of INNER within the stage they ran in, and the CPU of the whole parses."""
    import hashlib

    import report_parser
    from report_parser import pipeline
    from report_parser.models import Source

    for text in texts:  # one untimed pass first: lazy patterns compiled, caches and the allocator warm
        report_parser.parse(text)
    stages: dict[str, float] = {st.name: 0.0 for st in pipeline.STAGES}
    inner: dict[str, dict[str, float]] = {}
    with StageTimer() as timer:
        t_all = cpu()
        for text in texts:
            source = Source(sha256=hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(),
                            encoding="str", chars=len(text))
            state = pipeline.ParseState(text, source)
            for stage in pipeline.STAGES:
                before = dict(timer.spent)
                t = cpu()
                stage.run(state)
                stages[stage.name] += cpu() - t
                for k, v in timer.spent.items():
                    if v > before[k]:
                        inner.setdefault(stage.name, {}).setdefault(k, 0.0)
                        inner[stage.name][k] += v - before[k]
        total = cpu() - t_all
    return stages, inner, total


def interleaved(texts: list[str], rounds: int) -> tuple[list[float], list[float]]:
    """CPU seconds of parsing all texts and of jieba.lcut on them, round after round, alternating."""
    import jieba

    import report_parser

    jieba.setLogLevel(60)
    jieba.initialize()
    for t in texts[:20]:  # first calls (lazy patterns, caches) out of the timing
        report_parser.parse(t)
        jieba.lcut(t)
    # jieba's dictionary is hundreds of thousands of objects: left to the collector, the one full
    # collection a run triggers walks them all (60 ms) inside whichever round it falls in, a cost a
    # process that only parses never pays. Both sides run with what exists now kept out of collection.
    gc.collect()
    gc.freeze()
    parse_s, jieba_s = [], []
    try:
        for _ in range(rounds):
            c = cpu()
            for t in texts:
                report_parser.parse(t)
            parse_s.append(cpu() - c)
            c = cpu()
            for t in texts:
                jieba.lcut(t)
            jieba_s.append(cpu() - c)
    finally:
        gc.unfreeze()
    return parse_s, jieba_s


def interleaved_in_processes(texts: list[str], rounds: int, processes: int) -> list[tuple[list[float], list[float]]]:
    """`interleaved` in `processes` fresh Python processes, one after the other, on the same texts.

    One process is one sample of things that are fixed for its life and move both sides' speed: the
    seed of str hashing (jieba.lcut looks every candidate word up in a dict of 350,000 strings) and
    where the heap and the code land in memory. jieba.lcut's time per document moves by up to 15%
    from one process to the next; several processes show that spread, and the median over all their
    rounds does not hang on one draw (pyperf runs its benchmarks in many processes for that reason)."""
    with tempfile.TemporaryDirectory(prefix="report-parser-bench-") as tmp:
        data = Path(tmp) / "texts.json"
        data.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
        out = []
        for _ in range(processes):
            res = subprocess.run([sys.executable, __file__, "--interleaved-child", str(data), str(rounds)],
                                 capture_output=True, text=True, check=True)
            got = json.loads(res.stdout.strip().splitlines()[-1])
            out.append((got["parse"], got["jieba"]))
        return out


def profile(texts: list[str], top: int) -> str:
    import report_parser

    prof = cProfile.Profile()
    prof.enable()
    for t in texts:
        report_parser.parse(t)
    prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(top)
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="fewer documents and rounds (a smoke run)")
    ap.add_argument("--docs", type=int, default=None, help="documents in the mix (default 600, 150 with --quick)")
    ap.add_argument("--rounds", type=int, default=None, help="interleaved rounds (default 5, 2 with --quick)")
    ap.add_argument("--long-share", type=float, default=mix.LONG_SHARE,
                    help=f"long notices (≥ {mix.LONG_KB} KB) as a share of the documents (default {mix.LONG_SHARE})")
    ap.add_argument("--no-batch", action="store_true", help="skip the batch runs")
    ap.add_argument("--batch-docs", type=int, default=None,
                    help="files in the batch runs (default 2400, 600 with --quick); the mix alone is run too")
    ap.add_argument("--profile", type=int, default=0, metavar="N", help="also print the top N functions of the parse")
    ap.add_argument("--processes", type=int, default=None,
                    help="fresh processes for parse vs jieba.lcut (default 3, 1 with --quick)")
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON to FILE")
    ap.add_argument("--interleaved-child", nargs=2, metavar=("TEXTS", "ROUNDS"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.interleaved_child:  # one of interleaved_in_processes' processes: figures as JSON on stdout
        texts = json.loads(Path(args.interleaved_child[0]).read_text(encoding="utf-8"))
        parse_s, jieba_s = interleaved(texts, int(args.interleaved_child[1]))
        print(json.dumps({"parse": parse_s, "jieba": jieba_s}))
        return 0
    ndocs = args.docs or (150 if args.quick else 600)
    rounds = args.rounds or (2 if args.quick else 5)
    processes = args.processes or (1 if args.quick else 3)

    print(f"machine: {machine()}")
    print(f"at start: {load_line()}")
    corpus = mix.build(ndocs, args.long_share)
    texts = [n.text for n in corpus]
    nbytes = sum(len(t.encode("utf-8")) for t in texts)
    mb = nbytes / MB
    print(f"\nmix: {len(texts)} documents, {mb:.2f} MB (UTF-8), {sum(map(len, texts)) / 1e6:.2f} M characters")
    print(mix.describe(corpus))
    figures: dict[str, object] = {"documents": len(texts), "mb": mb}

    # 1. parse and jieba.lcut, interleaved, CPU time, in fresh processes
    la0 = os.getloadavg()[0]
    per_process = interleaved_in_processes(texts, rounds, processes)
    parse_s = [s for p, _ in per_process for s in p]
    jieba_s = [s for _, j in per_process for s in j]
    ratios = [j / p for p, j in zip(parse_s, jieba_s, strict=True)]
    p_best, j_best = min(parse_s), min(jieba_s)
    ratio = statistics.median(ratios)
    print(f"\nparse vs jieba.lcut, {processes} fresh process{'es' if processes > 1 else ''} × {rounds} interleaved "
          f"rounds on the same texts, CPU time (load {la0:.2f} → {os.getloadavg()[0]:.2f}):")
    print(f"{'':28}{'MB/s/core':>10}{'docs/s':>9}{'ms/doc':>8}   (best round)")
    for label, s in (("parse", p_best), ("jieba.lcut", j_best)):
        print(f"{label:28}{mb / s:10.2f}{len(texts) / s:9.0f}{s / len(texts) * 1000:8.2f}")
    n_docs = len(texts)
    for i, (p, j) in enumerate(per_process, 1):
        rs = [b / a for a, b in zip(p, j, strict=True)]
        print(f"process {i}: parse {statistics.median(p) / n_docs * 1000:.3f} ms/doc, jieba.lcut "
              f"{statistics.median(j) / n_docs * 1000:.3f} (medians); parse / jieba.lcut per round "
              f"{', '.join(f'{r:.2f}' for r in rs)}; median {statistics.median(rs):.2f}×")
    print(f"parse / jieba.lcut, median of all {len(ratios)} rounds: {ratio:.2f}× (lowest {min(ratios):.2f}, "
          f"highest {max(ratios):.2f})")
    figures.update(parse_mb_s=mb / p_best, parse_docs_s=len(texts) / p_best, jieba_mb_s=mb / j_best,
                   parse_vs_jieba=ratio, parse_vs_jieba_rounds=ratios)

    # 2. per stage

    stages, inner, total = stage_times(texts)
    n = len(texts)
    print(f"\ntime per stage (pipeline.STAGES, one more pass, CPU, {total / n * 1000:.2f} ms per document):")
    for name, s in stages.items():
        print(f"{name:28}{s / n * 1000:8.3f} ms/doc{s / total:8.0%}")
        for sub, t in inner.get(name, {}).items():
            print(f"  {sub:26}{t / n * 1000:8.3f} ms/doc{t / total:8.0%}")
    rest = total - sum(stages.values())
    print(f"{'outside the stages':28}{rest / n * 1000:8.3f} ms/doc{rest / total:8.0%}  (the source's hash, Source, this timing's own cost)")
    figures["stages_ms_per_doc"] = {k: v / n * 1000 for k, v in stages.items()}

    if args.profile:
        print(profile(texts[: max(50, len(texts) // 4)], args.profile))

    # 3. cold start
    cold = cold_start(SAMPLE, runs=3 if args.quick else 7)
    print(f"\ncold start, `report-parser parse {SAMPLE.name}` ({SAMPLE.stat().st_size / 1000:.1f} KB): "
          f"{cold['cpu_best']:.3f} s CPU best, {cold['cpu_median']:.3f} s median, {cold['wall_best']:.3f} s wall "
          f"best; peak RSS {cold['rss_mb']:.0f} MB")
    rows = import_breakdown(SAMPLE)
    total_ms = sum(ms for _, ms, _ in rows)
    print(f"imports (python -X importtime, self time summed per package, best of 3): {total_ms:.0f} ms")
    for name, ms, k in rows:
        if ms >= 2:
            print(f"  {name:38}{ms:8.1f} ms{k:6d} module{'s' if k > 1 else ''}")
    heavy = [n for n, _, _ in rows if n in {"pandas", "pyarrow", "jieba", "docx", "trafilatura", "pdfminer", "lxml"}]
    print("not imported by a .txt parse: pandas, pyarrow, jieba, docx, trafilatura, pdfminer, lxml"
          if not heavy else f"imported although a .txt parse does not need them: {', '.join(heavy)}")
    figures["cold"] = cold

    # 4. batch: a collection of a few thousand files, as a scraped corpus is, and the mix alone
    ratio_j = None
    if not args.no_batch:
        cap = parallel_capacity()
        nbatch = args.batch_docs or (600 if args.quick else 2400)
        sizes = [nbatch] + ([len(texts)] if len(texts) < nbatch else [])
        for n in sizes:
            runs = batch_of(texts, n, rounds=2 if args.quick else 3)
            best = {j: min(r, key=lambda x: x["wall"]) for j, r in runs.items()}
            r_j = best["1"]["wall"] / best["2"]["wall"]
            print_batch(n, runs, best, r_j, cap)
            figures[f"batch_{n}"] = runs
            if n == nbatch:
                ratio_j = r_j
        figures["j2_vs_j1"] = ratio_j
        figures["parallel_capacity"] = cap

    print(f"\nat end: {load_line()}")
    results = [(f"parse ≥ {PARSE_VS_JIEBA}× jieba.lcut on the mix (CPU, median of all rounds): {ratio:.2f}×",
                ratio >= PARSE_VS_JIEBA),
               (f"cold start ≤ {COLD_CPU_S} s CPU: {cold['cpu_best']:.3f} s", cold["cpu_best"] <= COLD_CPU_S),
               (f"cold start peak RSS ≤ {PEAK_RSS_MB:.0f} MB: {cold['rss_mb']:.0f} MB", cold["rss_mb"] <= PEAK_RSS_MB)]
    if ratio_j is not None:
        results.append((f"batch -j 2 ≥ {J2_VS_J1}× -j 1 ({nbatch} files): {ratio_j:.2f}×", ratio_j >= J2_VS_J1))
    for text, ok in results:
        print(f"{'PASS' if ok else 'FAIL'}  {text}")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0 if all(ok for _, ok in results) else 1


if __name__ == "__main__":
    sys.exit(main())
