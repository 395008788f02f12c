"""Comparing batch outputs: one row per notice (its unit) and its rendering as Markdown, CSV or JSON."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

# The documents-table columns a comparison row carries as they are (the unit's facts, then its totals).
_FACTS = ("sector", "level", "region_province", "region_city", "region_county", "round")
_TOTALS = ("problems_fed_back", "problems_rectified", "problems_partly_rectified", "problems_in_progress",
           "completion_rate", "measures_made", "rules_made", "people_disciplined", "funds_recovered", "clues_handled")
_PROBLEM_SHARES = ("problems_done_share", "problems_partial_share", "problems_ongoing_share")


def compare_table(source: str | os.PathLike[str] | dict[str, Any]) -> Any:
    """One row per notice, keyed by its unit (`issuer.key`, so one unit's notices of several years sort
    together), with the file it came from: the unit's facts, problems, measures, quantified and status
    shares (of measures and of problems) and the headline totals.

    `source` is a batch output directory or the tables of `report_parser.frames`. Sorted by key, then
    feedback date. `boilerplate_share` is added when the measures table has `boilerplate_group` values.
    """
    import pandas as pd

    from .write import read_tables

    tables = read_tables(source) if not isinstance(source, dict) else source
    docs, measures = tables["documents"], tables["measures"]
    # groups exist only when analysis ran: an all-empty column means no share to report
    grouped = "boilerplate_group" in measures.columns and bool(measures["boilerplate_group"].notna().any())
    by_doc = dict(tuple(measures.groupby("doc_id", sort=False))) if len(measures) else {}  # one pass, not one per notice
    no_measures = measures.iloc[0:0]
    out_rows = [_row(d._asdict(), by_doc.get(d.doc_id, no_measures), grouped) for d in docs.itertuples(index=False)]
    cols = ["key", "unit", "file", *_FACTS, "feedback_date", "doc_id", "problems", "measures", "measures_per_problem",
            "quantified_share", "done_share", "ongoing_share", "planned_share", *_PROBLEM_SHARES, *_TOTALS]
    if grouped:
        cols.append("boilerplate_share")
    table = pd.DataFrame(out_rows, columns=cols)
    first_number = cols.index("problems")
    for c in cols[first_number:]:
        table[c] = table[c].astype("Int64" if c in ("problems", "measures") else "Float64")
    return table.sort_values(["key", "feedback_date", "doc_id"], na_position="last", kind="stable").reset_index(drop=True)


def _text(v: Any) -> str | None:
    return v if isinstance(v, str) else None


def _row(d: dict[str, Any], m: Any, grouped: bool) -> dict[str, Any]:
    """The comparison row of one documents row `d` and its measures `m`."""
    n_m = len(m)
    stem = Path(str(d.get("name"))).stem
    status = m["status"].astype("string")

    def share(mask: Any) -> float | None:
        return round(float(mask.sum()) / n_m, 4) if n_m else None

    row = {
        "key": _text(d.get("issuer_key")) or _text(d.get("issuer")) or stem,
        "unit": _text(d.get("issuer")) or stem,
        "file": _text(d.get("name")),
        **{c: _text(d.get(c)) for c in _FACTS},
        "feedback_date": _text(d.get("feedback_date")),
        "doc_id": d.get("doc_id"),
        "problems": int(d.get("n_problems") or 0),
        "measures": n_m,
        "measures_per_problem": round(n_m / d["n_problems"], 2) if d.get("n_problems") else None,
        "quantified_share": share(m["has_figure"].fillna(False).astype(bool)),
        "done_share": share(status.eq("done").fillna(False)),
        "ongoing_share": share(status.eq("ongoing").fillna(False)),
        "planned_share": share(status.eq("planned").fillna(False)),
        **{c: _num(d.get(c)) for c in (*_PROBLEM_SHARES, *_TOTALS)},
    }
    if grouped:
        row["boilerplate_share"] = share(m["boilerplate_group"].notna())
    return row


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

