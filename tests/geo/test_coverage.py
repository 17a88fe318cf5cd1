"""Conflict places the gazetteer sources lack, curated in regions.yaml: Afghan provinces and
towns, towns of the PKK conflict in south-east Turkey, and a few others (Ain al-Hilweh camp).

Real sentences from SaudiNewsNet (ids cited); the corpus is non-commercial, so they live in the
tests only.
"""

from __future__ import annotations

import pytest

from marsad.geo.geocoder import geo_state
from tests.geo.test_anaphora import clause_place, near

CLAUSES = [
    # snn-2015-07-22-0102: a Turkish border town with no Arabic name in GeoNames
    ("تم العثور صباح اليوم على جثتي شرطيين مقتولين برصاص في الرأس في مدينة جيلان بينار (جنوب شرق)", "TR", 36.85, 40.05),
    # snn-2015-07-24-0344: Diyarbakır written in one word, with "جنوب شرق تركيا" after it
    (
        "قتل شرطي تركي وأصيب آخر بالرصاص اليوم في هجوم نفذه ملثمون في أحد أحياء دياربكر كبرى مدن جنوب شرق تركيا",
        "TR",
        37.91,
        40.22,
    ),
    # snn-2015-07-24-0826: "ولاية باكتيكا"
    ("العملية التي جرت في 11 يوليو (تموز) في ولاية باكتيكا، أدت الى مقتل ابو خليل السوداني", "AF", 33.18, 68.73),
]


@pytest.mark.parametrize(("clause", "country", "lat", "lon"), CLAUSES)
def test_curated_conflict_place(tag, clause: str, country: str, lat: float, lon: float) -> None:
    place = clause_place(tag(clause), clause)
    assert place.country == country and near(place, lat, lon)


def test_ain_al_hilweh_is_the_camp_not_al_ain(tag):
    # snn-2015-07-25-1169
    doc = tag(
        "توفي متأثراً بجراح أصيب بها إثر إطلاق نار عليه مع مرافقه في مخيم عين الحلوة للاجئين الفلسطينيين في لبنان."
    )
    assert [r.place.country for r in geo_state(doc)["resolved"]] == ["LB", "LB"]


def test_carrot_is_not_cizre(tag):
    # Cizre (جزرة) needs a locative or a cue word: "العصا والجزرة" is the carrot and the stick
    doc = tag("وقال إن واشنطن تتبع مع طهران سياسة العصا والجزرة.")
    assert all(r.place.country != "TR" for r in geo_state(doc)["resolved"])


def test_border_post_names_its_town(tag):
    # snn-2015-07-25-1512: "منفذ الطوال" (الطوال is also "the tall ones": it needs a cue word)
    clause = (
        "وكانت القوات السعودية قد أحبطت خلال اليومين الماضيين مخططاً هجومياً لمليشيات الحوثيين وأعوان المخلوع "
        "علي صالح على منفذ الطوال الحدودي مع اليمن"
    )
    place = clause_place(tag(clause), clause)
    assert place.country == "SA" and near(place, 16.59, 42.95)
