"""Sentence splitting on real pages, where sentences are glued without a space."""

from marsad.text.normalize import normalize
from marsad.text.sentences import split_sentences


def _sents(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


def test_glued_sentences_split() -> None:
    # Seed article: "... في المدينة الساحلية.وأضاف"
    text = "وهو أحد ثلاثة أحياء يتحصن فيها التنظيم الارهابي في المدينة الساحلية.وأضاف “قواتنا حررت كامل الحي”"
    assert _sents(text) == [
        "وهو أحد ثلاثة أحياء يتحصن فيها التنظيم الارهابي في المدينة الساحلية.",
        "وأضاف “قواتنا حررت كامل الحي”",
    ]


def test_glued_sentences_from_other_outlets() -> None:
    # SaudiNewsNet corpus, snn-2015-07-21-0390 and -0805.
    text = "حول الكوارث والأزمات والثورات والأحداث الكبرى حول العالم.وتم تصميم هذا التطبيق لاكتشاف المعلومات"
    assert len(_sents(text)) == 2
    text = "بأنه لا يدخل ضمن مخططاته.وكشف فان بيرسي أن مشكلته في يونايتد بدأت"
    assert _sents(text)[1].startswith("وكشف")


def test_thousands_separator_does_not_split() -> None:
    text = normalize("انضم 2600 إلى 3.500 أجنبي إلى الجماعات المتطرفة في ليبيا. وحوالي 1500 منهم أتوا من تونس")
    sents = _sents(text)
    assert len(sents) == 2
    assert "3.500 اجنبي" in sents[0]


def test_newlines_and_question_marks_end_sentences() -> None:
    text = "مقتل البغدادي بسوريا !\nوأكد الرئيس الأمريكي مقتل زعيم تنظيم الدولة؟ نعم"
    assert _sents(text) == ["مقتل البغدادي بسوريا !", "وأكد الرئيس الأمريكي مقتل زعيم تنظيم الدولة؟", "نعم"]


def test_empty_and_punctuation_only() -> None:
    assert split_sentences("") == []
    assert split_sentences(" .. \n ") == []
