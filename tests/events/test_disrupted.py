"""A bomb found or made safe is a disrupted weapons use, not a blast (cues.yaml: disarmed)."""

from __future__ import annotations

import datetime as dt

import pytest

from marsad.model import Article
from marsad.pipeline import Pipeline


def _subs(text: str) -> list[str]:
    art = Article(id="t", text=text, published=dt.date(2015, 7, 27))
    return [e.sub_event_type for e in Pipeline.default()(art).events]


@pytest.mark.parametrize(
    "sentence",
    [
        # snn-2015-07-22-1292 (headline): "إبطال مفعول"
        "إبطال مفعول عبوة ناسفة قرب مبنى حزب العدالة والتنمية في أنقرة",
        # snn-2015-08-10-1068: "عثرت" after the bombs, "فجرت" (detonated them) before
        "في المقابل، فجرت قوات الأمن سبع عبوات ناسفة عثرت عليها خلال الحملة الأمنية التي قامت بها جنوب الشيخ زويد.",
        # snn-2015-07-31-1845: "عثر على", then "تفكيكها"
        "وذكرت مصادر خاصة لـ(عكاظ) أنه أثناء تمشيط الشريط الحدودي عثر على عبوات ناسفة تم تجهيزها ككمين بالقرب "
        "من الحدود، وبعد التأكد من وضعها تم فحصها من سلاح المهندسين وتفكيكها وإبطال مفعولها.",
        # snn-2015-07-24-0761: "العثور على"
        "وأعلنت مصادر أمنية في صنعاء عن العثور على سيارة مفخخة في شارع الستين وإبطال مفعول المتفجرات في داخلها.",
    ],
)
def test_a_bomb_found_or_defused_is_disrupted(sentence: str) -> None:
    assert _subs(sentence) == ["Disrupted weapons use"]


def test_a_blast_stays_a_blast_beside_a_bomb_defused_elsewhere() -> None:
    # snn-2015-07-26-0104 (the bomb defused) and snn-2015-08-10-0558 (a blast): "عثر" is by the first only
    text = (
        "ورجح مسؤول أمني محلي أن يكون التفجير قد تم عن بعد، مشيرا إلى أن قوات الأمن نجحت في إبطال مفعول عبوة "
        "أخرى عثر عليها في موقع الانفجار.\nشهدت شمال سيناء أمس الاحد استنفاراً أمنياً للبحث عن المتورطين في مقتل "
        "ضابط ومجند وإصابة 3 آخرين في انفجار عبوة ناسفة بمدرعة تابعة لقوات الشرطة."
    )
    subs = _subs(text)
    assert "Remote explosive/landmine/IED" in subs and "Disrupted weapons use" in subs
