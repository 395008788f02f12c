"""`report-parser export`: a batch output directory → one .xlsx workbook (the writer is xlsx.py)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from .xlsx import BOM, COLUMNS_ZH, SHEETS_ZH, TABLE_COLUMNS_ZH, TEXT_COLUMNS, csv_text, label, write_xlsx

__all__ = ["BOM", "COLUMNS_ZH", "SHEETS_ZH", "TABLE_COLUMNS_ZH", "TEXT_COLUMNS", "add_arguments", "batch_tables",
           "csv_text", "label", "write_xlsx"]


def batch_tables(tables_dir: str | os.PathLike[str]) -> dict[str, Any]:
    """The comparison table first, then every table of a batch output directory."""
    import pandas as pd

    from .batch import compare_table
    from .frames import TABLES

    out = Path(tables_dir)
    tables = {t: pd.read_parquet(out / f"{t}.parquet") for t in TABLES if (out / f"{t}.parquet").is_file()}
    return {"compare": compare_table(tables), **tables}


def add_arguments(sub: Any) -> None:
    p = sub.add_parser("export", help="write the tables of a batch as one Excel workbook",
                       description="One sheet per table (the comparison first), frozen header, identifiers as text.")
    p.add_argument("outdir", metavar="TABLES_DIR", help="a directory written by `report-parser batch`")
    p.add_argument("-o", "--output", metavar="OUT", default="tables.xlsx", help="the .xlsx file (default tables.xlsx)")
    p.add_argument("--labels", choices=("en", "zh"), default="en", help="column and sheet names (default en)")
    p.set_defaults(func=_cmd_export)


def _cmd_export(args: Any) -> int:
    from .report import check_tables_dir

    problem = check_tables_dir(args.outdir, "export")
    if problem:
        print(problem, file=sys.stderr)
        return 2
    try:
        out = write_xlsx(batch_tables(args.outdir), args.output, labels=args.labels)
    except OSError as e:
        print(f"report-parser export: {args.output}: cannot write: {e.strerror or e}", file=sys.stderr)
        return 2
    print(out)
    return 0
