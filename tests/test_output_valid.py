"""Every fixture's output is valid against the contract: the pydantic models and the exported JSON Schema.

The parse builds the body's nodes and figures as plain data and has pydantic validate the whole
Document once, at the end; these checks make sure what comes out is what the contract says,
whatever path built it.
"""

from __future__ import annotations

import json

import pytest
from conftest import ROOT
from test_properties import schema_validator

from report_parser.cli import to_json
from report_parser.decode import load_path
from report_parser.errors import InputError
from report_parser.models import Document
from report_parser.pipeline import ParseOptions, parse_loaded

SOURCES = ("corpora", "tests/fixtures/notices", "tests/fixtures/compare", "tests/fixtures/layouts",
           "tests/fixtures/ledger", "tests/fixtures/formats")
EXTENSIONS = {".txt", ".docx", ".xlsx", ".html", ".htm", ".pdf"}


def _fixtures() -> list[str]:
    out = []
    for src in SOURCES:
        for p in sorted((ROOT / src).rglob("*")):
            if p.is_file() and p.suffix.lower() in EXTENSIONS:
                out.append(str(p.relative_to(ROOT)))
    return out


FIXTURES = _fixtures()


def test_there_are_fixtures_of_every_source() -> None:
    for src in SOURCES:
        assert any(f.startswith(src) for f in FIXTURES), src


@pytest.mark.parametrize("name", FIXTURES)
def test_fixture_output_is_valid(name: str) -> None:
    try:
        loaded = load_path(ROOT / name)
    except InputError:
        pytest.skip("refused by design (binary, encrypted, scanned, legacy)")
    doc = parse_loaded(loaded)
    assert type(doc) is Document
    again = Document.model_validate(doc.model_dump())
    assert again == doc
    data = json.loads(to_json(doc))
    schema_validator().validate(data)
    assert Document.model_validate(data) == doc


@pytest.mark.parametrize("name", ["corpora/seed/kuandian-investment-center-2025.txt",
                                  "tests/fixtures/layouts/labelled_fields.txt"])
def test_analysed_output_is_valid(name: str) -> None:
    doc = parse_loaded(load_path(ROOT / name), ParseOptions(analyze=True))
    assert Document.model_validate(doc.model_dump()) == doc
    schema_validator().validate(json.loads(to_json(doc)))
