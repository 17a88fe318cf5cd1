"""Fatality and injury counts on real sentences; strength counts and dates are not fatalities."""

import pytest

from marsad.events.casualties import read_casualties
from marsad.model import Article
from marsad.pipeline import Pipeline

_PIPE = Pipeline.from_names(
    ["marsad.pipeline:SentenceSplitter", "marsad.nlp.numbers:NumberTagger", "marsad.events.triggers:TriggerTagger"]
)


def _cas(text: str) -> tuple[int | None, int | None]:
    doc = _PIPE(Article(id="t", text=text))
    c = read_casualties(doc, 0, len(doc.norm.text))
    return c.fatalities, c.injuries


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # SaudiNewsNet snn-2015-07-21-1640
        ("قتل 6 من المدنيين وأصيب آخرون، في قصف مدفعي للحوثيين على منطقة دار سعد في عدن", (6, None)),
        # "at least 15" is 15; injuries after "وجرح"
        ("ما أسفر عن مقتل 15 شخصا على الأقل وجرح 80 آخرين", (15, 80)),
        # count after the death word, with a noun between
        ("لقي 12 جنديا حتفهم في هجوم على ثكنة عسكرية", (12, None)),
        ("أسفر الانفجار عن سقوط ثلاثة قتلى وخمسة جرحى", (3, 5)),
        # dual noun: snn-2015-07-21-2246
        ("أن جنديين عراقيين قتلا وأصيب اثنان آخران في تفجير عبوة ناسفة", (2, 2)),
        ("أسفر عن مقتل ١٩ عنصرا", (19, None)),
        # snn-2015-08-02-0347: a caliber before "وقتل" belongs to the clause before it
        ("وأضاف المصدر أن غارة أخرى دمرت مدفع هاون عيار (120) وقتل 2 من طاقمه وأصيب 3 آخرون.", (2, 3)),
        # snn-2015-07-21-1978: a death word that starts with و itself (وفاة) takes the count before it
        (
            "ارتفعت حصيلة ضحايا الأمطار الموسمية والفيضانات الحالية في باكستان إلى 22 حالة وفاة خلال اليومين الماضيين",
            (22, None),
        ),
        # one victim named by a singular noun, after or before its death word (snn-2015-07-24-1354,
        # snn-2015-07-23-0013), "one of" them (snn-2015-08-10-0558)
        ("قتل شرطي وأصيب آخر بالرصاص أمس في هجوم وقع في شارع في أحد أحياء دياربكر", (1, None)),
        ("ان جنديا تركيا قتل وأصيب آخر في اشتباكات مع تنظيم داعش المتطرف عبر الحدود مع سوريا اليوم", (1, None)),
        (
            "صد عناصر التأمين من الجيش الثالث الميداني هجوما إرهابياً وقتل أحد العناصر الإرهابية المشاركة فى الهجوم.",
            (1, None),
        ),
        # singular victims joined by و each count one: a conscript (مجند, cues.yaml combatants) and an officer
        # (snn-2015-08-10-0558), a policeman after 21 tourists (snn-2015-07-24-0420)
        ("للبحث عن المتورطين في مقتل ضابط ومجند وإصابة 3 آخرين في انفجار عبوة ناسفة بمدرعة", (2, 3)),
        ("هجوم دموي استهدف متحف باردو بالعاصمة تونس ونفذه مسلحان وقتلا خلاله 21 سائحاً أجنبياً وشرطياً.", (22, None)),
        # counts after "بينهم" break the toll down (snn-2015-07-22-1133); a singular noun after a
        # count is its counted noun, not one more victim
        ("إن 57 مدنياً بينهم 12 طفلاً و6 نساء قتلوا، وأصيب أكثر من 215 آخرين بجروح", (57, 215)),
        # a singular victim before a count joined by و (snn-2015-08-08-0156)
        ("أن جنديا من قواته وثمانية مقاولين أفغان قتلوا في هجوم للمتشددين على قاعدة", (9, None)),
        # a title next to the death word counts one (cues.yaml victim_titles; snn-2015-07-21-0982)
        ("إن قياديا في تنظيم داعش وخمسة متطرفين أجانب آخرين قتلوا في غارة جوية قرب مدينة الحسكة", (6, None)),
        ("مقتل قيادي بارز في داعش بغارة لطيران التحالف الدولي في كركوك", (1, None)),
        # snn-2015-07-25-0186, snn-2015-08-04-0115
        ("ففي منتصف يونيو (حزيران) قتل زعيم تنظيم القاعدة في شبه جزيرة العرب ناصر الوحيشي في غارة", (1, None)),
        ("بينما قتل قائد عسكري وأحد العناصر في «فيلق الشام» خلال اشتباكات مع قوات النظام", (2, None)),
        # snn-2015-07-21-0276: soldiers and officers joined to one count are that count
        ("تبناه تنظيم «ولاية سيناء» التابع لتنظيم داعش، وأسفر عن مقتل 17 جنديا وضابطا وأصيب 13 آخرون", (17, 13)),
        # snn-2015-08-11-0106: the noun before its count; a policeman joined after it is one more
        ("قالت وكالة دوجان التركية للأنباء يوم أمس إن مهاجمين اثنين وشرطيا قُتلوا في تبادل لإطلاق النار", (3, None)),
        # a plural with no count is no toll
        ("وأكد المصدر مقتل مدنيين في القصف على الحي", (None, None)),
    ],
)
def test_counts(sentence: str, expected: tuple[int | None, int | None]) -> None:
    assert _cas(sentence) == expected


def test_strength_is_not_fatalities() -> None:
    assert _cas("التي تضم حاليا أكثر من ثمانية آلاف مقاتل تابعين للتنظيم") == (None, None)


def test_vague_counts_give_no_number() -> None:
    assert _cas("والذي أسفر عن قتلى وجرحى") == (None, None)
    assert _cas("سقوط العشرات من القتلى") == (None, None)
