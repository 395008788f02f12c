"""Figures in notice text (counts, money, percents, ratios, dates, periods, durations) with their offsets."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from itertools import accumulate
from operator import itemgetter

import regex

from . import stdre
from .errors import Code, Diagnostic
from .lexicon import load
from .numerals import DIGIT_CHARS, DIGITS, MAX_DIGITS, NUMERAL_CHARS, cn_digits, cn_to_decimal, multiplier
from .width import HALF_WIDTH, IDEOGRAPHIC_SPACE


# Treated as immutable and hashable as before, but not frozen: a frozen dataclass sets each field
# through object.__setattr__, which made building one cost five times as much (one per figure).
@dataclass(slots=True, unsafe_hash=True)
class Found:
    kind: str  # count money percent ratio date period duration
    start: int  # offsets into the `text` passed to extract (half-open)
    end: int
    value: float | int | None = None
    unit: str | None = None
    approx: bool = False
    date: str | None = None  # kind date: ISO at written precision '2025', '2025-04', '2025-02-17'
    start_date: str | None = None  # kind period
    end_date: str | None = None
    year_inferred: bool = False


def load_data() -> dict:
    """The language data (classifiers, cue words, fixed terms) the patterns are built from."""
    return dict(load("metrics.json"))


_D = load_data()
# Units of measure (area, length, weight…) whose counts may be fractional: 126.5亩, 42.6公里.
# The kinds that are amounts (tables count them: has_figure), as against points and stretches of time.
FIGURE_KINDS = frozenset(k for k, sort in _D["kinds"].items() if sort == "amount")
_MEASURE_UNITS = frozenset(_D["measure_units"])
_ONE_SPAN_AFTER = stdre.compile(r"以上|以内|之内|内|左右|多|时间|[,。;、)]|$")


def _alt(words) -> str:
    """A non-capturing alternation of literal words, longest first."""
    words = sorted(set(words), key=lambda w: (-len(w), w))
    return "(?:" + "|".join(regex.escape(w) for w in words) + ")"


def _followers(words: list[str]) -> str:
    return _alt(words) if words else "(?!)"


# ---------------------------------------------------------------------------------------------
# Building blocks

_CN = f"[{NUMERAL_CHARS}]"
_CNDIG = f"[{DIGIT_CHARS}]"
_CNRUN = f"{_CN}++(?:点{_CNDIG}++)?+"
# Thousands commas only where the figure is plainly an amount (82,225.00元): a Chinese comma
# normalised to ',' also separates list items (120,150,180人).
_ARABIC = r"(?:[0-9]{1,3}(?:,[0-9]{3}){1,6}+(?=\.[0-9]|[万亿千]?[元圆])|[0-9]++)(?:\.[0-9]++)?+"
_NUM = f"(?P<num>{_ARABIC}|{_CNRUN})"
_MULT = _alt(_D["multipliers"])
_APPROX_IN = _alt(_D["approx_infixes"])
_SP = "[ ]?"

# A unit with the words that must not follow it (元旦, 三周年, 2个百分点).
_BLOCKED = _D["unit_blocked_before"]


def _unit_alt(units: list[str], prefixes: list[str] | None = None) -> str:
    parts = []
    for u in sorted(set(units), key=lambda w: (-len(w), w)):
        blk = _BLOCKED.get(u, [])
        p = regex.escape(u) + (f"(?!{_followers(blk)})" if blk else "")
        parts.append(p)
    core = "(?:" + "|".join(parts) + ")"
    if prefixes:
        return f"(?:{_alt(prefixes)})?+{core}"
    return core


# Classifiers of counts: of things, of events, and units of measure (which may take a fraction).
_COUNT_UNITS = [*_D["count_units"], *_D["event_units"], *_D["measure_units"]]
_COUNT_UNIT = _unit_alt(_COUNT_UNITS, _D["count_unit_prefixes"])
_COUNT_UNIT_PLAIN = _unit_alt(_COUNT_UNITS)

# stdlib re where a pattern needs nothing of `regex`: it compiles these several times faster
_COUNT = stdre.compile(
    f"{_NUM}(?P<a1>{_APPROX_IN})?+(?P<mult>{_MULT})?+(?P<a2>{_APPROX_IN})?+"
    f"(?:(?P<unit>{_COUNT_UNIT})|(?P<da>{regex.escape(_D['bare_da_unit'])})(?!{_COUNT_UNIT_PLAIN}))"
)

def _unique_names(pattern: str) -> str:
    """The pattern with each group name numbered where it repeats (sy → sy_1, sy_2…): stdlib `re`
    wants names unique. A backreference names the nearest group of its name before it."""
    seen: dict[str, int] = {}

    def number(m: re.Match) -> str:
        if m.group(1) is not None:
            seen[m.group(1)] = seen.get(m.group(1), 0) + 1
            return f"(?P<{m.group(1)}_{seen[m.group(1)]}>"
        return f"(?P={m.group(2)}_{seen[m.group(2)]})"

    return re.sub(r"(?<!\\)\(\?P(?:<(\w+)>|=(\w+)\))", number, pattern)


_dur_req = _D["duration_unit_requires_after"]


def _dur_units(units: list[str]) -> str:
    parts = []
    for u in sorted(set(units), key=lambda w: (-len(w), w)):
        p = regex.escape(u)
        if u in _dur_req:
            p += f"(?={_alt(_dur_req[u])})"
        if u in _BLOCKED:
            p += f"(?!{_followers(_BLOCKED[u])})"
        parts.append(p)
    return "(?:" + "|".join(parts) + ")"


# Stdlib `re` reads these several times as fast as `regex`: a name written more than once is
# numbered (_unique_names), and the copy that is set gives the value.
_DURATION = stdre.compile(_unique_names(
    f"{_NUM}(?P<a1>{_APPROX_IN})?+"
    f"(?:(?P<ge>个)(?P<a2>{_APPROX_IN})?+(?P<half>半)?+(?P<unit>{_dur_units(_D['duration_units'] + _D['duration_units_after_ge'])})"
    f"|(?P<unit>{_dur_units(_D['duration_units'] + _D['duration_units_without_ge'])}))"
    f"(?P<half2>半)?+(?:(?P<a3>{_APPROX_IN})(?!{_COUNT_UNIT_PLAIN}|{_MULT}))?+"
))

_MONEY_UNIT = _unit_alt(_D["money_units"])
_MONEY_TAIL = "(?:" + "|".join(
    regex.escape(w) + (f"(?!{_alt(b)})" if (b := _D["money_tail_blocked_before"].get(w)) else "")
    for w in _D["money_tail"]
) + ")?+"
_JIAO_FEN = f"(?:零?(?P<jiao>[0-9]|{_CNDIG})角)?+(?:零?(?P<fen>[0-9]|{_CNDIG})分)?+"
_MONEY = stdre.compile(_unique_names(
    f"(?:(?P<sign>{_alt(_D['money_prefix_signs'])}){_SP}(?P<num>{_ARABIC})(?P<mult>{_MULT})?+(?P<yuan>{_MONEY_UNIT})?+"
    f"|{_NUM}(?P<a1>{_APPROX_IN})?+(?P<mult>{_MULT})?+(?P<a2>{_APPROX_IN})?+(?P<yuan>{_MONEY_UNIT}))"
    f"{_JIAO_FEN}{_MONEY_TAIL}"
))

_PERCENT = stdre.compile(_unique_names(f"(?:(?P<num>{_ARABIC}){_SP}%|百分之(?P<num>{_ARABIC}|{_CNRUN}))"))
_RATIO = stdre.compile(_unique_names(
    rf"(?:(?P<a>[0-9]{{1,4}})[ ]?/[ ]?(?P<b>[0-9]{{1,4}})(?![0-9/]|\.[0-9])"
    f"|(?P<b>{_CNRUN})分之(?P<a>{_CNRUN}))"
))

# --- dates -------------------------------------------------------------------------------------
_YEAR_A = r"(?:1[89][0-9]{2}|20[0-9]{2})(?![0-9])"
_YEAR_C = "[一二三四五六七八九][零〇○一二三四五六七八九]{3}"
_MON_A = "[0-9]{1,2}(?![0-9])"
_MON_C = "十[一二]?+|[一二三四五六七八九]"
_DAY_A = "[0-9]{1,2}(?![0-9])"
_DAY_C = "[二三]?十[一二三四五六七八九]?+|[一二三四五六七八九]"
_DAYCH = _alt(_D["day_chars"])


def _suffix(words: list[str]) -> str:
    blk = _D["suffix_blocked_before"]
    parts = []
    for w in sorted(words, key=lambda w: (-len(w), w)):
        parts.append(regex.escape(w) + (f"(?!{_alt(blk[w])})" if w in blk else ""))
    return "(?:" + "|".join(parts) + ")"


_YSUF = _suffix(_D["year_suffixes"] + _D["date_suffixes"])
_MSUF = _suffix(_D["month_suffixes"] + _D["date_suffixes"])
_SEP = f"{_SP}(?:{_alt(_D['period_start_tail'])})?+{_SP}{_alt(_D['period_separators'])}{_SP}"
_ENDTAIL = f"(?:{_alt(_D['period_end_tail'])})?+"


def _cjk(p: str) -> str:
    """年[月[日]] with a year: 2025年, 2025年4月份, 二〇〇六年十二月, 2021年11月底, 2001年3月4日."""
    return (
        f"(?P<{p}y>{_YEAR_A}|{_YEAR_C}){_SP}年(?:度)?+"
        f"(?:{_SP}(?P<{p}m>{_MON_A}|{_MON_C}){_SP}月(?:份)?+"
        f"(?:{_SP}(?P<{p}d>{_DAY_A}|{_DAY_C}){_SP}{_DAYCH}|{_MSUF})?+"
        f"|{_YSUF})?+"
    )


def _iso(p: str) -> str:
    """2020-05-26, 2019/04/19, 2019.9.6, 2008-08, 1999.08."""
    return (
        f"(?P<{p}y>{_YEAR_A})(?P<{p}sep>[-/.])(?P<{p}m>{_MON_A})(?:(?P={p}sep)(?P<{p}d>{_DAY_A}))?+"
        r"(?![0-9%万亿千百元]|\.[0-9])"
    )


def _md(p: str) -> str:
    """月[日] without a year: 9月14日, 12月, 4月份, 三月四日."""
    return (
        f"(?:(?P<{p}m>{_MON_A}){_SP}月(?:份)?+(?:{_SP}(?P<{p}d>{_DAY_A}){_SP}{_DAYCH}|{_MSUF})?+"
        f"|(?P<{p}m>{_MON_C})月(?P<{p}d>{_DAY_C}){_DAYCH})"
    )


_BARE_YEAR_END = f"(?P<ey>{_YEAR_A})(?![.\\-/年])"
_MON_ANY = f"(?:{_MON_A}|{_MON_C})"
_DAY_ANY = f"(?:{_DAY_A}|{_DAY_C})"

_DATE_SOURCE = (
    "(?:"
    # 2025年1—8月, 2018年1－9月份
    f"(?P<sy>{_YEAR_A}|{_YEAR_C}){_SP}年{_SP}(?P<sm>{_MON_ANY}){_SEP}(?P<em>{_MON_ANY}){_SP}月(?:份)?+"
    # 2019年4月12-19日
    f"|(?P<sy>{_YEAR_A}|{_YEAR_C}){_SP}年{_SP}(?P<sm>{_MON_ANY}){_SP}月{_SP}(?P<sd>{_DAY_ANY}){_SEP}"
    f"(?P<ed>{_DAY_ANY}){_SP}{_DAYCH}"
    # 2008—2018年
    f"|(?P<sy>{_YEAR_A}){_SEP}(?P<ey>{_YEAR_A}){_SP}年(?:度)?+"
    # a dated start, then an end with or without its own year
    f"|(?:{_cjk('s')}|{_iso('s')}){_SEP}(?:{_cjk('e')}|{_iso('e')}|{_md('e')}|(?P<ed>{_DAY_ANY}){_SP}{_DAYCH}"
    f"|{_BARE_YEAR_END}){_ENDTAIL}"
    f"|(?P<one>{_cjk('s')})|{_iso('s')}"  # `one`: the common single date, read apart (see _Scanner.date)
    # no year: completed from context
    f"|(?P<sm>{_MON_A}){_SEP}(?P<em>{_MON_A}){_SP}月(?:份)?+"
    f"|(?P<sm>{_MON_A}){_SP}月{_SP}(?P<sd>{_DAY_A}){_SEP}(?P<ed>{_DAY_A}){_SP}{_DAYCH}"
    f"|{_md('s')}{_SEP}(?:{_md('e')}|(?P<ed>{_DAY_A}){_SP}{_DAYCH}){_ENDTAIL}"
    f"|{_md('s')}"
    ")"
)


# A date is read by stdlib `re`, three times as fast here as `regex` (the same pattern, its
# repeated names numbered); the groups of one name are alternatives, at most one of them set.
_DATE = stdre.compile(_unique_names(_DATE_SOURCE))


# Every branch of _DATE that reads a period holds a separator (_SEP) right after its start, and a
# start holds only the characters of dates (digits, numerals, 年月日号, their suffixes, blanks, the ISO
# separators, 起). Where no separator's first character stands before the first character that no
# start may hold, nor within the longest match of _DATE (most dates: _PERIOD_AT does not match
# there), only the branches without one can match:
# the single date with its year (`one`), the ISO date and the month and day, the same sub-patterns
# in _DATE's order, which this shorter pattern tries alone.
_SEPARATOR_FIRST = frozenset(w[0] for w in _D["period_separators"])
_START_CHARS = frozenset("0123456789零〇○一二三四五六七八九十年度月份 -/.").union(
    *(w for k in ("year_suffixes", "date_suffixes", "month_suffixes", "day_chars", "period_start_tail") for w in _D[k]))
_NOT_SEPARATOR = "[" + "".join(re.escape(c) for c in sorted(_START_CHARS - _SEPARATOR_FIRST)) + "]"
_SEPARATOR = "[" + "".join(re.escape(c) for c in sorted(_SEPARATOR_FIRST)) + "]"
_PERIOD_AT = stdre.compile(f"{_NOT_SEPARATOR}*+{_SEPARATOR}")
_DATE_REACH = 45  # the longest match of _DATE (a test checks it against the pattern): _PERIOD_AT looks no further
# _SINGLE opens with _PERIOD_AT's test, as it is matched up to _DATE_REACH, turned round: it matches
# only where _PERIOD_AT does not (one match for most dates, not two).
_SINGLE = stdre.compile(_unique_names(f"(?!{_NOT_SEPARATOR}{{0,{_DATE_REACH - 1}}}+{_SEPARATOR})"
                                   f"(?:(?P<one>{_cjk('s')})|{_iso('s')}|{_md('s')})"))


def _copies(p: re.Pattern, *names: str) -> Callable[[tuple], tuple | str]:
    """The groups of p numbered from these names, from groups(""): joined, their one value set."""
    return itemgetter(*(i - 1 for k, i in p.groupindex.items() if k.rsplit("_", 1)[0] in names))


def _one_ymd(p: re.Pattern) -> tuple[int, tuple[int, int, int]]:
    """A single date written with its year (2025年, 2025年4月底, 2001年3月4日) is matched by group `one`,
    the last group to close then (its lastindex); its year, month and day are the groups inside it."""
    one = p.groupindex["one_1"]
    return one, tuple(min(i for k, i in p.groupindex.items() if i > one and k.rsplit("_", 1)[0] == name)
                      for name in ("sy", "sm", "sd"))


_DATE_YMD = tuple(_copies(_DATE, n) for n in ("sy", "sm", "sd"))
_SINGLE_YMD = tuple(_copies(_SINGLE, n) for n in ("sy", "sm", "sd"))
_EY, _EM, _ED = (_copies(_DATE, n) for n in ("ey", "em", "ed"))
_END = _copies(_DATE, "ey", "em", "ed")  # a period: its end is written
_ONE, _ONE_YMD = _one_ymd(_DATE)
_SINGLE_ONE, _SINGLE_ONE_YMD = _one_ymd(_SINGLE)

# --- things that are not figures -------------------------------------------------------------
_CLOCK = stdre.compile(
    rf"[0-9]{{1,2}}:[0-9]{{2}}(?::[0-9]{{2}})?+(?:{_SEP}[0-9]{{1,2}}:[0-9]{{2}}(?::[0-9]{{2}})?+)?+"
)
_PHONE = stdre.compile(r"[0-9]{3,4}-[0-9]{7,8}(?:-[0-9]{1,6})?+(?![0-9])|1[3-9][0-9]{9}(?![0-9])")
# Digits dropped by a mirror: 2024717日 (年 and 月 lost), 830日 (月 lost), 20247月.
# Two-digit years (15年3月2日, 98年4月) are left out: the century is a guess.
_SHORT_YEAR = stdre.compile(r"[0-9]{2}年[0-9]{1,2}月(?:[0-9]{1,2}[日号])?+")
_DAMAGED = stdre.compile(
    rf"(?:(?:1[89]|20)[0-9]{{3,6}}(?=[月日])|[0-9]{{3,4}}(?=日(?!{_alt(_D['duration_unit_requires_after']['日'])})))"
)

# Candidate starts: a digit run (with its decimal points), a Chinese numeral run, or a currency sign.
# Stdlib `re` scans a plain character class several times faster than `regex`.
_SIGNS = "".join(_D["money_prefix_signs"])
_START = stdre.compile(f"[0-9{NUMERAL_CHARS}{re.escape(_SIGNS)}]")
_RUN = stdre.compile(f"[0-9]+(?:\\.[0-9]+)*|{_CN}+|[{re.escape(_SIGNS)}]")


def _first_chars(*groups) -> frozenset[str]:
    return frozenset(w[0] for g in groups for w in g if w)


# A dotted run that starts with a year may be a date whatever follows it (2019.9.6, 1999.08).
_YEAR_DOT = stdre.compile(r"(?:1[89]|20)[0-9]{2}\.")
# Which readings are possible, by the character after the numeral run (tried in this order);
# a run followed by any other character is no figure.
_READINGS = ("date", "percent", "ratio", "money", "duration", "count")
_NEXT: dict[str, frozenset[str]] = {
    "date": _first_chars(_D["period_separators"], _D["period_start_tail"], ["年", "月", "-", "/", " "]),
    "percent": frozenset("% 分"),
    "ratio": frozenset("/ 分"),
    "money": _first_chars(_D["money_units"], _D["multipliers"], _D["approx_infixes"], [","]),
    "duration": _first_chars(_D["duration_units"], _D["duration_units_without_ge"], _D["duration_units_after_ge"],
                             _D["approx_infixes"], ["个", "半"]),
    "count": _first_chars(_COUNT_UNITS, _D["count_unit_prefixes"], [_D["bare_da_unit"]],
                          _D["approx_infixes"], _D["multipliers"]),
}
_DISPATCH: dict[str, tuple[str, ...]] = {}
for _name in _READINGS:
    for _c in _NEXT[_name]:
        _DISPATCH[_c] = (*_DISPATCH.get(_c, ()), _name)
for _c in ":-月日":  # clock times, phone numbers, damaged dates
    _DISPATCH.setdefault(_c, ())
# The runs `at` may read, found in one scan: a currency sign; a maximal run (nothing of a run just
# before it) followed by a character of _DISPATCH or the end of the text; a dotted run opening
# with a year (2019.9.6). Every other run is skipped as `run` skips it run by run; so are the runs
# `at` turns down for the character before them, first thing: an ordinal (第三, 十九届), and for
# digits a Latin letter or a code (A4, 3-1). The pattern opens with one character class, which
# stdlib `re` scans for fast; lookbehinds (from past the first character) then tell the runs apart.
_NEXT_CLASS = "[" + "".join(re.escape(c) for c in sorted(_DISPATCH)) + "]"
_ORD1 = [o for o in _D["ordinal_prefixes"] if len(o) == 1]
_NOT_ORDINAL = "".join(f"(?<!{re.escape(o)}.)" for o in (*_ORD1, *(o for o in _D["ordinal_after"] if len(o) == 1)))
_NOT_ORDINAL += "".join(f"(?<!{re.escape(o)} .)" for o in _ORD1)
_NOT_CODE = "" if any(c in "0123456789." for t in _D["fixed_terms"] for c in t) else "(?<![A-Za-z].)(?<![0-9A-Za-z][-/.:].)"


def _candidates(turned_down: str = "") -> str:
    """The pattern of the runs `at` may read (see _CAND); `turned_down`, a lookahead from the end of
    a numeral run, leaves out the runs it matches. Its one group holds the digits after the first of a
    run of at most 10 digits with no dot, followed by a character (the runs _digits reads first)."""
    return (
        f"[0-9{NUMERAL_CHARS}{re.escape(_SIGNS)}](?:(?<=[{re.escape(_SIGNS)}])"
        f"|(?<=[0-9])(?<![0-9]{{2}})(?<![0-9]\\.[0-9]){_NOT_ORDINAL}{_NOT_CODE}"
        f"(?:(?:(?<=1)[89]|(?<=2)0)[0-9]{{2}}(?:\\.[0-9]++)++|([0-9]{{0,9}}+)(?={_NEXT_CLASS})"
        f"|[0-9]*+(?:\\.[0-9]++)*+(?={_NEXT_CLASS}|\\Z))"
        f"|(?<={_CN})(?<!{_CN}{_CN}){_NOT_ORDINAL}{_CN}*+(?={_NEXT_CLASS}|\\Z){turned_down})"
    )


_CAND = stdre.compile(_candidates())
# A resumption point inside or right after a run: the next run is found the slow way (see `run`).
_RUN_CHARS = frozenset(f"0123456789.{NUMERAL_CHARS}")
_FIXED = stdre.compile(_alt(_D["fixed_terms"]))
_FIXED_MAX = max(len(t) for t in _D["fixed_terms"])
# Every two characters in a row of a fixed term: a term overlapping a run holds one of these at
# the run or right before it (None: a term of one character, and no such shortcut).
_FIXED_PAIRS = (None if min(len(t) for t in _D["fixed_terms"]) < 2
                else frozenset(t[i : i + 2] for t in _D["fixed_terms"] for i in range(len(t) - 1)))
# No fixed term holds an Arabic digit or a dot: none can overlap an Arabic run, which is then not
# looked up (most runs are Arabic).
_FIXED_ARABIC = any(c in "0123456789." for t in _D["fixed_terms"] for c in t)
_APPROX_PREFIXES = sorted(_D["approx_prefixes"], key=len, reverse=True)
_APPROX_LAST = frozenset(p[-1] for p in _APPROX_PREFIXES)  # a cue ends right before the figure
_APPROX_BLOCKERS = tuple(_D["approx_prefix_blockers"])
_ORDINAL = tuple(_D["ordinal_prefixes"])
_ORDINAL_AFTER = tuple(_D["ordinal_after"])
_FORMAL = frozenset(_D["formal_digits"])
_QUOTE_OPEN = set(_D["quote_open"])
_QUOTE_CLOSE = set(_D["quote_close"])
_QUOTE_MAX = int(_D["quoted_term_max_chars"])
_TITLE_OPEN, _TITLE_CLOSE, _TITLE_MAX = _D["title_open"], _D["title_close"], int(_D["title_max_chars"])
_BARE_DA = set(_D["bare_da_numerals"])
_GROUP_BEFORE = tuple(sorted(_D["group_name_before"], key=len, reverse=True))
_RULE_NOUNS = tuple(_D["named_rule_nouns"])
_RULE_QUOTED_NOUNS = tuple(_D["named_rule_quoted_nouns"])
_RULE_UNITS = frozenset(_D["named_rule_units"])
_NAME_OPEN = frozenset("“\"‘「『《")
_NAME_CLOSE = frozenset("”\"’」』》")
_CN_NUMERAL_CHARS = frozenset("一二三四五六七八九十两百千万")
_CN_RUN = frozenset(NUMERAL_CHARS)  # the characters of a numeral run (_CN)


@lru_cache(maxsize=1)
def _numeral_places() -> dict[str, tuple[str, ...]]:
    """Place names holding a Chinese numeral (六盘水市, 七台河, 五家渠市, 三台县), by first character."""
    from .divisions import table

    t = table()
    names: set[str] = set(t.full)
    for short, divs in t.short.items():
        if len(short) >= 3:
            names.add(short)
        else:
            names.update(short + d.name[len(short)] for d in divs if len(d.name) > len(short))
    out: dict[str, list[str]] = {}
    for n in names:
        if any(c in _CN_NUMERAL_CHARS for c in n):
            out.setdefault(n[0], []).append(n)
    return {k: tuple(sorted(v, key=len, reverse=True)) for k, v in out.items()}


@lru_cache(maxsize=1)
def _place_pairs() -> frozenset[str] | None:
    """Every two characters in a row of those place names (None if a name has one character)."""
    names = [n for group in _numeral_places().values() for n in group]
    if any(len(n) < 2 for n in names):
        return None
    return frozenset(n[i : i + 2] for n in names for i in range(len(n) - 1))


_UNIT_ONLY = frozenset("百千万亿佰仟萬億")
_DIGIT_CHARS = frozenset(DIGITS)
_FULLWIDTH = {**HALF_WIDTH, IDEOGRAPHIC_SPACE: 0x20}
_WIDE = stdre.compile("[\uff01-\uff5e\u3000]")
_TENTH, _HUNDREDTH = Decimal("0.1"), Decimal("0.01")
_DAYS = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _out(d: Decimal) -> int | float:
    if d == d.to_integral_value():
        return int(d)
    return float(d)


def _whole(num: str, mult: str | None) -> int | None:
    """Plain digits times their multiplier, as _value then _out read them, without the Decimal; None
    for any other numeral (and a multiplier `multiplier` cannot read), which takes the general path."""
    if not (num.isascii() and num.isdigit()) or len(num) > MAX_DIGITS:
        return None
    if not mult:
        return int(num)
    k = multiplier(mult)
    return None if k is None else int(num) * k


# Plain digits with a decimal part (76.5, 3.25): what cn_to_decimal's general path makes of them
# (the digits as written times 1, exact within the context's 28 digits), read without it.
_PLAIN_DECIMAL = stdre.compile(f"[0-9]{{1,{MAX_DIGITS}}}\\.[0-9]{{1,{27 - MAX_DIGITS}}}")


def _decimal(num: str) -> Decimal | None:
    """cn_to_decimal(num), plain decimals (a tenth of the cost) without its general path."""
    if "." in num and _PLAIN_DECIMAL.fullmatch(num):
        return Decimal(num)
    return cn_to_decimal(num) if num.isascii() else _cn_decimal(num)


@lru_cache(maxsize=2048)
def _cn_decimal(num: str) -> Decimal | None:
    """cn_to_decimal of a numeral written with Chinese characters (四, 二十五, 1.2万), whose general path
    costs ten times a look-up: a notice writes a few such numerals, the same few over and over (a
    Decimal is immutable: the one value serves every figure)."""
    return cn_to_decimal(num)


def _year(x: str | None) -> int | None:
    """A year read digit by digit (cn_digits), plain digits without its general path."""
    if x is None:
        return None
    if x.isascii() and x.isdigit() and len(x) <= MAX_DIGITS:
        return int(x)
    return cn_digits(x)


def _cn_ok(num: str, *, allow_one: bool = False, money: bool = False) -> bool:
    """Whether a numeral, as written, is safe to read as a quantity in running text."""
    if num[0].isdigit():
        return True
    # set tests on the characters: the same as any()/all() over them, without a generator
    if not money and not _FORMAL.isdisjoint(num):
        return False  # 队伍, 陆续, 收拾: 大写 digits are read in money only
    if num == "一" and not allow_one:
        return False  # 一个/一批/一次/统一/进一步: too ambiguous
    if _UNIT_ONLY.issuperset(num.rstrip("点")):
        return False  # 百年, 千家万户, 万人: words, not numbers
    core = num.split("点")[0]
    # 七八个, 一一, 二〇〇六: digit by digit is a year, not a count
    return len(core) == 1 or not _DIGIT_CHARS.issuperset(core)


def _title_spans(t: str) -> tuple[list[int], list[int]] | None:
    """Where a figure would start inside a 《…》 title as _Scanner._in_title_window reads it: from
    after an opening mark to the next opening mark or the closing one, when that closes within
    _TITLE_MAX characters. The starts and the (inclusive) ends of those stretches, in order; None
    when a mark is longer than one character (the window rule is then asked figure by figure)."""
    if len(_TITLE_OPEN) != 1 or len(_TITLE_CLOSE) != 1:
        return None
    lows: list[int] = []
    highs: list[int] = []
    o = t.find(_TITLE_OPEN)
    while o >= 0:
        nxt = t.find(_TITLE_OPEN, o + 1)
        c = t.find(_TITLE_CLOSE, o + 1)
        if 0 <= c < o + _TITLE_MAX:
            lows.append(o + 1)
            highs.append(c if nxt < 0 else min(nxt, c))
        o = nxt
    return lows, highs


class _Scanner:
    """One pass over the text; keeps the date context for years left out."""

    def __init__(self, text: str, base_year: int | None) -> None:
        self.t = text
        self.n = len(text)
        self.base_year = base_year
        self.found: list[Found] = []
        self.issues: list[Diagnostic] = []
        self.ref: tuple[int, int | None, int | None] | None = None
        # no figure starting strictly between these two is inside a document title (see _in_title)
        self.untitled = (-1, self.n + 1)
        self.titles = _title_spans(text) if _TITLE_OPEN in text else ([], [])
        if self.titles is None:
            self.untitled = (0, 0)  # every figure is looked at by the window rule
        elif self.titles[0]:
            self.untitled = (-1, self.titles[0][0])

    # --- context checks ---------------------------------------------------------------------
    def _approx_prefix(self, s: int) -> str:
        """The approximation cue written right before s (近10次, 约3万元), unless it ends another word (节约)."""
        t = self.t
        if not s or t[s - 1] not in _APPROX_LAST:
            return ""
        for p in _APPROX_PREFIXES:
            if s >= len(p) and t.startswith(p, s - len(p)):
                if len(p) == 1 and t[max(0, s - 2) : s] in _APPROX_BLOCKERS:
                    return ""
                return p
        return ""

    def _fixed_end(self, s: int, e: int) -> int | None:
        """End of a fixed term (三重一大, 两个维护) overlapping [s, e), if any."""
        t = self.t
        if _FIXED_PAIRS is not None:
            j = max(0, s - 1)
            while t[j : j + 2] not in _FIXED_PAIRS:  # a loop, not any(): runs are short, the call costs more
                j += 1
                if j >= e:
                    return None
        # the terms in the window one after another, as finditer gives them, up to the first at or past e
        pos, hi = max(0, s - _FIXED_MAX + 1), min(self.n, e + _FIXED_MAX)
        while (m := _FIXED.search(t, pos, hi)) is not None and m.start() < e:
            if m.end() > s:
                return m.end()
            pos = m.end()
        return None

    def _in_title(self, s: int) -> bool:
        """Inside a 《…》 document title: figures there are part of a name. Callers first look at
        `untitled`, which this sets to the stretch around s that holds no title."""
        if self.titles is None:
            return self._in_title_window(s)
        lows, highs = self.titles
        i = bisect_right(lows, s) - 1
        if i >= 0 and s <= highs[i]:
            return True
        self.untitled = (highs[i] if i >= 0 else -1, lows[i + 1] if i + 1 < len(lows) else self.n + 1)
        return False

    def _in_title_window(self, s: int) -> bool:
        """The rule: an opening mark within _TITLE_MAX characters before s, no closing one between,
        and one after s within _TITLE_MAX characters of the opening one."""
        t = self.t
        o = t.rfind(_TITLE_OPEN, max(0, s - _TITLE_MAX), s)
        if o < 0 or t.find(_TITLE_CLOSE, o, s) >= 0:
            return False
        return t.find(_TITLE_CLOSE, s, min(self.n, o + _TITLE_MAX)) >= 0

    def _place_end(self, s: int) -> int | None:
        """End of a place name holding the numeral at s (六盘水市, 七台河), if any."""
        t = self.t
        pairs = _place_pairs()
        if pairs is not None and t[s - 1 : s + 1] not in pairs and t[s : s + 2] not in pairs:
            return None  # a name holding s holds the characters before or after it with it
        places = _numeral_places()
        for p in range(max(0, s - 6), s + 1):
            for name in places.get(t[p], ()):
                if p + len(name) > s and t.startswith(name, p):
                    return p + len(name)
        return None

    def _named(self, s: int, e: int, unit: str | None) -> bool:
        """A numeral that names rather than counts: a group (巡察六组) or a rule (八项规定, 《…十项措施》)."""
        t = self.t
        if unit == "组" and t.endswith(_GROUP_BEFORE, max(0, s - 4), s):
            return True
        if unit in _RULE_UNITS and t[s] in _CN_NUMERAL_CHARS:
            if t.startswith(_RULE_NOUNS, e):
                return True
            if t.startswith(_RULE_QUOTED_NOUNS, e):
                lo = max(0, s - 40)
                o = max(t.rfind(c, lo, s) for c in _NAME_OPEN)
                c = max(t.rfind(c, lo, s) for c in _NAME_CLOSE)
                return o > c
        return False

    def _quoted_term(self, s: int, run_end: int) -> bool:
        """A Chinese numeral opening a short quoted slogan: “六个不足”, “四个融入”."""
        if s == 0 or self.t[s - 1] not in _QUOTE_OPEN:
            return False
        return not _QUOTE_CLOSE.isdisjoint(self.t[run_end : min(self.n, s + _QUOTE_MAX)])

    # --- emit ---------------------------------------------------------------------------------
    def emit(self, f: Found) -> bool:
        lo, hi = self.untitled
        if not lo < f.start < hi and self._in_title(f.start):
            return False
        self.found.append(f)
        return True

    def issue(self, code: Code, s: int, e: int, **params: object) -> None:
        self.issues.append(Diagnostic(code, (s, e), params))

    # --- main loop ----------------------------------------------------------------------------
    def run(self) -> None:
        t, n = self.t, self.n
        cand = _scan_pattern()
        pos = 0
        while True:
            if pos < n and t[pos] in _RUN_CHARS:
                # resuming at a run character: the run starts here even when one runs on before it
                m = _START.search(t, pos)
                if m is None:
                    return
                s = m.start()
                run_end = _RUN.match(t, s).end()
                # most runs are followed by no unit and start no date: skipped as `at` would skip them
                if (run_end < n and t[run_end] not in _DISPATCH and t[s] not in _SIGNS
                        and not ("." in t[s:run_end] and _YEAR_DOT.match(t, s))):
                    pos = run_end
                    continue
            else:
                m = cand.search(t, pos)
                if m is None:
                    return
                s, run_end = m.span()
                # digits: the common readings first (_digits, where the pattern's group is set), then the
                # others without at's checks before the run
                if _SHORTCUTS and t[s] in _ASCII_DIGITS and run_end < n:
                    end = self._digits(s, run_end) if m.lastindex else None
                    if end is None:
                        end = self._arabic(s, run_end)
                    pos = end if end is not None and end > s else run_end
                    continue
            end = self.at(s, run_end)
            pos = end if end is not None and end > s else run_end

    def at(self, s: int, run_end: int) -> int | None:
        """Try every reading at s; return where scanning resumes, or None to skip the run."""
        t = self.t
        ch = t[s]
        if ch in _SIGNS:
            return self.money(s)
        nxt = t[run_end] if run_end < self.n else ""
        dotted, readings = self._readings(s, run_end, nxt)
        if readings is None and not dotted:
            return None
        arabic = ch.isascii() and ch.isdigit()
        prev = t[s - 1] if s else ""
        if arabic and prev.isascii() and prev.isdigit():
            return None
        if prev in _ORDINAL or prev in _ORDINAL_AFTER or (prev == " " and s > 1 and t[s - 2] in _ORDINAL):
            return None
        fixed = self._fixed_end(s, run_end) if _FIXED_ARABIC or not arabic else None
        if fixed is not None:
            return fixed
        if arabic:
            if prev.isascii() and prev.isalpha():
                return None
            if prev in "-/.:" and s > 1 and t[s - 2].isascii() and t[s - 2].isalnum():
                return None
            # each needs its character after the run (12:30, 0411-1234567, 15年3月), or 11 digits (13912345678);
            # a short year is two digits
            c = ((nxt == ":" and _CLOCK.match(t, s)) or ((nxt == "-" or run_end - s >= 11) and _PHONE.match(t, s))
                 or (nxt == "年" and run_end - s == 2 and _SHORT_YEAR.match(t, s)))
            if c:
                return c.end()
        elif prev in _QUOTE_OPEN and self._quoted_term(s, run_end):
            return None
        else:
            place = self._place_end(s)
            if place is not None:
                return place
            if _SHORTCUTS and readings == _COUNT_READ and nxt != "点" and not _cn_ok(t[s:run_end]):
                return None  # as `count` turns the numeral down (一个, 统一部署), without its match
        return self._read(s, nxt, dotted, readings, arabic)

    def _digits(self, s: int, run_end: int) -> int | None:
        """The common readings of a run of digits found by _CAND, read as `at` reads them: a count
        (25个, 13人) or a date (2025年…, 3月). _CAND has turned down what `at` checks first in the
        characters before the run; what else `at` tries first needs a dot, a longer run, or another
        character after it (clock, phone, short year): the run has no dot and less than 11 digits.
        None: the run takes the other readings (_arabic)."""
        t = self.t
        nxt = t[run_end]
        if nxt in _COUNT_ONLY or (nxt == "个" and t[run_end + 1 : run_end + 2] not in _GE_NEXT):
            blocked = _UNIT_ALONE.get(nxt)
            if blocked is not None:  # a unit of one character, and no other starts with it
                if blocked and t.startswith(blocked, run_end + 1):
                    return None
                unit, e = nxt, run_end + 1
            else:
                u = _COUNT_UNIT_AT.match(t, run_end)  # as _COUNT reads on past the digits: no cue or multiplier
                if u is None:
                    return None
                unit, e = u.group(), u.end()
            if unit == "组" and self._named(s, e, unit):
                return e
            start, approx = self._start_with_prefix(s) if s and t[s - 1] in _APPROX_LAST else (s, False)
            lo, hi = self.untitled  # as emit does
            if lo < start < hi or not self._in_title(start):
                self.found.append(Found("count", start, e, int(t[s:run_end]), unit, approx))
            return e
        if nxt in _DATE_FIRST and (nxt != "年" or run_end - s != 2):
            return self.date(s)  # a date read ends past s; if none is, `at` tries the other readings
        return None

    def _arabic(self, s: int, run_end: int) -> int | None:
        """What `at` does with a run of digits found by _CAND and followed by a character, less its checks of
        the characters before the run, which _CAND's lookbehinds have made (see _digits)."""
        t = self.t
        nxt = t[run_end]
        dotted, readings = self._readings(s, run_end, nxt)
        if readings is None and not dotted:
            return None
        c = ((nxt == ":" and _CLOCK.match(t, s)) or ((nxt == "-" or run_end - s >= 11) and _PHONE.match(t, s))
             or (nxt == "年" and run_end - s == 2 and _SHORT_YEAR.match(t, s)))
        if c:
            return c.end()
        return self._read(s, nxt, dotted, readings, True)

    def _readings(self, s: int, run_end: int, nxt: str) -> tuple[bool, tuple | None]:
        """Whether the run at s holds the dot after a year (2019.9.6, 1999.08), and the readings that
        `nxt`, the character after the run, asks for."""
        t = self.t
        dotted = run_end > s + 4 and t[s + 4] == "." and _YEAR_DOT.match(t, s) is not None
        if nxt == "个" and t[run_end + 1 : run_end + 2] not in _GE_NEXT:
            return dotted, _READ_GE_COUNT  # 25个 is no span of time (3个月, 两个半小时 are)
        return dotted, _READ.get(nxt)

    def _read(self, s: int, nxt: str, dotted: bool, readings: tuple | None, arabic: bool) -> int | None:
        """The readings `at` and `_arabic` end with: a dotted date, those of the character after the
        run, a damaged date (digits run together)."""
        t = self.t
        if dotted:
            r = self.date(s)
            if r is not None:
                return r
        for read in readings or ():
            r = read(self, s)
            if r is not None:
                return r
        if arabic and nxt in _DAMAGED_NEXT:
            d = _DAMAGED.match(t, s)
            if d and self._damaged(d.group()):
                e = d.end() + 1
                self.issue(Code.W102, s, e, text=t[s:e])
                return e
        return None

    @staticmethod
    def _damaged(digits: str) -> bool:
        if len(digits) >= 5:
            return True
        m, d = int(digits[:-2]), int(digits[-2:])
        return 1 <= m <= 12 and 1 <= d <= 31

    # --- readings -----------------------------------------------------------------------------
    def _start_with_prefix(self, s: int) -> tuple[int, bool]:
        if not s or self.t[s - 1] not in _APPROX_LAST:
            return s, False
        p = self._approx_prefix(s)
        return s - len(p), bool(p)

    def count(self, s: int) -> int | None:
        m = _COUNT.match(self.t, s)
        if not m:
            return None
        num, a1, mult, a2, unit, da = _COUNT_FIELDS(m.groups())
        if da and (num not in _BARE_DA or a1 or mult or a2):
            return None
        if not (num[0].isdigit() or _cn_ok(num)):
            return None
        unit = unit or da
        value = _whole(num, mult)
        if value is None:
            d = self._value(num, mult)
            if d is None or (d != d.to_integral_value() and unit not in _MEASURE_UNITS):
                return None  # 2.2本, 0.6个: section numbers and ratios, not counts; 126.5亩 is a quantity
            value = _out(d)
        e = m.end()
        if ((unit == "组" or unit in _RULE_UNITS) and self._named(s, e, unit)) or (num == "二" and not mult):
            return e  # a count of two is written 两 (两类); 二类, 二级 name a rank
        start, approx = self._start_with_prefix(s)
        self.emit(Found("count", start, e, value, unit, approx or bool(a1 or a2)))
        return e

    def duration(self, s: int) -> int | None:
        m = _DURATION.match(self.t, s)
        if not m:
            return None
        num, half_, half2, a1, a2, a3, unit1, unit2 = _DURATION_FIELDS(m.groups())
        unit = unit1 or unit2
        half = bool(half_ or half2)
        e = m.end()
        # 一年以上, 一年内, 用时一年。: a span of one; 一年 before other words (一年一度) is not
        one = bool(_ONE_SPAN_AFTER.match(self.t, e))
        if not _cn_ok(num, allow_one=half or one):
            return None
        value = self._value(num, None)
        if value is None:
            return None
        if half:
            if value != value.to_integral_value():
                return None
            value += Decimal("0.5")
        start, approx = self._start_with_prefix(s)
        approx = approx or bool(a1 or a2 or a3)
        self.emit(Found("duration", start, e, _out(value), unit, approx))
        return e

    def money(self, s: int) -> int | None:
        m = _MONEY.match(self.t, s)
        if not m:
            return None
        num1, num2, sign, mult1, mult2, jiao, fen, a1, a2 = _MONEY_FIELDS(m.groups())
        num, mult = num1 or num2, mult1 or mult2
        if sign is None and not _cn_ok(num, money=True):
            return None
        value = self._value(num, mult)
        if value is None:
            return None
        for x, scale in ((jiao, _TENTH), (fen, _HUNDREDTH)):
            if x:
                value += (Decimal(x) if x.isdigit() else Decimal(DIGITS[x])) * scale
        start, approx = self._start_with_prefix(s)
        approx = approx or bool(a1 or a2)
        self.emit(Found("money", start, m.end(), _out(value), "元", approx))
        return m.end()

    def percent(self, s: int) -> int | None:
        m = _PERCENT.match(self.t, s)
        if not m:
            return None
        num1, num2 = _PERCENT_FIELDS(m.groups())
        num = num1 or num2
        value = _decimal(num)
        if value is None or not _FORMAL.isdisjoint(num):
            return None
        start, approx = self._start_with_prefix(s)
        self.emit(Found("percent", start, m.end(), _out(value), "%", approx))
        return m.end()

    def ratio(self, s: int) -> int | None:
        m = _RATIO.match(self.t, s)
        if not m:
            return None
        a1, a2, b1, b2 = _RATIO_FIELDS(m.groups())
        a, b = cn_to_decimal(a1 or a2), cn_to_decimal(b1 or b2)
        if not _FORMAL.isdisjoint(m.group()):
            return None
        if a is None or b is None or b == 0:
            return None
        if a >= 1000 and b >= 1000:
            return None  # 2021/2022: years
        start, approx = self._start_with_prefix(s)
        value = round(float(a / b), 4)
        self.emit(Found("ratio", start, m.end(), _out(Decimal(str(value))), None, approx))
        return m.end()

    @staticmethod
    def _value(num: str, mult: str | None) -> Decimal | None:
        v = _decimal(num)
        if v is None:
            return None
        if mult:
            k = multiplier(mult)
            if k is None:
                return None
            v *= k
        return v

    # --- dates --------------------------------------------------------------------------------
    @staticmethod
    def _part(x: str | None) -> int | None:
        if x is None:
            return None
        if x.isdigit() and x.isascii():
            return int(x)  # as cn_to_decimal reads plain digits, without the Decimal
        v = cn_to_decimal(x)
        return None if v is None else int(v)

    def _year_for(self, mo: int, d: int | None) -> int | None:
        return self.base_year if self.ref is None else infer_year(self.ref, mo, d)

    def date(self, s: int) -> int | None:
        t = self.t
        m = _SINGLE.match(t, s)  # where no period can be read at s
        if m is not None:
            if m.lastindex == _SINGLE_ONE:
                return self._one(s, m.end(), *m.group(*_SINGLE_ONE_YMD))
            return self._dated(s, m.end(), m.groups(""), _SINGLE_YMD, False)
        if _PERIOD_AT.match(t, s, s + _DATE_REACH) is None:  # no period either
            return None
        m = _DATE.match(t, s)
        if not m:
            return None
        if m.lastindex == _ONE:
            return self._one(s, m.end(), *m.group(*_ONE_YMD))
        v = m.groups("")  # of the groups numbered from one name, one at most is set: joined, its value
        if not "".join(_END(v)):  # no end written: a date
            return self._dated(s, m.end(), v, _DATE_YMD, False)
        return self._dated(s, m.end(), v, _DATE_YMD, True)

    def _one(self, s: int, e: int, y_: str, mo_: str | None, d_: str | None) -> int | None:
        """A single date with its year: what `_dated` does for it, for the common forms."""
        if mo_ is None and y_.isascii():  # 2025年, 2025年底 (a day is written with its month): as below
            y = int(y_)
            if not 1800 <= y <= 2099:  # _valid
                return self._invalid(s, e)
            lo, hi = self.untitled
            if lo < s < hi or not self._in_title(s):
                self.found.append(Found("date", s, e, None, None, False, str(y)))  # _iso_date
            self.ref = (y, None, None)
            return e
        if y_.isascii() and (mo_ is None or mo_.isascii()) and (d_ is None or d_.isascii()):
            # digits, as _year and _part read them
            y, mo, d = int(y_), None if mo_ is None else int(mo_), None if d_ is None else int(d_)
        else:
            y, mo, d = _year(y_), self._part(mo_), self._part(d_)
        if not self._valid(y, mo, d):
            return self._invalid(s, e)
        lo, hi = self.untitled  # as emit does
        if lo < s < hi or not self._in_title(s):
            self.found.append(Found("date", s, e, None, None, False, _iso_date(y, mo, d)))
        self.ref = (y, mo, d)
        return e

    def _start(self, v: tuple, ymd: tuple) -> tuple[int | None, int | None, int | None, bool] | None:
        """The start's year, month and day (the groups `ymd` of the match's groups `v`), the year
        completed from context (None for a start with neither year nor month), and whether it was."""
        part = self._part
        sy, sm, sd = (_year("".join(ymd[0](v)) or None), part("".join(ymd[1](v)) or None),
                      part("".join(ymd[2](v)) or None))
        if sy is not None:
            return sy, sm, sd, False
        if sm is None:
            return None
        return self._year_for(sm, sd), sm, sd, True

    def _dated(self, s: int, e: int, v: tuple, ymd: tuple, period: bool) -> int | None:
        """A date or, with `period`, a period read from the match's groups `v`, from its start on."""
        start = self._start(v, ymd)
        if start is None:
            return None
        if start[0] is None:
            return e  # no context: no figure for a date without its year
        return self._period(s, e, v, start) if period else self._single(s, e, start)

    def _single(self, s: int, e: int, start: tuple[int, int | None, int | None, bool]) -> int | None:
        sy, sm, sd, inferred = start
        if not self._valid(sy, sm, sd):
            return self._invalid(s, e)  # 2019.15: not a date after all
        self._emit_date(s, e, (sy, sm, sd), inferred)
        return e

    def _period(self, s: int, e: int, v: tuple, start: tuple[int, int | None, int | None, bool]) -> int | None:
        sy, sm, sd, inferred = start
        # the end inherits what it leaves out
        part = self._part
        e_y, e_m, e_d = _year("".join(_EY(v)) or None), part("".join(_EM(v)) or None), part("".join(_ED(v)) or None)
        if e_y is None:
            e_y = sy
            if e_m is None and e_d is not None:
                e_m = sm
            if e_m is not None and sm is not None and (e_m, e_d or 0) < (sm, sd or 0):
                e_y += 1
        if not self._valid(sy, sm, sd) or not self._valid(e_y, e_m, e_d):
            return self._invalid(s, e)
        start_iso, end_iso = _iso_date(sy, sm, sd), _iso_date(e_y, e_m, e_d)
        shown = self.emit(Found("period", s, e, start_date=start_iso, end_date=end_iso, year_inferred=inferred))
        self.ref = (e_y, e_m, e_d)
        if inferred and shown:
            self.issue(Code.W101, s, e, year=sy, text=self.t[s:e])
        return e

    def _invalid(self, s: int, e: int) -> int | None:
        """A date that reads as no valid day: an issue when written with 年月日号, else no date (2019.15)."""
        text = self.t[s:e]
        if not any(c in text for c in "年月日号"):
            return None
        self.issue(Code.W103, s, e, text=text)
        return e

    def _emit_date(self, s: int, e: int, ymd: tuple[int, int | None, int | None], inferred: bool) -> None:
        y, mo, d = ymd
        shown = self.emit(Found("date", s, e, date=_iso_date(y, mo, d), year_inferred=inferred))
        self.ref = (y, mo, d)
        if inferred and shown:
            self.issue(Code.W101, s, e, year=y, text=self.t[s:e])

    @staticmethod
    def _valid(y: int | None, mo: int | None, d: int | None) -> bool:
        if y is None or not 1800 <= y <= 2099:
            return False
        if mo is None:
            return d is None
        if not 1 <= mo <= 12:
            return False
        if d is None:
            return True
        if not 1 <= d <= _DAYS[mo]:
            return False
        return not (mo == 2 and d == 29 and not (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)))


def _fields(p: re.Pattern | regex.Pattern, *names: str) -> Callable[[tuple], tuple]:
    """The named groups of a match of p, from its groups(): one call, where group(name) in `regex`
    costs several times as much (a name written more than once in p is one group)."""
    assert len(names) > 1  # itemgetter of one index gives the item, not a tuple
    return itemgetter(*(p.groupindex[n] - 1 for n in names))


_COUNT_FIELDS = _fields(_COUNT, "num", "a1", "mult", "a2", "unit", "da")
_DURATION_FIELDS = _fields(_DURATION, "num_1", "half_1", "half2_1", "a1_1", "a2_1", "a3_1", "unit_1", "unit_2")
_MONEY_FIELDS = _fields(_MONEY, "num_1", "num_2", "sign_1", "mult_1", "mult_2", "jiao_1", "fen_1", "a1_1", "a2_1")
_PERCENT_FIELDS = _fields(_PERCENT, "num_1", "num_2")
_RATIO_FIELDS = _fields(_RATIO, "a_1", "a_2", "b_1", "b_2")


# The reading methods by the character after the run, in the order of _DISPATCH.
_READ: dict[str, tuple[Callable[[_Scanner, int], int | None], ...]] = {
    c: tuple(getattr(_Scanner, name) for name in names) for c, names in _DISPATCH.items()
}
_DAMAGED_NEXT = ("月", "日")
# The shortcuts of _Scanner (_digits, and a numeral `count` would turn down): they read as the
# general path does, and _digits leans on _CAND's lookbehinds, which hold when no fixed term has a
# digit. (A test turns them off to compare.)
_SHORTCUTS = not _FIXED_ARABIC
_ASCII_DIGITS = frozenset("0123456789")
_COUNT_ONLY = frozenset(c for c, names in _DISPATCH.items() if names == ("count",))
_COUNT_UNIT_AT = stdre.compile(_COUNT_UNIT)
# Count units of one character that no other unit (nor a unit prefix) starts with, and the words
# that must not follow them: read without _COUNT_UNIT_AT, as its alternation reads them.
_UNIT_ALONE: dict[str, tuple[str, ...]] = {
    u: tuple(_BLOCKED.get(u, ())) for u in _COUNT_UNITS
    if len(u) == 1 and u not in _D["count_unit_prefixes"] and not any(v != u and v.startswith(u) for v in _COUNT_UNITS)
}
# Characters after a run where a date is the first reading; after '-' a phone number is tried first.
_DATE_FIRST = frozenset(c for c, names in _DISPATCH.items() if names and names[0] == "date") - {"-"}
# After 个 a duration goes on with an approximation, 半 or its unit (3个多月, 两个半小时, 6个月).
_GE_NEXT = _first_chars(_D["approx_infixes"], ["半"], _D["duration_units"], _D["duration_units_after_ge"])
_COUNT_READ = (_Scanner.count,)
_READ_GE_COUNT = tuple(r for r in _READ["个"] if r is not _Scanner.duration)  # _DAMAGED ends its digits before one of these


def _lone_turned_down(c: str, places: frozenset[str], ge_next: str) -> str | None:
    """A lookahead, from past a lone numeral `c` that `count` turns down (一, 万, 壹: _cn_ok), matching
    where `at` turns the run down for certain: the character after it starts no reading but a count
    (部, 大, and 个 not starting a span of time); no fixed term stands over `c` (三重一大: each is
    looked for around it); and neither pair of characters holding `c` is one that a place name holds
    (_place_end then looks no further)."""
    units = sorted(u for u in _COUNT_ONLY if c + u not in places)
    after = [f"[{''.join(map(re.escape, units))}]"] if units else []
    if c + "个" not in places:
        after.append(f"个(?!{ge_next})")
    if not after:
        return None
    before = sorted({p[0] for p in places if p[1] == c})
    guard = f"(?<![{''.join(map(re.escape, before))}]{re.escape(c)})" if before else ""
    # a term holding c at i stands over it when its first i + 1 characters end here and the rest follow
    guard += "".join(f"(?!(?<={re.escape(term[:i + 1])}){re.escape(term[i + 1:])})"
                     for term in sorted(set(_D["fixed_terms"])) for i, x in enumerate(term) if x == c)
    return f"(?={'|'.join(after)}){guard}"


def _lone_tests() -> list[str]:
    """The test of _scan_pattern for the lone numerals `at` turns down (see _lone_turned_down), or none
    where a premise fails (the shortcuts off, a place name of one character, a count unit that is a
    numeral, `个` read otherwise)."""
    places = _place_pairs()
    if (not _SHORTCUTS or places is None or _READ_GE_COUNT != _COUNT_READ
            or not _RUN_CHARS.isdisjoint(_COUNT_ONLY) or "个" in _RUN_CHARS):
        return []
    ge_next = "[" + "".join(re.escape(c) for c in sorted(_GE_NEXT)) + "]"
    by_test: dict[str, list[str]] = {}  # the numerals a test holds for (most share theirs: a shorter pattern)
    for c in sorted(NUMERAL_CHARS):
        if not _cn_ok(c) and (p := _lone_turned_down(c, places, ge_next)) is not None:
            by_test.setdefault(p, []).append(re.escape(c))
    if not by_test:
        return []
    # the run ends with one of the numerals and holds nothing else (it is maximal: no numeral before it)
    tests = [f"(?<=[{''.join(cs)}])(?<!{_CN}[{''.join(cs)}]){p}" for p, cs in by_test.items()]
    last = "[" + "".join(c for cs in by_test.values() for c in cs) + "]"  # one test first for the runs ending otherwise
    return [f"(?<={last})(?:{'|'.join(tests)})"]


def _apart(terms: list[str]) -> list[str]:
    """The terms no occurrence of which can overlap another occurrence of a term, itself included (五个一
    and 一把手 can: 五个一把手): none starts inside another, nor where another starts, but at its end."""
    by_first: dict[str, list[str]] = {}
    for t in terms:
        by_first.setdefault(t[0], []).append(t)
    meet: set[str] = set()
    for a in terms:
        for j in range(len(a)):
            for b in by_first.get(a[j], ()):
                if (j or b != a) and (a.startswith(b, j) or b.startswith(a[j:])):
                    meet.update((a, b))
    return [t for t in terms if t not in meet]


def _term_tests() -> list[str]:
    """The test of _scan_pattern for a lone numeral that a fixed term stands over (四个意识, 三重一大):
    `at` skips to the term's end, past nothing the scan could read, when no other term's occurrence
    can overlap the term's (_apart: _fixed_end then finds that one). Other numerals in the term are
    left out alike, or skipped by `at` to the same end."""
    by_char: dict[str, list[str]] = {}
    for t in _apart(sorted(set(_D["fixed_terms"]))):
        for i, c in enumerate(t):
            rest = t[i + 1:]
            # a lone numeral in the term, which the scan finds (followed by a character a reading starts with)
            if (c in _CN_RUN and (i == 0 or t[i - 1] not in _CN_RUN)
                    and (not rest or (rest[0] in _DISPATCH and rest[0] not in _CN_RUN))):
                by_char.setdefault(c, []).append(f"(?<={re.escape(t[:i + 1])})" + (f"(?={re.escape(rest)})" if rest else ""))
    if not by_char:
        return []
    cs = "".join(re.escape(c) for c in sorted(by_char))
    alts = "|".join(f"(?<={re.escape(c)})(?:{'|'.join(v)})" for c, v in sorted(by_char.items()))
    return [f"(?<=[{cs}])(?<!{_CN}[{cs}])(?:{alts})"]


@lru_cache(maxsize=1)
def _scan_pattern() -> re.Pattern:
    """_CAND less the lone numerals that `at` only skips, at the cost of a call each: those `count`
    turns down whatever stands around them (一部分, 一大批, 一项) and those a fixed term stands over
    (“四个意识”). Built at the first scan: it needs the place names."""
    tests = _lone_tests() + _term_tests()
    return stdre.compile(_candidates(f"(?!{'|'.join(tests)})")) if tests else _CAND


def infer_year(ref: tuple[int, int | None, int | None], month: int, day: int | None, *,
               after_end: bool = False) -> int:
    """The year of a month (and day) written without one, from the dated point `ref` before it:
    that point's year, or the next when the month/day comes earlier in the year.

    With `after_end`, a point known only to its month or year stands for its last day: the date
    is the first such day after a period that ends then."""
    ry, rm, rd = ref
    if after_end:
        rm, rd = rm or 12, rd or 31
    if rm is None:
        return ry
    if day is not None and rd is not None:
        return ry + 1 if (month, day) < (rm, rd) else ry
    return ry + 1 if month < rm else ry


_TWO = tuple(f"{i:02d}" for i in range(32))  # a month or day as ISO writes it


def _iso_date(y: int, mo: int | None, d: int | None) -> str:
    if not (1000 <= y <= 9999 and (mo is None or 0 <= mo < 32) and (d is None or 0 <= d < 32)):
        return _iso_general(y, mo, d)
    # a valid date (most): digits from the table, a quarter of the cost of formatting them
    if mo is None:
        return str(y)
    if d is None:
        return f"{y}-{_TWO[mo]}"
    return f"{y}-{_TWO[mo]}-{_TWO[d]}"


def _iso_general(y: int, mo: int | None, d: int | None) -> str:
    if mo is None:
        return f"{y:04d}"
    if d is None:
        return f"{y:04d}-{mo:02d}"
    return f"{y:04d}-{mo:02d}-{d:02d}"


def outside(found: list[Found], spans: list[tuple[int, int]]) -> list[Found]:
    """The figures not inside any of `spans` (a <= start and end <= b): with the spans sorted by
    start, only the widest reach of those starting at or before a figure decides."""
    if not spans:
        return list(found)
    spans = sorted(spans)
    starts = [a for a, _ in spans]
    reach = list(accumulate((b for _, b in spans), max))
    return [f for f in found if (i := bisect_right(starts, f.start) - 1) < 0 or reach[i] < f.end]


def extract(text: str, *, base_year: int | None = None,
            narrow: bool = False) -> tuple[list[Found], list[Diagnostic]]:
    """Every figure in `text`, in document order, and the issues met on the way.

    `text` is the whole (normalised) notice; offsets index into it. A date written without
    its year takes the year of the most recent dated point before it (the next year when
    its month/day comes earlier), else `base_year`; such dates carry year_inferred and a W101.
    `narrow`: the caller vouches that `text` has no full-width form left (normalize's text has
    none), and the scan for them, a tenth of the time of a short notice, is skipped.
    """
    # one for one: offsets unchanged
    t = text.translate(_FULLWIDTH) if not narrow and _WIDE.search(text) else text
    sc = _Scanner(t, base_year)
    sc.run()
    return sc.found, sc.issues
