"""Transliterated names in a spelling the gazetteer lacks, read by their consonant skeleton."""

from __future__ import annotations

import pytest

from marsad.geo.geocoder import skeleton
from marsad.model import Doc
from marsad.text.normalize import normalize


def _places(doc: Doc) -> list[tuple[str, str]]:
    return [(doc.norm.text[m.start : m.end], m.value.name) for m in doc.mentions if m.kind == "place"]


@pytest.mark.parametrize(
    ("a", "b"),
    [("نانجارهار", "ننغرهار"), ("فرياب", "فارياب"), ("سيرناك", "شرناق"), ("دوغوبيازيد", "دوغوبايزيد")],
)
def test_spellings_of_one_name_share_a_skeleton(a: str, b: str) -> None:
    assert skeleton(normalize(a)) == skeleton(normalize(b))


@pytest.mark.parametrize(
    ("text", "surface", "name"),
    [
        # snn-2015-08-04-0103: the gazetteer writes شرناق / شيرناك (as the lead does)
        (
            "قالت مصادر أمنية إنّ جنديين تركيين قتلا وجرح آخران، عندما فجّر مقاتلون لغمًا محلي الصنع اليوم "
            "(الثلاثاء)، في إقليم شرناق بجنوب شرق البلاد. وذكرت المصادر لوكالة الصحافة الفرنسية، أنّ متمردين أكرادا فجّروا عبوة عن بعد، أثناء مرور قافلة عسكرية "
            "في منطقة اراكوي في مقاطعة سيرناك على الحدود مع العراق وسوريا.",
            "سيرناك",
            "Şırnak",
        ),
        # snn-2015-07-22-0101: فارياب in the gazetteer
        (
            "عشرات القتلى والجرحى بهجوم انتحاري شمال أفغانستان\n"
            "وكان بين القتلى نساء واطفال في الهجوم الذي وقع بمنطقة المار بولاية فرياب.",
            "فرياب",
            "Faryab",
        ),
        # snn-2015-07-26-0819: ننغرهار / ننجرهار / ننكرهار in the gazetteer
        (
            "وفي إقليم نانجارهار شرق أفغانستان أصيب رجلا شرطة على الاقل واثنان من المدنيين بعد انفجار قنبلة زرعت "
            "بالقرب من نقطة تفتيش تابعة للشرطة أمس السبت طبقا للشرطة",
            "نانجارهار",
            "Nangarhar",
        ),
    ],
)
def test_a_variant_spelling_after_a_place_word_is_found(tag, text: str, surface: str, name: str) -> None:
    assert (surface, name) in _places(tag(text))


@pytest.mark.parametrize(
    ("text", "word"),
    [
        # snn-2015-07-25-1212: an adjective after "المنطقة" (its skeleton is حديدة's)
        (
            "تركيا تحارب داعش داخل وخارج الحدود\nوقامت ثلاث مقاتلات اف-16 من سلاح الجو التركي بقصف ثلاثة مواقع "
            "للمتطرفين في المنطقة الحدودية في سوريا المقابلة لمدينة كيليس (جنوب).",
            "الحدوديه",
        ),
        # snn-2015-08-03-0549: Gümüşhane is no Iraqi غماس, though the article is about Iraq too
        (
            "الأكراد: الهجوم على ثكنة تركية جاء «ردا» على مقتل مدنيين عراقيين\nوسجلت مواجهات مسلحة بين المتمردين "
            "وقوات الأمن في نهاية الأسبوع في محافظة كوموش خانة قرب البحر الأسود، علما بأن انتشار المتمردين فيها محدود.",
            "كوموش",
        ),
    ],
)
def test_a_word_or_a_short_skeleton_is_no_variant(tag, text: str, word: str) -> None:
    assert all(surface != word for surface, _ in _places(tag(text)))
