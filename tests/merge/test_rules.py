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
    # Measured 1.00 / 0.72 on 86 pairs (bench_merge reports it); most misses are extraction errors
    # (the victims coded as the attacker, a wrong admin-1) in background mentions.
    assert precision >= 0.95
    assert recall >= 0.65


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
