"""The exploration notebook: committed without outputs, and it runs top to bottom on the bundled corpus."""

from __future__ import annotations

import nbformat
import pytest
from conftest import ROOT

NOTEBOOK = ROOT / "notebooks" / "explore.ipynb"


def test_committed_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code
    for cell in code:
        assert cell.outputs == [] and cell.execution_count is None, cell.source[:80]


@pytest.mark.parametrize("cwd", ["notebooks", "tmp"])
def test_runs_top_to_bottom(tmp_path, monkeypatch, cwd):
    from nbclient import NotebookClient

    out = tmp_path / "out"
    monkeypatch.setenv("REPORT_PARSER_EXPLORE_OUT", str(out))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    if cwd == "tmp":  # started outside the repository: the root comes from REPORT_PARSER_ROOT
        monkeypatch.setenv("REPORT_PARSER_ROOT", str(ROOT))
        path = tmp_path
    else:
        monkeypatch.delenv("REPORT_PARSER_ROOT", raising=False)
        path = NOTEBOOK.parent
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs)  # the comparison plot
    assert any("中共宽甸满族自治县招商服务中心党组" in str(o.get("data", {})) for o in outputs)  # the tables
    assert sorted(p.name for p in out.iterdir()) == sorted([
        "comparison.png", "documents.jsonl", "documents.parquet", "errors.jsonl", "manifest.json",
        "measures.parquet", "metrics.parquet", "nodes.parquet", "warnings.parquet"])
