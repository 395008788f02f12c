"""Word .docx to text: paragraphs and table rows in order, with automatic list numbering written out."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from report_parser.errors import InputError
from report_parser.formats.table import Grid, GridCell, LedgerTable, TextBuilder, clean

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
M = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

P, R, T, TBL, TR, TC = W + "p", W + "r", W + "t", W + "tbl", W + "tr", W + "tc"
SDT, SDT_CONTENT = W + "sdt", W + "sdtContent"
# containers whose runs are part of the text
_INLINE_CONTAINERS = frozenset(
    W + tag for tag in ("ins", "moveTo", "hyperlink", "smartTag", "customXml", "fldSimple", "dir", "bdo")
)
# never part of the text: deleted/moved-away revisions, field code bits, annotations, properties
_SKIP = frozenset(W + tag for tag in ("del", "moveFrom", "pPr", "rPr", "proofErr", "permStart", "permEnd"))

_CT_DOCUMENT = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"

# ---------------------------------------------------------------- number formats

_CN_DIGITS = "零一二三四五六七八九"
_CN_LEGAL = "零壹贰叁肆伍陆柒捌玖"
_CN_LEGAL_TRAD = "零壹貳參肆伍陸柒捌玖"
_STEMS = "甲乙丙丁戊己庚辛壬癸"
_BRANCHES = "子丑寅卯辰巳午未申酉戌亥"


def _cn_count(n: int, digits: str = _CN_DIGITS, units: str = "十百千", wan: str = "万") -> str:
    """Chinese counting numerals: 1 一, 10 十, 11 十一, 20 二十, 105 一百零五, 10000 一万."""
    if n <= 0:
        return "〇" if n == 0 else str(n)
    if n >= 10000:
        high, low = divmod(n, 10000)
        text = _cn_count(high, digits, units, wan) + wan
        if low:
            text += (digits[0] if low < 1000 else "") + _cn_below_10000(low, digits, units, teen=False)
        return text
    return _cn_below_10000(n, digits, units, teen=True)


def _cn_below_10000(n: int, digits: str, units: str, *, teen: bool) -> str:
    parts: list[str] = []
    places = [(1000, units[2]), (100, units[1]), (10, units[0]), (1, "")]
    zero_pending = False
    for value, unit in places:
        d, n = divmod(n, value)
        if d:
            if zero_pending and parts:
                parts.append(digits[0])
            zero_pending = False
            if not (teen and value == 10 and d == 1 and not parts):
                parts.append(digits[d])
            parts.append(unit)
        elif parts:
            zero_pending = True
    return "".join(parts)


def _roman(n: int) -> str:
    if not 0 < n < 4000:
        return str(n)
    out = []
    for value, sym in (
        (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
        (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
    ):  # fmt: skip
        while n >= value:
            out.append(sym)
            n -= value
    return "".join(out)


def _letter(n: int) -> str:
    """Word's letters: A…Z, then AA, BB, …"""
    if n <= 0:
        return str(n)
    return chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def _enclosed(n: int, ranges: tuple[tuple[int, int, int], ...], fallback: str) -> str:
    for lo, hi, base in ranges:
        if lo <= n <= hi:
            return chr(base + n - lo)
    return fallback.format(n)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


NUMBER_FORMATS: dict[str, Callable[[int], str]] = {
    "decimal": str,
    "decimalHalfWidth": str,
    "cardinalText": str,
    "ordinalText": _ordinal,
    "ordinal": _ordinal,
    "decimalZero": lambda n: f"{n:02d}" if 0 <= n < 10 else str(n),
    "decimalFullWidth": lambda n: str(n).translate({c: c + 0xFEE0 for c in range(0x30, 0x3A)}),
    "decimalFullWidth2": lambda n: str(n).translate({c: c + 0xFEE0 for c in range(0x30, 0x3A)}),
    "upperRoman": _roman,
    "lowerRoman": lambda n: _roman(n).lower(),
    "upperLetter": _letter,
    "lowerLetter": lambda n: _letter(n).lower(),
    "chineseCounting": _cn_count,
    "chineseCountingThousand": _cn_count,
    "taiwaneseCounting": _cn_count,
    "taiwaneseCountingThousand": _cn_count,
    "japaneseCounting": _cn_count,
    "koreanCounting": _cn_count,
    "chineseLegalSimplified": lambda n: _cn_count(n, _CN_LEGAL, "拾佰仟", "万"),
    "ideographLegalTraditional": lambda n: _cn_count(n, _CN_LEGAL_TRAD, "拾佰仟", "萬"),
    "japaneseLegal": lambda n: _cn_count(n, _CN_LEGAL_TRAD, "拾佰仟", "萬"),
    "ideographDigital": lambda n: (
        "".join("〇一二三四五六七八九"[int(d)] for d in str(n)) if n >= 0 else str(n)
    ),
    "taiwaneseDigital": lambda n: (
        "".join("〇一二三四五六七八九"[int(d)] for d in str(n)) if n >= 0 else str(n)
    ),
    "japaneseDigitalTenThousand": lambda n: (
        "".join("〇一二三四五六七八九"[int(d)] for d in str(n)) if n >= 0 else str(n)
    ),
    "ideographTraditional": lambda n: _STEMS[(n - 1) % 10] if n > 0 else str(n),
    "ideographZodiac": lambda n: _BRANCHES[(n - 1) % 12] if n > 0 else str(n),
    "ideographZodiacTraditional": lambda n: (
        _STEMS[(n - 1) % 10] + _BRANCHES[(n - 1) % 12] if n > 0 else str(n)
    ),
    "decimalEnclosedCircle": lambda n: _enclosed(
        n, ((1, 20, 0x2460), (21, 35, 0x3251), (36, 50, 0x32B1)), "{}"
    ),
    "decimalEnclosedCircleChinese": lambda n: _enclosed(
        n, ((1, 20, 0x2460), (21, 35, 0x3251), (36, 50, 0x32B1)), "{}"
    ),
    "ideographEnclosedCircle": lambda n: _enclosed(n, ((1, 10, 0x3220),), "{}"),
    "decimalEnclosedParen": lambda n: _enclosed(n, ((1, 20, 0x2474),), "({})"),
    "decimalEnclosedFullstop": lambda n: _enclosed(n, ((1, 20, 0x2488),), "{}."),
    "none": lambda n: "",
}


def format_number(n: int, num_fmt: str) -> str:
    """Render a list counter in a WordprocessingML numFmt (unknown formats fall back to decimal)."""
    return NUMBER_FORMATS.get(num_fmt, str)(n)


# ---------------------------------------------------------------- numbering.xml


def _val(el: Any, tag: str) -> str | None:
    """The w:val of child `tag` of `el`, or None."""
    if el is None:
        return None
    child = el.find(W + tag)
    if child is None:
        return None
    return child.get(W + "val")


def _int(text: str | None, default: int | None = None) -> int | None:
    if text is None:
        return default
    try:
        return int(text)
    except ValueError:
        return default


@dataclass
class Level:
    """One w:lvl of a list definition."""

    start: int = 0
    fmt: str = "decimal"
    text: str | None = None
    restart: int | None = None  # w:lvlRestart (1-based level, 0 = never); None = after any higher level
    legal: bool = False
    suffix: str = "tab"
    style: str | None = None

    @classmethod
    def parse(cls, el: Any) -> Level:
        fmt = _val(el, "numFmt")
        if fmt is None:  # Word 2010 writes custom formats inside mc:AlternateContent
            for alt in el.iter(MC + "Fallback"):
                fmt = _val(alt, "numFmt")
                if fmt:
                    break
        legal = el.find(W + "isLgl")
        return cls(
            start=_int(_val(el, "start"), 0) or 0,
            fmt=fmt or "decimal",
            text=_val(el, "lvlText"),
            restart=_int(_val(el, "lvlRestart")),
            legal=legal is not None and legal.get(W + "val", "1") not in ("0", "false", "off"),
            suffix=_val(el, "suff") or "tab",
            style=_val(el, "pStyle"),
        )


@dataclass
class _Num:
    abstract: str
    starts: dict[int, int] = field(default_factory=dict)  # lvlOverride/startOverride
    levels: dict[int, Level] = field(default_factory=dict)  # lvlOverride/lvl


@dataclass
class _Style:
    based_on: str | None
    num_id: str | None
    ilvl: int | None


class Numbering:
    """Word list numbering: definitions from numbering.xml and styles.xml, counters as paragraphs go by.

    Counters belong to the abstract definition, so separate w:num instances of one abstractNum
    continue each other's count unless a w:startOverride restarts them (as Word does).
    """

    def __init__(self, numbering_el: Any | None, styles_el: Any | None) -> None:
        self.abstracts: dict[str, dict[int, Level]] = {}
        self.style_links: dict[str, str] = {}  # abstractNum id -> numStyleLink style id
        self.nums: dict[str, _Num] = {}
        self.styles: dict[str, _Style] = {}
        self.default_style: str | None = None
        self.counters: dict[str, dict[int, int]] = {}
        self.starts: dict[str, dict[int, int]] = {}
        self.used_nums: set[str] = set()
        if numbering_el is not None:
            self._read_numbering(numbering_el)
        if styles_el is not None:
            self._read_styles(styles_el)

    def _read_numbering(self, root: Any) -> None:
        for absnum in root.iter(W + "abstractNum"):
            aid = absnum.get(W + "abstractNumId")
            if aid is None:
                continue
            levels = {}
            for lvl in absnum.findall(W + "lvl"):
                ilvl = _int(lvl.get(W + "ilvl"))
                if ilvl is not None:
                    levels[ilvl] = Level.parse(lvl)
            self.abstracts[aid] = levels
            link = _val(absnum, "numStyleLink")
            if link:
                self.style_links[aid] = link
        for num in root.iter(W + "num"):
            nid = num.get(W + "numId")
            aid = _val(num, "abstractNumId")
            if nid is None or aid is None:
                continue
            entry = _Num(aid)
            for override in num.findall(W + "lvlOverride"):
                ilvl = _int(override.get(W + "ilvl"))
                if ilvl is None:
                    continue
                start = _int(_val(override, "startOverride"))
                if start is not None:
                    entry.starts[ilvl] = start
                lvl = override.find(W + "lvl")
                if lvl is not None:
                    entry.levels[ilvl] = Level.parse(lvl)
            self.nums[nid] = entry

    def _read_styles(self, root: Any) -> None:
        for style in root.iter(W + "style"):
            if style.get(W + "type") not in (None, "paragraph", "numbering"):
                continue
            sid = style.get(W + "styleId")
            if sid is None:
                continue
            numpr = style.find(f"{W}pPr/{W}numPr")
            self.styles[sid] = _Style(
                based_on=_val(style, "basedOn"),
                num_id=_val(numpr, "numId"),
                ilvl=_int(_val(numpr, "ilvl")),
            )
            if style.get(W + "default") in ("1", "true", "on") and style.get(W + "type") == "paragraph":
                self.default_style = sid

    def _style_numbering(self, style_id: str | None) -> tuple[str | None, int | None, str | None]:
        """(numId, ilvl, style that carries it) inherited through basedOn."""
        seen: set[str] = set()
        while style_id and style_id not in seen:
            seen.add(style_id)
            style = self.styles.get(style_id)
            if style is None:
                break
            if style.num_id is not None:
                return style.num_id, style.ilvl, style_id
            style_id = style.based_on
        return None, None, None

    def _abstract_of(self, num_id: str) -> str | None:
        num = self.nums.get(num_id)
        if num is None:
            return None
        aid = num.abstract
        # abstractNum with numStyleLink: the real definition is behind the numbering style
        for _ in range(5):
            link = self.style_links.get(aid)
            if not link:
                break
            linked_num, _ilvl, _sid = self._style_numbering(link)
            if linked_num is None or linked_num not in self.nums:
                break
            aid = self.nums[linked_num].abstract
        return aid

    def _level(self, num_id: str, aid: str, ilvl: int) -> Level | None:
        num = self.nums.get(num_id)
        if num is not None and ilvl in num.levels:
            return num.levels[ilvl]
        return self.abstracts.get(aid, {}).get(ilvl)

    def label(self, ppr: Any | None) -> tuple[str, str]:
        """Advance the counters for a paragraph; return (number text, suffix kind) or ('', '')."""
        style_id = _val(ppr, "pStyle") or self.default_style
        numpr = ppr.find(W + "numPr") if ppr is not None else None
        num_id = _val(numpr, "numId")
        ilvl = _int(_val(numpr, "ilvl"))
        s_num, s_ilvl, s_style = self._style_numbering(style_id)
        if num_id is None:
            num_id = s_num
            if ilvl is None:
                ilvl = s_ilvl
        if num_id is None or num_id == "0" or num_id not in self.nums:
            return "", ""
        aid = self._abstract_of(num_id)
        if aid is None or aid not in self.abstracts:
            return "", ""
        if ilvl is None:
            ilvl = 0
            for i, lvl in self.abstracts[aid].items():
                if lvl.style and lvl.style in (style_id, s_style):
                    ilvl = i
                    break
        ilvl = max(0, min(ilvl, 8))
        level = self._level(num_id, aid, ilvl)
        if level is None:
            return "", ""

        counters = self.counters.setdefault(aid, {})
        starts = self.starts.setdefault(aid, {})
        if num_id not in self.used_nums:
            self.used_nums.add(num_id)
            for o_ilvl, o_start in self.nums[num_id].starts.items():
                starts[o_ilvl] = o_start
                counters.pop(o_ilvl, None)

        def start_of(i: int) -> int:
            if i in starts:
                return starts[i]
            lvl = self._level(num_id, aid, i)
            return lvl.start if lvl else 0

        counters[ilvl] = counters[ilvl] + 1 if ilvl in counters else start_of(ilvl)
        for deeper in range(ilvl + 1, 9):
            lvl = self._level(num_id, aid, deeper)
            restart = lvl.restart if lvl else None
            if restart is None or (restart > 0 and ilvl < restart):
                counters.pop(deeper, None)

        if level.fmt == "bullet" or not level.text:
            return "", ""

        def render(m: re.Match[str]) -> str:
            i = int(m.group(1)) - 1
            value = counters.get(i, start_of(i))
            lvl = self._level(num_id, aid, i)
            fmt = "decimal" if level.legal else (lvl.fmt if lvl else "decimal")
            return format_number(value, fmt)

        return re.sub(r"%([1-9])", render, level.text), level.suffix


# ---------------------------------------------------------------- document walk


@dataclass
class TableBlock:
    """A table met in the walk: its grid, and its rows as text lines should it not be a ledger."""

    grid: Grid
    lines: list[str]

    def __str__(self) -> str:  # a table nested in a cell reads as its lines
        return "\n".join(self.lines)


class _Extractor:
    """Walk the document body once, in order, keeping the state of complex fields and numbering."""

    def __init__(self, numbering: Numbering) -> None:
        self.numbering = numbering
        self.fields: list[bool] = []  # one entry per open complex field: True while in its code part

    # block level ------------------------------------------------------------
    def blocks(self, container: Any) -> Iterator[str | TableBlock]:
        for child in container:
            tag = child.tag
            if tag == P:
                yield self.paragraph(child)
            elif tag == TBL:
                yield from self.table(child)
            elif tag == SDT:
                content = child.find(SDT_CONTENT)
                if content is not None:
                    yield from self.blocks(content)
            elif tag in (W + "customXml", W + "ins", W + "moveTo"):
                yield from self.blocks(child)

    def table(self, tbl: Any) -> Iterator[str | TableBlock]:
        """The table once: its grid (merged cells honoured) and its rows as lines of tab-separated cells."""
        grid_cells: list[GridCell] = []
        lines: list[str] = []
        paragraphs: list[str] = []  # every cell's paragraphs, one per line, for a layout table
        layout = False
        open_down: dict[int, GridCell] = {}  # column -> the cell a vMerge continues
        for r, row in enumerate(self._rows(tbl)):
            cells = []
            col = _int(_val(row.find(W + "trPr"), "gridBefore"), 0) or 0
            for cell in self._cells(row):
                tcpr = cell.find(W + "tcPr")
                span = max(1, _int(_val(tcpr, "gridSpan"), 1) or 1)
                vmerge = tcpr.find(W + "vMerge") if tcpr is not None else None
                parts = [str(line).strip() for line in self.blocks(cell)]
                parts = [line for line in parts if line]
                cells.append(" ".join(parts))
                paragraphs.extend(parts)
                # paragraphs of running text in a cell: a table used to lay the page out
                layout = layout or (len(parts) > 1 and any("。" in part for part in parts))
                if vmerge is not None and vmerge.get(W + "val") != "restart" and col in open_down:
                    open_down[col].rowspan = r - open_down[col].row + 1
                else:
                    gc = GridCell(clean("\n".join(parts)), r, col, 1, span)
                    grid_cells.append(gc)
                    if vmerge is not None:
                        open_down[col] = gc
                    else:
                        open_down.pop(col, None)
                col += span
            lines.append("\t".join(cells).rstrip())
        yield TableBlock(Grid(grid_cells), paragraphs if layout else lines)

    def _rows(self, tbl: Any) -> Iterator[Any]:
        return self._children(tbl, TR)

    def _cells(self, row: Any) -> Iterator[Any]:
        return self._children(row, TC)

    def _children(self, parent: Any, tag: str) -> Iterator[Any]:
        """Children with `tag`, looking through content controls and custom XML wrappers."""
        for child in parent:
            if child.tag == tag:
                yield child
            elif child.tag in (SDT, W + "customXml"):
                inner = child.find(SDT_CONTENT) if child.tag == SDT else child
                if inner is not None:
                    yield from self._children(inner, tag)

    # paragraph level ----------------------------------------------------------
    def paragraph(self, p: Any) -> str:
        ppr = p.find(W + "pPr")
        number, suffix = self.numbering.label(ppr)
        out: list[str] = []
        self.inline(p, out)
        text = "".join(out)
        if number:
            # `1.` + `落实…` reads as typed; a bare number before a letter or digit keeps a space
            if suffix != "nothing" and _ascii_alnum(number[-1]) and _ascii_alnum(text[:1]):
                number += " "
            text = number + text
        return text

    def inline(self, el: Any, out: list[str]) -> None:
        for child in el:
            tag = child.tag
            if tag == R:
                self.run(child, out)
            elif tag in _INLINE_CONTAINERS:
                self.inline(child, out)
            elif tag == SDT:
                content = child.find(SDT_CONTENT)
                if content is not None:
                    self.inline(content, out)
            elif tag == MC + "AlternateContent":
                choice = child.find(MC + "Choice")
                if choice is None:
                    choice = child.find(MC + "Fallback")
                if choice is not None:
                    self.inline(choice, out)
            elif tag in (M + "oMath", M + "oMathPara") and not self._in_code():
                out.extend(t.text or "" for t in child.iter(M + "t"))
            # everything else (bookmarks, deleted revisions, comments, properties) yields nothing

    def _in_code(self) -> bool:
        return any(self.fields)

    def run(self, r: Any, out: list[str]) -> None:
        rpr = r.find(W + "rPr")
        hidden = False
        if rpr is not None:
            vanish = rpr.find(W + "vanish")
            hidden = vanish is not None and vanish.get(W + "val", "1") not in ("0", "false", "off")
        for child in r:
            tag = child.tag
            if tag == W + "fldChar":
                kind = child.get(W + "fldCharType")
                if kind == "begin":
                    self.fields.append(True)
                elif kind == "separate" and self.fields:
                    self.fields[-1] = False
                elif kind == "end" and self.fields:
                    self.fields.pop()
                continue
            if hidden or self._in_code():
                continue
            if tag == T:
                out.append(child.text or "")
            elif tag in (W + "tab", W + "ptab"):
                out.append("\t")
            elif tag in (W + "br", W + "cr"):
                if child.get(W + "type") not in ("page", "column"):
                    out.append("\n")
            elif tag == W + "noBreakHyphen":
                out.append("-")
            elif tag == W + "sym":
                code = _int_hex(child.get(W + "char"))
                if code is not None:
                    out.append(chr(code - 0xF000 if 0xF020 <= code <= 0xF0FF else code))
            elif tag == W + "ruby":
                base = child.find(W + "rubyBase")
                if base is not None:
                    self.inline(base, out)
            elif tag == MC + "AlternateContent":
                choice = child.find(MC + "Choice")
                if choice is not None:
                    self.run(choice, out)
            # instrText, delText, drawings, footnote references etc. yield nothing


def _ascii_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _int_hex(text: str | None) -> int | None:
    if not text:
        return None
    try:
        return int(text, 16)
    except ValueError:
        return None


def _open_document(data: bytes, name: str | None) -> Any:
    """python-docx Document for the bytes; macro-enabled and template packages are read as documents."""
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError

    from report_parser import budget

    budget.check_package(data, name, ".docx")
    try:
        return docx.Document(io.BytesIO(data))
    except ValueError as exc:
        if "content type" not in str(exc):
            raise InputError(name, f"corrupt .docx ({exc})") from None
    except (
        zipfile.BadZipFile,
        PackageNotFoundError,
        KeyError,
        EOFError,
        OSError,
        zipfile.LargeZipFile,
    ) as exc:
        raise InputError(name, f"corrupt or truncated .docx ({type(exc).__name__}: {exc})") from None
    except Exception as exc:  # lxml syntax errors and the like
        raise InputError(name, f"corrupt .docx ({type(exc).__name__}: {exc})") from None
    # .docm/.dotx/.dotm: same body, another main content type; present it as a document
    try:
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w") as zout:
            for info in zin.infolist():
                member = zin.read(info.filename)
                if info.filename == "[Content_Types].xml":
                    member = re.sub(
                        rb'ContentType="[^"]*(?:wordprocessingml\.template\.main|ms-word\.[^"]*\.main)\+xml"',
                        f'ContentType="{_CT_DOCUMENT}"'.encode(),
                        member,
                    )
                zout.writestr(info, member)
        return docx.Document(io.BytesIO(out.getvalue()))
    except Exception as exc:
        raise InputError(name, f"not a Word document ({type(exc).__name__}: {exc})") from None


def extract_docx(data: bytes, name: str | None = None) -> tuple[str, tuple[LedgerTable, ...]]:
    """The body of a .docx as text (a line per paragraph and per table row, list numbers prepended)
    and the ledger tables in it (see formats.table)."""
    document = _open_document(data, name)
    try:
        numbering_el = document.part.numbering_part.element
    except (NotImplementedError, KeyError, AttributeError):
        numbering_el = None
    try:
        styles_el = document.styles.element
    except (NotImplementedError, KeyError, AttributeError):
        styles_el = None
    extractor = _Extractor(Numbering(numbering_el, styles_el))
    out = TextBuilder()
    for block in extractor.blocks(document.element.body):
        if isinstance(block, TableBlock):
            if not out.table(block.grid):
                for line in block.lines:
                    out.line(line.rstrip())
        else:
            out.line(block.rstrip())
    return out.result()
