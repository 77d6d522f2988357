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
