"""Coverage, stated: every product set of each taxonomy with the sheet in force for it, or "not
loaded yet" — the same on the page and in the API, from one selector."""

import re
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ocop.criteria import selectors
from ocop.criteria.models import CriteriaSet
from ocop.registry.models import ProductSet


def _by_code(item):
    return {row.product_set.code: row for group in item.groups for row in group.rows}


@pytest.mark.django_db
def test_every_product_set_is_listed_with_its_set_in_force():
    with CaptureQueriesContext(connection) as queries:
        found = selectors.coverage(None, today=date(2026, 12, 8))
    assert len(queries) == 3
    assert [item.taxonomy.code for item in found] == ["148", "1048"]
    current, old = found
    assert current.total == 26 == ProductSet.objects.filter(taxonomy="148").count()
    assert old.total == ProductSet.objects.filter(taxonomy="1048").count()
    assert (current.loaded, old.loaded) == (1, 3)
    assert current.on == date(2026, 12, 8) and old.on == date(2023, 2, 23)
    rows = _by_code(current)
    assert rows["I.1.a"].criteria_set.code == "148/I.1.a"
    assert rows["I.3.a"].criteria_set is None
    assert [g.group for g in current.groups] == [
        "food",
        "drinks",
        "herbal",
        "handicraft",
        "ornamental",
        "tourism",
    ]
    assert {row.criteria_set.code for row in _by_code(old).values() if row.criteria_set} == {
        "1048/I.3.b",
        "1048/I.3.c",
        "1048/VI.1",
    }


@pytest.mark.django_db
def test_a_set_not_yet_in_force_or_a_draft_does_not_cover():
    row = CriteriaSet.objects.get(code="148/I.1.a", is_current=True)
    assert _by_code(selectors.coverage(None, today=date(2023, 2, 23))[0])["I.1.a"].criteria_set is None
    CriteriaSet.objects.filter(pk=row.pk).update(status="draft")
    assert _by_code(selectors.coverage(None)[0])["I.1.a"].criteria_set is None


@pytest.mark.django_db
def test_the_page_in_vietnamese_names_every_set_and_what_is_missing():
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/criteria/")
    assert response.status_code == 200
    assert len(queries) == 4  # coverage (3) and the loaded sets (1)
    page = response.content.decode()
    section = page[page.index('id="taxonomy-148"') : page.index('id="taxonomy-1048"')]
    assert "1 trên 26 bộ sản phẩm có bộ tiêu chí đang áp dụng" in section
    assert section.count("chưa có bộ tiêu chí") == 25
    assert "I.3.a · Đồ ăn nhanh" in section or "I.3.a · " in section
    assert re.findall(r'<a href="(/criteria/[^"]+)">', section) == ["/criteria/148/I.1.a/"]
    assert "<h3>Thực phẩm</h3>" in section and "<h3>Đồ uống</h3>" in section
    assert '<span title="Chỉ có nguồn thứ cấp">[S]</span>' in section or "[S]</span>" in section
    assert "not loaded yet" not in page


@pytest.mark.django_db
def test_the_api_gives_the_same_coverage(client):
    response = client.get("/api/v1/criteria/coverage")
    assert response.status_code == 200
    body = response.json()
    assert [t["taxonomy"]["code"] for t in body] == ["148", "1048"]
    expected = selectors.coverage(None)
    for item, out in zip(expected, body, strict=True):
        assert (out["loaded"], out["total"]) == (item.loaded, item.total)
        listed = {ps["code"]: ps["criteria_set"] for g in out["groups"] for ps in g["product_sets"]}
        assert listed.keys() == _by_code(item).keys()
    sets = {g["group"]: g["product_sets"] for g in body[0]["groups"]}
    fresh = next(ps for ps in sets["food"] if ps["code"] == "I.1.a")
    assert fresh["criteria_set"]["code"] == "148/I.1.a"
    assert fresh["criteria_set"]["sheet_url"] == "/criteria/148/I.1.a/"
    assert fresh["criteria_set"]["confidence"] == "S"
    assert all(ps["criteria_set"] is None for ps in sets["drinks"])
