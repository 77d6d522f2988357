"""Two people editing the same point of sale, fair or supply capacity: the later save, made from
a copy older than the record, is refused with what changed, and nothing is lost."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client

from ocop.accounts.models import AuditEvent
from ocop.market.models import Fair, PointOfSale, SupplyCapacity
from tests.formdata import browser_form


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _row(model, **where) -> dict:
    return model.objects.filter(**where).values().get()


@pytest.mark.django_db
def test_a_stale_point_of_sale_form_is_refused_and_keeps_both_edits(geo, central, officer_a):
    point = PointOfSale.objects.create(
        name="Điểm OCOP Trảng Bàng",
        kind="ocop_point",
        address="1 Hùng Vương",
        province=geo.province_a,
        commune=geo.a1,
        opening_hours=[],
    )
    url = f"/manage/market/points-of-sale/{point.pk}/edit/"
    first, second = _client(central), _client(officer_a)
    mine, theirs = browser_form(first.get(url), "hours_text"), browser_form(second.get(url), "hours_text")
    mine["hours_text"] = "T2-T6 7:30-21:00"
    assert first.post(url, mine).status_code == 302
    hours_now = browser_form(first.get(url), "hours_text")["hours_text"]
    theirs["phone"] = "0276 3812 345"
    before, events = _row(PointOfSale, pk=point.pk), AuditEvent.objects.count()

    response = second.post(url, theirs)

    assert response.status_code == 409
    assert _row(PointOfSale, pk=point.pk) == before
    assert AuditEvent.objects.count() == events
    page = response.content.decode()
    assert "Someone else saved this point of sale after you opened the form" in page
    assert f"they saved “{hours_now}”, you sent “(empty)”. The field now holds their value." in page
    again = browser_form(response, "hours_text")
    assert (again["hours_text"], again["phone"]) == (hours_now, "0276 3812 345")
    assert second.post(url, again).status_code == 302
    point.refresh_from_db()
    assert point.phone == "0276 3812 345" and point.opening_hours == before["opening_hours"] != []


@pytest.mark.django_db
def test_a_stale_fair_form_is_refused_and_keeps_both_edits(geo, central, officer_a):
    today = date.today()
    fair = Fair.objects.create(
        name="Hội chợ OCOP Tây Ninh",
        starts_on=today + timedelta(days=10),
        ends_on=today + timedelta(days=12),
        province=geo.province_a,
        organiser_province=geo.province_a,
    )
    url = f"/manage/market/fairs/{fair.pk}/edit/"
    first, second = _client(central), _client(officer_a)
    mine, theirs = browser_form(first.get(url), "venue"), browser_form(second.get(url), "venue")
    mine["ends_on"] = str(today + timedelta(days=14))
    assert first.post(url, mine).status_code == 302
    theirs["venue"] = "Nhà văn hoá tỉnh"
    before = _row(Fair, pk=fair.pk)

    response = second.post(url, theirs)

    assert response.status_code == 409
    assert _row(Fair, pk=fair.pk) == before
    later, earlier = today + timedelta(days=14), today + timedelta(days=12)
    assert (
        f"they saved “{later:%m/%d/%Y}”, you sent “{earlier:%m/%d/%Y}”. The field now holds their value."
        in response.content.decode()
    )
    again = browser_form(response, "venue")
    assert (again["ends_on"], again["venue"]) == (str(later), "Nhà văn hoá tỉnh")
    assert second.post(url, again).status_code == 302
    fair.refresh_from_db()
    assert (fair.ends_on, fair.venue) == (later, "Nhà văn hoá tỉnh")


@pytest.mark.django_db
def test_supply_entered_by_someone_else_first_is_not_overwritten(records, officer_a, owner_a):
    url = f"/manage/market/products/{records.p_recognised.pk}/supply/"
    first, second = _client(owner_a), _client(officer_a)
    mine, theirs = browser_form(first.get(url), "volume"), browser_form(second.get(url), "volume")
    mine.update(volume="1200", volume_unit="kg", period="month")
    assert first.post(url, mine).status_code == 302
    theirs.update(lead_time_days="10")
    before = _row(SupplyCapacity, product=records.p_recognised)

    response = second.post(url, theirs)

    assert response.status_code == 409
    assert _row(SupplyCapacity, product=records.p_recognised) == before
    assert (
        "they saved “1200”, you sent “(empty)”. The field now holds their value." in response.content.decode()
    )
    again = browser_form(response, "volume")
    assert (again["volume"], again["volume_unit"], again["lead_time_days"]) == ("1200", "kg", "10")
    assert second.post(url, again).status_code == 302
    supply = SupplyCapacity.objects.get(product=records.p_recognised)
    assert (supply.volume, supply.volume_unit, supply.lead_time_days) == (Decimal("1200"), "kg", 10)
