"""Searches tried only near a cue (cues.py) give the matches of the plain search, on random texts built
from the pieces the patterns read: the reach, span, barrier and tail written beside each pattern hold."""

from __future__ import annotations

import random
import re

import pytest

from report_parser import facts, header
from report_parser.cues import Endings, by_first_char, finditer_near

PIECES = ["第", "一", "二", "十", "1", "2", "届", "区委", "市委", "县委", "中央", "党组", "自治区党委", "2023年",
          "年度", "轮", "巡视", "巡察", "工作", "组", "办公室", "办", "法", "个", "。", "\n", ";", "对", "向",
          "第三轮", "巡察组", "某", "县", ",", "，", "了", " ", "月", "日", "由", "于", "在", "(", ")", "、",
          "三个", "巡", "安排", "领导小组", "第五轮巡察第三组", "巡视办", "巡察办法", "的", "十二届", "统一",
          "据", "照", "经", "“", "”", "《", "》", "\t", "\u3000"]

CASES = {
    "inspector": (header._INSPECTOR, "巡", header._INSPECTOR_REACH, header._INSPECTOR_SPAN,
                  header._INSPECTOR_BARRIER, header._INSPECTOR_TAIL),
    "round": (facts._ROUND, "轮", facts._ROUND_REACH, facts._ROUND_SPAN, facts._ROUND_BARRIER, facts._ROUND_TAIL),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_near_search_gives_the_plain_matches(name):
    pattern, cue, reach, span, barrier, tail = CASES[name]
    rnd = random.Random(name)
    matched = 0
    for _ in range(4000):
        text = "".join(rnd.choice(PIECES) for _ in range(rnd.randint(1, 40)))
        s = rnd.randint(0, len(text))
        e = rnd.randint(s, len(text))
        want = [(m.span(), m.groupdict()) for m in pattern.finditer(text, s, e)]
        got = [(m.span(), m.groupdict()) for m in finditer_near(pattern, text, cue, reach, span, s, e,
                                                                 barrier, tail)]
        assert got == want, (text, s, e)
        matched += bool(want)
    assert matched > 200  # the texts hold matches, not only near misses


def test_emails_as_the_plain_search():
    rnd = random.Random(3)
    pieces = ["a", "Z", "1", ".", "-", "_", "%", "+", "@", "com", "x.y", "@qq.com", " ", "邮箱", ":", "\n", "。", ".."]
    for _ in range(4000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 20)))
        s = rnd.randint(0, len(text))
        e = rnd.randint(s, len(text))
        assert header._emails(text, s, e) == [m.span() for m in header._EMAIL.finditer(text, s, e)], text


def test_endings_first_in_list_order():
    ends = Endings(("委员会", "党委员会", "党委", "委"))
    assert ends.first("某县党委员会") == 0  # 委员会 is listed first, though 党委员会 is longer
    assert ends.first("某局党委") == 2
    assert ends.first("党委", shorter=True) == 3  # longer than the ending: 委, not 党委
    assert ends.first("党委员") is None
    assert Endings(("", "委")).first("某局") == 0  # an empty ending ends every word


SPACES = ["\x1c", "\x1f", "\x85", "\u3000", "\u2028", "\xa0", " ", "\t", "\n", "\x0b"]


@pytest.mark.parametrize("pattern", [r"\s+", r"^\s*(?P<n>\S[^\n]{1,6}?)\s*关于", r"[^\s,。;:]{2,4}?(?:党委|党组)",
                                     r"[]\s]x|[^]\s]"])
def test_plain_matches_as_regex(pattern):
    import re

    import regex

    from report_parser.cues import plain

    rnd = random.Random(pattern)
    pieces = [*SPACES, "关于", "党委", "党组", "某", "县", ",", "]", "x", "。"]
    want_re, got_re = regex.compile(pattern, regex.M), plain(pattern, re.M)
    for _ in range(3000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 12)))
        assert [m.span() for m in got_re.finditer(text)] == [m.span() for m in want_re.finditer(text)], repr(text)


@pytest.mark.parametrize("pattern", [r"\d+", r"\w", r"\bx", r"(?r)x", r"[^\S]"])
def test_plain_refuses_what_differs(pattern):
    from report_parser.cues import plain

    with pytest.raises(ValueError):
        plain(pattern)
    if pattern != r"\d+":
        with pytest.raises(ValueError):
            plain(pattern, digits=True)  # `digits` takes \d, nothing else


def test_plain_with_digits_matches_as_regex():
    import regex

    from report_parser.cues import plain

    pattern = r"第\s*\d+\s*页|(?<![\d-])\d{3,4}(?!\d)|[^\s\d]{2}"
    rnd = random.Random(pattern)
    pieces = [*SPACES, "第", "页", "-", "0", "7", "９", "٣", "x"]  # ASCII, full-width and Arabic-Indic digits
    want_re, got_re = regex.compile(pattern), plain(pattern, digits=True)
    for _ in range(3000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 12)))
        assert [m.span() for m in got_re.finditer(text)] == [m.span() for m in want_re.finditer(text)], repr(text)


def test_words_grouped_by_first_char_match_as_the_flat_alternation() -> None:
    """Grouping keeps every match the flat alternation finds (same start, same end), words with regex
    syntax escaped, a one-character word beside longer ones with its first character."""
    words = ["持续整改", "持续推进", "已完成整改", "已完成", "已", "推进中", "a.b", "完成了", "完成"]
    grouped = re.compile(by_first_char(words))
    assert grouped.pattern.count("持") == 1 and grouped.pattern.count("已") == 1
    flat = re.compile("|".join(map(re.escape, words)))
    rng = random.Random(7)
    alphabet = "持续整改推进已完成中了ab.x"
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        assert [m.span() for m in grouped.finditer(text)] == [m.span() for m in flat.finditer(text)], text
    assert grouped.search("axb") is None and grouped.search("a.b").span() == (0, 3)


def test_squash_removes_what_the_blank_pattern_removes():
    """squash skips the regex for a text with no blank: on texts with every kind of blank, and with the
    separators Python counts as blanks but \\s does not (\\x1c-\\x1f), it gives what the pattern gives."""
    import regex

    from report_parser.cues import squash

    blank = regex.compile(r"\s+")
    rnd = random.Random(11)
    pieces = [*SPACES, "\x1d", "\x1e", "党委", "某", "县", ",", "(", ""]
    for _ in range(3000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 8)))
        assert squash(text) == blank.sub("", text), repr(text)
    assert squash("中共某县委员会") == "中共某县委员会" and squash("中共 某县\u3000委员会") == "中共某县委员会"


def test_every_state_heading_holds_the_word_looked_for_first() -> None:
    """heading_state searches only titles holding _HEADING_WORD: the pattern must end with it at its top
    level (a top-level alternation would parse as one branch, and the test would fail)."""
    from re import _parser

    pattern = facts.data().state_heading.pattern
    items = list(_parser.parse(pattern))
    word = [(_parser.LITERAL, ord(c)) for c in facts._HEADING_WORD]
    assert items[-len(word):] == word
    assert facts.heading_state("(二)已整改完成的问题") == "done"
    assert facts.heading_state("(二)已整改完成的事项") is None


def test_statement_words_grouped_only_when_literal() -> None:
    assert facts._words_or_pattern("整改进展|进展|问题") == "整改进展|进展|问题"  # one word per character: as it was
    assert facts._words_or_pattern("该问题|该项|此项") == "该(?:问题|项)|此项"
    assert facts._words_or_pattern("^(?:拟|将)|待") == "^(?:拟|将)|待"  # a pattern, not words: kept as given
