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

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

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


def read_relations(evidence: str, context: str | None = None) -> list[Relation]:
    """Relations between named armed groups that one sentence states.

    `context` is the canonical name of the group the sentence is about when it names it only
    as "المجموعة التي ..." (the statement's `about`, resolved from the article): it is then the
    subject of a cue right after that relative clause ("لقتال المجموعة التي أعلنت ولاءها لتنظيم
    داعش": Boko Haram → Islamic State).
    """
    norm = normalize_text(evidence)
    text = norm.text
    tokens = tokenize(text)
    # named groups, and "التنظيم"-style anaphors (they can only be objects, resolved backwards)
    found = _tagger().find(text, tokens)
    mentions = [(s, e, a) for s, e, a in found if a.inter in _ARMED and (a.anaphor or not a.generic)]
    actors = [m for m in mentions if not m[2].anaphor]
    registry = ActorRegistry.load()
    stand_in = _stand_in(registry, context)
    context_words = _context_matcher().find(tokens)
    if len(actors) < 2 and not (stand_in is not None and actors):
        return []
    out: list[Relation] = []
    last_subject: ActorEntry | None = None
    for cue in _cues().find(tokens):
        kind = cue.payload
        before = [x for x in actors if x[1] <= cue.start and cue.start - x[1] <= _BEFORE_GAP]
        after = [x for x in mentions if x[0] >= cue.end and x[0] - cue.end <= _AFTER_GAP]
        pair: tuple[ActorEntry, ActorEntry] | None = None
        if kind == "renamed" and last_subject is not None and after and not after[0][2].anaphor:
            pair = (last_subject, after[0][2])  # "بايعت داعش وغيرت اسمها إلى ولاية غرب إفريقيا"
        elif after and not after[0][2].anaphor and (obj := _marked_object(text, mentions, after[0], before)):
            # subject first: "مبايعة جماعة بوكو حرام للتنظيم", "انشقت جبهة النصرة عن تنظيم الدولة"
            pair = (after[0][2], obj)
        elif (
            before
            and after
            and not after[0][2].anaphor
            and (kind != "split" or _bare(text, cue.end, after[0][0]))
            and (not _bare_masdar(text[cue.start : cue.end]) or cue.start - before[-1][1] <= _MASDAR_GAP)
        ):
            pair = (before[-1][2], after[0][2])
        elif stand_in is not None and after and not after[0][2].anaphor and _relative_before(text, cue.start):
            pair = (stand_in, after[0][2])
        if pair is None or pair[0].id == pair[1].id or not _fits(kind, *pair):
            continue
        if _not_an_act(text, tokens, cue.start, context_words, before[-1][0] if before else None, pair[0], actors):
            continue
        if kind in DIRECTED:
            last_subject = pair[0]
        a, b = norm.raw_span(cue.start, cue.end)
        out.append(Relation(kind, registry.name_for(pair[0], None), registry.name_for(pair[1], None), evidence[a:b]))
    return out


_CONTEXT_REACH = 60  # characters before a cue where a call or a hedge unmakes it
_PARTITIVE_REACH = 14  # characters before the subject: "بعض مقاتلي طالبان"


@cache
def _context_matcher() -> PhraseMatcher[str]:
    data = load_yaml(RESOURCE)["relation_context"]
    return PhraseMatcher((w, kind) for kind, words in data.items() for w in words)


def _not_an_act(
    text: str,
    tokens: list[Token],
    cue_start: int,
    context_words: list[Any],
    subject_start: int | None,
    subject: ActorEntry,
    actors: list[tuple[int, int, ActorEntry]],
) -> bool:
    """The cue is a call, a belief, a denial or a refusal, or its subject is some members only
    (`relation_context` in resources/profiles/profiles.yaml)."""
    lo = max(0, cue_start - _CONTEXT_REACH, text.rfind(".", 0, cue_start) + 1)
    for m in context_words:
        if m.payload in ("call", "hedge") and lo <= m.start and m.end <= cue_start:
            return True
        if m.payload == "negation" and m.end <= cue_start and cue_start - m.end <= 2:
            return True
    starts = [s for s, _e, a in actors if a.id == subject.id]
    if subject_start is not None and subject_start in starts:
        starts = [subject_start]
    for s in starts[-1:]:
        for m in context_words:
            if m.payload == "partitive" and m.end <= s and s - m.end <= _PARTITIVE_REACH:
                return True
    return False


_MASDAR_GAP = 15  # a bare verbal noun takes as subject only a group right before it
_MASDAR = re.compile(r"^(?:و|ف)?(?:ب|ل|ال|لل)?(?:مبايعه|بيعه|انضمام|انشقاق|انفصال|تحالف|اندماج)$")


def _bare_masdar(cue: str) -> bool:
    """ "ومبايعة أيمن الظواهري" after "العدول عن اتباع": a verbal noun without the pronoun that
    would name its doer ("مبايعته") does not make the group named a clause before its subject."""
    return bool(_MASDAR.match(cue.split()[0]))


_RELATIVE = re.compile(r"(?:^|\s)(?:ال)?(?:مجموعه|جماعه|حركه|تنظيم)\s+(?:\S+\s+)?(?:التي|الذي)\s*$")


def _relative_before(text: str, start: int) -> bool:
    """The cue opens a relative clause on a group noun: "المجموعة التي أعلنت", "الجماعة
    النيجيرية التي بايعت"."""
    return bool(_RELATIVE.search(text[max(0, start - 40) : start]))


def _stand_in(registry: ActorRegistry, context: str | None) -> ActorEntry | None:
    """The registry entry of the statement's group, when it is a named non-state group."""
    if not context:
        return None
    entry = registry.get(context) or registry.find(context)
    if entry is None or entry.generic or entry.anaphor or entry.inter not in _NON_STATE:
        return None
    return entry


def _marked_object(
    text: str,
    mentions: list[tuple[int, int, ActorEntry]],
    subject: tuple[int, int, ActorEntry],
    before: list[tuple[int, int, ActorEntry]],
) -> ActorEntry | None:
    """The object after a subject-first cue: the next group after عن/من/ل/مع; an anaphor there
    ("للتنظيم") is the group named before the cue."""
    later = [x for x in mentions if x[0] >= subject[1] and x[0] - subject[1] <= _BEFORE_GAP]
    if not later or not _marked(text, subject[1], later[0][0]):
        return None
    if later[0][2].anaphor:
        return before[-1][2] if before else None
    return later[0][2]


def _marked(text: str, gap_start: int, gap_end: int) -> bool:
    """The second group is introduced by عن/من/مع, or ل on its first word ("للتنظيم", "لتنظيم")."""
    words = text[gap_start:gap_end].split()
    if words and words[-1] in _OBJECT_MARKERS:
        return len(words) <= 3  # a demonym or two may sit between: "بوكو حرام النيجيرية عن"
    return len(words) <= 2 and text[gap_end : gap_end + 1] == "ل"


def _bare(text: str, gap_start: int, gap_end: int) -> bool:
    """Only a marker between a split and its object: "انشقت عن داعش", not "انشقاق عناصر من"."""
    return all(w in _OBJECT_MARKERS or w in ("مؤخرا", "رسميا") for w in text[gap_start:gap_end].split())


def _fits(kind: str, subject: ActorEntry, obj: ActorEntry) -> bool:
    if kind in GROUP_ONLY:
        return subject.inter in _NON_STATE and obj.inter in _NON_STATE
    return subject.inter in _NON_STATE or obj.inter in _NON_STATE
