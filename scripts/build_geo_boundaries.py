"""Regenerate ocop/geo/data/boundaries.json: approximate boundaries of provinces and communes.

No open boundary file of the 34 provinces and 3,321 communes of July 2025 could be brought in
under a licence compatible with the AGPL, so the boundaries are *approximated*: each commune is
the Voronoi cell of its seat (coordinates from vietnamadminunits, MIT) clipped to Viet Nam's
land outline (Natural Earth 1:10m via world-atlas, public domain / ISC), and a province is the
union of its communes' cells. Good enough for a choropleth, not for surveying. Island special
zones outside the outline (Hoàng Sa, Trường Sa) are kept as points, drawn as markers.

Run with a Python that has vietnamadminunits, shapely and scipy (not project dependencies):
    /path/to/python scripts/build_geo_boundaries.py /path/to/world-atlas/countries-10m.json
(`npm pack world-atlas@2.0.2` gives the TopoJSON file.)
"""

import json
import math
import sqlite3
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
import vietnamadminunits
from scipy.spatial import Voronoi
from shapely.geometry import MultiPolygon, Polygon, mapping
from shapely.ops import unary_union

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "ocop" / "geo" / "data" / "boundaries.json"
DATASET = Path(vietnamadminunits.__file__).parent / "data" / "dataset.db"
VIET_NAM = "704"  # ISO 3166-1 numeric
COS = math.cos(math.radians(16))  # x scale so that Voronoi works on roughly equal-area units


def decode_topojson(path: Path, country_id: str):
    topology = json.loads(path.read_text())
    scale, translate = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * scale[0] + translate[0], y * scale[1] + translate[1]))
        arcs.append(points)

    def ring(indexes):
        coords = []
        for index in indexes:
            arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
            coords.extend(arc if not coords else arc[1:])
        return coords

    for geometry in topology["objects"]["countries"]["geometries"]:
        if str(geometry.get("id")) != country_id:
            continue
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        return MultiPolygon([Polygon(ring(p[0]), [ring(h) for h in p[1:]]) for p in polygons]).buffer(0)
    raise SystemExit(f"country {country_id} not found in {path}")


def seats(sql: str) -> list[tuple[str, str, float, float]]:
    connection = sqlite3.connect(DATASET)
    rows = connection.execute(sql).fetchall()
    return [
        (str(p).zfill(2), str(w).zfill(5), float(lat), float(lon)) for p, w, lat, lon in rows if lat and lon
    ]


def voronoi_cells(points: list[tuple[float, float]], outline) -> list:
    """The Voronoi cell of each (lon, lat) point, clipped to the outline (None when outside)."""
    xy = np.array([(lon * COS, lat) for lon, lat in points])
    # Far corners make every real point's region finite.
    pad = np.array([[-1000, -1000], [-1000, 1000], [1000, -1000], [1000, 1000]])
    diagram = Voronoi(np.vstack([xy, pad]))
    cells = []
    for index in range(len(points)):
        region = diagram.regions[diagram.point_region[index]]
        if -1 in region or not region:
            cells.append(None)
            continue
        polygon = Polygon([(x / COS, y) for x, y in diagram.vertices[region]])
        cell = polygon.intersection(outline)
        cells.append(cell if not cell.is_empty else None)
    return cells


def rings(geometry, tolerance: float, digits: int = 3) -> list:
    geometry = geometry.simplify(tolerance, preserve_topology=True)
    data = mapping(geometry)
    polygons = data["coordinates"] if data["type"] == "MultiPolygon" else [data["coordinates"]]
    result = []
    for polygon in polygons:
        kept = [[[round(x, digits), round(y, digits)] for x, y in ring] for ring in polygon]
        if len(kept[0]) >= 4:
            result.append(kept)
    return result


def build_era(rows, outline, *, communes: bool) -> dict:
    # Several communes may share a seat's coordinates; nudge duplicates apart by a hair.
    seen = defaultdict(int)
    points = []
    for _p, _w, lat, lon in rows:
        n = seen[(lat, lon)]
        seen[(lat, lon)] += 1
        points.append((lon + n * 1e-5, lat + n * 1e-5))
    cells = voronoi_cells(points, outline)
    by_province = defaultdict(list)
    islands = {}
    commune_shapes = {}
    for (province, ward, lat, lon), cell in zip(rows, cells, strict=True):
        if cell is None or cell.area < 1e-6:
            islands[ward] = [round(lon, 3), round(lat, 3)]
            continue
        by_province[province].append(cell)
        if communes:
            commune_shapes[ward] = rings(cell, 0.004)
    provinces = {code: rings(unary_union(parts), 0.015) for code, parts in sorted(by_province.items())}
    era = {"provinces": provinces, "islands": islands}
    if communes:
        era["communes"] = commune_shapes
        era["commune_province"] = {ward: province for province, ward, _lat, _lon in rows}
    return era


def main(topojson: str) -> None:
    outline = decode_topojson(Path(topojson), VIET_NAM)
    current = seats("SELECT provinceCode, wardCode, wardLat, wardLon FROM admin_units ORDER BY wardCode")
    legacy = seats(
        "SELECT provinceCode, wardCode, wardLat, wardLon FROM admin_units_legacy ORDER BY wardCode"
    )
    data = {
        "note": (
            "Approximate boundaries: Voronoi cells of commune seats (vietnamadminunits, MIT) clipped to "
            "Viet Nam's outline (Natural Earth 1:10m via world-atlas, public domain/ISC); provinces are unions "
            "of their communes. Regenerate with scripts/build_geo_boundaries.py."
        ),
        "outline": rings(outline, 0.01),
        "eras": {
            "2025-07": build_era(current, outline, communes=True),
            "pre-2025-07": build_era(legacy, outline, communes=False),
        },
    }
    OUTPUT.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    eras = data["eras"]
    print(
        f"{OUTPUT}: {OUTPUT.stat().st_size / 1e3:.0f} kB; current: {len(eras['2025-07']['provinces'])} provinces, "
        f"{len(eras['2025-07']['communes'])} communes, {len(eras['2025-07']['islands'])} island points; "
        f"legacy: {len(eras['pre-2025-07']['provinces'])} provinces"
    )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/wa/package/countries-10m.json")
