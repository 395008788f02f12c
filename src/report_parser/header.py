"""The parts around the body: page chrome, title, issuer, inspection facts, closing, contact, signature."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import regex

from .cues import Endings, by_first_char, finditer_near, plain, squash
from .lexicon import alternation, load, patterns
from .markers import LINE_MARKER

Span = tuple[int, int]

# Page chrome from web pages: whole lines that belong to the site, not the notice.
_D = load("header.json")  # the cue words of this module (data/header.json)
_INDEX_LABELS = alternation(_D["index_labels"], _D["index_labels_inline"])
_CHROME_LINE = plain(
    rf"^[\x20\t]*[【\[]?(?:{patterns(_D['page_labels'])}"
    rf"|{alternation(_D['page_words'], _D['page_widgets'], _D['page_words_web'], _D['page_labels_inline'])}"
    rf"|{_INDEX_LABELS})[】\]]?"
    r"(?:[\x20\t]*[:：>|]|[\x20\t]*$|[\x20\t]+\S|[\x20\t]*[【\[])[^\n]*$",
    re.M)
_CHROME_INLINE = plain(
    rf"(?:{alternation(_D['index_labels_inline'], _D['page_labels_inline'])})[\x20\t]*:")
_FOOTER = plain(alternation(_D["footer_marks"]))
# \d taken by `plain` here and below: the stdlib `re` runs these patterns faster than `regex`
_PAGE_FOOTER = plain(rf"[\x20\t]*(?:{patterns(_D['page_footers'])})[\x20\t]*", digits=True)
_MENU_ITEM = plain(r"[^|｜\n]{1,12}")

_ONE_LINE_TITLE = plain(r"^\s*(?P<t>[^\n]{6,100}?(?:通报|公告|情况))(?=\s|根据|按照|\[)")
_NUMBERED_GROUP = plain(r"第[一二三四五六七八九十\d]", digits=True)
_LEAD_WORDS = plain(rf"^(?:[由经对向在于和及与并]|{alternation(_D['inspector_lead_words'], ordered=True)})+")
_SENTENCE_END = plain(r"[。\n!?]")
_TITLE_WORDS = plain(alternation(_D["title_end_words"], _D["title_words"]))
_BODY_START = plain(
    rf"^\s*(?:{alternation(_D['body_openers'], ordered=True)}|\d{{4}}年|20\d\d|{LINE_MARKER})", digits=True)

_ORG_TYPES: tuple[tuple[str, str], ...] = tuple((s, t) for s, t in _D["org_types"])
# grouped by first character: the name patterns try it after every character of a name, one branch each
_ORG_ALT = by_first_char([s for s, _ in _ORG_TYPES])
# An issuer in a title: the organisation before 关于; in a signature: a short line ending in an org type.
_TITLE_ISSUER = plain(rf"^\s*(?P<name>\S[^\n]{{1,60}}?(?:{_ORG_ALT})(?:\((?:党组|党委)\))?)\s*关于")
_TITLE_PREFIX = plain(r"^\s*(?P<name>\S[^\n]{1,40}?)\s*关于")
_SIGNATURE_ORG = plain(rf"^[\x20\t]*(?P<name>(?:中共|中国共产党)?[^\s,。;:]{{2,40}}?(?:{_ORG_ALT}))[\x20\t]*$", re.M)
_SIGNATURE_DATE = plain(r"^[\x20\t]*(?:\d{4}|[〇零一二三四五六七八九]{4})年[\d一二三四五六七八九十]{1,2}月[\d一二三四五六七八九十]{1,3}日[\x20\t]*$",
                        re.M, digits=True)
_TARGET_ORG = plain(rf"对(?P<name>(?:中共)?[^\s,。;:、“”]{{2,40}}?(?:{_ORG_ALT}))(?:\(以下简称[^)]*\))?(?:进行|开展|实施)")
_FED_BACK_ORG = plain(
    rf"向(?P<name>(?:中共)?[^\s,。;:、“”]{{2,40}}?(?:{_ORG_ALT}))(?:\(以下简称[^)]*\))?(?:主要负责同志|领导班子)?(?:集中|正式|书面)?(?:进行了?|作了?)?反馈")
_NOT_A_NAME = regex.compile(r"\d|[个等各]|^(?:全县|全市|全区|全校|所属|下属)")
_PARTY_NAME = plain(r"(?:中国共产党|中共)[^\s,。;:、“”《》()]{2,30}?(?:委员会|党委|党组)(?!委员)")

# What an inspector's name (before its 第…轮巡察组) never holds; digits only in its numbering.
_NOT_IN_NAME = r"\s,。;:、“”()年月日由经对向在于个"
_INSPECTOR = plain(
    r"(?<![\d一二三四五六七八九十两]个)(?P<who>(?:中央|[^" + _NOT_IN_NAME + r"\d]{0,10}?)"
    r"(?:第?[一二三四五六七八九十\d]{0,3}轮?(?:巡视|巡察)(?:工作)?第?[一二三四五六七八九十\d]{0,3}组"
    r"|(?:巡视|巡察)(?:工作)?(?:办公室|办)(?!法|理)))", digits=True)
# The 巡 of 巡视/巡察 stands at most 15 characters after an inspector's start (10 of name, 第, 3 of
# numeral, 轮), and the match reads at most 24 (…巡察工作第十二组): it is tried only near a 巡 (cues.search_near).
_INSPECTOR_REACH, _INSPECTOR_SPAN = 15, 32
# none of these stands in an inspector before its 巡 (nor in its numbering): it starts after the last one
_INSPECTOR_BARRIER = regex.compile(rf"(?r)[{_NOT_IN_NAME}]")
# what follows the 巡 of every inspector (a looser form: 巡察工作安排 is none)
_INSPECTOR_TAIL = plain(r"巡[视察](?:工作)?(?:第?[一二三四五六七八九十\d]{0,3}组|办)", digits=True)
_KIND_RE = plain(patterns(_D["inspection_kinds"]))

_CONTACT_LABEL_SRC = rf"(?:{alternation(_D['contact_labels'], _D['address_labels'], ordered=True)})[:\s]"
_CONTACT_LABEL = plain(_CONTACT_LABEL_SRC)
_CLOSING = regex.compile(rf"(?P<appeal>{patterns(_D['appeal'])})|{_CONTACT_LABEL_SRC}")
_ATTACHMENT = regex.compile(r"^[\x20\t]*附件[:\d一二三四五六七八九十]", regex.M)
_PUBLIC_NOTE = re.compile(r"^[\x20\t]*[(（]此件[^)）\n]{0,12}[)）][\x20\t]*$")
_PHONE = regex.compile(
    r"(?<![\d-])(?:(?:\(?0\d{2,3}\)?[-\x20]?)?(?:\d{7,8}|\d{3,4}\x20\d{4})(?:[-转]\d{1,5})?"
    r"|1[3-9]\d(?:\d{8}|[-\x20]\d{4}[-\x20]\d{4}))(?![\d])")
# Short service numbers (12388, 12345) count only right after a phone label.
_HOTLINE = plain(r"(?:电话|热线)[:\x20]*(?P<n>1\d{4})(?!\d)", digits=True)
_EMAIL_LOCAL = "A-Za-z0-9._%+-"  # the characters of an address's local part
_EMAIL = plain(rf"[{_EMAIL_LOCAL}]+@[A-Za-z0-9.-]+\.[A-Za-z]{{2,}}")
_EMAIL_LOCAL_BACK = regex.compile(rf"(?r)[^{_EMAIL_LOCAL}]")
_POSTCODE_LABEL = alternation(_D["postcode_labels"])
_ADDRESS = plain(
    rf"(?:{alternation(_D['address_labels'], _D['address_labels_in_block'], ordered=True)})[:\x20]*"
    rf"(?P<a>[^;,。\n]{{3,80}}?)(?=[;,。\n]|\(?(?:{_POSTCODE_LABEL})|$)")
_POSTCODE = plain(rf"(?:{_POSTCODE_LABEL})[:\x20]*(?P<p>\d{{6}})(?!\d)", digits=True)


@dataclass(slots=True)
class Header:
    """Spans are in matching-text offsets; the caller maps them back."""

    chrome: list[Span] = field(default_factory=list)
    title: Span | None = None
    issuer: Span | None = None
    issuer_forms: list[Span] = field(default_factory=list)
    issuer_names: list[str] = field(default_factory=list)  # each form's text, blanks removed
    org_type: str | None = None
    body_start: int = 0
    closing: Span | None = None
    contact_block: Span | None = None
    body_end: int = 0
    signature: Span | None = None
    attachments: Span | None = None
    phones: list[Span] = field(default_factory=list)
    emails: list[Span] = field(default_factory=list)
    address: Span | None = None
    postcode: Span | None = None


def _lines(text: str, start: int, end: int):
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        stop = end if nl < 0 else nl
        yield pos, stop
        pos = stop + 1


def _strip_span(text: str, s: int, e: int) -> Span:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


_ORG_ENDINGS = Endings(tuple(s for s, _ in _ORG_TYPES))


def org_type_of(name: str) -> str | None:
    """The kind of the first org type of the table the name ends with, before a (党组) or (党委) or not."""
    i = _ORG_ENDINGS.first(name)
    if name.endswith(("(党组)", "(党委)")):
        j = _ORG_ENDINGS.first(name[:-4])
        i = j if i is None or (j is not None and j < i) else i
    return None if i is None else _ORG_TYPES[i][1]


def _chrome(text: str, s: int, e: int, line: str, after_label: bool) -> bool:
    """A line of page chrome; `after_label`: the previous line was a bare label (成文日期：) whose
    value sits on this line, as index tables flatten to."""
    if _CHROME_LINE.match(text, s, e) or (len(line) < 120 and _CHROME_INLINE.search(text, s, e)):
        return True
    if len(line) < 150 and "。" not in line and (_FOOTER.search(line) or _PAGE_FOOTER.fullmatch(line)
                                                 or _menu(line)):
        return True
    return after_label and len(line) <= 40 and "。" not in line and not _TITLE_WORDS.search(line)


def _menu(line: str) -> bool:
    """A site's menu: three or more short items parted by | (首页 | 医院概况 | 新闻中心)."""
    if "|" not in line and "｜" not in line:
        return False
    items = [x.strip() for x in line.replace("｜", "|").split("|")]
    return len(items) >= 3 and all(_MENU_ITEM.fullmatch(x) for x in items if x) and sum(map(bool, items)) >= 3


_BARE_LABEL = plain(rf"(?:{_INDEX_LABELS})[\x20\t]*:?")


def _bare_label(line: str) -> bool:
    """A label alone on its line (成文日期：, or 成文日期 as index tables flatten to): its value follows."""
    return (line.endswith(":") and len(line) <= 12) or _BARE_LABEL.fullmatch(line) is not None


def find_head(text: str, h: Header) -> None:
    """Chrome lines and the title at the top of the text; sets `body_start` after them."""
    pos = 0
    n = len(text)
    title_lines: list[Span] = []
    after_label = worded = False
    for s, e in _lines(text, 0, n):
        line = text[s:e].strip()
        if not line:
            pos = e + 1
            continue
        if _chrome(text, s, e, line, after_label):
            after_label = _bare_label(line) and not after_label
            if title_lines and not _TITLE_WORDS.search("".join(text[a:b] for a, b in title_lines)):
                h.chrome.extend(title_lines)  # the site's name above its menu, not a title
                title_lines = []
            h.chrome.append(_strip_span(text, s, e))
            if title_lines:
                break
            pos = e + 1
            continue
        after_label = False
        if _BODY_START.match(line) or len(line) > 120 or (title_lines and line.endswith("。")):
            if not title_lines and len(line) > 120:
                # A notice delivered as one line: the title runs up to the first body opening.
                m = _ONE_LINE_TITLE.search(text[s:e])
                if m:
                    ts = s + m.start("t")
                    title_lines.append((ts, s + m.end("t")))
                    pos = s + m.end("t")
            break
        if line.endswith("。") and not title_lines:
            break
        title_lines.append(_strip_span(text, s, e))
        pos = e + 1
        worded = _TITLE_WORDS.search(line) is not None
        if worded or len(title_lines) >= 3:
            break
    # the lines joined hold a title word when the last one read does (its text is among them)
    if title_lines and (worded or _TITLE_WORDS.search("".join(text[s:e] for s, e in title_lines))):
        h.title = (title_lines[0][0], title_lines[-1][1])
        h.body_start = max(pos, h.title[1])
    else:
        h.body_start = min(pos, n) if not title_lines else title_lines[0][0]
    _chrome_after_title(text, h)


def _chrome_after_title(text: str, h: Header) -> None:
    """Chrome that repeats the title or follows it (发布时间 lines under the title), from `body_start`;
    a title after such chrome is the notice's own, the one before it the page's."""
    n = len(text)
    flat_title = squash(text[h.title[0]:h.title[1]]) if h.title else None
    after_label = False
    chrome_after = 0
    lines = _lines(text, h.body_start, n)
    for s, e in lines:
        line = text[s:e].strip()
        if not line:
            h.body_start = e + 1
            continue
        if _chrome(text, s, e, line, after_label) or (flat_title and _same_words(line, flat_title)):
            after_label = _bare_label(line) and not after_label
            h.chrome.append(_strip_span(text, s, e))
            h.body_start = e + 1
            chrome_after += 1
            continue
        if h.title and chrome_after and _title_like(line):
            # the page's own heading came first (a short title above 发布时间…); the notice's title follows
            h.chrome.append(h.title)
            end = e
            nxt = next(lines, None)
            if nxt and not line.endswith(_TITLE_ENDS) and _title_like(text[nxt[0]:nxt[1]].strip(), wrap=True):
                end = nxt[1]  # wrapped over two lines
            h.title = _strip_span(text, s, end)
            h.body_start = end + 1
            chrome_after = 0
            flat_title = squash(text[h.title[0]:h.title[1]])
            continue
        break
    h.body_start = min(h.body_start, n)


_TITLE_ENDS = (*_D["title_end_words"], *_D["title_endings"])


def _same_words(line: str, flat: str) -> bool:
    """Whether a stripped line, blanks removed, is `flat` (a title without blanks): its first and last
    characters, which no removal touches, are looked at first (a line of the body differs there)."""
    return line[0] == flat[0] and line[-1] == flat[-1] and len(line) >= len(flat) and squash(line) == flat


def _title_like(line: str, wrap: bool = False) -> bool:
    """A line that reads as a notice title (no sentence end, title words, not the body's opening)."""
    if not line or len(line) > 100 or "。" in line or _BODY_START.match(line):
        return False
    return line.endswith(_TITLE_ENDS) if wrap else bool(_TITLE_WORDS.search(line)) and len(line) >= 8


def find_issuer(text: str, h: Header, preamble: Span) -> None:
    """Every form of the inspected unit's name the header states, primary first: the title's issuer,
    then the unit the preamble names (对X开展…, 向X反馈…), then the signature; `h.issuer` is the first."""
    forms: list[Span] = []
    if h.title:
        s, e = h.title
        flat = text[s:e]
        m = _TITLE_ISSUER.match(flat)
        if m:
            # a title broken by a line break keeps its first line as the issuer
            forms.append(_strip_span(text, s + m.start("name"), s + m.end("name")))
        else:
            m = _TITLE_PREFIX.match(flat)
            if m and not m.group("name").startswith("关于"):
                # an issuer of a kind not in the table (部务会, 领导班子): the whole prefix, type unknown
                forms.append(_strip_span(text, s + m.start("name"), s + m.end("name")))
    for pat in (_TARGET_ORG, _FED_BACK_ORG):
        forms.extend(m.span("name") for m in pat.finditer(text, *preamble))
    if h.signature:
        forms.extend(m.span("name") for m in _SIGNATURE_ORG.finditer(text, *h.signature))
    seen: set[str] = set()
    for sp in forms:
        flat = squash(text[sp[0]:sp[1]])
        if flat in seen:
            continue  # the title's name signed again: read once
        if _NOT_A_NAME.search(flat):
            continue  # 对全县32个村党组织…, 对各党支部…: a count or a set of units, not one unit's name
        seen.add(flat)
        h.issuer_forms.append(sp)
        h.issuer_names.append(flat)
    if h.issuer_forms:
        h.issuer = h.issuer_forms[0]
        h.org_type = org_type_of(h.issuer_names[0])


def party_names(text: str) -> list[Span]:
    """Full party names anywhere in the text (中国共产党南开大学委员会, 中共某县委员会)."""
    return [m.span() for m in _PARTY_NAME.finditer(text)]


def _strip_trailing_signature(text: str, start: int, end: int) -> tuple[int, int | None]:
    """Trailing short lines naming an organisation, a date, or a publication note (此件公开发布)."""
    sig_start = None
    for _ in range(6):
        e = _trim(text, 0, end)
        s = text.rfind("\n", 0, e) + 1
        if e <= start or s < start:
            break
        line = text[s:e]  # no trailing space: a date ends in 日, a note in its bracket, an organisation in its type
        if ((line.endswith("日") and _SIGNATURE_DATE.match(line))
                or (line.endswith((")", "）")) and _PUBLIC_NOTE.match(line))
                or (len(line.strip()) <= 40 and _ORG_ENDINGS.first(line) is not None and _SIGNATURE_ORG.match(line))):
            sig_start = s
            end = s
        else:
            break
    return end, sig_start


def _trailing_attachments(text: str, start: int, end: int) -> int | None:
    """Where an 附件： list that ends the text starts (a few short lines), or None."""
    e = _trim(text, start, end)
    if text.find("附件", max(start, e - 2000), e) < 0:
        return None  # every attachment line holds the word
    last = None
    for m in _ATTACHMENT.finditer(text, max(start, e - 2000), e):
        last = m
    if last is None:
        return None
    lines = [ln for ln in text[last.start():e].split("\n") if ln.strip()]
    if len(lines) > 12 or any(len(ln.strip()) > 80 for ln in lines):
        return None
    return last.start()


def _tail_chrome(text: str, h: Header, start: int, end: int) -> int:
    """Page chrome after the notice (责任编辑, 打印本页, 上一篇, 版权所有): recorded; returns where it begins."""
    found: list[Span] = []
    for _ in range(12):
        e = _trim(text, start, end)
        s = text.rfind("\n", start, e) + 1
        if e <= start or s < start:
            break
        line = text[s:e].strip()
        if not _chrome(text, s, e, line, False):
            break
        found.append(_strip_span(text, s, e))
        end = s
    h.chrome.extend(reversed(found))
    return _trim(text, start, end)


def find_tail(text: str, h: Header, start: int) -> None:
    """The closing appeal, the contact block, the signature and an attachment list at the end."""
    n = _tail_chrome(text, h, start, len(text))
    end, sig_start = _strip_trailing_signature(text, start, n)
    att = _trailing_attachments(text, start, end)
    if att is not None:
        h.attachments = _strip_span(text, att, end)
        end, sig2 = _strip_trailing_signature(text, start, att)
        sig_start = sig2 if sig2 is not None else sig_start
    if sig_start is not None:
        sig_end = h.attachments[0] if h.attachments and h.attachments[0] > sig_start else n
        h.signature = _strip_span(text, sig_start, sig_end)
    h.body_end = _trim(text, start, end)
    # Closing: the appeal, or failing that the first contact label, searched near the end.
    window_start = max(start, h.body_end - 1500)
    found = _CLOSING.search(text, window_start, h.body_end)
    if found is None:
        return
    j = _after_last(_SENTENCE_BREAK_BACK, text, start, found.start())  # back up to the start of its sentence
    h.contact_block = _strip_span(text, j, h.body_end)
    h.body_end = _trim(text, start, j)
    cs_, ce = h.contact_block
    if found.group("appeal"):
        label = _CONTACT_LABEL.search(text, found.end(), ce)
        stop = _after_last(_CLAUSE_BREAK_BACK, text, cs_, label.start()) if label else ce
        h.closing = _strip_span(text, cs_, stop)
    h.phones = [m.span() for m in _PHONE.finditer(text, cs_, ce) if not _inside_email(text, m)]
    if text.find("电话", cs_, ce) >= 0 or text.find("热线", cs_, ce) >= 0:  # a hotline follows its label
        h.phones += [m.span("n") for m in _HOTLINE.finditer(text, cs_, ce)]
    h.phones.sort()
    h.emails = _emails(text, cs_, ce)
    am = _ADDRESS.search(text, cs_, ce)
    if am:
        h.address = _strip_span(text, am.start("a"), am.end("a"))
    pm = _POSTCODE.search(text, cs_, ce)
    if pm:
        h.postcode = pm.span("p")
    h.phones = [p for p in h.phones if not (h.postcode and p == h.postcode)
                and not (h.address and h.address[0] <= p[0] < h.address[1])]


_SENTENCE_BREAK_BACK = regex.compile(r"(?r)[。\n!?]")  # searched backwards: the nearest first
_CLAUSE_BREAK_BACK = regex.compile(r"(?r)[。\n!?;,]")


def _after_last(back: regex.Pattern, text: str, start: int, end: int) -> int:
    """Just after the last character `back` (a reverse pattern) finds in text[start:end]; `start` when none."""
    m = back.search(text, start, end)
    return m.end() if m else start


def _emails(text: str, start: int, end: int) -> list[Span]:
    """The spans `_EMAIL.finditer` gives, tried only from the start of the local part before each @
    (tried at every position, the open local part backtracks over every run of digits and letters)."""
    out: list[Span] = []
    pos = start
    while (at := text.find("@", pos, end)) >= 0:
        # where the run of local-part characters before the @ starts (no earlier start reaches this @)
        b = _EMAIL_LOCAL_BACK.search(text, pos, at)
        m = _EMAIL.match(text, b.end() if b else pos, end)
        if m is not None:
            out.append(m.span())
            pos = m.end()
        else:
            pos = at + 1
    return out


def _inside_email(text: str, m: regex.Match) -> bool:
    s, e = m.span()
    return (s > 0 and text[s - 1] in "@.") or (e < len(text) and text[e] in "@")


def _trim(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


@dataclass(slots=True)
class InspectionFacts:
    scheme: str | None = None
    kind: str | None = None
    inspector: str | None = None
    inspector_span: Span | None = None
    sentence: Span | None = None


def find_inspection(text: str, start: int, end: int) -> InspectionFacts:
    """Who inspected, how, and the sentence saying so, from the header paragraph."""
    f = InspectionFacts()
    first = None
    for m in finditer_near(_INSPECTOR, text, "巡", _INSPECTOR_REACH, _INSPECTOR_SPAN, start, end,
                           _INSPECTOR_BARRIER, _INSPECTOR_TAIL):
        if first is None:
            first = m
        if _NUMBERED_GROUP.search(m.group("who")) or m.group("who").startswith("中央"):
            first = m
            break
    if first is None:
        return f
    who = first.group("who")
    # drop a leading connective or a date tail caught by the lazy prefix
    lead = _LEAD_WORDS.match(who)
    ws = first.start("who") + (lead.end() if lead else 0)
    f.inspector_span = (ws, first.end("who"))
    f.inspector = text[ws:first.end("who")]
    f.scheme = "巡视" if "巡视" in f.inspector else "巡察"
    ss = _after_last(_SENTENCE_BREAK_BACK, text, start, first.start())  # where its sentence starts
    se_m = _SENTENCE_END.search(text, first.end(), end)
    se = se_m.end() if se_m else end
    f.sentence = (ss, se)
    km = _KIND_RE.search(text, ss, se)
    if km is None:
        km = _KIND_RE.search(text, start, end)
    if km:
        f.kind = km.group()
    return f
