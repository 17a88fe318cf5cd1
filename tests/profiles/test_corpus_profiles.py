"""Actor profiles against hand-made expectations on real news.

The five bundled sample articles and 58 SaudiNewsNet articles (July-August 2015) about the
Islamic State in Libya, the Islamic State elsewhere and Boko Haram (tests/profiles/
corpus_articles.jsonl) run through the default pipeline into a fresh SQLite store; the profiles
of the Islamic State, its Libyan province, Boko Haram and the West Africa province must show the
events, strength estimates and relations each article holds, as written by hand in
tests/profiles/corpus_expectations.yaml (see its header for the fields).

Required: every non-optional relation and estimate, and at least EVENT_SHARE of the
non-optional events. Optional items and `known_miss` items are reported, not required. The
report (share met per actor and per kind, and every miss) is printed (`pytest -s`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from marsad.jsonl import read_articles
from marsad.model import Article
from marsad.nlp.actors import ActorRegistry
from marsad.pipeline import Pipeline
from marsad.profiles import actor_profile, builder
from marsad.profiles.relations import read_relations
from marsad.profiles.strength import read_strengths
from marsad.resources import path as resource_path
from marsad.store.db import Store

HERE = Path(__file__).parent
EVENT_SHARE = 1.0  # every required event (44 of 44 met); a new miss gets a known_miss with its reason
OVERALL_EVENT_FLOOR = 0.97  # 44 of 45 non-optional events (0.98), known misses included
ACTOR_IDS = {"is": "islamic_state"}
BOKO = "Boko Haram - Jamaatu Ahli is-Sunnah lid-Dawati wal-Jihad"  # the yaml's short key for the parent


@dataclass
class Check:
    article: str
    kind: str  # events, estimates, relations
    actor: str
    spec: dict[str, Any]
    met: bool
    detail: str = ""

    @property
    def status(self) -> str:
        if self.spec.get("known_miss"):
            return "known_miss"
        return "optional" if self.spec.get("optional") else "required"


def _articles() -> list[Article]:
    arts = [a for a in read_articles(str(resource_path("samples/articles.jsonl"))) if isinstance(a, Article)]
    arts += [a for a in read_articles(str(HERE / "corpus_articles.jsonl")) if isinstance(a, Article)]
    return arts


@pytest.fixture(scope="module")
def profiles(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    store = Store(str(tmp_path_factory.mktemp("corpus_profiles") / "marsad.db"), columns=False)
    pipe = Pipeline.default()
    articles = _articles()
    for article in articles:
        store.save(pipe(article))
    wanted = {"islamic_state", "is_libya", "boko_haram", "is_west_africa", "is_egypt"}
    # every event and every piece of evidence of these small profiles, not the newest few
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(builder, "LATEST", 100_000)
        mp.setattr(builder, "EVIDENCE_PER_RELATION", 1_000)
        out = {a: actor_profile(store, a) for a in wanted}
    store.close()
    yield {"profiles": out, "published": {a.id: a.published for a in articles}}


def _as_list(v: Any) -> list[Any]:
    return v if isinstance(v, list) else [v]


def _event_check(profile: dict[str, Any], aid: str, spec: dict[str, Any]) -> tuple[bool, str]:
    rows = [e for e in profile["events"] if e["article_id"] == aid]
    strict_admin1 = "admin1" in spec and not spec.get("admin1_known_miss")

    def fits(e: dict[str, Any], with_admin1: bool) -> bool:
        return (
            e["country"] == spec["country"]
            and (not with_admin1 or "admin1" not in spec or e["admin1"] in _as_list(spec["admin1"]))
            # the profile's month: the event's own date, else its article's publication (date_from)
            and ("month" not in spec or (e["month"] or "") in [str(m) for m in _as_list(spec["month"])])
            and ("type" not in spec or e["event_type"] == spec["type"])
            and ("fatalities" not in spec or e["fatalities"] == spec["fatalities"])
        )

    if any(fits(e, strict_admin1) for e in rows):
        placed = "admin1" not in spec or any(fits(e, True) for e in rows)
        notes = [] if placed else ["admin1 differs (known)"]
        if "month" in spec and all(e["date_from"] == "published" for e in rows if fits(e, strict_admin1)):
            notes.append("month from the article's publication date (the text dates no day)")
        return True, "; ".join(notes)
    got = [(e["country"], e["admin1"], e["date"] or e["month"], e["event_type"], e["fatalities"]) for e in rows]
    return False, f"article's events in profile: {got}"


def _estimate_check(profile: dict[str, Any], aid: str, spec: dict[str, Any], published: Any) -> tuple[bool, str]:
    rows = [e for e in profile["estimates"] if e["article_id"] == aid]
    for e in rows:
        if "low" in spec and e["low"] != spec["low"]:
            continue
        if "high" in spec and e["high"] != spec["high"]:
            continue
        if "qualifier" in spec and e["qualifier"] != spec["qualifier"]:
            continue
        if published is not None and e["date"] != published.isoformat()[:10]:
            continue
        if "speaker" in spec and spec["speaker"] not in (e["evidence"] or ""):
            continue  # the figure of another sentence
        said = f"{e['speaker'] or ''} {e['speaker_mention'] or ''}"
        if "speaker" in spec and spec["speaker"] not in said:
            # the figure is there, with its evidence naming the source; the statement's speaker
            # field missed it (reported: marsad.events.speakers reads it)
            return True, f"speaker not read (got {e['speaker_mention']!r})"
        return True, ""
    got = [(e["low"], e["high"], e["qualifier"], e["group"], e["speaker_mention"], e["date"]) for e in rows]
    return False, f"article's estimates in profile: {got}"


def _relation_check(
    profile: dict[str, Any], aid: str, spec: dict[str, Any], registry: ActorRegistry
) -> tuple[bool, str]:
    subj = registry.get(ACTOR_IDS.get(spec["subject"], spec["subject"]))
    obj = registry.get(ACTOR_IDS.get(spec["object"], spec["object"]))
    assert subj is not None and obj is not None, spec
    for r in profile["relations"]:
        if (r["kind"], r["subject"], r["object"]) == (spec["kind"], subj.name, obj.name):
            if any(ev.get("article_id") == aid for ev in r["evidence"]):
                return True, ""
            return False, "relation known, not from this article"
    return False, f"relations: {[(r['kind'], r['subject'], r['object']) for r in profile['relations']]}"


def _run_checks(profiles: dict[str, Any]) -> list[Check]:
    registry = ActorRegistry.load()
    spec_file = yaml.safe_load((HERE / "corpus_expectations.yaml").read_text(encoding="utf-8"))
    checks: list[Check] = []
    for aid, entry in spec_file.items():
        for spec in entry.get("events") or []:
            actor = ACTOR_IDS.get(spec["actor"], spec["actor"])
            met, why = _event_check(profiles["profiles"][actor], aid, spec)
            checks.append(Check(aid, "events", actor, spec, met, why))
        for spec in entry.get("estimates") or []:
            actor = ACTOR_IDS.get(spec["actor"], spec["actor"])
            published = profiles["published"].get(aid)
            met, why = _estimate_check(profiles["profiles"][actor], aid, spec, published)
            checks.append(Check(aid, "estimates", actor, spec, met, why))
        for spec in entry.get("relations") or []:
            actor = ACTOR_IDS.get(spec["subject"], spec["subject"])
            if actor not in profiles["profiles"]:
                actor = "islamic_state"  # a province: its parent's profile holds its relations
            met, why = _relation_check(profiles["profiles"][actor], aid, spec, registry)
            checks.append(Check(aid, "relations", actor, spec, met, why))
    return checks


def _report(checks: list[Check]) -> str:
    lines = []
    groups: dict[tuple[str, str], list[Check]] = defaultdict(list)
    for c in checks:
        groups[("kind", c.kind)].append(c)
        groups[("actor", c.actor)].append(c)
    for (by, key), cs in sorted(groups.items()):
        req = [c for c in cs if c.status == "required"]
        opt = [c for c in cs if c.status == "optional"]
        known = [c for c in cs if c.status == "known_miss"]
        lines.append(
            f"{by} {key}: required {sum(c.met for c in req)}/{len(req)}, optional {sum(c.met for c in opt)}/{len(opt)}, "
            f"known misses {sum(c.met for c in known)}/{len(known)}"
        )
    for c in checks:
        if not c.met or c.detail:
            mark = "MISS" if not c.met else "note"
            lines.append(f"  {mark} [{c.status}] {c.article} {c.kind} {c.actor} {c.spec} {c.detail}")
    return "\n".join(lines)


def test_profiles_meet_hand_made_expectations(profiles: dict[str, Any]) -> None:
    checks = _run_checks(profiles)
    report = _report(checks)
    print("\n" + report)
    required = [c for c in checks if c.status == "required"]
    missed = [c for c in required if not c.met and c.kind in ("estimates", "relations")]
    assert not missed, report
    fixed = [c for c in checks if c.status == "known_miss" and c.met]
    assert not fixed, f"met now, drop their known_miss: {[(c.article, c.kind, c.spec) for c in fixed]}"
    events = [c for c in required if c.kind == "events"]
    share = sum(c.met for c in events) / len(events)
    assert share >= EVENT_SHARE, f"events met {share:.2f} < {EVENT_SHARE}\n{report}"
    # known misses are excluded above; this floor (the share measured when they were written)
    # keeps the whole from sliding back while they wait for their fixes
    coded = [c for c in checks if c.status != "optional" and c.kind == "events"]
    overall = sum(c.met for c in coded) / len(coded)
    assert overall >= OVERALL_EVENT_FLOOR, f"events met overall {overall:.2f} < {OVERALL_EVENT_FLOOR}\n{report}"


def _unexpected(profiles: dict[str, Any]) -> list[str]:
    """Estimates and relations the profiles draw from an article that its expectations lack."""
    registry = ActorRegistry.load()
    spec_file = yaml.safe_load((HERE / "corpus_expectations.yaml").read_text(encoding="utf-8"))

    def name(key: str) -> str:
        entry = registry.get(ACTOR_IDS.get(key, key))
        assert entry is not None, key
        return entry.name

    out = []
    for actor, p in profiles["profiles"].items():
        for e in p["estimates"]:
            specs = (spec_file.get(e["article_id"]) or {}).get("estimates") or []
            if not any(s.get("low", e["low"]) == e["low"] and s.get("high", e["high"]) == e["high"] for s in specs):
                out.append(f"{actor}: estimate {e['low']}-{e['high']} {e['qualifier']} from {e['article_id']}")
        for r in p["relations"]:
            for ev in r["evidence"]:
                aid = ev.get("article_id")
                specs = (spec_file.get(aid) or {}).get("relations") or []
                wanted = {(s["kind"], name(s["subject"]), name(s["object"])) for s in specs}
                wanted |= {("joined_as", subj, name("is_west_africa")) for k, subj, _o in wanted if k == "pledge"}
                if (r["kind"], r["subject"], r["object"]) not in wanted:
                    out.append(f"{actor}: {r['kind']} {r['subject']} → {r['object']} from {aid}")
    return sorted(set(out))


def test_profiles_hold_nothing_unexpected(profiles: dict[str, Any]) -> None:
    # every strength figure and relation drawn from these articles was coded by hand
    assert _unexpected(profiles) == []


def test_expectations_name_real_articles(profiles: dict[str, Any]) -> None:
    spec_file = yaml.safe_load((HERE / "corpus_expectations.yaml").read_text(encoding="utf-8"))
    assert set(spec_file) == set(profiles["published"])  # every article read and given its expectations
    assert len([a for a in spec_file if a.startswith("snn-")]) >= 50
    assert (HERE / "corpus_articles.jsonl").stat().st_size < 1_000_000


def test_range_sharing_its_scale_word() -> None:
    # sample 002: "بين خمسة وستة آلاف" is five to six thousand, not five to six thousand and five
    sentence = (
        "خصوصا وأن عدد قتلى التنظيم في المعارك الأخيرة يبقى قليلا مقارنة بعدد عناصره التي سبق وأن "
        "رجحت التقارير الاستخباراتية الغربية أنها تتراوح بين خمسة وستة آلاف مقاتل من جنسيات مختلفة."
    )
    (s,) = read_strengths(sentence)
    assert (s.low, s.high, s.qualifier, s.text) == (5000, 6000, "range", "خمسة وستة آلاف")
    assert read_strengths("بين ثلاثة وخمسة آلاف مقاتل من داعش")[0].group == "Islamic State"
    assert read_strengths("قتل خمسة وستة آلاف مقاتل") == []  # a toll stays no strength


def _statements(text: str) -> list[Any]:
    doc = Pipeline.default()(Article(id="t", text=text, published=date(2015, 7, 24)))
    return doc.statements


def test_pledge_of_the_group_named_before() -> None:
    # snn-2015-07-24-0781: "the group that declared loyalty to IS" is Boko Haram, named before
    text = (
        "وتأتي الهجمات الدموية الأخيرة بعد أن نشرت «بوكو حرام» شريط فيديو على موقع «تويتر»، أعلنت فيه أنها "
        "لم تمن بالهزيمة. ومن المتوقع أن تقوم قوة جديد من خمس دول وهي نيجيريا والنيجر وتشاد والكاميرون وبينين "
        "بالانتشار بحلول 30 يوليو (تموز) الحالي لقتال المجموعة التي أعلنت ولاءها لتنظيم داعش، والتي أدى تمردها "
        "المستمر منذ ست سنوات إلى مقتل 15 ألف شخص على الأقل وزيادة التهديد للأمن القومي."
    )
    (pledge,) = [s for s in _statements(text) if s.kind == "pledge"]
    assert pledge.about is not None and pledge.about.name == BOKO
    (rel,) = read_relations(pledge.evidence, pledge.about.name)
    assert (rel.kind, rel.subject, rel.object) == ("pledge", BOKO, "Islamic State")
    assert read_relations(pledge.evidence) == []  # without the article, the sentence names no subject


def test_estimate_of_the_organization_after_another_figure() -> None:
    # snn-2015-07-24-1663: a militia's figure, then "عدد مقاتلي التنظيم ... بين ألف وألفين" (the IS in Ramadi)
    text = (
        "وقال الكولونيل ستيف وارن إن نحو ثلاثة آلاف جندي يشاركون في معارك تمهد لاستعادة الرمادي من داعش التي "
        "سيطر عليها مايو الماضي. كما أكد وارن مشاركة 500 مقاتل من العشائر السنية في المعارك نفسها. "
        "وقال وارن إن الجهـود العسكرية تــركــز حاليا على عزل الرمادي، مقدرا عدد مقاتلي التنظيم فيها بما بين "
        "ألف وألفين."
    )
    estimates = [s for s in _statements(text) if s.kind == "estimate" and "ألف وألفين" in s.evidence]
    assert len(estimates) == 1 and estimates[0].about is not None
    assert estimates[0].about.name.startswith("Islamic State")  # not the tribal militia named last
    (s,) = read_strengths(estimates[0].evidence)
    assert (s.low, s.high, s.qualifier, s.group) == (1000, 2000, "range", None)  # "التنظيم": the statement's group


def test_the_source_of_a_figure_is_not_its_group() -> None:
    # sample 001: AFRICOM counts the Islamic State's members, it is not counted
    sentence = (
        "وقتل 17 آخرين جراء غارة جوية جنوب غرب البلاد في 27 من سبتمبر ؛ وهو ما قلص أعداد عناصره الموجودين في "
        "ليبيا الآن إلى أقل من 150 عنصرا؛ بحسب المتحدث باسم الأفريكوم"
    )
    (s,) = read_strengths(sentence)
    assert (s.high, s.qualifier, s.group) == (150, "below", None)
