"""Pipeline component: statements that are not events (warnings, estimates, meetings, ...).

One statement per kind per sentence, with its speaker (who says or decides), what it is about
(the armed group it concerns) and the places it names. A repeat of the same kind by the same
speaker about the same group is kept once per document (headline and body say it twice).
"""

from __future__ import annotations

from typing import Any

from marsad.events.speakers import speaker_of
from marsad.model import ActorOut, Doc, Mention, PlaceRef, StatementOut

_ESTIMATE_NOUN_WINDOW = 4  # tokens between a count and the fighters it counts
_MIN_STRENGTH = 20  # smaller counts of fighters are rarely strength estimates
_ONE_PER_PLACE = frozenset({"meeting", "agreement", "alert"})
_ACTS = frozenset({"agreement", "meeting", "pledge", "claim"})  # kinds that report an act, not a fear
_HEADLINE_TOKENS = 16  # a line this short at the top of an article is a headline or a teaser
_COUNTED_REACH = 80  # characters from "عدد مقاتلي ..." to the figure it gives
_COUNT_WORDS = frozenset({"عدد", "اعداد"})
_AGGREGATE = ("منذ", "حصيله", "عدد ضحايا", "اجمالي", "مجموع", "عدد القتلي", "بلغ عدد")


class StatementBuilder:
    name = "statements"

    def __init__(self) -> None:
        from marsad.nlp.actors import ActorRegistry

        self.registry = ActorRegistry.load()

    def __call__(self, doc: Doc) -> Doc:
        if not (doc.events or _names_armed_group(doc)):
            doc.statements = []  # statements are read only in conflict news
            return doc
        seen: set[tuple[Any, ...]] = set()
        out: list[StatementOut] = []
        last: dict[str, int] = {}  # kind → index of the sentence that last gave it
        last_figure: Any = None  # an estimate's figure: the next sentence's other figure is news
        sentences = doc.sentences
        body_kinds = self._body_kinds(doc)
        for i, (s, e) in enumerate(sentences):
            headline = _is_headline(doc, i)
            for kind, anchor in self._kinds(doc, s, e):
                st = self._statement(doc, kind, anchor, (s, e))
                # A headline restates the body: its statement counts only if the body lacks the kind.
                if headline and kind in body_kinds:
                    continue
                # The same act told over consecutive sentences ("عقد اجتماعا ... بحثوا خلال الاجتماع").
                figure = _figure(doc, anchor) if kind == "estimate" else None
                if kind in last and i - last[kind] <= 1 and st.speaker is None and figure == last_figure:
                    last[kind] = i
                    continue
                if kind == "pledge":
                    # one allegiance, whichever side the sentence names first
                    names = {a.name for a in (st.speaker, st.about) if a is not None}
                    key: tuple[Any, ...] = (kind, tuple(sorted(names)) or (s, e))
                elif kind == "estimate":
                    # two figures are two estimates ("3000 soldiers ... 1000 to 2000 of its fighters");
                    # the same figure said again (headline, quote) is one
                    about = st.about.name if st.about else None
                    key = (kind, st.speaker.name if st.speaker else None, about, figure)
                elif kind in _ONE_PER_PLACE and st.places:
                    # the same talks or measures told by several speakers: once per place
                    key = (kind, tuple(sorted(p.name for p in st.places)))
                else:
                    key = (kind, st.speaker.name if st.speaker else (s, e), st.about.name if st.about else None)
                if key in seen:
                    continue
                seen.add(key)
                last[kind] = i
                last_figure = figure
                out.append(st)
        doc.statements = out
        return doc

    def _body_kinds(self, doc: Doc) -> set[str]:
        kinds: set[str] = set()
        for i, (s, e) in enumerate(doc.sentences):
            if not _is_headline(doc, i):
                kinds.update(k for k, _ in self._kinds(doc, s, e))
        return kinds

    def _kinds(self, doc: Doc, s: int, e: int) -> list[tuple[str, int]]:
        cues = doc.in_span(s, e, "cue")
        hypo = [c for c in cues if c.value.kind == "hypothetical"]
        kinds: dict[str, int] = {}
        for c in cues:
            if not c.value.kind.startswith("stmt:"):
                continue
            kind = c.value.kind[5:]
            # A call, an aim or a wish is not an act: "تدعو إلى التعاون", "يسعى إلى تكوين تحالفات".
            if kind in _ACTS and any(h.start < c.start and _same_clause(doc, h, c) for h in hypo):
                continue
            kinds.setdefault(kind, c.start)
        armed = [a for a in doc.in_span(s, e, "actor") if getattr(a.value, "inter", 0) in (1, 2, 3, 4, 8)]
        forecast = [c for c in cues if c.value.kind == "forecast"]
        if not kinds and armed and forecast and doc.in_span(s, e, "trigger"):
            kinds["warning"] = forecast[0].start
        estimate = _estimate_anchor(doc, s, e)
        if estimate is not None:
            kinds["estimate"] = estimate
        if "claim" in kinds and not doc.in_span(s, e, "trigger"):
            del kinds["claim"]  # "تبنى مجلس الأمن قرارا" adopts a resolution: a claim is of an attack
        return sorted(kinds.items(), key=lambda kv: kv[1])

    def _statement(self, doc: Doc, kind: str, anchor: int, sent: tuple[int, int]) -> StatementOut:
        s, e = sent
        speaker = speaker_of(doc, anchor, sent)
        about = _about(doc, anchor, sent, speaker)
        places = []
        for m in doc.in_span(s, e, "place"):
            if not m.value.country:  # regions across borders ("الصحراء الكبرى") name no country
                continue
            ref = PlaceRef(name=m.value.name, country=m.value.country, mention=doc.surface(m.start, m.end))
            if all(p.name != ref.name for p in places):
                places.append(ref)
        if about is not None and about.kind == "actor" and getattr(about.value, "anaphor", False):
            about = self._antecedent(doc, about, places[0].country if places else None)
        elif about is None and kind == "pledge":
            # "لقتال المجموعة التي أعلنت ولاءها لتنظيم داعش": the group that pledged is the one
            # the article named before, not the one it pledged to
            anchor_m = Mention("actor", s, s)
            found = self._antecedent(doc, anchor_m, None, skip=speaker.value if speaker is not None else None)
            about = found if found is not anchor_m else None
        a, b = doc.norm.raw_span(s, e)
        return StatementOut(
            kind=kind,
            speaker=self._out(doc, speaker),
            about=self._out(doc, about),
            places=places,
            evidence=doc.raw[a:b],
            evidence_start=a,
            evidence_end=b,
        )

    def _antecedent(self, doc: Doc, m: Mention, country: str | None, skip: Any = None) -> Mention:
        """ "التنظيم" is the named non-state group the article named last before it (in the
        sentence's country: the Islamic State in a sentence about Libya is its Libyan branch);
        the anaphor itself when the article named none."""
        named = [
            a
            for a in doc.mentions
            if a.kind == "actor"
            and a.end <= m.start
            and getattr(a.value, "inter", 0) in (2, 3, 4)
            and not (a.value.generic or a.value.anaphor)
            and (skip is None or a.value.id != getattr(skip, "id", None))
        ]
        if not named:
            return m
        # "التنظيم" is an organization: a rebel group (ACLED inter 2) before a militia named since
        # ("عدد مقاتلي التنظيم" after "500 مقاتل من العشائر السنية" is still the Islamic State's)
        rebels = [a for a in named if a.value.inter == 2]
        last = (rebels or named)[-1]
        entry = self.registry.resolve(last.value, country)
        span = (m.start, m.end) if m.end > m.start else (last.start, last.end)  # no words of its own
        return Mention("actor", *span, entry, m.source, m.score)

    def _out(self, doc: Doc, m: Mention | None) -> ActorOut | None:
        if m is None:
            return None
        surface = doc.surface(m.start, m.end)
        if m.kind == "actor":
            return ActorOut(name=self.registry.name_for(m.value, None), mention=surface)
        return ActorOut(name=surface, mention=surface)


def _names_armed_group(doc: Doc) -> bool:
    return any(
        m.kind == "actor" and getattr(m.value, "inter", 0) in (2, 3, 4) and not m.value.generic for m in doc.mentions
    )


def _is_headline(doc: Doc, i: int) -> bool:
    """A short line among the first ones of the article, standing alone on its line."""
    if i > 4:
        return False
    s, e = doc.sentences[i]
    text = doc.norm.text
    alone = (s == 0 or text[s - 1] == "\n" or text[:s].rstrip(" ").endswith("\n")) and (
        e == len(text) or text[e:].lstrip(" ").startswith("\n")
    )
    return alone and len(doc.tokens_in(s, e)) <= _HEADLINE_TOKENS


def _same_clause(doc: Doc, a: Mention, b: Mention) -> bool:
    lo, hi = (a, b) if a.start < b.start else (b, a)
    return not any(ch in doc.norm.text[lo.end : hi.start] for ch in ",;:")


def _about(doc: Doc, anchor: int, sent: tuple[int, int], speaker: Mention | None) -> Mention | None:
    """The armed group the statement concerns: a named one nearest the cue, else any actor."""
    s, e = sent
    others = [m for m in doc.in_span(s, e, "actor") if speaker is None or m.start != speaker.start]
    groups = [m for m in others if getattr(m.value, "inter", 0) in (2, 3, 4)]
    named = [m for m in groups if not m.value.generic]
    for pool in (named, groups):
        if pool:
            return min(pool, key=lambda m: abs(m.start - anchor))
    return others[0] if others else None


def _is_percent(text: str, end: int) -> bool:
    rest = text[end : end + 12].lstrip()
    return rest.startswith(("%", "في المئه", "في المائه", "بالمئه", "بالمائه"))


def _estimate_anchor(doc: Doc, s: int, e: int) -> int | None:
    """Offset of a strength estimate or an aggregated toll in the sentence, if any."""
    text = doc.norm.text
    cues = doc.in_span(s, e, "cue")
    combatant = [c for c in cues if c.value.kind == "combatants"]
    killed = [c for c in cues if c.value.kind in ("killed", "injured")]
    dates = doc.in_span(s, e, "date")
    counted = _counted_fighters(doc, s, e, cues)
    for m in doc.in_span(s, e, "number"):
        num = m.value
        if any(d.start <= m.start < d.end for d in dates) or _is_percent(text, m.end):
            continue
        if num.vague or (num.value is not None and num.value < _MIN_STRENGTH):
            continue  # "العشرات وربما المئات" is no estimate; neither is a handful
        after = doc.tokens_in(m.end, e)[:_ESTIMATE_NOUN_WINDOW]
        nxt = [t for t in after if t.text not in ("من", "الي", "و")][:1]
        counts_fighters = bool(nxt) and (
            any(c.start == nxt[0].start for c in combatant) or nxt[0].text.endswith("اجنبي")
        )
        near_kill = any(abs(c.start - m.start) < 25 for c in killed)
        counts_fighters = counts_fighters or any(0 < m.start - c < _COUNTED_REACH for c in counted)
        if counts_fighters and not near_kill:
            return m.start
        if near_kill and any(w in text[s:e] for w in _AGGREGATE):
            return m.start
    return None


def _counted_fighters(doc: Doc, s: int, e: int, cues: list[Mention]) -> list[int]:
    """Ends of "عدد مقاتلي داعش" / "عدد مقاتلي التنظيم" in the sentence: the figure may come a
    few words later ("... الموجودين فيها بما بين ألف وألفين"). "عدد من" (several) is no count."""
    text = doc.norm.text
    armed = [a for a in doc.in_span(s, e, "actor") if getattr(a.value, "inter", 0) in (2, 3, 4)]
    fighters = [c for c in cues if c.value.kind == "combatants"]
    out = []
    for c in cues:
        if c.value.kind != "strength" or text[c.start : c.end] not in _COUNT_WORDS:
            continue
        nxt = doc.tokens_in(c.end, e)[:1]
        if not nxt or nxt[0].text == "من":
            continue
        at = nxt[0].start
        if any(a.start == at for a in armed) or any(f.start == at for f in fighters):
            end = max([a.end for a in armed if a.start == at] + [nxt[0].end])
            out.append(end)
    return out


def _figure(doc: Doc, anchor: int) -> Any:
    """The value of the number an estimate is anchored on (its words when it has none)."""
    for m in doc.mentions:
        if m.kind == "number" and m.start == anchor:
            return m.value.value if m.value.value is not None else doc.norm.text[m.start : m.end]
    return anchor
