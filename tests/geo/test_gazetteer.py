"""The packaged gazetteer: loading, name variants, curated regions and demonyms."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

import pytest

from marsad.geo import Place
from marsad.geo.build import Outlines, osm_africa_country
from marsad.geo.gazetteer import load
from marsad.geo.geocoder import haversine_km
from marsad.resources import path as resource_path


@pytest.fixture(scope="module")
def gaz():
    return load()


def test_loads_once_and_is_a_cached_object(gaz):
    assert load() is gaz
    assert len(gaz.by_id) > 10_000


def test_place_is_frozen_with_the_contract_fields(gaz):
    sirte = next(p for p in gaz.lookup("سرت") if p.feature == "city")
    assert [f.name for f in dataclasses.fields(Place)] == [
        "name", "name_ar", "country", "admin1", "lat", "lon", "feature", "population", "precision", "id",
    ]  # fmt: skip
    assert (sirte.name, sirte.country, sirte.precision) == ("Sirte", "LY", "city")
    assert abs(sirte.lat - 31.21) < 0.1 and abs(sirte.lon - 16.59) < 0.1
    with pytest.raises(dataclasses.FrozenInstanceError):
        sirte.name = "x"  # type: ignore[misc]


@pytest.mark.parametrize("spelling", ["نجامينا", "انجامينا", "إنجامينا", "أنجمينا", "انجمينا"])
def test_ndjamena_transliterations(gaz, spelling):
    assert "N'Djamena" in {p.name for p in gaz.lookup(spelling)}


@pytest.mark.parametrize(
    ("spelling", "name"),
    [
        ("مصراتة", "Misratah"),  # ة
        ("مصراته", "Misratah"),  # ه
        ("أجدابيا", "Ajdabiya"),  # hamza
        ("اجدابيا", "Ajdabiya"),
        ("صنعا", "Sanaa"),  # final hamza dropped
        ("الجفرة", "Al Jufrah"),  # with ال
        ("جفرة", "Al Jufrah"),  # without
        ("بني وليد", "Bani Walid"),
    ],
)
def test_spelling_variants(gaz, spelling, name):
    assert name in {p.name for p in gaz.lookup(spelling)}


@pytest.mark.parametrize(
    ("arabic", "country"),
    [
        ("جنوب غرب ليبيا", "LY"),
        ("الجنوب الليبي", "LY"),
        ("الصحراء الكبرى", None),
        ("سيناء", "EG"),
        ("منطقة الساحل", None),
        ("حوض بحيرة تشاد", None),
    ],
)
def test_curated_regions(gaz, arabic, country):
    found = [p for p in gaz.lookup(arabic) if p.feature == "region"]
    assert found and found[0].country == country and found[0].precision == "region"


@pytest.mark.parametrize(
    ("adjective", "iso"),
    [("ليبيه", "LY"), ("بوركيني", "BF"), ("نيجيريه", "NG"), ("ايطاليه", "IT"), ("نيجري", "NE"), ("سوريون", "SY")],
)
def test_demonym_forms(gaz, adjective, iso):
    assert gaz.demonyms[adjective] == iso


def test_countries_and_borders(gaz):
    assert gaz.country("LY").name == "Libya"
    assert gaz.country("IT").name == "Italy"  # curated, outside the MENA data
    lat, lon = gaz.borders[("BF", "NE")]
    assert 11 < lat < 15.5 and -0.5 < lon < 2.5


# --- build fixes: places in overlapping OSM extracts, renamed OSM nodes -----------------------


@pytest.mark.parametrize(
    ("name", "country", "lat", "lon"),
    [
        ("الذهيبة", "TN", 32.01, 10.70),  # Dhehiba, Tataouine: also in the Libyan extract
        ("عدل بكرو", "MR", 15.53, -7.03),  # Adel Bagrou, Hodh Ech Chargui: also in the Malian one
        ("ولد يينكي", "MR", 15.54, -11.71),  # Ould Yenge, Guidimaka: also in the Malian one
        ("الكرمك", "SD", 10.56, 34.28),  # Kurmuk, Blue Nile: also in the Ethiopian extract
        ("القلابات", "SD", 12.96, 36.15),  # Gallabat, Gedaref: the outline puts it in Ethiopia
    ],
)
def test_border_town_in_two_extracts_gets_the_country_it_is_in(gaz, name, country, lat, lon):
    near = [p for p in gaz.lookup(name) if haversine_km((p.lat, p.lon), (lat, lon)) < 15]
    assert near and {p.country for p in near} == {country}


def test_tripoli_in_the_tunisian_extract_is_not_a_tunisian_place(gaz):
    # OSM node 1699640925 (Tripoli) is in the Tunisian and the Libyan extracts: one Libyan place
    found = gaz.lookup("طرابلس")
    assert {"LY", "LB"} <= {p.country for p in found}
    assert "TN" not in {p.country for p in found}


@pytest.mark.parametrize("name", ["القداحية", "القداحية- زمزم", "القداحيه"])
def test_old_and_new_osm_names_of_one_node(gaz, name):
    # node 1565509451: "القداحية" in the 2019 extract, "القداحية- زمزم" in the 2025 Libyan file
    assert any(p.country == "LY" and haversine_km((p.lat, p.lon), (31.36, 15.24)) < 15 for p in gaz.lookup(name))


@pytest.mark.parametrize(
    ("name", "country", "lat", "lon"),
    [
        ("زحله، لبنان", "LB", 33.85, 35.90),  # GeoNames writes the country after the name
        ("زحلة", "LB", 33.85, 35.90),
        ("الجزائر (مدينة)", "DZ", 36.75, 3.04),
        ("توكرة", "LY", 32.53, 20.58),  # GeoNames "توكرة (العاقورية)"
        ("اولاد جابر", "LY", 31.95, 12.15),  # OSM name:ar holds "Awlad Jabir"; the name tag is Arabic
    ],
)
def test_qualified_and_mislabelled_source_names_are_findable(gaz, name, country, lat, lon):
    assert any(p.country == country and haversine_km((p.lat, p.lon), (lat, lon)) < 15 for p in gaz.lookup(name))


def test_outlines_choose_between_extracts_only():
    data = Path(__file__).resolve().parents[3] / "shared" / "data" / "gazetteer"
    outlines = Outlines(data)
    assert outlines.countries_at(32.0097, 10.7010) == ["TN"]  # Dhehiba
    assert osm_africa_country(["LY", "TN"], 32.0097, 10.7010, outlines) == "TN"
    assert osm_africa_country(["TN", "LY"], 32.8967, 13.1778, outlines) == "LY"  # Tripoli
    # one extract: kept, even where the simplified outline puts the town across the border
    assert osm_africa_country(["MA"], 34.8833, -2.1333, outlines) == "MA"  # Ahfir
    # an Arabic name on the border of a country that does not write Arabic: the Arabic side
    assert outlines.countries_at(10.5566, 34.2849) == ["ET"]  # Kurmuk, by the simplified outline
    assert osm_africa_country(["SD", "ET"], 10.5566, 34.2849, outlines) == "SD"


@pytest.mark.parametrize(
    ("name", "country", "admin1"),
    [
        # GeoNames' own admin-1 codes, named by their places as a whole: Ramadi lies nearer
        # Baghdad's centroid than Anbar's; Homs's centroid is in the desert; N'Djamena is a
        # small city-province ringed by Chari-Baguirmi; Nigeria's states have no Arabic names
        ("Ramadi", "IQ", "Al Anbār"),
        ("Homs", "SY", "Ḩimş"),
        ("N'Djamena", "TD", "Ville de Ndjamena"),
        ("Maiduguri", "NG", "Borno"),
        ("Abha", "SA", "'Asīr"),
        # OSM places take the admin-1 of the GeoNames places around them (Ajdabiya: Al Wahat)
        ("Ajdabiya", "LY", "Al Wāḩāt"),
        # a corrected source centroid (subdivision_centroids.yaml): Rabat's region, not Laâyoune's
        ("Rabat", "MA", "Rabat-Salé-Kénitra"),
    ],
)
def test_admin1_of_well_known_places(name: str, country: str, admin1: str) -> None:
    con = sqlite3.connect(resource_path("geo/gazetteer.sqlite"))
    found = {
        a
        for (a,) in con.execute(
            "SELECT admin1 FROM places WHERE name = ? AND country = ? AND feature NOT IN ('admin1', 'country')",
            (name, country),
        )
    }
    con.close()
    assert admin1 in found, found
