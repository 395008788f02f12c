"""Parsed documents → pandas tables for comparison across units: documents, nodes, measures, metrics, warnings."""

from __future__ import annotations

import sys
import types
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

import pandas as pd

from .metrics import FIGURE_KINDS

# The columns every table starts with, so that tables join (or filter) without lookups.
KEY_COLUMNS: dict[str, str] = {
    "doc_id": "string",
    "issuer": "string",
    "issuer_key": "string",
    "inspector": "string",
    "inspection_start": "string",
    "inspection_end": "string",
    "feedback_date": "string",
}

# The headline totals (contract: totals) the documents table carries as columns, one per subject.
TOTAL_SUBJECTS = ("problems_fed_back", "problems_rectified", "problems_partly_rectified", "problems_in_progress",
                  "completion_rate", "measures_made", "rules_made", "people_disciplined", "funds_recovered",
                  "clues_handled")
SUMMARY_SUBJECTS = TOTAL_SUBJECTS  # the name earlier versions used
PROBLEM_STATUSES = ("done", "partial", "ongoing", "planned")
# Metric kinds that quantify (a number of things, an amount, a share); dates and periods don't.

_TABLE_COLUMNS: dict[str, dict[str, str]] = {
    "documents": {
        "name": "string",
        "sha256": "string",
        "format": "string",
        "encoding": "string",
        "chars": "Int64",
        "schema_version": "string",
        "title": "string",
        "issuer_type": "string",
        "sector": "string",
        "region_province": "string",
        "region_city": "string",
        "region_county": "string",
        "scheme": "string",
        "kind": "string",
        "level": "string",
        "round": "string",
        "coverage": "Float64",
        "n_sections": "Int64",
        "n_nodes": "Int64",
        "n_categories": "Int64",
        "n_problems": "Int64",
        "n_measures": "Int64",
        "n_metrics": "Int64",
        "n_summary_metrics": "Int64",
        "n_warnings": "Int64",
        **dict.fromkeys(TOTAL_SUBJECTS, "Float64"),
        **{f"problems_{s}_share": "Float64" for s in PROBLEM_STATUSES},
    },
    "nodes": {
        "path": "string",
        "parent": "string",
        "depth": "Int64",
        "role": "string",
        "marker": "string",
        "style": "string",
        "ordinal": "Int64",
        "title": "string",
        "status": "string",
        "span_start": "Int64",
        "span_end": "Int64",
        "n_metrics": "Int64",
        "n_children": "Int64",
    },
    "problems": {
        "path": "string",
        "category_path": "string",
        "category": "string",
        "marker": "string",
        "ordinal": "Int64",
        "title": "string",
        "status": "string",
        "n_measures": "Int64",
        "n_metrics": "Int64",
        "progress": "string",
        "responsible_unit": "string",
        "leader": "string",
        "deadline": "string",
        "text": "string",
        "span_start": "Int64",
        "span_end": "Int64",
    },
    "measures": {
        "path": "string",
        "problem_path": "string",
        "problem": "string",
        "category_path": "string",
        "category": "string",
        "marker": "string",
        "ordinal": "Int64",
        "title": "string",
        "status": "string",
        "n_metrics": "Int64",
        "has_figure": "boolean",
        "problem_status": "string",
        "text": "string",
        "span_start": "Int64",
        "span_end": "Int64",
        "boilerplate_group": "Int64",
    },
    "metrics": {
        "kind": "string",
        "text": "string",
        "value": "Float64",
        "unit": "string",
        "approx": "boolean",
        "date": "string",
        "start": "string",
        "end": "string",
        "subject": "string",
        "path": "string",
        "role": "string",
        "in_summary": "boolean",
        "span_start": "Int64",
        "span_end": "Int64",
    },
    "topics": {
        "path": "string",
        "problem": "string",
        "rank": "Int64",
        "area": "string",
        "cues": "string",
    },
    "warnings": {
        "code": "string",
        "message": "string",
        "span_start": "Int64",
        "span_end": "Int64",
    },
}

TABLES: tuple[str, ...] = tuple(_TABLE_COLUMNS)
# Every table's columns, in order, with their pandas dtypes.
SCHEMAS: dict[str, dict[str, str]] = {t: {**KEY_COLUMNS, **cols} for t, cols in _TABLE_COLUMNS.items()}
COLUMNS: dict[str, list[str]] = {t: list(cols) for t, cols in SCHEMAS.items()}


def doc_id(sha256: str) -> str:
    """The short document identifier: the first 16 hex digits of the input's sha256."""
    return sha256[:16]


def _as_dict(doc: Any) -> Mapping[str, Any]:
    if isinstance(doc, Mapping):
        return doc
    dump = getattr(doc, "model_dump", None)
    if dump is None:
        raise TypeError(f"expected a Document or a dict, got {type(doc).__name__}")
    return dump(mode="json")


def _span(obj: Mapping[str, Any] | None) -> tuple[int | None, int | None]:
    sp = obj.get("span") if obj else None
    return (sp[0], sp[1]) if sp else (None, None)


def _metric_row(key: dict[str, Any], m: Mapping[str, Any], path: str | None, role: str | None) -> dict[str, Any]:
    s, e = _span(m)
    return {
        **key,
        "kind": m.get("kind"),
        "text": m.get("text"),
        "value": m.get("value"),
        "unit": m.get("unit"),
        "approx": bool(m.get("approx", False)),
        "date": m.get("date"),
        "start": m.get("start"),
        "end": m.get("end"),
        "subject": m.get("subject"),
        "path": path,
        "role": role,
        "in_summary": path is None,
        "span_start": s,
        "span_end": e,
    }


def _subtree_metrics(node: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    out: list[Mapping[str, Any]] = []
    stack = [node]
    while stack:
        n = stack.pop()
        out.extend(n.get("metrics") or ())
        stack.extend(n.get("children") or ())
    return out


_Anc = tuple[str, str | None, str | None] | None  # (path, title, status) of the nearest problem or category


def _node_row(key: dict[str, Any], n: Mapping[str, Any], path: str, parent: str | None) -> dict[str, Any]:
    s, e = _span(n)
    return {
        **key,
        "path": path,
        "parent": parent,
        "depth": path.count("/") + 1,
        "role": n.get("role"),
        "marker": n.get("marker"),
        "style": n.get("style"),
        "ordinal": n.get("ordinal"),
        "title": n.get("title"),
        "status": n.get("status"),
        "span_start": s,
        "span_end": e,
        "n_metrics": len(n.get("metrics") or []),
        "n_children": len(n.get("children") or []),
    }


def _item_columns(n: Mapping[str, Any], category: _Anc) -> dict[str, Any]:
    """The columns a problem's row and a measure's row share: its category, marker, title and status."""
    return {
        "category_path": category[0] if category else None,
        "category": category[1] if category else None,
        "marker": n.get("marker"),
        "ordinal": n.get("ordinal"),
        "title": n.get("title"),
        "status": n.get("status"),
    }


def _measure_row(key: dict[str, Any], n: Mapping[str, Any], path: str, problem: _Anc, category: _Anc,
                 ) -> dict[str, Any]:
    s, e = _span(n)
    subtree = _subtree_metrics(n)
    return {
        **key,
        "path": path,
        "problem_path": problem[0] if problem else None,
        "problem": problem[1] if problem else None,
        **_item_columns(n, category),
        "n_metrics": len(subtree),
        "has_figure": any(m.get("kind") in FIGURE_KINDS for m in subtree),
        "problem_status": problem[2] if problem else None,
        "text": n.get("text"),
        "span_start": s,
        "span_end": e,
    }


def _problem_rows(key: dict[str, Any], n: Mapping[str, Any], path: str, category: _Anc,
                  out: dict[str, list[dict[str, Any]]]) -> None:
    """A problem's row and one row per topic area of it."""
    s, e = _span(n)
    out["problems"].append(_problem_row(key, n, path, category, s, e))
    for rank, t in enumerate(n.get("topics") or (), 1):
        out["topics"].append({**key, "path": path, "problem": n.get("title"), "rank": rank,
                              "area": t.get("area"), "cues": "、".join(t.get("cues") or ())})


def _tree_rows(key: dict[str, Any], sections: list[Mapping[str, Any]], out: dict[str, list[dict[str, Any]]]) -> None:
    """Node, problem, topic, measure and metric rows of the body: depth first, in document order; each
    entry carries its path and its nearest problem and category."""
    stack: list[tuple[Mapping[str, Any], str, str | None, _Anc, _Anc]] = []
    for i, n in reversed(list(enumerate(sections, 1))):
        stack.append((n, str(i), None, None, None))
    while stack:
        n, path, parent, problem, category = stack.pop()
        role = n.get("role")
        out["nodes"].append(_node_row(key, n, path, parent))
        out["metrics"].extend(_metric_row(key, m, path, role) for m in n.get("metrics") or [])
        if role == "problem":
            _problem_rows(key, n, path, category, out)
        if role == "measure":
            out["measures"].append(_measure_row(key, n, path, problem, category))
        if role == "problem":
            problem = (path, n.get("title"), n.get("status"))
        elif role == "category":
            category = (path, n.get("title"), None)
        for j, c in reversed(list(enumerate(n.get("children") or [], 1))):
            stack.append((c, f"{path}/{j}", path, problem, category))


def _document_row(key: dict[str, Any], d: Mapping[str, Any], out: dict[str, list[dict[str, Any]]],
                  ) -> dict[str, Any]:
    src = d.get("source") or {}
    issuer = d.get("issuer") or {}
    insp = d.get("inspection") or {}
    summary = d.get("summary") or []
    roles = [r["role"] for r in out["nodes"]]
    totals = d.get("totals")
    if totals is None:  # a Document of schema 1.0: the first summary figure of each subject
        totals = {}
        for m in summary:
            if m.get("subject") in TOTAL_SUBJECTS and m.get("value") is not None:
                totals.setdefault(m["subject"], m)
    figures: dict[str, Any] = {s: (totals.get(s) or {}).get("value") for s in TOTAL_SUBJECTS}
    statuses = [p["status"] for p in out["problems"]]
    shares = {f"problems_{s}_share": round(statuses.count(s) / len(statuses), 4) if statuses else None
              for s in PROBLEM_STATUSES}
    region = issuer.get("region") or {}
    return {
        **key,
        "name": src.get("name"),
        "sha256": src.get("sha256"),
        "format": src.get("format"),
        "encoding": src.get("encoding"),
        "chars": src.get("chars"),
        "schema_version": d.get("schema_version"),
        "title": (d.get("title") or {}).get("value") or (d.get("title") or {}).get("text"),
        "issuer_type": issuer.get("org_type"),
        "sector": issuer.get("sector"),
        "region_province": region.get("province"),
        "region_city": region.get("city"),
        "region_county": region.get("county"),
        "scheme": insp.get("scheme"),
        "kind": insp.get("kind"),
        "level": insp.get("level"),
        "round": insp.get("round"),
        "coverage": d.get("coverage"),
        "n_sections": len(d.get("sections") or []),
        "n_nodes": len(out["nodes"]),
        "n_categories": roles.count("category"),
        "n_problems": roles.count("problem"),
        "n_measures": roles.count("measure"),
        "n_metrics": len(out["metrics"]),
        "n_summary_metrics": len(summary),
        "n_warnings": len(out["warnings"]),
        **figures,
        **shares,
    }


def rows(doc: Any) -> dict[str, list[dict[str, Any]]]:
    """One document (a Document or its JSON dict) → the rows it contributes to each table."""
    d = _as_dict(doc)
    src = d.get("source") or {}
    issuer = d.get("issuer") or {}
    insp = d.get("inspection") or {}
    key = {
        "doc_id": doc_id(src.get("sha256") or ""),
        "issuer": issuer.get("name"),
        "issuer_key": issuer.get("key"),
        "inspector": insp.get("inspector"),
        "inspection_start": insp.get("start"),
        "inspection_end": insp.get("end"),
        "feedback_date": insp.get("feedback_date"),
    }
    out: dict[str, list[dict[str, Any]]] = {t: [] for t in TABLES}
    out["metrics"].extend(_metric_row(key, m, None, None) for m in d.get("summary") or [])
    _tree_rows(key, d.get("sections") or [], out)
    for w in d.get("warnings") or []:
        s, e = _span(w)
        out["warnings"].append({**key, "code": w.get("code"), "message": w.get("message"),
                                "span_start": s, "span_end": e})
    out["documents"].append(_document_row(key, d, out))
    return out


_FIELD_COLUMNS = {"progress": "progress", "unit": "responsible_unit", "leader": "leader", "deadline": "deadline"}


def _problem_row(key: dict[str, Any], n: Mapping[str, Any], path: str, category: Any,
                 s: int | None, e: int | None) -> dict[str, Any]:
    children = n.get("children") or []
    fields = n.get("fields") or {}
    return {
        **key,
        "path": path,
        **_item_columns(n, category),
        "n_measures": sum(1 for c in children if c.get("role") == "measure"),
        "n_metrics": len(_subtree_metrics(n)),
        **{col: (fields.get(f) or {}).get("text") for f, col in _FIELD_COLUMNS.items()},
        "text": n.get("text"),
        "span_start": s,
        "span_end": e,
    }


def empty(table: str) -> pd.DataFrame:
    """An empty table with the documented columns and dtypes."""
    return table_frame(table, [])


def table_frame(table: str, records: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows of one table → a DataFrame with exactly the documented columns, in order, with stable dtypes."""
    schema = SCHEMAS[table]
    data = {c: [r.get(c) for r in records] for c in schema}
    return pd.DataFrame({c: pd.array(v, dtype=schema[c]) for c, v in data.items()}, columns=list(schema))


def frames_from_rows(parts: Iterable[Mapping[str, list[dict[str, Any]]]]) -> dict[str, pd.DataFrame]:
    """Concatenate per-document rows (as returned by `rows`) into the tables."""
    collected: dict[str, list[dict[str, Any]]] = {t: [] for t in TABLES}
    for part in parts:
        for t in TABLES:
            collected[t].extend(part.get(t, ()))
    return {t: table_frame(t, collected[t]) for t in TABLES}


@cache
def arrow_schema(table: str) -> Any:
    """The Arrow schema of a table, with the pandas metadata that restores the dtypes on reading."""
    import pyarrow as pa

    return pa.Schema.from_pandas(empty(table), preserve_index=False)


def arrow_tables(part: Mapping[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Rows of one or more documents (as returned by `rows`, or several concatenated) → a pyarrow Table per table."""
    import pyarrow as pa

    return {t: pa.Table.from_pylist(part.get(t, []), schema=arrow_schema(t)) for t in TABLES}


def boilerplate_values(documents: Iterable[Any], doc_ids: Iterable[str], starts: Iterable[Any]) -> list[int | None]:
    """The `boilerplate_group` of each measures row (doc_id, span_start), from analysed documents."""
    from .boilerplate import boilerplate_groups
    from .models import Document

    docs = [d if isinstance(d, Document) else Document.model_validate(d) for d in documents]
    groups = {(doc_id(sha), start): g for (sha, start), g in boilerplate_groups(docs).items()}
    return [groups.get((i, None if pd.isna(s) else int(s))) for i, s in zip(doc_ids, starts, strict=True)]


def _analysed(doc: Any) -> bool:
    return _as_dict(doc).get("keywords") is not None


def frames(documents: Iterable[Any]) -> dict[str, pd.DataFrame]:
    """Documents (Document objects or their JSON dicts) → {table name: DataFrame}; see docs/tables.md.

    When the documents were parsed with analysis (`--analyze`), measures repeated almost word for
    word across units get a shared `boilerplate_group`."""
    docs = list(documents)
    out = frames_from_rows(rows(d) for d in docs)
    if docs and any(_analysed(d) for d in docs):
        m = out["measures"]
        m["boilerplate_group"] = pd.array(boilerplate_values(docs, m["doc_id"], m["span_start"]), dtype="Int64")
    return out


class _CallableModule(types.ModuleType):
    """Importing this module rebinds `report_parser.frames` to it; calling it still builds the tables."""

    def __call__(self, documents: Iterable[Any]) -> dict[str, pd.DataFrame]:
        return frames(documents)


sys.modules[__name__].__class__ = _CallableModule
