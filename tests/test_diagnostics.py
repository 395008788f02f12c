"""One diagnostics path: the codes the parser can emit are exactly the catalogue's, each with a message."""

from __future__ import annotations

import ast
import json
import string
from pathlib import Path

import pytest

import report_parser
from report_parser.errors import CATALOGUE, Code, Diagnostic

SRC = Path(report_parser.__file__).resolve().parent
ROOT = SRC.parent.parent


def _modules() -> list[tuple[Path, ast.Module]]:
    return [(p, ast.parse(p.read_text(encoding="utf-8"))) for p in sorted(SRC.rglob("*.py"))]


def _code_of(node: ast.AST) -> str | None:
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Code":
        return node.attr
    return None


def _emitted() -> set[str]:
    """Every `Code.Wxxx` the package refers to outside the catalogue itself."""
    return {c for p, tree in _modules() if p.name != "errors.py" or p.parent != SRC
            for node in ast.walk(tree) if (c := _code_of(node))}


def test_emitted_codes_equal_the_catalogue():
    assert set(CATALOGUE) == set(Code)
    assert _emitted() == {c.name for c in Code}


def test_codes_are_written_only_through_the_enum():
    """A bare "W101" string in the code would bypass the enum and the catalogue."""
    bare = [(p.name, node.lineno, node.value) for p, tree in _modules() if p.name != "errors.py"
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value[:1] == "W"
            and node.value[1:].isdigit() and len(node.value) == 4]
    assert bare == []


def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def _call_sites():
    """(code, form, parameter names) of every call that passes a `Code.Wxxx` with its parameters."""
    for p, tree in _modules():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args or not _code_of(node.args[0]):
                continue
            code = _code_of(node.args[0])
            literal_forms = [a.value for a in node.args[1:] if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            form = literal_forms[0] if literal_forms else "default"
            names = {k.arg for k in node.keywords if k.arg}
            for a in node.args[1:]:
                if isinstance(a, ast.Dict):
                    names |= {k.value for k in a.keys if isinstance(k, ast.Constant)}
                branches = (a.body, a.orelse) if isinstance(a, ast.IfExp) else ()
                if all(isinstance(b, ast.Constant) and isinstance(b.value, str) for b in branches) and branches:
                    # "repeated" if … else "default": both forms
                    for b in branches:
                        yield p.name, node.lineno, code, b.value, names
                    form = None
            if form is not None:
                yield p.name, node.lineno, code, form, names


def test_every_call_site_gives_its_template_what_it_needs():
    sites = list(_call_sites())
    assert len(sites) >= 15
    for where, line, code, form, names in sites:
        entry = CATALOGUE[Code[code]]
        assert form == "default" or form in entry.templates, (where, line, code, form)
        template = entry.templates.get(form)
        if template is not None:
            assert _fields(template) <= names, (where, line, code, form, names)


@pytest.mark.parametrize("code", list(Code))
def test_every_template_renders(code: Code):
    entry = CATALOGUE[code]
    assert entry.meaning
    for form, template in {"default": entry.meaning, **entry.templates}.items():
        params = {f: 1 for f in _fields(template)}
        assert Diagnostic(code, None, params, form).message()


def test_schema_lists_the_codes():
    schema = json.loads((ROOT / "schemas" / "notice.schema.json").read_text(encoding="utf-8"))
    assert schema["$defs"]["ParseWarning"]["properties"]["code"]["$ref"].endswith("/Code")
    assert set(schema["$defs"]["Code"]["enum"]) == {c.value for c in Code}


def test_warning_messages_come_from_the_catalogue():
    doc = report_parser.parse("一、学习方面\n（一）学习不深入。\n（三）制度不健全。\n【一】加强学习。\n")
    by_code = {w.code: w.message for w in doc.warnings}
    assert by_code[Code.W201] == "(三) follows ordinal 1 of the same family"  # the matching text's form
    assert by_code[Code.W203] == "【一】 opens a line like a marker of no known style; read as text"
    assert by_code[Code.W301] == CATALOGUE[Code.W301].meaning
