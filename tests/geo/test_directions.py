""" "اقليم لوغار جنوب العاصمة كابل", "بلدة اعزاز شمالي حلب": a town after a bare direction that
follows another place locates that place; the event is not in the town measured from.

Real sentences from SaudiNewsNet (ids cited); the corpus is non-commercial, so they live in the
tests only.
"""

from __future__ import annotations

from tests.geo.test_anaphora import clause_place, near, resolved_at


def test_province_south_of_the_capital_is_the_province(tag):
    # snn-2015-07-21-0003
    clause = "ونفذت الضربة الجوية صباح اليوم في منطقة بركي برك في اقليم لوغار جنوب العاصمة كابل"
    doc = tag(clause)
    assert resolved_at(doc, "كابل").role == "reference"
    place = clause_place(doc, clause)
    assert place.name == "Logar" and near(place, 33.995, 69.023)


def test_town_north_of_a_city_is_the_town(tag):
    # snn-2015-08-01-0324
    clause = "وذكر المرصد ومقره بريطانيا أن الغارات الجوية قصفت مواقع للجبهة قرب بلدة اعزاز شمالي حلب"
    place = clause_place(tag(clause), clause)
    assert near(place, 36.587, 37.046)


def test_direction_with_no_place_before_it_keeps_the_town(tag):
    # snn-2015-08-07-0378: "في جنوب كابل" with nothing named before it is near Kabul
    clause = "في عملية انتحارية نفذتها حركة طالبان واستهدفت الشرطة الافغانية في جنوب كابل"
    doc = tag(clause)
    assert resolved_at(doc, "كابل").role == "place"


def test_south_east_libya_is_not_eastern_libya(tag):
    # snn-2015-07-23-0300: "جنوب شرق ليبيا" holds the name "شرق ليبيا" (Cyrenaica, 1,000 km north)
    clause = (
        "قتل 40 شخصًا على الأقل وأصيب العشرات بجروح في اشتباكات عنيفة يخوضها منذ أسبوع مسلحون من قبيلتي "
        "التبو والطوارق في جنوب شرق ليبيا"
    )
    place = clause_place(tag(clause), clause)
    assert place.country == "LY" and near(place, 24.2, 23.3, km=50)
