"""Chinese and mixed numerals to numbers: 一千零一万零一, 两, 16.4亿, 壹佰万零伍拾肆, 二〇〇六, 二点一五."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from . import stdre
from .width import HALF_WIDTH

# Digit characters: lower-case, upper-case (大写), traditional and zero forms.
DIGITS: dict[str, int] = {
    "零": 0, "〇": 0, "○": 0, "洞": 0,
    "一": 1, "壹": 1, "幺": 1,
    "二": 2, "贰": 2, "貳": 2, "两": 2, "兩": 2,
    "三": 3, "叁": 3, "參": 3, "叄": 3,
    "四": 4, "肆": 4,
    "五": 5, "伍": 5,
    "六": 6, "陆": 6, "陸": 6,
    "七": 7, "柒": 7,
    "八": 8, "捌": 8,
    "九": 9, "玖": 9,
}
# The forms a running text uses as numerals (幺 and 洞 only occur in spoken phone numbers).
DIGIT_CHARS = "".join(c for c in DIGITS if c not in "幺洞")
SMALL_UNITS: dict[str, int] = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
BIG_UNITS: dict[str, int] = {"万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8}
UNIT_CHARS = "".join(SMALL_UNITS) + "".join(BIG_UNITS)
NUMERAL_CHARS = DIGIT_CHARS + UNIT_CHARS

_FULLWIDTH = HALF_WIDTH
_APPROX_TAIL = ("余", "多")
MAX_DIGITS = 20  # longer strings are codes or garbage, not figures

# stdlib `re`: a plain pattern (ASCII digits, possessive quantifiers), read a few times as fast as by `regex`
_ARABIC = stdre.compile(r"([0-9]{1,3}(?:,[0-9]{3})++|[0-9]++)(\.[0-9]++)?+([十百千万亿拾佰仟萬億]*+)")


def _out(d: Decimal) -> int | float:
    """An int when the value is whole, else a float."""
    if d == d.to_integral_value():
        return int(d)
    return float(d)


def _small(s: str) -> int | None:
    """A numeral below 10 000 written with 十/百/千 and 零 gaps; None if malformed."""
    total = 0
    digit: int | None = None
    last_unit = 10**4
    zero = False
    for ch in s:
        if ch in DIGITS:
            d = DIGITS[ch]
            if d == 0:
                if digit is not None:
                    return None
                zero = True
                continue
            if digit is not None:
                return None
            digit = d
        elif ch in SMALL_UNITS:
            u = SMALL_UNITS[ch]
            if u >= last_unit:
                return None
            if digit is None:
                if total == 0 or (zero and u == 10):
                    digit = 1  # 十五, 百, 一千零十
                else:
                    return None
            total += digit * u
            last_unit = u
            digit = None
            zero = False
        else:
            return None
    if digit is not None:
        if not zero and 10 < last_unit < 10**4:
            total += digit * last_unit // 10  # colloquial 一百一 = 110, 三千五 = 3500
        else:
            total += digit
    return total


def _split_big(s: str, char: str, scale: int, lower) -> int | None:
    i = s.rfind(char)
    hi_s, lo_s = s[:i], s[i + 1 :]
    if not hi_s:
        return None
    hi = lower(hi_s)
    lo = lower(lo_s) if lo_s else 0
    if hi is None or lo is None or lo >= scale:
        return None
    if len(lo_s) == 1 and lo_s in DIGITS and DIGITS[lo_s]:
        lo *= scale // 10  # 一万二 = 12000
    return hi * scale + lo


def _below_yi(s: str) -> int | None:
    if "万" in s:
        return _split_big(s, "万", 10**4, _small)
    return _small(s)


def _integer(s: str) -> int | None:
    """A Chinese integer numeral (units already mapped to 十百千万亿)."""
    if not s:
        return None
    if all(ch in DIGITS for ch in s):
        if len(s) > MAX_DIGITS:
            return None
        return int("".join(str(DIGITS[ch]) for ch in s))  # digit by digit: 二〇〇六
    if "亿" in s:
        if s.count("亿") > 2:  # no numeral in use stacks more than 亿亿; also bounds the recursion
            return None
        return _split_big(s, "亿", 10**8, _integer)
    return _below_yi(s)


_UNIT_MAP = str.maketrans({"拾": "十", "佰": "百", "仟": "千", "萬": "万", "億": "亿"})


def multiplier(units: str) -> int | None:
    """The product of trailing unit characters: 万 → 10⁴, 千万 → 10⁷, 万亿 → 10¹²; '' → 1."""
    m = 1
    for ch in units:
        if ch in SMALL_UNITS:
            m *= SMALL_UNITS[ch]
        elif ch in BIG_UNITS:
            m *= BIG_UNITS[ch]
        else:
            return None
    return m


def cn_to_decimal(s: str) -> Decimal | None:
    """Like cn_to_number, as an exact Decimal."""
    if s.isdigit() and s.isascii() and len(s) <= MAX_DIGITS:
        return Decimal(s)  # the common case, plain digits: what the general path below gives, at a tenth of the cost
    s = s.strip().translate(_FULLWIDTH)
    if s.endswith(_APPROX_TAIL):
        s = s[:-1]
    if not s:
        return None
    m = _ARABIC.fullmatch(s)
    if m:
        whole = m.group(1).replace(",", "")
        if len(whole) > MAX_DIGITS:
            return None
        mult = multiplier(m.group(3))
        if mult is None:
            return None
        try:
            return Decimal(whole + (m.group(2) or "")) * mult
        except InvalidOperation:
            return None
    s = s.translate(_UNIT_MAP)
    if "点" in s:
        ip, _, rest = s.partition("点")
        frac = rest.rstrip("十百千万亿")
        tail = rest[len(frac) :]
        if not frac or not all(ch in DIGITS for ch in frac) or len(frac) > MAX_DIGITS:
            return None
        whole_i = _integer(ip) if ip else None
        if whole_i is None:
            return None
        mult = multiplier(tail)
        if mult is None:
            return None
        return Decimal(f"{whole_i}.{''.join(str(DIGITS[c]) for c in frac)}") * mult
    if any(ch not in DIGITS and ch not in "十百千万亿" for ch in s):
        return None
    value = _integer(s)
    return None if value is None else Decimal(value)


def cn_to_number(s: str) -> int | float | None:
    """The number a numeral string writes, or None if it is not a numeral.

    Handles Arabic digits (with thousands commas and decimals), Chinese numerals with
    units and 零 gaps (一千零一万零一), 两, 大写 (壹佰万零伍拾肆) and traditional 萬/億,
    mixed forms (16.4亿, 1.2万), decimals with 点 (二点一五), and digit-by-digit strings
    without units (二〇〇六 → 2006). A trailing approximation cue 余/多 is ignored (100余 → 100).
    """
    d = cn_to_decimal(s)
    return None if d is None else _out(d)


def cn_digits(s: str) -> int | None:
    """A digit-by-digit reading (二〇〇六 → 2006, 2019 → 2019); None unless every character is a digit."""
    s = s.translate(_FULLWIDTH)
    if not s or len(s) > MAX_DIGITS:
        return None
    out = []
    for ch in s:
        if "0" <= ch <= "9":
            out.append(ch)
        elif ch in DIGITS:
            out.append(str(DIGITS[ch]))
        else:
            return None
    return int("".join(out))
