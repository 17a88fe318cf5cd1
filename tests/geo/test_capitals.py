""" "في العاصمة الصومالية": a nationality adjective after العاصمة names that country's capital.

Real sentences from SaudiNewsNet (ids cited); the corpus is non-commercial, so they live in the
tests only.
"""

from __future__ import annotations

from marsad.geo.geocoder import geo_state
from tests.geo.test_anaphora import clause_place, near, resolved_at


def test_capital_named_by_its_nationality(tag):
    # snn-2015-07-27-0928: the hotel is in Mogadishu, not "Somalia"
    doc = tag(
        "قتل أمس ستة على الأقل، في هجوم انتحاري بسيارة ملغومة نفذه أعضاء من الحركة المتشددة على فندق "
        "في العاصمة الصومالية."
    )
    r = resolved_at(doc, "الصومالية")
    assert (r.place.country, r.place.precision) == ("SO", "city") and near(r.place, 2.04, 45.34)


def test_capital_with_a_clitic_and_a_country_outside_the_mena_data(tag):
    # snn-2015-08-11-0143
    text = "لقوا حتفهم وأصيب 21 آخرون في تفجير انتحاري وقع بالعاصمة الأفغانية أمس."
    doc = tag(text)
    place = clause_place(doc, text)
    assert place.country == "AF" and place.precision == "city" and near(place, 34.53, 69.17)


def test_capital_named_after_the_adjective_is_that_name(tag):
    # snn-2015-07-23-0983: "بالعاصمة العراقية بغداد" names Baghdad once, by its name
    doc = tag("انفجرت سيارة ملغومة اليوم الأربعاء في سوق مكتظة بالناس في حي الشرطة بالعاصمة العراقية بغداد.")
    assert resolved_at(doc, "بغداد").place.name == "Baghdad"
    assert all("capital" not in r.evidence for r in geo_state(doc)["resolved"])
