"""Who says something in a sentence: the subject of its speech verb."""

from __future__ import annotations

from marsad.model import Doc, Mention


def speaker_of(doc: Doc, anchor: int, sent: tuple[int, int]) -> Mention | None:
    """Who speaks: the subject of the speech verb nearest before the cue.

    Arabic puts the subject after the verb ("حذر وزير الدفاع", "يقول ميزاب") as often as before
    it ("الأفريكوم أكدت"); the statement cue itself counts as the verb when no reporting verb
    comes before it.
    """
    s, e = sent
    people = [m for m in doc.in_span(s, e) if m.kind in ("actor", "ner") and speakerish(m)]
    verbs = [c for c in doc.in_span(s, anchor + 1, "cue") if c.value.kind == "reporting"]
    verb = verbs[-1].start if verbs else anchor
    after = [m for m in people if 0 <= m.start - verb < 40]
    before = [m for m in people if 0 <= verb - m.end < 40]
    if before and verb - before[-1].end <= 3:  # "الأفريكوم” أكدت": the subject just before the verb
        return before[-1]
    if after:
        return prefer_specific(after)
    return before[-1] if before else None


def prefer_specific(mentions: list[Mention]) -> Mention:
    """A named person or group before a generic one ("مسلحون", "قوات الأمن")."""
    named = [m for m in mentions if m.kind == "ner" or not getattr(m.value, "generic", False)]
    return (named or mentions)[0]


def speakerish(m: Mention) -> bool:
    if m.kind == "ner":
        return m.value in ("PERS", "ORG")
    return not getattr(m.value, "anaphor", False)
