"""The output built without validation (assemble.trusted) is what validation would make, and the
check the test suite runs on every parse (assemble.check) catches a model built wrong."""

from __future__ import annotations

import pytest
from conftest import SAMPLE

from report_parser import assemble
from report_parser.models import Document, Metric, Node, Text
from report_parser.pipeline import parse

GOOD = {"kind": "count", "text": "3个", "span": (0, 2), "value": 3, "unit": "个", "approx": False,
        "date": None, "start": None, "end": None, "subject": None}


def test_the_suite_checks_every_parse() -> None:
    assert assemble.CHECK_OUTPUT  # set by conftest.py


def test_a_trusted_model_equals_the_validated_one() -> None:
    built = assemble.trusted(Metric, dict(GOOD))
    assert built == Metric(**GOOD)
    assert built.model_dump_json() == Metric(**GOOD).model_dump_json()
    assemble.check(built)


@pytest.mark.parametrize("bad", [
    {**GOOD, "span": [0, 2]},  # a list where the contract has a pair
    {**GOOD, "kind": "weight"},  # not one of the kinds
    {**GOOD, "value": "3"},  # a string for a number
    dict(reversed(GOOD.items())),  # fields out of the model's order: the JSON would change
    {k: v for k, v in GOOD.items() if k != "subject"},  # a field missing
])
def test_check_catches_a_model_built_wrong(bad: dict) -> None:
    with pytest.raises(ValueError):  # pydantic's ValidationError and serialisation errors are ValueErrors
        assemble.check(assemble.trusted(Metric, bad))


def test_check_catches_a_wrong_nested_model() -> None:
    node = Node(role="paragraph", text="ab", span=(0, 2))
    node.fields["x"] = assemble.trusted(Text, {"text": "a", "span": [0, 1]})
    with pytest.raises(ValueError):
        assemble.check(node)


def test_a_parsed_document_is_its_validated_form() -> None:
    doc = parse(SAMPLE.read_text(encoding="utf-8"))
    again = Document.model_validate(doc.model_dump())
    assert again == doc
    assert again.model_dump_json() == doc.model_dump_json()
    assert type(doc.sections[0]) is Node and type(doc.contact.phones[0]) is Text


def test_fields_sets_are_the_given_fields_and_setting_one_changes_no_other_model() -> None:
    a, b = assemble.trusted(Metric, dict(GOOD)), assemble.trusted(Metric, dict(GOOD))
    assert a.model_fields_set == set(Metric.model_fields) == b.model_fields_set
    a.subject = "x"  # pydantic adds the name to a's fields set: already there
    assert b.model_fields_set == set(Metric.model_fields) and b.subject is None
    partial = {k: v for k, v in GOOD.items() if k != "subject"}
    assert assemble.trusted(Metric, partial).model_fields_set == set(partial)
    assert a.model_copy(update={"unit": "件"}).model_fields_set == set(Metric.model_fields)


def test_a_built_model_is_the_trusted_one() -> None:
    built = assemble.builder(Metric)(dict(GOOD))
    assert type(built) is Metric and built == assemble.trusted(Metric, dict(GOOD)) == Metric(**GOOD)
    assert built.model_fields_set == set(Metric.model_fields)
    assert built.model_dump_json() == Metric(**GOOD).model_dump_json()
    assemble.check(built)
    with pytest.raises(ValueError):  # built wrong: caught as for trusted
        assemble.check(assemble.builder(Metric)({**GOOD, "span": [0, 2]}))
