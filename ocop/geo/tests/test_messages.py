"""Every reason the resolver gives can be read in Vietnamese and in English."""

import pytest
from django.utils import translation

from ocop.geo.messages import describe
from ocop.geo.resolver import resolve

CASES = [
    ("", "empty", "Địa chỉ đang để trống."),
    ("Phường Ngọc Hà, Hà Nội", "ambiguous_era", "vừa khớp với"),
    ("Ba Đình, Hà Nội", "ambiguous_level", "hãy ghi rõ loại đơn vị"),
    ("thon 8, xa nghi van, huyen nghi loc, tinh nghe an", "ambiguous_commune", "hãy gõ tên có dấu"),
    ("Huyện Châu Thành", "ambiguous_district", "hãy ghi thêm tỉnh"),
    ("Xã Minh Tân, Tỉnh Thái Bình", "ambiguous_commune", "có ở 3 huyện của Tỉnh Thái Bình (cũ)"),
    ("Tỉnh Xyz", "unknown_province", "không phải tên một tỉnh"),
    ("Xã Phú Cần, Huyện Tiểu Cần, Tỉnh Trà Vinhh", "unknown_province", "có phải là Tỉnh Trà Vinh (cũ)?"),
    ("Xã Phú Cần, Tỉnh Bắc Giang", "commune_not_in_province", "Xã Phú Cần không thuộc Tỉnh Bắc Giang (cũ)"),
    ("Xã Phú Cần, Huyện Càng Long, Tỉnh Trà Vinh", "commune_not_in_district", "không thuộc Huyện Càng Long"),
    ("Xã Phú Cầnn, Huyện Tiểu Cần, Tỉnh Trà Vinh", "unknown_commune", "Không có xã “Phú Cầnn”"),
    ("Huyện Abc, Tỉnh Trà Vinh", "unknown_district", "Không có huyện “Abc” ở Tỉnh Trà Vinh (cũ)"),
    (
        "Huyện Tiểu Cần, Tỉnh Bắc Giang",
        "district_not_in_province",
        "Huyện Tiểu Cần không thuộc Tỉnh Bắc Giang (cũ)",
    ),
]


@pytest.mark.parametrize(("address", "code", "vietnamese"), CASES, ids=[c[0] or "empty" for c in CASES])
def test_reasons_read_in_both_languages(address, code, vietnamese):
    resolution = resolve(address)
    assert resolution.reason_code == code
    with translation.override("vi"):
        text_vi = describe(resolution)
    with translation.override("en"):
        text_en = describe(resolution)
    assert vietnamese in text_vi
    assert "(old)" not in text_vi
    assert text_en != text_vi
    assert str(resolution.reason_params.get("name", "")) in text_en
    if code == "empty":
        assert text_en == "The address is empty."
