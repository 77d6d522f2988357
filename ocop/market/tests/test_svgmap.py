"""The schematic map: points framed and projected, reusable for other layers."""

from ocop.market import svgmap


def test_points_fit_inside_the_frame_north_up_and_west_left():
    hanoi, haiphong = (21.03, 105.85), (20.84, 106.69)
    projection = svgmap.fit([hanoi, haiphong], width=640)
    (x1, y1), (x2, y2) = projection.xy(*hanoi), projection.xy(*haiphong)
    assert x1 < x2 and y1 < y2  # Hải Phòng is east and south of Hà Nội
    for x, y in ((x1, y1), (x2, y2)):
        assert projection.padding <= x <= projection.width - projection.padding
        assert projection.padding <= y <= projection.height - projection.padding


def test_a_single_point_still_gets_a_frame_and_a_scale_bar():
    projection = svgmap.fit([(10.54, 106.41)])
    assert projection.height > 100
    pixels, km = projection.scale_bar()
    assert 0 < pixels <= 120 and km in svgmap.SCALE_STEPS_KM


def test_layout_keeps_the_items_without_coordinates_apart():
    items = [{"at": (21.0, 105.8)}, {"at": None}, {"at": (21.1, 105.9)}]
    layout = svgmap.layout(items, lambda item: item["at"])
    assert [m.item for m in layout.markers] == [items[0], items[2]]
    assert layout.unplaced == [items[1]]


def test_polygons_become_paths():
    projection = svgmap.fit([(10, 106), (11, 107)])
    path = projection.path([[(10, 106), (10, 107), (11, 107)]])
    assert path.startswith("M") and path.endswith("Z") and path.count("L") == 2


def test_shapes_are_framed_and_drawn_under_the_markers():
    square = [[(10.0, 106.0), (10.0, 107.0), (11.0, 107.0), (11.0, 106.0), (10.0, 106.0)]]
    layout = svgmap.layout([{"at": (10.5, 106.5)}], lambda item: item["at"], shapes=[("P", square)])
    assert [s.item for s in layout.shapes] == ["P"] and layout.shapes[0].d.startswith("M")
    # The frame holds the whole shape, not only the point in its middle.
    projection = layout.projection
    for lat, lon in square[0]:
        x, y = projection.xy(lat, lon)
        assert 0 <= x <= projection.width and 0 <= y <= projection.height
    assert projection.scale_bar()[1] >= 20  # a degree across: tens of kilometres


def test_province_outlines_come_from_the_geography_data():
    from ocop.market import places

    rings = places.province_outline("80")
    assert rings and all(len(ring) >= 4 for ring in rings)
    lat, lon = rings[0][0]
    assert 9.5 < lat < 12 and 105 < lon < 107.5  # Tây Ninh, as (lat, lon)
    assert places.province_outline("99") == ()
    assert len(places.province_outlines()) == 34
    # A commune of Tây Ninh lies within the frame of Tây Ninh's outline.
    lat, lon = places.commune_centre("25459")
    lats = [v[0] for ring in rings for v in ring]
    lons = [v[1] for ring in rings for v in ring]
    assert min(lats) <= lat <= max(lats) and min(lons) <= lon <= max(lons)
    assert places.commune_centre("99999") is None
