"""A headline or lead told at region level ("بشمال العراق", "في جنوب شرق تركيا") and a later
sentence placing the same act in a town inside that region are one event, placed in the town,
when they give the same day. Real news sentences (SaudiNewsNet ids in comments).
"""

from __future__ import annotations

from tests.events.test_events import _events

# snn-2015-07-25-0221 (its first paragraphs)
TUZ = (
    "12 قتيلاً على الأقل في تفجير انتحاري بشمال العراق\n"
    "قال مسؤول محلي ومصادر بالشرطة إن 12 شخصًا على الأقل قتلوا اليوم (السبت)، عندما هاجم انتحاريان حمام "
    "سباحة مزدحمًا في شمال العراق.\n\n وأسفر الهجوم الذي وقع في بلدة طوز خورماتو التي تبعد نحو 175 كيلومترًا "
    "إلى الشمال من العاصمة العراقية بغداد، عن إصابة 45 شخصًا. ومعظم القتلى والمصابين من الأقلية التركمانية في "
    "البلاد.\n\n وقال علي الحسيني، رئيس بلدية طوز خورماتو، ومصدران بالشرطة، إن مهاجمًا انتحاريًا فجر سترته "
    "الناسفة في حمام سباحة، كان يستحم فيه عشرات من الرجال والأطفال وسط حرارة الجو اللافحة."
)

# snn-2015-07-31-2050: another incident, in a town of the same region, with no day of its own
CIZRE = (
    "قتل 3 من أفراد الشرطة التركية ومدني، أمس، في هجوم في جنوب شرق تركيا تم نسبه إلى المتمردين الأكراد "
    "الذين استأنفوا منذ الأسبوع الماضي عملياتهم ضد السلطات. ومن جهة ثانية، قتل عنصر من حزب العمال "
    "الكردستاني على يد قوات الأمن، أثناء رد هؤلاء على هجوم ضد مركز للشرطة في مدينة جزرة القريبة من "
    "الحدود السورية."
)


def test_region_headline_and_town_are_one_bombing() -> None:
    bombings = [e for e in _events(TUZ, "2015-07-25") if e.sub_event_type == "Suicide bomb"]
    assert [(e.date, e.location.name if e.location else None) for e in bombings] == [("2015-07-25", "Ţūz Khūrmātū")]


def test_undated_town_incident_stays_apart_from_the_regions() -> None:
    places = sorted(e.location.name for e in _events(CIZRE, "2015-07-31") if e.location is not None)
    assert places == ["Cizre", "Southeast Turkey"]
