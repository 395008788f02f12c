"""jieba, loaded once per process with the domain vocabulary: the segmenter analysis and subjects share."""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import regex

DATA = Path(__file__).resolve().parent / "data"
USERDICT = DATA / "userdict.txt"
STOPWORDS = DATA / "analysis_stopwords.txt"
IDF = DATA / "analysis_idf.txt"

_ALNUM = regex.compile(r"^[a-zA-Z0-9]+$")
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
