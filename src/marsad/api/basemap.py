"""Build the dashboard's offline base map: country outlines from Natural Earth (public domain).

Rounds coordinates to 0.02° (about 2 km, enough at the zoom levels a country map needs), drops
repeated points and rings that collapse, keeps the names (Arabic and English) and ISO codes.

    python -m marsad.api.basemap ../shared/data/gazetteer/ne_admin0_mena_sahel.geojson
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

OUT = Path(__file__).parent / "static" / "basemap" / "countries.geojson"
STEP = 0.02


def _ring(points: list[list[float]]) -> list[list[float]] | None:
    out: list[list[float]] = []
    for x, y in points:
        p = [round(round(x / STEP) * STEP, 2), round(round(y / STEP) * STEP, 2)]
        if not out or out[-1] != p:
            out.append(p)
    if len(out) < 4:  # a closed ring needs three distinct corners
        return None
    if out[0] != out[-1]:
        out.append(out[0])
    return out


def simplify(fc: dict[str, Any]) -> dict[str, Any]:
    features = []
    for f in fc["features"]:
        geom = f["geometry"]
        polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        kept = []
        for poly in polys:
            rings = [r for r in (_ring(ring) for ring in poly) if r]
            if rings and len(rings[0]) >= 4:
                kept.append(rings)
        if not kept:
            continue
        p = f["properties"]
        features.append(
            {
                "type": "Feature",
                "properties": {"iso_a2": p.get("iso_a2"), "name_en": p.get("name_en"), "name_ar": p.get("name_ar")},
                "geometry": {"type": "MultiPolygon", "coordinates": kept},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m marsad.api.basemap")
    parser.add_argument("source", help="Natural Earth admin-0 GeoJSON (../shared/data/gazetteer/...)")
    parser.add_argument("--out", default=str(OUT))
    args = parser.parse_args()
    fc = json.loads(Path(args.source).read_text(encoding="utf-8"))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(simplify(fc), ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    print(f"{out}: {out.stat().st_size} bytes")


if __name__ == "__main__":
    main()
