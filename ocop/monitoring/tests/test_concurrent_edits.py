"""Two officers editing the same craft village or target: the later save, made from a copy older
than the record, is refused with what changed, and nothing is lost."""

import pytest
from django.test import Client

from ocop.accounts.models import AuditEvent
from ocop.monitoring.models import Target
from ocop.registry.models import CraftVillage, Producer
from tests.formdata import browser_form


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_a_stale_craft_village_form_is_refused_and_keeps_both_edits(records, geo, central, officer_a):
    village = CraftVillage.objects.create(name="Làng bánh tráng Trảng Bàng", province=geo.province_a)
    url = f"/manage/craft-villages/{village.pk}/edit/"
    first, second = _client(central), _client(officer_a)
    mine, theirs = browser_form(first.get(url), "craft"), browser_form(second.get(url), "craft")

    # The first officer only links a producer: that is a change of the village too.
    mine["producers"] = str(records.p.pk)
    assert first.post(url, mine).status_code == 302
    theirs["craft"] = "Bánh tráng phơi sương"
    before = CraftVillage.objects.filter(pk=village.pk).values().get()
    events = AuditEvent.objects.count()
    response = second.post(url, theirs)

    assert response.status_code == 409
    assert CraftVillage.objects.filter(pk=village.pk).values().get() == before
    assert Producer.objects.get(pk=records.p.pk).craft_village_id == village.pk
    assert AuditEvent.objects.count() == events
    page = response.content.decode()
    assert "Someone else saved this craft village after you opened the form" in page
    assert f"they saved “{records.p.name}”, you sent “(empty)”. The field now holds their value." in page
    again = browser_form(response, "craft")
    assert (again["craft"], again["producers"]) == ("Bánh tráng phơi sương", str(records.p.pk))

    assert second.post(url, again).status_code == 302
    village.refresh_from_db()
    assert village.craft == "Bánh tráng phơi sương"
    assert list(village.producers.values_list("pk", flat=True)) == [records.p.pk]


def _target(geo):
    from datetime import date

    return Target.objects.create(
        province=geo.province_a,
        measure="showrooms",
        period_start=date(2026, 1, 1),
        period_end=date(2030, 12, 31),
        value=5,
    )


@pytest.mark.django_db
def test_a_stale_target_form_is_refused_and_keeps_both_edits(geo, central, officer_a):
    target = _target(geo)
    url = f"/manage/targets/{target.pk}/edit/"
    first, second = _client(central), _client(officer_a)
    mine, theirs = browser_form(first.get(url), "value"), browser_form(second.get(url), "value")
    mine["value"] = "8"
    assert first.post(url, mine).status_code == 302
    theirs["legal_basis"] = "Kế hoạch 12/KH-UBND"
    before = Target.objects.filter(pk=target.pk).values().get()

    response = second.post(url, theirs)

    assert response.status_code == 409
    assert Target.objects.filter(pk=target.pk).values().get() == before
    assert "they saved “8”, you sent “5”. The field now holds their value." in response.content.decode()
    again = browser_form(response, "value")
    assert (again["value"], again["legal_basis"]) == ("8", "Kế hoạch 12/KH-UBND")
    assert second.post(url, again).status_code == 302
    target.refresh_from_db()
    assert (target.value, target.legal_basis) == (8, "Kế hoạch 12/KH-UBND")


@pytest.mark.django_db
def test_the_targets_api_refuses_a_put_made_from_an_older_etag(geo, central, officer_a):
    target = _target(geo)
    url = f"/api/v1/monitoring/targets/{target.pk}"
    first, second = _client(central), _client(officer_a)
    body = {
        "province": "80",
        "measure": "showrooms",
        "period_start": "2026-01-01",
        "period_end": "2030-12-31",
    }
    etag = second.get(url).headers["ETag"]
    done = first.put(url, {**body, "value": "8"}, content_type="application/json", headers={"If-Match": etag})
    assert done.status_code == 200
    before = Target.objects.filter(pk=target.pk).values().get()

    refused = second.put(
        url,
        {**body, "value": "5", "note": "Theo kế hoạch"},
        content_type="application/json",
        headers={"If-Match": etag},
    )

    assert refused.status_code == 412
    assert refused.json()["changed_fields"] == ["value"]
    assert Target.objects.filter(pk=target.pk).values().get() == before
    assert refused.headers["ETag"] == done.headers["ETag"] == second.get(url).headers["ETag"]
