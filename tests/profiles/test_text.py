"""Strength figures and relations read from single sentences of real Arabic news (SaudiNewsNet 2015)."""

from __future__ import annotations

import pytest

from marsad.profiles.builder import _speaks_for
from marsad.profiles.relations import read_relations
from marsad.profiles.strength import read_strengths

BOKO = "Boko Haram - Jamaatu Ahli is-Sunnah lid-Dawati wal-Jihad"


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (  # snn-2015-07-21-0459
            "ويقول ميزاب أيضا إن عدد العناصر الإرهابية التابعة لـ«داعش ليبيا» يقدر بين 4500 و5 آلاف مقاتل "
            "بينهم ألف من الليبيين والباقي أجانب وعرب",
            [(4500, 5000, "range", "Islamic State (Libya)", "4500 و5 آلاف")],
        ),
        (  # snn-2015-07-21-0227
            "في هذا السياق يقول إيفانز «يؤكد التحاق أكثر من 25 ألف مقاتل أجنبي بالتنظيم من أكثر من مائة دولة "
            "حول العالم، حقيقة تفاقم خطر (داعش)",
            [(25000, 25000, "above", "Islamic State", "25 ألف")],
        ),
        (  # snn-2015-07-21-0219
            "تضم قوة «فجر ليبيا» التي يشارك ممثلون عنها في الحوار الأممي ما بين ثلاثة آلاف إلى خمسة آلاف عنصر "
            "يتركّزون في طرابلس وفي مصراتة",
            # Fajr Libya is the General National Congress's forces in the registry
            [
                (
                    3000,
                    5000,
                    "range",
                    "Military Forces of Libya (2014-2016) General National Congress",
                    "ثلاثة آلاف إلى خمسة آلاف",
                )
            ],
        ),
        (  # snn-2015-07-21-2246: the soldiers belong to the army named right after them; the
            # 18 fighters of the Islamic State "قتلوا" are dead, not its strength
            "وقالت مصادر في الجيش العراقي وأخرى من تنظيم داعش، إن 28 عنصرا من الجيش العراقي ومليشيا الحشد "
            "الشعبي و18 مقاتلا من تنظيم الدولة، قتلوا وأصيب 27 بينهم 12 من تنظيم داعش في معارك عنيفة.",
            [(28, 28, "exact", "Military Forces of Iraq", "28")],
        ),
        (  # snn-2015-07-21-0079: killed
            "وأن الفرقة الذهبية تمكنت من تحرير منطقة الطاش جنوب مدينة الرمادي، وقتلت 27 عنصرا من عناصر تنظيم داعش.",
            [],
        ),
        (  # snn-2015-07-21-0011: arrested
            "وأعلنت وزارة الداخلية السعودية، أمس، القبض على 431 عنصرا أغلبهم سعوديون وبينهم أجانب من 9 جنسيات مختلفة",
            [],
        ),
        (  # snn-2015-07-21-0133: a toll of people, not fighters
            "ولكن جماعة «بوكو حرام» المتشددة، التي تسعى لإقامة دولة وفق تفسيرها المتشدد للشريعة الإسلامية، قتلت "
            "أكثر من 14 ألف شخص منذ عام 2009 في شمال نيجيريا.",
            [],
        ),
    ],
)
def test_strengths(sentence: str, expected: list[tuple[int, int, str, str | None, str]]) -> None:
    found = [(s.low, s.high, s.qualifier, s.group, s.text) for s in read_strengths(sentence)]
    assert found == expected
    for s in read_strengths(sentence):
        assert sentence[s.start : s.end] == s.text


def test_group_named_before_the_figure() -> None:
    # snn-2015-07-21-0219: "عدد مجموعة بلمختار بنحو 500 عنصر" — Belmokhtar's group (Al Mourabitoun)
    # is named before the figure
    (s,) = read_strengths("وتقدر مصادر عسكرية ليبية عدد مجموعة بلمختار بنحو 500 عنصر وكان يديرها معه نائبه")
    assert (s.value, s.qualifier, s.group) == (500, "about", "Al Mourabitoun")


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (  # snn-2015-08-04-0452
            "ولا سيما في غابة سامبيسا التي تعد أحد المعاقل التاريخية لبوكو حرام التي بايعت مؤخرًا تنظيم داعش.",
            [("pledge", BOKO, "Islamic State", "بايعت")],
        ),
        (  # snn-2015-07-25-0643
            "ويزداد تجنيد بوكو حرام لليافعين كمفجرين انتحاريين منذ أن أعلنت مبايعتها لتنظيم داعش، وفي هجوم وقع "
            "يوم الجمعة الماضي فجرت فتاة في العاشرة من عمرها نفسها في داماتورو",
            [("pledge", BOKO, "Islamic State", "مبايعتها")],
        ),
        (  # snn-2015-07-21-0133
            "ويواجه بخاري، الذي وضع في مقدم أولوياته التصدي لمتمردي جماعة «بوكو حرام»، التي أعلنت ولاءها لتنظيم "
            "«داعش»، موجة من أعمال العنف",
            [("pledge", BOKO, "Islamic State", "أعلنت ولاءها")],
        ),
        (  # snn-2015-07-21-0276: Ansar Bayt al-Maqdis is the Sinai Province in the registry
            "حيث يعد تنظيم أنصار بيت المقدس أخطر التنظيمات الإرهابية الموجودة على الساحة المصرية، خصوصا عقب "
            "إعلان مبايعته لتنظيم داعش وتغيير اسمه إلى «ولاية سيناء»",
            [("pledge", "Islamic State (Egypt)", "Islamic State", "مبايعته")],
        ),
        (  # snn-2015-08-03-0098: security forces killed men who pledged; the forces pledged nothing
            'واعلنت اجهزة الامن الروسية الاحد انها قتلت ثمانية متطرفين بايعوا تنظيم "داعش" ويقفون وراء هجمات '
            "في منطقة القوقاز.",
            [],
        ),
        (  # snn-2015-08-09-0192: التحالف is the coalition, not an alliance with the IS
            "وكانت تركيا العضو في الحلف الأطلسي قد رفضت أخيرا المشاركة في عمليات التحالف ضد تنظيم داعش، خشية "
            "دعم نشاط أكراد سوريا",
            [],
        ),
        (  # snn-2015-07-21-0227: members split from the Abu Salim brigade; the IS is not the subject
            "تشهد مدينة درنة اقتتالا مستعرا بين «كتيبة شهداء أبو سليم» الموالية لتنظيم القاعدة، ومسلحي تنظيم "
            "داعش على خلفية خلاف جاء بعد انشقاق عناصر من «كتيبة أبو سليم» وإعلان مبايعتها لخلافة البغدادي",
            [],
        ),
    ],
)
def test_relations(sentence: str, expected: list[tuple[str, str, str, str]]) -> None:
    assert [(r.kind, r.subject, r.object, r.cue) for r in read_relations(sentence)] == expected


def test_subject_first_pledge_and_rename() -> None:
    # the bundled sample article 004 (src/marsad/resources/samples/articles.jsonl): "مبايعة جماعة
    # بوكو حرام للتنظيم": the group after the masdar pledges; "للتنظيم" is the group named before
    sentence = (
        "حيث تنشط داخلها أو على حدوها تنظيمات إرهابية بايعت جميعها داعش وتقدم له كامل الدعم بعد طرده من ليبيا، "
        "خاصة بعد مبايعة جماعة “بوكو حرام” النيجيرية للتنظيم العام الماضي، وتحولها إلى “ولاية غرب إفريقيا”، "
        "حيث أرسلت مقاتليها عبر تشاد إلى ليبيا للتدرب"
    )
    found = [(r.kind, r.subject, r.object) for r in read_relations(sentence)]
    assert found == [("pledge", BOKO, "Islamic State"), ("renamed", BOKO, "Islamic State (West Africa)")]


@pytest.mark.parametrize(
    ("sentence", "speaker", "speaks"),
    [
        # snn-2015-08-02-0618
        (
            "وفي بيان يوم الجمعة الماضي أعلن المتحدث باسم طالبان ذبيح الله مجاهد اختيار منصور زعيما جديدا بعد "
            "يوم واحد من تأكيد وفاة الملا عمر.",
            "ذبيح الله مجاهد",
            True,
        ),
        # snn-2015-08-03-0923: the name in quotes after the title
        (
            "وكان المتحدث باسم حركة طالبان “ذبيح الله مجاهد”، أكد الخميس الماضي، رسمياً وفاة “الملا عمر قبل مدة "
            "من الزمن جراء المرض”",
            "ذبيح الله مجاهد",
            True,
        ),
        # snn-2015-07-31-1853: the Afghan security office's spokesman speaks about the Taliban
        (
            "ففي الوقت الذي أكد فيه المتحدث باسم مكتب الأمن القومي الأفغاني عبدالحسيب صديقي أن الملا عمر توفي في "
            "أحد مستشفيات كراتشي بسبب مرض عضال في أبريل من العام ٢٠١٣",
            "عبدالحسيب صديقي",
            False,
        ),
    ],
)
def test_spokespeople(sentence: str, speaker: str, speaks: bool) -> None:
    assert _speaks_for(sentence, speaker, {"Taliban"}) is speaks
