"""Numeral conversion: Chinese, 大写, traditional, mixed and digit-by-digit forms."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from report_parser.numerals import cn_digits, cn_to_number, multiplier

DIG = "零一二三四五六七八九"


def to_chinese(n: int) -> str:
    """A reference writer of standard Chinese numerals (independent of the parser under test)."""
    if n == 0:
        return "零"

    def below_10k(x: int, leading: bool) -> str:
        out, zero = [], False
        for unit, ch in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
            d = x // unit
            x %= unit
            if d:
                if zero:
                    out.append("零")
                    zero = False
                out.append(DIG[d] + ch)
            elif out or not leading:
                zero = True
        return "".join(out)

    parts = []
    groups = []
    while n:
        groups.append(n % 10000)
        n //= 10000
    for i in range(len(groups) - 1, -1, -1):
        g = groups[i]
        if g == 0:
            if parts and parts[-1] != "零":
                parts.append("零")
            continue
        s = below_10k(g, leading=not parts)
        if parts and g < 1000 and not s.startswith("零"):
            s = "零" + s
        parts.append(s + ("", "万", "亿", "万亿")[i])
    s = "".join(parts).rstrip("零")
    s = s.replace("零零", "零")
    return s


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("一千零一万零一", 10010001),
        ("两", 2),
        ("十六", 16),
        ("十", 10),
        ("一十一", 11),
        ("一千零十", 1010),
        ("一千零一十", 1010),
        ("十万零一千", 101000),
        ("一亿零两千三百", 100002300),
        ("一亿七万两千三百", 100072300),
        ("一千一百一十一亿一千一百一十一万一千一百一十一", 111111111111),
        ("两千零一十二", 2012),
        ("二〇〇六", 2006),
        ("二零零八", 2008),
        ("16.4亿", 1640000000),
        ("1.2万", 12000),
        ("47.264287亿", 4726428700),
        ("100万", 1000000),
        ("5千万", 50000000),
        ("壹佰万零伍拾肆", 1000054),
        ("肆佰叁拾萬", 4300000),
        ("玖仟陆佰陆拾伍", 9665),
        ("壹万二千三百四十五", 12345),
        ("一億", 100000000),
        ("兩萬", 20000),
        ("二点一五", 2.15),
        ("零点四", 0.4),
        ("六点四二万", 64200),
        ("82,225.00", 82225),
        ("１２３", 123),
        ("100余", 100),
        ("三百多", 300),
        ("一百一", 110),
        ("一万二", 12000),
    ],
)
def test_cn_to_number(text: str, value: float) -> None:
    assert cn_to_number(text) == value


@pytest.mark.parametrize(
    "text", ["", "abc", "万", "亿三", "十十", "一百百", "三四十", "点五", "1.2.3", "十四五", "百千", "二三十", "余"]
)
def test_not_numerals(text: str) -> None:
    assert cn_to_number(text) is None


def test_whole_values_are_ints() -> None:
    assert isinstance(cn_to_number("1.5万"), int)
    assert isinstance(cn_to_number("16.4亿"), int)
    assert isinstance(cn_to_number("二点五"), float)


def test_digit_by_digit_helper() -> None:
    assert cn_digits("二〇二四") == 2024
    assert cn_digits("2019") == 2019
    assert cn_digits("二十") is None
    assert cn_digits("") is None


def test_multiplier() -> None:
    assert multiplier("") == 1
    assert multiplier("万") == 10**4
    assert multiplier("千万") == 10**7
    assert multiplier("万亿") == 10**12
    assert multiplier("元") is None


def test_reference_writer_agrees_on_known_forms() -> None:
    assert to_chinese(10010001) == "一千零一万零一"
    assert to_chinese(100110011001) == "一千零一亿一千零一万一千零一"
    assert to_chinese(1000054) == "一百万零五十四"


@given(st.integers(min_value=0, max_value=10**12 - 1))
def test_round_trip(n: int) -> None:
    assert cn_to_number(to_chinese(n)) == n


@given(st.integers(min_value=0, max_value=10**15))
def test_arabic_round_trip(n: int) -> None:
    assert cn_to_number(str(n)) == n
    assert cn_to_number(f"{n:,}") == n
