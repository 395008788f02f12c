"""Speed of the review page and the corpus report.

Prints, best of N runs:
- the generation time of the review page of the 80 kB Nankai notice (parse + page, and the page alone);
- its ready time in Chromium (headless, from file://: navigation start to the page's script having run);
- the corpus report time for 500 notices (copies of the bundled notices and notice fixtures, each made distinct,
  parsed with `batch` into tables first), and the Excel export of the same tables;
and PASS/FAIL against the targets (page < 1 s, ready < 1 s, report < 10 s).

    .venv/bin/python bench/view.py [--notices 500] [--repeat 3] [--chromium /usr/bin/chromium]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from report_parser.batch import run_batch  # noqa: E402
from report_parser.decode import load_path  # noqa: E402
from report_parser.export import batch_tables, write_xlsx  # noqa: E402
from report_parser.pipeline import parse_loaded  # noqa: E402
from report_parser.report import write_report  # noqa: E402
from report_parser.view import render_page  # noqa: E402

NANKAI = ROOT / "corpora" / "real" / "nankai-central-2022.txt"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def build_corpus(folder: Path, n: int, only_bundled: bool = False) -> list[Path]:
    """n notices: the bundled ones and the notice fixtures in turn, each copy made distinct by trailing blank lines
    (`only_bundled`: the two long bundled notices only, for a heavier corpus)."""
    bases = sorted(ROOT.glob("corpora/*/*.txt"))
    if not only_bundled:
        bases += sorted((ROOT / "tests" / "fixtures" / "notices").glob("*.txt"))
    texts = [load_path(p).text for p in bases]
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for k in range(n):
        i = k % len(texts)
        p = folder / f"{k:04d}-{bases[i].name}"
        p.write_text(texts[i] + "\n" * (1 + k // len(texts)), encoding="utf-8")
        out.append(p)
    return out


def browser_ready(page_file: Path, chromium: str, repeat: int) -> tuple[float, float] | str:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return "playwright is not installed"
    if not Path(chromium).is_file():
        return f"no Chromium at {chromium}"
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(profile, executable_path=chromium, headless=True, args=ARGS,
                                                   viewport={"width": 1400, "height": 900})
        try:
            ready, load = [], []
            for _ in range(repeat + 1):  # the first load warms the browser up
                page = ctx.new_page()
                page.goto(page_file.as_uri())
                page.wait_for_selector("html[data-ready]")
                page.wait_for_function("() => performance.getEntriesByType('paint').length > 0")
                nav = page.evaluate("""() => { const n = performance.getEntriesByType('navigation')[0];
                    const p = performance.getEntriesByType('paint').map(e => e.startTime);
                    return [n.domContentLoadedEventEnd, Math.max(n.loadEventEnd, ...p)]; }""")
                ready.append(nav[0] / 1000)
                load.append(nav[1] / 1000)
                page.close()
            return min(ready[1:]), min(load[1:])
        finally:
            ctx.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--notices", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=2, help="batch processes used to build the tables (not timed)")
    ap.add_argument("--heavy", action="store_true", help="repeat only the two long bundled notices")
    ap.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = ap.parse_args()
    results: list[tuple[str, float | None, float]] = []

    loaded = load_path(NANKAI)
    doc = parse_loaded(loaded)
    t_full = best(lambda: render_page(parse_loaded(load_path(NANKAI)), loaded.text), args.repeat)
    t_page = best(lambda: render_page(doc, loaded.text), args.repeat)
    rendered = render_page(doc, loaded.text)
    print(f"review page of {NANKAI.name} ({NANKAI.stat().st_size / 1000:.0f} kB, {len(rendered.html) / 1000:.0f} kB "
          f"of HTML, {rendered.marked} marked elements): {t_full:.3f} s with the parse, {t_page:.3f} s the page alone")
    results.append(("review page generated (parse + page)", t_full, 1.0))

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        page_file = tmp_path / "nankai.html"
        page_file.write_text(rendered.html, encoding="utf-8")
        ready = browser_ready(page_file, args.chromium, args.repeat)
        if isinstance(ready, str):
            print(f"browser ready time: skipped ({ready})")
            results.append(("review page ready in the browser", None, 1.0))
        else:
            print(f"review page in Chromium: ready (DOMContentLoaded, script run) {ready[0]:.3f} s, "
                  f"load event and first paint {ready[1]:.3f} s after navigation start")
            results.append(("review page ready (and painted) in the browser", ready[1], 1.0))

        notices = build_corpus(tmp_path / "notices", args.notices, args.heavy)
        mb = sum(p.stat().st_size for p in notices) / 1e6
        t = time.perf_counter()
        result = run_batch(notices, tmp_path / "tables", jobs=args.jobs, progress=False)
        print(f"batch of {len(notices)} notices ({mb:.1f} MB) with -j {args.jobs}: {time.perf_counter() - t:.1f} s "
              f"(not part of the report time), {result.documents} documents")
        t_report = best(lambda: write_report(tmp_path / "tables", tmp_path / "report.html"), args.repeat)
        size = (tmp_path / "report.html").stat().st_size / 1000
        print(f"corpus report of {result.documents} notices: {t_report:.2f} s ({size:.0f} kB of HTML)")
        results.append((f"corpus report of {result.documents} notices", t_report, 10.0))
        t_xlsx = best(lambda: write_xlsx(batch_tables(tmp_path / "tables"), tmp_path / "t.xlsx"), 1)
        print(f"Excel export of the same tables: {t_xlsx:.2f} s "
              f"({(tmp_path / 't.xlsx').stat().st_size / 1e6:.1f} MB)")

    print()
    failed = False
    for name, value, target in results:
        if value is None:
            print(f"SKIP  {name}")
            continue
        ok = value < target
        failed |= not ok
        print(f"{'PASS' if ok else 'FAIL'}  {name}: {value:.3f} s (target < {target:g} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
