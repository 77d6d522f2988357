"""Programme targets: the data file, who may set them, and what each measure counts."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ocop.accounts.models import AuditEvent
from ocop.concurrency import token
from ocop.geo.gazetteer import CURRENT
from ocop.monitoring import measures, services
from ocop.monitoring.dashboard import target_row
from ocop.monitoring.models import Target
from ocop.monitoring.units import Unit

DAY = timedelta(days=1)
START, END = date(2021, 1, 1), date(2025, 12, 31)


# --------------------------------------------------------------------------------------------
# The data file
# --------------------------------------------------------------------------------------------


def test_the_national_targets_of_decision_919_are_loaded(db):
    national = {t.key: t for t in Target.objects.national() if t.key}
    assert national["qd919-products-3-stars"].value == 10_000
    assert national["qd919-products-5-stars"].value == 400
    assert national["qd919-cooperatives"].producer_kind == "cooperative"
    assert national["qd919-cooperatives"].value == 40
    assert national["qd919-smes"].value == 30
    assert {t.period_end for t in national.values()} == {END}
    assert len(national) == 8
    # Marked as the domain file marks them: confirmed by secondary sources only.
    assert {t.confidence for t in national.values()} == {"S"}


def test_loading_again_changes_nothing_and_a_changed_file_updates_by_key(db, tmp_path):
    assert services.targets_sync() is None  # unchanged since migrate
    changed = tmp_path / "targets.yaml"
    changed.write_text(
        services.TARGETS_FILE.read_text(encoding="utf-8").replace("value: 10000", "value: 12000"),
        encoding="utf-8",
    )
    assert services.targets_sync(changed) == 8
    assert Target.objects.get(key="qd919-products-3-stars").value == 12_000
    assert Target.objects.national().count() == 8  # updated, not duplicated
    assert services.targets_sync(changed) is None


def test_a_bad_file_names_every_problem_and_writes_nothing(db, tmp_path):
    bad = tmp_path / "targets.yaml"
    bad.write_text(
        """
targets:
  - key: a
    measure: products_min_stars
    stars: 7
    period: [2021-01-01, 2025-12-31]
    value: 10
  - key: a
    measure: cooperatives
    period: [2025-12-31, 2021-01-01]
    value: -1
  - key: c
    measure: producer_kind_share
    period: [2021-01-01, 2025-12-31]
    value: 140
    province: "99"
""",
        encoding="utf-8",
    )
    before = Target.objects.count()
    with pytest.raises(services.TargetFileError) as caught:
        services.targets_sync(bad)
    problems = caught.value.problems
    assert "target 1 (a): stars: Give the number of stars: 3, 4 or 5." in problems
    assert "target 2 (a): key: used twice" in problems
    assert "target 2 (a): measure: Unknown measure “cooperatives”." in problems
    assert "target 2 (a): period_end: The period ends before it starts." in problems
    assert "target 2 (a): value: A target cannot be negative." in problems
    assert "target 3 (c): province: no current province has code 99" in problems
    assert "target 3 (c): producer_kind: Choose a producer type." in problems
    assert "target 3 (c): value: A share is a percentage: at most 100." in problems
    assert str(bad) in str(caught.value)
    assert Target.objects.count() == before


def test_a_key_given_twice_in_an_entry_is_refused_with_its_line(db, tmp_path):
    # A plain YAML reader keeps the last "value" silently: the target would load as 900.
    bad = tmp_path / "targets.yaml"
    bad.write_text("targets:\n  - key: a\n    value: 90\n    value: 900\n", encoding="utf-8")
    before = list(Target.objects.values_list("pk", "key", "value"))
    with pytest.raises(services.TargetFileError) as caught:
        services.targets_sync(bad)
    assert caught.value.problems == ["not valid YAML: line 4: duplicate key 'value'"]
    assert list(Target.objects.values_list("pk", "key", "value")) == before


def test_the_shipped_file_is_valid(db):
    entries = services.parse_targets_file(Path(services.TARGETS_FILE))
    assert [e["key"] for e in entries][:2] == ["qd919-products-3-stars", "qd919-products-5-stars"]


# --------------------------------------------------------------------------------------------
# Who sets targets
# --------------------------------------------------------------------------------------------


@pytest.fixture
def people(officers):
    return officers


def _fields(province, **changes):
    return {
        "province": province,
        "measure": "products_new",
        "stars": 3,
        "period_start": date(2026, 1, 1),
        "period_end": date(2026, 12, 31),
        "value": Decimal(30),
        **changes,
    }


def test_a_province_officer_sets_their_province_target_and_it_is_audited(people, units):
    target = services.target_create(user=people.tay_ninh, **_fields(units.tay_ninh))
    event = AuditEvent.objects.get(action="target.create")
    assert (event.actor, event.object_id, event.province_id) == (
        people.tay_ninh,
        str(target.pk),
        units.tay_ninh.pk,
    )
    assert event.data["after"]["value"] == "30"
    services.target_update(user=people.tay_ninh, target=target, value=Decimal(45))
    assert AuditEvent.objects.get(action="target.update").data["changes"] == {"value": ["30.00", "45"]}


@pytest.mark.parametrize("who", ["vinh_long", "ward"])
def test_nobody_sets_another_province_target(people, units, who):
    with pytest.raises(PermissionDenied):
        services.target_create(user=getattr(people, who), **_fields(units.tay_ninh))
    assert not Target.objects.filter(province=units.tay_ninh).exists()


def test_only_the_central_office_sets_national_targets(people, units):
    with pytest.raises(PermissionDenied):
        services.target_create(user=people.tay_ninh, **_fields(None))
    national = Target.objects.get(key="qd919-products-3-stars")
    with pytest.raises(PermissionDenied):
        services.target_update(user=people.tay_ninh, target=national, value=Decimal(1))
    with pytest.raises(PermissionDenied):
        services.target_delete(user=people.tay_ninh, target=national)
    assert Target.objects.get(pk=national.pk).value == 10_000
    services.target_create(user=people.central, **_fields(None, period_start=date(2026, 1, 1)))


def test_an_officer_cannot_move_a_target_to_another_province(people, units):
    target = services.target_create(user=people.tay_ninh, **_fields(units.tay_ninh))
    with pytest.raises(PermissionDenied):
        services.target_update(user=people.tay_ninh, target=target, province=units.vinh_long)
    assert Target.objects.get(pk=target.pk).province == units.tay_ninh


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"stars": 0}, "stars"),
        ({"measure": "producer_kind_share", "stars": 0}, "producer_kind"),
        ({"measure": "showrooms", "stars": 3}, "stars"),
        ({"period_end": date(2025, 1, 1)}, "period_end"),
        ({"value": Decimal("2.5")}, "value"),
        ({"measure": "provinces_with_showroom", "stars": 0}, "province"),
    ],
)
def test_invalid_targets_are_refused_field_by_field(people, units, changes, field):
    with pytest.raises(ValidationError) as caught:
        services.target_create(user=people.central, **_fields(units.tay_ninh, **changes))
    assert field in caught.value.message_dict
    assert not Target.objects.filter(province=units.tay_ninh).exists()
    assert not AuditEvent.objects.filter(action="target.create").exists()


def test_the_same_target_twice_is_refused(people, units):
    services.target_create(user=people.central, **_fields(units.tay_ninh))
    with pytest.raises(ValidationError) as caught:
        services.target_create(user=people.central, **_fields(units.tay_ninh, value=Decimal(50)))
    assert "measure" in caught.value.message_dict
    assert Target.objects.filter(province=units.tay_ninh).count() == 1


# --------------------------------------------------------------------------------------------
# What each measure counts
# --------------------------------------------------------------------------------------------


def _read(measure, unit, day, **kwargs):
    reading = measures.read(measure, unit=unit, day=day, **kwargs)
    # The rows a measure lists are the rows it counts.
    top = measures.numerator(measure, unit=unit, day=day, **kwargs)
    assert top.count() == (reading.numerator if reading.denominator is not None else reading.value)
    return reading


def test_new_products_are_those_first_recognised_in_the_period(registry, units):
    p = registry.producer(province=units.tay_ninh)
    registry.recognised_product(p, 3, date(2026, 2, 1))  # new
    old = registry.recognised_product(p, 3, date(2022, 1, 5))
    registry.recognise(old, 4, date(2026, 3, 1))  # re-rated: not new
    registry.recognised_product(p, 4, date(2026, 4, 1), revoked=date(2026, 5, 1))  # revoked: not new
    registry.recognised_product(p, 2, date(2026, 4, 1))  # 2 stars: not an OCOP product
    registry.recognised_product(p, 5, date(2026, 9, 1))  # after the day
    elsewhere = registry.producer(province=units.vinh_long)
    registry.recognised_product(elsewhere, 3, date(2026, 2, 1))
    unit = Unit(era=CURRENT, province=units.tay_ninh)
    reading = _read("products_new", unit, date(2026, 6, 30), period_start=date(2026, 1, 1), stars=3)
    assert reading.value == 1
    four = _read("products_new", unit, date(2026, 6, 30), period_start=date(2026, 1, 1), stars=4)
    assert four.value == 0


def test_upgraded_and_re_rated_products(registry, units):
    p = registry.producer(province=units.tay_ninh)
    up = registry.recognised_product(p, 3, date(2020, 5, 1))
    registry.recognise(up, 4, date(2023, 5, 1))  # upgraded in the period
    same = registry.recognised_product(p, 4, date(2020, 6, 1))
    registry.recognise(same, 4, date(2023, 6, 1))  # re-rated, same stars
    down = registry.recognised_product(p, 5, date(2020, 7, 1))
    registry.recognise(down, 3, date(2023, 7, 1))  # re-rated lower
    registry.recognised_product(p, 3, date(2020, 8, 1))  # not re-rated
    registry.recognised_product(p, 4, date(2022, 1, 1))  # first rated in the period
    unit = Unit(era=CURRENT, province=units.tay_ninh)
    day = date(2025, 12, 31)
    assert _read("products_upgraded", unit, day, period_start=START).value == 1
    rerated = _read("products_rerated_share", unit, day, period_start=START)
    # Of the four rated before 2021, three got a new recognition of 3 stars or more.
    assert (rerated.numerator, rerated.denominator, rerated.value) == (3, 4, Decimal("75.00"))


def test_shares_of_producer_types_count_producers_with_a_counted_product(registry, units):
    day = date(2024, 6, 1)
    for kind, stars in [("cooperative", 3), ("cooperative", 4), ("enterprise", 5), ("household", 2)]:
        registry.recognised_product(registry.producer(province=units.tay_ninh, kind=kind), stars)
    registry.producer(province=units.tay_ninh, kind="cooperative")  # no product: not an OCOP producer
    unit = Unit(era=CURRENT, province=units.tay_ninh)
    reading = _read("producer_kind_share", unit, day, producer_kind="cooperative")
    assert (reading.numerator, reading.denominator, reading.value) == (2, 3, Decimal("66.67"))
    counter = measures.Counter(unit)
    assert (
        measures.read("producer_kind_share", unit=unit, day=day, producer_kind="cooperative", counter=counter)
        == reading
    )


def test_modern_channels_count_producers_selling_there_on_the_day(registry, units):
    from ocop.market.models import SalesChannel

    day = date(2024, 6, 1)
    producers = [registry.producer(province=units.tay_ninh) for _i in range(4)]
    for producer in producers:
        registry.recognised_product(producer, 3)
    SalesChannel.objects.create(
        producer=producers[0], kind="supermarket_chain", partner="Co.opmart", started_on=date(2023, 1, 1)
    )
    SalesChannel.objects.create(
        producer=producers[1],
        kind="ecommerce",
        partner="Shopee",
        started_on=date(2023, 1, 1),
        ended_on=date(2024, 1, 1),
    )
    SalesChannel.objects.create(
        producer=producers[2], kind="export", partner="Nhật Bản", started_on=date(2023, 1, 1)
    )
    SalesChannel.objects.create(
        producer=producers[3], kind="livestream", partner="TikTok", started_on=day + DAY
    )
    unit = Unit(era=CURRENT, province=units.tay_ninh)
    reading = _read("modern_channel_share", unit, day)
    assert (reading.numerator, reading.denominator, reading.value) == (1, 4, Decimal("25.00"))


def test_showrooms_and_provinces_with_one(db, units):
    from ocop.market.models import PointOfSale

    day = date(2024, 6, 1)

    def point(province, kind="ocop_point", opened=None, closed=None):
        PointOfSale.objects.create(
            name=f"Điểm {PointOfSale.objects.count()}",
            kind=kind,
            address="—",
            province=province,
            opened_on=opened,
            closed_on=closed,
        )

    point(units.tay_ninh)
    point(units.tay_ninh, opened=date(2024, 9, 1))  # not yet open
    point(units.vinh_long, closed=date(2024, 1, 1))  # closed
    point(units.vinh_long, kind="supermarket")  # not an OCOP point
    point(units.phu_tho, opened=date(2023, 1, 1))
    assert _read("showrooms", Unit(era=CURRENT, province=units.tay_ninh), day).value == 1
    assert _read("showrooms", Unit(era=CURRENT, province=units.vinh_long), day).value == 0
    share = _read("provinces_with_showroom", Unit(era=CURRENT), day)
    assert (share.numerator, share.denominator) == (2, 34)


def test_craft_villages_with_an_ocop_product(registry, units):
    from ocop.registry.models import CraftVillage

    day = date(2024, 6, 1)
    villages = [
        CraftVillage.objects.create(name=f"Làng {i}", province=units.tay_ninh, commune=units.long_an_ward)
        for i in range(3)
    ]
    CraftVillage.objects.create(
        name="Làng mới", province=units.tay_ninh, recognised_on=date(2025, 1, 1)
    )  # later
    with_product = registry.producer(province=units.tay_ninh)
    with_product.craft_village = villages[0]
    with_product.save()
    registry.recognised_product(with_product, 3)
    lapsed = registry.producer(province=units.tay_ninh)
    lapsed.craft_village = villages[1]
    lapsed.save()
    registry.recognised_product(lapsed, 3, on=date(2020, 1, 1))  # expired by the day
    unit = Unit(era=CURRENT, province=units.tay_ninh)
    reading = _read("craft_village_share", unit, day)
    assert (reading.numerator, reading.denominator) == (1, 3)
    assert _read("craft_village_share", Unit(era=CURRENT, province=units.vinh_long), day).denominator == 0


def test_progress_of_a_province_target_on_a_day(people, registry, units):
    target = services.target_create(user=people.tay_ninh, **_fields(units.tay_ninh, value=Decimal(4)))
    p = registry.producer(province=units.tay_ninh)
    for month in (1, 2, 3):
        registry.recognised_product(p, 3, date(2026, month, 10))
    row = target_row(target, date(2026, 7, 1))
    assert row.progress.actual == 3
    assert row.progress.status == "on_track"  # 3 of 4 by the year's middle: ahead of 2
    later = target_row(target, date(2027, 2, 1))  # judged on the period's last day
    assert later.progress.actual == 3 and later.progress.status == "missed"
    assert later.figure.day == date(2026, 12, 31)


# --------------------------------------------------------------------------------------------
# Craft villages, as province officers keep them
# --------------------------------------------------------------------------------------------


def test_an_officer_records_a_craft_village_and_the_measure_follows(client, people, registry, units):
    from ocop.registry.models import CraftVillage

    member = registry.producer(province=units.tay_ninh, commune=units.long_an_ward)
    registry.recognised_product(member, 4, on=date.today() - 30 * DAY)
    outsider = registry.producer(province=units.vinh_long)
    client.force_login(people.tay_ninh)
    form = {
        "name": "Làng nghề bánh tráng",
        "craft": "Bánh tráng",
        "is_traditional": "on",
        "province": units.tay_ninh.pk,
        "commune": units.long_an_ward.pk,
        "recognised_on": "2015-05-01",
        "producers": [member.pk],
    }
    assert client.post("/manage/craft-villages/new/", form).status_code == 302
    village = CraftVillage.objects.get(name="Làng nghề bánh tráng")
    member.refresh_from_db()
    assert member.craft_village == village and village.is_traditional
    event = AuditEvent.objects.get(action="craft_village.create")
    assert event.data["producers"] == [member.pk] and event.province_id == units.tay_ninh.pk
    unit = Unit(era=CURRENT, province=units.tay_ninh)
    assert _read("craft_village_share", unit, date.today()).value == 100
    listing = client.get("/manage/craft-villages/?province=80").content.decode()
    assert "Làng nghề bánh tráng" in listing and 'badge valid">' in listing

    # A producer of another province cannot be linked, and nothing changes.
    refused = client.post(f"/manage/craft-villages/{village.pk}/edit/", {**form, "producers": [outsider.pk]})
    assert refused.status_code == 200
    outsider.refresh_from_db()
    assert outsider.craft_village is None
    assert not AuditEvent.objects.filter(action="craft_village.update").exists()

    # Unlinking the producer: the village no longer has an OCOP product.
    unlink = {**form, "producers": [], "version": token(CraftVillage.objects.get(pk=village.pk))}
    assert client.post(f"/manage/craft-villages/{village.pk}/edit/", unlink).status_code == 302
    member.refresh_from_db()
    assert member.craft_village is None
    assert _read("craft_village_share", unit, date.today()).value == 0


def test_officers_of_another_province_neither_see_nor_change_a_village(client, people, units):
    from ocop.registry.models import CraftVillage

    village = CraftVillage.objects.create(name="Làng gốm", province=units.tay_ninh)
    client.force_login(people.vinh_long)
    assert client.get(f"/manage/craft-villages/{village.pk}/edit/").status_code == 404
    with pytest.raises(PermissionDenied):
        services.craft_village_save(
            user=people.vinh_long, village=village, name="Làng gốm cổ", province=units.tay_ninh
        )
    with pytest.raises(PermissionDenied):
        services.craft_village_save(user=people.ward, name="Làng mới", province=units.tay_ninh)
    assert CraftVillage.objects.get().name == "Làng gốm"
