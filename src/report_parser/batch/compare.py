"""Comparing batch outputs: one row per notice (its unit) and its rendering as Markdown, CSV or JSON."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def compare_table(source: str | os.PathLike[str] | dict[str, Any]) -> Any:
    """One row per notice (its unit): problems, measures, quantified and status shares, summary figures.

    `source` is a batch output directory or the tables of `report_parser.frames`. Sorted by unit, then
    feedback date. `boilerplate_share` is added when the measures table has `boilerplate_group` values.
    """
    import pandas as pd

    from .write import read_tables

    tables = read_tables(source) if not isinstance(source, dict) else source
    docs, measures = tables["documents"], tables["measures"]
    # groups exist only when analysis ran: an all-empty column means no share to report
    grouped = "boilerplate_group" in measures.columns and bool(measures["boilerplate_group"].notna().any())
    out_rows = []
    by_doc = dict(tuple(measures.groupby("doc_id", sort=False))) if len(measures) else {}  # one pass, not one per notice
    no_measures = measures.iloc[0:0]
    for d in docs.itertuples(index=False):
        m = by_doc.get(d.doc_id, no_measures)
        n_m = len(m)
        unit = d.issuer if isinstance(d.issuer, str) else Path(str(d.name)).stem
        status = m["status"].astype("string")

        def share(mask: Any, n: int = n_m) -> float | None:
            return round(float(mask.sum()) / n, 4) if n else None

        row = {
            "unit": unit,
            "feedback_date": d.feedback_date if isinstance(d.feedback_date, str) else None,
            "doc_id": d.doc_id,
            "problems": int(d.n_problems),
            "measures": n_m,
            "measures_per_problem": round(n_m / d.n_problems, 2) if d.n_problems else None,
            "quantified_share": share(m["has_figure"].fillna(False).astype(bool)),
            "done_share": share(status.eq("done").fillna(False)),
            "ongoing_share": share(status.eq("ongoing").fillna(False)),
            "planned_share": share(status.eq("planned").fillna(False)),
            "problems_fed_back": _num(d.problems_fed_back),
            "problems_rectified": _num(d.problems_rectified),
            "completion_rate": _num(d.completion_rate),
        }
        if grouped:
            row["boilerplate_share"] = share(m["boilerplate_group"].notna())
        out_rows.append(row)
    cols = ["unit", "feedback_date", "doc_id", "problems", "measures", "measures_per_problem", "quantified_share",
            "done_share", "ongoing_share", "planned_share", "problems_fed_back", "problems_rectified",
            "completion_rate"]
    if grouped:
        cols.append("boilerplate_share")
    table = pd.DataFrame(out_rows, columns=cols)
    for c in cols[3:]:
        table[c] = table[c].astype("Int64" if c in ("problems", "measures") else "Float64")
    return table.sort_values(["unit", "feedback_date", "doc_id"], na_position="last", kind="stable").reset_index(drop=True)


def _num(v: Any) -> float | int | None:
    if _missing(v):
        return None
    f = float(v)
    return int(f) if f.is_integer() else f


def _cell(v: Any) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, float):
        return f"{v:.4g}" if abs(v) < 1 else f"{v:g}"
    return str(v).replace("|", "\\|").replace("\n", " ")


def to_markdown(table: Any) -> str:
    """A DataFrame as a GitHub Markdown table, numbers right-aligned; no extra dependency."""
    from pandas.api.types import is_numeric_dtype

    cols = list(table.columns)
    records = [[None if _missing(v) else v for v in r] for r in table.astype("object").itertuples(index=False)]
    head = "| " + " | ".join(cols) + " |"
    rule = "|" + "|".join("---:" if is_numeric_dtype(table[c]) else "---" for c in cols) + "|"
    body = ["| " + " | ".join(_cell(v) for v in r) + " |" for r in records]
    return "\n".join([head, rule, *body]) + "\n"


def _missing(v: Any) -> bool:
    import pandas as pd

    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def format_table(table: Any, fmt: str) -> str:
    """The comparison table as `markdown`, `csv` (UTF-8 with BOM) or `json` (a list of records) text."""
    if fmt == "csv":  # with a byte order mark, so Excel reads it as UTF-8
        return "\ufeff" + table.to_csv(index=False, lineterminator="\n")
    if fmt == "json":
        records = [{k: (None if _missing(v) else v) for k, v in r.items()}
                   for r in table.astype("object").to_dict(orient="records")]
        return json.dumps(records, ensure_ascii=False, indent=2) + "\n"
    return to_markdown(table)

