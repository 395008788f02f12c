"""Boilerplate measures: near-duplicate rectification measures across units, grouped with MinHash LSH."""

from __future__ import annotations

from collections.abc import Iterable

import regex

from .models import Document, Node

THRESHOLD = 0.8  # Jaccard similarity of two measures' word sets for them to be the same boilerplate
NUM_PERM = 128  # MinHash permutations
MIN_WORDS = 6  # measures with fewer distinct words are too short to call boilerplate
LSH_SLACK = 0.15  # the LSH index looks this much below THRESHOLD, so few true pairs are missed

Key = tuple[str, int]  # (document sha256, measure span start)

_NUMBER = regex.compile(r"^[\d０-９.．%％]+$|^[〇零一二两三四五六七八九十百千万亿]+$")
_WORD = regex.compile(r"[\p{Han}A-Za-z0-9０-９]")


def measure_words(text: str, marker: str | None = None) -> frozenset[str]:
    """The set of jieba words of a measure, without its marker and punctuation; numbers become `#`
    (开展培训3次 and 开展培训5次 are the same boilerplate)."""
    from .segment import segmenter

    if marker and text.startswith(marker):
        text = text[len(marker):]
    out = set()
    for w in segmenter().cut(text):
        if _NUMBER.match(w):
            out.add("#")
        elif _WORD.search(w):
            out.add(w)
    return frozenset(out)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """|a ∩ b| / |a ∪ b|."""
    return len(a & b) / len(a | b) if a or b else 0.0


def _measures(documents: Iterable[Document]) -> list[tuple[Key, Node]]:
    out = []
    for d in documents:
        for n in d.walk():
            if n.role == "measure":
                out.append(((d.source.sha256, n.span[0]), n))
    return out


def boilerplate_groups(documents: Iterable[Document], threshold: float = THRESHOLD,
                       num_perm: int = NUM_PERM) -> dict[Key, int]:
    """Groups of near-duplicate measures across different documents.

    Returns `{(doc_sha256, measure_span_start): group}` for every measure that has a near-duplicate
    (Jaccard ≥ `threshold` on jieba word sets) in another document; measures of one group share the
    group number, numbered 0, 1, … in the order their first measure appears in `documents`. Measures
    without such a twin are not in the dict. Candidates come from datasketch's MinHashLSH; each pair is
    then checked with the exact Jaccard similarity, so the result does not depend on hashing luck beyond
    recall.
    """
    from datasketch import MinHash, MinHashLSH

    items = []
    for key, node in _measures(documents):
        words = measure_words(node.text, node.marker)
        if len(words) >= MIN_WORDS:
            items.append((key, words))
    if len(items) < 2:
        return {}
    lsh = MinHashLSH(threshold=max(0.5, threshold - LSH_SLACK), num_perm=num_perm)
    hashes = MinHash.bulk([[w.encode("utf-8") for w in sorted(words)] for _, words in items], num_perm=num_perm)
    for i, h in enumerate(hashes):
        lsh.insert(i, h)
    parent = list(range(len(items)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    paired: set[int] = set()
    for i, h in enumerate(hashes):
        for j in lsh.query(h):
            if j <= i or items[i][0][0] == items[j][0][0]:
                continue  # each pair once; measures of one document are not boilerplate of each other
            if jaccard(items[i][1], items[j][1]) >= threshold:
                paired.update((i, j))
                a, b = find(i), find(j)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    groups: dict[int, int] = {}
    out: dict[Key, int] = {}
    for i in sorted(paired):
        root = find(i)
        if root not in groups:
            groups[root] = len(groups)
        out[items[i][0]] = groups[root]
    return out
