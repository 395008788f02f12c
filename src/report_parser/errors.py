"""Error and warning catalogue: every code the parser emits, its meaning and its message templates."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType


class InputError(Exception):
    """An input that cannot be parsed; the message names the file and the reason on one line."""

    def __init__(self, name: str | None, reason: str) -> None:
        self.name = name or "<input>"
        # one line whatever the reason quotes: a library's message may span several (lxml's does)
        self.reason = " ".join(reason.split())
        super().__init__(f"{self.name}: {self.reason}")


class Code(StrEnum):
    """Warning codes carried in Document.warnings. Stable: analysts filter on them.

    W1xx figures, W2xx numbering and fields, W3xx parts and text, W4xx skipped text, W5xx decoding.
    The package names a warning only through this enum, so the codes it can emit are its members."""

    W101 = "W101"
    W102 = "W102"
    W103 = "W103"
    W201 = "W201"
    W202 = "W202"
    W203 = "W203"
    W204 = "W204"
    W205 = "W205"
    W301 = "W301"
    W302 = "W302"
    W303 = "W303"
    W304 = "W304"
    W305 = "W305"
    W306 = "W306"
    W307 = "W307"
    W401 = "W401"
    W402 = "W402"
    W501 = "W501"
    W502 = "W502"
    W503 = "W503"
    W504 = "W504"
    W505 = "W505"
    W506 = "W506"
    W507 = "W507"


@dataclass(frozen=True, slots=True)
class Entry:
    """What a code means, and the messages it is reported with (`str.format` templates by form)."""

    meaning: str
    templates: Mapping[str, str] = field(default_factory=dict)  # form → template; "default" if absent: meaning


CATALOGUE: Mapping[Code, Entry] = MappingProxyType({
    Code.W101: Entry("year inferred from context for a date written without one", {
        "default": "year {year} inferred from context for {text!r}",
        "feedback": "feedback date {text} read as {date}, the first such day after the on-site period"}),
    Code.W102: Entry("damaged figure (digits missing or garbled); no metric reported", {
        "default": "damaged date {text!r}: digits missing; no figure reported"}),
    Code.W103: Entry("date out of range; no metric reported", {
        "default": "date out of range {text!r}; no figure reported"}),
    Code.W201: Entry("numbering gap: an ordinal was skipped", {
        "default": "{marker} follows ordinal {prev} of the same family",
        "start": "{marker} opens a list that does not start at 1"}),
    Code.W202: Entry("numbering repeat or regression: an ordinal did not increase", {
        "default": "{marker} follows ordinal {prev} of the same family",
        "repeated": "{marker} follows ordinal {prev} of the same family; a heading repeated word for word is kept once"}),
    Code.W203: Entry("a line opens like a numbering marker of no known style; read as text", {
        "default": "{marker} opens a line like a marker of no known style; read as text"}),
    Code.W204: Entry("no numbered headings found; the body is one implicit unit"),
    Code.W205: Entry("labelled field repeated under the same node; the first is kept", {
        "default": "field {name} repeated"}),
    Code.W301: Entry("no title line recognised"),
    Code.W302: Entry("no inspection facts recognised in the header"),
    Code.W303: Entry("traditional characters converted for matching"),
    Code.W304: Entry("hard-wrapped lines joined for matching", {
        "default": "{count} hard-wrapped line breaks joined for matching"}),
    Code.W305: Entry("page chrome dropped", {"default": "{count} line(s) of page chrome dropped"}),
    Code.W306: Entry("no inspected unit recognised in the title, preamble or signature; issuer is null"),
    Code.W307: Entry("inspection level not recognised from the inspector or the committee that deployed it", {
        "default": "inspection level not recognised from {inspector!r}"}),
    Code.W401: Entry("text outside every part of the notice (skipped)", {
        "default": "{count} characters in no part of the notice"}),
    Code.W402: Entry("low coverage: much of the text was not assigned to any part", {
        "default": "coverage {coverage:.3f}"}),
    Code.W501: Entry("input decoded with replacement characters"),
    Code.W502: Entry("text recognised by OCR from page images (scan); the message gives the mean confidence", {
        "default": "text recognised by OCR from page images (scan): {pages}, mean confidence {confidence:.3f}"}),
    Code.W503: Entry("PDF pages without a usable text layer skipped (OCR not installed)", {
        "default": "PDF pages without a usable text layer skipped (OCR not installed): page(s) {pages}; {missing}"}),
    Code.W504: Entry("input repaired: markup nested too deep (unclosed tags) was flattened so no text is lost"),
    Code.W505: Entry("input too large to parse in full: the body was cut at the node budget", {
        "default": "input too large to parse in full: the body was cut at the node budget ({limit} markers)"}),
    Code.W506: Entry("input repaired: NUL bytes removed"),
    Code.W507: Entry("input repaired: lines in two encodings (UTF-8 and GB18030) decoded each in its own"),
})

# The meaning of each code, by its string (for tables and documentation).
WARNINGS: Mapping[str, str] = MappingProxyType({code.value: e.meaning for code, e in CATALOGUE.items()})


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One warning as a stage finds it: a code, a span in that stage's offsets, and the parameters
    of its message. The pipeline maps the span to the original text and renders the message."""

    code: Code
    span: tuple[int, int] | None = None
    params: Mapping[str, object] = field(default_factory=dict)
    form: str = "default"

    @property
    def start(self) -> int | None:
        return self.span[0] if self.span else None

    @property
    def end(self) -> int | None:
        return self.span[1] if self.span else None

    def message(self) -> str:
        entry = CATALOGUE[self.code]
        template = entry.templates.get(self.form)
        if template is None:
            if self.form != "default":
                raise KeyError(f"{self.code}: no message form {self.form!r}")
            return entry.meaning
        return template.format(**self.params)
