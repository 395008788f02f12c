"""Boilerplate groups reach the measures table and the per-unit comparison (with --analyze only)."""

from __future__ import annotations

import json

import pytest
from test_analysis import _notice

import report_parser
from report_parser.cli import main
from report_parser.pipeline import ParseOptions


def _write_pair(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(
        _notice("县招商服务中心", 4, "一是聘请第三方审计机构开展财务清查，形成审计报告并完成账目调整。"), encoding="utf-8")
    (tmp_path / "in" / "b.txt").write_text(
        _notice("县文化旅游局", 6, "一是停止使用现金报销，全面推行公务卡结算，每月与会计对账。"), encoding="utf-8")
    return tmp_path / "in"


def test_frames_fill_boilerplate_group_for_analysed_documents(tmp_path):
    folder = _write_pair(tmp_path)
    docs = [report_parser.parse_file(p, ParseOptions(analyze=True)) for p in sorted(folder.iterdir())]
    m = report_parser.frames(docs)["measures"]
    shared = m[m["boilerplate_group"].notna()]
    assert len(shared) == 4  # two shared measures in each of the two units
    assert set(shared.groupby("boilerplate_group")["doc_id"].nunique()) == {2}
    plain = report_parser.frames([report_parser.parse_file(p) for p in sorted(folder.iterdir())])["measures"]
    assert plain["boilerplate_group"].isna().all()


def test_batch_analyze_writes_groups_and_compare_reports_share(tmp_path, capsys):
    import pandas as pd

    folder = _write_pair(tmp_path)
    out = tmp_path / "out"
    assert main(["batch", str(folder), "-o", str(out), "-j", "1", "-q", "--analyze"]) == 0
    m = pd.read_parquet(out / "measures.parquet")
    assert m["boilerplate_group"].notna().sum() == 4
    capsys.readouterr()
    assert main(["compare", str(out), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    shares = sorted(r["boilerplate_share"] for r in rows)
    assert shares == [pytest.approx(2 / 3, abs=1e-3)] * 2
