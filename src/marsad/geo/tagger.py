"""The `places` pipeline component: place names and demonyms → mentions."""

from __future__ import annotations

from marsad.geo.gazetteer import Gazetteer, load
from marsad.geo.geocoder import resolve
from marsad.model import Doc, Mention


class PlaceTagger:
    """Adds `Mention("place", ...)` per resolved place and `Mention("demonym", ...)` per nisba.

    The full results (roles such as "reference" for "450 كلم شرق طرابلس", the countries the
    article is about) stay in `doc.meta["geo"]` for `event_location` and `doc_countries`.
    """

    name = "places"

    def __init__(self, gazetteer: Gazetteer | None = None) -> None:
        self.gaz = gazetteer or load()

    def __call__(self, doc: Doc) -> Doc:
        resolved, demonyms, countries = resolve(doc, self.gaz)
        doc.meta["geo"] = {"resolved": resolved, "demonyms": demonyms, "countries": countries}
        for r in resolved:
            doc.mentions.append(Mention("place", r.start, r.end, r.place, self.name, r.score))
        for d in demonyms:
            country = self.gaz.country(d.iso)
            if country is not None:
                doc.mentions.append(Mention("demonym", d.start, d.end, country, self.name))
        return doc
