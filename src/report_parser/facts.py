"""The comparison facts: who the unit is (name, aliases, key, sector, region), the inspection's level
and round, the headline totals and each problem's stated status. All read on the matching text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import regex

from . import divisions
from .cues import Endings, by_first_char, finditer_near, plain, search_near, squash
from .lexicon import alternation, load, patterns

Span = tuple[int, int]

_ORG_TYPES = tuple((suffix, kind) for suffix, kind in load("header.json")["org_types"])
_ORG_SUFFIX = tuple(suffix for suffix, _ in _ORG_TYPES)
_PREFIX = plain(r"^(?:中国共产党|中共)")
# After a 中共 prefix the full forms are written short (contract: key).
_KEY_TAILS = tuple((suffix, kind) for suffix, kind in _ORG_TYPES if suffix.endswith("委员会"))
_PAREN_TYPE = plain(r"\((?:党组|党委)\)$")


@dataclass(frozen=True, slots=True)
class FactData:
    sectors: tuple[tuple[str, tuple[str, ...]], ...]
    sector_anywhere: tuple[tuple[str, tuple[str, ...]], ...]
    sector_words: dict[str, str]  # each sector word → the first sector listing it
    sector_word_longest: int
    status: tuple[tuple[str, re.Pattern], ...]
    status_label: re.Pattern
    status_subject: re.Pattern
    subjects_literal: bool  # the subjects are literal words (no sentence holds one the text lacks)
    statement: re.Pattern  # any status label, subject or state word: a problem with none states no state
    state_heading: re.Pattern
    organising: regex.Pattern
    plans: regex.Pattern


def _words_or_pattern(alternatives: str) -> str:
    """A|B|C as one branch per first character when every alternative is a literal word (the engine then
    tries one branch where the flat alternation tries every word at every position), else as given."""
    words = alternatives.split("|")
    return by_first_char(words) if all(regex.escape(w) == w for w in words) else alternatives


@lru_cache(maxsize=1)
def data() -> FactData:
    raw = load("facts.json")
    sections = load("sections.json")
    sectors = tuple((s["sector"], tuple(s["words"])) for s in raw["sectors"])
    sector_words: dict[str, str] = {}
    for sector, words in sectors:
        for w in words:
            sector_words.setdefault(w, sector)
    return FactData(
        sectors=sectors,
        sector_words=sector_words,
        sector_word_longest=max(map(len, sector_words), default=0),
        sector_anywhere=tuple((s["sector"], tuple(s["words"])) for s in raw["sector_anywhere"]),
        status=tuple((s["status"], plain(s["cue"])) for s in raw["status"]),
        # plain patterns (no `regex` feature): the stdlib `re` runs them faster
        status_label=plain(rf"(?:{raw['status_labels']})[\x20\t]*[:：]?[\x20\t]*"),
        status_subject=plain(raw["status_subjects"]),
        subjects_literal=all(regex.escape(w) == w for w in raw["status_subjects"].split("|")),
        statement=plain(_words_or_pattern(f"{raw['status_labels']}|{raw['status_subjects']}|{'|'.join(_STATE_WORDS)}")),
        state_heading=plain(raw["state_heading"]),
        organising=regex.compile(patterns([raw["organising"], alternation(sections["next_step"])])),
        plans=regex.compile(patterns([raw["plans"], alternation(sections["next_step"], sections["later"])])),
    )


# --- the unit -------------------------------------------------------------------------------------

def unit_key(name: str) -> str:
    """The grouping key of a unit's name (given in matching text: simplified, half-width)."""
    k = squash(name)
    if k.endswith(")"):
        k = _PAREN_TYPE.sub("", k)
    m = _PREFIX.match(k) if k.startswith("中") else None  # 中共, 中国共产党
    if m:
        k = k[m.end():]
    tails = _KEY_TAILS if k.endswith("委员会") else ()  # every tail ends in 委员会
    for tail, short in tails:
        # a bare 委员会 is a party committee only after the 中共 prefix (发展和改革委员会 is not)
        if k.endswith(tail) and len(k) > len(tail) and (m or tail not in ("委员会", "工作委员会")):
            return k[: -len(tail)] + short
    return k


_ORG_ENDINGS = Endings(_ORG_SUFFIX)


def _core(key: str) -> str:
    i = _ORG_ENDINGS.first(key, shorter=True)
    return key if i is None else key[: -len(_ORG_SUFFIX[i])]


_COMMITTEE_TAIL = ("县委", "市委", "区委", "州委", "旗委", "盟委", "省委")


def _last_sector_word(core: str) -> tuple[int, int, str] | None:
    """(end, length, sector) of the sector word that ends last in `core`, the longest of those ending
    there; a word listed under two sectors counts for the first."""
    words, longest = data().sector_words, data().sector_word_longest
    for end in range(len(core), 0, -1):
        for k in range(min(longest, end), 0, -1):
            sector = words.get(core[end - k:end])
            if sector is not None:
                return end, k, sector
    return None


def sector_of(key: str) -> str | None:
    """The sector of a unit (contract: issuer.sector): the sector word its name ends with; a name that
    is a place (某县, 六盘水市, 某县委) is a local party committee; else the last sector word in it."""
    core = _core(key)
    for sector, words in data().sector_anywhere:
        if any(map(core.__contains__, words)):
            return sector
    if core.endswith(_COMMITTEE_TAIL):
        core = core[:-1]
    if not core:
        return None
    best = _last_sector_word(core)
    if best is not None and best[0] == len(core):
        return best[2]
    places = divisions.find_places(core)
    if (places and places[-1].end == len(core)) or core[-1] in "县市区旗州盟省":
        return "party_committee"
    return best[2] if best is not None else "other"


def _subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


# A unit named by its kind alone (学校党委, 院党委, 局党组), as notices name themselves after the first mention.
_GENERIC_UNITS = frozenset({"", "学校", "校", "医院", "院", "局", "公司", "集团", "中心", "街道", "镇", "乡", "村",
                            "社区", "学院", "委", "办", "所", "站", "厂", "单位", "机关", "分局", "支行", "分行"})


def same_unit(a: str, b: str) -> bool:
    """Whether two keys name one unit: equal, or one abbreviates the other (区文旅局党组 of
    某区文化和旅游局党组: the shorter's characters in order in the longer, same org type)."""
    if a == b:
        return True
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)  # as sorted by length: a first when as long
    ts = _ORG_ENDINGS.first(short)
    tl = _ORG_ENDINGS.first(long_)
    if ts != tl:
        return False
    core = _core(short).lstrip("我本")  # 我镇党委, 本局党组: the unit speaking of itself
    if core in _GENERIC_UNITS:
        return True  # 学校党委, 局党组: the unit by its kind alone, beside its name
    return len(core) >= 1 and _subsequence(core, _core(long_))


def choose_name(forms: list[str], keys: list[str] | None = None) -> tuple[int, list[int]]:
    """Among the forms (matching text, primary first): the index of the fullest form of the primary
    unit and the indexes of its other forms. `keys`: their unit_key, when already known."""
    if len(forms) == 1:
        return 0, []
    if keys is None:
        keys = [unit_key(f) for f in forms]
    group = [i for i, k in enumerate(keys) if same_unit(keys[0], k)]
    if len(group) == 1:
        return group[0], []  # the primary form alone names its unit
    best = max(group, key=lambda i: (len(keys[i]), len(squash(forms[i])), -i))
    return best, [i for i in group if i != best]


# --- the inspection -------------------------------------------------------------------------------

_ROUND = regex.compile(
    r"(?:第?[一二三四五六七八九十\d]{1,3}届)?"
    r"(?:[^\s,。、;:“”《》()\d对向了的据照届第在由经于]{0,8}?(?:中央|自治区党委|省委|市委|县委|区委|州委|旗委|盟委|党委|党组))?"
    r"(?:\d{4}年度?)?第[一二三四五六七八九十\d]{1,3}轮(?=[^\n。;]{0,12}?(?:巡视|巡察))")
# Every round ends in its 轮, at most 28 characters after its start (5 of 届, 13 of committee, 6 of
# year, 4 of 第…), and its look-ahead reads 14 more: it is tried only near a 轮 (cues.search_near).
_ROUND_REACH, _ROUND_SPAN = 28, 48
_ROUND_TAIL = plain(r"轮[^\n。;]{0,12}?巡[视察]")  # what follows a round's 轮
# what no part of a round holds before its 轮 (the characters its committee part refuses, which no other
# part allows): a round starts after the last of them, so only those starts are tried
_ROUND_BARRIER = regex.compile(r"(?r)[\s,。、;:“”《》()对向了的据照在由经于]")
_ROUND_ORG = plain(r"中央|省委|自治区党委|市委|县委|区委|州委|旗委|盟委|党委|党组")
_LEVEL_WORDS = plain(r"中央|自治区党委|省委|州委|盟委|地委|市委|县委|区委|旗委")
_DEPLOY = plain(r"(?P<org>中央|自治区党委|省委|州委|盟委|地委|市委|县委|区委|旗委)(?:和[^\s,。]{0,16})?(?:的)?(?:统一)?(?:部署|安排|决定)")
_INSTITUTION = plain(r"党委|党组|校|集团|公司|大学|学院|医院|银行")


def find_round(text: str, preamble: Span, title: Span | None, inspector: str | None) -> Span | None:
    """The round as written (十二届区委第二轮): in the preamble or title, else one in the body whose
    committee matches the inspector's (中央 for a central inspection)."""
    for s, e in (sp for sp in (preamble, title) if sp is not None):
        if e <= s:
            continue
        m = search_near(_ROUND, text, "轮", _ROUND_REACH, _ROUND_SPAN, s, e, _ROUND_BARRIER, _ROUND_TAIL)
        if m:
            return m.span()
    want = _LEVEL_WORDS.search(inspector or "")
    if want is None:
        return None
    for m in finditer_near(_ROUND, text, "轮", _ROUND_REACH, _ROUND_SPAN, barrier=_ROUND_BARRIER, tail=_ROUND_TAIL):
        org = _ROUND_ORG.search(m.group())
        if org and org.group() == want.group():
            return m.span()
    return None


# compiled once: `regex.search(pattern, …)` looks the pattern up in the module's cache on every call
_CITY_COMMITTEE = plain(r"州委|盟委|地委")
_COUNTY_COMMITTEE = plain(r"县委|区委|旗委")


def inspection_level(inspector: str | None, scheme: str | None, preamble: str, round_text: str | None,
                     unit_region: dict | None) -> str | None:
    """Who ran the inspection (contract: inspection.level), from the inspector's name, else the
    committee that deployed it, else the round."""
    sources = [s for s in (inspector, round_text) if s]
    dm = _DEPLOY.search(preamble)
    if dm:
        sources.append(dm.group("org"))
    for src in sources:
        if "中央" in src:
            return "central"
        if "自治区党委" in src or "省委" in src:
            return "province"
        if _CITY_COMMITTEE.search(src):
            return "city"
        if "市委" in src:
            if scheme == "巡视":
                return "province"  # only a municipality's 市委 runs 巡视
            city = next((d for p in divisions.find_places(src) for d in p.candidates), None)
            if city is not None:
                if city.level == "county":
                    return "county"  # a county-level city's 市委, or a municipality's district
                return "province" if city.province in divisions.MUNICIPALITIES else "city"
            if unit_region and str(unit_region.get("county") or "").endswith("市"):
                return "county"  # the unit is in a county-level city: its 市委 is a county-level committee
            return "city"
        if _COUNTY_COMMITTEE.search(src):
            return "county"
        if src is inspector and _INSTITUTION.search(src):
            return "institution"
    return None


# --- problem status -------------------------------------------------------------------------------

def status_of(text: str) -> str | None:
    """The state a short statement names (已完成, 基本完成, 持续整改…), by the first cue row that matches."""
    for status, cue in data().status:
        if cue.search(text):
            return status
    return None


_PAREN = plain(r"[(\[【]([^()\[\]【】\n]{2,14})[)\]】]")
_BRACKET_OPEN = re.compile(r"[(\[【]")  # what every _PAREN match opens with
_SENTENCE = re.compile(r"[^。;!?\n]+")


_CLAUSE_END = plain(r"[。;,!?\n]")
# 目前已整改到位。 / 目前已基本完成整改，剩余…正在办理: a short statement of where the problem stands
_OPENING_WORDS = ("目前", "现已", "截至目前", "至此")
_STATE_OPENING = plain(rf"(?:{'|'.join(_OPENING_WORDS)})[,，]?")
_STATE_WORDS = ("已", "正在", "持续", "基本", "长期", "尚未", "未")  # a short statement of the state holds one
_STATE_SENTENCE = plain(rf"(?:目前|现已|现|截至目前|至此)?[,，]?(?:该问题|此问题)?(?:{'|'.join(_STATE_WORDS)})")


def _first_clause(text: str, start: int, end: int) -> str:
    """整改进展：正在推进。已完成…: the state is what the label's first clause says."""
    m = _CLAUSE_END.search(text, start, end)
    return text[start:m.start() if m else end]


def _bracketed(text: str, lo: int, hi: int, end: int, at_end: bool) -> str | None:
    """The state a bracket in [lo, hi) names: (已完成) after a title; at the end, one nothing follows."""
    b = _BRACKET_OPEN.search(text, lo, hi)
    if b is None:
        return None  # no bracket opens there (most problems)
    for m in _PAREN.finditer(text, b.start(), hi):  # every match opens with a bracket: none before b
        st = status_of(m.group(1))
        if st and len(m.group(1)) <= 12 and not (at_end and text[m.end():end].strip(" \t\n。;")):
            return st
    return None


def stated_status(text: str, start: int, end: int, title_end: int, progress: Span | None) -> str | None:
    """The state a problem states for itself: its progress field, a parenthesis after its title, or a
    sentence about the problem itself (该问题已整改到位; 目前已整改完成。)."""
    d = data()
    if progress:
        st = status_of(_first_clause(text, progress[0], min(progress[1], progress[0] + 24)))
        if st:
            return st
    # a bracket right after the title, or one that ends the problem's text (…会前沟通。【已完成】)
    st = _bracketed(text, start, min(end, title_end + 16), end, False)
    if st is None:
        st = _bracketed(text, max(title_end, end - 20), end, end, True)
    if st is not None:
        return st
    first = d.statement.search(text, min(start, title_end), end)
    if first is None:
        return None  # no label, no subject, no state word (a problem in three): nothing below names a state
    # labels and subjects are words of `statement`: none of them starts before its first match
    pos = max(start, first.start())
    # the labels one after another, as finditer gives them (a search each: no iterator for the
    # one label or none most problems have)
    while (m := d.status_label.search(text, pos, end)) is not None:
        st = status_of(_first_clause(text, m.end(), min(end, m.end() + 12)))
        if st and st != "planned":
            return st
        pos = m.end()
    # literal subject words: none in the whole text, none in any of its sentences (most problems)
    subjects = not d.subjects_literal or d.status_subject.search(text, max(title_end, first.start()), end) is not None
    for sent in _SENTENCE.findall(text, title_end, end):
        sent = sent.strip(" \t,，")
        if subjects and len(sent) <= 40:
            subj = d.status_subject.search(sent)
            if subj and subj.start() <= 8:
                st = status_of(sent[subj.end():])
                if st:
                    return st
        if sent.startswith(_OPENING_WORDS):
            op = _STATE_OPENING.match(sent)
            head = sent[:op.end()] + _CLAUSE_END.split(sent[op.end():], 1)[0]
        elif len(sent) <= 14:
            head = sent
        else:
            continue  # too long to be a short statement of the state
        if len(head) <= 14 and _STATE_SENTENCE.match(head):
            st = status_of(head)
            if st:
                return st
    return None


# what every state heading ends with (facts.json: state_heading; tests/test_cues.py checks the pattern
# holds it at its top level, after everything else)
_HEADING_WORD = "问题"


def heading_state(title: str | None) -> str | None:
    """The state a category heading names for its problems (（一）已整改完成的问题)."""
    if not title or _HEADING_WORD not in title:  # most headings: no search
        return None
    m = data().state_heading.search(title)
    return status_of(m.group("state")) if m else None


def is_organising(title: str | None, complaint: regex.Pattern, first: bool, last: bool) -> bool:
    """A heading about how the rectification was organised (一、提高政治站位，强化组织领导), standing before
    the findings, or the plans that close the notice (三、下一步工作打算)."""
    if not title or "问题" in title or "方面" in title or complaint.search(title):
        return False
    d = data()
    return bool((first and d.organising.search(title)) or (last and d.plans.search(title)))
