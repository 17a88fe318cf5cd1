"""The merge rules on real report pairs: same incident from different outlets, and look-alikes."""

from __future__ import annotations

from marsad.merge.rules import compare, content_words, default_rules, text_similarity
from tests.merge.fixtures import article_texts, pair, pairs


def _article_similarity(a: str, b: str) -> float:
    rules = default_rules()
    texts = article_texts()
    wa = content_words(f"{texts[a].get('title') or ''} {texts[a]['text']}", rules)
    wb = content_words(f"{texts[b].get('title') or ''} {texts[b]['text']}", rules)
    return len(wa & wb) / len(wa | wb)


def _verdict(p: dict) -> bool:
    return compare({**p["a"], "id": 1}, {**p["b"], "id": 2}, article_similarity=_article_similarity).same


def test_fixture_is_big_enough_and_balanced() -> None:
    judged = pairs()
    assert len(judged) >= 40
    assert 20 <= sum(p["same"] for p in judged) <= len(judged) - 20
    assert all(p["a"]["source"] != p["b"]["source"] for p in judged)  # different outlets


def test_precision_and_recall_on_real_pairs() -> None:
    tp = fp = fn = 0
    for p in pairs():
        said = _verdict(p)
        tp += said and p["same"]
        fp += said and not p["same"]
        fn += (not said) and p["same"]
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    # Measured 1.00 / 0.72 on 91 pairs (bench_merge reports it); most misses are extraction errors
    # in background mentions (a speaker or an investigator coded as the attacker, a wrong admin-1,
    # a country-level place with a date read from the wrong word). With the events as today's
    # pipeline reads them (bench_merge pairs_live_*) 5 of those 10 merge (p5, n0, n15, n30, t8).
    assert precision >= 0.95
    assert recall >= 0.72


def test_wire_copies_in_two_outlets_are_one_event() -> None:
    p = pair("p24")  # "نفذت قوات التحالف الدولي 20 غارة جوية ضد أهداف لتنظيم داعش ..." in two papers
    assert text_similarity(p["a"]["evidence"], p["b"]["evidence"]) == 1.0
    assert _verdict(p)


def test_same_town_same_day_different_actors_stay_apart() -> None:
    # Taiz, 1 August 2015: Houthi shelling of residential districts and coalition strikes on the
    # Brigade 35 camp, both told in the same articles of two outlets.
    assert _verdict(pair("t1")) and _verdict(pair("t2"))
    for name in ("t3", "t4"):
        assert not _verdict(pair(name)), pair(name)["note"]
    # One attacker against another: a hard no, whatever the score.
    p = pair("t3")
    other = {**p["b"], "actor2": "Civilians (Yemen)"}
    verdict = compare({**p["a"], "id": 1}, {**other, "id": 2})
    assert not verdict.compatible and (verdict.why_not or "").startswith("actors differ")


def test_busy_city_same_day_different_incidents_stay_apart() -> None:
    for name in ("p18", "p21", "p43"):  # Aden twice, Baghdad: same place, same day, other incidents
        assert not _verdict(pair(name)), pair(name)["note"]


def test_figures_can_differ_between_sources() -> None:
    p = pair("t6")  # Suruç: "مقتل 30 شخصاً" the first day, "مقتل 32 شخصا" the next
    assert (p["a"]["fatalities"], p["b"]["fatalities"]) == (30, 32)
    assert _verdict(p)


def test_incompatible_dates_and_places_are_hard_conditions() -> None:
    p = pair("t1")
    far = {**p["b"], "date": "2015-08-05"}
    assert compare(p["a"], far).why_not == "4 days apart"
    month = {**p["b"], "date": "2015-07"}
    assert not compare(p["a"], month).compatible
    moved = {**p["b"], "lat": (p["b"]["lat"] or 0) + 1.0}
    assert "km apart" in (compare(p["a"], moved).why_not or "")


def test_one_actor_on_both_sides_is_named_in_one_role() -> None:
    # Diyarbakır car bomb, 26 July 2015: one outlet names the PKK and the soldiers hit, the other
    # ("قال بيان للجيش التركي ... إن جنديين قتلا") was read as the army on both sides.
    p = pair("t7")
    assert p["b"]["actor1"] == p["b"]["actor2"]
    verdict = compare({**p["a"], "id": 1}, {**p["b"], "id": 2})
    assert verdict.same and "actors compatible" in verdict.reasons
    # Taiz, 1 August 2015: "قصف شنه الحوثيون وميليشيات صالح" read as the Houthis on both sides must
    # not let the Houthi shelling join the coalition's air strikes on the Houthis (another act).
    t4 = pair("t4")
    houthis = t4["b"]["actor1"]
    doubled = {**t4["b"], "actor2": houthis}
    assert houthis != t4["a"]["actor1"] and t4["a"]["sub_event_type"] != doubled["sub_event_type"]
    assert not compare({**t4["a"], "id": 1}, {**doubled, "id": 2}, article_similarity=_article_similarity).same
    assert not _verdict({**t4, "b": doubled})


def test_generic_victims_are_the_side_hit() -> None:
    # Suruç: "مقتل 32 شخصا" (civilians) in one report, "مقتل 32 من الناشطين" (protesters) in another.
    p = pair("n34")
    assert p["a"]["actor2"].startswith("Civilians") and p["b"]["actor2"].startswith("Protesters")
    verdict = compare({**p["a"], "id": 1}, {**p["b"], "id": 2})
    assert verdict.compatible and "actors compatible" in verdict.reasons
    # "أعلنت وزارة الداخلية التركية أن 30 شخصا قتلوا ... في هجوم انتحاري" read with the dead as the
    # side that acts: they are the side hit, and the attacker named by another report stands.
    a = {**pair("t6")["a"], "id": 1, "actor1": "Civilians (Turkey)", "actor2": "Islamic State"}
    b = {**pair("t6")["b"], "id": 2, "actor1": "Islamic State", "actor2": None}
    verdict = compare(a, b)
    assert verdict.same and "actors compatible" in verdict.reasons
    assert not compare(a, {**b, "actor1": "PKK - Kurdistan Workers Party"}).compatible


def test_a_town_within_a_region_is_compatible() -> None:
    p = pair("n0")  # "مدينة سروج" against "جنوب شرق تركيا"
    assert {p["a"]["geo_precision"], p["b"]["geo_precision"]} == {"city", "region"}
    assert "town within the region" in compare(p["a"], p["b"]).reasons
    far = {**p["a"], "lat": p["a"]["lat"] + 4.0}  # some 450 km north: not in that region
    assert "town within the region" not in compare(far, p["b"]).reasons


def test_look_alikes_from_real_articles_stay_apart() -> None:
    # g1: regime air strikes on civilians in Aleppo province, a day apart, 28 and 9 killed;
    # g2: Turkish jets on IS in Syria and on the PKK in northern Iraq;
    # g3-g5: same province or city, same day, other actors or another kind of act.
    for name in ("g1", "g2", "g3", "g4", "g5"):
        p = pair(name)
        assert not p["same"] and not _verdict(p), p["note"]


def test_two_named_sides_hit_are_two_events() -> None:
    p = pair("g2")
    assert {p["a"]["actor2"], p["b"]["actor2"]} == {"Islamic State (Syria)", "PKK - Kurdistan Workers Party"}
    verdict = compare({**p["a"], "id": 1}, {**p["b"], "id": 2})
    one_side = compare({**p["a"], "id": 1}, {**p["b"], "id": 2, "actor2": p["a"]["actor2"]})
    assert one_side.score - verdict.score >= 5.0  # -4 for the conflict, +1 for the same side hit
    # Police and army of one state hit: outlets confuse them, the cost stays small.
    t9 = pair("t9")
    assert {t9["a"]["actor2"], t9["b"]["actor2"]} == {"Police Forces of Turkey", "Military Forces of Turkey"}
    assert _verdict(t9)


def test_wire_copies_do_not_join_their_different_acts() -> None:
    # g4: two copies of one wire (Jaccard 0.84 over whole texts) tell the Taiz battles and the
    # Houthi shelling of homes in different sentences: the copies' likeness must not join them.
    p = pair("g4")
    assert _article_similarity(p["a"]["article_id"], p["b"]["article_id"]) >= 0.6
    assert p["a"]["sub_event_type"] != p["b"]["sub_event_type"]
    verdict = compare({**p["a"], "id": 1}, {**p["b"], "id": 2}, article_similarity=_article_similarity)
    assert not verdict.same and not any(r.startswith("article similarity") for r in verdict.reasons)
    # The same act told by the headline of one copy and the lead of the other (here: with only
    # the country for a place) keeps the bonus.
    same_act = {**p["b"], "sub_event_type": p["a"]["sub_event_type"], "event_type": p["a"]["event_type"]}
    same_act.update(geo_precision="country", admin1=None)
    again = compare({**p["a"], "id": 1}, {**same_act, "id": 2}, article_similarity=_article_similarity)
    assert any(r.startswith("article similarity") for r in again.reasons)


def test_tolls_far_apart_tell_two_incidents() -> None:
    p = pair("g1")  # 28 killed against 9 killed
    verdict = compare({**p["a"], "id": 1}, {**p["b"], "id": 2})
    assert "far fatalities" in verdict.reasons and not verdict.same
    t6 = pair("t6")  # 30 then 32 killed: one toll that grew
    assert "far fatalities" not in compare(t6["a"], t6["b"]).reasons


def test_article_likeness_does_not_join_two_types_of_act() -> None:
    # p5: the Ariha jet crash read as air strikes in one report and as a takeover (an extraction
    # error on "التي تسيطر عليها المعارضة") in the other: one story, but the whole articles'
    # likeness no longer joins an air strike and a battle. A known miss, kept for precision.
    p = pair("p5")
    assert p["same"] and p["a"]["event_type"] != p["b"]["event_type"]
    verdict = compare({**p["a"], "id": 1}, {**p["b"], "id": 2}, article_similarity=_article_similarity)
    assert not any(r.startswith("article similarity") for r in verdict.reasons)
    assert not verdict.same


def test_suruc_in_two_spellings_merges_as_extracted_today() -> None:
    """n0: 'سروج' in one paper, 'سوروج' (with its province) in the other. Read with today's pipeline
    both are Suruç in Şanlıurfa, so the two reports of the bombing merge (the second was once geocoded
    to the province's capital, 39 km off)."""
    from marsad.model import Article
    from marsad.pipeline import Pipeline
    from marsad.store.db import event_row

    pipe, p, texts = Pipeline.default(), pair("n0"), article_texts()
    rows = []
    for side in (p["a"], p["b"]):
        art = Article(**{**texts[side["article_id"]], "published": side["published"]})
        found = [
            event_row(art.id, e.model_dump())
            for e in pipe(art).output().events
            if e.evidence_start is not None
            and e.evidence_start < side["evidence_end"]
            and side["evidence_start"] < (e.evidence_end or 0)
            and e.sub_event_type == "Suicide bomb"
        ]
        assert found, f"no suicide bombing read from {side['evidence']}"
        rows.append(found[0])
    assert [(r["location"], r["admin1"]) for r in rows] == [("Suruç", "Şanlıurfa")] * 2
    assert compare({**rows[0], "id": 1}, {**rows[1], "id": 2}, article_similarity=_article_similarity).same
