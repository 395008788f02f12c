"""OCR benchmark: character accuracy and seconds per page on the sample notice rendered as a scan.

    python bench/ocr.py [--dpi 150] [--engines rapidocr,tesseract]

Renders the bundled sample notice as scanned A4 pages (scripts/render_scan.py: a CJK font, blur and
speckle), runs each engine that is installed on every page and prints, per engine, the character
accuracy (1 - edit distance / length, on non-blank characters, against what was printed on the
page) and the seconds per page: wall time (best of --repeat runs) and CPU time (all threads and
child processes, which is what a busy machine shares out). Then it parses the scan as a PDF through report_parser (RapidOCR)
and prints the parse's scores against the sample's gold file (scripts/score.py).

Engines: `rapidocr` (rapidocr_onnxruntime, the one report_parser uses: `pip install -e ".[ocr]"`);
`tesseract` for comparison (Debian tesseract-ocr + tesseract-ocr-chi-sim, and pytesseract).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
if str(SRC) not in sys.path:
    sys.path.insert(0, str(SRC))  # this checkout's code, installed or not
SAMPLE = ROOT / "corpora" / "seed" / "kuandian-investment-center-2025.txt"
GOLD = ROOT / "tests" / "fixtures" / "gold" / "kuandian-investment-center-2025.gold.json"


def _script(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance, two rows."""
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def accuracy(got: str, want: str) -> float:
    """1 - edit distance / length of the reference, on non-blank characters (floored at 0)."""
    g, w = "".join(got.split()), "".join(want.split())
    return max(0.0, 1 - edit_distance(g, w) / len(w)) if w else 0.0


def rapidocr_engine() -> Callable[[Any], str] | None:
    try:
        from report_parser.formats import ocr
    except ImportError:
        return None
    if not ocr.available():
        return None

    def run(image: Any) -> str:
        page = ocr.recognise(image, 1)
        return "\n".join(ln.text for ln in page.lines)

    return run


def tesseract_engine() -> Callable[[Any], str] | None:
    try:
        import pytesseract
    except ImportError:
        return None
    try:
        if "chi_sim" not in pytesseract.get_languages():
            return None
    except Exception:  # tesseract itself not installed
        return None
    return lambda image: pytesseract.image_to_string(image, lang="chi_sim")


ENGINES = {"rapidocr": rapidocr_engine, "tesseract": tesseract_engine}


def _cpu() -> float:
    """CPU seconds of this process (all threads) and of its finished children (tesseract runs as one)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dpi", type=int, default=150)
    ap.add_argument("--engines", default="rapidocr,tesseract")
    ap.add_argument("--repeat", type=int, default=2, help="runs per engine; the best wall time is kept")
    args = ap.parse_args()
    render = _script("render_scan")
    if render.cjk_font() is None:
        print("no CJK font: install fonts-noto-cjk")
        return 2
    truth: list[str] = []
    pages = render.render_pages(SAMPLE.read_text(encoding="utf-8"), dpi=args.dpi, truth=truth)
    print(f"sample notice rendered as {len(pages)} scanned A4 pages at {args.dpi} dpi "
          f"({sum(len(''.join(t.split())) for t in truth)} non-blank characters)")
    print("| engine | character accuracy | wall s/page | CPU s/page | first page (incl. model load) |")
    print("|---|---:|---:|---:|---:|")
    for key in args.engines.split(","):
        make = ENGINES.get(key.strip())
        run = make() if make else None
        if run is None:
            print(f"| {key} | not installed | | | |")
            continue
        t0 = time.perf_counter()
        got = [run(pages[0])]
        first = time.perf_counter() - t0
        best_wall = best_cpu = float("inf")
        for _ in range(max(1, args.repeat)):
            c0, w0 = _cpu(), time.perf_counter()
            got = [run(p) for p in pages]
            best_wall = min(best_wall, (time.perf_counter() - w0) / len(pages))
            best_cpu = min(best_cpu, (_cpu() - c0) / len(pages))
        acc = accuracy("\n".join(got), "\n".join(truth))
        print(f"| {key} | {acc:.3f} | {best_wall:.2f} | {best_cpu:.2f} | {first:.2f} |")

    if rapidocr_engine() is None:
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        scan = Path(tmp) / "scan.pdf"
        scan.write_bytes(render.scan_pdf(pages, args.dpi))
        out = Path(tmp) / "scan.json"
        t0 = time.perf_counter()
        with open(out, "w", encoding="utf-8") as fh:
            subprocess.run([sys.executable, "-m", "report_parser", "parse", str(scan)], stdout=fh, check=True)
        wall = time.perf_counter() - t0
        doc = json.loads(out.read_text(encoding="utf-8"))
        sample = SAMPLE.read_text(encoding="utf-8").replace("[bookmark: _GoBack]", "")
        print(f"\nreport-parser parse scan.pdf: {wall:.1f} s for {len(pages)} pages "
              f"({wall / len(pages):.2f} s/page, with start-up); text accuracy after dropping headers "
              f"and page numbers: {accuracy(doc['source']['text'], sample):.3f}")
        print("; ".join(w["message"] for w in doc["warnings"] if w["code"] == "W502"))
        score = subprocess.run([sys.executable, str(ROOT / "scripts" / "score.py"), str(GOLD), str(out)],
                               capture_output=True, text=True, check=False).stdout
        print("\n".join(ln for ln in score.splitlines() if not ln.startswith("  ")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
