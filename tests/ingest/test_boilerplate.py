"""Each furniture pattern on lines as scraped from real Arabic news sites; kept lines stay verbatim."""

from __future__ import annotations

import pytest

from marsad.ingest.boilerplate import LineLearner, clean_text, drop_reason, line_key

BODY = (
    "باتت القوات الموالية لحكومة الوفاق الليبية على اعتاب  دحر تنظيم  داعش الارهابي من معقله في مدينة سرت "
    "الساحلية بعد أن نجحت في السيطرة على آخر جيب للتنظيم المتطرف في المدينة."
)


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("الرئيسية / دولي / القوات الليبية على اعتاب تحرير سرت بالكامل", "breadcrumb"),
        ("الرئيسية » أخبار » عربي ودولي", "breadcrumb"),
        ("الصفحة الرئيسية | فيديو | الشرق الأوسط | العالم | اقتصاد | منوعات", "breadcrumb"),
        ("Total", "share"),
        ("مشاركة", "share"),
        ("Total 0 مشاركة", "share"),
        ("شارك على فيسبوك", "share"),
        ("فيسبوك | تويتر | واتساب", "share"),
        ("أضف تعليقك", "prompts"),
        ("الوسوم: ليبيا داعش سرت", "prompts"),
        ("© 2013 Cable News Network. Turner Broadcasting System, Inc. All Rights Reserved.", "prompts"),
        ("جميع الحقوق محفوظة لموقع الموعد 2016", "prompts"),
        ("elmaouid", "site_name"),
        ("Next Previous", "prompts"),
        ("رابط الخبر بصحيفة الوئام: مدني مكة يرفع جاهزيته تحسبا لهطول الأمطار", "footer"),
        ("// انتهى //", "footer"),
        ("17:17 ت م", "footer"),
        ("للتواصل مع الكاتب ارسل رسالة SMS", "footer"),
        ("صور خاصة بشركة بوبا", "footer"),
        ("الأربعاء، 28 آب/اغسطس 2013، آخر تحديث 14:00 (GMT+0400)", "policy"),
        ("الآراء الواردة أدناه لا تعبر عن رأي موقع CNN بالعربية، بل تعكس وجهات نظر أصحابها فقط.", "policy"),
    ],
)
def test_furniture_lines(line: str, kind: str) -> None:
    assert drop_reason(line) == kind


@pytest.mark.parametrize(
    "line",
    [
        BODY,
        "هزيمة تنظيم الدولة",  # a subheading inside the article body
        'وقال الوزير "لقد اتفقت خلال اجتماعاتي في واشنطن على تشكيل فريق مشترك".',
        "مقتل البغدادي بسوريا !",
        "الأفريكوم: الحرب على طرابلس قد تتيح الفرصة لعودة الإرهابيين إلى ليبيا",
        # Lines that look like furniture words but are news text (from the SaudiNewsNet corpus).
        "شارك في المواجهات العسكرية لتحرير أبين، وفقًا لمصادر عسكرية يمنية.",
        "«جيش الإسلام» و«النصرة» يطوقان خلافاتهما في الغوطة الشرقية باتفاق مشترك",
        "سجل فيليب كوتينيو هدفا بتسديدة مباغتة في آخر المباراة ليمنح ليفربول الفوز",
        "طوكيو 26 شوال 1436 هـ الموافق 11 أغسطس 2015 م واس",
        "DVD",
        "Danny Collins",
    ],
)
def test_body_lines_kept(line: str) -> None:
    assert drop_reason(line) is None


def test_site_name_from_source() -> None:
    assert drop_reason("أخبار الآن | ليبيا – (وكالات)", source="أخبار الآن") == "site_name"
    assert drop_reason("Akhbar Al Aan", source="Akhbar Al Aan") == "site_name"
    assert drop_reason(BODY, source="elmaouid") is None


def test_related_block_dropped_with_its_headlines() -> None:
    text = "\n".join(
        [
            BODY,
            "",
            "اقرأ أيضا:",
            "ليبيا تدعو روسيا إلى التعاون المشترك في الحرب على الإرهاب",
            "الإرهاب في ليبيا على طاولة مباحثات أمريكا ودول غرب أوروبا",
            "",
            "وتتحرك فلول تنظيم داعش في المناطق الصحراوية والأودية الممتدة من صحراء سرت وحتى بني وليد.",
        ]
    )
    out = clean_text(text)
    assert "اقرأ أيضا" not in out
    assert "ليبيا تدعو روسيا" not in out
    assert "طاولة مباحثات" not in out
    assert out.endswith("وتتحرك فلول تنظيم داعش في المناطق الصحراوية والأودية الممتدة من صحراء سرت وحتى بني وليد.")


def test_bare_numbers_kept_unless_share_counters() -> None:
    numbered = BODY + "\n1\n" + BODY + "\n3601100204"
    assert clean_text(numbered) == numbered
    assert clean_text(BODY + "\nTotal\n12\nمشاركة") == BODY


def test_dev_style_footer() -> None:
    text = BODY + "\n\nTotal\n0\nمشاركة\nمقالات ذات صلة"
    assert clean_text(text) == BODY


def test_kept_lines_are_verbatim() -> None:
    """Cleaning only drops lines: each kept line is byte-for-byte a line of the input."""
    raw = "الرئيسية / دولي / عناصر داعش تبدأ في الرحيل من ليبيا\nelmaouid\n\n  " + BODY + "  \n\n\nTotal\n0\nمشاركة"
    out = clean_text(raw, source="elmaouid")
    assert out == "  " + BODY + "  "
    for line in out.split("\n"):
        assert line in raw.split("\n")


def test_datelines_are_never_learned() -> None:
    """A wire dateline repeats across a day's stories, but the extractor dates events from it."""
    learner = LineLearner()
    dateline = "الرياض 26 شوال 1436 هـ الموافق 11 أغسطس 2015 م واس"
    for i in range(20):
        learner.observe("was", f"{dateline}\n{BODY} {i}\n// انتهى //")
    assert line_key(dateline) not in learner.learned("was")
    assert line_key("// انتهى //") in learner.learned("was")


def test_learned_lines_per_source() -> None:
    learner = LineLearner()
    footer = "تابع آخر الأخبار العاجلة على قناة الموقع الرسمية"
    for i in range(6):
        learner.observe("site-a", f"{BODY} {i}\n{footer}")
    assert line_key(footer) in learner.learned("site-a")
    assert learner.learned("site-b") == set()
    assert clean_text(f"{BODY}\n{footer}", "site-a", learner.learned("site-a")) == BODY
    # Lines of each article itself are not learned from one or two articles.
    assert line_key(BODY + " 0") not in learner.learned("site-a")
