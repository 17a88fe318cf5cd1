"""A killing told by its verb alone ("قتل"، "تقتل") is an event when the verb names its doer.

Sentences from Arabic news (SaudiNewsNet, July-August 2015).
"""

from __future__ import annotations

import datetime as dt

import pytest

from marsad.model import Article, EventOut
from marsad.pipeline import Pipeline


def _events(text: str, published: str = "2015-07-27") -> list[EventOut]:
    art = Article(id="t", text=text, published=dt.date.fromisoformat(published))
    return Pipeline.default()(art).events


def _one(text: str, published: str = "2015-07-27") -> EventOut:
    events = _events(text, published)
    assert len(events) == 1, [e.model_dump(exclude_none=True) for e in events]
    return events[0]


def test_a_group_named_before_the_verb_killed() -> None:
    ev = _one("حركة الشباب الصومالية تقتل نائبا في مقديشو")
    assert ev.sub_event_type == "Attack"
    assert ev.actor1 is not None and "Shabaab" in ev.actor1.name
    assert ev.location is not None and ev.location.name == "Mogadishu"


def test_a_killing_claimed_is_an_event_even_by_a_group_the_registry_lacks() -> None:
    ev = _one("وتبنت الحركة الانفصالية الكردية الأربعاء قتل شرطيين في مدينة جيلان بينار على الحدود مع سوريا.")
    assert ev.sub_event_type == "Armed clash"  # the dead were police
    assert ev.date == "2015-07-22"
    assert ev.location is not None and ev.location.name.startswith("Ceylanp")


def test_a_claim_in_the_plural_names_the_killer_and_is_a_claim() -> None:
    art = Article(
        id="t",
        text="أعلن متمردو حركة الشباب الصومالية مسؤوليتهم عن قتل نائب صومالي مع حارسيه السبت في مقديشو، بعد ساعات "
        'على تصريحات للرئيس الامريكي باراك اوباما أكد فيها ان الحركة قد "ضعفت".',
        published=dt.date(2015, 7, 27),
    )
    out = Pipeline.default()(art).output()
    assert [(e.sub_event_type, e.date, e.location.name if e.location else None) for e in out.events] == [
        ("Attack", "2015-07-25", "Mogadishu")
    ]
    assert [s.kind for s in out.statements] == ["claim"]  # "مسؤوليتهم عن" (cues.yaml: claim)


def test_the_side_right_after_the_verb_with_an_object_is_the_killer() -> None:
    ev = _one(
        "قتلت قوات الشرطة الامريكية الأربعاء مسلحا دخل دار سينما فى تنيسي ببندقية وفأس صغير، بحسب متحدث باسم الشرطة."
    )
    assert ev.actor1 is not None and ev.actor1.name == "Police Forces of the United States"
    assert ev.sub_event_type == "Armed clash"  # the man killed was armed


def test_a_gunman_killing_tourists_is_an_attack_on_civilians() -> None:
    ev = _one(
        "وقتل مسلح 38 سائحا أغلبهم بريطانيون عندما اطلق الرصاص بعد ان شق طريقه الى شاطئ فندق في مدينة سوسة الساحلية."
    )
    assert ev.sub_event_type == "Attack"
    assert ev.fatalities == 38
    assert ev.location is not None and ev.location.name == "Sousse"


def test_a_killing_clause_joins_the_act_its_sentence_names() -> None:
    # before the killing verbs were triggers, "قتل 3 ..." was the first clause of the attack's group
    ev = _one(
        "قتل 3 من أفراد الشرطة التركية ومدني، أمس، في هجوم في جنوب شرق تركيا تم نسبه إلى المتمردين الأكراد "
        "الذين استأنفوا منذ الأسبوع الماضي عملياتهم ضد السلطات."
    )
    assert ev.sub_event_type == "Armed clash"
    assert ev.date == "2015-07-26"


@pytest.mark.parametrize(
    "sentence",
    [
        # no doer named: the police officer was killed, by whom the text does not say
        "وقتل شرطي وعثر على مدني هو مسؤول محلي لحزب معارض كما قال حزبه، مقتولا في ظروف غامضة.",
        # a tally of a campaign, with no day
        "ويؤكد الجيش التركي أنّه قتل اكثر من 260 مقاتلا كرديا في عملياته.",
        # one death supports no taking of ground (snn-2015-07-21-0563: forest fires brought under control)
        "* اليونان: السيطرة على حرائق غابات أسفرت عن مقتل شرطي",
        # the present in running text tells a habit
        "تلك الفئة الشيطانية التي شرعنت قتل جميع المخالفين بغض النظر عن أعذارهم وأسبابهم وقرابتهم، هي نفسها التي "
        "تقتل الناس وهم يؤدون الصلاة.",
    ],
)
def test_no_event(sentence: str) -> None:
    assert _events(sentence) == []


def test_a_toll_that_rose_is_the_events_toll() -> None:
    # snn-2015-08-09-1045: "ارتفعت حصيلة" is this event's toll, not a tally of a war
    ev = _one(
        "ارتفعت حصيلة قتلى القذائف الصاروخية التي سقطت على احياء عدة في دمشق الى 11 قتيلا بينهم ثلاثة اطفال "
        "فيما اصيب 46 اخرون بجروح، وفق ما اوردت وكالة الانباء السورية السبت.",
        "2015-08-09",
    )
    assert (ev.fatalities, ev.location.name if ev.location else None) == (11, "Damascus")


def test_a_car_bomb_headline_and_a_suicide_attack_in_the_body_are_one_blast() -> None:
    # snn-2015-08-11-0033: "سيارة ملغومة" (triggers.yaml) in the headline, "الهجوم الانتحاري" in the body
    ev = _one(
        "سيارة ملغومة تقتل 5 في كابول والرئيس الأفغاني يحذّر باكستان\n"
        "وقال مسؤولون أفغان إن الهجوم الانتحاري قتل خمسة أشخاص وأصاب 16 اليوم في منطقة مزدحمة أمام نقطة تفتيش "
        "بالمطار.",
        "2015-08-10",
    )
    assert ev.sub_event_type == "Suicide bomb"
    assert (ev.date, ev.fatalities) == ("2015-08-10", 5)
    assert ev.location is not None and ev.location.name == "Kabul"
