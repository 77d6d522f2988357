"""Choropleth maps of provinces (and of the communes of a province) as SVG paths.

The boundaries come from ``ocop/geo/data/boundaries.json``, brought in as a file (approximate:
see ``scripts/build_geo_boundaries.py``): provinces of both eras, communes of today's. Paths are
projected once per era (or province) and kept in memory; a request only picks colours. Island
communes outside the mainland outline are drawn as dots.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ocop.geo.gazetteer import CURRENT, LEGACY
from ocop.geo.models import Commune, Province
from ocop.market.svgmap import Projection, fit

from .charts import Classes, classify

BOUNDARIES = Path(__file__).resolve().parents[1] / "geo" / "data" / "boundaries.json"
ERA_KEYS = {CURRENT: CURRENT, LEGACY: LEGACY}  # the file keys eras by their ids
COUNTRY_WIDTH = 440
PROVINCE_WIDTH = 420


@lru_cache(maxsize=1)
def _data() -> dict:
    return json.loads(BOUNDARIES.read_text(encoding="utf-8"))


def _rings(multipolygon) -> list[list[tuple[float, float]]]:
    """GeoJSON-style [[[lon, lat]...]...]... -> rings of (lat, lon)."""
    return [[(lat, lon) for lon, lat in ring] for polygon in multipolygon for ring in polygon]


@dataclass
class Shape:
    code: str
    path: str = ""  # empty for an island drawn as a dot
    dot: tuple[float, float] | None = None


@dataclass
class Geometry:
    width: float
    height: float
    shapes: list[Shape]
    islands_of: dict[str, list[tuple[float, float]]] = field(default_factory=dict)


def _geometry(features: dict, islands: list[tuple[str, tuple[float, float]]], width: float) -> Geometry:
    rings = {code: _rings(polygons) for code, polygons in features.items()}
    coordinates = [point for code_rings in rings.values() for ring in code_rings for point in ring[::8]]
    coordinates += [(lat, lon) for _code, (lon, lat) in islands]
    projection: Projection = fit(coordinates, width=width, padding=6, max_aspect=2.2)
    shapes = [Shape(code, projection.path(code_rings)) for code, code_rings in sorted(rings.items())]
    for code, (lon, lat) in sorted(islands):
        shapes.append(Shape(code, dot=projection.xy(lat, lon)))
    return Geometry(projection.width, projection.height, shapes)


@lru_cache(maxsize=4)
def country_geometry(era: str) -> Geometry:
    """Every province of the era; island communes beyond the mainland (Hoàng Sa, Trường Sa ...)
    are dots in their province's colour."""
    layer = _data()["eras"][ERA_KEYS[era]]
    if era == CURRENT:
        owner = layer["commune_province"]
        islands = [(owner[commune], point) for commune, point in layer["islands"].items()]
    else:
        owner = dict(
            Commune.objects.filter(era_id=era, code__in=layer["islands"]).values_list(
                "code", "province__code"
            )
        )
        islands = [(owner[commune], point) for commune, point in layer["islands"].items() if commune in owner]
    return _geometry(layer["provinces"], islands, COUNTRY_WIDTH)


@lru_cache(maxsize=40)
def province_geometry(province_code: str) -> Geometry:
    """The communes of one of today's provinces."""
    layer = _data()["eras"][ERA_KEYS[CURRENT]]
    owner = layer["commune_province"]
    communes = {
        code: polygons for code, polygons in layer["communes"].items() if owner.get(code) == province_code
    }
    islands = [(code, point) for code, point in layer["islands"].items() if owner.get(code) == province_code]
    return _geometry(communes, islands, PROVINCE_WIDTH)


def has_communes(era: str) -> bool:
    """Only today's communes have boundaries on file."""
    return era == CURRENT


@dataclass
class Area:
    code: str
    name: str
    value: int
    colour: str
    url: str | None
    path: str
    dot: tuple[float, float] | None
    selected: bool = False


@dataclass
class Map:
    width: float
    height: float
    areas: list[Area]
    legend: list[tuple[str, str]]
    caption: str = ""


def choropleth(
    geometry: Geometry, figures: dict[str, tuple[str, int, str | None]], *, selected: str = ""
) -> Map:
    """Colour each shape by its figure: ``figures`` maps a code to (name, value, link)."""
    classes: Classes = classify([value for _name, value, _url in figures.values()])
    areas = []
    for shape in geometry.shapes:
        name, value, url = figures.get(shape.code, (shape.code, 0, None))
        areas.append(
            Area(
                shape.code,
                name,
                value,
                classes.colour(value),
                url,
                shape.path,
                shape.dot,
                shape.code == selected,
            )
        )
    # The selected area last, so that its outline is drawn over its neighbours'.
    areas.sort(key=lambda area: area.selected)
    return Map(geometry.width, geometry.height, areas, classes.legend())


def province_names(era: str) -> dict[str, str]:
    return dict(Province.objects.filter(era_id=era).values_list("code", "name"))
