"""The exploration notebook: committed without outputs, and it runs top to bottom on the bundled corpus."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT, SAMPLE

NOTEBOOK = ROOT / "notebooks" / "explore.ipynb"


def test_committed_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code
    for cell in code:
        assert cell.outputs == [] and cell.execution_count is None, cell.source[:80]


def _cjk_font_files() -> list[str]:
    from matplotlib import font_manager

    return [f for f in font_manager.findSystemFonts() if "cjk" in Path(f).name.lower()]


def test_parameters_cell_is_tagged_for_papermill():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and "REPORT_PARSER_CORPUS" in tagged[0].source and "CORPUS =" in tagged[0].source


@pytest.mark.parametrize("cwd", ["notebooks", "tmp"])
def test_runs_top_to_bottom(tmp_path, monkeypatch, cwd):
    from nbclient import NotebookClient

    out = tmp_path / "out"
    monkeypatch.setenv("REPORT_PARSER_EXPLORE_OUT", str(out))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    if cwd == "tmp":  # started outside the repository: the root comes from REPORT_PARSER_ROOT
        monkeypatch.setenv("REPORT_PARSER_ROOT", str(ROOT))
        path = tmp_path
        corpus = tmp_path / "my notices"  # an analyst's own folder, given as the CORPUS parameter
        corpus.mkdir()
        shutil.copy(SAMPLE, corpus / "宽甸.txt")
        shutil.copy(ROOT / "tests" / "fixtures" / "formats" / "notice-gbk.html", corpus)
        monkeypatch.setenv("REPORT_PARSER_CORPUS", str(corpus))
    else:
        monkeypatch.delenv("REPORT_PARSER_ROOT", raising=False)
        monkeypatch.delenv("REPORT_PARSER_CORPUS", raising=False)
        path = NOTEBOOK.parent
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs)  # the comparison plot
    assert any("中共宽甸满族自治县招商服务中心党组" in str(o.get("data", {})) for o in outputs)  # the tables
    text = "".join(str(o.get("text", "")) + str(o.get("data", {})) for o in outputs)
    nankai = "中共南开大学委员会" in text
    assert nankai == (cwd != "tmp")  # the CORPUS parameter decides what is read
    assert "2 notices under" in text if cwd == "tmp" else "notices under" in text
    assert any("data-span=" in str(o.get("data", {}).get("text/html", "")) for o in outputs)  # Document view
    if _cjk_font_files():  # a CJK font on this machine: the notebook finds it and labels in Chinese
        assert "CJK font: none found" not in text and "CJK font:" in text
    assert sorted(p.name for p in out.iterdir()) == sorted([
        "comparison.png", "documents.jsonl", "documents.parquet", "errors.jsonl", "manifest.json",
        "measures.parquet", "metrics.parquet", "nodes.parquet", "problems.parquet", "topics.parquet",
        "warnings.parquet"])
