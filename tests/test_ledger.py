"""Ledger tables (整改台账) in .docx, .html and .xlsx: a problem per row, categories from merged cells,
fields, measures and status from the cells; tables that are not ledgers stay text; .xlsx in general."""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from report_parser import parse, parse_file
from report_parser.decode import load_bytes, load_path
from report_parser.formats.table import Grid, column_role, find_header
from report_parser.ledger import progress_status
from report_parser.models import Document, Node

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures" / "ledger"
SAMPLE = HERE.parent / "corpora" / "seed" / "kuandian-investment-center-2025.txt"
FORMATS = ("docx", "html", "xlsx")


def _load_builder() -> Any:
    spec = importlib.util.spec_from_file_location("make_ledgers", FIXTURES / "make_ledgers.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_ledgers"] = module
    spec.loader.exec_module(module)
    return module


ml = _load_builder()


def _grounded(doc: Document) -> int:
    """Assert every span of the document indexes its text in source.text; return how many were checked."""
    src = doc.source.text
    assert src is not None
    seen = 0

    def check(text: str, span: tuple[int, int]) -> None:
        nonlocal seen
        assert src[span[0]:span[1]] == text
        seen += 1

    for part in (doc.title, doc.preamble, doc.closing, doc.signature):
        if part is not None:
            check(part.text, part.span)
    for m in doc.summary:
        check(m.text, m.span)
    for node in doc.walk():
        check(node.text, node.span)
        for f in node.fields.values():
            check(f.text, f.span)
        for m in node.metrics:
            check(m.text, m.span)
        for c in node.children:
            assert node.span[0] <= c.span[0] and c.span[1] <= node.span[1]
    return seen


# --------------------------------------------------------------------------- the fixture ledger


@pytest.fixture(scope="module")
def expected() -> dict:
    return json.loads((FIXTURES / "health-ledger.expected.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("fmt", FORMATS)
def test_ledger_fixture_gives_its_expected_structure(fmt: str, expected: dict) -> None:
    doc = parse_file(FIXTURES / f"health-ledger.{fmt}")
    assert doc.source.format == fmt
    assert doc.title is not None and doc.title.value == expected["title"]
    assert [m.text for m in doc.summary] == expected["summary"]
    assert doc.closing is not None and doc.closing.text == expected["closing"]
    categories = [n for n in doc.sections if n.role == "category"]
    assert len(categories) == len(expected["categories"])
    for node, want in zip(categories, expected["categories"], strict=True):
        assert (node.marker, node.title) == (want["marker"], want["title"])
        assert [c.role for c in node.children] == ["problem"] * len(want["problems"])
        for p, wp in zip(node.children, want["problems"], strict=True):
            assert (p.marker, p.style, p.ordinal, p.title, p.status) == (
                wp["marker"], "table_row", wp["ordinal"], wp["title"], wp["status"])
            for name, text in wp["fields"].items():
                assert p.fields[name].text == text
            assert p.fields["problem"].text.startswith(wp["title"])
            assert [m.text for m in p.metrics] == wp["metrics"]
            got = [[m.marker, m.title, [x.text for x in m.metrics]] for m in p.children]
            assert got == wp["measures"]
            assert all(m.role == "measure" for m in p.children)
    assert doc.inspection is not None and (doc.inspection.start, doc.inspection.end) == ("2024-04-10", "2024-06-10")
    assert not [w for w in doc.warnings if w.code in ("W401", "W402", "W204")]
    assert doc.coverage == 1.0
    assert _grounded(doc) > 60


def test_ledger_forms_agree() -> None:
    """The three forms write the same text (the .xlsx puts a blank line before its second sheet), so they
    give the same document body."""
    docs = [parse_file(FIXTURES / f"health-ledger.{fmt}") for fmt in FORMATS]

    def unspanned(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: unspanned(v) for k, v in value.items() if k != "span"}
        if isinstance(value, list):
            return [unspanned(v) for v in value]
        return value

    bodies = [unspanned([n.model_dump() for n in d.sections]) for d in docs]
    assert bodies[0] == bodies[1] == bodies[2]
    assert docs[0].source.text == docs[1].source.text
    assert docs[2].source.text == docs[0].source.text.replace("\n截至目前", "\n\n截至目前")


@pytest.mark.parametrize("fmt", FORMATS)
def test_ledger_structure_travels_with_the_text(fmt: str) -> None:
    loaded = load_path(FIXTURES / f"health-ledger.{fmt}")
    (table,) = loaded.tables
    assert table.roles == ("seq", "category", "problem", "rectification", "unit", "leader", "deadline", "progress")
    assert table.n_rows == 6
    assert loaded.text[table.header[0]:table.header[1]].split("\t")[2] == "反馈问题"
    merged = [c for c in table.cells if c.role == "category"]
    assert [(c.row, c.rowspan) for c in merged] == [(0, 2), (2, 2), (4, 2)]
    for c in table.cells:
        assert table.start <= c.start < c.end <= table.end
        assert "\t" not in loaded.text[c.start:c.end]


# --------------------------------------------------------------------------- tables that stay text


@pytest.mark.parametrize("name", ["contact-table.docx", "layout-table.html", "layout-table.docx"])
def test_tables_that_are_not_ledgers_stay_text(name: str) -> None:
    assert load_path(FIXTURES / name).tables == ()
    doc = parse_file(FIXTURES / name)
    plain = parse(ml.CONTACT_NOTICE)
    shape = lambda d: [(n.role, n.marker, n.title, len(n.children)) for n in d.walk()]  # noqa: E731
    assert shape(doc) == shape(plain)
    assert [n.style for n in doc.walk()].count("table_row") == 0
    _grounded(doc)


def test_header_wording_decides_in_any_order_and_subset() -> None:
    assert column_role("反 馈 问 题") == "problem"
    assert column_role("整改措施（具体举措）") == "rectification"
    assert column_role("完成时限") == "deadline" and column_role("整改进展") == "progress"
    assert column_role("序号") == "seq" and column_role("责任人") == "leader"
    assert column_role("根据县委统一部署，县委巡察组对某单位进行了巡察") is None
    grid = Grid.from_rows([[("整改进展", 1, 1), ("存在问题", 1, 1), ("责任部门", 1, 1)],
                           [("已完成", 1, 1), ("制度不健全。", 1, 1), ("办公室", 1, 1)]])
    assert find_header(grid) == (0, {0: "progress", 1: "problem", 2: "unit"})
    contact = Grid.from_rows([[("序号", 1, 1), ("单位", 1, 1), ("联系电话", 1, 1)],
                              [("1", 1, 1), ("纪委", 1, 1), ("12388", 1, 1)]])
    assert find_header(contact) is None


def test_grid_places_rowspan_and_colspan() -> None:
    grid = Grid.from_rows([[("a", 1, 2), ("b", 2, 1)], [("c", 1, 1), ("d", 1, 1)]])
    assert [(c.text, c.row, c.col) for c in grid.cells] == [("a", 0, 0), ("b", 0, 1), ("c", 1, 1), ("d", 1, 2)]
    assert grid.at(1, 0).text == "a" and grid.at(0, 2).text == "b"


@pytest.mark.parametrize(("cell", "status"), [
    ("已完成", "done"), ("已整改到位", "done"), ("整改完成", "done"), ("已办结", "done"),
    ("已完成并长期坚持", "done"), ("基本完成", "partial"), ("正在整改", "ongoing"), ("持续整改", "ongoing"),
    ("长期坚持", "ongoing"), ("推进中", "ongoing"), ("未完成", "ongoing"), ("拟于年底前完成", "planned"),
    ("将于6月底前完成", "planned"), ("计划下半年启动", "planned"), ("", None),
])
def test_progress_cell_gives_the_status(cell: str, status: str | None) -> None:
    assert progress_status(cell) == status


# --------------------------------------------------------------------------- more ledger layouts


def _html(rows: str, header: str) -> bytes:
    return ("<html><head><meta charset='utf-8'></head><body><h1>某局党组关于巡察整改情况的通报</h1>"
            "<p>根据县委统一部署，县委第一巡察组对某局党组进行了巡察。现将整改情况通报如下。</p>"
            f"<table><tr>{header}</tr>{rows}</table><p>欢迎广大干部群众监督。</p></body></html>").encode()


def test_category_rows_spanning_the_table_and_no_category_column() -> None:
    header = "<th>编号</th><th>问题表现</th><th>整改举措</th><th>完成情况</th>"
    rows = ("<tr><td colspan='4'>一、政治建设方面</td></tr>"
            "<tr><td>1</td><td>学习不深入。</td><td>制定学习计划。</td><td>已完成</td></tr>"
            "<tr><td>2</td><td>执行不到位。</td><td>（1）建立台账；（2）逐项销号。</td><td>推进中</td></tr>"
            "<tr><td colspan='4'>二、作风建设方面</td></tr>"
            "<tr><td>3</td><td>文山会海。</td><td>精简会议20%。</td><td>基本完成</td></tr>")
    doc = parse_file_bytes(_html(rows, header), "a.html")
    assert [(n.marker, n.title, len(n.children)) for n in doc.sections if n.role == "category"] == [
        ("一、", "政治建设方面", 2), ("二、", "作风建设方面", 1)]
    problems = [n for n in doc.walk() if n.role == "problem"]
    assert [(p.marker, p.title, p.status) for p in problems] == [
        ("1", "学习不深入", "done"), ("2", "执行不到位", "ongoing"), ("3", "文山会海", "partial")]
    assert [m.marker for m in problems[1].children] == ["（1）", "（2）"]
    assert [m.text for m in problems[2].metrics + problems[2].children[0].metrics] == ["20%"]
    _grounded(doc)


def test_problem_cell_merged_over_rows_and_repeated_category_values() -> None:
    header = "<th>类别</th><th>具体问题</th><th>整改措施</th><th>责任单位</th>"
    rows = ("<tr><td>党建</td><td rowspan='2'>组织生活不规范。</td><td>1.规范三会一课。</td><td>办公室</td></tr>"
            "<tr><td>党建</td><td>2.开展专题培训2次。</td><td>人事科</td></tr>"
            "<tr><td>党建</td><td>台账不全。</td><td>补齐台账。</td><td>办公室</td></tr>"
            "<tr><td></td><td>档案缺失。</td><td>补录档案。</td><td>档案室</td></tr>"
            "<tr><td>财务</td><td>报销不严。</td><td>严格审核。</td><td>财务科</td></tr>")
    doc = parse_file_bytes(_html(rows, header), "a.html")
    cats = [n for n in doc.sections if n.role == "category"]
    assert [(c.marker, c.title, [p.title for p in c.children]) for c in cats] == [
        (None, "党建", ["组织生活不规范", "台账不全", "档案缺失"]), (None, "财务", ["报销不严"])]
    first = cats[0].children[0]
    assert [(m.marker, m.title) for m in first.children] == [("1.", "规范三会一课"), ("2.", "开展专题培训2次")]
    assert first.fields["unit"].text == "办公室"
    assert all(p.marker is None for p in doc.walk() if p.role == "problem")
    _grounded(doc)


def parse_file_bytes(data: bytes, name: str) -> Document:
    from report_parser.pipeline import parse_loaded

    return parse_loaded(load_bytes(data, name))


# --------------------------------------------------------------------------- .xlsx in general


def _xlsx(build) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    build(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_xlsx_sheets_are_read_in_order_with_merged_cells_once() -> None:
    def build(wb) -> None:
        ws = wb.active
        ws.title = "正文"
        ws["A1"] = "某局党组关于巡察整改情况的通报"
        ws.merge_cells("A1:C1")
        ws["A2"], ws["B2"], ws["C2"] = "截至", dt.date(2025, 3, 31), 12.0
        hidden = wb.create_sheet("草稿")
        hidden["A1"] = "不应出现"
        hidden.sheet_state = "hidden"
        second = wb.create_sheet("附表")
        second["B3"] = "欢迎监督。"

    loaded = load_bytes(_xlsx(build), "book.xlsx")
    assert loaded.format == "xlsx" and loaded.tables == ()
    assert loaded.text == "某局党组关于巡察整改情况的通报\n截至\t2025年3月31日\t12\n\n欢迎监督。\n"


def test_xlsx_without_a_name_is_sniffed_by_content() -> None:
    data = (FIXTURES / "health-ledger.xlsx").read_bytes()
    loaded = load_bytes(data, None)
    assert loaded.format == "xlsx" and len(loaded.tables) == 1


def test_empty_xlsx_is_one_clear_error() -> None:
    from report_parser.errors import InputError

    with pytest.raises(InputError, match=r"^empty\.xlsx: no text found"):
        load_bytes(_xlsx(lambda wb: None), "empty.xlsx")


# --------------------------------------------------------------------------- the sample notice as a ledger

PROGRESS = [("已完成", "done"), ("基本完成", "partial"), ("正在整改", "ongoing"), ("已完成并长期坚持", "done"),
            ("拟于年底前完成", "planned"), ("已整改到位", "done"), ("持续整改", "ongoing"), ("已办结", "done"),
            ("推进中", "ongoing"), ("将持续推进", "planned"), ("未完成", "ongoing")]


def _sample_as_ledger(text_doc: Document, seq_as_written: bool) -> Any:
    """The sample notice rebuilt from its text parse: categories 1.–4. as merged category cells,
    problems （1）–（11） as rows, the text after each problem's title as its rectification cell."""
    src = SAMPLE.read_text(encoding="utf-8")
    rows: list[list[str | None]] = []
    k = 0
    for cat in text_doc.sections:
        first = True
        cat_cell = src[cat.span[0]:cat.span[1]].split("\n", 1)[0]
        for p in cat.children:
            head = src[p.span[0] + len(p.marker):p.children[0].span[0]].strip()
            rect = src[p.children[0].span[0]:p.span[1]]
            seq = p.marker if seq_as_written else str(p.ordinal)
            rows.append([seq, cat_cell if first else ml.MERGED, head, rect, "招商服务中心", PROGRESS[k][0]])
            first = False
            k += 1
    lines = [line for line in src.split("\n") if line.strip()]
    return ml.LedgerSpec(title=lines[0], before=[lines[1]], header=["序号", "问题类别", "反馈问题", "整改措施",
                                                                    "责任单位", "整改进展"],
                         rows=rows, after=[lines[-1]])


def _measure_view(m: Node) -> tuple:
    return (m.marker, m.style, m.ordinal, m.title, m.text, [(x.kind, x.text, x.value) for x in m.metrics])


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("seq_as_written", [True, False])
def test_sample_rebuilt_as_a_ledger_parses_like_the_text(fmt: str, seq_as_written: bool) -> None:
    from report_parser.measures import measure_status

    text_doc = parse_file(SAMPLE)
    spec = _sample_as_ledger(text_doc, seq_as_written)
    doc = parse_file_bytes(ml.BUILDERS[fmt](spec), f"sample.{fmt}")
    _grounded(doc)
    assert doc.title.value == text_doc.title.value
    assert doc.inspection.model_dump(exclude={"span", "text"}) == text_doc.inspection.model_dump(exclude={"span", "text"})
    assert doc.closing.text == text_doc.closing.text
    assert [m.text for m in doc.summary] == [m.text for m in text_doc.summary]
    assert len(doc.sections) == len(text_doc.sections) == 4
    k = 0
    for got_cat, want_cat in zip(doc.sections, text_doc.sections, strict=True):
        assert (got_cat.role, got_cat.marker, got_cat.style, got_cat.ordinal, got_cat.title) == (
            want_cat.role, want_cat.marker, want_cat.style, want_cat.ordinal, want_cat.title)
        assert [m.text for m in got_cat.metrics] == [m.text for m in want_cat.metrics]
        assert len(got_cat.children) == len(want_cat.children)
        for got, want in zip(got_cat.children, want_cat.children, strict=True):
            assert (got.role, got.ordinal, got.title) == (want.role, want.ordinal, want.title)
            assert got.marker == (want.marker if seq_as_written else str(want.ordinal))
            assert got.status == PROGRESS[k][1]
            assert [(x.kind, x.text, x.value) for x in got.metrics] == [(x.kind, x.text, x.value) for x in want.metrics]
            assert [_measure_view(m) for m in got.children] == [_measure_view(m) for m in want.children]
            default = measure_status(PROGRESS[k][0])
            assert [m.status for m in got.children] == [m.status or default for m in want.children]
            k += 1
    assert k == 11


def test_tables_under_numbered_headings_are_categories() -> None:
    import docx

    doc = docx.Document()
    doc.add_paragraph("某局党组关于巡察整改进展情况的通报")
    doc.add_paragraph("根据县委统一部署，县委第一巡察组对某局党组进行了巡察。现将整改进展情况通报如下。")
    blocks = [("一、政治建设方面", [["1", "学习不深入。", "制定学习计划。", "已完成"],
                                   ["2", "执行不到位。", "一是建立台账；二是逐项销号。", "推进中"]]),
              ("二、作风建设方面", [["1", "会议过多。", "精简会议30%。", "基本完成"]])]
    for heading, rows in blocks:
        doc.add_paragraph(heading)
        table = doc.add_table(rows=len(rows) + 1, cols=4)
        for c, name in enumerate(["序号", "存在问题", "整改措施", "整改进展"]):
            table.cell(0, c).text = name
        for r, row in enumerate(rows, 1):
            for c, value in enumerate(row):
                table.cell(r, c).text = value
    doc.add_paragraph("欢迎广大干部群众监督。")
    out = io.BytesIO()
    doc.save(out)
    parsed = parse_file_bytes(out.getvalue(), "two.docx")
    assert [(n.role, n.marker, n.title, [(p.marker, p.title, p.status, len(p.children)) for p in n.children])
            for n in parsed.sections] == [
        ("category", "一、", "政治建设方面", [("1", "学习不深入", "done", 1), ("2", "执行不到位", "ongoing", 2)]),
        ("category", "二、", "作风建设方面", [("1", "会议过多", "partial", 1)])]
    assert parsed.coverage == 1.0 and not [w for w in parsed.warnings if w.code == "W401"]
    _grounded(parsed)


@pytest.mark.parametrize("rows", ["", "<tr><td></td><td>只有措施</td></tr>"])
def test_ledger_header_without_problem_rows_stays_text(rows: str) -> None:
    page = f"<html><body><p>正文第一段。</p><table><tr><th>问题</th><th>整改措施</th></tr>{rows}</table></body></html>"
    loaded = load_bytes(page.encode(), "a.html")
    assert loaded.tables == ()
    assert "问题\t整改措施" in loaded.text and ("只有措施" in loaded.text) == bool(rows)


def test_odd_spans_and_a_ledger_inside_a_layout_table() -> None:
    page = ("<html><body><table><tr><td><p>某单位关于巡察整改情况的通报</p>"
            "<table><tr><th>序号</th><th>问题类别</th><th>具体问题</th><th>整改情况</th></tr>"
            "<tr><td rowspan='x'>1</td><td rowspan='900'>一、党建</td><td>问题一。</td><td>1.措施甲。2.措施乙。</td></tr>"
            "<tr><td>2</td><td>问题二。</td><td colspan='0'>已整改。</td></tr></table>"
            "<p>欢迎广大干部群众监督。</p></td></tr></table></body></html>")
    doc = parse_file_bytes(page.encode(), "a.html")
    assert [(n.role, n.marker, n.title) for n in doc.walk()] == [
        ("category", "一、", "党建"), ("problem", "1", "问题一"), ("measure", "1.", "措施甲"),
        ("measure", "2.", "措施乙"), ("problem", "2", "问题二"), ("measure", None, "已整改")]
    assert doc.closing is not None
    _grounded(doc)


def test_two_header_rows() -> None:
    header = ("<th rowspan='2'>序号</th><th rowspan='2'>反馈问题</th><th colspan='2'>整改情况</th></tr>"
              "<tr><th>整改措施</th><th>完成时限</th>")
    rows = "<tr><td>1</td><td>制度缺失。</td><td>建立制度。</td><td>2025年6月底</td></tr>"
    loaded = load_bytes(_html(rows, header), "a.html")
    (table,) = loaded.tables
    assert table.roles == ("seq", "problem", "rectification", "deadline") and table.n_rows == 1
    doc = parse_file_bytes(_html(rows, header), "a.html")
    (problem,) = doc.sections
    assert (problem.marker, problem.title, problem.fields["deadline"].text) == ("1", "制度缺失", "2025年6月底")
    assert [m.title for m in problem.children] == ["建立制度"]


def test_original_offsets_map_to_matching_offsets_through_joined_lines() -> None:
    from report_parser.ledger import _Offsets
    from report_parser.normalize import normalize

    nt = normalize((HERE / "fixtures" / "layouts" / "hard_wrapped.txt").read_text(encoding="utf-8"))
    assert nt.breaks  # the fixture's lines are joined for matching
    to_match = _Offsets(nt)
    assert all(to_match(nt.to_orig(i)) == i for i in range(len(nt.text)))


def test_ledger_inside_running_text_of_a_web_page_keeps_its_place() -> None:
    from report_parser.formats.html import extract_with_tables

    page = ("<html><body><div>前文一段。<table><tr><th>问题</th><th>整改措施</th></tr>"
            "<tr><td>问题甲。</td><td>措施。</td></tr></table>后文紧接。</div></body></html>")
    text, (table,) = extract_with_tables(page)
    assert text == "前文一段。\n问题\t整改措施\n问题甲。\t措施。\n后文紧接。\n"
    assert text[table.start:table.end] == "问题\t整改措施\n问题甲。\t措施。"
    assert "LEDGERTABLE" not in text


# --------------------------------------------------------------------------- any ledger grid

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_CELL = st.lists(st.sampled_from(list("整改问题措施已完成基本将拟1２.（）、。；：\n “”") + ["一、", "1.", "（1）", "2.", "一是", "二是"]),
                 max_size=16).map("".join)
_ROLES = ["序号", "问题类别", "反馈问题", "整改措施", "责任单位", "完成时限", "整改进展"]


@st.composite
def _grids(draw):
    from report_parser.formats.table import Grid, GridCell

    header = draw(st.permutations(_ROLES).map(lambda r: r[: max(2, len(r) - 2)]))
    if "反馈问题" not in header:
        header = ["反馈问题", *header]
    n_rows = draw(st.integers(1, 7))
    wide = draw(st.sets(st.integers(1, n_rows), max_size=2))  # rows across the table (一、…方面)
    cells = [GridCell(h, 0, c) for c, h in enumerate(header)]
    for r in sorted(wide):
        cells.append(GridCell(draw(_CELL).strip(), r, 0, 1, len(header)))
    for c in range(len(header)):
        r = 1
        while r <= n_rows:
            if r in wide:
                r += 1
                continue
            room = next((w for w in sorted(wide) if w > r), n_rows + 1) - r
            span = draw(st.integers(1, room)) if draw(st.booleans()) else 1
            cells.append(GridCell(draw(_CELL).strip(), r, c, span, 1))
            r += span
    return Grid(cells)


@settings(max_examples=150, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(grid=_grids(), before=_CELL, after=_CELL)
def test_any_ledger_grid_parses_grounded(grid, before: str, after: str) -> None:
    from report_parser.formats.table import TextBuilder
    from report_parser.models import Source
    from report_parser.pipeline import parse_text

    out = TextBuilder()
    out.line("某单位关于巡察整改情况的通报")
    out.line(before)
    if not out.table(grid):
        return
    out.line(after)
    text, tables = out.result()
    doc = parse_text(text, Source(sha256="0", encoding="utf-8", chars=len(text), text=text), tables=tables)
    doc = Document.model_validate_json(doc.model_dump_json())
    _grounded(doc)
    problems = [n for n in doc.walk() if n.role == "problem"]
    assert problems and all(n.style in (None, "table_row") or n.marker for n in problems)
    for n in doc.walk():
        rect = n.fields.get("rectification")
        # a problem's own rectification cell gives it measures (a cell merged down over several
        # problems gives them to the first, whose row holds it, and is the others' field)
        if n.role == "problem" and rect and rect.text.strip("。!?;:,. \n；：，！？") and n.span[0] <= rect.span[0] < n.span[1]:
            assert n.children and all(c.role == "measure" for c in n.children)
