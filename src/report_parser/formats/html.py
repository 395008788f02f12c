"""HTML and MHTML pages to text: declared charset, trafilatura main text, page chrome removed, title kept."""

from __future__ import annotations

import codecs
import re
from typing import Any

from report_parser.charset import decode_raw
from report_parser.errors import Code, InputError
from report_parser.formats.table import Grid, LedgerTable, TextBuilder, clean
from report_parser.lexicon import alternation, load

_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_\-.]+)""", re.I)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)

# Labels that open a chrome block (information index, page meta, widgets, breadcrumbs, site footer).
_LABELS = load("header.json")
_CHROME_LABEL = re.compile(
    r"^[\s【\[|]*(?:"
    + "|".join(r"\s*".join(map(re.escape, w)) for w in sorted(
        [w for k in ("index_labels", "index_labels_inline", "page_labels_inline", "page_words_web", "web_labels")
         for w in _LABELS[k]], key=len, reverse=True))
    + r")\s*(?:[:：]|$)"
)
_CHROME_LINE = re.compile(
    r"^(?:"
    r"【?\s*字体\s*[:：]?\s*[【\[]?\s*大\s*[】\]]?\s*[【\[]?\s*中\s*[】\]]?\s*[【\[]?\s*小\s*[】\]]?\s*】?"
    rf"|【?\s*(?:{alternation(_LABELS['page_widgets'], _LABELS['web_widgets'])})\s*】?"
    r"|首页\s*(?:>|＞|»|›|→|/|\|).*"
    r"|.*(?:ICP备|公网安备|网站标识码).*"
    r")$"
)
_CHROME_WIDGET = re.compile(
    rf"{alternation(_LABELS['web_widget_marks'], _LABELS['page_labels_inline'])}|【字体|字体\s*[:：]\s*大"
)
_CHROME_CLASS = re.compile(
    r"(?:^|[\s_-])(?:bread|breadcrumbs?|crumbs?|position|location|curpos|share|bdshare|fenxiang|print|dayin"
    r"|xxgk|info-?index|syh|footer|foot|nav|navbar|menu|search|related|relate|tools|toolbar|pager)(?:$|[\s_-])",
    re.I,
)
_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "form", "button", "input", "select",
              "textarea", "nav", "footer", "aside", "svg", "object", "embed")  # fmt: skip
# words the page title of a notice has (its <title> also names the site)
_TITLE_HINT = re.compile(alternation(
    _LABELS["title_end_words"], _LABELS["title_endings"], _LABELS["title_words"], _LABELS["page_title_hints"]))
_TITLE_SPLIT = re.compile(r"\s*(?:_|\||｜|—{1,2}|--|\s-\s|–)\s*")
_BLOCK_TAGS = frozenset(
    {"p", "div", "td", "th", "li", "dd", "dt", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "section",
     "article", "blockquote", "pre", "center", "ul", "ol", "dl", "form"}
)  # fmt: skip
_MAX_CHROME_CHARS = 400


def normalize_charset(label: str | None) -> str | None:
    """A Python codec for a declared charset; GB2312/GBK are decoded as their superset GB18030."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in ("gb2312", "gbk", "x-gbk", "cp936", "gb_2312-80", "gb_2312", "csgb2312", "euc-cn", "chinese",
                 "iso-ir-58", "windows-936", "gb18030", "x-euc-cn"):  # fmt: skip
        return "gb18030"
    if label in ("big5", "big5-hkscs", "x-x-big5", "cn-big5", "csbig5", "cp950"):
        return "big5hkscs"
    if label in ("unicode", "utf-16"):
        return "utf-16"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares in an XML declaration or a meta tag (first 8 KB)."""
    head = data[:8192]
    m = _XML_ENCODING.search(head) or _META_CHARSET.search(head)
    return m.group(1).decode("ascii", "ignore") if m else None


def decode_html(data: bytes, name: str | None = None, hint: str | None = None) -> tuple[str, str]:
    """Decode page bytes: BOM, then the declared (or hinted) charset, then plain-text detection."""
    if data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in data[:4096]:
        return decode_raw(data, name)
    if any(b > 0x7F for b in data[:65536]):
        # valid UTF-8 with Chinese in it is UTF-8, whatever the page claims (mislabelled pages are common;
        # GBK text that happens to be valid UTF-8 is not)
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
    codec = normalize_charset(hint) or normalize_charset(declared_charset(data))
    single_byte = codec in ("ascii", "latin-1", "iso8859-1", "cp1252")
    if codec and not (single_byte and any(b > 0x7F for b in data)):
        try:
            return data.decode(codec), codec
        except (UnicodeDecodeError, LookupError):
            pass
    text, encoding = decode_raw(data, name)
    if encoding.endswith("+replace") and codec and not single_byte:
        # a few bad bytes in a page that declares its charset: trust the declaration
        return data.decode(codec, errors="replace"), codec + "+replace"
    return text, encoding


def _text_len(el: Any) -> int:
    return len("".join(el.itertext()).strip())


def _has_title(el: Any) -> bool:
    if el.tag in ("h1", "h2", "h3"):
        return True
    return bool(el.xpath(".//h1|.//h2|.//h3"))


def _classes(el: Any) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''}".strip()


def find_title(tree: Any) -> str | None:
    """The notice's title: an h1, a title-classed element or the <title> (site name cut off)."""
    candidates: list[tuple[int, int, str]] = []

    def add(text: str | None, rank: int) -> None:
        if not text:
            return
        text = re.sub(r"\s+", " ", text.replace("\xa0", " ")).strip()
        if 6 <= len(text) <= 150:
            bonus = 0 if _TITLE_HINT.search(text) else 10
            candidates.append((bonus + rank, len(candidates), text))

    for h1 in tree.iter("h1"):
        add(h1.text_content(), 0)
    for el in tree.iter():
        if not isinstance(el.tag, str) or el.tag in ("title", "html", "body", "head", "meta"):
            continue
        cls = _classes(el).lower()
        if "title" in cls and "subtitle" not in cls and not _CHROME_CLASS.search(cls):
            add(el.text_content(), 1)
    for h2 in tree.iter("h2"):
        add(h2.text_content(), 3)
    title_el = tree.find(".//title")
    if title_el is not None and title_el.text:
        parts = [p for p in _TITLE_SPLIT.split(title_el.text.strip()) if p]
        for part in parts:
            add(part, 2)
    if not candidates:
        return None
    candidates.sort()
    score, _order, text = candidates[0]
    return text if score < 10 else None


def _prose(el: Any) -> bool:
    """Holds running text (a sentence end): never page chrome."""
    return "。" in "".join(el.itertext())


def _longer_than(el: Any, limit: int) -> bool:
    """`_text_len(el) > limit`, reading no more of the text than it takes to know: the check runs once
    per chrome label, and measuring a large parent in full each time was quadratic."""
    seen = 0  # characters read from the first non-blank one on
    for piece in el.itertext():
        if not seen:
            piece = piece.lstrip()
        if not piece:
            continue
        before, seen = seen, seen + len(piece)
        if seen > limit and piece[max(0, limit - before):].strip():
            return True
    return False


def _chrome_block(node: Any) -> Any:
    """The largest ancestor of a chrome label that is still small and holds no heading."""
    block = node
    while True:
        parent = block.getparent()
        if parent is None or parent.tag in ("body", "html"):
            return block
        if _longer_than(parent, _MAX_CHROME_CHARS) or _has_title(parent) or _prose(parent):
            return block
        block = parent


def strip_chrome(tree: Any) -> int:
    """Remove scripts, navigation, breadcrumbs, information-index tables and widgets in place."""
    removed = 0
    body_len = max(_text_len(tree), 1)
    for el in list(tree.iter(*_DROP_TAGS)):
        if el.getparent() is not None and not _has_title(el) and _text_len(el) < 0.5 * body_len:
            el.drop_tree()
            removed += 1
    for el in list(tree.iter()):
        if not isinstance(el.tag, str) or el.getparent() is None or el.tag in ("html", "body"):
            continue
        cls = _classes(el)
        if cls and _CHROME_CLASS.search(cls) and not _has_title(el) and _text_len(el) < 0.3 * body_len:
            el.drop_tree()
            removed += 1
    # blocks that start with a chrome label (信息索引号：…, 发布时间：…, 分享到：…)
    for el in list(tree.iter()):
        if not isinstance(el.tag, str) or el.getparent() is None or el.tag in ("html", "body"):
            continue
        own = (el.text or "").replace("\xa0", " ").strip()
        if not own:
            continue
        if _CHROME_LABEL.match(own) or _CHROME_LINE.match(own):
            block = _chrome_block(el)
            if _text_len(block) <= _MAX_CHROME_CHARS and block.getparent() is not None and not _prose(block):
                block.drop_tree()
                removed += 1
    return removed


def _own_cells(table: Any) -> list[list[Any]]:
    rows = []
    for row in table.iter("tr"):
        if _nearest_table(row) is table:
            rows.append([c for c in row if isinstance(c.tag, str) and c.tag in ("td", "th")])
    return rows


def _nearest_table(el: Any) -> Any:
    parent = el.getparent()
    while parent is not None and parent.tag != "table":
        parent = parent.getparent()
    return parent


def unwrap_layout_tables(tree: Any) -> int:
    """Turn tables used for page layout into divs, so that their text keeps its line structure.

    A layout table holds another table, has a single column, or has a cell of running text;
    data tables (several short columns) stay tables and come out a row per line.
    """
    changed = 0
    for table in list(tree.iter("table")):
        rows = _own_cells(table)
        nested = any(True for _ in table.iterdescendants("table"))
        single_column = all(len(cells) <= 1 for cells in rows)
        long_cell = any(_text_len(c) > 500 for cells in rows for c in cells)
        if not (nested or single_column or long_cell):
            continue
        own = [
            el
            for el in table.iterdescendants("tbody", "thead", "tfoot", "tr", "td", "th", "caption")
            if _nearest_table(el) is table
        ]
        for el in [table, *own]:
            el.tag = "div"
            for attr in ("colspan", "rowspan"):
                el.attrib.pop(attr, None)
        changed += 1
    return changed


def _clean_lines(text: str) -> list[str]:
    lines: list[str] = []
    for raw in text.replace("\xa0", " ").split("\n"):
        line = raw.strip()
        if line.startswith("|") and line.endswith("|"):
            if re.fullmatch(r"[|\-:\s]+", line):
                continue
            cells = [c.strip() for c in line.strip("|").split("|")]
            line = "\t".join(cells).strip()
        if not line:
            if lines and lines[-1]:
                lines.append("")
            continue
        if len(line) <= 150 and (_CHROME_LABEL.match(line) or _CHROME_LINE.match(line)):
            continue
        if len(line) <= 150 and len(_CHROME_WIDGET.findall(line)) >= 2:
            continue
        lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _leaf_block(el: Any) -> bool:
    """A block element without block descendants: one paragraph of text."""
    return el.tag in _BLOCK_TAGS and not any(
        isinstance(d.tag, str) and d.tag in _BLOCK_TAGS for d in el.iterdescendants()
    )


def _fallback_text(tree: Any) -> str:
    """lxml: the element whose own paragraphs (direct text, leaf blocks, inline children) hold the most text."""
    best, best_len = None, 0
    for el in tree.iter(*_BLOCK_TAGS, "body"):
        total = len((el.text or "").strip())
        for child in el:
            if not isinstance(child.tag, str):
                continue
            if child.tag not in _BLOCK_TAGS or _leaf_block(child):
                total += _text_len(child)
            total += len((child.tail or "").strip())
        if total > best_len:
            best, best_len = el, total
    if best is None:
        body = tree.find(".//body")
        best = body if body is not None else tree
    return _block_lines(best)


def _block_lines(el: Any) -> str:
    parts: list[str] = []

    def walk(node: Any) -> None:
        if not isinstance(node.tag, str):
            if node.tail:
                parts.append(node.tail)
            return
        if node.tag in _BLOCK_TAGS or node.tag == "br":
            parts.append("\n")
        if node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
        if node.tag in _BLOCK_TAGS:
            parts.append("\n")
        if node.tail:
            parts.append(node.tail)

    if el.text:
        parts.append(el.text)
    for child in el:
        walk(child)
    return "".join(parts)


def _join_heading_lines(tree: Any) -> None:
    """A <br> inside a heading is layout: the heading is one line (extractors drop text before it)."""
    for heading in tree.iter("h1", "h2", "h3"):
        for br in list(heading.iter("br")):
            br.tail = " " + (br.tail or "")
            br.drop_tag()


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


_PLACEHOLDER = "LEDGERTABLE{}"
_PLACEHOLDER_RE = re.compile(r"LEDGERTABLE(\d+)")


def _grid(table: Any) -> Grid:
    """A table's own rows as a grid, rowspan and colspan honoured."""
    rows = []
    for cells in _own_cells(table):
        rows.append([(clean(_block_lines(c)), _span_attr(c, "colspan"), _span_attr(c, "rowspan")) for c in cells])
    return Grid.from_rows(rows)


def _span_attr(cell: Any, attr: str) -> int:
    try:
        return int((cell.get(attr) or "1").strip())
    except ValueError:
        return 1


def take_ledgers(tree: Any) -> list[Grid]:
    """Replace each ledger table (one without tables inside) by a placeholder paragraph; their grids."""
    from report_parser.formats.table import is_ledger

    grids: list[Grid] = []
    for table in list(tree.iter("table")):
        if any(True for _ in table.iterdescendants("table")) or table.getparent() is None:
            continue
        grid = _grid(table)
        if not is_ledger(grid):
            continue
        holder = table.makeelement("p", {})
        holder.text = _PLACEHOLDER.format(len(grids))
        holder.tail = table.tail
        table.getparent().replace(table, holder)
        grids.append(grid)
    return grids


# Inline formatting tags: removed (never their text) when a page nests them past the parser's depth limit.
_INLINE_TAG = re.compile(r"</?(?:font|span|b|i|u|s|strong|em|small|big|sub|sup|a)\b[^>]*>", re.I)


def _too_deep(parser: Any) -> bool:
    return any("Excessive depth" in str(e.message) for e in parser.error_log)


def _parse_page(page: str, name: str | None, repairs: list[Code]) -> Any:
    """The lxml tree of a page, within the element budget and with no text lost to the depth limit.

    libxml2 stops at 256 levels and drops the rest of the page (a <font> opened and never closed in
    every paragraph gets there); such a page is parsed again with huge_tree (2048 levels), and if that
    is not enough its inline formatting tags are removed (W504).
    """
    import lxml.html

    from report_parser import budget

    if page.count("<") > 2 * budget.HTML_MAX_ELEMENTS:
        raise InputError(name, f"HTML page with more than {budget.HTML_MAX_ELEMENTS:,} elements "
                               "(the element budget); refused")
    parser = lxml.html.HTMLParser()
    tree = lxml.html.document_fromstring(page, parser=parser)
    if _too_deep(parser):
        parser = lxml.html.HTMLParser(huge_tree=True)
        tree = lxml.html.document_fromstring(page, parser=parser)
        if _too_deep(parser):
            tree = lxml.html.document_fromstring(_INLINE_TAG.sub("", page))
            repairs.append(Code.W504)
    elements = sum(1 for _ in tree.iter())
    if elements > budget.HTML_MAX_ELEMENTS:
        raise InputError(name, f"HTML page with {elements:,} elements (more than the element budget of "
                               f"{budget.HTML_MAX_ELEMENTS:,}); refused")
    return tree


def extract_from_text(page: str, name: str | None = None, repairs: list[str] | None = None) -> str:
    """Main text of a decoded HTML page, a paragraph per line, title line first."""
    return extract_with_tables(page, name, repairs)[0]


def _main_text(tree: Any) -> str | None:
    """The main text trafilatura finds in the page (None when it fails: it is best effort)."""
    text = None
    try:
        import trafilatura

        text = trafilatura.extract(
            tree,
            favor_recall=True,
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=False,
            include_formatting=False,
            output_format="txt",
            deduplicate=False,
            with_metadata=False,
        )
    except Exception:  # trafilatura is best effort; lxml below always works
        text = None
    return text


def _place_title(lines: list[str], title: str) -> None:
    """The page title first (unless the text already has it near the top), and not again at the end."""
    squashed_title = _squash(title)
    if squashed_title not in _squash("".join(lines[:10])):
        lines.insert(0, title)
        # pieces of the title that the extractor kept on their own lines
        while len(lines) > 1 and lines[1] and _squash(lines[1]) in squashed_title:
            del lines[1]
    # the title repeated at the very end (from <title> or a related-links box) is chrome
    while (
        len(lines) > 1
        and _squash(lines[-1]) == squashed_title
        and squashed_title in _squash("".join(lines[:-1]))
    ):
        lines.pop()


def extract_with_tables(page: str, name: str | None = None,
                        repairs: list[str] | None = None) -> tuple[str, tuple[LedgerTable, ...]]:
    """Main text of a decoded HTML page (a paragraph per line, title line first) and its ledger tables;
    `repairs` gets the warning codes of what had to be repaired."""
    page = _XML_DECL.sub("", page, count=1)
    try:
        tree = _parse_page(page, name, repairs if repairs is not None else [])
    except InputError:
        raise
    except Exception as exc:  # lxml.etree.ParserError on empty documents, ValueError on odd input
        raise InputError(name, f"unreadable HTML ({type(exc).__name__}: {exc})") from None
    title = find_title(tree)
    strip_chrome(tree)
    grids = take_ledgers(tree)
    unwrap_layout_tables(tree)
    _join_heading_lines(tree)

    text = _main_text(tree)
    if not text or not text.strip() or len(set(_PLACEHOLDER_RE.findall(text))) < len(grids):
        text = _fallback_text(tree)
    lines = _clean_lines(text)

    if title:
        _place_title(lines, title)
    if not grids:
        return ("\n".join(lines) + "\n" if lines else ""), ()
    out = TextBuilder()
    placed: set[int] = set()
    for line in lines:
        pos = 0
        for m in _PLACEHOLDER_RE.finditer(line):
            i = int(m.group(1))
            if i >= len(grids) or i in placed:
                continue
            if line[pos:m.start()].strip():
                out.line(line[pos:m.start()].strip())
            placed.add(i)
            if not out.table(grids[i]):
                out.rows(grids[i])
            pos = m.end()
        if pos == 0 or line[pos:].strip():
            out.line(line[pos:].strip() if pos else line)
    for i, grid in enumerate(grids):
        if i not in placed and not out.table(grid):  # the extractor lost it: it still belongs to the page
            out.rows(grid)
    text, tables = out.result()
    return (text if text.strip() else ""), tables


def extract_html(data: bytes, name: str | None = None, charset: str | None = None,
                 repairs: list[str] | None = None) -> tuple[str, str]:
    """(text, encoding) of an HTML page given as bytes."""
    text, encoding, _tables = extract_html_tables(data, name, charset, repairs)
    return text, encoding


def extract_html_tables(data: bytes, name: str | None = None, charset: str | None = None,
                        repairs: list[str] | None = None) -> tuple[str, str, tuple[LedgerTable, ...]]:
    """(text, encoding, ledger tables) of an HTML page given as bytes."""
    page, encoding = decode_html(data, name, charset)
    text, tables = extract_with_tables(page, name, repairs)
    return text, encoding, tables


def extract_mhtml(data: bytes, name: str | None = None, repairs: list[str] | None = None) -> tuple[str, str]:
    """(text, encoding) of the first text/html part of an MHTML (web archive) file."""
    text, encoding, _tables = extract_mhtml_tables(data, name, repairs)
    return text, encoding


def extract_mhtml_tables(data: bytes, name: str | None = None,
                         repairs: list[str] | None = None) -> tuple[str, str, tuple[LedgerTable, ...]]:
    """(text, encoding, ledger tables) of the first text/html part of an MHTML file."""
    import email
    import email.policy

    try:
        message = email.message_from_bytes(data, policy=email.policy.compat32)
    except Exception as exc:
        raise InputError(name, f"unreadable MHTML ({type(exc).__name__}: {exc})") from None
    for part in message.walk():
        if part.get_content_type() != "text/html":
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes) or not payload.strip():
            continue
        return extract_html_tables(payload, name, part.get_content_charset(), repairs)
    raise InputError(name, "MHTML archive without an HTML part")
