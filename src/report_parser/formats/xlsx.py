"""Excel .xlsx to text: every sheet in order, a line per row; a ledger sheet keeps its table structure."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

from report_parser.errors import InputError
from report_parser.formats.table import Grid, GridCell, LedgerTable, TextBuilder, clean

MAX_CELLS = 2_000_000  # cells a sheet may span; more is not a notice


def _cell_text(value: Any) -> str:
    """A cell's value as a reader sees it: whole numbers without `.0`, dates in the Chinese way."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        if (value.hour, value.minute, value.second) == (0, 0, 0):
            return f"{value.year}年{value.month}月{value.day}日"
        return f"{value.year}年{value.month}月{value.day}日 {value:%H:%M}"
    if isinstance(value, dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    return clean(str(value))


def _sheet_grid(ws: Any) -> Grid:
    """The sheet's used cells as a grid; a merged range is one cell holding its top-left value."""
    merged: dict[tuple[int, int], tuple[int, int]] = {}
    covered: set[tuple[int, int]] = set()
    for rng in ws.merged_cells.ranges:
        merged[(rng.min_row, rng.min_col)] = (rng.max_row - rng.min_row + 1, rng.max_col - rng.min_col + 1)
        for r in range(rng.min_row, rng.max_row + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                if (r, c) != (rng.min_row, rng.min_col):
                    covered.add((r, c))
    cells: list[GridCell] = []
    first_row = ws.min_row
    first_col = ws.min_column
    for row in ws.iter_rows():
        for cell in row:
            key = (cell.row, cell.column)
            if key in covered:
                continue
            text = _cell_text(cell.value)
            rowspan, colspan = merged.get(key, (1, 1))
            if text or key in merged:
                cells.append(GridCell(text, cell.row - first_row, cell.column - first_col, rowspan, colspan))
    return Grid(cells)


def extract_xlsx(data: bytes, name: str | None = None) -> tuple[str, tuple[LedgerTable, ...]]:
    """Every visible sheet's text in reading order (sheet by sheet, row by row, cells in column order)
    and the ledger tables among them."""
    import openpyxl

    from report_parser import budget

    budget.check_package(data, name, ".xlsx")  # bombs refused before openpyxl inflates the parts
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, EOFError) as exc:
        raise InputError(name, f"corrupt or truncated .xlsx ({type(exc).__name__}: {exc})") from None
    except Exception as exc:  # openpyxl raises many kinds on malformed parts
        raise InputError(name, f"unreadable .xlsx ({type(exc).__name__}: {exc})") from None
    out = TextBuilder()
    try:
        for ws in wb.worksheets:
            if ws.sheet_state != "visible":
                continue
            if ws.max_row * ws.max_column > MAX_CELLS:
                raise InputError(name, f"sheet {ws.title!r} spans more than {MAX_CELLS} cells")
            grid = _sheet_grid(ws)
            if out.pos:
                out.line("")
            if not out.table(grid):
                out.rows(grid)
    finally:
        wb.close()
    return out.result()
