"""Statements that are not events, on real news sentences (SaudiNewsNet corpus ids in comments)."""

from __future__ import annotations

from marsad.model import Article, Doc
from marsad.pipeline import Pipeline


def _doc(text: str) -> Doc:
    return Pipeline.default()(Article(id="t", text=text, published="2015-07-21"))


def _kinds(text: str) -> list[str]:
    return [s.kind for s in _doc(text).statements]


def test_warning_of_returning_fighters_is_no_event() -> None:
    # snn-2015-07-21-0224, with the group named in the sentence before
    doc = _doc(
        "وكان تنظيم داعش قد تبنى الهجوم على الفندق في سوسة.\n"
        "وحذر بعضهم من أن عناصر التنظيم سيعودون لشن هجمات في تونس إحدى أكثر الدول العربية علمانية."
    )
    assert "warning" in [s.kind for s in doc.statements]
    assert all("سيعودون" not in e.evidence for e in doc.events)


def test_strength_estimate_is_not_a_toll() -> None:
    # snn-2015-07-21-0459
    doc = _doc(
        "ويقول ميزاب أيضا إن عدد العناصر الإرهابية التابعة لداعش ليبيا يقدر بين 4500 و5 آلاف مقاتل "
        "بينهم ألف من الليبيين والباقي أجانب وعرب."
    )
    assert [s.kind for s in doc.statements] == ["estimate"]
    assert doc.statements[0].about is not None and "Islamic State" in doc.statements[0].about.name
    assert doc.events == []


def test_claim_of_responsibility() -> None:
    # snn-2015-07-21-2700
    kinds = _kinds(
        "قالت مصادر أمنية إن خمسة أفراد من قوات الأمن المصرية قتلوا في هجوم على نقاط تفتيش في شمال سيناء.\n"
        'وأعلنت جماعة "ولاية سيناء" جناح تنظيم "داعش" في مصر في بيان على "تويتر" مسؤوليتها عن الهجوم.'
    )
    assert "claim" in kinds


def test_resolution_adopted_is_no_claim() -> None:
    # snn-2015-07-21-0113: تبنى = adopted (a resolution), in an article that names an armed group
    kinds = _kinds(
        "وتواصل قوات التحالف غاراتها على مواقع تنظيم داعش.\n"
        "تبنى مجلس الأمن الدولي أمس، قرارا بالإجماع يصادق على الاتفاق النووي المبرم بين إيران والقوى الكبرى."
    )
    assert "claim" not in kinds


def test_pledge_of_allegiance() -> None:
    # snn-2015-07-27-1199
    kinds = _kinds(
        "ويتبنى معظم هذه الهجمات تنظيم أنصار بيت المقدس الذي اصبح يسمي نفسه ولاية سيناء بعد مبايعته تنظيم داعش في نوفمبر 2014."
    )
    assert "pledge" in kinds


def test_state_of_emergency_is_an_alert() -> None:
    # snn-2015-07-21-0274
    kinds = _kinds(
        "وجاءت الإجراءات بعد الهجوم الإرهابي الذي نفذه مسلح تابع لتنظيم داعش على فندق في سوسة.\n"
        "ومن تلك الإجراءات إعلان حالة الطوارئ لمدة شهر وتسخير 100 ألف عسكري وأمني لتعزيز حماية المؤسسات السياحية "
        "وحدود تونس مع ليبيا والجزائر."
    )
    assert "alert" in kinds


def test_denied_shelling_is_a_denial_not_an_event() -> None:
    # snn-2015-07-31-0344 (first clause)
    doc = _doc("من جهة أخرى، نفت أنقرة اتهامات وحدات الحماية الكردية السورية بقصف الجيش التركي مواقعها في قرية حدودية.")
    assert [s.kind for s in doc.statements] == ["denial"]
    assert doc.events == []


def test_security_agreement() -> None:
    # snn-2015-07-31-0401
    kinds = _kinds(
        "وتشن تركيا غارات على مواقع تنظيم داعش في سوريا.\n"
        "إلى ذلك، قال دبلوماسي صيني كبير إن القيادتين الصينية والتركية اتفقتا أمس على تعزيز التعاون في مكافحة الإرهاب."
    )
    assert "agreement" in kinds


def test_press_conference_is_no_meeting() -> None:
    # snn-2015-07-22-0839
    kinds = _kinds('وقال المسؤول التركي في مؤتمر صحافي عقده في أنقرة "أن الانفجار هو اعتداء انتحاري قام به داعش".')
    assert "meeting" not in kinds


def test_no_statements_outside_conflict_news() -> None:
    # A trade visit and an agreement with no armed group and no violence: nothing to report.
    kinds = _kinds("زار وزير التجارة الصيني الرياض أمس ووقع اتفاقية لتعزيز التبادل التجاري بين البلدين.")
    assert kinds == []
