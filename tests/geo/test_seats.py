""" "ومقره بريطانيا", "التي يوجد مقرها في طرابلس": where an organisation sits is not where the
event happened, nor a country the article is about; nor is a capital standing for its government
("الهدنة مع انقرة").

Real sentences from SaudiNewsNet (ids cited); the corpus is non-commercial, so they live in the
tests only.
"""

from __future__ import annotations

from marsad.geo.geocoder import doc_countries
from tests.geo.test_anaphora import clause_place, resolved_at


def test_observatory_based_in_britain(tag):
    # snn-2015-08-01-0324
    clause = "وذكر المرصد ومقره بريطانيا أن الغارات الجوية قصفت مواقع للجبهة قرب بلدة اعزاز شمالي حلب"
    doc = tag(clause)
    assert resolved_at(doc, "بريطانيا").role == "seat"
    assert clause_place(doc, clause).country == "SY"
    assert "GB" not in dict(doc_countries(doc))


def test_oil_company_seated_in_tripoli_is_not_the_strike_place(tag):
    # snn-2015-07-21-2697
    clause = (
        "واتهمت المؤسسة الوطنية للنفط التي يوجد مقرها في طرابلس الحكومة المعترف بها دولياً بأنها قصفت ثلاث "
        "مرات ناقلات نفط"
    )
    doc = tag(clause)
    assert resolved_at(doc, "طرابلس").role == "seat"
    place = clause_place(doc, clause)
    assert place is None or place.name != "Tripoli"


def test_capital_standing_for_its_government(tag):
    # snn-2015-07-27-0354: the truce "with Ankara" is with the Turkish state; the strikes are in
    # northern Iraq
    clause = (
        "ولم تتبن أي جهة الهجوم لكنه يأتي بينما هدد حزب العمال الكردستاني بقطع الهدنة مع انقرة إثر الضربات "
        "الجوية التي شنها الجيش التركي الجمعة والسبت على معسكرات للمتمردين في شمال العراق"
    )
    doc = tag(clause)
    assert resolved_at(doc, "انقرة").role == "party"
    assert clause_place(doc, clause).country == "IQ"


def test_capital_attacked_or_listed_is_a_place(tag):
    # dev-001 (elmaouid): the war on Tripoli; snn-2015-07-26-0824: a list after "في"
    doc = tag("وفي ظل استمرار عدوان حفتر على طرابلس ودخوله شهره السابع على التوالي")
    assert resolved_at(doc, "طرابلس").role == "place"
    doc = tag("وقالت وكالتا الانباء دوغان والاناضول ان حملة الاعتقالات هذه جرت في اسطنبول وانقرة واضنة (جنوب)")
    assert resolved_at(doc, "انقرة").role == "place"
