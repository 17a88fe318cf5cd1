""" "على حدودها مع باكستان" said of India: "حدودها مع" is a border word, and with no border area
listed for the pair the event is on the side of the country the sentence names, not the neighbour.

A real sentence from SaudiNewsNet (id cited); the corpus is non-commercial, so it lives in the
tests only.
"""

from __future__ import annotations

import datetime as dt

from marsad.model import Article
from marsad.pipeline import Pipeline
from tests.geo.test_anaphora import resolved_at


def test_own_border_with_a_neighbour(tag) -> None:
    # snn-2015-07-27-1136
    text = 'شددت الهند ، إجراءات الأمن على حدودها مع باكستان ، بعد هجوم وقع ، اليوم الاثنين ، على مركز للشرطة في ولاية "البنجاب".'
    assert resolved_at(tag(text), "باكستان").role == "border"
    events = Pipeline.default()(Article(id="t", text=text, published=dt.date(2015, 7, 27))).events
    assert events and all(e.location is not None and e.location.country == "IN" for e in events), events
