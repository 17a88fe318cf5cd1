"""Number reading for casualty and strength counts, on real sentences."""

import pytest

from marsad.text.normalize import normalize
from marsad.text.numbers import read_numbers


def _values(text: str) -> list[tuple[object, object, object]]:
    return [(n.value, n.low, n.high) for n in read_numbers(normalize(text))]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("حيث قتل 19 عنصرا في غارتين جويتين بمحيط مرزق", [(19, 19, 19)]),
        ("ما أسفر عن مقتل ١٥ شخصا على الأقل وجرح ٨٠ آخرين", [(15, 15, 15), (80, 80, 80)]),
        # thousands separators: "3.500" and "3,500" are counts of 3500
        ("انضم 2600 إلى 3.500 أجنبي إلى الجماعات المتطرفة", [(2600, 2600, 2600), (3500, 3500, 3500)]),
        ("أسفرت عن مقتل 457 وإصابة 2,130 من قوات البنيان المرصوص", [(457, 457, 457), (2130, 2130, 2130)]),
        ("جمع 368.000 دولار", [(368000, 368000, 368000)]),
        ("ما بين 25 ألف و 30 ألف مقاتل أجنبي", [(25000, 25000, 25000), (30000, 30000, 30000)]),
        ("تراوح بين خمسة وستة آلاف مقاتل من جنسيات مختلفة", [(None, 5000, 6000)]),
        ("يضم أكثر من ثمانية آلاف مقاتل", [(8000, 8000, 8000)]),
        ("عملية البنيان المرصوص التي أطلقت قبل ثلاثة اشهر", [(3, 3, 3)]),
        ("قتل أحد عشر جنديا", [(11, 11, 11)]),
        ("خمسة وعشرين ألف لاجئ", [(25000, 25000, 25000)]),
        ("مقتل ثلاثة عشر مدنيا", [(13, 13, 13)]),
        ("وهو ما قلص أعداد عناصره إلى أقل من 150 عنصرا", [(150, 150, 150)]),
        ("نزوح 1.5 مليون شخص", [(1500000, 1500000, 1500000)]),
    ],
)
def test_counts(sentence: str, expected: list[tuple[object, object, object]]) -> None:
    assert _values(sentence) == expected


def test_vague_counts() -> None:
    (n,) = read_numbers(normalize("سقوط العشرات من القتلى والجرحى"))
    assert n.vague and n.value is None and n.low == 10 and n.count is None
    (n,) = read_numbers(normalize("نزوح عشرات الآلاف من المدنيين"))
    assert n.vague and n.low == 10000


def test_offsets_point_at_the_number() -> None:
    text = normalize("وقتل 17 آخرين جراء غارة جوية جنوب غرب البلاد")
    (n,) = read_numbers(text)
    assert text[n.start : n.end] == "17"


def test_words_that_are_not_numbers() -> None:
    assert read_numbers(normalize("قال الأحد إن الوضع مستقر")) == []
    assert read_numbers(normalize("ثلاثة أربعة")) and len(read_numbers(normalize("ثلاثة أربعة"))) == 2


def test_conjunction_and_preposition_on_digits() -> None:
    # SaudiNewsNet snn-2015-07-21-0459: "بين 4500 و5 آلاف مقاتل"
    assert _values("يقدر بين 4500 و5 آلاف مقاتل") == [(4500, 4500, 4500), (5000, 5000, 5000)]
    assert _values("حكم عليه ب15 عاما") == [(15, 15, 15)]
