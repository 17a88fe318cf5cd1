"""Pipeline component: ACLED events from triggers and the arguments around them.

For each sentence: split it into clauses, attach clauses without a trigger to the nearest
clause with one, and build one event per trigger group (per date, when a group names several
days). Arguments are looked for in the group first and in the sentence second. A trigger under
a hypothetical or negation cue gives no event: the statement builder reads those sentences.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise
from typing import Any

from marsad.events.casualties import Casualties, read_casualties
from marsad.events.clauses import split_clauses
from marsad.events.lexicon import TriggerRule
from marsad.events.speakers import speaker_of
from marsad.geo import load as load_gazetteer
from marsad.geo.geocoder import event_location, haversine_km, main_country, reference_starts
from marsad.model import SUB_TO_TYPE, ActorOut, Doc, EventOut, LocationOut, Mention
from marsad.nlp.dates import resolve_date
from marsad.resources import load_yaml
from marsad.text import normalize

_STATE_INTER = 1
# A toll counted over a period ("منذ", "خلال السنوات", "حصيلة") is not one event's dead.
_AGGREGATE_TOLL = re.compile(
    r"(?:^|\s)(?:منذ|(?<!ارتفعت )(?<!ارتفاع )(?<!ارتفع )حصيله|اجمالي|مجموع|في المجمل"
    r"|خلال (?:\d+\s+)?(?:ال)?(?:عام|عاما|اعوام|سنه|سنوات|اشهر|شهر|شهرا|اسابيع|اسبوعا|ايام|يوما|ست|خمس|اربع|ثلاث|عشر))"
)
_TALLY_MIN = 50
_NO_OVERRIDE = object()  # the event's date is read from its clause, not set by a split
_CIVILIAN_INTER = 7
# Sub-types whose unnamed author is most often a state's air force or artillery.
_REMOTE_STATE_SUBS = frozenset({"Air/drone strike", "Shelling/artillery/missile attack"})
# Sub-types whose unnamed author is most often the armed group the article is about.
_GROUP_SUBS = frozenset(
    {
        "Non-state actor overtakes territory",
        "Suicide bomb",
        "Remote explosive/landmine/IED",
        "Abduction/forced disappearance",
        "Looting/property destruction",
    }
)
_TARGET_CUES = ("target_markers", "killed")
_AIR_WORDS = re.compile(r"(?:^|\s)[وبل]?(?:ال)?(?:طيران|طائرات|طائره|مقاتلات|الجو|جويه|جوي|مروحيات|مروحيه)(?:\s|$)")
_VICTIM_INTER = (6, 7)  # protesters, civilians (ACLED inter codes)
_FORCE_ON_PROTEST = {"Arrests", "Attack", "Armed clash", "Abduction/forced disappearance"}
_STATE_SUBS = {"Arrests", "Government regains territory"}
_NEG_WINDOW = 3  # tokens before a trigger in which a negation applies
_TARGET_WINDOW = 2  # tokens before an actor in which a target marker makes it actor2
_ACTOR_NEAR = 8  # tokens around a weak trigger in which an armed actor supports it
_SUBJECT_NEAR = 3  # the same for taking and losing ground
# Who acts when the text names nobody: the side the sub-type implies (ACLED codes an actor1).
_DEFAULT_ACTOR1 = {
    "Peaceful protest": "protesters",
    "Protest with intervention": "protesters",
    "Excessive force against protesters": "protesters",
    "Arrests": "police",
    "Government regains territory": "military",
}
_SOLDIER_NOUNS = ("جندي", "جنود", "عسكري", "ضابط", "ضباط")
_POLICE_NOUNS = ("شرطي", "شرط")
_PROTEST_SUBS = {"Peaceful protest", "Protest with intervention", "Excessive force against protesters"}
# A sentence that opens on the pluperfect or a background formula tells an earlier act, not the
# lead's news ("وكان رئيس المجلس أعلن ...", "يذكر أن ...", "سبق أن ...").
_BACKGROUND_OPENING = re.compile(
    r"^[\W_]*(?:و|ف)?(?:كان|كانت|كانوا|كانا|سبق|يذكر|يشار|تجدر|منذ|قبل|في وقت سابق|خلال)(?![^\W_])"
)
# Sub-types a vaguer word gives that a bomber blowing himself up makes a suicide bombing.
_SELF_BLAST_FROM = frozenset({"Armed clash", "Attack", "Remote explosive/landmine/IED", "Grenade"})
_SELF_GAP = 5  # words between the detonation verb and the reflexive ("فجر رجل يرتدي البرقع نفسه")
_SAME_TOWN_KM = 50  # a later sentence's town this close to the lead's tells the same incident
_SAME_REGION_KM = 300


@dataclass
class Group:
    """Clauses that make one event: the trigger clause plus the clauses attached to it."""

    start: int
    end: int
    triggers: list[Mention] = field(default_factory=list)


class EventBuilder:
    name = "events"

    def __init__(self) -> None:
        from marsad.nlp.actors import ActorRegistry

        self.registry = ActorRegistry.load()

    def __call__(self, doc: Doc) -> Doc:
        ctx = _DocContext(doc)
        events: list[EventOut] = []
        headings: set[int] = set()
        for s, e in doc.sentences:
            if not doc.in_span(s, e, "trigger"):
                continue
            heading = _is_heading(doc, (s, e)) or _is_title(doc, (s, e))
            for group in _groups(doc, s, e):
                found = self._events_of(doc, ctx, group, (s, e))
                events.extend(found)
                if heading:
                    headings.update(id(ev) for ev in found)
        # restatements join their dated mention first; what is still undated then takes the day
        # the report gave last (carried_date)
        doc.events = [self._carry(doc, ctx, ev) for ev in _dedupe(events, ctx.told_as_attack, headings)]
        return doc

    def _carry(self, doc: Doc, ctx: _DocContext, ev: EventOut) -> EventOut:
        if ev.date is not None or ev.evidence_start is None:
            return ev
        sent = doc.sentence_of(doc.norm.norm_pos(ev.evidence_start))
        carried = ctx.carried_date(doc, sent)
        return ev.model_copy(update={"date": carried[0]}) if carried else ev

    # --- one group -------------------------------------------------------------------

    def _events_of(self, doc: Doc, ctx: _DocContext, group: Group, sent: tuple[int, int]) -> list[EventOut]:
        if _is_heading(doc, sent) and not doc.in_span(*sent, "place"):
            return []  # a section title ("هزيمة تنظيم الدولة") restates the body, with no place of its own
        triggers = self._event_triggers(doc, ctx, group)
        events: list[EventOut] = []
        for trigger, date_override in triggers:
            events.extend(self._event(doc, ctx, group, sent, trigger, date_override, len(triggers) > 1))
        return events

    def _event_triggers(self, doc: Doc, ctx: _DocContext, group: Group) -> list[tuple[Mention, Any]]:
        """The group's trigger, or several when different acts carry different dates.

        "بدأت القوات في 12 ماي عمليتها لاستعادة سرت التي سيطر عليها الجهاديون في جوان 2015" tells
        two events: each trigger takes the date nearest to it.
        """
        supported = [t for t in group.triggers if self._supported(doc, ctx, t, group)]
        supported = [t for t in supported if not _is_hypothetical(doc, group, t)]
        if not supported:
            return []
        best = max(supported, key=lambda t: (t.value.priority, -t.start))
        dates = doc.in_span(group.start, group.end, "date")
        if len({doc.norm.text[d.start : d.end] for d in dates}) < 2:
            return [(best, _NO_OVERRIDE)]
        chosen: dict[str, tuple[Mention, Mention]] = {}
        for t in sorted(supported, key=lambda t: -t.value.priority):
            near = min(dates, key=lambda d: abs(d.start - t.start))
            if any(near is d for _, d in chosen.values()):
                continue
            chosen.setdefault(t.value.sub_event_type, (t, near))
        if len(chosen) < 2:
            return [(best, _NO_OVERRIDE)]
        # each act takes its own date, or none when the text's date for it cannot be resolved
        return sorted(((t, d.value.iso) for t, d in chosen.values()), key=lambda td: td[0].start)

    def _event(
        self,
        doc: Doc,
        ctx: _DocContext,
        group: Group,
        sent: tuple[int, int],
        trigger: Mention,
        date_override: Any,
        split: bool,
    ) -> list[EventOut]:
        rule: TriggerRule = trigger.value
        actors = self._actors(doc, ctx, group, sent, trigger, split)
        place = _place(doc, group, trigger) or _recent_place(doc, sent, ctx.main_country)
        country = place.country if place is not None else _fallback_country(doc, ctx, sent, actors)
        m1, m2 = self._roles(doc, actors, group, trigger)
        if rule.sub_event_type in _PROTEST_SUBS:
            # protesters act in a protest; an armed group named near it is not the one marching
            protesters = [a for a in (m1, m2) if a is not None and a.value.inter in (5, 6)]
            m1 = protesters[0] if protesters else None
            m2 = None
        if rule.lost and m2 is None:
            m1, m2 = None, m1  # "خسر تنظيم داعش معقله": the one named lost it
        sub = self._sub_type(doc, trigger, m1, m2, group)
        m1, m2 = _state_acts(sub, m1, m2, actors)
        actor1, actor2 = self._actor_out(doc, m1, country), self._actor_out(doc, m2, country)
        if actor1 is None:
            actor1 = self._implied_actor1(doc, ctx, sub, trigger, sent, country)
        if sub == "Government regains territory" and m2 is not None and m2.value.inter not in (2, 3, 4):
            actor2 = None  # the prisoners freed or civilians there are not the side that lost the town
        if actor2 is None and actor1 is not None:
            actor2 = self._implied_victims(doc, ctx, sub, group, trigger, actor1, country)
        actor1, actor2 = self._fill_defaults(sub, actor1, actor2, country, doc, group)
        if actor2 is not None and actor1 is not None and actor2.name == actor1.name:
            actor2 = None  # two names of one side ("الحوثيين وقوات صالح") are not two sides
        dates = _dates(doc, group, sent, trigger) if date_override is _NO_OVERRIDE else [date_override]
        if _is_aggregate(doc, trigger, dates, place) or _after_publication(doc, dates):
            return []
        casualties = read_casualties(doc, group.start, group.end)
        no_day = all(d is None or len(d) < 10 for d in dates)
        if _AGGREGATE_TOLL.search(doc.norm.text[group.start : group.end]):
            # "قتلت أكثر من 14 ألف شخص منذ عام 2009": a toll over a period is an estimate, not
            # this event's dead; a large one with no day of its own is no event at all
            if (casualties.fatalities or 0) >= _TALLY_MIN and no_day:
                return []
            casualties = Casualties(None, None)
        if rule.killer and (casualties.fatalities or 0) >= _TALLY_MIN and no_day:
            return []  # "يؤكد الجيش أنه قتل أكثر من 260 مقاتلا في عملياته": a tally, no day's act
        if not dates and date_override is _NO_OVERRIDE and not doc.in_span(*sent, "date"):
            dates = ctx.lead_date(doc, sent, place)
        modality, attribution = _modality(doc, sent)
        evidence_span = _evidence_span(doc, group, sent)
        raw_start, raw_end = doc.norm.raw_span(*evidence_span)
        several = len(dates) > 1 or split
        base: dict[str, Any] = {
            "event_type": SUB_TO_TYPE[sub],
            "sub_event_type": sub,
            "actor1": actor1,
            "actor2": actor2,
            "location": _location_out(place, country),
            "fatalities": None if several else casualties.fatalities,
            "injuries": None if several else casualties.injuries,
            "modality": modality,
            "attribution": attribution,
            "evidence": doc.raw[raw_start:raw_end],
            "evidence_start": raw_start,
            "evidence_end": raw_end,
        }
        out = [EventOut(date=d, **base) for d in (dates or [None])]
        if sub in _VAGUE_ATTACKS:
            kinds = {c.value.kind for c in doc.in_span(group.start, group.end, "cue")}
            if "attack_words" in kinds and "fighting_words" not in kinds:
                ctx.told_as_attack.update(id(ev) for ev in out)
        return out

    def _implied_actor1(
        self, doc: Doc, ctx: _DocContext, sub: str, trigger: Mention, sent: tuple[int, int], country: str | None
    ) -> ActorOut | None:
        """The side the text implies when it names none in the clause.

        Strikes and shelling: the nationality after the word ("غارات جوية أمريكية"), else the
        state force that reports them ("الأفريكوم أكدت ... غارات"). Acts typical of armed groups
        (takeovers, bombings, kidnappings): the group the article last named ("بسط سيطرته").
        """
        if sub in _REMOTE_STATE_SUBS:
            after = doc.in_span(trigger.end, trigger.end + 25, "demonym")
            if after and after[0].value.country:
                return self._generic("military", after[0].value.country, doc.surface(after[0].start, after[0].end))
            forces = [a for a in doc.in_span(*sent, "actor") if a.value.inter in (1, 8) and a.start < trigger.start]
            if forces:
                return self._actor_out(doc, forces[0], country)
        if sub in _GROUP_SUBS:
            topic = ctx.topic_group(doc, trigger.start)
            if topic is not None:
                entry = self.registry.resolve(topic, country)
                return ActorOut(name=self.registry.name_for(entry, country), mention=None)
        return None

    def _implied_victims(
        self,
        doc: Doc,
        ctx: _DocContext,
        sub: str,
        group: Group,
        trigger: Mention,
        actor1: ActorOut,
        country: str | None,
    ) -> ActorOut | None:
        """The side a state force hits when the clause names none: the group the article is about.

        A recapture is always from someone ("أخرجته مدحورا من سرت"); a strike or shelling with no
        target named, in an article about one group, hit that group; a clash needs the fighters
        killed to be mentioned ("قتل 19 عنصرا").
        """
        entry = self.registry.find(actor1.name)
        if entry is None or entry.inter not in (1, 8):
            return None
        if sub not in _REMOTE_STATE_SUBS | {"Government regains territory"}:
            cues = doc.in_span(group.start, group.end, "cue")
            if sub != "Armed clash" or not any(c.value.kind == "combatants" for c in cues):
                return None
        topic = ctx.topic_group(doc, trigger.start)
        if topic is None:
            return None
        resolved = self.registry.resolve(topic, country)
        return ActorOut(name=self.registry.name_for(resolved, country), mention=None)

    def _supported(self, doc: Doc, ctx: _DocContext, trig: Mention, group: Group) -> bool:
        rule: TriggerRule = trig.value
        if rule.needs_protest and not any(
            t.value.sub_event_type in _PROTEST_SUBS for t in group.triggers if t is not trig
        ):
            return False
        cues = doc.in_span(group.start, group.end, "cue")
        if any(c.value.kind == "accident" for c in cues) and rule.priority < 85:
            return False  # a crash, a fire or a traffic accident is no political violence
        if _restated(doc, trig, cues):
            return False  # "ويأتي الهجوم بعد ...": the article's event named again
        if rule.needs_cue and not any(c.value.kind == rule.needs_cue for c in cues):
            return False  # "خرق الهدنة", "انتهاكات لوقف إطلاق النار": a truce named, none agreed
        if rule.unless_after and _vetoed_after(doc, trig, group, rule.unless_after):
            return False  # "تدمير ثلاث دبابات", "تدمير داعش": a side's arms or the side itself
        if not rule.weak:
            return True
        if rule.killer:
            return _killer_named(doc, trig, group, cues)
        # A weak word needs an armed actor near it or a count of dead/injured in its clause group.
        near = doc.tokens_in(group.start, group.end)
        if rule.territory:
            # "تمكنت المقاومة الشعبية والجيش أمس الأحد من السيطرة": a date between the taker and the
            # taking does not part them
            dates = doc.in_span(group.start, group.end, "date")
            near = [t for t in near if not any(d.start <= t.start < d.end for d in dates)]
        idx = next((i for i, t in enumerate(near) if t.start >= trig.start), 0)
        # taking a place needs its taker as the verb's subject or object ("سيطر داعش على", not
        # "الهدوء يسيطر على محاور القتال" with a force named further on)
        reach = _SUBJECT_NEAR if rule.territory else _ACTOR_NEAR
        lo = near[max(0, idx - reach)].start if near else trig.start
        if rule.territory and idx and doc.norm.text[near[idx - 1].start : near[idx - 1].end] in ("من", "في"):
            window = doc.in_span(near[max(0, idx - _ACTOR_NEAR)].start, trig.start, "cue")
            able = [c for c in window if c.value.kind == "enabling"]
            if able:
                lo = min(lo, able[-1].start)  # the one who managed it stands right after the verb
        hi = near[min(len(near) - 1, idx + reach)].end if near else trig.end
        if any(_is_armed(a.value) for a in doc.in_span(lo, hi, "actor")):
            return True
        # taking ground needs a count: "السيطرة على حرائق غابات أسفرت عن مقتل شرطي" is no conquest
        cas = read_casualties(doc, group.start, group.end, singles=not rule.territory)
        return cas.fatalities is not None or cas.injuries is not None

    # --- actors ----------------------------------------------------------------------

    def _actors(
        self, doc: Doc, ctx: _DocContext, group: Group, sent: tuple[int, int], trigger: Mention, split: bool
    ) -> list[Mention]:
        lo, hi = _trigger_span(group, trigger) if split else (group.start, group.end)
        found = doc.in_span(lo, hi, "actor")
        if not found:  # the subject is often named earlier in the sentence, but not the side hit there
            markers = [c for c in doc.in_span(sent[0], group.start, "cue") if c.value.kind in _TARGET_CUES]
            found = [a for a in doc.in_span(sent[0], group.start, "actor") if not _follows(doc, markers, a, 2)][-1:]
        out = []
        markers = [c for c in doc.in_span(sent[0], sent[1], "cue") if c.value.kind in _TARGET_CUES]
        # A group named in the clause as the doer ("التفجير الانتحاري الذي نفذه تنظيم داعش") is who
        # its generic words ("الانتحاري") mean, before any group the article named earlier.
        doers = [
            a.value
            for a in found
            if _is_armed(a.value)
            and a.value.inter in (2, 3, 4)
            and not (a.value.generic or a.value.anaphor)
            and not _follows(doc, markers, a, _TARGET_WINDOW)
        ]
        for m in found:
            entry = m.value
            # "التنظيم" points back to the group named before; "الجهاديون", "المسلحون" in an article
            # about one group are that group too.
            if entry.anaphor or (entry.generic and entry.inter in (2, 3)):
                named = doers[0] if len(doers) == 1 and not entry.anaphor else ctx.last_group_before(m.start)
                if named is not None:
                    m = Mention("actor", m.start, m.end, named, m.source, m.score)
                elif entry.anaphor:
                    continue
            out.append(m)
        return out

    def _roles(
        self, doc: Doc, actors: list[Mention], group: Group, trigger: Mention
    ) -> tuple[Mention | None, Mention | None]:
        cues = doc.in_span(group.start, group.end, "cue")
        markers = [c for c in cues if c.value.kind in _TARGET_CUES]
        reporting = [c for c in cues if c.value.kind == "reporting"]
        inquiry = [c for c in cues if c.value.kind == "investigating"]
        hurt = any(c.value.kind in ("killed", "injured") for c in cues)
        counts = doc.in_span(group.start, group.end, "number") if hurt else []
        # The one who announces ("أعلنت الشرطة الكينية أن ...") or investigates ("قوات الأمن بدأت
        # بالتحقيق") is the source, not a side.
        sources = [a for a in actors if _follows(doc, reporting, a, 3) or _near_cue(doc, inquiry, a, 3)]
        sides = [a for a in actors if a not in sources]
        if not sides and trigger.value.sub_event_type not in _GROUP_SUBS:
            sides = actors  # "أعلن الجيش أنه شن غارات": a force may announce its own strike, not a bombing
        targets: list[Mention] = []
        agents: list[Mention] = []
        for a in sides:
            if _genitive_agent(doc, trigger, a):
                agents.insert(0, a)  # "غارة جوية لطيران التحالف", "قصف مدفعي للحوثيين": the author
                continue
            # civilians and protesters suffer violence; they do not shell or bomb. A group counted
            # where people died ("15 مسلحا حوثيا قتلوا", "9 من ميليشيات الحوثي") is the side hit.
            if trigger.value.killer and _doer_after(doc, trigger, a, group, cues):
                agents.insert(0, a)  # "قتلت قوات الشرطة مسلحا": the side right after the verb killed
                continue
            victim = (
                a.value.inter in _VICTIM_INTER
                or _follows(doc, markers, a, _TARGET_WINDOW)
                or _follows(doc, counts, a, 3)
                or _passive_victim(doc, a, cues)
            )
            (targets if victim else agents).append(a)
        if not agents and len(targets) > 1:
            agents.append(targets.pop(0))
        if trigger.value.territory:  # who takes a place is named next to the taking
            agents.sort(key=lambda a: abs(a.start - trigger.start))
        a1 = agents[0] if agents and _genitive_agent(doc, trigger, agents[0]) else _prefer_named(agents)
        rest = [a for a in agents if a is not a1]
        a2 = _prefer_named(targets) or _prefer_named(rest)
        if a1 is not None and a2 is not None and a1.value.id == a2.value.id:
            a2 = None
        return a1, a2

    def _actor_out(self, doc: Doc, m: Mention | None, country: str | None) -> ActorOut | None:
        if m is None:
            return None
        entry = self.registry.resolve(m.value, country)
        return ActorOut(name=self.registry.name_for(entry, country), mention=doc.surface(m.start, m.end))

    def _sub_type(self, doc: Doc, trigger: Mention, a1: Mention | None, a2: Mention | None, group: Group) -> str:
        rule: TriggerRule = trigger.value
        sub = rule.sub_event_type
        # Who gains decides the sub-type, when the gainer stands as the verb's subject.
        gainer = a1 if a1 is not None and _near(doc, a1, trigger, 3) else None
        loser = a2 if rule.lost else None
        if rule.territory and gainer is not None:
            state = gainer.value.inter == _STATE_INTER
            sub = "Government regains territory" if state else "Non-state actor overtakes territory"
        elif rule.territory and loser is not None and loser.value.inter == _STATE_INTER:
            sub = "Non-state actor overtakes territory"
        cues = doc.in_span(group.start, group.end, "cue")
        if sub == "Shelling/artillery/missile attack" and _AIR_WORDS.search(
            doc.norm.text[trigger.start : min(group.end, trigger.end + 30)]
        ):
            sub = "Air/drone strike"  # "قصف طيران التحالف", "قصفت طائرات": bombing from the air
        protest = any(t.value.sub_event_type == "Peaceful protest" for t in group.triggers)
        if protest and sub in _FORCE_ON_PROTEST:
            # arrests, shots or attacks where a protest is told: the protest met intervention
            killed = any(c.value.kind == "killed" for c in cues)
            return "Excessive force against protesters" if killed else "Protest with intervention"
        if sub in _SELF_BLAST_FROM and _blew_self_up(doc, cues):
            return "Suicide bomb"
        if sub in _DISARMABLE and any(
            _disarmed(doc, t, cues) for t in group.triggers if t.value.sub_event_type in _DISARMABLE
        ):
            return "Disrupted weapons use"
        victims_civil = any(c.value.kind == "civilians" for c in cues)
        fighters = any(c.value.kind == "combatants" for c in cues)
        if rule.killer:
            dead_fought = _dead_fought(doc, trigger, group, cues) or (a2 is not None and _is_armed(a2.value))
            return "Armed clash" if dead_fought else "Attack"
        if (
            sub == "Armed clash"
            and victims_civil
            and not fighters
            and (a2 is None or a2.value.inter == _CIVILIAN_INTER)
        ):
            sub = "Attack"
        return sub

    def _fill_defaults(
        self,
        sub: str,
        a1: ActorOut | None,
        a2: ActorOut | None,
        country: str | None,
        doc: Doc,
        group: Group,
    ) -> tuple[ActorOut | None, ActorOut | None]:
        """ACLED codes every event with an actor1; name the generic one the text implies."""
        if a1 is None:
            a1 = self._generic(_DEFAULT_ACTOR1.get(sub, "unidentified_armed_group"), country, None)
        if a2 is None:
            a2 = self._victim_force(doc, group, country)
        if a2 is None and (sub == "Attack" or sub.startswith("Abduction")):
            civ = [c for c in doc.in_span(group.start, group.end, "cue") if c.value.kind == "civilians"]
            if civ:
                a2 = self._generic("civilians", country, doc.surface(civ[0].start, civ[0].end))
        return a1, a2

    def _victim_force(self, doc: Doc, group: Group, country: str | None) -> ActorOut | None:
        """Soldiers or police named only by a noun ("جنديين عراقيين قتلا") as the side hit."""
        kills = [c for c in doc.in_span(group.start, group.end, "cue") if c.value.kind in ("killed", "injured")]
        if not kills:
            return None
        for c in doc.in_span(group.start, group.end, "cue"):
            if c.value.kind != "combatants":
                continue
            noun = doc.norm.text[c.start : c.end]
            force = "police" if any(w in noun for w in _POLICE_NOUNS) else None
            force = force or ("military" if any(w in noun for w in _SOLDIER_NOUNS) else None)
            if force is None:
                continue
            after = [d for d in doc.in_span(c.end, c.end + 20, "demonym")]
            where = after[0].value.country if after else country
            return self._generic(force, where, doc.surface(c.start, (after[0].end if after else c.end)))
        return None

    def _generic(self, actor_id: str, country: str | None, mention: str | None) -> ActorOut:
        entry = self.registry.get(actor_id)
        if entry is None:
            raise KeyError(f"resources/actors: generic actor {actor_id!r} is missing; the event builder needs it")
        return ActorOut(name=self.registry.name_for(self.registry.resolve(entry, country), country), mention=mention)


# --- helpers ---------------------------------------------------------------------------


class _DocContext:
    """Document-level facts the event builder needs: main country, named groups in order."""

    def __init__(self, doc: Doc) -> None:
        self.main_country: str | None = main_country(doc)
        self.groups = sorted(
            (m for m in doc.mentions if m.kind == "actor" and not m.value.anaphor and _is_armed(m.value)),
            key=lambda m: m.start,
        )
        self.lead, self.lead_iso, self.lead_date_at = _lead(doc)
        # events (by id) of a vague attack told with an attack word and no word of fighting
        self.told_as_attack: set[int] = set()

    def lead_date(self, doc: Doc, sent: tuple[int, int], place: Any) -> list[str]:
        """The lead's date for an undated event of a later sentence that recounts the lead's news.

        A news article dates its news in the lead ("قتل أكثر من 50 شخصا يوم أمس في هجمات ... في
        الكاميرون ونيجيريا") and tells the details after it without repeating the date ("والهجومان
        نفذتهما فتاتان قامتا بتفجير نفسيهما في مروة"). A later event takes the lead's date when:
        it is placed more precisely than a country, inside a place the lead names (same town,
        within a region or admin-1 the lead names, or in a country the lead names; with no place
        in the lead, in the country of its nationality adjective: "الجيش النيجيري"); its sentence
        does not open on the pluperfect or a background formula ("وكان ... أعلن", "يذكر أن"); and no
        sentence between them gives another past date (the story has moved on). A lead dated
        "منذ أمس الأول" (since) dates a span: the event takes its month.
        """
        if self.lead is None or self.lead_iso is None or place is None or not place.country:
            return []
        iso = self.lead_iso
        leads = [m.value for m in doc.in_span(*self.lead, "place") if getattr(m.value, "country", None)]
        if sent[1] <= self.lead[0]:
            # the headline restates the lead's news: its place may be the wider or the narrower
            if not _is_heading(doc, sent) or not any(_covers(p, place) or _covers(place, p) for p in leads):
                return []
            return [self._lead_precision(doc, iso)]
        if getattr(place, "precision", "country") == "country":
            return []  # a later sentence told at country level may be any event of that country
        if sent[0] < self.lead[1] or _BACKGROUND_OPENING.match(doc.norm.text[sent[0] : sent[1]]):
            return []
        if _turns_away(doc.norm.text[sent[0] : sent[1]]):
            return []  # "ومن جهة ثانية، قتل عنصر ...": another incident, not the lead's
        if any(c.value.kind == "vague_past" for c in doc.in_span(*sent, "cue")):
            return []  # "مؤخرا", "في وقت سابق": some earlier time, not the lead's
        ref = doc.reference_date.isoformat() if doc.reference_date is not None else None
        for m in doc.in_span(self.lead[1], sent[0], "date"):
            other = getattr(m.value, "iso", None)
            if other and other[: len(iso)] != iso[: len(other)] and (ref is None or other <= ref):
                return []
        if not leads:
            # a lead with no place name may still say whose news it is ("أنقذ الجيش النيجيري ...")
            nations = {getattr(m.value, "country", None) for m in doc.in_span(*self.lead, "demonym")}
            return [self._lead_precision(doc, iso)] if place.country in nations else []
        if not any(_covers(p, place) for p in leads):
            return []
        return [self._lead_precision(doc, iso)]

    def carried_date(self, doc: Doc, sent: tuple[int, int]) -> list[str]:
        """The day the report gave last, for an undated event of a later sentence in it.

        A day's report dates its news once ("امس الجمعة", "مساء أمس") and goes on with details,
        quotes and other fronts of that day without repeating it ("وأضاف المركز ...", "كما شنت
        طائرات أخرى غارات مماثلة ..."). An event with no date of its own takes the day of the
        nearest earlier sentence that gives one, when that day is at most `carry_max_days` before
        the writing day (an older date starts background). Not when the nearest earlier date is
        older, nor when the sentence opens on the pluperfect or a background formula ("وكان",
        "يذكر أن"), on a turn to another story ("من جهة أخرى", dates.yaml: carry_blockers), or
        says "some time ago" ("مؤخرا").
        """
        ref = doc.reference_date
        if ref is None or sent not in doc.sentences or doc.in_span(*sent, "date"):
            return []  # a date the sentence gives, even one that cannot be resolved, is its own
        text = doc.norm.text[sent[0] : sent[1]]
        if _BACKGROUND_OPENING.match(text.lstrip(_OPENING_JUNK)) or _turns_away(text):
            return []
        if any(c.value.kind == "vague_past" for c in doc.in_span(*sent, "cue")):
            return []
        for k in range(doc.sentences.index(sent) - 1, -1, -1):
            found = [m.value for m in doc.in_span(*doc.sentences[k], "date") if getattr(m.value, "iso", None)]
            if not found:
                continue
            latest = max(v.iso for v in found)
            if len(latest) < 10 or not (0 <= (ref - dt.date.fromisoformat(latest)).days <= _carry_max_days()):
                return []
            return [latest]
        return []

    def _lead_precision(self, doc: Doc, iso: str) -> str:
        assert self.lead is not None
        before = doc.norm.text[max(self.lead[0], self.lead_date_at - 6) : self.lead_date_at]
        return iso[:7] if before.rstrip().endswith("منذ") else iso

    def last_group_before(self, offset: int) -> Any:
        """The non-state armed group named last before `offset`: what "التنظيم" and "-ه" point to."""
        best = None
        for m in self.groups:
            if m.start >= offset:
                break
            if m.value.inter in (2, 3, 4) and not m.value.generic:
                best = m.value
        return best

    def topic_group(self, doc: Doc, offset: int) -> Any:
        """The group an unattributed act at `offset` is ascribed to: the one its sentence named
        last, else the one the article names most before it (ties: the later).

        "والهجومان نفذتهما فتاتان قامتا بتفجير نفسيهما" in a Boko Haram article whose previous
        paragraph said the group "declared loyalty to IS": Boko Haram, not the IS named once.
        """
        s, _ = doc.sentence_of(offset)
        counts: dict[str, int] = {}
        latest: dict[str, tuple[int, Any]] = {}
        for m in self.groups:
            if m.start >= offset:
                break
            if m.value.inter not in (2, 3, 4) or m.value.generic:
                continue
            if m.start >= s:
                return self.last_group_before(offset)
            counts[m.value.id] = counts.get(m.value.id, 0) + 1
            latest[m.value.id] = (m.start, m.value)
        if not counts:
            return None
        best = max(counts, key=lambda k: (counts[k], latest[k][0]))
        return latest[best][1]


_OPENING_JUNK = " \t\n\"'«(-–—.،,:؛"


def _turns_away(sentence: str) -> bool:
    """Whether a sentence opens on a turn to another story ("ومن جهة ثانية", dates.yaml)."""
    opening = sentence.lstrip(_OPENING_JUNK)
    opening = opening[1:] if opening[:1] in ("و", "ف") else opening
    return any(opening.startswith(b) for b in _carry_blockers())


@cache
def _carry_blockers() -> tuple[str, ...]:
    """Openings that turn to another story: a date is not carried past them (dates.yaml)."""
    return tuple(normalize(w) for w in load_yaml("dates.yaml").get("carry_blockers") or [])


@cache
def _carry_max_days() -> int:
    return int(load_yaml("dates.yaml").get("carry_max_days", 7))


def _blew_self_up(doc: Doc, cues: list[Mention]) -> bool:
    """A detonation verb with a reflexive a few words after it: "فجر رجل يرتدي البرقع نفسه"."""
    verbs = [c for c in cues if c.value.kind == "detonate"]
    for r in (c for c in cues if c.value.kind == "reflexive"):
        if any(v.end <= r.start and len(doc.tokens_in(v.end, r.start)) <= _SELF_GAP for v in verbs):
            return True
    return False


def _lead(doc: Doc) -> tuple[tuple[int, int] | None, str | None, int]:
    """The article's lead (its first sentence that is not a heading), its date and where it stands.

    The date is the lead's resolved date of month or day precision nearest to an act it names
    ("أعلن أوباما أول من أمس ... قتل أمس ستة في هجوم انتحاري": the attack's أمس, not the
    statement's day), else its first; a year alone ("منذ 2009") tells background, not the news.
    """
    for sent in doc.sentences:
        if _is_heading(doc, sent) or not doc.tokens_in(*sent):
            continue
        dated = [m for m in doc.in_span(*sent, "date") if len(getattr(m.value, "iso", None) or "") >= 7]
        if not dated:
            return sent, None, 0
        acts = doc.in_span(*sent, "trigger")
        best = min(dated, key=lambda m: min((abs(m.start - t.start) for t in acts), default=0))
        return sent, best.value.iso, best.start
    return None, None, 0


def _covers(lead: Any, place: Any) -> bool:
    """Whether the lead's place contains (or is) the event's place."""
    if lead.country != place.country:
        return False
    if lead.precision == "country":
        return True
    if lead.precision == "admin1":
        return lead.admin1 is not None and lead.admin1 == place.admin1
    km = haversine_km((lead.lat, lead.lon), (place.lat, place.lon))
    return km <= (_SAME_REGION_KM if lead.precision == "region" else _SAME_TOWN_KM)


def _trigger_span(group: Group, trigger: Mention) -> tuple[int, int]:
    """The part of the group that belongs to `trigger` when the group holds several acts.

    From the end of the previous trigger of another sub-type to the start of the next one:
    "بدأت القوات عمليتها لاستعادة سرت التي سيطر عليها الجهاديون" gives each act its own side.
    """
    others = [t for t in group.triggers if t.value.sub_event_type != trigger.value.sub_event_type]
    lo = max((t.end for t in others if t.end <= trigger.start), default=group.start)
    hi = min((t.start for t in others if t.start >= trigger.end), default=group.end)
    return lo, hi


def _is_aggregate(doc: Doc, trigger: Mention, dates: list[str | None], place: Any) -> bool:
    """Plural acts over a year in a whole country ("غارات جوية هذا العام"): a tally, not an event."""
    word = doc.norm.text[trigger.start : trigger.end].split()[0]
    plural = word.endswith("ات") or word.endswith("اتها") or word.endswith("اته")
    vague_time = all(d is None or len(d) == 4 for d in dates)
    vague_place = place is None or getattr(place, "precision", "country") == "country"
    return plural and vague_time and vague_place and any(d is not None for d in dates)


def _after_publication(doc: Doc, dates: list[str | None]) -> bool:
    """Dated only after the article was published ("بحلول 30 يوليو"): a plan or a deadline, not an act."""
    ref = doc.reference_date
    if ref is None or doc.reference_precision != "day" or not dates or any(d is None for d in dates):
        return False
    latest = (ref + dt.timedelta(days=1)).isoformat()  # a day's slack for time zones and late editions
    return all(d > latest[: len(d)] for d in dates if d)  # compared at each date's own precision


def _is_title(doc: Doc, sent: tuple[int, int]) -> bool:
    """The article's title line, however long ("رئيس الوزراء التركي يعلن تحديد هوية مشتبه به في
    الهجوم الانتحاري في سروج" has 13 words)."""
    title = (doc.article.title or "").strip()
    if not title or sent[0] > len(title):
        return False
    first = doc.norm.text.split("\n", 1)[0]
    return sent[1] <= len(first) and doc.surface(0, len(first)).strip() == title


def _is_heading(doc: Doc, sent: tuple[int, int]) -> bool:
    """A short line standing alone, with no closing full stop: a headline or a section title.

    The line counts, not the sentence: "المقاومة الشعبية تستعيد قاعدة العند.. والقوات الخليجية
    تؤمن عدن" is one headline that the splitter cuts at "..", and neither piece is the lead.
    """
    s, e = sent
    text = doc.norm.text
    ls = text.rfind("\n", 0, s) + 1
    le = text.find("\n", e)
    le = len(text) if le < 0 else le
    line = text[ls:le].rstrip()
    if not line.strip() or (line.endswith(".") and not line.endswith("..")):
        return False
    return len(doc.tokens_in(ls, le)) <= 12


def _recent_place(doc: Doc, sent: tuple[int, int], country: str | None) -> Any:
    """With no place in its sentence, an event happens where the paragraph last said (a town).

    Only a town in the article's main country qualifies: a look-back must not carry a misread
    name abroad.
    """
    if country is None:
        return None
    text = doc.norm.text
    refs = reference_starts(doc)  # "450 كلم شرق طرابلس" measures a distance: no event is there
    idx = doc.sentences.index(sent) if sent in doc.sentences else -1
    for k in range(idx - 1, max(idx - 3, -1), -1):
        s, e = doc.sentences[k]
        if "\n\n" in text[e : doc.sentences[k + 1][0]]:
            break  # a new paragraph: its places are not this one's
        towns = [
            m
            for m in doc.in_span(s, e, "place")
            if m.value.precision in ("point", "city") and m.value.country == country and m.start not in refs
        ]
        if towns:
            return towns[-1].value
    return None


def _state_acts(
    sub: str, a1: Mention | None, a2: Mention | None, actors: list[Mention]
) -> tuple[Mention | None, Mention | None]:
    """Arrests and recaptures are acts of the state: its forces are actor1, the group is actor2.

    With no state force named, actor1 is left empty for the default (police, military) to fill.
    """
    if sub not in _STATE_SUBS or (a1 is not None and a1.value.inter == _STATE_INTER):
        return a1, a2
    state = [a for a in actors if a.value.inter == _STATE_INTER]
    other = a1 if a1 is not None and a1.value.inter != _STATE_INTER else a2
    if a2 is not None and a2.value.inter != _STATE_INTER and not a2.value.generic:
        other = a2
    return (state[0] if state else None), other


def _fallback_country(doc: Doc, ctx: _DocContext, sent: tuple[int, int], actors: list[Mention]) -> str | None:
    """With no place: the article's main country, else a nationality or a national actor in the sentence."""
    if ctx.main_country:
        return ctx.main_country
    for m in doc.in_span(*sent, "demonym"):
        if getattr(m.value, "country", None):
            return m.value.country
    for a in actors:
        if a.value.country:
            return a.value.country
    return None


def _near(doc: Doc, a: Mention, b: Mention, tokens: int) -> bool:
    """Whether mentions a and b are at most `tokens` words apart."""
    lo, hi = (a, b) if a.start < b.start else (b, a)
    return len(doc.tokens_in(lo.end, hi.start)) <= tokens


def _passive_victim(doc: Doc, a: Mention, cues: list[Mention]) -> bool:
    """An actor right before "قتلوا/قتلا/أصيبوا" with no count after it was killed, not killing.

    "جنديين عراقيين قتلا في تفجير" (two soldiers were killed) against "الحوثيون قتلوا 5 مدنيين".
    """
    after = doc.tokens_in(a.end, a.end + 40)[:3]
    for k, tok in enumerate(after[:2]):
        if any(c.start == tok.start and c.value.kind in ("killed", "injured") for c in cues):
            nxt = after[k + 1] if k + 1 < len(after) else None
            return nxt is None or not (nxt.text[:1].isdigit() or doc.in_span(nxt.start, nxt.end, "number"))
    return False


# How near its doer stands to a killing verb: "حركة الشباب الصومالية تقتل", "قتلت قوات الأمن".
_KILLER_NEAR = 2
# Words between a claim and the killing claimed: "تبنت الحركة الانفصالية الكردية الأربعاء قتل شرطيين".
_CLAIMER_NEAR = 5
# Words that name the doer after a passive killing: "قتل جنديان بنيران داعش", "على يد مسلحين".
_DOER_MARK = re.compile(r"(?:^|\s)(?:على\s+يد|على\s+ايدي|بيد|بايدي|بنيران|برصاص)\s*$")


def _killer_named(doc: Doc, trig: Mention, group: Group, cues: list[Mention]) -> bool:
    """Whether a killing verb names its doer, an armed side: just before it ("داعش يقتل"), just
    after it ("قتل مسلحون", "قتلت قوات الأمن"), after a doer mark ("بنيران داعش"), or as the side
    claiming it ("أعلنت حركة الشباب مسؤوليتها عن قتل نائب").

    With no doer, "قتل 3 أشخاص" may be a crime or an accident; a side named as the dead
    ("قتل 15 عنصرا من داعش", "جنود قتلوا في") is no doer.
    """
    tokens = doc.tokens_in(group.start, group.end)
    idx = next((i for i, t in enumerate(tokens) if t.start >= trig.start), None)
    if idx is None:
        return False
    text = doc.norm.text
    if text[trig.start : trig.end].lstrip("وف")[:1] in ("ي", "ت") and not _is_heading(doc, doc.sentence_of(trig.start)):
        return False  # "يقتل التنظيم المدنيين": in the body, the present tells a habit; a headline tells news so
    claim = any(
        c.value.kind == "stmt:claim" and c.end <= trig.start and len(doc.tokens_in(c.end, trig.start)) <= _CLAIMER_NEAR
        for c in cues
    )
    if claim:
        return True  # a killing claimed has its doer, named or not in the registry
    lo = tokens[max(0, idx - _KILLER_NEAR)].start
    hi = tokens[min(len(tokens) - 1, idx + _KILLER_NEAR + 2)].end
    first = tokens[idx + 1] if idx + 1 < len(tokens) else None
    armed_first = first is not None and any(c.start == first.start and c.value.kind == "combatants" for c in cues)
    if first is not None and armed_first and _has_object(doc, first.end, group, cues):
        return True  # "قتل مسلحون يشتبه في انتمائهم لبوكو حرام 20 قرويا"
    for a in doc.in_span(group.start, hi, "actor"):
        if not _is_armed(a.value) or a.end < lo:
            continue
        if a.start < trig.start:
            # "جنديان قتلا في" were killed; "الحوثيون قتلوا 5 مدنيين" killed
            if _has_object(doc, trig.end, group, cues) or not _passive_victim(doc, a, cues):
                return True
            continue
        before = text[max(group.start, a.start - 20) : a.start]
        if _DOER_MARK.search(before):
            return True
        if _doer_after(doc, trig, a, group, cues):
            return True
    return False


def _doer_after(doc: Doc, trig: Mention, a: Mention, group: Group, cues: list[Mention]) -> bool:
    """Whether the side right after "قتل" is its subject: it has an object after it."""
    return a.start >= trig.end and not doc.tokens_in(trig.end, a.start) and _has_object(doc, a.end, group, cues)


# How far after the doer of "قتل" its object is looked for: "قتلت قوات الشرطة الأمريكية الأربعاء مسلحا".
_OBJECT_NEAR = 5


def _has_object(doc: Doc, doer_end: int, group: Group, cues: list[Mention]) -> bool:
    """Whether the side right after "قتل" has an object after it, so that it killed ("قتلت قوات
    الأمن 15 عنصرا", "قتل مسلحون مجهولون ثلاثة مدنيين") rather than was killed ("قتل شرطي وعثر",
    "قتل جنديان بنيران داعش")."""
    text = doc.norm.text
    after = doc.tokens_in(doer_end, group.end)[:_OBJECT_NEAR]
    # the object comes before the next conjunct ("قتل شرطي وعثر على مدني": two passives)
    after = after[: next((k for k, t in enumerate(after) if t.text[:1] in "وف"), len(after))]
    if not after or any(_DOER_MARK.search(text[doer_end : t.start]) for t in after):
        return False  # "قتل جنود بنيران داعش": the doer is named after, so these were killed
    hi = after[-1].end
    if doc.in_span(doer_end, hi, "number") or any(t.text[:1].isdigit() for t in after):
        return True
    return any(doer_end <= c.start < hi and c.value.kind in ("civilians", "combatants") for c in cues)


_DEMONSTRATIVES = frozenset({"هذا", "هذه", "ذلك", "تلك"})


def _restated(doc: Doc, trig: Mention, cues: list[Mention]) -> bool:
    """Whether the act stands right after "يأتي"/"تأتي" (with at most a demonstrative between):
    "ويأتي الهجوم بعد أسابيع من ...", "وتأتي هذه الغارات بعد أن ..."."""
    for c in cues:
        if c.value.kind == "restating" and c.end <= trig.start:
            between = doc.tokens_in(c.end, trig.start)
            if len(between) <= 1 and all(t.text in _DEMONSTRATIVES for t in between):
                return True
    return False


_DISARMABLE = frozenset({"Remote explosive/landmine/IED", "Grenade"})
_DISARMED_NEAR = 4  # words between a bomb and the word that says it was found or made safe


def _disarmed(doc: Doc, trig: Mention, cues: list[Mention]) -> bool:
    """A bomb found or made safe ("عثر على عبوات ناسفة", "فجرت قوات الأمن سبع عبوات ناسفة عثرت
    عليها", "إبطال مفعول عبوة"): the word stands right by the bomb, not by a body found after a
    blast."""
    for c in cues:
        if c.value.kind != "disarmed":
            continue
        lo, hi = (c.end, trig.start) if c.end <= trig.start else (trig.end, c.start)
        if len(doc.tokens_in(lo, hi)) <= _DISARMED_NEAR:
            return True
    return False


def _dead_fought(doc: Doc, trig: Mention, group: Group, cues: list[Mention]) -> bool:
    """Whether a killing verb's dead are fighters ("قتلت قوات الأمن 15 عنصرا", "قتل جنديان
    بنيران داعش"), not its doers ("قتل مسلحون ثلاثة مدنيين", "برصاص مسلحين")."""
    text = doc.norm.text
    after = doc.tokens_in(trig.end, group.end)
    passive = any(_DOER_MARK.search(text[max(group.start, t.start - 20) : t.start]) for t in after)
    for c in cues:
        if c.value.kind != "combatants" or c.start < trig.end:
            continue
        if after and c.start == after[0].start and not passive:
            continue  # "قتل مسلحون": the subject right after the verb is its doer
        if _DOER_MARK.search(text[max(group.start, c.start - 20) : c.start]):
            continue
        return True
    return False


def _genitive_agent(doc: Doc, trigger: Mention, a: Mention) -> bool:
    """An actor joined to the act by ل right after it: "غارة جوية لطيران التحالف", "هجوم للمقاومة"."""
    if not doc.norm.text[a.start : a.end].startswith("ل") or a.start < trigger.end:
        return False
    return len(doc.tokens_in(trigger.end, a.start)) <= 1


def _follows(doc: Doc, cues: list[Mention], m: Mention, window: int) -> bool:
    """Whether one of `cues` stands within `window` tokens before mention `m`."""
    before = doc.tokens_in(max(0, m.start - 60), m.start)[-window:]
    lo = before[0].start if before else m.start
    return any(lo <= c.start < m.start for c in cues)


def _near_cue(doc: Doc, cues: list[Mention], m: Mention, window: int) -> bool:
    """Whether one of `cues` stands within `window` tokens before or after mention `m`."""
    if _follows(doc, cues, m, window):
        return True
    after = doc.tokens_in(m.end, m.end + 60)[:window]
    hi = after[-1].end if after else m.end
    return any(m.end <= c.start < hi for c in cues)


def _prefer_named(mentions: list[Mention]) -> Mention | None:
    """The first named actor, else the first generic one ("مسلحون", "قوات الأمن")."""
    named = [m for m in mentions if not m.value.generic]  # generic names are the "{country}" ones
    return (named or mentions or [None])[0]


def _is_armed(entry: Any) -> bool:
    return getattr(entry, "inter", 0) in (1, 2, 3, 4, 8)


def _groups(doc: Doc, s: int, e: int) -> list[Group]:
    clauses = [Group(a, b) for a, b in split_clauses(doc.norm.text, s, e)]
    for c in clauses:
        c.triggers = doc.in_span(c.start, c.end, "trigger")
    # A clause that only kills ("قتل 3 من الشرطة، أمس، في هجوم", "هجوم ...، وقتل 5 جنود") tells the
    # toll of the act the sentence names; only a sentence with no act is grouped by its killings.
    if any(not t.value.killer for c in clauses for t in c.triggers):
        for c in clauses:
            if all(t.value.killer for t in c.triggers):
                c.triggers = []
    merged: list[Group] = []
    pending: Group | None = None  # leading clauses without a trigger
    for c in clauses:
        if c.triggers:
            if pending is not None:
                c = Group(pending.start, c.end, c.triggers)
                pending = None
            merged.append(c)
        elif merged:
            merged[-1].end = c.end
        else:
            pending = c if pending is None else Group(pending.start, c.end)
    return merged


# How many words after a trigger its object is looked for (unless_after in triggers.yaml), not
# counting a count and its hedges before it.
_OBJECT_WINDOW = 3
_COUNT_WORDS = 4
_QUANTITY_WORDS = frozenset({"اكثر", "اقل", "من", "نحو", "حوالي", "قرابه", "زهاء", "عشرات", "مئات"})


def _vetoed_after(doc: Doc, trigger: Mention, group: Group, family: str) -> bool:
    """Whether the trigger's object, in the few words after it, is of the vetoing cue family or an
    armed side ("تدمير مخزن للأسلحة", "تدمير آليات للتنظيم", "تدمير داعش")."""
    # a count before the object does not push it out of reach ("تدمير أكثر من 16 آلية")
    counts = doc.in_span(trigger.end, group.end, "number")
    after = [
        t
        for t in doc.tokens_in(trigger.end, group.end)[: _OBJECT_WINDOW + _COUNT_WORDS]
        if t.text not in _QUANTITY_WORDS and not any(n.start <= t.start < n.end for n in counts)
    ][:_OBJECT_WINDOW]
    if not after:
        return False
    if any(c.value.kind == family for c in doc.in_span(trigger.end, after[-1].end, "cue")):
        return True
    return any(_is_armed(a.value) for a in doc.in_span(trigger.end, after[0].end, "actor"))


def _is_hypothetical(doc: Doc, group: Group, trigger: Mention) -> bool:
    """A cue of fear, forecast, plan, purpose or denial governs the trigger.

    Hypothetical, warning and denial cues scope over their clause group; a negation only over
    the few words before the trigger.
    """
    rule: TriggerRule = trigger.value
    surface = doc.norm.text[trigger.start : trigger.end]
    if rule.territory and surface.removeprefix("و").startswith("ل") and not surface.startswith("لل"):
        return True  # "لتحرير سرت", "لاستعادة المدينة": the purpose of an operation, not its result
    before = doc.tokens_in(group.start, trigger.start)
    neg_from = before[-_NEG_WINDOW].start if len(before) >= _NEG_WINDOW else group.start
    cues = doc.in_span(group.start, trigger.start, "cue")
    for c in cues:
        if c.value.kind in ("hypothetical", "stmt:warning", "stmt:denial"):
            return True
        if c.value.kind == "negation" and c.start >= neg_from:
            return True
    reported = any(c.value.kind == "report_nouns" for c in cues)
    return reported and any(c.value.kind == "untrue" for c in doc.in_span(trigger.end, group.end, "cue"))


def _modality(doc: Doc, sent: tuple[int, int]) -> tuple[str, str | None]:
    """ "reported" with the source's words when the sentence credits a source, else "asserted"."""
    cues = [c for c in doc.in_span(*sent, "cue") if c.value.kind == "reporting"]
    if not cues:
        return "asserted", None
    cue = cues[0]
    who = speaker_of(doc, cue.end, sent)
    if who is not None:
        return "reported", doc.surface(who.start, who.end)
    return "reported", doc.surface(cue.start, cue.end)


def _dates(doc: Doc, group: Group, sent: tuple[int, int], trigger: Mention) -> list[str | None]:
    """The event's dates: several when the group names several days, else the one that applies.

    A date the text gives but that cannot be resolved ("الخميس الماضي" in an undated article)
    still dates the event: it gets no date rather than one borrowed from elsewhere.
    """
    inside = doc.in_span(group.start, group.end, "date")
    days: list[str] = []
    for m in inside:
        iso = getattr(m.value, "iso", None)
        if iso and iso not in days:
            days.append(iso)
    if len(days) > 1 and all(len(d) == 10 for d in days) and _coordinated(doc, [m for m in inside if m.value.iso]):
        return list(days)
    if inside:  # the date nearest the act, resolved or not
        nearest = min(inside, key=lambda m: abs(m.start - trigger.start))
        cues = doc.in_span(group.start, group.end, "cue")
        if any(c.value.kind == "motive" and nearest.end <= c.start < trigger.start for c in cues):
            return []  # "اليوم ... انتقاما لتفجير": the date is the retaliation's; the act came before
        if nearest.end <= trigger.start and _told_as_earlier(doc, group, trigger):
            return []
        return [nearest.value.iso] if nearest.value.iso else []
    if _told_as_earlier(doc, group, trigger):
        return []
    found = resolve_date(doc, group.start, group.end)
    return [found.iso] if found is not None and found.iso else []


# Words between two days told together: "في 19 سبتمبر و24 من سبتمبر", "يومي الجمعة والسبت".
_COORDINATED_GAP = 2


def _coordinated(doc: Doc, dates: list[Mention]) -> bool:
    """Whether the days are named together, so that each is a day of the act; days told apart
    ("أعلن أوباما أول من أمس ... قتل أمس ستة") belong to different acts or statements."""
    ordered = sorted(dates, key=lambda m: m.start)
    return all(len(doc.tokens_in(a.end, b.start)) <= _COORDINATED_GAP for a, b in pairwise(ordered))


def _told_as_earlier(doc: Doc, group: Group, trigger: Mention) -> bool:
    """ "قتل جندي اليوم ... بعد تفجير انتحاري ... جرى في وقت سابق": a vague-past word after the act,
    with no date between, says it came before the day named before it."""
    return any(
        c.value.kind == "vague_past" and c.start > trigger.start and not doc.in_span(trigger.end, c.start, "date")
        for c in doc.in_span(group.start, group.end, "cue")
    )


def _place(doc: Doc, group: Group, trigger: Mention) -> Any:
    """The most precise place the group supports (the geocoder falls back to the sentence)."""
    return event_location(doc, group.start, group.end, anchor=trigger.start)


def _location_out(place: Any, country: str | None) -> LocationOut | None:
    if place is None or not place.country:
        place = load_gazetteer().country(country)
        if place is None:
            return None
    return LocationOut(
        name=place.name,
        mention=place.name_ar,
        country=place.country,
        lat=place.lat,
        lon=place.lon,
        precision=place.precision,
        admin1=place.admin1,
    )


def _evidence_span(doc: Doc, group: Group, sent: tuple[int, int]) -> tuple[int, int]:
    """The group's text, trimmed; the whole sentence when the group is very short."""
    s, e = group.start, group.end
    text = doc.norm.text
    while s < e and text[s] in " ,;:-–—":
        s += 1
    while e > s and text[e - 1] in " ,;:-–—":
        e -= 1
    if e - s < 25:
        return sent
    return s, e


def _dedupe(
    events: list[EventOut], told_as_attack: set[int] | None = None, headings: set[int] | None = None
) -> list[EventOut]:
    """One event per type, place and day in a document: a later mention fills what the first lacks.

    Articles restate their main event (headline, lead, quote) with varying actor names; two
    mentions merge when sub-type and place agree, dates do not conflict, and the actors do not
    name two different specific groups. A headline gives way to the sentence that tells the
    event (its evidence is what a reader checks); `headings` holds the ids of headline events.
    """
    attacks = told_as_attack or set()
    heads = headings or set()
    out: list[EventOut] = []
    told: list[bool] = []  # per kept event: a vague attack told as such (may be one bombing)
    titled: list[bool] = []  # per kept event: it is still a headline's
    for ev in events:
        for k, kept in enumerate(out):
            if _same_event(kept, ev, told[k] or id(ev) in attacks):
                # a bare mention told first ("لم تعلن أي جهة مسؤوليتها عن الهجوم") gives way to the full one
                yields = _bare_mention(kept, ev) and not _bare_mention(ev, kept)
                yields = yields or (titled[k] and id(ev) not in heads)
                out[k] = _fill(ev, kept) if yields else _fill(kept, ev)
                told[k] = told[k] or id(ev) in attacks
                titled[k] = titled[k] and not yields
                break
        else:
            out.append(ev)
            told.append(id(ev) in attacks)
            titled.append(id(ev) in heads)
    return out


# An "attack" word with no armed opponent named, and a bombing, in one town on one day: the
# article tells one bombing twice ("هجوما جديدا ... أسفر عن سقوط عشرين قتيلا" and "الهجوم
# الانتحاري ... فتاة قامت بتفجير نفسها"). A clash needs two armed sides, so with none named the
# vaguer reading yields to the bombing.
_VAGUE_ATTACKS = frozenset({"Armed clash", "Attack"})
_BOMBINGS = frozenset({"Suicide bomb", "Remote explosive/landmine/IED", "Grenade"})
_ARMED_SIDE = ("Military Forces", "Police Forces", "Islamic State", "Rebels", "Unidentified Armed Group")


def _one_bombing(a: EventOut, b: EventOut) -> bool:
    """Whether a vague attack and a bombing are one event (same town, same day, no armed target).

    The caller checks that the vague one was told as an attack ("هجوم"), not as fighting ("معارك").
    """
    vague, bomb = (a, b) if a.sub_event_type in _VAGUE_ATTACKS else (b, a)
    if vague.sub_event_type not in _VAGUE_ATTACKS or bomb.sub_event_type not in _BOMBINGS:
        return False
    if vague.actor2 is not None and vague.actor2.name.startswith(_ARMED_SIDE):
        return False
    if _bare_mention(a, b) or _bare_mention(b, a):
        return True
    if not a.date or a.date != b.date or len(a.date) < 10:
        return False
    la, lb = a.location, b.location
    return la is not None and lb is not None and la.name == lb.name and la.precision in ("city", "point")


def _one_blast(a: EventOut, b: EventOut) -> bool:
    """A car bomb and a suicide bombing told on one day: one blast, told as a car bomb in the
    headline and as a suicide attack in the body ("سيارة ملغومة تقتل 5 في كابول" and "الهجوم الانتحاري
    قتل خمسة أشخاص"). The caller still requires compatible places, tolls and actors."""
    kinds = {a.sub_event_type, b.sub_event_type}
    if not (kinds <= _BOMBINGS and "Suicide bomb" in kinds):
        return False
    dates = {d for d in (a.date, b.date) if d}
    return len(dates) == 1 and len(dates.pop()) == 10  # an undated headline takes the body's day


def _bare_mention(bare: EventOut, full: EventOut) -> bool:
    """Whether `bare` names the attack again with nothing of its own: no date, no town, no toll.

    "أعلنت حركة الشباب مسؤوليتها عن الهجوم", "الهجوم نفذه انتحاريان": the article goes back to the
    attack it told, in the same country, and adds only a detail.
    """
    lb, lf = bare.location, full.location
    return (
        bare.date is None
        and bare.fatalities is None
        and lb is not None
        and lf is not None
        and lb.precision == "country"
        and lb.country == lf.country
        and _gap(bare, full) <= _RESTATED_WITHIN
    )


# How far (characters between the two evidence spans) a bare mention may stand from the attack it
# names again: a few sentences. In a list of past attacks ("عام 1979 ... عام 1995 ..."), a bare
# bombing far down the list is another act.
_RESTATED_WITHIN = 600


def _gap(a: EventOut, b: EventOut) -> int:
    if None in (a.evidence_start, a.evidence_end, b.evidence_start, b.evidence_end):
        return _RESTATED_WITHIN + 1  # no offsets to measure by: not taken as a restatement
    return max(a.evidence_start - b.evidence_end, b.evidence_start - a.evidence_end, 0)  # type: ignore[operator]


def _same_event(a: EventOut, b: EventOut, told_as_attack: bool = False) -> bool:
    if a.sub_event_type != b.sub_event_type and not (told_as_attack and _one_bombing(a, b)) and not _one_blast(a, b):
        return False
    la, lb = a.location, b.location
    # "in Libya" and "in Sirte" may tell the same event, and so may "in south-east Turkey" and a
    # province or town inside it; two towns do not
    if la is not None and lb is not None and la.name != lb.name:
        if not _wider(la, lb) and not _wider(lb, la):
            return False
        if "region" in (la.precision, lb.precision) and not (a.date and a.date == b.date):
            return False  # a region holds many incidents: only the same day joins them
    if a.date and b.date and a.date != b.date:
        return False
    # Two tolls told in one article are mostly two acts ("13 مسلحا" in one ambush, "11" in another;
    # a headline's 22 in Kunduz and a truck bomb's 15 in Kabul): in 219 corpus conflict articles, 11
    # of the 13 restatements joined across differing tolls were different events.
    if a.fatalities and b.fatalities and a.fatalities != b.fatalities:
        return False
    return _actors_compatible(a.actor1, b.actor1) and _actors_compatible(a.actor2, b.actor2)


def _wider(wide: LocationOut, narrow: LocationOut) -> bool:
    """Whether `wide` is a country or a region that holds `narrow` (same country; a region's
    point within _SAME_REGION_KM)."""
    if wide.country != narrow.country or narrow.precision == "country":
        return False
    if wide.precision == "country":
        return True
    if (
        wide.precision != "region"
        or narrow.precision == "region"
        or None in (wide.lat, wide.lon, narrow.lat, narrow.lon)
    ):
        return False
    return haversine_km((wide.lat, wide.lon), (narrow.lat, narrow.lon)) <= _SAME_REGION_KM


def _actors_compatible(a: ActorOut | None, b: ActorOut | None) -> bool:
    if a is None or b is None or a.name == b.name:
        return True
    generic = ("Unidentified", "Military Forces of", "Police Forces of", "Civilians", "Protesters")
    return a.name.startswith(generic) or b.name.startswith(generic) or a.name in b.name or b.name in a.name


def _fill(kept: EventOut, later: EventOut) -> EventOut:
    update: dict[str, Any] = {}
    if later.sub_event_type in _BOMBINGS and (
        kept.sub_event_type in _VAGUE_ATTACKS or later.sub_event_type == "Suicide bomb"
    ):
        update["sub_event_type"], update["event_type"] = later.sub_event_type, later.event_type
    if kept.location and later.location and _wider(kept.location, later.location):
        update["location"] = later.location
    for key in ("date", "fatalities", "injuries", "actor2"):
        if getattr(kept, key) is None and getattr(later, key) is not None:
            update[key] = getattr(later, key)
    vague = ("Unidentified", "Military Forces of")
    if (
        kept.actor1
        and later.actor1
        and kept.actor1.name.startswith(vague)
        and not later.actor1.name.startswith("Unidentified")
    ):
        update["actor1"] = later.actor1
    return kept.model_copy(update=update) if update else kept
