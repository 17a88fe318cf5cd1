"""Who acts in a bombing when the sentence also names who reports, investigates or is targeted by
someone else's campaign: real SaudiNewsNet sentences (ids in comments) read by the whole pipeline.

These are the passing mentions that kept reports of one incident apart when merging sources.
"""

from __future__ import annotations

import datetime as dt

from marsad.model import Article, EventOut
from marsad.pipeline import Pipeline


def _one(text: str, published: str) -> EventOut:
    art = Article(id="t", text=text, published=dt.date.fromisoformat(published))
    events = Pipeline.default()(art).events
    assert len(events) == 1, [e.model_dump(exclude_none=True) for e in events]
    return events[0]


def test_security_forces_that_investigate_are_not_the_bombers() -> None:
    # snn-2015-07-26-0899 (the Mogadishu hotel blast, claimed by al-Shabaab in other outlets)
    ev = _one(
        "قتل ستة اشخاص على الاقل في انفجار قوي استهدف فندقا في العاصمة الصومالية مقديشو اليوم، وأوضح مسؤول "
        "امني صومالي أن قوات الأمن بدأت بالتحقيق في ملابسات الحادث , مشيرًا إلى أن الخسائر قد تكون أكبر .",
        "2015-07-26",
    )
    assert ev.sub_event_type == "Remote explosive/landmine/IED"
    assert ev.actor1.name.startswith("Unidentified")
    assert ev.actor2 is not None and ev.actor2.name.startswith("Civilians")
    assert ev.fatalities == 6 and ev.location is not None and ev.location.country == "SO"


def test_authorities_that_report_a_suicide_bombing_are_not_the_bomber() -> None:
    # snn-2015-07-23-1023 (Suruç, 20 July 2015)
    ev = _one(
        "واشارت السلطات التركية الى انه فجر نفسه قبيل ظهر الاثنين في حدائق المركز الثقافي في سوروتش على "
        "الحدود مع سوريا وسط حشد من الشباب المؤيدين للاكراد ارادوا المشاركة في اعادة اعمار كوباني",
        "2015-07-23",
    )
    assert ev.sub_event_type == "Suicide bomb"
    assert not ev.actor1.name.startswith("Police")
    assert ev.date == "2015-07-20" and ev.location is not None and ev.location.name == "Suruç"


def test_the_group_a_campaign_targets_is_not_the_bomber() -> None:
    # snn-2015-08-03-1108: Erdoğan's war "targets" the PKK; IS is "accused" of the Suruç bombing
    ev = _one(
        "وأطلق الرئيس رجب طيب اردوغان «حربًا على الإرهاب» تستهدف حزب العمال الكردستاني كما تنظيم داعش المتهم "
        "بالوقوف خلف العملية الانتحارية التي وقعت في 20 يوليو في سوروتش (جنوب)، وأدت الى مقتل 32 من "
        "الناشطين الشبان الاكراد.",
        "2015-08-03",
    )
    assert ev.sub_event_type == "Suicide bomb"
    assert ev.actor1.name == "Islamic State"
    assert ev.date == "2015-07-20" and ev.fatalities == 32


def test_the_bomber_is_the_group_named_as_doer_not_the_group_named_before() -> None:
    # snn-2015-07-31-1557: the paragraph before names the PKK; "الانتحاري" in the next sentence is
    # the bomber of the group the clause names as doer ("الذي نفذه تنظيم داعش").
    text = (
        "ومنذ يونيو حزيران تحول إردوغان بعد ما أصابه من تعب وشعور بالخيانة إلى إضعاف حزب الشعوب الديمقراطي "
        "من خلال استعداء حزب العمال الكردستاني في الداخل والخارج. بل إنه لم يفعل شيئا يذكر لمنع هجمات تنظيم "
        "الدولة الاسلامية على أنصار حزب العمال الكردستاني في تركيا وفي الوقت نفسه ندد بمحادثات السلام مع هذه "
        "الجماعة. وكان لهذه الاجراءات أثرها في فرض عزلة على صلاح الدين دمرداش زعيم حزب الشعوب الديمقراطي "
        "المؤيد للسلام إذ قطعت دعم ذوي الأصول التركية عن الحزب قبل الانتخابات المبكرة.\n"
        "وجاء التفجير الانتحاري الذي نفذه تنظيم داعش في 20 يوليو تموز في بلدة سروج الحدودية التركية هدية "
        "لاستراتيجية إردوغان."
    )
    art = Article(id="t", text=text, published=dt.date(2015, 7, 31))
    bombings = [e for e in Pipeline.default()(art).events if e.sub_event_type == "Suicide bomb"]
    assert len(bombings) == 1
    ev = bombings[0]
    assert ev.actor1.name == "Islamic State"
    assert ev.actor2 is None or "PKK" not in ev.actor2.name
    assert ev.date == "2015-07-20" and ev.location is not None and ev.location.name == "Suruç"


def test_who_managed_to_take_a_place_is_named_after_the_verb() -> None:
    # snn-2015-07-27-0516 and snn-2015-07-27-0656: one incident, two outlets, a date or two
    # adjectives between the takers and "السيطرة"
    for text in (
        "تمكنت المقاومة الشعبية والجيش أمس الأحد من السيطرة على بلدتين في محافظة لحج جنوبي اليمن",
        "ميدانياً تمكنت المقاومة الشعبية والجيش الوطني الشرعي امس من السيطرة على بلدتي الوهط وصبر في محافظة "
        "لحج جنوبي اليمن",
    ):
        ev = _one(text, "2015-07-27")
        assert ev.event_type == "Battles" and "territory" in ev.sub_event_type
        assert ev.actor1.name == "Popular Resistance (Yemen)"
        assert ev.date == "2015-07-26" and ev.location is not None and ev.location.country == "YE"
