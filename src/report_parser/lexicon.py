"""Language data: every cue list and word table under data/, read and checked in one place."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

import regex

# The shape of each entry of each file, checked when the file is read. `words`: a list of distinct
# literal strings; `patterns`: a list of distinct regular-expression fragments; `pattern`: one
# fragment; `table`: a mapping of names to word lists; `pairs`: a list of [written, meaning] pairs;
# `words in KEY`: words that each appear in the list KEY of the same file, or of another with
# `words in FILE:KEY` (a selection from it, not a copy); `any`: checked by the module that reads it. Keys that start with `_` are notes for the reader,
# and every file has an `_about` note saying what it holds and how it is matched.
SHAPES: Mapping[str, Mapping[str, str]] = MappingProxyType({
    "fields.json": {"labels": "table"},
    "measure_status.json": {"planned": "patterns", "ongoing": "words", "done": "words", "negations": "words",
                            "bare_done_blocked_after": "words", "future_in_clause": "words"},
    "sections.json": {"problem_part": "patterns", "other_part": "words", "progress_openers": "patterns",
                      "next_step": "words", "later": "words"},
    "header.json": {"page_labels": "patterns", "page_words": "words", "page_widgets": "words", "page_words_web": "words",
                    "page_labels_inline": "words", "index_labels": "words", "index_labels_inline": "words",
                    "web_labels": "words", "web_widgets": "words", "web_widget_marks": "words", "title_end_words": "words", "title_words": "words", "title_endings": "words",
                    "page_title_hints": "words", "body_openers": "words",
                    "org_types": "pairs", "inspection_kinds": "patterns", "inspector_lead_words": "words", "appeal": "patterns",
                    "contact_labels": "words", "address_labels": "words", "address_labels_in_block": "words",
                    "postcode_labels": "words", "footer_marks": "words", "page_footers": "patterns"},
    "actions.json": {"problem_cues": "words", "action_verbs": "words", "complaint_cues": "words"},
    "summary_subjects.json": {"subjects": "any", "totals": "any", "total_cues": "words"},
    "facts.json": {"sectors": "any", "sector_anywhere": "any", "status": "any", "status_labels": "pattern", "status_subjects": "pattern",
                   "state_heading": "pattern", "organising": "pattern", "plans": "pattern"},
    "metrics.json": {k: "words" for k in (
        "count_units", "event_units", "measure_units", "count_unit_prefixes", "bare_da_numerals", "duration_units",
        "duration_units_without_ge", "duration_units_after_ge", "money_units", "money_tail", "money_prefix_signs", "multipliers",
        "approx_prefixes", "approx_prefix_blockers", "approx_infixes", "ordinal_prefixes", "ordinal_after",
        "quote_open", "quote_close", "period_separators", "period_start_tail", "period_end_tail", "date_suffixes", "year_suffixes",
        "month_suffixes", "day_chars", "group_name_before", "named_rule_nouns", "named_rule_quoted_nouns",
        "fixed_terms")} | {"named_rule_units": "words in count_units"} | {k: "any" for k in (
        "bare_da_unit", "unit_blocked_before", "duration_unit_requires_after", "money_tail_blocked_before",
        "formal_digits", "quoted_term_max_chars", "title_open", "title_close", "title_max_chars",
        "suffix_blocked_before")} | {"kinds": "any"},
    "topics_cues.json": {"areas": "any"},
    "ledger.json": {"columns": "any", "field_labels_not_columns": "words in fields.json:labels", "status": "any"},
    "subjects.json": {"nominal_tags": "words", "modifier_tags": "words", "verb_tags": "words",
                      "category_suffixes": "words", "participle_prefixes": "words", "enumeration_end": "words",
                      "predicate_verbs": "words", "quantity_adverbs": "words", "terminal_nouns": "words",
                      "uncounted_event_units": "words"},
})


class DataError(ValueError):
    """A data file that does not have the shape its reader expects."""


def _check_words(where: str, value: Any, patterns: bool) -> None:
    if not isinstance(value, list) or not all(isinstance(w, str) and w for w in value):
        raise DataError(f"{where}: expected a list of non-empty strings")
    seen: set[str] = set()
    for w in value:
        if w in seen:
            raise DataError(f"{where}: {w!r} is listed twice")
        seen.add(w)
        if patterns:
            _check_pattern(f"{where}: {w!r}", w)


def _check_pattern(where: str, value: Any) -> None:
    if not isinstance(value, str) or not value:
        raise DataError(f"{where}: expected a regular expression")
    try:
        regex.compile(value)
    except regex.error as exc:
        raise DataError(f"{where}: {exc}") from None


def _check_value(where: str, shape: str, value: Any) -> None:
    if shape in ("words", "patterns"):
        _check_words(where, value, shape == "patterns")
    elif shape == "pattern":
        _check_pattern(where, value)
    elif shape == "table":
        if not isinstance(value, dict) or not value:
            raise DataError(f"{where}: expected a mapping of names to word lists")
        for k, v in value.items():
            _check_words(f"{where}.{k}", v, False)
    elif shape == "pairs":
        if not isinstance(value, list) or not all(
                isinstance(p, list) and len(p) == 2 and all(isinstance(s, str) and s for s in p) for p in value):
            raise DataError(f"{where}: expected a list of [written, meaning] pairs")
        _check_words(where, [p[0] for p in value], False)


def _words_of(data: Mapping[str, Any], within: str) -> set[str]:
    """The words of the list `within` of `data`, or of `other.json:key` (every list of a table)."""
    if ":" in within:
        other, _, within = within.partition(":")
        data = load(other)
    value = data.get(within, ())
    if isinstance(value, dict):
        return {w for words in value.values() for w in words}
    return set(value)


def check(name: str, data: Any) -> None:
    """Raise DataError unless `data` (the parsed file `name`) has the shape SHAPES gives it."""
    if not isinstance(data, dict):
        raise DataError(f"{name}: expected a JSON object")
    about = data.get("_about")
    if not isinstance(about, str) or not about.strip():
        raise DataError(f"{name}: no _about note saying what the file holds")
    shapes = SHAPES.get(name)
    if shapes is None:
        raise DataError(f"{name}: not a known data file (add it to lexicon.SHAPES)")
    for key, shape in shapes.items():
        if key not in data:
            raise DataError(f"{name}: {key} is missing")
        shape, _, within = shape.partition(" in ")
        _check_value(f"{name}: {key}", shape, data[key])
        if within and not set(data[key]) <= _words_of(data, within):
            raise DataError(f"{name}: {key} lists words that are not in {within}")


@cache
def load(name: str) -> Mapping[str, Any]:
    """The data file `name` (under report_parser/data/), checked; notes (`_…` keys) left out."""
    data = json.loads(resources.files("report_parser.data").joinpath(name).read_text("utf-8"))
    check(name, data)
    return MappingProxyType({k: v for k, v in data.items() if not k.startswith("_")})


def alternation(*lists: Iterable[str], ordered: bool = False) -> str:
    """Literal words as a regex alternation: longest first (so 整改措施 is tried before 整改), or in
    the order given where the data lists them in the order they are to be tried."""
    words = [w for ws in lists for w in ws]
    return "|".join(regex.escape(w) for w in (words if ordered else sorted(words, key=len, reverse=True)))


def patterns(*lists: Iterable[str]) -> str:
    """Pattern fragments as one alternation, in the order given."""
    return "|".join(p for ps in lists for p in ps)
