"""Comparison tables: documented columns, stable dtypes, paths and ancestry, summary figures, compare."""

from __future__ import annotations

import importlib
import json
import re

import pandas as pd
import pytest
from conftest import ROOT, SAMPLE

import report_parser
from report_parser.batch import compare_table, format_table, to_markdown

# `from report_parser import frames` would give the package-level function, not the module
frames_mod = importlib.import_module("report_parser.frames")
DOC_PAGE = ROOT / "docs" / "tables.md"
SHA = "ab" * 32


def documented_columns() -> dict[str, list[str]]:
    """The columns docs/tables.md lists for each table, key columns first."""
    text = DOC_PAGE.read_text(encoding="utf-8")
    section = text.split("<!-- section: comparison tables", 1)[1].split("<!-- end section: comparison tables", 1)[0]
    found: dict[str, list[str]] = {}
    for block in re.split(r"^### ", section, flags=re.M)[1:]:
        heading, _, body = block.partition("\n")
        cols = re.findall(r"^\| `([a-z0-9_]+)` \|", body, flags=re.M)
        found[heading.strip()] = cols
    key = found.pop("Key columns (first in every table)")
    return {t: key + found[t] for t in frames_mod.TABLES}


def _metric(kind: str, text: str, start: int, **kw) -> dict:
    return {"kind": kind, "text": text, "span": [start, start + len(text)], **kw}


def _node(role: str, start: int, end: int, *, title=None, marker=None, status=None, metrics=(), children=()):
    return {"role": role, "marker": marker, "style": "x" if marker else None, "ordinal": 1 if marker else None,
            "title": title, "text": "t" * (end - start), "span": [start, end], "status": status,
            "metrics": list(metrics), "children": list(children)}


def synthetic(sha: str = SHA, issuer: str | None = "中共某某局党组") -> dict:
    """A hand-built Document dict: summary subjects, a category › problem › measures tree."""
    measures = [
        _node("measure", 30, 50, title="建立台账", marker="一是", status="done",
              metrics=[_metric("count", "12项", 40, value=12, unit="项")]),
        _node("measure", 50, 70, title="年底前完成", marker="二是", status="planned",
              metrics=[_metric("date", "2025年", 55, date="2025")]),
        _node("measure", 70, 90, title="持续推进", marker="三是", status=None,
              children=[_node("paragraph", 75, 90, metrics=[_metric("money", "3万元", 80, value=30000, unit="元")])]),
    ]
    problem = _node("problem", 20, 90, title="问题一", marker="（1）", children=measures)
    return {
        "schema_version": "1.1",
        "source": {"name": "x/some.txt", "sha256": sha, "encoding": "utf-8", "format": "txt", "chars": 100},
        "title": {"text": "关于巡察整改进展情况的通报", "span": [0, 13], "value": "关于巡察整改进展情况的通报"},
        "issuer": {"name": issuer, "org_type": "党组", "span": [0, 6]} if issuer else None,
        "inspection": {"scheme": "巡察", "kind": "常规", "inspector": "县委第一巡察组", "start": "2024-03",
                       "end": "2024-05", "feedback_date": "2024-06-01"},
        "summary": [
            _metric("count", "反馈问题25个", 14, value=25, unit="个", subject="problems_fed_back"),
            _metric("count", "已完成整改19个", 15, value=19, unit="个", subject="problems_rectified"),
            _metric("percent", "76%", 16, value=76, unit="%", subject="completion_rate"),
        ],
        "sections": [_node("category", 18, 90, title="类别一", marker="一、", children=[problem])],
        "warnings": [{"code": "W101", "message": "year inferred", "span": [55, 60]},
                     {"code": "W301", "message": "no title", "span": None}],
        "coverage": 0.97,
    }


def test_columns_are_exactly_the_documented_ones():
    doc = report_parser.parse_file(SAMPLE)
    tables = frames_mod.frames([doc])
    documented = documented_columns()
    assert set(tables) == set(documented) == set(frames_mod.TABLES)
    for name, df in tables.items():
        assert list(df.columns) == documented[name] == frames_mod.COLUMNS[name], name
        assert {c: str(t) for c, t in df.dtypes.items()} == {
            c: str(pd.Series(dtype=t).dtype) for c, t in frames_mod.SCHEMAS[name].items()}, name
    for name in frames_mod.TABLES:  # an empty input gives the same columns and dtypes
        empty = frames_mod.frames([])[name]
        assert empty.empty and list(empty.dtypes) == list(tables[name].dtypes)


def test_document_and_its_json_give_the_same_tables_and_key_columns_everywhere():
    doc = report_parser.parse_file(SAMPLE)
    a = frames_mod.frames([doc])
    b = frames_mod.frames([json.loads(doc.model_dump_json())])
    for name in frames_mod.TABLES:
        pd.testing.assert_frame_equal(a[name], b[name])
        key = a[name][list(frames_mod.KEY_COLUMNS)].drop_duplicates()
        assert key.to_dict("records") == [{
            "doc_id": doc.source.sha256[:16], "issuer": doc.issuer.name, "issuer_key": doc.issuer.key,
            "inspector": doc.inspection.inspector,
            "inspection_start": doc.inspection.start, "inspection_end": doc.inspection.end,
            "feedback_date": doc.inspection.feedback_date}] or a[name].empty
    nodes = a["nodes"]
    assert len(nodes) == sum(1 for _ in doc.walk())
    assert len(a["measures"]) == sum(1 for n in doc.walk() if n.role == "measure")
    assert a["documents"].loc[0, "n_measures"] == len(a["measures"])
    assert a["metrics"]["in_summary"].sum() == len(doc.summary)
    # spans point back into the source
    text = SAMPLE.read_text(encoding="utf-8")
    for r in a["metrics"].itertuples():
        assert text[r.span_start:r.span_end] == r.text


def test_paths_ancestry_and_figures_of_a_hand_built_document():
    t = frames_mod.frames([synthetic()])
    nodes = t["nodes"]
    assert nodes["path"].tolist() == ["1", "1/1", "1/1/1", "1/1/2", "1/1/3", "1/1/3/1"]
    assert nodes["parent"].tolist()[1:] == ["1", "1/1", "1/1", "1/1", "1/1/3"]
    assert pd.isna(nodes["parent"][0])
    assert nodes["depth"].tolist() == [1, 2, 3, 3, 3, 4]
    assert nodes["n_children"].tolist() == [1, 3, 0, 0, 1, 0]
    m = t["measures"]
    assert m["problem_path"].tolist() == ["1/1"] * 3 and m["problem"].tolist() == ["问题一"] * 3
    assert m["category"].tolist() == ["类别一"] * 3
    assert m["has_figure"].tolist() == [True, False, True]  # a date alone is no figure; a sub-item's is
    assert m["n_metrics"].tolist() == [1, 1, 1]
    met = t["metrics"]
    assert met["in_summary"].tolist() == [True, True, True, False, False, False]
    assert met["path"].tolist()[3:] == ["1/1/1", "1/1/2", "1/1/3/1"]
    assert met["role"].tolist()[3:] == ["measure", "measure", "paragraph"]
    d = t["documents"].iloc[0]
    assert (d["problems_fed_back"], d["problems_rectified"], d["completion_rate"]) == (25, 19, 76)
    assert (d["n_problems"], d["n_measures"], d["n_metrics"], d["doc_id"]) == (1, 3, 6, SHA[:16])
    w = t["warnings"]
    assert w["code"].tolist() == ["W101", "W301"] and pd.isna(w["span_start"][1])


def test_package_level_frames_keeps_working_after_the_module_is_imported():
    doc = synthetic()
    first = report_parser.frames([doc])
    second = report_parser.frames([doc])  # `report_parser.frames` is now the module, which is callable
    pd.testing.assert_frame_equal(first["nodes"], second["nodes"])


def test_compare_uses_summary_figures_and_optional_boilerplate():
    t = frames_mod.frames([synthetic(), synthetic(sha="cd" * 32, issuer=None)])
    cmp = compare_table(t)
    assert "boilerplate_share" not in cmp.columns
    row = cmp[cmp["unit"] == "中共某某局党组"].iloc[0]
    assert (row["problems"], row["measures"], row["measures_per_problem"]) == (1, 3, 3.0)
    assert row["quantified_share"] == pytest.approx(2 / 3, abs=1e-4)
    assert (row["done_share"], row["planned_share"], row["ongoing_share"]) == (pytest.approx(1 / 3, abs=1e-4),
                                                                             pytest.approx(1 / 3, abs=1e-4), 0)
    assert (row["problems_fed_back"], row["problems_rectified"], row["completion_rate"]) == (25, 19, 76)
    assert cmp["unit"].tolist() == ["some", "中共某某局党组"]  # no issuer: the file name stands in; sorted
    t["measures"]["boilerplate_group"] = pd.array([1, None, 2, None, None, None], dtype="Int64")
    cmp = compare_table(t)
    assert cmp["boilerplate_share"].tolist() == [0.0, pytest.approx(2 / 3, abs=1e-4)]


def test_markdown_is_written_by_hand_and_escapes_pipes():
    df = pd.DataFrame({"unit": ["a|b", None], "n": pd.array([1, None], dtype="Int64"), "x": [0.5, float("nan")]})
    md = to_markdown(df)
    assert md.splitlines() == ["| unit | n | x |", "|---|---:|---:|", "| a\\|b | 1 | 0.5 |", "|  |  |  |"]
    assert json.loads(format_table(df, "json")) == [{"unit": "a|b", "n": 1, "x": 0.5},
                                                    {"unit": None, "n": None, "x": None}]
    assert format_table(df, "csv").splitlines()[0] == "\ufeffunit,n,x"
