"""Pydantic models of the output contract: the single source of truth for the JSON Schema."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .errors import Code
from .lexicon import load
from .markers import STYLES

SCHEMA_VERSION = "1.1"

Span = tuple[int, int]

MetricKind = Literal[tuple(load("metrics.json")["kinds"])]  # type: ignore[misc]  # data/metrics.json kinds
Role = Literal["category", "problem", "measure", "section", "paragraph"]
Status = Literal["done", "partial", "ongoing", "planned"]
MarkerStyle = Literal[STYLES]  # type: ignore[valid-type]  # the output names of markers.RULES
Level = Literal["central", "province", "city", "county", "institution"]
Sector = Literal["party_committee", "department", "township", "village", "enterprise", "school", "hospital",
                 "judicial", "other"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Text(_Model):
    """A piece of the input: `source[span[0]:span[1]] == text`."""

    text: str
    span: Span


class Title(Text):
    """The title as written (`text`, grounded) and with stray breaks and spaces joined (`value`)."""

    value: str


class Source(_Model):
    name: str | None = None
    sha256: str
    encoding: str
    format: str = "txt"
    chars: int
    text: str | None = Field(
        default=None,
        description="The extracted text that spans index; present for inputs that are not plain-text files.",
    )
    url: str | None = Field(default=None, description="The URL the parsed document was fetched from, if any.")


class Region(_Model):
    """Where the unit is, by the official names of China's administrative divisions."""

    province: str | None = None
    city: str | None = None
    county: str | None = None


class Issuer(_Model):
    name: str = Field(description="The fullest form of the inspected unit's name the notice states, as written.")
    org_type: str | None = None
    span: Span
    aliases: list[str] = Field(default_factory=list, description="Other forms the notice uses for the unit.")
    key: str | None = Field(default=None, description="Grouping key: simplified, no 中共 prefix, X委员会 → X党委.")
    sector: Sector | None = None
    region: Region | None = None


class Inspection(_Model):
    scheme: Literal["巡察", "巡视"] | None = None
    kind: str | None = None
    inspector: str | None = None
    start: str | None = None
    end: str | None = None
    feedback_date: str | None = None
    level: Level | None = Field(default=None, description="Who ran the inspection: central … institution.")
    round: str | None = Field(default=None, description="The round as written (十二届区委第二轮).")
    text: str | None = Field(default=None, description="The sentence(s) the facts were read from.")
    span: Span | None = None


class Metric(_Model):
    kind: MetricKind
    text: str
    span: Span
    value: float | int | None = None
    unit: str | None = None
    approx: bool = False
    date: str | None = None
    start: str | None = None
    end: str | None = None
    subject: str | None = None


class Topic(_Model):
    area: str
    cues: list[str] = Field(default_factory=list)


class Node(_Model):
    role: Role
    marker: str | None = None
    style: MarkerStyle | None = None
    ordinal: int | None = None
    title: str | None = None
    text: str
    span: Span
    status: Status | None = None
    fields: dict[str, Text] = Field(default_factory=dict)
    metrics: list[Metric] = Field(default_factory=list)
    children: list[Node] = Field(default_factory=list)
    keywords: list[str] | None = None
    topics: list[Topic] | None = None


class Contact(_Model):
    text: str | None = Field(default=None, description="The contact lines as written (labels included).")
    span: Span | None = None
    phones: list[Text] = Field(default_factory=list)
    emails: list[Text] = Field(default_factory=list)
    address: Text | None = None
    postcode: Text | None = None


class ParseWarning(_Model):
    code: Code
    message: str
    span: Span | None = None


class Document(_Model):
    schema_version: str = SCHEMA_VERSION
    source: Source
    title: Title | None = None
    issuer: Issuer | None = None
    inspection: Inspection | None = None
    preamble: Text | None = None
    summary: list[Metric] = Field(default_factory=list)
    totals: dict[str, Metric] = Field(
        default_factory=dict,
        description="Headline figures for the whole unit by subject (problems_fed_back, completion_rate, …).")
    sections: list[Node] = Field(default_factory=list)
    closing: Text | None = None
    signature: Text | None = Field(default=None, description="The signing organisation and date after the body.")
    attachments: Text | None = Field(default=None, description="An 附件 list that ends the notice.")
    chrome: list[Text] = Field(default_factory=list, description="Web-page lines that are not the notice.")
    contact: Contact = Field(default_factory=Contact)
    warnings: list[ParseWarning] = Field(default_factory=list)
    coverage: float = Field(ge=0.0, le=1.0)
    keywords: list[str] | None = None

    def walk(self):
        """Yield every node of the body, depth first, in document order."""
        stack = list(reversed(self.sections))
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))

    def _repr_html_(self) -> str:
        """A compact review view for notebooks: facts, outline and the marked source (report_parser.view)."""
        from .view import repr_html

        return repr_html(self)
