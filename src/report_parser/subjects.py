"""The subject of a figure (the thing counted), read from jieba's part-of-speech tags around it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import regex

from .lexicon import load

if TYPE_CHECKING:
    from .segment import Segmenter

Tok = tuple[str, str]

# Clause breaks: a subject never reaches across them.
_BREAK = regex.compile(r"[，,。；;：:！!？?、\n（(）)]")
MAX_REACH = 40  # characters looked at on either side of a figure

_D = load("subjects.json")  # the word tables (data/subjects.json)
# Nominal parts of speech (jieba's ICTCLAS tags): nouns, names, verbal nouns, fixed expressions, abbreviations.
NOMINAL = frozenset(_D["nominal_tags"])
# Modifiers that may stand inside a noun phrase before its head: adjectives, distinguishing words.
MODIFIER = frozenset(_D["modifier_tags"])
VERB = frozenset(_D["verb_tags"])
# Suffixes that make a category of the words before them (智库类项目, 示范型课程).
SUFFIXES = frozenset(_D["category_suffixes"])
# Words that make the verb after them a modifier (新谋划包装项目, 无法执行项目, 未完成定量指标).
PARTICIPLE_PREFIX = frozenset(_D["participle_prefixes"])
# The end of an enumeration (A、B等): what follows is a category, not a verb with its object.
ENUM_END = frozenset(_D["enumeration_end"])
# Verbs that head a predicate: never inside the noun phrase of a figure (X个项目获…, X名教师入选…).
PREDICATE_VERBS = frozenset(_D["predicate_verbs"])
# Adverbs of quantity between a phrase and its figure (参观展览超320场次, 累计近20万人次): skipped.
QUANTITY_ADVERBS = frozenset([*_D["quantity_adverbs"], *load("summary_subjects.json")["total_cues"]])
# Nouns that are counted in their own right and end the phrase (4个方面62个问题 → 方面).
TERMINAL_NOUNS = frozenset(_D["terminal_nouns"])
# Classifiers of events: a bare verb before them is what was counted (宣讲120场, 党员组织关系调动5次).
EVENT_UNITS = frozenset([*load("metrics.json")["event_units"], *_D["uncounted_event_units"]])
_OPEN = {"“": "”", "《": "》", "‘": "’", "「": "」", "〈": "〉"}
_CLOSE = {v: k for k, v in _OPEN.items()}
_NUMBER = regex.compile(r"^[0-9０-９.．%％]+$|^[〇零一二两三四五六七八九十百千万亿]+$")
_NUMERAL = r"(?:[0-9０-９.．]+|[〇零一二两三四五六七八九十百千万亿]+)"


def _is_nominal(t: Tok) -> bool:
    w, f = t
    return (f in NOMINAL or w in SUFFIXES) and w not in PREDICATE_VERBS and w not in QUANTITY_ADVERBS \
        and not _NUMBER.match(w)


def _is_modifier(t: Tok) -> bool:
    return t[1] in MODIFIER and t[0] not in PREDICATE_VERBS and t[0] not in QUANTITY_ADVERBS


def _is_number(t: Tok) -> bool:
    return bool(_NUMBER.match(t[0])) or t[1] in ("m", "mq")


def _is_verb(t: Tok) -> bool:
    """A verb that can modify a noun (包装项目); predicate verbs (入选, 获得…) cannot."""
    return t[1] in VERB and t[0] not in PREDICATE_VERBS


def _join(toks: list[Tok]) -> str:
    return "".join(w for w, _ in toks)


def _trim(toks: list[Tok]) -> list[Tok]:
    """Drop what cannot begin or end a noun phrase: a phrase ends in a noun or a closing quote."""
    while toks and not (_is_nominal(toks[-1]) or toks[-1][0] in _CLOSE):
        toks = toks[:-1]
    while toks and not (_is_nominal(toks[0]) or _is_modifier(toks[0]) or _is_verb(toks[0])
                        or toks[0][0] in _OPEN or toks[0][0] in PARTICIPLE_PREFIX):
        toks = toks[1:]
    return toks


def _match_back(toks: list[Tok], i: int) -> int:
    want = _CLOSE[toks[i][0]]
    return next((j for j in range(i - 1, -1, -1) if toks[j][0] == want), -1)


def _match_fwd(toks: list[Tok], i: int) -> int:
    want = _OPEN[toks[i][0]]
    return next((j for j in range(i + 1, len(toks)) if toks[j][0] == want), -1)


def _participle_start(toks: list[Tok], i: int) -> int:
    """Where the participle that the verb at `i` belongs to starts, or -1 when the verb governs the phrase.

    新谋划包装项目: a verb shortly after 新/未/无法 modifies the noun; so does a verb right after an
    enumeration's 等 (水电等维修工程).
    """
    j = i - 1
    while j >= 0 and i - j <= 3:
        t = toks[j]
        if t[0] in PARTICIPLE_PREFIX:
            return j
        if t[0] in ENUM_END:
            return j + 1
        if not (_is_verb(t) or _is_nominal(t) or _is_modifier(t)):
            return -1
        j -= 1
    return -1


def _inner_verb(toks: list[Tok], i: int) -> bool:
    """Whether the verb at `i` sits inside a noun phrase whose governing verb stands further left.

    开设爱国主义教育类通识选修课程: 选修 follows a noun and 开设 governs the whole phrase, so 选修 modifies
    课程; in 校领导听思政课 no verb precedes 校领导, so 听 governs 思政课.
    """
    j = i - 1
    if j < 0 or not _is_nominal(toks[j]):
        return False
    while j >= 0 and (_is_nominal(toks[j]) or _is_modifier(toks[j]) or toks[j][0] in SUFFIXES):
        j -= 1
    return j >= 0 and toks[j][1] in VERB


def phrase_before(toks: list[Tok]) -> list[Tok]:
    """The noun phrase that ends right before a figure: back from the figure to the verb that governs it."""
    i = len(toks) - 1
    while i >= 0 and (toks[i][0] in QUANTITY_ADVERBS or toks[i][1] in ("d", "ul", "uj")):
        i -= 1
    out: list[Tok] = []
    while i >= 0:
        t = toks[i]
        if t[0] in _CLOSE:
            j = _match_back(toks, i)
            if j < 0:
                break
            out[:0] = toks[j:i + 1]
            i = j - 1
            continue
        if _is_nominal(t) or (_is_modifier(t) and out):
            out.insert(0, t)
            i -= 1
            continue
        if t[1] in VERB and out:
            j = _participle_start(toks, i)
            if j >= 0:
                out[:0] = toks[j:i + 1]
                i = j - 1
                continue
            if _is_verb(t) and _inner_verb(toks, i):
                out.insert(0, t)
                i -= 1
                continue
        break
    # a phrase right after another figure is that figure's (6方面24项: 方面 is not what 24项 counts)
    if out and i >= 0 and _is_number(toks[i]):
        return []
    if len(out) > 1 and len(out[0][0]) == 1 and i >= 0 and _is_number(toks[i]):
        return []
    return _trim(out)


def phrase_after(toks: list[Tok]) -> list[Tok]:
    """The noun phrase right after a figure and its classifier (72个乡镇重点包装项目纳入… → 乡镇重点包装项目)."""
    n = len(toks)
    i = 0
    # a chain of figures (6方面24项125条任务清单): the phrase after the last one counts them all
    while i + 1 < n and _NUMBER.match(toks[i][0]) and toks[i + 1][1] in ("q", "m", "n") \
            and len(toks[i + 1][0]) == 1:
        i += 2
    # a relative clause before the head: 24学时的专题培训, 17名新提任的中层干部
    j = i + 1 if i < n and toks[i][0] in PARTICIPLE_PREFIX else i
    while j < n and toks[j][1] in VERB:
        j += 1
    if j < n and toks[j][1] == "uj" and j + 1 < n:
        i = j + 1
    out: list[Tok] = []
    verbs_taken = False
    while i < n:
        t = toks[i]
        if t[0] in _OPEN:
            j = _match_fwd(toks, i)
            if j < 0:
                break
            out.extend(toks[i:j + 1])
            i = j + 1
            continue
        if _is_nominal(t) or _is_modifier(t):
            out.append(t)
            i += 1
            if t[0] in TERMINAL_NOUNS and len(out) == 1:
                break
            continue
        prefix = t[0] in PARTICIPLE_PREFIX
        if (_is_verb(t) or prefix) and not verbs_taken and (out or prefix):
            # a participle before the head noun: 包装项目, 无法执行项目, 未完成定量指标, 联合研发平台
            j = i + 1 if prefix else i
            while j < n and (_is_verb(toks[j]) or (prefix and toks[j][1] in VERB)):
                j += 1
            k = j
            while k < n and (_is_nominal(toks[k]) or _is_modifier(toks[k])):
                k += 1
            if j > i and 0 < k - j <= 2 and j - i <= 3:
                out.extend(toks[i:k])
                verbs_taken = True
                i = k
                continue
        break
    return _trim(out)


def _previous_figure(text: str, start: int, unit: str) -> tuple[int, int] | None:
    """The nearest figure with the same classifier earlier in the same sentence (177项任务，已完成174项)."""
    s = max(text.rfind(c, 0, start) for c in "。；;\n") + 1
    last = None
    for m in regex.finditer(rf"{_NUMERAL}(?:余|多)?{regex.escape(unit)}(?!次)", text[s:start]):
        last = (s + m.start(), s + m.end())
    return last


def _window(text: str, start: int, end: int) -> tuple[int, int]:
    a = max(start - MAX_REACH, 0)
    for m in _BREAK.finditer(text, a, start):
        a = m.end()
    b = min(end + MAX_REACH, len(text))
    m = _BREAK.search(text, end, b)
    return a, (m.start() if m else b)


def subject_of(text: str, start: int, end: int, unit: str | None = None, *,
               seg: Segmenter | None = None, _depth: int = 0) -> str | None:
    """The thing counted by the figure at text[start:end] (`80个`, `66.57万元`), or None.

    Rules, in order, within the figure's clause:
    1. the noun phrase right after the figure and its classifier (`80个项目` → 项目);
    2. the noun phrase before the figure, back to the verb that governs it (`对接企业156家` → 企业);
    3. a verb right before an event classifier, with its noun phrase: what happened (`宣讲120场` → 宣讲);
    4. after a verb, the subject of the previous figure of the sentence with the same classifier
       (ellipsis: `177项整改任务，已完成174项` → 整改任务).
    """
    if seg is None:
        from .segment import segmenter

        seg = segmenter()
    if unit in TERMINAL_NOUNS:  # 6方面: the classifier is the thing counted
        return unit
    a, b = _window(text, start, end)
    after = seg.tag(text[end:b]) if b > end else []
    found = phrase_after(after)
    if found:
        return _join(found)
    before = seg.tag(text[a:start]) if start > a else []
    found = phrase_before(before)
    if found:
        return _join(found)
    k = len(before) - 1
    while k >= 0 and (before[k][0] in QUANTITY_ADVERBS or before[k][1] == "d"):
        k -= 1
    if k < 0 or before[k][1] not in VERB:
        return None
    if unit in EVENT_UNITS and before[k][0] not in PREDICATE_VERBS:
        return _join(phrase_before(before[:k])) + before[k][0]
    prev = _previous_figure(text, start, unit) if unit else None
    if prev is not None and _depth < 3:
        return subject_of(text, prev[0], prev[1], unit, seg=seg, _depth=_depth + 1)
    return None
