#!/usr/bin/env python3
"""Build src/report_parser/data/analysis_idf.txt: jieba's general IDF adjusted to rectification notices.

    PYTHONPATH=src python scripts/build_idf.py [CORPUS_DIR ...]

The table is an overlay on jieba's own IDF table (jieba/analyse/idf.txt, loaded at run time too):
for every word of the bundled notices and every term of the domain vocabulary (data/userdict.txt),

    idf = base × (0.5 + 0.5 × field_idf / max_field_idf)

where `base` is jieba's general IDF of the word (its median for words jieba does not know, such as
三重一大 or 谈心谈话) and `field_idf = ln((N + 1) / (df + 1)) + 1` over the N paragraphs of the corpus.
Words that every notice repeats (整改, 巡视, 落实) sink towards half their general weight; the words
that set one finding apart from another keep theirs. Standard library and jieba only; no network.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from report_parser.analysis import IDF, general_idf, is_wordlike, new_segmenter, read_userdict  # noqa: E402

MIN_PARAGRAPH = 10  # characters: shorter lines (headings, contact lines) are not documents


def paragraphs(paths: list[Path]) -> list[str]:
    """The non-trivial lines of every notice under the given directories."""
    out = []
    for d in paths:
        for p in sorted(d.rglob("*.txt")):
            out.extend(ln.strip() for ln in p.read_text("utf-8").splitlines() if len(ln.strip()) >= MIN_PARAGRAPH)
    return out


def build(paths: list[Path]) -> dict[str, float]:
    """word → IDF for the corpus words and the domain vocabulary."""
    seg = new_segmenter()
    docs = paragraphs(paths)
    df: Counter[str] = Counter()
    for para in docs:
        df.update({w for w in seg.cut(para) if len(w) >= 2 and is_wordlike(w)})
    vocab = {w for w, _ in read_userdict()}
    general, median = general_idf()
    n = len(docs)
    top = math.log(n + 1) + 1
    table = {}
    for w in sorted(set(df) | vocab):
        field = math.log((n + 1) / (df[w] + 1)) + 1
        table[w] = round(general.get(w, median) * (0.5 + 0.5 * field / top), 4)
    return table


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpora", nargs="*", type=Path, default=[ROOT / "corpora"])
    ap.add_argument("-o", "--output", type=Path, default=IDF)
    args = ap.parse_args(argv)
    table = build(args.corpora)
    lines = [f"{w} {v}" for w, v in table.items()]  # jieba's IDF format: `word idf`, no comments
    args.output.write_text("\n".join(lines) + "\n", "utf-8")
    print(f"{len(table)} words → {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
