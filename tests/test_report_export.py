"""The corpus report (HTML, SVG charts) and the Excel export of a batch output directory."""

from __future__ import annotations

import json
import re
import shutil

import pandas as pd
import pytest
from conftest import FIXTURES, NANKAI, SAMPLE

from report_parser.batch import read_tables, run_batch
from report_parser.cli import main


@pytest.fixture(scope="module")
def tables_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("batch") / "tables"
    notices = [NANKAI, SAMPLE, FIXTURES / "formats" / "notice-numbered.docx",
               *sorted((FIXTURES / "notices").glob("n0*.txt"))[:5]]
    result = run_batch(notices, out, jobs=1, progress=False)
    assert result.status == 0
    return out


def test_report_is_self_contained_with_charts_and_a_row_per_notice(tables_dir, tmp_path, capsys):
    out = tmp_path / "report.html"
    assert main(["report", str(tables_dir), "-o", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=["'](?!#)|url\(|@import|https?://(?!www\.w3\.org/2000/svg)""", page)
    docs = read_tables(tables_dir)["documents"]
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert body.count("<tr>") == len(docs)
    for unit in docs["issuer"].dropna():
        assert unit in body
    assert page.count('<svg class="chart"') >= 5  # problems/measures, status, three totals by scheme
    assert "中共南开大学委员会" in page.split('<svg class="chart"', 1)[1]  # charts labelled by unit, in Chinese
    nankai = docs[docs["issuer"] == "中共南开大学委员会"].iloc[0]
    row = next(r for r in body.split("<tr>") if "中共南开大学委员会" in r)
    assert f'data-col="problems" data-v="{int(nankai.n_problems)}"' in row


def test_report_of_a_directory_that_is_not_a_batch(tmp_path, capsys):
    assert main(["report", str(tmp_path), "-o", str(tmp_path / "r.html")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(tmp_path) in err[0] and "documents.parquet" in err[0]


@pytest.mark.parametrize("labels", ["en", "zh"])
def test_export_workbook(tables_dir, tmp_path, labels):
    from openpyxl import load_workbook

    out = tmp_path / "tables.xlsx"
    assert main(["export", str(tables_dir), "-o", str(out), "--labels", labels]) == 0
    wb = load_workbook(out)
    tables = read_tables(tables_dir)
    names = ["compare", "documents", "nodes", "problems", "measures", "metrics", "topics", "warnings"]
    if labels == "zh":
        assert wb.sheetnames == ["单位比较", "通报", "结构", "问题", "措施", "数据", "问题领域", "警告"]
    else:
        assert wb.sheetnames == names
    for sheet, name in zip(wb.worksheets, names, strict=True):
        assert sheet.freeze_panes == "A2"
        if name in tables:
            assert sheet.max_row == len(tables[name]) + 1
    docs = wb.worksheets[1]
    head = [c.value for c in docs[1]]
    assert ("文档编号" if labels == "zh" else "doc_id") in head
    col = head.index("文档编号" if labels == "zh" else "doc_id")
    ids = [r[col].value for r in docs.iter_rows(min_row=2)]
    assert ids == list(tables["documents"]["doc_id"])
    assert all(r[col].data_type == "s" for r in docs.iter_rows(min_row=2))


def test_export_keeps_ids_and_formulas_as_text(tmp_path):
    from openpyxl import load_workbook

    from report_parser.export import write_xlsx

    df = pd.DataFrame({"doc_id": ["0012", "1e5"], "marker": ["001", "=1+1"], "title": ["=SUM(A1)", "a\x01b"],
                       "n": pd.array([1, None], dtype="Int64"), "x": [0.5, float("nan")]})
    write_xlsx({"t": df}, tmp_path / "t.xlsx")
    ws = load_workbook(tmp_path / "t.xlsx")["t"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    assert rows == [["0012", "001", "=SUM(A1)", 1, 0.5], ["1e5", "=1+1", "a\ufffdb", None, None]]
    assert all(ws.cell(row=r, column=c).data_type == "s" for r in (2, 3) for c in (1, 2, 3))


def test_compare_as_xlsx_and_csv_with_bom(tables_dir, tmp_path, capsys):
    from openpyxl import load_workbook

    out = tmp_path / "cmp.xlsx"
    assert main(["compare", str(tables_dir), "--format", "xlsx", "-o", str(out), "--labels", "zh"]) == 0
    ws = load_workbook(out).active
    assert ws.title == "单位比较" and [c.value for c in ws[1]][:3] == ["单位分组键", "单位", "文件"]
    assert main(["compare", str(tables_dir), "--format", "xlsx"]) == 2
    assert "needs -o" in capsys.readouterr().err
    csv = tmp_path / "cmp.csv"
    assert main(["compare", str(tables_dir), "--format", "csv", "-o", str(csv)]) == 0
    raw = csv.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfkey,unit,file,")
    assert "中共南开大学委员会" in raw.decode("utf-8-sig")


def test_report_groups_totals_by_level_sector_and_region_when_present(tables_dir, tmp_path):
    from report_parser.report import write_report

    copy = tmp_path / "tables"
    shutil.copytree(tables_dir, copy)
    levels, sectors, provinces = ["central", "city", "county"], ["school", "department"], ["天津市", "辽宁省"]
    lines = []
    for i, line in enumerate((copy / "documents.jsonl").read_text(encoding="utf-8").splitlines()):
        d = json.loads(line)
        d.setdefault("issuer", {}).update(key=f"单位{i}", sector=sectors[i % 2],
                                          region={"province": provinces[i % 2], "city": None, "county": None})
        d.setdefault("inspection", {}).update(level=levels[i % 3])
        d["totals"] = {"completion_rate": {"kind": "percent", "text": "80%", "span": [0, 3], "value": 80 + i,
                                           "unit": "%", "subject": "completion_rate"},
                       "people_disciplined": {"kind": "count", "text": "2人", "span": [0, 2], "value": 2,
                                              "unit": "人", "subject": "people_disciplined"}}
        lines.append(json.dumps(d, ensure_ascii=False))
    (copy / "documents.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    page = write_report(copy, tmp_path / "r.html").read_text(encoding="utf-8")
    for heading in ("按巡察层级", "按单位类型", "按地区（省）"):
        block = page.split(f"<h3>{heading}</h3>", 1)[1].split("<h3>", 1)[0]
        assert block.count('<svg class="chart"') == 3, heading
    level_block = page.split("<h3>按巡察层级</h3>", 1)[1].split("<h3>", 1)[0]
    n = len(lines)
    assert f"中央 ({len(range(0, n, 3))})" in level_block and "县级" in level_block
    people = page.split("处理人数（合计）", 1)[1].split("</svg>", 1)[0]
    assert f">{2 * len(range(0, n, 3))}<" in people  # the sum over the central-level notices
    head = page.split("<thead>", 1)[1].split("</thead>", 1)[0]
    assert "分组键" in head and "层级" in head and "地区" in head
    assert "这些表中没有相应字段" not in page
