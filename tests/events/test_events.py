"""Events from real news sentences (SaudiNewsNet corpus ids in comments), end to end.

Each case names what an ACLED coder would write: the sub-type, the actors (by a word of the
canonical English name), the country, and the fatalities. Negative cases must give no event.
"""

from __future__ import annotations

import datetime as dt

import pytest

from marsad.model import Article, EventOut
from marsad.pipeline import Pipeline


def _events(text: str, published: str | None = "2015-07-21") -> list[EventOut]:
    art = Article(id="t", text=text, published=dt.date.fromisoformat(published) if published else None)
    return Pipeline.default()(art).events


def _one(text: str, published: str | None = "2015-07-21") -> EventOut:
    events = _events(text, published)
    assert len(events) == 1, [e.model_dump(exclude_none=True) for e in events]
    return events[0]


def _name(actor: object) -> str:
    return getattr(actor, "name", "") or ""


def test_coalition_air_strikes_on_houthis() -> None:
    # snn-2015-07-21-0053
    ev = _one(
        "وفي غضون ذلك شن طيران التحالف العربي ظهر أمس عدة غارات جوية استهدفت مواقع تسيطر عليها جماعة "
        "أنصار الله الحوثية مدعومة بقوات عسكرية موالية للرئيس اليمني السابق علي عبد الله صالح، في محافظة صعدة شمالي اليمن."
    )
    assert ev.sub_event_type == "Air/drone strike"
    assert _name(ev.actor1) == "Operation Restoring Hope"  # ACLED's name for the Saudi-led coalition
    assert "Ansar Allah" in _name(ev.actor2) or "Houthi" in _name(ev.actor2)
    assert ev.location and ev.location.country == "YE"
    assert ev.date == "2015-07-20"


def test_houthi_shelling_kills_civilians() -> None:
    # snn-2015-07-21-1640
    ev = _one("من جهة أخرى قتل 6 من المدنيين وأصيب آخرون، في قصف مدفعي للحوثيين على منطقة دار سعد في عدن جنوبي البلاد.")
    assert ev.sub_event_type == "Shelling/artillery/missile attack"
    assert "Ansar Allah" in _name(ev.actor1) or "Houthi" in _name(ev.actor1)
    assert "Civilians" in _name(ev.actor2)
    assert ev.fatalities == 6
    assert ev.location and ev.location.country == "YE" and ev.location.name == "Aden"


def test_ied_kills_two_soldiers_reported() -> None:
    # snn-2015-07-21-2246
    ev = _one(
        "وقالت المصادر ذاتها، أن جنديين عراقيين قتلا وأصيب اثنان آخران في تفجير عبوة ناسفة استهدفت عربتهم "
        "في منطقة البوسودة شمال شرق الفلوجة."
    )
    assert ev.sub_event_type == "Remote explosive/landmine/IED"
    assert "Military Forces of Iraq" in _name(ev.actor2)
    assert (ev.fatalities, ev.injuries) == (2, 2)
    assert ev.modality == "reported"
    assert ev.location and ev.location.country == "IQ"


def test_sinai_attack_on_security_forces() -> None:
    # snn-2015-07-21-2700 (sabq, from Reuters)
    ev = _one(
        "قالت مصادر أمنية إن خمسة أفراد من قوات الأمن المصرية قُتلوا في هجوم نفذه من يشتبه بأنهم إرهابيون، "
        "على نقاط تفتيش في شمال سيناء يوم السبت."
    )
    assert ev.event_type == "Battles"
    assert "Egypt" in _name(ev.actor2)
    assert ev.fatalities == 5
    assert ev.location and ev.location.country == "EG"
    assert ev.date == "2015-07-18"


def test_shabaab_kill_five_in_kenya() -> None:
    # snn-2015-07-21-0137
    ev = _one(
        "وأعلنت أمس الشرطة الكينية أن مقاتلين يشتبه بأنهم ينتمون إلى حركة الشباب قتلوا خمسة أشخاص "
        "في هجوم على آلية للشرطة شمال الساحل الكيني."
    )
    assert "Shabaab" in _name(ev.actor1)
    assert ev.fatalities == 5
    assert ev.location and ev.location.country == "KE"


def test_mass_arrest_in_saudi_arabia() -> None:
    # snn-2015-07-21-0070
    ev = _one(
        "أعلنت السلطات الأمنية في السعودية أمس، القبض على 431 إرهابيا من جنسيات مختلفة، خلال الأسابيع الماضية، "
        "ينتمون إلى تنظيم داعش يدار من المناطق المضطربة ويستهدف السعودية، عبر خلايا عنقودية."
    )
    assert ev.sub_event_type == "Arrests"
    assert "Police Forces of Saudi Arabia" in _name(ev.actor1)
    assert "Islamic State" in _name(ev.actor2)
    assert ev.fatalities is None  # 431 arrested, not killed


def test_protest_in_baghdad() -> None:
    # snn-2015-08-08-1282
    ev = _events(
        "تظاهر آلاف العراقيين أمس في بغداد وست محافظات في جنوب البلاد احتجاجا على الفساد المالي والإداري "
        "ونقص الخدمات الأساسية خصوصا الكهرباء.",
        "2015-08-08",
    )[0]
    assert ev.sub_event_type == "Peaceful protest"
    assert "Protesters" in _name(ev.actor1)
    assert ev.location and ev.location.country == "IQ"


def test_two_dates_make_two_events() -> None:
    # The SCHEMA.md rule: "19 killed in two air strikes on 19 and 24 September" is two events,
    # each without fatalities since the text does not split the 19.
    events = _events(
        "وقالت القيادة الأمريكية في أفريقيا إن 19 عنصرا من تنظيم الدولة قتلوا في غارتين جويتين "
        "بمحيط مرزق في 19 سبتمبر و24 من سبتمبر.",
        "2019-10-28",
    )
    assert [e.date for e in events] == ["2019-09-19", "2019-09-24"]
    assert all(e.fatalities is None and e.sub_event_type == "Air/drone strike" for e in events)


@pytest.mark.parametrize(
    "sentence",
    [
        # snn-2015-07-21-0039: diplomacy, not a recapture
        "كما استعادت شعبة المصالح الاميركية في هافانا وضع السفارة اليوم على ان تجري مراسم رفع العلم.",
        # snn-2015-07-21-0341: a threat, not an assassination
        "بعد حين يصبح معرضًا للاغتيال إذا ما توقف عن التحقيق.",
        # snn-2015-07-21-0012: "pretending" (التظاهر) is not a protest
        "بدوره، يسعى الرئيس الإيراني حسن روحاني إلى التظاهر بالانفتاح على المنطقة.",
        # seed-style warning: a forecast is a statement, never an event
        "حذر وزير الدفاع الفرنسي من أن الإرهابيين في تنظيم داعش قد يتوجهون إلى تونس ومصر بعد طردهم من ليبيا.",
        # snn-2015-07-21-0333: a precaution against ambushes
        "كما تزود هذه السيارات بخرائط طوارئ إلكترونية للهرب في حال التعرض لكمين.",
        # denial
        "ونفى المتحدث باسم الجيش أن تكون قواته قد قصفت أي مواقع مدنية في المدينة.",
        # snn-2015-08-08-0578 (held-out proxy A): reports of the act called untrue after it
        "من جهتها قالت السفارة الروسية في باماكو أمس: إن التقارير التي أفادت بخطف ثلاثة طيارين روس في وسط مالي "
        "غير صحيحة.",
        # snn-2015-08-01-1019: a denial told by the participle ("نافية")
        'لكن وزارة الدفاع الأمريكية (البنتاجون) شككت في التقرير نافية أسر أو اعتقال أي من أفراد "القوة السورية الجديدة".',
        # snn-2015-07-25-0221 (held-out proxy A): forces preparing ("يتأهبون") for an offensive
        "وتركز قوات أمن وميليشيات أنظارها في الوقت الراهن على محافظة الأنبار الغربية - وهي أكبر محافظات العراق - حيث "
        "يتأهبون لهجوم يستهدف استعادة المحافظة من أيدي الجماعات المتطرفة.",
    ],
)
def test_no_event(sentence: str) -> None:
    assert _events(sentence) == []


def test_a_bare_mention_joins_the_bombing_it_names_again() -> None:
    # snn-2015-08-11-0372: "ونسب الهجوم ..." (no date, no town, no toll) goes back to the Istanbul
    # car bomb told just before; the bombing, with its own date and town, stays the event. Far from
    # it (700 characters, as in a list of past attacks, snn-2015-07-22-0376) it is another act.
    from marsad.events.builder import _dedupe

    bomb = _one(
        "وقالت الشرطة إنه في الجانب الآخر من إسطنبول استخدمت مركبة محملة بالمتفجرات في هجوم على مركز للشرطة مساء الأحد.",
        published="2015-08-11",
    )
    bare = _one("ونسب الهجوم الى متمردي حزب العمال الكردستاني، وفق ما نقلت وسائل إعلام محلية.", published="2015-08-11")
    assert bare.sub_event_type == "Attack" and bare.date is None
    assert bare.location is not None and bare.location.precision == "country" and bare.location.country == "TR"

    def after(gap: int) -> EventOut:
        start = bomb.evidence_end + gap  # type: ignore[operator]
        return bare.model_copy(update={"evidence_start": start, "evidence_end": start + 80})

    near, far = after(20), after(700)
    (joined,) = _dedupe([bomb, near], {id(near)})
    assert joined.sub_event_type == "Remote explosive/landmine/IED" and joined.date == "2015-08-09"
    assert joined.evidence == bomb.evidence
    (joined,) = _dedupe([near, bomb], {id(near)})  # told first, the bare mention gives way
    assert joined.evidence == bomb.evidence and joined.location == bomb.location
    assert len(_dedupe([bomb, far], {id(far)})) == 2


def test_an_untrue_word_that_is_not_about_reports_denies_nothing() -> None:
    # snn-2015-08-04-0148: "اعترافات غير صحيحة" (false confessions) does not deny the torture
    events = _events(
        "أظهرت مقاطع فيديو مسرب من داخل سجن الهضبة بالعاصمة الليبية طرابلس تعرض عدد من المعتقلين بداخله وعلى "
        "رأسهم الساعدي النجل الثالث للعقيد الراحل معمر القذافي للتعذيب، بهدف إجبارهم على الإدلاء باعترافات غير صحيحة.",
        published="2015-08-04",
    )
    assert events, "the torture of the detainees is an event"


def test_an_act_named_again_after_tati_is_no_event_but_the_one_it_follows_is() -> None:
    # snn-2015-08-06-2312: "تأتي هذه الغارات بعد ..." names the article's air strikes again; the
    # recapture of Lahj it follows is an event of its own (cues.yaml: restating)
    events = _events(
        "تأتي هذه الغارات بعد أن تمكن الجيش الوطني اليمني والمقاومة الشعبية من استعادة السيطرة على محافظة لحج "
        "لتصبح المحافظة الثالثة المحررة بعد الضالع وعدن.",
        "2015-08-06",
    )
    subs = [e.sub_event_type for e in events]
    assert "Air/drone strike" not in subs and len(subs) == 1 and subs[0].endswith("territory")
