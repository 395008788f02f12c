#!/usr/bin/env python3
"""Run the peer figure cases (tests/fixtures/peer/metrics.jsonl): print the share correct and the failures."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

if str(ROOT / "scripts") not in sys.path:
    sys.path.insert(0, str(ROOT / "scripts"))

from score import metric_key  # noqa: E402  (the scorer's own comparison key)

from report_parser.metrics import FIGURE_KINDS, Found, extract  # noqa: E402
from report_parser.numerals import cn_to_number  # noqa: E402

CASES = ROOT / "tests" / "fixtures" / "peer" / "metrics.jsonl"


def _normalizer():
    """The project's matching normaliser, or the identity if it cannot be imported."""
    try:
        from report_parser.normalize import normalize
    except Exception:  # only while the normaliser is being written
        return "none (raw input)", lambda s: s
    return "report_parser.normalize", lambda s: normalize(s).text


NORMALISER, normalize_text = _normalizer()


def as_metric(f: Found) -> dict:
    """A Found in the contract's Metric field names."""
    return {"kind": f.kind, "value": f.value, "unit": f.unit, "approx": f.approx, "date": f.date,
            "start": f.start_date, "end": f.end_date}


def load_cases(path: Path = CASES) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def predict(case: dict) -> list[dict]:
    """What the parser gives for a case: the numeral converter for bare numerals, else extract()."""
    src = case["input"]
    if "bare_numeral" in case.get("tags", []):
        value = cn_to_number(src)
        if value is None:
            return []
        approx = src.rstrip().endswith(("余", "多"))
        return [{"kind": "count", "value": value, "unit": None, "approx": approx}]
    found, _ = extract(normalize_text(src))
    return [as_metric(f) for f in found]


def check(case: dict) -> tuple[bool, bool, list[dict]]:
    """(keys match, keys and approx match, prediction)."""
    got = predict(case)
    want = case["expect"]
    keys_ok = [metric_key(m) for m in got] == [metric_key(m) for m in want]
    approx_ok = keys_ok and all(
        "approx" not in w or w["kind"] not in FIGURE_KINDS
        or bool(g.get("approx")) == w["approx"]
        for g, w in zip(got, want, strict=True)
    )
    return keys_ok, approx_ok, got


def run(cases: list[dict]) -> tuple[float, float, list[tuple[dict, list[dict]]]]:
    ok = strict = 0
    failures = []
    for c in cases:
        k, a, got = check(c)
        ok += k
        strict += a
        if not a:
            failures.append((c, got))
    n = len(cases) or 1
    return ok / n, strict / n, failures


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("cases", nargs="?", type=Path, default=CASES)
    args = ap.parse_args(argv)
    cases = load_cases(args.cases)
    share, strict, failures = run(cases)
    print(f"peer cases: {len(cases)} (normaliser: {NORMALISER})")
    print(f"correct (scorer keys): {share:.3f}")
    print(f"correct (keys and approx): {strict:.3f}")
    for c, got in failures:
        want = [metric_key(m) for m in c["expect"]]
        print(f"FAIL {c['input']!r}\n  want {want} {[m.get('approx') for m in c['expect']]}"
              f"\n  got  {[metric_key(m) for m in got]} {[m.get('approx') for m in got]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
