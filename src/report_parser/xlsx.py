"""Excel-ready tables: DataFrames → one .xlsx workbook (openpyxl), and CSV text with a BOM.

Every sheet has a frozen, bold header row and an autofilter; identifiers and other text are written as text
cells (a `doc_id` such as `0012…` or a marker such as `001` keeps its zeros, a title starting with `=` is not
a formula); `labels="zh"` gives Chinese column and sheet names.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

BOM = "\ufeff"

SHEETS_ZH = {"compare": "单位比较", "documents": "通报", "nodes": "结构", "problems": "问题", "measures": "措施",
             "metrics": "数据", "topics": "问题领域", "warnings": "警告"}

# Column labels in Chinese; a column not listed keeps its name.
COLUMNS_ZH: dict[str, str] = {
    "doc_id": "文档编号", "issuer": "被巡察单位", "inspector": "巡察组", "inspection_start": "进驻日期",
    "inspection_end": "结束日期", "feedback_date": "反馈日期", "name": "文件", "sha256": "SHA-256", "format": "格式",
    "encoding": "编码", "chars": "字符数", "schema_version": "版本", "title": "标题", "issuer_type": "组织类型",
    "issuer_name": "被巡察单位", "issuer_key": "单位分组键", "issuer_sector": "单位类型", "sector": "单位类型",
    "region_province": "省", "region_city": "市", "region_county": "县区", "province": "省", "city": "市",
    "county": "县区", "level": "巡察层级", "round": "轮次", "scheme": "巡视/巡察", "kind": "类型", "coverage": "覆盖率",
    "n_sections": "部分数", "n_nodes": "节点数", "n_categories": "类别数", "n_problems": "问题数",
    "n_measures": "措施数", "n_metrics": "数据数", "n_summary_metrics": "概述数据数", "n_warnings": "警告数",
    "problems_fed_back": "反馈问题数", "problems_rectified": "已整改问题数",
    "problems_partly_rectified": "基本完成问题数", "problems_in_progress": "正在整改问题数",
    "completion_rate": "整改完成率", "measures_made": "整改措施数", "rules_made": "建立完善制度数",
    "people_disciplined": "处理人数", "funds_recovered": "追缴资金", "clues_handled": "移交线索数",
    "path": "路径", "parent": "上级路径", "depth": "层级", "role": "角色", "marker": "序号", "style": "序号样式",
    "ordinal": "序数", "status": "状态", "span_start": "起始位置", "span_end": "结束位置", "n_children": "下级数",
    "problem_path": "问题路径", "problem": "问题", "category_path": "类别路径", "category": "类别",
    "has_figure": "含数据", "boilerplate_group": "套话组", "text": "原文", "value": "数值", "unit": "计量单位",
    "approx": "约数", "date": "日期", "start": "开始", "end": "结束", "subject": "主题", "in_summary": "在概述中",
    "code": "代码", "message": "说明", "measures": "措施数", "problems": "问题数",
    "measures_per_problem": "每个问题措施数", "quantified_share": "含数据措施占比", "done_share": "已完成占比",
    "partial_share": "基本完成占比", "ongoing_share": "推进中占比", "planned_share": "计划占比",
    "boilerplate_share": "套话占比", "key": "单位分组键", "documents": "通报数",
    "problems_done_share": "问题已完成占比", "problems_partial_share": "问题基本完成占比",
    "problems_ongoing_share": "问题推进中占比", "problems_planned_share": "问题计划占比", "problem_status": "问题状态",
    "progress": "整改进展", "responsible_unit": "责任单位", "leader": "责任人",
    "deadline": "完成时限", "rank": "排序", "area": "领域", "cues": "提示词", "file": "文件",
}
# Where one name means different things in different tables.
TABLE_COLUMNS_ZH: dict[str, dict[str, str]] = {"compare": {"unit": "单位"}}
# Always text in Excel, whatever they look like.
TEXT_COLUMNS = frozenset({"doc_id", "sha256", "path", "parent", "problem_path", "category_path", "marker", "code",
                          "issuer_key", "key", "date", "start", "end", "feedback_date", "inspection_start",
                          "inspection_end"})


def csv_text(table: Any) -> str:
    """A DataFrame as CSV for Excel: UTF-8 with a byte order mark, so Chinese opens ungarbled."""
    return BOM + table.to_csv(index=False, lineterminator="\n")


def label(column: str, labels: str, table: str = "") -> str:
    if labels != "zh":
        return column
    return TABLE_COLUMNS_ZH.get(table, {}).get(column) or COLUMNS_ZH.get(column, column)


def write_xlsx(tables: Mapping[str, Any], output: str | os.PathLike[str], *, labels: str = "en") -> Path:
    """DataFrames → one workbook, a sheet per table in the given order."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    for name, df in tables.items():
        ws = wb.create_sheet(SHEETS_ZH.get(name, name) if labels == "zh" else name)
        cols = list(df.columns)
        ws.freeze_panes = "A2"
        for i, c in enumerate(cols, 1):
            width = 14 if c in TEXT_COLUMNS else (40 if c in ("title", "text", "message", "problem", "category")
                                                   else 12)
            ws.column_dimensions[get_column_letter(i)].width = width
        head = []
        for c in cols:
            cell = WriteOnlyCell(ws, value=label(c, labels, name))
            cell.font = bold
            head.append(cell)
        ws.append(head)
        columns = [_values(df[c], text=c in TEXT_COLUMNS) for c in cols]
        for row in zip(*columns, strict=True):
            out = []
            for v in row:
                if isinstance(v, str) and v.startswith("="):  # text, not a formula
                    cell = WriteOnlyCell(ws, value=v)
                    cell.data_type = "s"
                    out.append(cell)
                else:
                    out.append(v)
            ws.append(out)
        if cols:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{len(df) + 1}"
    out = Path(output)
    wb.save(out)
    return out


def _values(col: Any, *, text: bool) -> list[Any]:
    """A column as Python values for openpyxl: None for missing, str for text (illegal XML characters replaced)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    values = col.astype("object").where(col.notna(), None).tolist()
    sub = ILLEGAL_CHARACTERS_RE.sub
    if text:
        return [None if v is None else sub("\ufffd", str(v)) for v in values]
    return [sub("\ufffd", v) if isinstance(v, str) else (v.item() if hasattr(v, "item") else v) for v in values]
