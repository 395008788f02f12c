"""Format sniffing and extraction (docx, html, mhtml, pdf) against fixtures built from the sample notice."""

from __future__ import annotations

import importlib.util
import io
import re
import sys
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from pathlib import Path
from typing import Any

import pytest

from report_parser.decode import load_bytes, load_path
from report_parser.errors import InputError
from report_parser.formats import sniff

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "formats"
SAMPLE_PATH = ROOT / "corpora" / "seed" / "kuandian-investment-center-2025.txt"
SAMPLE = SAMPLE_PATH.read_text(encoding="utf-8")
# The only documented difference: the plain sample keeps a `[bookmark: _GoBack]` leftover of a
# Word conversion; a real .docx has a bookmark there, and no other format has it at all.
CLEAN_SAMPLE = SAMPLE.replace("[bookmark: _GoBack]", "")


def _load_make_fixtures() -> Any:
    spec = importlib.util.spec_from_file_location("make_fixtures", FIXTURES / "make_fixtures.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_fixtures"] = module
    spec.loader.exec_module(module)
    return module


mf = _load_make_fixtures()


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def lines_of(text: str) -> list[str]:
    return [squash(line) for line in text.split("\n") if line.strip()]


# ======================================================================= sniffing


@pytest.mark.parametrize(
    ("fixture", "kind"),
    [
        ("notice-numbered.docx", "docx"),
        ("notice-gbk.html", "html"),
        ("notice-2pages.pdf", "pdf"),
        ("notice-utf16-bom.txt", "txt"),
        ("notice-gb18030.txt", "txt"),
        ("corrupt.docx", "zip-corrupt"),
        ("legacy.doc", "doc"),
        ("encrypted.docx", "ole-encrypted"),
        ("scanned.pdf", "pdf"),
        ("binary.txt", "txt"),
    ],
)
def test_sniff_fixtures(fixture: str, kind: str) -> None:
    assert sniff((FIXTURES / fixture).read_bytes(), fixture) == kind


def test_content_beats_extension() -> None:
    pdf = (FIXTURES / "notice-2pages.pdf").read_bytes()
    loaded = load_bytes(pdf, "notice.txt")
    assert loaded.format == "pdf" and loaded.extracted
    html = (FIXTURES / "notice-gbk.html").read_bytes()
    assert load_bytes(html, "notice.txt").format == "html"
    plain = load_bytes(SAMPLE.encode("utf-8"), "notice.html")
    assert (plain.format, plain.text, plain.extracted) == ("txt", SAMPLE, False)
    docx = (FIXTURES / "notice-numbered.docx").read_bytes()
    assert load_bytes(docx, "notice.pdf").format == "docx"


def test_html_fragment_needs_html_extension() -> None:
    fragment = "<div><p>" + "</p><p>".join(CLEAN_SAMPLE.split("\n")) + "</p></div>"
    assert sniff(fragment.encode(), "a.html") == "html"
    assert sniff(fragment.encode(), "a.txt") == "txt"


@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        (
            bytes.fromhex("D0CF11E0A1B11AE1") + "Workbook".encode("utf-16-le") + b"\0" * 100,
            "a.xls",
            "legacy Excel/PowerPoint binary format; save as .xlsx, .docx or .txt first",
        ),
        (
            b"\x01\x02\x03\x00" * 100,
            "a.docx",
            "not a valid .docx file (no zip signature; damaged, or the extension is wrong)",
        ),
        (
            b"\x01\x02\x03\x00" * 100,
            "a.pdf",
            "not a valid PDF file (no %PDF header; damaged, or the extension is wrong)",
        ),
    ],
)
def test_refusals(data: bytes, name: str, reason: str) -> None:
    with pytest.raises(InputError) as err:
        load_bytes(data, name)
    assert str(err.value) == f"{name}: {reason}"


def _zip(members: dict[str, bytes]) -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for member, data in members.items():
            zf.writestr(member, data)
    return out.getvalue()


def test_broken_xlsx_and_other_zip_are_refused() -> None:
    with pytest.raises(InputError, match=r"^a\.xlsx: corrupt or truncated \.xlsx \(.*no valid workbook"):
        load_bytes(_zip({"xl/workbook.xml": b"<workbook/>", "[Content_Types].xml": b"<Types/>"}), "a.xlsx")
    with pytest.raises(InputError, match=r"^a\.zip: zip archive without a Word document"):
        load_bytes(_zip({"notice.txt": SAMPLE.encode()}), "a.zip")


# ======================================================================= error fixtures


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        ("corrupt.docx", "corrupt.docx: corrupt or truncated .docx file (not a readable zip archive)"),
        (
            "encrypted.docx",
            "encrypted.docx: encrypted or password-protected Office document; remove the password and save as .docx first",
        ),
        (
            "encrypted.pdf",
            "encrypted.pdf: encrypted PDF (a password is required to open it); remove the protection first",
        ),
        ("binary.txt", "binary.txt: binary content (not text, not a supported document format)"),
    ],
)
def test_error_fixtures(fixture: str, message: str) -> None:
    data = (FIXTURES / fixture).read_bytes()
    with pytest.raises(InputError) as err:
        load_bytes(data, fixture)
    assert str(err.value) == message
    with pytest.raises(InputError) as err:
        load_path(FIXTURES / fixture)
    assert str(err.value).endswith(message.split(": ", 1)[1])


def test_fake_doc_is_a_valid_compound_file() -> None:
    data = (FIXTURES / "legacy.doc").read_bytes()
    assert data[:8] == bytes.fromhex("D0CF11E0A1B11AE1")
    assert "WordDocument".encode("utf-16-le") in data
    assert "EncryptionInfo".encode("utf-16-le") in (FIXTURES / "encrypted.docx").read_bytes()


def test_truncated_pdf() -> None:
    data = (FIXTURES / "notice-2pages.pdf").read_bytes()
    with pytest.raises(InputError, match=r"^x\.pdf: "):
        load_bytes(data[:200], "x.pdf")


# ======================================================================= docx


@pytest.fixture(scope="module")
def docx_loaded() -> Any:
    return load_path(FIXTURES / "notice-numbered.docx")


def test_docx_text_equals_sample(docx_loaded: Any) -> None:
    assert (docx_loaded.format, docx_loaded.encoding, docx_loaded.extracted) == ("docx", "utf-8", True)
    assert squash(docx_loaded.text) == squash(CLEAN_SAMPLE)
    assert lines_of(docx_loaded.text) == lines_of(CLEAN_SAMPLE)


def test_docx_numbering_at_the_right_paragraphs(docx_loaded: Any) -> None:
    lines = docx_loaded.text.split("\n")
    sample_lines = CLEAN_SAMPLE.split("\n")
    categories = [line for line in lines if re.match(r"\d+\.", line)]
    problems = [line for line in lines if line.startswith("（")]
    assert [c.split(".")[0] for c in categories] == ["1", "2", "3", "4"]
    assert [re.match(r"（(\d+)）", p).group(1) for p in problems] == [str(i) for i in range(1, 12)]
    assert "1.落实招商引资工作用力不足。" in lines
    assert "（11）工会工作规范化建设有不足。加强工会规范化建设。" in "\n".join(lines)
    for line in categories + problems:
        assert line in sample_lines


def test_docx_no_bookmark_field_code_or_deleted_text(docx_loaded: Any) -> None:
    text = docx_loaded.text
    assert "bookmark" not in text and "_GoBack" not in text
    assert "XE" not in text and "QUOTE" not in text and '巡察整改"' not in text
    assert "此处删除的文字" not in text
    assert "2024年9月30日至12月30日，" in text  # inserted revision kept
    assert text.count("县委第三巡察组") == 1  # field result kept once


def _numbered_doc(levels: list[dict], paragraphs: list[tuple[str, int | None, int | None]], **kw: Any) -> str:
    """Build a docx with one abstractNum (id 50, num 50) and return its extracted text lines."""
    import docx

    doc = docx.Document()
    mf.add_abstract_num(doc, 50, levels)
    mf.add_num(doc, 50, 50)
    for num_id, overrides in kw.get("extra_nums", {}).items():
        mf.add_num(doc, num_id, 50, overrides)
    for text, num_id, ilvl in paragraphs:
        p = doc.add_paragraph(text)
        if num_id is not None or ilvl is not None:
            mf.set_numbering(p, num_id, ilvl)
    return load_bytes(mf.docx_bytes(doc), "t.docx").text


CN_LEVELS = [
    {"fmt": "chineseCounting", "text": "%1、"},
    {"fmt": "chineseCounting", "text": "（%2）"},
    {"fmt": "decimal", "text": "%3."},
    {"fmt": "decimal", "text": "（%4）"},
    {"fmt": "decimalEnclosedCircle", "text": "%5"},
]


def test_docx_chinese_levels_and_restarts() -> None:
    paragraphs = [
        ("整改工作组织情况", 50, 0),
        ("加强组织领导", 50, 1),
        ("成立领导小组", 50, 2),
        ("召开会议", 50, 3),
        ("制定方案", 50, 3),
        ("第一项", 50, 4),
        ("第二项", 50, 4),
        ("压实责任", 50, 2),
        ("（无编号的段落）", None, None),
        ("强化督导", 50, 1),
        ("巡察反馈问题整改落实情况", 50, 0),
        ("在贯彻落实方面", 50, 1),
        ("学习不够深入", 50, 2),
    ]
    text = _numbered_doc(CN_LEVELS, paragraphs)
    assert text.split("\n") == [
        "一、整改工作组织情况",
        "（一）加强组织领导",
        "1.成立领导小组",
        "（1）召开会议",
        "（2）制定方案",
        "①第一项",
        "②第二项",
        "2.压实责任",
        "（无编号的段落）",
        "（二）强化督导",
        "二、巡察反馈问题整改落实情况",
        "（一）在贯彻落实方面",
        "1.学习不够深入",
        "",
    ]


def test_docx_lvl_restart_zero_never_restarts() -> None:
    levels = [{"fmt": "decimal", "text": "%1."}, {"fmt": "decimal", "text": "（%2）", "restart": 0}]
    text = _numbered_doc(levels, [("甲", 50, 0), ("a", 50, 1), ("b", 50, 1), ("乙", 50, 0), ("c", 50, 1)])
    assert text.split("\n")[:5] == ["1.甲", "（1）a", "（2）b", "2.乙", "（3）c"]


def test_docx_start_values_and_overrides() -> None:
    levels = [{"fmt": "decimal", "text": "%1、", "start": 3}]
    paragraphs = [("a", 50, 0), ("b", 50, 0), ("c", 51, 0), ("d", 52, 0), ("e", 52, 0), ("f", 50, 0)]
    text = _numbered_doc(levels, paragraphs, extra_nums={51: None, 52: {0: 1}})
    # num 51 shares the abstract definition and goes on counting; num 52 restarts at 1
    assert text.split("\n")[:6] == ["3、a", "4、b", "5、c", "1、d", "2、e", "3、f"]


@pytest.mark.parametrize(
    ("fmt", "lvl_text", "expected"),
    [
        ("ideographTraditional", "%1、", ["甲、", "乙、", "丙、"]),
        ("decimalEnclosedParen", "%1", ["⑴", "⑵", "⑶"]),
        ("chineseCountingThousand", "第%1，", ["第一，", "第二，", "第三，"]),
        ("decimalFullWidth", "%1．", ["１．", "２．", "３．"]),
        ("upperRoman", "%1.", ["I.", "II.", "III."]),
        ("lowerLetter", "%1)", ["a)", "b)", "c)"]),
        ("bullet", "\uf0b7", ["", "", ""]),
    ],
)
def test_docx_number_formats(fmt: str, lvl_text: str, expected: list[str]) -> None:
    text = _numbered_doc([{"fmt": fmt, "text": lvl_text}], [("项目", 50, 0)] * 3)
    assert text.split("\n")[:3] == [e + "项目" for e in expected]


@pytest.mark.parametrize(
    ("n", "cn"),
    [(1, "一"), (9, "九"), (10, "十"), (11, "十一"), (19, "十九"), (20, "二十"), (21, "二十一"),
     (99, "九十九"), (100, "一百"), (101, "一百零一"), (110, "一百一十"), (1005, "一千零五"), (10000, "一万")],
)  # fmt: skip
def test_chinese_counting(n: int, cn: str) -> None:
    from report_parser.formats.docx import format_number

    assert format_number(n, "chineseCounting") == cn


def test_docx_number_without_punctuation_gets_a_space() -> None:
    text = _numbered_doc([{"fmt": "decimal", "text": "%1"}], [("2025年完成", 50, 0)])
    assert text.split("\n")[0] == "1 2025年完成"


def test_docx_numbering_from_style_level_link_and_num_id_zero() -> None:
    import docx

    doc = docx.Document()
    levels = [
        {"fmt": "chineseCounting", "text": "%1、"},
        {"fmt": "chineseCounting", "text": "（%2）", "style": "ProblemStyle"},
    ]
    mf.add_abstract_num(doc, 60, levels)
    mf.add_num(doc, 60, 60)
    mf.add_numbered_style(doc, "AreaStyle", 60, 0)
    mf.add_numbered_style(doc, "ProblemStyle", 60)  # no ilvl: the level that names this style
    doc.add_paragraph("方面一", style="AreaStyle")
    doc.add_paragraph("问题一", style="ProblemStyle")
    mf.set_numbering(doc.add_paragraph("去掉编号", style="ProblemStyle"), 0, None)
    doc.add_paragraph("问题二", style="ProblemStyle")
    text = load_bytes(mf.docx_bytes(doc), "s.docx").text
    assert text.split("\n")[:4] == ["一、方面一", "（一）问题一", "去掉编号", "（二）问题二"]


def test_docx_table_rows_and_hidden_text() -> None:
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    doc = docx.Document()
    doc.add_paragraph("整改台账如下：")
    table = doc.add_table(rows=3, cols=3)
    cells = [["序号", "问题", "整改情况"], ["1", "学习不够深入", "已完成"], ["2", "制度不健全", "持续整改"]]
    for r, row in enumerate(cells):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    table.cell(2, 2).add_paragraph("长期坚持")
    p = doc.add_paragraph("可见")
    hidden = p.add_run("隐藏的文字")
    hidden._r.get_or_add_rPr().append(OxmlElement("w:vanish"))
    p.add_run("文字")
    br_par = doc.add_paragraph("第一行")
    br_par.runs[0]._r.append(OxmlElement("w:br"))
    t = OxmlElement("w:t")
    t.text = "第二行"
    br_par.runs[0]._r.append(t)
    loaded = load_bytes(mf.docx_bytes(doc), "t.docx")
    text = loaded.text
    assert len(loaded.tables) == 1  # a ledger: a cell's paragraphs keep their lines
    assert text.split("\n") == [
        "整改台账如下：",
        "序号\t问题\t整改情况",
        "1\t学习不够深入\t已完成",
        "2\t制度不健全\t持续整改",
        "长期坚持",
        "可见文字",
        "第一行",
        "第二行",
        "",
    ]
    assert qn("w:vanish")


# ======================================================================= html


@pytest.fixture(scope="module")
def html_loaded() -> Any:
    return load_path(FIXTURES / "notice-gbk.html")


def test_html_text_equals_sample(html_loaded: Any) -> None:
    assert (html_loaded.format, html_loaded.encoding, html_loaded.extracted) == ("html", "gb18030", True)
    assert squash(html_loaded.text) == squash(CLEAN_SAMPLE)
    assert lines_of(html_loaded.text) == lines_of(CLEAN_SAMPLE)


def test_html_title_line_first(html_loaded: Any) -> None:
    assert html_loaded.text.split("\n")[0] == CLEAN_SAMPLE.split("\n")[0]


@pytest.mark.parametrize(
    "chrome",
    ["信息索引号", "发布机构", "成文日期", "公开方式", "发布时间", "来源", "浏览量", "分享", "打印", "关闭窗口",
     "当前位置", "首页", "字体", "微信", "ICP", "网站标识码", "主办", "相关链接", "请输入关键字"],
)  # fmt: skip
def test_html_has_no_chrome(html_loaded: Any, chrome: str) -> None:
    assert chrome not in html_loaded.text


def _page(body: str, charset: str = "utf-8", head: str = "") -> str:
    return f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">{head}</head><body>{body}</body></html>'


def test_html_gb2312_table_layout_with_br_lines() -> None:
    title, *rest = CLEAN_SAMPLE.strip().split("\n")
    body = (
        '<table width="100%"><tr><td class="nav"><a href="/">首页</a> | <a>机构</a></td></tr>'
        f'<tr><td align="center"><font size="5"><b>{title}</b></font></td></tr>'
        "<tr><td>发布日期：2025年09月30日 【打印本页】 【关闭窗口】</td></tr>"
        '<tr><td class="content">'
        + "<br>\n".join("&nbsp;&nbsp;&nbsp;&nbsp;" + line for line in rest)
        + "</td></tr></table>"
    )
    # declared gb2312, written in its superset GBK (— is not in GB2312), as such pages are
    data = _page(body, "gb2312", f"<title>{title}</title>").encode("gbk")
    loaded = load_bytes(data, "old.htm")
    assert loaded.format == "html" and loaded.encoding == "gb18030"
    assert lines_of(loaded.text) == lines_of(CLEAN_SAMPLE)


def test_html_declared_utf8_but_gbk() -> None:
    body = "".join(f"<p>{line}</p>" for line in CLEAN_SAMPLE.split("\n") if line.strip())
    loaded = load_bytes(_page(body, "utf-8").encode("gbk"), "mislabelled.html")
    assert loaded.encoding == "gb18030"
    assert squash(loaded.text) == squash(CLEAN_SAMPLE)


def test_html_declared_gbk_but_utf8() -> None:
    body = "".join(f"<p>{line}</p>" for line in CLEAN_SAMPLE.split("\n") if line.strip())
    loaded = load_bytes(_page(body, "gbk").encode("utf-8"), "mislabelled.html")
    assert loaded.encoding == "utf-8"
    assert squash(loaded.text) == squash(CLEAN_SAMPLE)


def test_html_title_broken_over_two_lines_is_not_repeated() -> None:
    title = CLEAN_SAMPLE.split("\n")[0]
    first, second = title[:17], title[17:]
    body = f"<h1>{first}<br>{second}</h1>" + "".join(
        f"<p>{line}</p>" for line in CLEAN_SAMPLE.split("\n")[1:] if line.strip()
    )
    loaded = load_bytes(_page(body, "utf-8", f"<title>{title}</title>").encode(), "t.html")
    assert squash(loaded.text) == squash(CLEAN_SAMPLE)


def test_html_short_notice_next_to_chrome_is_kept() -> None:
    notice = (
        "中共XX局党组关于巡察整改进展情况的通报\n截至目前，巡察反馈25个问题，已完成整改19个。\n欢迎监督。"
    )
    body = (
        '<div class="content"><p>发布时间：2025-09-30</p>'
        + "".join(f"<p>{line}</p>" for line in notice.split("\n"))
        + "</div>"
    )
    loaded = load_bytes(_page(body).encode(), "short.html")
    assert squash(loaded.text) == squash(notice)


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (_page("<div><p>  </p></div>").encode(), "empty.html"),
        (None, "empty.docx"),
    ],
)
def test_documents_without_text(data: bytes | None, name: str) -> None:
    if data is None:
        import docx

        data = mf.docx_bytes(docx.Document())
    with pytest.raises(InputError) as err:
        load_bytes(data, name)
    assert str(err.value) == f"{name}: no text found in the document"


def test_html_fallback_when_trafilatura_finds_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    import trafilatura

    monkeypatch.setattr(trafilatura, "extract", lambda *a, **k: None)
    loaded = load_path(FIXTURES / "notice-gbk.html")
    assert lines_of(loaded.text) == lines_of(CLEAN_SAMPLE)


def test_mhtml_base64_part() -> None:
    html = (
        (FIXTURES / "notice-gbk.html").read_bytes().decode("gbk").replace('charset="gbk"', 'charset="utf-8"')
    )
    message = MIMEMultipart("related")
    message["Subject"] = "notice"
    message["Snapshot-Content-Location"] = "http://example.invalid/a.html"
    message.attach(MIMEText(html, "html", "utf-8"))
    message.attach(MIMEText("body { color: black }", "css", "utf-8"))
    data = message.as_bytes()
    assert sniff(data, "a.mhtml") == "mhtml"
    loaded = load_bytes(data, "a.mhtml")
    assert (loaded.format, loaded.extracted, loaded.encoding) == ("mhtml", True, "utf-8")
    assert lines_of(loaded.text) == lines_of(CLEAN_SAMPLE)


def test_mhtml_quoted_printable_like_a_browser() -> None:
    import quopri

    html = (FIXTURES / "notice-gbk.html").read_bytes()  # the part has no charset: the meta tag says gbk
    boundary = "----MultipartBoundary--7b2fQ----"
    data = (
        b"From: <Saved by Blink>\r\nSnapshot-Content-Location: http://example.invalid/a.html\r\n"
        b"Subject: notice\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/related;\r\n\ttype="text/html";\r\n\tboundary="'
        + boundary.encode()
        + b'"\r\n\r\n'
        b"--" + boundary.encode() + b"\r\nContent-Type: text/html\r\nContent-ID: <frame-1@mhtml.blink>\r\n"
        b"Content-Transfer-Encoding: quoted-printable\r\nContent-Location: http://example.invalid/a.html\r\n\r\n"
        + quopri.encodestring(html)
        + b"\r\n--"
        + boundary.encode()
        + b"--\r\n"
    )
    loaded = load_bytes(data, "saved.mhtml")
    assert (loaded.format, loaded.encoding) == ("mhtml", "gb18030")
    assert lines_of(loaded.text) == lines_of(CLEAN_SAMPLE)


# ======================================================================= pdf


@pytest.fixture(scope="module")
def pdf_loaded() -> Any:
    return load_path(FIXTURES / "notice-2pages.pdf")


def test_pdf_text_equals_sample(pdf_loaded: Any) -> None:
    assert (pdf_loaded.format, pdf_loaded.encoding, pdf_loaded.extracted) == ("pdf", "unicode", True)
    assert squash(pdf_loaded.text) == squash(CLEAN_SAMPLE)


def test_pdf_lines_rejoined_like_the_sample(pdf_loaded: Any) -> None:
    # every wrapped paragraph (the one split by the page break too) comes back as one line
    assert lines_of(pdf_loaded.text) == lines_of(CLEAN_SAMPLE)
    wrapped = next(line for line in CLEAN_SAMPLE.split("\n") if line.startswith("（1）"))
    assert squash(wrapped) in lines_of(pdf_loaded.text)


def test_pdf_no_header_footer_or_page_numbers(pdf_loaded: Any) -> None:
    assert "巡察整改进展情况通报" not in pdf_loaded.text.replace(CLEAN_SAMPLE.split("\n")[0], "")
    for line in pdf_loaded.text.split("\n"):
        assert not re.fullmatch(r"\s*-\s*\d+\s*-\s*", line)


def test_pdf_flush_left_paragraphs_other_page_numbers() -> None:
    data = mf.build_pdf(indent_chars=0, page_number="第{n}页 共{total}页")
    loaded = load_bytes(data, "flush.pdf")
    assert squash(loaded.text) == squash(CLEAN_SAMPLE)
    assert "共2页" not in loaded.text
    lines = lines_of(loaded.text)
    # without indentation a line ending a sentence at the margin cannot be told from a paragraph
    # end: lines may stay split there, never glued across two paragraphs
    sample_lines = lines_of(CLEAN_SAMPLE)
    for line in lines:
        assert any(line in s for s in sample_lines)
    wrapped = next(line for line in CLEAN_SAMPLE.split("\n") if line.startswith("（1）"))
    assert squash(wrapped) in lines


@pytest.mark.parametrize(
    "line",
    [
        "- 2 -",
        "—2—",
        "2",
        "第2页",
        "第 2 页 共 5 页",
        "2/5",
        "2 / 5",
        "Page 2 of 5",
        "－ 12 －",
        "共5页 第2页",
    ],
)
def test_page_number_lines(line: str) -> None:
    from report_parser.formats.pdf import PAGE_NUMBER

    assert PAGE_NUMBER.match(line)


@pytest.mark.parametrize("line", ["2025年", "1.落实招商引资工作", "第二，加强领导", "共2项"])
def test_not_page_number_lines(line: str) -> None:
    from report_parser.formats.pdf import PAGE_NUMBER

    assert not PAGE_NUMBER.match(line)


def test_pdf_owner_password_only_is_read() -> None:
    # Protected against copying only (empty user password): readable, so it is read. (Built with a
    # standard font: reportlab leaves the CID font's CIDSystemInfo strings unencrypted, which
    # makes any reader lose that font's Unicode mapping.)
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(
        buf, encrypt=StandardEncryption("", "owner-secret", canCopy=0, strength=128), invariant=1
    )
    c.drawString(72, 700, "Rectification notice 2025: 25 problems, 19 rectified.")
    c.showPage()
    c.save()
    loaded = load_bytes(buf.getvalue(), "locked.pdf")
    assert loaded.text == "Rectification notice 2025: 25 problems, 19 rectified.\n"


# ======================================================================= timings (informative)


@pytest.mark.parametrize(
    "fixture", ["notice-numbered.docx", "notice-gbk.html", "notice-2pages.pdf", "notice-gb18030.txt"]
)
def test_fixture_loads_fast(fixture: str) -> None:
    import time

    load_path(FIXTURES / fixture)  # warm imports
    start = time.perf_counter()
    load_path(FIXTURES / fixture)
    assert time.perf_counter() - start < 2.0


# ======================================================================= same parse for every format


@pytest.fixture(scope="module")
def parse() -> Any:
    report_parser = pytest.importorskip("report_parser")
    fn = getattr(report_parser, "parse", None)
    if fn is None:
        pytest.skip("report_parser.parse is not there yet")
    return fn


def _summary(doc: Any) -> dict[str, Any]:
    data = doc.model_dump(mode="json") if hasattr(doc, "model_dump") else doc
    headings: list[tuple[Any, Any]] = []
    measures = 0
    metrics: list[tuple[Any, Any]] = [(m["kind"], m.get("value")) for m in data.get("summary") or []]

    def walk(node: dict[str, Any]) -> None:
        nonlocal measures
        if node["role"] == "measure":
            measures += 1
        elif node["role"] != "paragraph":
            headings.append((node.get("marker"), node.get("title")))
        metrics.extend((m["kind"], m.get("value")) for m in node.get("metrics") or [])
        for child in node.get("children") or []:
            walk(child)

    for node in data.get("sections") or []:
        walk(node)
    title = (data.get("title") or {}).get("text")
    return {"title": title, "headings": headings, "measures": measures, "metrics": metrics}


@pytest.mark.parametrize(
    "fixture",
    ["notice-numbered.docx", "notice-gbk.html", "notice-2pages.pdf", "notice-utf16-bom.txt",
     "notice-gb18030.txt", "notice-utf8-bom-crlf.txt"],
)  # fmt: skip
def test_same_parse_for_every_format(parse: Any, fixture: str) -> None:
    expected = _summary(parse(SAMPLE, name="sample.txt"))
    assert expected["headings"] and expected["measures"]
    loaded = load_path(FIXTURES / fixture)
    got = _summary(parse(loaded.text, name=fixture))
    assert got == expected
