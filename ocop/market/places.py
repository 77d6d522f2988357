"""Where each current province's administrative centre is (data/province_centres.csv) and the
outline of each (the geography app's approximate boundaries, ocop/geo/data/boundaries.json)."""

from __future__ import annotations

import csv
import json
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import ocop.geo

CENTRES_CSV = Path(__file__).resolve().parent / "data" / "province_centres.csv"
BOUNDARIES_JSON = Path(ocop.geo.__file__).resolve().parent / "data" / "boundaries.json"
CURRENT_ERA = "2025-07"


class Centre(NamedTuple):
    code: str
    name: str
    lat: float
    lon: float


@lru_cache(maxsize=1)
def province_centres() -> dict[str, Centre]:
    """{province code: Centre} for the 34 provinces in force since 1 July 2025."""
    with CENTRES_CSV.open(encoding="utf-8") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return {
            row["code"]: Centre(row["code"], row["centre"], float(row["lat"]), float(row["lon"]))
            for row in rows
        }


@lru_cache(maxsize=1)
def _boundaries() -> dict:
    with BOUNDARIES_JSON.open(encoding="utf-8") as handle:
        return json.load(handle)["eras"][CURRENT_ERA]


def _province_polygons() -> dict[str, list]:
    """The current provinces' outlines as stored: MultiPolygon coordinates of [lon, lat]."""
    return _boundaries()["provinces"]


def commune_centre(code: str) -> tuple[float, float] | None:
    """Roughly where a current commune is, as (lat, lon): the middle of the outer ring of its
    largest cell, or the point of an island zone. None for a commune the file lacks."""
    data = _boundaries()
    if code in data["islands"]:
        lon, lat = data["islands"][code]
        return lat, lon
    polygons = data["communes"].get(code)
    if not polygons:
        return None
    ring = max((polygon[0] for polygon in polygons), key=len)[:-1] or polygons[0][0]
    return (
        sum(lat for _lon, lat in ring) / len(ring),
        sum(lon for lon, _lat in ring) / len(ring),
    )


@lru_cache(maxsize=64)
def province_outline(code: str) -> tuple[tuple[tuple[float, float], ...], ...]:
    """The rings of a current province's approximate outline as (lat, lon) vertices; empty for
    an unknown code. Approximate: Voronoi cells of its communes' seats clipped to the country's
    coastline and borders, good for framing a map, not for surveying."""
    polygons = _province_polygons().get(code, [])
    return tuple(tuple((lat, lon) for lon, lat in ring) for polygon in polygons for ring in polygon)


def province_outlines() -> dict[str, tuple]:
    """{province code: rings} for every current province (the national map)."""
    return {code: province_outline(code) for code in _province_polygons()}
