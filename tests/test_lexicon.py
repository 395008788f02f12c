"""The language data: every file under data/ is read through one loader that checks it, and no cue list
is written twice (in two data lists, or in the code beside the data)."""

from __future__ import annotations

import ast
import itertools
from importlib import resources
from pathlib import Path

import pytest

import report_parser
from report_parser.lexicon import SHAPES, DataError, alternation, check, load

SRC = Path(report_parser.__file__).resolve().parent
DATA_FILES = sorted(p.name for p in resources.files("report_parser.data").iterdir() if p.name.endswith(".json"))


@pytest.mark.parametrize("name", DATA_FILES)
def test_every_data_file_is_known_and_well_formed(name: str):
    assert name in SHAPES, f"{name} has no entry in lexicon.SHAPES"
    assert load(name)  # checked on reading
    assert all(not k.startswith("_") for k in load(name))


@pytest.mark.parametrize(("data", "error"), [
    ([], "expected a JSON object"),
    ({"labels": {"problem": ["问题"]}}, "no _about note"),
    ({"_about": "x"}, "labels is missing"),
    ({"_about": "x", "labels": {"problem": ["问题", "问题"]}}, "'问题' is listed twice"),
    ({"_about": "x", "labels": {"problem": "问题"}}, "expected a list of non-empty strings"),
    ({"_about": "x", "labels": {"problem": ["问题", ""]}}, "expected a list of non-empty strings"),
])
def test_a_malformed_file_is_refused_with_its_reason(data, error: str):
    with pytest.raises(DataError, match=error):
        check("fields.json", data)


def test_a_selection_must_come_from_its_list():
    bad = dict(load("metrics.json"), _about="x", named_rule_units=["项", "顷"])
    with pytest.raises(DataError, match="named_rule_units lists words that are not in count_units"):
        check("metrics.json", bad)


def test_patterns_must_compile_and_files_must_be_known():
    bad = dict(load("sections.json"), _about="x", problem_part=["(?:问题"])
    with pytest.raises(DataError, match="problem_part"):
        check("sections.json", bad)
    with pytest.raises(DataError, match="not a known data file"):
        check("new.json", {"_about": "x"})


def _word_lists() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, shapes in SHAPES.items():
        data = load(name)
        for key, shape in shapes.items():
            if shape.startswith("words in "):
                continue  # a declared selection from another list, checked on loading
            if shape == "words":
                out[f"{name}:{key}"] = list(data[key])
            elif shape == "table":
                out.update({f"{name}:{key}.{k}": list(v) for k, v in data[key].items()})
            elif shape == "pairs":
                out[f"{name}:{key}"] = [w for w, _ in data[key]]
    return out


def test_no_list_is_a_copy_of_another():
    """The same word may play two parts (依据 opens a body and an action), but a list that shares three
    words or more and half of itself with another is a copy: it should be written once and the two
    uses composed from it (or declared a selection: `words in KEY`)."""
    lists = _word_lists()
    assert len(lists) > 30
    copies = []
    for (a, wa), (b, wb) in itertools.combinations(lists.items(), 2):
        shared = set(wa) & set(wb)
        if len(shared) >= 3 and 2 * len(shared) >= min(len(set(wa)), len(set(wb))):
            copies.append((a, b, sorted(shared)))
    assert copies == []


def _written_lists():
    """(file, line, words) of every alternation in a string of the code (`下一步|下步|今后`) and every
    tuple, list or set of string literals."""
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and "|" in node.value:
                yield path.name, node.lineno, node.value.split("|")
            elif isinstance(node, (ast.Tuple, ast.List, ast.Set)):
                items = [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
                if len(items) >= 3:
                    yield path.name, node.lineno, items


def _bare(piece: str) -> str:
    """The literal core of an alternative: 下一步 from `(?:下一步`, 委员会 from `委员会)(?!委员)`."""
    return "".join(ch for ch in piece if "\u4e00" <= ch <= "\u9fff")


def test_no_cue_list_is_written_out_in_code():
    """Three or more words of one data list written as alternatives in the code is that list copied:
    the code should read it from the data (lexicon.load) instead."""
    lists = {k: {w for w in v if len(w) >= 2} for k, v in _word_lists().items()}
    found = []
    for where, line, pieces in _written_lists():
        written = {_bare(p) for p in pieces} - {""}
        for key, words in lists.items():
            hits = sorted(written & words)
            if len(hits) >= 3:
                found.append((where, line, key, hits))
    assert found == []


def test_alternation_tries_longer_words_first_unless_ordered():
    assert alternation(["整改", "整改措施"]) == "整改措施|整改"
    assert alternation(["交叉", "提级交叉"], ordered=True) == "交叉|提级交叉"
    assert alternation(["a.b"]) == r"a\.b"
