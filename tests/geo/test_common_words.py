"""Common words that some gazetteer entry carries: "دوار" is a roundabout (or dizziness), not the
Egyptian village Al Dauwar.

Real sentences from SaudiNewsNet (ids cited); the corpus is non-commercial, so they live in the
tests only.
"""

from __future__ import annotations

from marsad.geo.geocoder import geo_state
from tests.geo.test_anaphora import clause_place


def test_roundabout_is_not_a_village(tag):
    # snn-2015-07-25-1064: "بمنطقة دوار قادود جنوب رفح" is at Rafah, North Sinai
    clause = (
        "اشتباكات عنيفة اندلعت بين قوات الجيش وعناصر من الجماعة في وقت مبكر من أمس بعد قيامهم بمحاولة "
        "الهجوم على الارتكازات الأمنية بمنطقة دوار قادود جنوب رفح باستخدام الأسلحة الثقيلة"
    )
    doc = tag(
        'لقي سبعة من عناصر من "جماعة أنصار بيت المقدس" الإرهابية مصرعهم وأصيب 15 آخرون في اشتباكات '
        "مع قوات الأمن في رفح بشمال سيناء.\nوقالت تقارير عسكرية إن " + clause + "."
    )
    assert clause_place(doc, clause).name == "Rafaḩ"


def test_roundabout_with_no_town_is_no_place(tag):
    # snn-2015-07-22-0029
    doc = tag("والأخرى على منطقة دوار حزيمة شمال المدينة.")
    assert geo_state(doc)["resolved"] == []


def test_explosive_vest_is_not_sitrah(tag):
    # snn-2015-08-08-0578: "سترة ناسفة" in Mali
    doc = tag(
        "وقال المتحدث العسكري سليمان ديمبيلي في رسالة نصية: إن جنديين من جيش مالي قتلا وأصيب ثلاثة آخرون "
        "في تبادل إطلاق النار وقتل مهاجم يرتدي سترة ناسفة"
    )
    assert [r.place.country for r in geo_state(doc)["resolved"]] == ["ML"]


def test_sitrah_the_town_is_still_found(tag):
    # snn-2015-07-31-0172 (headline)
    doc = tag("البحرين تقبض على عدد من المشتبه بهم بتفجير سترة")
    assert [r.place.name for r in geo_state(doc)["resolved"]] == ["Bahrain", "Sitrah"]
