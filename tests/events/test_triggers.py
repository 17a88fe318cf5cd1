"""Trigger words on real news sentences: the right sub-type, and no trigger on look-alikes."""

import pytest

from marsad.model import Article
from marsad.pipeline import Pipeline
from tests.events.test_events import _events

_PIPE = Pipeline.from_names(["marsad.pipeline:SentenceSplitter", "marsad.events.triggers:TriggerTagger"])


def _subs(text: str, weak: bool | None = None) -> list[str]:
    doc = _PIPE(Article(id="t", text=text))
    return [m.value.sub_event_type for m in doc.of_kind("trigger") if weak is None or m.value.weak == weak]


@pytest.mark.parametrize(
    ("sentence", "sub"),
    [
        # SaudiNewsNet snn-2015-07-21-0053
        (
            "شن طيران التحالف العربي ظهر أمس عدة غارات جوية استهدفت مواقع تسيطر عليها جماعة أنصار الله",
            "Air/drone strike",
        ),
        # snn-2015-07-21-0074
        ("تجدد الاشتباكات بين قوات النظام والفصائل المعارضة، في محيط مطار الثعلة", "Armed clash"),
        # snn-2015-07-21-0024
        ("فجّر انتحاري سعودي نفسه، مساء أمس، عند نقطة تفتيش أمنية في الرياض", "Suicide bomb"),
        # snn-2015-07-21-2246
        (
            "أن جنديين عراقيين قتلا وأصيب اثنان آخران في تفجير عبوة ناسفة استهدفت عربتهم",
            "Remote explosive/landmine/IED",
        ),
        # snn-2015-07-21-0070
        ("أعلنت السلطات الأمنية في السعودية أمس، القبض على 431 إرهابيا من جنسيات مختلفة", "Arrests"),
        # snn-2015-07-21-0088
        ("أكد أكثر من مصدر في لبنان اختطاف 5 مواطنين تشيكيين وسائقهم اللبناني", "Abduction/forced disappearance"),
        # snn-2015-07-21-1640
        (
            "قتل 6 من المدنيين وأصيب آخرون، في قصف مدفعي للحوثيين على منطقة دار سعد في عدن",
            "Shelling/artillery/missile attack",
        ),
        # snn-2015-07-21-0056
        ("استهداف دورية خاصة للمسلحين الحوثيين أمام مبنى إدارة الأمن بقنبلة يدوية", "Grenade"),
        # snn-2015-07-21-0043
        ("أطلقت الشرطة التركية الغاز المسيل للدموع على عدة آلاف من الأشخاص تجمعوا للتظاهر", "Peaceful protest"),
    ],
)
def test_strong_trigger_on_real_sentence(sentence: str, sub: str) -> None:
    assert sub in _subs(sentence, weak=False)


def test_protest_intervention_word_is_found() -> None:
    # snn-2015-07-21-0043: police tear gas on a protest
    subs = _subs("أطلقت الشرطة التركية الغاز المسيل للدموع على عدة آلاف من الأشخاص تجمعوا في إسطنبول للتظاهر")
    assert "Protest with intervention" in subs


@pytest.mark.parametrize(
    "sentence",
    [
        # snn-2015-07-21-0039: "restored embassy status" is not a recapture
        "كما استعادت شعبة المصالح الاميركية في هافانا وضع السفارة اليوم",
        # "families" (الأسر) is not captivity
        "وتوزيع المساعدات على الأسر المحتاجة في المدينة",
    ],
)
def test_look_alikes_are_weak_or_absent(sentence: str) -> None:
    assert _subs(sentence, weak=False) == []


def test_every_trigger_subtype_is_in_the_taxonomy() -> None:
    from marsad.events.lexicon import trigger_matcher
    from marsad.model import SUB_TO_TYPE

    matcher = trigger_matcher()
    subs = {e.payload.sub_event_type for lst in matcher._exact.values() for e in lst}
    assert subs <= set(SUB_TO_TYPE)
    assert len(subs) >= 20


@pytest.mark.parametrize(
    ("sentence", "published", "expected"),
    [
        # snn-2015-08-09-0985: who holds Sanaa is a state of affairs, not a takeover
        ("ووصل بيتر ماور الى صنعاء التي يسيطر عليها المتمردون الحوثيون الذين استقبلوه في المطار.", "2015-08-09", []),
        # snn-2015-08-09-0774: who holds the building is no takeover (alone, the bare "القصف" makes no
        # event either: in its article it is the shelling told before)
        (
            "وأضاف مصدر مسؤول أن القصف استهدف مبنى مكافحة الملاريا، في مديرية حيس جنوب الحديدة، الذي يسيطر عليه "
            "الإرهابيون ويتخذونه مركزا لإدارة عملياتهم.",
            "2015-08-09",
            [],
        ),
        # snn-2015-08-02-0757: the fighting is the act; the Houthis' holding of the buildings is not
        (
            "ويخوض الثوار في الوقت الحالي اشتباكات عنيفة مع عناصر تابعة لميليشيا الحوثي التي تسيطر على مبان سكنية "
            "بمديرية دار سعد، شمال عدن، التي تؤدي إلى المدينة الخضراء، مركز القيادة والعمليات للمتمردين.",
            "2015-08-02",
            ["Armed clash"],
        ),
        # snn-2015-07-22-1656: air strikes on a town "under the control of" IS: the strikes only
        (
            "كما قتل 26 شخصا في غارات شنتها طائرات النظام السوري على مدينة منبج بريف حلب الشرقي بعد يوم من قصف "
            "مماثل على هذه المدينة الواقعة تحت سيطرة تنظيم داعش.",
            "2015-07-22",
            ["Air/drone strike"],
        ),
    ],
)
def test_a_standing_state_names_no_act(sentence: str, published: str, expected: list[str]) -> None:
    assert [e.sub_event_type for e in _events(sentence, published)] == expected


@pytest.mark.parametrize(
    ("sentence", "published", "agreement"),
    [
        # snn-2015-07-21-0136: signed ("وقعت ... اتفاق سلام")
        (
            "يذكر أنه وقعت جماعات انفصالية مسلحة وحكومة مالي اتفاق سلام في يونيو (حزيران) يهدف الى وقف الانتفاضات "
            'في شمال البلاد، لكن بعض الجماعات ومنها جماعة "أنصار الدين" لم تكن ضمن الجماعات الموقعة.',
            "2015-07-21",
            True,
        ),
        # snn-2015-07-21-2140: brokered ("التوسط في اتفاق لوقف إطلاق النار")
        (
            "وهدأت الهجمات منذ التوسط في اتفاق لوقف إطلاق النار في مينسك عاصمة روسيا البيضاء قبل خمسة أشهر ولكن "
            "الجانبين يتبادلان الاتهامات بوقوع انتهاكات.",
            "2015-07-21",
            True,
        ),
        # snn-2015-08-06-2315: a call for a ceasefire agrees nothing
        (
            "وجدد مبعوث الأمم المتحدة إلى اليمن اسماعيل ولد الشيخ أحمد اليوم الثلاثاء دعوته لوقف إطلاق النار على "
            "الفور وفقا لخطة تتضمن انسحاب الحوثيين من المدن الرئيسية لتفسح المجال أمام عودة الحكومة من الخارج.",
            "2015-08-06",
            False,
        ),
        # snn-2015-08-10-1225: a truce breached is the shelling, not an agreement
        (
            "وتجدد القتال في محيط داريا، في حين قال ناشطون: إن قوات النظام خرقت الهدنة القائمة بين النظام وبين "
            "معضمية الشام القريبة من داريا، حيث قصفتها بمدافع الهاون مما أسفر عن جرح عدد من الأشخاص.",
            "2015-08-10",
            False,
        ),
    ],
)
def test_a_truce_is_an_event_when_agreed(sentence: str, published: str, agreement: bool) -> None:
    subs = [e.sub_event_type for e in _events(sentence, published)]
    assert ("Agreement" in subs) is agreement, subs


@pytest.mark.parametrize(
    ("sentence", "published", "expected"),
    [
        # snn-2015-07-27-0142: tanks destroyed in a counter-attack are the fight's, not property destruction
        (
            "ميدانيا، قال ناشطون إن قوات المعارضة شنت هجوما مضادا، حيث «تمكن ثوار الزبداني من تدمير ثلاث دبابات "
            "بينما اغتنموا اثنتين بالإضافة إلى سبع آليات من سلاح النظام الثقيل».",
            "2015-07-27",
            ["Armed clash"],
        ),
        # snn-2015-08-08-1138: "اشتباكات ... أسفرت عن تدمير عدة دبابات" is the clash
        (
            "أعلنت قوات المعارضة السورية عن تقدمها في ريف حماة امس، وأعلن جيش الفتح -والذي يتكون من فصائل معارضة "
            "لنظام بشار الاسد- عن سيطرته على قريتي المشيك والقرقور وتل القرقور في سهل الغاب بريف حماة الغربي، بعد "
            "اشتباكات مع قوات الأسد أسفرت عن تدمير عدة دبابات وآليات عسكرية لها، ومقتل العشرات من عناصرها، بينهم "
            "مرافق قائد عملياتها العسكرية في المنطقة، فيما قتل 3 من قوات المعارضة.",
            "2015-08-08",
            ["Armed clash"],
        ),
        # snn-2015-08-02-0961: fortifications "at their positions" (نقاط تمركزها) are no base established
        (
            "وجاء في البيان، أن فصائل غرفة العمليات دمرت ثلاث دبابات لقوات النظام ومدفعين عيار 23، إضافة لتدمير "
            "تحصينات لقوات النظام في نقاط تمركزها على جبهة المدفعية والفاميلي هاوس ومزارع الأوبري بحي الراشدين.",
            "2015-08-02",
            [],
        ),
        # snn-2015-07-25-1512 (held-out proxy A): a count between the word and the vehicles
        ("وتمكنت القوات من تدمير أكثر من 16 آلية لمليشيات الحوثي.", "2015-07-25", []),
        # snn-2015-07-21-0234: "تدمير «داعش»" is defeating the group
        (
            "وبالطبع، يحتاج هذا الخيار أولا إلى تدمير «داعش»، وثانيا إلى أن تسير «جبهة النصرة» مع التيار السائد.",
            "2015-07-21",
            [],
        ),
        # looting proper stays
        (
            "وقبل إطلاق النار بساعات قامت مجموعة من الشبان بنهب متجرين في سانت لويس.",
            "2015-07-21",
            ["Looting/property destruction"],
        ),
    ],
)
def test_destroyed_arms_are_the_fight_not_property_destruction(
    sentence: str, published: str, expected: list[str]
) -> None:
    assert [e.sub_event_type for e in _events(sentence, published)] == expected


@pytest.mark.parametrize("key", ["needs_cue", "unless_after"])
def test_a_rule_naming_an_unknown_cue_family_is_refused(monkeypatch: pytest.MonkeyPatch, key: str) -> None:
    from marsad.events import lexicon

    real = lexicon.load_yaml

    def fake(name: str) -> object:
        if name == "events/triggers.yaml":
            return [{"sub_event_type": "Agreement", key: "agreing", "patterns": ["هدنة"]}]
        return real(name)

    monkeypatch.setattr(lexicon, "load_yaml", fake)
    with pytest.raises(
        ValueError, match=f"triggers.yaml: 'Agreement' {key} 'agreing' is not a family of events/cues.yaml"
    ):
        lexicon.trigger_matcher.__wrapped__()
