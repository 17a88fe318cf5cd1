"""The objects that flow through marsad: input articles, mentions, events, statements.

`Article`, `EventOut`, `StatementOut` and `DocOut` are the exchange format of
../shared/eval/SCHEMA.md; `Doc` and `Mention` are the pipeline's internal working objects.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from marsad.text.normalize import NormText
from marsad.text.tokens import Token

EVENT_TYPES: dict[str, tuple[str, ...]] = {
    "Battles": ("Armed clash", "Government regains territory", "Non-state actor overtakes territory"),
    "Explosions/Remote violence": (
        "Chemical weapon",
        "Air/drone strike",
        "Suicide bomb",
        "Shelling/artillery/missile attack",
        "Remote explosive/landmine/IED",
        "Grenade",
    ),
    "Violence against civilians": ("Sexual violence", "Attack", "Abduction/forced disappearance"),
    "Protests": ("Peaceful protest", "Protest with intervention", "Excessive force against protesters"),
    "Riots": ("Violent demonstration", "Mob violence"),
    "Strategic developments": (
        "Agreement",
        "Arrests",
        "Change to group/activity",
        "Disrupted weapons use",
        "Headquarters or base established",
        "Looting/property destruction",
        "Non-violent transfer of territory",
        "Other",
    ),
}
SUB_TO_TYPE: dict[str, str] = {sub: t for t, subs in EVENT_TYPES.items() for sub in subs}
STATEMENT_KINDS = ("warning", "estimate", "meeting", "agreement", "claim", "pledge", "alert", "denial")
Precision = Literal["point", "city", "admin1", "region", "country"]
Modality = Literal["asserted", "reported", "hypothetical"]


class Article(BaseModel):
    """One input document (SCHEMA.md input line)."""

    model_config = ConfigDict(extra="ignore")

    id: str = Field(min_length=1)
    text: str | None = None
    html: str | None = None
    title: str | None = None
    published: dt.date | None = None
    source: str | None = None
    url: str | None = None

    @field_validator("id", mode="before")
    @classmethod
    def _id_is_text(cls, v: Any) -> Any:
        if isinstance(v, bool) or not isinstance(v, str | int):
            raise ValueError("'id' must be a non-empty string")
        return str(v)

    @field_validator("published", mode="before")
    @classmethod
    def _published_date(cls, v: Any) -> Any:
        if v in (None, ""):
            return None
        if isinstance(v, str):
            try:  # accept full timestamps too ("2019-10-27T08:00:00Z")
                return dt.date.fromisoformat(v[:10])
            except ValueError as exc:
                raise ValueError(f"'published' must be YYYY-MM-DD, got {v!r}") from exc
        return v

    @model_validator(mode="after")
    def _has_body(self) -> Article:
        if not (self.text and self.text.strip()) and not (self.html and self.html.strip()):
            raise ValueError("needs a non-empty 'text' or 'html'")
        return self


class ActorOut(BaseModel):
    name: str
    mention: str | None = None


class LocationOut(BaseModel):
    name: str
    mention: str | None = None
    country: str  # ISO 3166-1 alpha-2
    lat: float | None = None
    lon: float | None = None
    precision: Precision
    admin1: str | None = None  # extra key (allowed by the schema), used for maps and alerts


class PlaceRef(BaseModel):
    name: str
    country: str  # ISO 3166-1 alpha-2; places with no single country are not listed
    mention: str | None = None


class EventOut(BaseModel):
    event_type: str
    sub_event_type: str
    date: str | None = None
    actor1: ActorOut  # ACLED codes every event with the side that acts
    actor2: ActorOut | None = None
    location: LocationOut | None = None
    fatalities: int | None = None
    injuries: int | None = None
    modality: Modality = "asserted"
    attribution: str | None = None
    evidence: str
    # Extra keys (allowed by the schema): where the evidence sits in the raw article text.
    evidence_start: int | None = None
    evidence_end: int | None = None


class StatementOut(BaseModel):
    kind: str
    speaker: ActorOut | None = None
    about: ActorOut | None = None
    places: list[PlaceRef] = Field(default_factory=list)
    evidence: str
    evidence_start: int | None = None
    evidence_end: int | None = None


class DocOut(BaseModel):
    id: str
    events: list[EventOut] = Field(default_factory=list)
    statements: list[StatementOut] = Field(default_factory=list)


@dataclass(slots=True)
class Mention:
    """Something a component found in the text: an actor, place, date, number, trigger, entity.

    Offsets are into `Doc.norm.text` (the normalized text); `Doc.norm.raw_span` maps them back.
    `value` depends on `kind` (an actor entry, a place, a date, a Number, a trigger rule, ...).
    """

    kind: str
    start: int
    end: int
    value: Any = None
    source: str = ""
    score: float = 1.0


@dataclass(slots=True)
class Doc:
    """One article in the pipeline: each component reads it and adds to it."""

    article: Article
    raw: str  # the text the offsets refer to: title, blank line, body
    norm: NormText
    sentences: list[tuple[int, int]] = field(default_factory=list)  # normalized offsets
    tokens: list[Token] = field(default_factory=list)  # word tokens of the normalized text
    mentions: list[Mention] = field(default_factory=list)
    reference_date: dt.date | None = None  # publication date, given or inferred
    reference_precision: str | None = None  # "day" when given, "inferred" when guessed
    events: list[EventOut] = field(default_factory=list)
    statements: list[StatementOut] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    def of_kind(self, kind: str) -> list[Mention]:
        return [m for m in self.mentions if m.kind == kind]

    def in_span(self, start: int, end: int, kind: str | None = None) -> list[Mention]:
        """Mentions inside [start, end), in text order."""
        found = [m for m in self.mentions if m.start >= start and m.end <= end and (kind is None or m.kind == kind)]
        return sorted(found, key=lambda m: (m.start, -m.end))

    def surface(self, start: int, end: int) -> str:
        """Raw text of a normalized span: what the article itself says there."""
        return self.norm.raw_slice(start, end)

    def tokens_in(self, start: int, end: int) -> list[Token]:
        """The word tokens inside normalized [start, end)."""
        lo = bisect.bisect_left(self._token_starts(), start)
        out = []
        for tok in self.tokens[lo:]:
            if tok.start >= end:
                break
            if tok.end <= end:
                out.append(tok)
        return out

    def _token_starts(self) -> list[int]:
        starts = self.meta.get("_token_starts")
        if starts is None or len(starts) != len(self.tokens):
            starts = [t.start for t in self.tokens]
            self.meta["_token_starts"] = starts
        return starts

    def sentence_of(self, offset: int) -> tuple[int, int]:
        for s, e in self.sentences:
            if s <= offset < e:
                return s, e
        return 0, len(self.norm.text)

    def output(self) -> DocOut:
        return DocOut(id=self.article.id, events=self.events, statements=self.statements)
