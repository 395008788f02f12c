#!/usr/bin/env python3
"""Score the comparison facts of every notice in a folder against its `NAME.compare.json`.

    python scripts/compare_fixtures.py [DIR ...] [--baseline FILE] [--update]

Prints one line per notice (the parts of scripts/score_compare.py and their mean) and the mean of
each part. With --baseline, fails (exit 1) when a part of a notice scores below its recorded value;
--update rewrites the baseline with today's scores.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIRS = [ROOT / "tests" / "fixtures" / "compare"]
EXTS = (".txt", ".docx", ".html", ".pdf")


def _scorer():
    spec = importlib.util.spec_from_file_location("score_compare", ROOT / "scripts" / "score_compare.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def notices(dirs: list[Path]) -> list[tuple[str, Path, Path]]:
    out = []
    for d in dirs:
        for gold in sorted(d.glob("*.compare.json")):
            name = gold.name.removesuffix(".compare.json")
            src = next((d / f"{name}{e}" for e in EXTS if (d / f"{name}{e}").exists()), None)
            if src is not None:
                out.append((name, src, gold))
    return out


def score_all(dirs: list[Path]) -> dict[str, dict[str, float]]:
    import report_parser

    scorer = _scorer()
    result = {}
    for name, src, gold in notices(dirs):
        doc = report_parser.parse_file(src).model_dump(mode="json")
        parts, _ = scorer.score(json.loads(gold.read_text("utf-8")), doc)
        result[name] = {k: round(v, 4) for k, v in parts.items()}
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dirs", nargs="*", type=Path)
    ap.add_argument("--baseline", type=Path)
    ap.add_argument("--update", action="store_true")
    a = ap.parse_args(argv)
    scores = score_all(a.dirs or DEFAULT_DIRS)
    totals: dict[str, list[float]] = {}
    for name, parts in scores.items():
        for k, v in parts.items():
            totals.setdefault(k, []).append(v)
        mean = sum(parts.values()) / len(parts) if parts else 1.0
        print(f"{name:60} {' '.join(f'{k}={v:.3f}' for k, v in sorted(parts.items()))}  mean={mean:.3f}")
    means = {k: sum(v) / len(v) for k, v in totals.items()}
    print("parts:", " ".join(f"{k}={v:.3f}" for k, v in sorted(means.items())),
          f" mean={sum(means.values()) / len(means):.3f}" if means else "")
    if a.baseline and a.update:
        a.baseline.write_text(json.dumps(scores, ensure_ascii=False, indent=1, sort_keys=True) + "\n", "utf-8")
        return 0
    if a.baseline:
        base = json.loads(a.baseline.read_text("utf-8"))
        drops = [f"{n}.{k}: {v} < {base[n][k]}" for n, parts in scores.items() for k, v in parts.items()
                 if n in base and k in base[n] and v < base[n][k]]
        for d in drops:
            print("DROP", d)
        return 1 if drops else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
