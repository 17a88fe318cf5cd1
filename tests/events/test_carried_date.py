"""A day's report dates its news once and goes on without repeating the date: an event told with
no date of its own takes the day the report gave last (events/builder.carried_date), unless the
article turns to another story ("ومن جهة ثانية") or that day is background. Real news sentences
(SaudiNewsNet ids in comments).
"""

from __future__ import annotations

import datetime as dt

from marsad.events.builder import _DocContext
from marsad.model import Article
from marsad.pipeline import Pipeline
from tests.events.test_events import _events

# snn-2015-08-11-0949: "مساء أمس" once, then the air strikes of the same day on other fronts
MARIB = (
    "وأشار المركز الإعلامي للمقاومة إلى أن فلول التمرد حاولوا مباغتة الثوار في جبهة ماس بهجوم مفاجئ، إلا أن "
    "المقاومة أبطلت المخطط وتصدت له بقوة، ما أدى إلى مقتل 14 متمردا. وأضاف المركز أن المواجهات استمرت حتى "
    "وقت متأخر من مساء أمس.\n في غضون ذلك، شنت طائرات التحالف غارات عنيفة استهدفت مواقع وتعزيزات حوثية "
    "بجبهة مجزر، أسفرت عن مقتل 16 منهم بجبهة حلحلان، كانوا على متن طقم عسكري يتجه لتعزيز الانقلابيين."
)

# snn-2015-07-31-2050: "ومن جهة ثانية" turns to another incident, which the text does not date
CIZRE = (
    "قتل 3 من أفراد الشرطة التركية ومدني، أمس، في هجوم في جنوب شرق تركيا تم نسبه إلى المتمردين الأكراد "
    "الذين استأنفوا منذ الأسبوع الماضي عملياتهم ضد السلطات. ومن جهة ثانية، قتل عنصر من حزب العمال "
    "الكردستاني على يد قوات الأمن، أثناء رد هؤلاء على هجوم ضد مركز للشرطة في مدينة جزرة القريبة من "
    "الحدود السورية."
)

# snn-2015-07-25-0477: the nearest earlier date is background ("منذ أكتوبر 2014"): nothing to carry
BENGHAZI = (
    "الجدير بالذكر أن الاشتباكات بين قوات الجيش الليبي وقوات مجلس شورى ثوار بنغازي اندلعت منذ أكتوبر "
    "2014. من ناحية أخرى قال مسعفون إن جنديين ليبيين قتلا وأصيب عشرة بجروح في قتال بين قوات الحكومة "
    "ومقاتلين في وسط مدينة بنغازي."
)


def _carried(text: str, published: str, k: int) -> list[str]:
    """What carried_date gives the k-th sentence of `text`."""
    doc = Pipeline.default()(Article(id="t", text=text, published=dt.date.fromisoformat(published)))
    return _DocContext(doc).carried_date(doc, doc.sentences[k])


def test_later_front_takes_the_reports_day() -> None:
    (strike,) = [e for e in _events(MARIB, "2015-08-11") if e.sub_event_type == "Air/drone strike"]
    assert strike.date == "2015-08-10"
    assert _carried(MARIB, "2015-08-11", 2) == ["2015-08-10"]


def test_no_date_is_carried_past_a_turn_to_another_story() -> None:
    assert _carried(CIZRE, "2015-07-31", 1) == []


def test_no_background_date_is_carried() -> None:
    assert _carried(BENGHAZI, "2015-07-25", 1) == []


def test_act_told_as_earlier_takes_no_date_from_before_it() -> None:
    # snn-2015-07-23-0013: the clash is today; the bombing "جرى في وقت سابق" (the Suruç bombing,
    # three days before) is not
    text = (
        'قال مسؤول تركي كبير، اليوم (الخميس)، ان جنديا تركيا قتل وأصيب آخر في اشتباكات مع تنظيم "داعش" '
        "المتطرف عبر الحدود مع سوريا اليوم، وذلك بعد تفجير انتحاري قتل 32 شخصا وألقيت المسؤولية فيه على "
        "التنظيم المتشدد، جرى في وقت سابق."
    )
    dates = {e.sub_event_type: e.date for e in _events(text, "2015-07-23")}
    assert dates == {"Armed clash": "2015-07-23", "Suicide bomb": None}
