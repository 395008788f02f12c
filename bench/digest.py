"""What the parser outputs on every bundled notice, as one digest per notice: a speed change must not
change a single byte of it.

    python bench/digest.py --write /tmp/before.json    # before the change
    python bench/digest.py --check /tmp/before.json    # after: lists every notice whose output moved

The notices are those of the benchmark mix (bench/mix.py: corpora and every fixture that decodes),
each parsed once, as `report-parser parse` would (JSON of the Document, source included).
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from mix import bundled  # noqa: E402


def outputs() -> dict[str, str]:
    from report_parser.pipeline import parse

    return {n.name: parse(n.text, name=Path(n.name).name).model_dump_json(indent=1) for n in bundled()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    group = ap.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", metavar="FILE", help="write each notice's output to FILE")
    group.add_argument("--check", metavar="FILE", help="compare with the outputs written to FILE")
    ap.add_argument("--diff", type=int, default=3, help="show the first lines of difference of N notices")
    args = ap.parse_args(argv)
    now = outputs()
    if args.write:
        Path(args.write).write_text(json.dumps(now, ensure_ascii=False), encoding="utf-8")
        digest = hashlib.sha256("".join(now[k] for k in sorted(now)).encode()).hexdigest()[:16]
        print(f"{len(now)} notices written to {args.write} (digest {digest})")
        return 0
    before: dict[str, str] = json.loads(Path(args.check).read_text(encoding="utf-8"))
    moved = sorted(k for k in before.keys() | now.keys() if before.get(k) != now.get(k))
    for k in moved[: args.diff]:
        diff = difflib.unified_diff((before.get(k) or "").splitlines(), (now.get(k) or "").splitlines(),
                                    "before", "now", lineterm="", n=1)
        print(f"--- {k}")
        print("\n".join(list(diff)[2:40]))
    print(f"{len(now)} notices, {len(moved)} with a different output" + (": " + ", ".join(moved[:20]) if moved else ""))
    return 1 if moved else 0


if __name__ == "__main__":
    raise SystemExit(main())
