"""Optional analysis with jieba: subjects of figures, keywords and topic areas (`ParseOptions(analyze=True)`)."""

from __future__ import annotations

import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import regex

from .lexicon import load
from .models import Document, Metric, Topic
from .segment import (  # noqa: F401  (re-exported: the analysis API)
    IDF,
    STOPWORDS,
    USERDICT,
    Segmenter,
    general_idf,
    new_segmenter,
    read_userdict,
    read_wordlist,
    segmenter,
)

DATA = Path(__file__).resolve().parent / "data"
TOPICS = DATA / "topics_cues.json"

NODE_KEYWORDS = 8  # keywords per problem node
DOC_KEYWORDS = 15  # keywords per document
# Parts of speech a keyword may have: nouns, names, verbal nouns, fixed expressions, abbreviations.
KEYWORD_POS = ("n", "nr", "ns", "nt", "nz", "nl", "ng", "vn", "l", "j", "an", "v")
_KEYWORD_POS = frozenset(KEYWORD_POS)
TITLE_CUE_WEIGHT = 3  # a cue in a problem's title outweighs one in its measures
TOPIC_MIN_SCORE = 2  # an area needs a title cue or two distinct cues in the text
TOPIC_RELATIVE = 0.35  # ... and at least this share of the best area's score (long problems match widely)
FALLBACK_AREA = "core_business"  # a problem that names no other area is about the unit's own work

_WORDLIKE = regex.compile(r"^[\p{Han}A-Za-z][\p{Han}A-Za-z·]*$")
_SQUEEZE = regex.compile(r"\s+|\*\*")










def is_wordlike(w: str) -> bool:
    """A word made of Han characters or letters: not a number, a date or punctuation."""
    return bool(_WORDLIKE.match(w))










# ---------------------------------------------------------------- keywords


def _clean(text: str) -> str:
    return _SQUEEZE.sub("", unicodedata.normalize("NFKC", text))


def rank(tagged: Iterable[tuple[str, str]], k: int, seg: Segmenter) -> list[str]:
    """Top `k` words by jieba's TF-IDF weight (tf × idf / total), as `TFIDF.extract_tags` with
    `allowPOS=KEYWORD_POS` computes it, over words already tagged; numbers and punctuation are not words."""
    tf = seg.tfidf
    freq: dict[str, float] = {}
    for w, f in tagged:
        if f not in _KEYWORD_POS or len(w) < 2 or w in tf.stop_words or not _WORDLIKE.match(w):
            continue
        freq[w] = freq.get(w, 0.0) + 1.0
    total = sum(freq.values()) or 1.0
    weight = {w: c * tf.idf_freq.get(w, tf.median_idf) / total for w, c in freq.items()}
    return sorted(weight, key=lambda w: (-weight[w], w))[:k]


def keywords(text: str, k: int = NODE_KEYWORDS, seg: Segmenter | None = None) -> list[str]:
    """Top `k` TF-IDF keywords of `text`: words of the field, not its boilerplate, numbers or punctuation."""
    seg = seg or segmenter()
    return rank(seg.tag(_clean(text)), k, seg)


# ---------------------------------------------------------------- topics


@dataclass(frozen=True, slots=True)
class Area:
    """One area of the topic taxonomy and its cue words (docs/topics.md)."""

    id: str
    label: str
    cues: tuple[str, ...]


@cache
def areas() -> tuple[Area, ...]:
    """The topic taxonomy with its cue lexicon, from data/topics_cues.json."""
    data = load("topics_cues.json")
    return tuple(Area(a["id"], a["label"], tuple(a["cues"])) for a in data["areas"])


def topics(title: str | None, text: str) -> list[Topic]:
    """Topic areas of one problem: areas whose cues occur in its title (weight 3) or text (1 each).

    An area is kept when it scores at least TOPIC_MIN_SCORE and TOPIC_RELATIVE of the best area's score;
    the best area is always kept; a problem with no cue at all goes to FALLBACK_AREA with no cues.
    """
    t = _clean(title or "")
    body = _clean(text)
    scored: list[tuple[int, int, Area, list[str]]] = []
    for i, a in enumerate(areas()):
        hits = [c for c in a.cues if c in t or c in body]
        if not hits:
            continue
        # a cue contained in a longer cue that also matched is not counted twice
        hits = [c for c in hits if not any(c != d and c in d for d in hits)]
        score = sum(TITLE_CUE_WEIGHT if c in t else 1 for c in hits)
        scored.append((score, -i, a, hits))
    if not scored:
        return [Topic(area=FALLBACK_AREA, cues=[])]
    scored.sort(key=lambda s: (s[0], s[1]), reverse=True)
    floor = max(TOPIC_MIN_SCORE, TOPIC_RELATIVE * scored[0][0])
    kept = [s for s in scored if s[0] >= floor] or scored[:1]
    return [Topic(area=a.id, cues=hits) for _, _, a, hits in kept]


# ---------------------------------------------------------------- the document


class _Source:
    """The pieces of the original text that the document still carries, to read figures in context."""

    def __init__(self, doc: Document) -> None:
        pieces: list[tuple[int, int, str]] = []
        for t in (doc.title, doc.preamble, doc.closing, doc.signature):
            if t is not None:
                pieces.append((t.span[0], t.span[1], t.text))
        for n in doc.sections:
            pieces.append((n.span[0], n.span[1], n.text))
        if doc.inspection is not None and doc.inspection.span and doc.inspection.text:
            pieces.append((doc.inspection.span[0], doc.inspection.span[1], doc.inspection.text))
        self.pieces = pieces

    def around(self, span: tuple[int, int]) -> tuple[str, int, int] | None:
        """(piece text, start, end) of the piece holding `span`, with the span made relative to it."""
        for s, e, text in self.pieces:
            if s <= span[0] and span[1] <= e:
                return text, span[0] - s, span[1] - s
        return None


def _figures(doc: Document) -> Iterator[Metric]:
    yield from doc.summary
    for n in doc.walk():
        yield from n.metrics


class _Tagged:
    """The body's words with their parts of speech and start offsets: one jieba pass for all keywords."""

    def __init__(self, seg: Segmenter, pieces: list[tuple[int, int, str]]) -> None:
        self.starts: list[int] = []
        self.words: list[tuple[str, str]] = []
        for s, _, text in sorted(pieces):
            pos = s
            for w, f in seg.tag(text):
                self.starts.append(pos)
                self.words.append((w, f))
                pos += len(w)

    def within(self, span: tuple[int, int]) -> list[tuple[str, str]]:
        return self.words[bisect_left(self.starts, span[0]):bisect_left(self.starts, span[1])]


def analyze(doc: Document) -> Document:
    """Add subjects to count and money figures, keywords to problems and the document, topics to problems."""
    from .subjects import subject_of

    seg = segmenter()
    src = _Source(doc)
    for m in _figures(doc):
        if m.subject is not None or m.kind not in ("count", "money"):
            continue
        where = src.around(m.span)
        if where is not None:
            text, s, e = where
            m.subject = subject_of(text, s, e, m.unit, seg=seg)
    # keywords come from the body; the header and the closing are the same formulas in every notice
    body = [(n.span[0], n.span[1], n.text) for n in doc.sections]
    if not body and doc.preamble is not None:
        body = [(doc.preamble.span[0], doc.preamble.span[1], doc.preamble.text)]
    tagged = _Tagged(seg, body)
    for n in doc.walk():
        if n.role == "problem":
            n.keywords = rank(tagged.within(n.span), NODE_KEYWORDS, seg)
            n.topics = topics(n.title, n.text)
    doc.keywords = rank(tagged.words, DOC_KEYWORDS, seg)
    return doc

