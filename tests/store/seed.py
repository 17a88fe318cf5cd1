"""Real-looking Arabic news articles with the events a reviewer would code from them.

The tests seed their databases through the store API (`Store.save`), not through the pipeline,
so they do not depend on how many events extraction finds today.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from marsad.model import ActorOut, Article, EventOut, LocationOut
from marsad.pipeline import Pipeline
from marsad.store.db import Store

# (article, [(evidence sentence, event fields)])
ARTICLES: list[tuple[dict[str, Any], list[tuple[str, dict[str, Any]]]]] = [
    (
        {
            "id": "sy-idlib-1",
            "source": "عنب بلدي",
            "url": "https://example.org/sy-idlib-1",
            "published": "2024-03-04",
            "title": "غارة جوية على سوق في إدلب",
            "text": "قتل 12 مدنيا وأصيب 20 آخرون في غارة جوية استهدفت سوقا شعبيا في مدينة إدلب شمال غربي "
            "سوريا صباح الإثنين. وقال الدفاع المدني إن فرقه انتشلت الضحايا من تحت الأنقاض.",
        },
        [
            (
                "قتل 12 مدنيا وأصيب 20 آخرون في غارة جوية استهدفت سوقا شعبيا "
                "في مدينة إدلب شمال غربي سوريا صباح الإثنين.",
                {
                    "event_type": "Explosions/Remote violence",
                    "sub_event_type": "Air/drone strike",
                    "date": "2024-03-04",
                    "actor1": ("Military Forces of Russia", "طائرات حربية"),
                    "actor2": ("Civilians (Syria)", "مدنيا"),
                    "location": ("Idlib", "إدلب", "SY", "Idlib", 35.93, 36.63),
                    "fatalities": 12,
                    "injuries": 20,
                },
            )
        ],
    ),
    (
        {
            "id": "ly-sirte-1",
            "source": "بوابة الوسط",
            "url": "https://example.org/ly-sirte-1",
            "published": "2024-03-11",
            "title": "اشتباكات في سرت",
            "text": "اندلعت اشتباكات عنيفة بين قوات الجيش الليبي ومسلحين في مدينة سرت أسفرت عن مقتل خمسة "
            "عناصر. وأكد مصدر عسكري أن الوضع تحت السيطرة.",
        },
        [
            (
                "اندلعت اشتباكات عنيفة بين قوات الجيش الليبي ومسلحين في مدينة سرت أسفرت عن مقتل خمسة عناصر.",
                {
                    "event_type": "Battles",
                    "sub_event_type": "Armed clash",
                    "date": "2024-03-10",
                    "actor1": ("Libyan National Army", "قوات الجيش الليبي"),
                    "actor2": ("Unidentified Armed Group (Libya)", "مسلحين"),
                    "location": ("Sirte", "سرت", "LY", "Surt", 31.21, 16.59),
                    "fatalities": 5,
                },
            )
        ],
    ),
    (
        {
            "id": "iq-tarmiyah-1",
            "source": "السومرية نيوز",
            "url": "https://example.org/iq-tarmiyah-1",
            "published": "2024-03-20",
            "title": "عبوة ناسفة تستهدف دورية في الطارمية",
            "text": "انفجرت عبوة ناسفة بدورية للجيش العراقي في قضاء الطارمية شمال بغداد ما أدى إلى مقتل "
            "جنديين وإصابة ثلاثة آخرين. وتبنى تنظيم داعش الهجوم في بيان.",
        },
        [
            (
                "انفجرت عبوة ناسفة بدورية للجيش العراقي في قضاء الطارمية شمال بغداد "
                "ما أدى إلى مقتل جنديين وإصابة ثلاثة آخرين.",
                {
                    "event_type": "Explosions/Remote violence",
                    "sub_event_type": "Remote explosive/landmine/IED",
                    "date": "2024-03-20",
                    "actor1": ("Islamic State (Iraq)", "تنظيم داعش"),
                    "actor2": ("Military Forces of Iraq", "الجيش العراقي"),
                    "location": ("Tarmiyah", "الطارمية", "IQ", "Baghdad", 33.67, 44.39),
                    "fatalities": 2,
                    "injuries": 3,
                },
            )
        ],
    ),
    (
        {
            "id": "iq-tahrir-1",
            "source": "السومرية نيوز",
            "url": "https://example.org/iq-tahrir-1",
            "published": "2024-04-02",
            "title": "تظاهرة في ساحة التحرير",
            "text": "خرج آلاف المتظاهرين في ساحة التحرير وسط بغداد للمطالبة بتوفير فرص العمل وتحسين الخدمات.",
        },
        [
            (
                "خرج آلاف المتظاهرين في ساحة التحرير وسط بغداد للمطالبة بتوفير فرص العمل وتحسين الخدمات.",
                {
                    "event_type": "Protests",
                    "sub_event_type": "Peaceful protest",
                    "date": "2024-04-02",
                    "actor1": ("Protesters (Iraq)", "المتظاهرين"),
                    "location": ("Baghdad", "بغداد", "IQ", "Baghdad", 33.34, 44.40),
                    "fatalities": 0,
                },
            )
        ],
    ),
    (
        {
            "id": "ml-mopti-1",
            "source": "الجزيرة نت",
            "url": "https://example.org/ml-mopti-1",
            "published": "2024-04-15",
            "title": "اختطاف عمال إغاثة وسط مالي",
            "text": "اختطف مسلحون مجهولون ثلاثة عمال إغاثة على الطريق بين موبتي وسيفاري وسط مالي، "
            "بحسب ما أفادت به مصادر محلية. <script>alert('xss')</script> ولم تعلن أي جهة مسؤوليتها.",
        },
        [
            (
                "اختطف مسلحون مجهولون ثلاثة عمال إغاثة على الطريق بين موبتي وسيفاري وسط مالي",
                {
                    "event_type": "Violence against civilians",
                    "sub_event_type": "Abduction/forced disappearance",
                    "date": "2024-04-14",
                    "actor1": ("Unidentified Armed Group (Mali)", "مسلحون مجهولون"),
                    "actor2": ("Aid Workers (Mali)", "عمال إغاثة"),
                    "location": ("Mopti", "موبتي", "ML", "Mopti", 14.49, -4.20),
                    "fatalities": 0,
                },
            )
        ],
    ),
]


def make_doc(article: dict[str, Any], events: list[tuple[str, dict[str, Any]]]) -> Any:
    """A Doc for `article` carrying `events`, each with its evidence span in the stored text."""
    doc = Pipeline([]).make_doc(Article(**article))
    for evidence, f in events:
        start = doc.raw.index(evidence)
        loc = f.get("location")
        doc.events.append(
            EventOut(
                event_type=f["event_type"],
                sub_event_type=f["sub_event_type"],
                date=f.get("date"),
                actor1=ActorOut(name=f["actor1"][0], mention=f["actor1"][1]) if f.get("actor1") else None,
                actor2=ActorOut(name=f["actor2"][0], mention=f["actor2"][1]) if f.get("actor2") else None,
                location=LocationOut(
                    name=loc[0],
                    mention=loc[1],
                    country=loc[2],
                    admin1=loc[3],
                    lat=loc[4],
                    lon=loc[5],
                    precision="city",
                )
                if loc
                else None,
                fatalities=f.get("fatalities"),
                injuries=f.get("injuries"),
                evidence=evidence,
                evidence_start=start,
                evidence_end=start + len(evidence),
            )
        )
    return doc


def seed(store: Store) -> dict[str, int]:
    """Save every article above; returns article id -> its (first) event id."""
    ids = {}
    for article, evs in ARTICLES:
        ids[article["id"]] = store.save(make_doc(article, evs))[0]
    return ids


def today() -> str:
    return dt.date.today().isoformat()
