"""Whether an article is about armed conflict at all: statements and entities are read only then."""

from __future__ import annotations

from marsad.model import Doc

_NON_STATE = (2, 3, 4)  # rebel groups, political militias, identity militias (ACLED inter codes)


def is_conflict_doc(doc: Doc) -> bool:
    """An armed non-state group is named, or an unambiguous violence word is used.

    A sports report with "اتفاق" or a trade story with "زيارة" has neither, so it yields no
    statements (which are only worth reading where there is a conflict to speak of).
    """
    cached = doc.meta.get("conflict")
    if cached is None:
        cached = any(
            (m.kind == "actor" and getattr(m.value, "inter", 0) in _NON_STATE)
            or (m.kind == "trigger" and not m.value.weak)
            for m in doc.mentions
        )
        doc.meta["conflict"] = cached
    return bool(cached)
