"""Error and warning catalogue: every code the parser emits, with its meaning."""

from __future__ import annotations


class InputError(Exception):
    """An input that cannot be parsed; the message names the file and the reason on one line."""

    def __init__(self, name: str | None, reason: str) -> None:
        self.name = name or "<input>"
        self.reason = reason
        super().__init__(f"{self.name}: {reason}")


# Warning codes carried in Document.warnings. Stable: analysts filter on them.
WARNINGS: dict[str, str] = {
    "W101": "year inferred from context for a date written without one",
    "W102": "damaged figure (digits missing or garbled); no metric reported",
    "W103": "date out of range; no metric reported",
    "W201": "numbering gap: an ordinal was skipped",
    "W202": "numbering repeat or regression: an ordinal did not increase",
    "W203": "a line opens like a numbering marker of no known style; read as text",
    "W204": "no numbered headings found; the body is one implicit unit",
    "W205": "labelled field repeated under the same node; the first is kept",
    "W301": "no title line recognised",
    "W302": "no inspection facts recognised in the header",
    "W303": "traditional characters converted for matching",
    "W304": "hard-wrapped lines joined for matching",
    "W305": "page chrome dropped",
    "W401": "text outside every part of the notice (skipped)",
    "W402": "low coverage: much of the text was not assigned to any part",
    "W501": "input decoded with replacement characters",
}
