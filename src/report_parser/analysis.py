"""Optional analysis with jieba: subjects of figures, keywords and topic areas (`ParseOptions(analyze=True)`)."""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import regex

from .models import Document, Metric, Topic

DATA = Path(__file__).resolve().parent / "data"
USERDICT = DATA / "userdict.txt"
STOPWORDS = DATA / "analysis_stopwords.txt"
IDF = DATA / "analysis_idf.txt"
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
_ALNUM = regex.compile(r"^[a-zA-Z0-9]+$")
_SQUEEZE = regex.compile(r"\s+|\*\*")
_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class Segmenter:
    """jieba's tokenizers with the domain vocabulary, loaded once per process."""

    tok: Any  # jieba.Tokenizer
    pos: Any  # jieba.posseg.POSTokenizer
    tfidf: Any  # jieba.analyse.TFIDF

    def cut(self, text: str) -> list[str]:
        """Words of `text` (no HMM guessing of unknown words: stable and faster)."""
        return self.tok.lcut(text, HMM=False)

    def tag(self, text: str) -> list[tuple[str, str]]:
        """(word, part of speech) pairs of `text`: what `jieba.posseg` gives without HMM, read from its
        tag table over one plain cut (half the cost of posseg's own loop)."""
        tab = self.pos.word_tag_tab
        return [(w, tab.get(w) or ("eng" if _ALNUM.match(w) else "x")) for w in self.tok.lcut(text, HMM=False)]


def read_userdict(path: Path = USERDICT) -> list[tuple[str, str]]:
    """(term, tag) pairs of the domain vocabulary; `#` lines are comments."""
    out = []
    for line in path.read_text("utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        word, tag = line.rsplit(" ", 1)
        out.append((word, tag))
    return out


def read_wordlist(path: Path) -> list[str]:
    """Words of a one-per-line list; `#` lines are comments."""
    return [w for w in (ln.strip() for ln in path.read_text("utf-8").splitlines()) if w and not w.startswith("#")]


def _cache_dir() -> str:
    d = os.path.join(tempfile.gettempdir(), "report_parser-jieba")
    os.makedirs(d, exist_ok=True)
    return d


def is_wordlike(w: str) -> bool:
    """A word made of Han characters or letters: not a number, a date or punctuation."""
    return bool(_WORDLIKE.match(w))


def general_idf() -> tuple[dict[str, float], float]:
    """jieba's general IDF table (loaded once by jieba.analyse) and its median."""
    import jieba.analyse

    return jieba.analyse.default_tfidf.idf_freq, jieba.analyse.default_tfidf.median_idf


def new_segmenter(userdict: bool = True) -> Segmenter:
    """A fresh jieba tokenizer (with or without the domain vocabulary): for tests and scripts."""
    import jieba
    import jieba.analyse
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    tok.tmp_dir = _cache_dir()  # jieba writes its prefix-dictionary cache here, never into the package
    tok.initialize()
    if userdict:
        for word, tag in read_userdict():
            tok.add_word(word, None, tag)
    pos = jieba.posseg.POSTokenizer(tok)
    pos.makesure_userdict_loaded()  # the vocabulary's tags join posseg's tag table now, not at first cut
    general, median = general_idf()
    tfidf = jieba.analyse.TFIDF(str(IDF) if IDF.exists() else None)
    # the field's IDF (scripts/build_idf.py) overlays jieba's general table; unknown words get its median
    tfidf.idf_freq = {**general, **tfidf.idf_freq} if IDF.exists() else dict(general)
    tfidf.median_idf = median
    tfidf.tokenizer = tok
    tfidf.postokenizer = pos
    tfidf.stop_words |= set(read_wordlist(STOPWORDS))
    return Segmenter(tok, pos, tfidf)


@cache
def _segmenter() -> Segmenter:
    return new_segmenter()


def segmenter() -> Segmenter:
    """The process-wide segmenter, loaded on first use (jieba is imported only here)."""
    with _LOCK:
        return _segmenter()


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
    data = json.loads(TOPICS.read_text("utf-8"))
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

