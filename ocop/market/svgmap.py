"""A schematic map drawn as SVG from coordinates, with no tile server. A pure core.

Points and polygons (the approximate boundaries of ``ocop/geo/data/boundaries.json``) are
projected with an equirectangular projection scaled by the cosine of the middle latitude, which
is faithful enough at the size of a Vietnamese province, and fitted into a frame. Templates draw
the result; nothing here knows about points of sale, so the monitoring pages can reuse it for a
choropleth of provinces.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

KM_PER_DEGREE = 111.32
SCALE_STEPS_KM = (1, 2, 5, 10, 20, 50, 100, 200, 500)


@dataclass(frozen=True)
class Projection:
    west: float
    south: float
    east: float
    north: float
    width: float
    height: float
    padding: float
    cos_lat: float
    scale: float  # pixels per (cos-scaled) degree

    def xy(self, lat: float, lon: float) -> tuple[float, float]:
        x = self.padding + (lon - self.west) * self.cos_lat * self.scale
        y = self.padding + (self.north - lat) * self.scale
        return round(x, 1), round(y, 1)

    def path(self, rings: Iterable[Sequence[tuple[float, float]]]) -> str:
        """An SVG path for polygon rings of (lat, lon) vertices."""
        parts = []
        for ring in rings:
            points = [self.xy(lat, lon) for lat, lon in ring]
            if len(points) < 3:
                continue
            head, *tail = points
            parts.append(f"M{head[0]} {head[1]}" + "".join(f"L{x} {y}" for x, y in tail) + "Z")
        return "".join(parts)

    def scale_bar(self, max_px: float = 120) -> tuple[float, int]:
        """The length in pixels and in km of a round-numbered scale bar at most ``max_px`` long."""
        km_per_px = KM_PER_DEGREE / self.scale
        best = SCALE_STEPS_KM[0]
        for km in SCALE_STEPS_KM:
            if km / km_per_px <= max_px:
                best = km
        return round(best / km_per_px, 1), best


@dataclass
class Marker:
    x: float
    y: float
    item: object


@dataclass
class Shape:
    """A polygon drawn as an SVG path (``d``), with what it stands for."""

    d: str
    item: object


@dataclass
class MapLayout:
    projection: Projection
    markers: list[Marker] = field(default_factory=list)
    unplaced: list = field(default_factory=list)
    shapes: list[Shape] = field(default_factory=list)

    @property
    def width(self) -> float:
        return self.projection.width

    @property
    def height(self) -> float:
        return self.projection.height

    @property
    def scale_bar(self) -> tuple[float, int]:
        return self.projection.scale_bar()


def fit(
    coordinates: Iterable[tuple[float, float]],
    *,
    width: float = 640,
    padding: float = 28,
    min_span: float = 0.3,
    max_aspect: float = 1.6,
) -> Projection:
    """A projection framing every (lat, lon) given, at least ``min_span`` degrees across."""
    coordinates = list(coordinates)
    if not coordinates:
        coordinates = [(16.0, 106.0)]  # the middle of Viet Nam, for an empty map
    lats = [lat for lat, _lon in coordinates]
    lons = [lon for _lat, lon in coordinates]
    south, north = min(lats), max(lats)
    west, east = min(lons), max(lons)
    if north - south < min_span:
        middle = (north + south) / 2
        south, north = middle - min_span / 2, middle + min_span / 2
    cos_lat = math.cos(math.radians((north + south) / 2))
    if (east - west) * cos_lat < min_span:
        middle = (east + west) / 2
        half = min_span / cos_lat / 2
        west, east = middle - half, middle + half
    # A margin of 8% so that markers do not sit on the frame.
    lat_margin, lon_margin = (north - south) * 0.08, (east - west) * 0.08
    south, north, west, east = south - lat_margin, north + lat_margin, west - lon_margin, east + lon_margin
    inner_width = width - 2 * padding
    scale = inner_width / ((east - west) * cos_lat)
    inner_height = (north - south) * scale
    if inner_height > inner_width * max_aspect:
        # A tall, narrow province: shrink to keep the map on one screen.
        scale = inner_width * max_aspect / (north - south)
        inner_height = inner_width * max_aspect
    return Projection(
        west=west,
        south=south,
        east=east,
        north=north,
        width=width,
        height=round(inner_height + 2 * padding, 1),
        padding=padding,
        cos_lat=cos_lat,
        scale=scale,
    )


Rings = Sequence[Sequence[tuple[float, float]]]


def layout(items: Iterable, coordinates, *, width: float = 640, extra=(), shapes=()) -> MapLayout:
    """Place ``items`` on a map; ``coordinates(item)`` gives (lat, lon) or None. ``extra``
    coordinates (a province's centre) are framed too, and so are ``shapes``: (item, rings of
    (lat, lon) vertices) pairs drawn under the markers (a province's outline)."""
    placed, unplaced = [], []
    for item in items:
        where = coordinates(item)
        (placed if where is not None else unplaced).append((item, where))
    shapes = list(shapes)
    vertices = [vertex for _item, rings in shapes for ring in rings for vertex in ring]
    projection = fit([where for _item, where in placed] + list(extra) + vertices, width=width)
    markers = [Marker(*projection.xy(*where), item) for item, where in placed]
    drawn = [Shape(projection.path(rings), item) for item, rings in shapes]
    return MapLayout(projection, markers, [item for item, _where in unplaced], [s for s in drawn if s.d])
