"""The outline of each current province (the geography app's approximate boundaries,
ocop/geo/data/boundaries.json) and roughly where a commune is; where each province's centre is
comes from :mod:`ocop.geo.centres`."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import ocop.geo

BOUNDARIES_JSON = Path(ocop.geo.__file__).resolve().parent / "data" / "boundaries.json"
CURRENT_ERA = "2025-07"


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
