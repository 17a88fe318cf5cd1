"""The gazetteer: Arabic place names → places, loaded once per process.

The SQLite file (built by `make gazetteer`, see build.py) holds the places from the shared
sources and their normalized name keys; the curated YAML beside it (regions, extra countries,
aliases, demonyms, cue words, ambiguous words) is read at load time.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from marsad.text.normalize import normalize

FEATURE_PRECISION = {
    "country": "country",
    "admin1": "admin1",
    "region": "region",
    "city": "city",
    "village": "city",
    "island": "city",
    "district": "point",
}


@dataclass(frozen=True)
class Place:
    """One gazetteer entry. `country` is ISO 3166-1 alpha-2 (None for multi-country regions)."""

    name: str
    name_ar: str
    country: str | None
    admin1: str | None
    lat: float
    lon: float
    feature: str  # country | admin1 | region | city | village | island | district
    population: int | None
    precision: str  # point | city | admin1 | region | country
    id: str


@dataclass(frozen=True, slots=True)
class Entry:
    """A place under one name key; `weak` when the key is a guessed variant (ال dropped)."""

    place: Place
    weak: bool


def resource_dir() -> Path:
    return Path(str(resources.files("marsad.resources"))) / "geo"


def _load_yaml(name: str) -> Any:
    path = resource_dir() / name
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: invalid YAML ({exc}); fix the file") from exc


def name_key(name: str) -> str:
    """The normalized lookup key of a written name: punctuation and hyphens become spaces."""
    text = normalize(re.sub(r"[()\[\]«»\"'،,.]", " ", name))
    return re.sub(r"\s*-\s*", " ", text).strip()


def _norm_list(words: Iterable[str]) -> set[str]:
    return {normalize(w) for w in words if w}


class Gazetteer:
    """Name keys → entries, countries, demonyms, border points and country boxes."""

    def __init__(self, db_path: Path) -> None:
        if not db_path.exists():
            raise FileNotFoundError(f"{db_path}: gazetteer not built; run `make gazetteer`")
        con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            rows = con.execute(
                "SELECT rowid, id, name, name_ar, country, admin1, lat, lon, feature, population, precision FROM places"
            ).fetchall()
            by_row: dict[int, Place] = {}
            for rowid, pid, name, name_ar, country, admin1, lat, lon, feature, pop, prec in rows:
                by_row[rowid] = Place(name, name_ar, country, admin1, lat, lon, feature, pop, prec, pid)
            self.names: dict[str, list[Entry]] = {}
            for key, rowid, weak in con.execute("SELECT key, place, weak FROM names"):
                self.names.setdefault(key, []).append(Entry(by_row[rowid], bool(weak)))
            self.zipf: dict[str, float] = dict(con.execute("SELECT key, zipf FROM freq"))
            self.traps: frozenset[str] = frozenset(r[0] for r in con.execute("SELECT token FROM traps"))
            self.bbox: dict[str, tuple[float, float, float, float]] = {
                r[0]: tuple(r[1:]) for r in con.execute("SELECT * FROM bbox")
            }
            self.borders: dict[tuple[str, str], tuple[float, float]] = {}
            for a, b, lat, lon in con.execute("SELECT a, b, lat, lon FROM borders"):
                self.borders[(a, b)] = self.borders[(b, a)] = (lat, lon)
        finally:
            con.close()
        self.by_id: dict[str, Place] = {p.id: p for p in by_row.values()}
        self.countries: dict[str, Place] = {
            p.country: p for p in by_row.values() if p.feature == "country" and p.country
        }
        self._add_curated(_load_yaml("regions.yaml"))
        self._load_demonyms(_load_yaml("demonyms.yaml"))
        self.cues = _load_yaml("cues.yaml")
        self.ambiguous = _load_yaml("ambiguous.yaml")
        # first word → second word ("" for one-word keys) → the keys' words, longest first.
        # Two levels so that a common first word ("الشيخ", "عين") costs one lookup, not a scan.
        self.first: dict[str, dict[str, list[tuple[str, ...]]]] = {}
        stop = {normalize(x) for x in self.ambiguous.get("stop") or []}
        curated = {normalize(x) for lvl in ("cue", "prep") for x in self.ambiguous.get(lvl) or []}
        for key, entries in self.names.items():
            if key in stop or (
                # a very common word that no major place carries ("احد", "حول", "جامعة"): it would
                # need a cue, and "مدينة حول" does not occur; skip the lookup entirely
                self.zipf.get(key, 0.0) >= 5.3 and key not in curated and not any(_major(e.place) for e in entries)
            ):
                continue
            words = tuple(key.split())
            second = words[1] if len(words) > 1 else ""
            self.first.setdefault(words[0], {}).setdefault(second, []).append(words)
        for by_second in self.first.values():
            for lst in by_second.values():
                lst.sort(key=len, reverse=True)

    def _add(self, key: str, place: Place, weak: bool = False) -> None:
        entries = self.names.setdefault(key, [])
        if not any(e.place.id == place.id for e in entries):
            entries.append(Entry(place, weak))

    def _add_curated(self, data: dict[str, Any]) -> None:
        src = resource_dir() / "regions.yaml"
        for section in ("regions", "extra"):
            for i, item in enumerate(data.get(section) or []):
                try:
                    feature = item.get("feature", "region")
                    place = Place(
                        item["name"],
                        item["names"][0],
                        item.get("country"),
                        # an admin-1 area is its own admin-1; a town may name the one it lies in
                        item.get("admin1", item["name"] if feature == "admin1" else None),
                        float(item["lat"]),
                        float(item["lon"]),
                        feature,
                        item.get("population"),
                        FEATURE_PRECISION[feature],
                        item["id"],
                    )
                except (KeyError, TypeError, ValueError) as exc:
                    raise ValueError(f"{src}: {section}[{i}]: missing or bad field {exc}; see the file header") from exc
                self.by_id[place.id] = place
                if feature == "country" and place.country:
                    self.countries.setdefault(place.country, place)
                for n in item["names"]:
                    self._add(normalize(n), place)
        self.capitals: dict[str, Place] = {}
        for iso, pid in (data.get("capitals") or {}).items():
            if pid not in self.by_id:
                raise ValueError(f"{src}: capitals: {iso}: unknown place id {pid!r}; fix the id")
            self.capitals[iso] = self.by_id[pid]
        for pid, names in (data.get("aliases") or {}).items():
            place = self.by_id.get(pid)
            if place is None:
                raise ValueError(f"{src}: aliases: unknown place id {pid!r}; rebuild the gazetteer or fix the id")
            for n in names:
                self._add(normalize(n), place)

    def _load_demonyms(self, data: dict[str, Any]) -> None:
        self.demonyms: dict[str, str] = {}
        self.context_only_demonyms: set[str] = set(data.get("context_only") or [])
        for iso, stems in (data.get("demonyms") or {}).items():
            for stem in stems:
                base = normalize(stem)
                for form in (base, base + "ه", base + "ون", base + "ين", base + "ان", base + "يه"):
                    self.demonyms.setdefault(form, iso)

    def lookup(self, name: str) -> list[Place]:
        """Places whose name (normalized, or with ال added/dropped) is `name`."""
        key = name_key(name)
        found = [e.place for e in self.names.get(key, ())]
        if not found:  # "زحلة، لبنان", "الجزائر (مدينة)": the name before its qualifier
            key = name_key(re.split(r"[،,(]", name)[0]) or key
            found = [e.place for e in self.names.get(key, ())]
        if not found:
            alt = key[2:] if key.startswith("ال") else "ال" + key
            found = [e.place for e in self.names.get(alt, ())]
        return found

    def country(self, iso: str | None) -> Place | None:
        return self.countries.get(iso) if iso else None


def _major(p: Place) -> bool:
    return p.feature in ("country", "region") or p.id.startswith("x:") or (p.population or 0) >= 1_000_000


def default_path() -> Path:
    return resource_dir() / "gazetteer.sqlite"


@cache
def load() -> Gazetteer:
    """The packaged gazetteer, loaded once per process."""
    return Gazetteer(default_path())
