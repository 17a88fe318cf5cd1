""" "رفح بشمال سيناء": a name followed at once by a wider area is read inside that area, and the
article keeps that reading when it names the place again.

Real sentences from SaudiNewsNet (ids cited); the corpus is non-commercial, so they live in the
tests only.
"""

from __future__ import annotations

from marsad.geo.geocoder import geo_state


def readings(doc, surface: str) -> list[tuple[str, str]]:
    return [
        (r.place.name, r.place.country) for r in geo_state(doc)["resolved"] if doc.surface(r.start, r.end) == surface
    ]


def test_rafah_in_north_sinai_is_the_egyptian_town_both_times(tag):
    # snn-2015-07-25-1064: Egyptian Rafah (pop. 44,000), not Gaza's (126,000)
    doc = tag(
        'لقي سبعة من عناصر من "جماعة أنصار بيت المقدس" الإرهابية مصرعهم وأصيب 15 آخرون في اشتباكات '
        "مع قوات الأمن في رفح بشمال سيناء.\nوقالت تقارير عسكرية إن اشتباكات عنيفة اندلعت بين قوات الجيش "
        "وعناصر من الجماعة في وقت مبكر من أمس بعد قيامهم بمحاولة الهجوم على الارتكازات الأمنية بمنطقة "
        "دوار قادود جنوب رفح باستخدام الأسلحة الثقيلة."
    )
    assert readings(doc, "رفح") == [("Rafaḩ", "EG"), ("Rafaḩ", "EG")]


def test_rafah_in_the_gaza_strip_is_gazas(tag):
    # snn-2015-08-06-0401
    doc = tag(
        "قال مسؤولون في قطاع الصحة وسكان، اليوم (الخميس)، ان انفجارا أسفر عن مقتل أربعة فلسطينيين واصابة 30 "
        "آخرين في مدينة رفح بجنوب قطاع غزة على الحدود مع مصر."
    )
    assert readings(doc, "رفح") == [("Rafaḩ", "PS")]
