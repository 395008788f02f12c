"""The package's modules import one another without a cycle (lazy imports inside functions included)."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import report_parser

PKG = Path(report_parser.__file__).resolve().parent


def _module_name(path: Path) -> str:
    parts = ("report_parser", *path.relative_to(PKG).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in PKG.rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for mod, path in modules.items():
        package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        typing_only = {id(n) for block in ast.walk(tree) if _is_type_checking(block) for n in ast.walk(block)}
        for node in ast.walk(tree):
            if id(node) in typing_only:
                continue  # `if TYPE_CHECKING:` imports are for annotations and never run
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                    base = f"{anchor}.{base}" if base else anchor
                # `from . import metrics` names a module; `from .errors import Code` names a member
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            else:
                continue
            graph[mod] |= {t for t in targets if t in modules and t != mod}
    return graph


def test_graph_covers_the_package():
    graph = _graph()
    assert {"report_parser.pipeline", "report_parser.decode", "report_parser.formats.html"} <= graph.keys()
    assert "report_parser.markers" in graph["report_parser.normalize"]
    assert "report_parser.charset" in graph["report_parser.formats.html"]


def test_no_import_cycle():
    try:
        tuple(TopologicalSorter(_graph()).static_order())
    except CycleError as exc:
        raise AssertionError(f"import cycle: {' → '.join(exc.args[1])}") from None


MAX_LINES = 60
# batch.py is being split into planning, running, writing and comparing; its run_batch is the one left.
LONG_ALLOWED: set[str] = set()  # batch.py, once the exception, is the batch package now


def test_functions_are_short_or_say_why():
    """A function over MAX_LINES lines reads as several: split it, or say why not in a `# long:` comment."""
    long = []
    for path in sorted(PKG.rglob("*.py")):
        if path.name in LONG_ALLOWED:
            continue
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                body = lines[node.lineno - 1:node.end_lineno]
                if len(body) > MAX_LINES and not any(ln.strip().startswith("# long:") for ln in body):
                    long.append(f"{path.name}:{node.lineno} {node.name} ({len(body)} lines)")
    assert long == []
