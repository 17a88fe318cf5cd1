"""Relations between armed groups read from a sentence: pledges, splits, alliances, mergers.

The sentence's actors are tagged again (`ActorTagger.find`) and its relation cues found with the
words of `resources/profiles/profiles.yaml`. The named group nearest before the cue is the
subject and the first one right after it the object: "بوكو حرام التي بايعت تنظيم داعش" is Boko
Haram → Islamic State. A verb-first split names the subject after the verb and the object after
عن/من ("انشقت جبهة النصرة عن تنظيم الدولة"). The statement's own speaker and about fields are not
used for the direction: the statement builder picks the speaker of a speech verb, often a third
party.

Pledges, splits, mergers and renames are between non-state groups (ACLED inter 2-4: "security
forces who killed militants who pledged to IS" is no pledge of the forces); alliances, joint
operations and agreements need one non-state side.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from marsad.nlp.actors import ActorEntry, ActorRegistry, ActorTagger
from marsad.resources import load_yaml
from marsad.text.normalize import normalize_text
from marsad.text.phrases import PhraseMatcher
from marsad.text.tokens import Token, tokenize

RESOURCE = "profiles/profiles.yaml"
DIRECTED = frozenset({"pledge", "split", "renamed"})
GROUP_ONLY = frozenset({"pledge", "split", "renamed", "merger"})  # both sides non-state
_ARMED = frozenset({1, 2, 3, 4, 8})  # ACLED inter codes of armed actors
_NON_STATE = frozenset({2, 3, 4})
_BEFORE_GAP = 80  # characters from the subject to the cue (a relative clause fits)
_AFTER_GAP = 25  # characters from the cue to its object: "بايعت مؤخرا تنظيم داعش"
_OBJECT_MARKERS = ("عن", "من", "ل", "مع")


@dataclass(frozen=True, slots=True)
class Relation:
    kind: str
    subject: str  # canonical actor names
    object: str
    cue: str  # the cue as the article writes it


@cache
def _cues() -> PhraseMatcher[str]:
    data = load_yaml(RESOURCE)["relations"]
    return PhraseMatcher((w, kind) for kind, words in data.items() for w in words)


@cache
def _tagger() -> ActorTagger:
    return ActorTagger(ActorRegistry.load())


def _named(entry: ActorEntry) -> bool:
    return entry.inter in _ARMED and not entry.generic and not entry.anaphor


def named_entries(text: str, tokens: list[Token]) -> list[tuple[int, int, ActorEntry]]:
    """Named armed actors in normalized `text`: (start, end, entry), in text order."""
    return [(s, e, a) for s, e, a in _tagger().find(text, tokens) if _named(a)]


def armed_groups(text: str, tokens: list[Token]) -> list[tuple[int, int, str]]:
    """Armed actors in normalized `text`, generic ones too ("الجيش"), with their names."""
    registry = ActorRegistry.load()
    found = _tagger().find(text, tokens)
    return [(s, e, registry.name_for(a, None)) for s, e, a in found if a.inter in _ARMED and not a.anaphor]


def read_relations(evidence: str) -> list[Relation]:
    """Relations between named armed groups that one sentence states."""
    norm = normalize_text(evidence)
    text = norm.text
    tokens = tokenize(text)
    actors = named_entries(text, tokens)
    if len(actors) < 2:
        return []
    registry = ActorRegistry.load()
    out: list[Relation] = []
    last_subject: ActorEntry | None = None
    for cue in _cues().find(tokens):
        kind = cue.payload
        before = [x for x in actors if x[1] <= cue.start and cue.start - x[1] <= _BEFORE_GAP]
        after = [x for x in actors if x[0] >= cue.end and x[0] - cue.end <= _AFTER_GAP]
        pair: tuple[ActorEntry, ActorEntry] | None = None
        if kind == "renamed" and last_subject is not None and after:
            pair = (last_subject, after[0][2])  # "بايعت داعش وغيرت اسمها إلى ولاية غرب إفريقيا"
        elif before and after and (kind != "split" or _bare(text, cue.end, after[0][0])):
            pair = (before[-1][2], after[0][2])
        elif not before and after:
            # verb first: the subject right after the verb, the object after عن/من/مع
            later = [x for x in actors if x[0] > after[0][1] and x[0] - after[0][1] <= _BEFORE_GAP]
            if later and _marked(text, after[0][1], later[0][0]):
                pair = (after[0][2], later[0][2])
        if pair is None or pair[0].id == pair[1].id or not _fits(kind, *pair):
            continue
        if kind in DIRECTED:
            last_subject = pair[0]
        a, b = norm.raw_span(cue.start, cue.end)
        out.append(Relation(kind, registry.name_for(pair[0], None), registry.name_for(pair[1], None), evidence[a:b]))
    return out


def _marked(text: str, gap_start: int, gap_end: int) -> bool:
    """The words between two groups end with an object marker: "... عن", "... مع"."""
    words = text[gap_start:gap_end].split()
    return bool(words) and (words[-1] in _OBJECT_MARKERS or (words[-1].startswith(("ل", "مع")) and len(words[-1]) <= 3))


def _bare(text: str, gap_start: int, gap_end: int) -> bool:
    """Only a marker between a split and its object: "انشقت عن داعش", not "انشقاق عناصر من"."""
    return all(w in _OBJECT_MARKERS or w in ("مؤخرا", "رسميا") for w in text[gap_start:gap_end].split())


def _fits(kind: str, subject: ActorEntry, obj: ActorEntry) -> bool:
    if kind in GROUP_ONLY:
        return subject.inter in _NON_STATE and obj.inter in _NON_STATE
    return subject.inter in _NON_STATE or obj.inter in _NON_STATE
