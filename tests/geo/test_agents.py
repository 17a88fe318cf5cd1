""" "تحالف تقوده الولايات المتحدة", "التحالف الدولي بقيادة الولايات المتحدة": a country that leads or
backs a force is a side, not the place of what the force does.

Real sentences from SaudiNewsNet (ids cited); the corpus is non-commercial, so they live in the
tests only.
"""

from __future__ import annotations

import pytest

from tests.geo.test_anaphora import clause_place, resolved_at


@pytest.mark.parametrize(
    "clause",
    [
        # snn-2015-08-09-0160
        "وسمحت أنقرة لتحالف تقوده الولايات المتحدة باستخدام قواعدها الجوية لقصف المتشددين.",
        # snn-2015-08-04-0157
        "وكانت واحدة من مبررات قيام التحالف الدولي بقيادة الولايات المتحدة بالتدخل جوا ضد التنظيم بعد أيام من "
        "وقوع المجازر.",
    ],
)
def test_country_leading_a_coalition_is_a_side(tag, clause: str) -> None:
    doc = tag(clause)
    assert resolved_at(doc, "الولايات المتحدة").role == "party"
    place = clause_place(doc, clause)
    assert place is None or place.country != "US"


def test_country_after_a_locative_is_still_a_place(tag) -> None:
    # snn-2015-08-11-1148: "قتلوا في الولايات المتحدة" is where they were killed
    clause = (
        "بدورها فتحت الأجهزة الأمنية التابعة للسلطات الأمريكية تحقيقا في الحادث الغامض بحثاً عن القاتل، لينضم "
        "ريان الى ملف المبتعثين السعوديين الذين قتلوا في الولايات المتحدة."
    )
    doc = tag(clause)
    assert resolved_at(doc, "الولايات المتحدة").role == "place"
