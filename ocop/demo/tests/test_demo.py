"""The demo dataset: deterministic, internally consistent, and built once.

Each test builds a small dataset (scale 0.01: 100 producers, 180 products), which takes well
under a second; the full-scale timing is measured by hand (see the command's output).
"""

import hashlib
from datetime import date
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count

from ocop.accounts.models import Grant
from ocop.demo import services
from ocop.demo.generator import NATIONAL_PRODUCERS, NATIONAL_PRODUCTS, QD148, QD1489
from ocop.demo.vocabulary import TEMPLATES, apportion, group_of_set, province_shares
from ocop.geo.gazetteer import REFORM_DATE
from ocop.geo.models import Province, ReferenceDataset
from ocop.geo.services import locate
from ocop.registry import models as registry
from ocop.registry.identifiers import normalise_gtin, normalise_tax_code
from ocop.registry.models import Producer, Product, Recognition
from ocop.registry.services import PRODUCER_FIELDS, validity_end
from ocop.registry.tests.listfiles import registry_state

TODAY = date(2026, 11, 23)
SCALE = 0.01

pytestmark = pytest.mark.django_db


@pytest.fixture
def built():
    return services.demo_build(seed=2025, scale=SCALE, today=TODAY)


def _digest() -> str:
    """Everything the generator decides, without database ids: the registry as a list holds it,
    and what only the records hold."""
    producers = sorted(Producer.objects.values_list(*PRODUCER_FIELDS))
    products = sorted(Product.objects.values_list("producer__name", "name_vi", "ocop_code"))
    recognitions = sorted(
        Recognition.objects.values_list(
            "product__name_vi", "recognised_on", "issuer_province__code", "superseded_by__recognised_on"
        )
    )
    extras = sorted(
        registry.Certification.objects.values_list("product__name_vi", "kind", "number", "issued_on")
    ) + sorted(
        registry.IntellectualProperty.objects.values_list("product__name_vi", "kind", "title", "number")
    )
    state = (registry_state(), producers, products, recognitions, extras)
    return hashlib.sha256(repr(state).encode()).hexdigest()


def _delete_demo():
    """Empty every table the demo writes, whatever apps added records on top of the registry.

    Raw DELETEs in any order: the foreign keys are deferred to the end of the transaction (which
    the test never commits), so PROTECT relations between apps do not need an order."""
    from django.apps import apps
    from django.db import connection

    reference = {"geo", "taxonomy", "productset", "criteriaset"}
    tables = []
    for model in apps.get_models(include_auto_created=True):
        label = model._meta.label_lower
        if not model.__module__.startswith(("ocop.", "django.contrib.auth")) and not label.startswith(
            "accounts."
        ):
            continue
        if model._meta.app_label == "geo" or model._meta.model_name in reference:
            continue
        if model._meta.auto_created and model._meta.auto_created._meta.model_name in reference:
            continue
        if model._meta.app_label in {"auth", "contenttypes"}:
            continue
        tables.append(model._meta.db_table)
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")
    ReferenceDataset.objects.filter(name=services.DATASET).delete()
    assert get_user_model().objects.count() == 0


# --- determinism -----------------------------------------------------------------------------


def test_the_same_seed_builds_exactly_the_same_dataset():
    services.demo_build(seed=2025, scale=SCALE, today=TODAY)
    first = _digest()
    counts = (Producer.objects.count(), Product.objects.count(), Recognition.objects.count())
    _delete_demo()
    assert Producer.objects.count() == 0

    services.demo_build(seed=2025, scale=SCALE, today=TODAY)

    assert _digest() == first
    assert (Producer.objects.count(), Product.objects.count(), Recognition.objects.count()) == counts
    _delete_demo()
    services.demo_build(seed=7, scale=SCALE, today=TODAY)
    assert _digest() != first


# --- sizes and spread ------------------------------------------------------------------------


def test_sizes_follow_the_scale_and_every_province_appears(built):
    assert Producer.objects.count() == round(NATIONAL_PRODUCERS * SCALE) == built["producers"] == 100
    assert Product.objects.count() == round(NATIONAL_PRODUCTS * SCALE) == built["products"] == 180
    assert Recognition.objects.count() == built["recognitions"]
    current = set(Province.objects.current().values_list("pk", flat=True))
    assert len(current) == 34
    assert set(Producer.objects.values_list("province", flat=True)) == current
    # Every product has been recognised at least once.
    assert Product.objects.filter(recognitions__isnull=True).count() == 0


def test_province_weighting_gives_every_province_a_positive_share():
    codes = list(Province.objects.current().values_list("code", flat=True))
    shares = province_shares(codes)

    assert set(shares) == set(codes) and len(codes) == 34
    assert all(share > 0 for share in shares.values())
    assert sum(shares.values()) == pytest.approx(1.0)
    # Hà Nội: about 3,400 of 18,000 products.
    assert max(shares, key=shares.get) == "01"
    assert 0.17 < shares["01"] < 0.21
    full = apportion(NATIONAL_PRODUCTS, shares)
    assert sum(full.values()) == NATIONAL_PRODUCTS
    assert min(full.values()) > 100


def test_apportion_is_exact_and_gives_everyone_the_minimum():
    shares = {"a": 0.7, "b": 0.2, "c": 0.1}
    assert apportion(10, shares) == {"a": 7, "b": 2, "c": 1}
    assert apportion(4, shares) == {"a": 2, "b": 1, "c": 1}
    # Too few for a minimum each: plain proportions.
    assert apportion(2, {"a": 0.8, "b": 0.15, "c": 0.05}) == {"a": 2, "b": 0, "c": 0}


# --- places ------------------------------------------------------------------------------------


def test_producers_sit_in_the_province_of_their_commune(built):
    for producer in Producer.objects.select_related("commune", "historical_commune", "historical_district"):
        assert producer.commune.is_current
        assert producer.province_id == producer.commune.province_id
        if producer.historical_commune_id:
            assert producer.commune_id == producer.historical_commune.successor_id
            assert producer.historical_district_id == producer.historical_commune.district_id
            assert producer.historical_province_id == producer.historical_commune.province_id
            assert producer.address.endswith(
                f"{producer.historical_commune.name}, {producer.historical_district.name}, "
                f"{producer.historical_commune.province.name}"
            )
        else:
            assert producer.historical_district_id is None and producer.historical_province_id is None
            assert producer.address.endswith(f"{producer.commune.name}, {producer.province.name}")
    # Most producers predate the reform; their recognitions before it were issued on old units.
    assert Producer.objects.filter(historical_commune__isnull=False).count() > 80


def test_addresses_resolve_to_the_units_stored(built):
    for producer in Producer.objects.all():
        on = date(2024, 1, 1) if producer.historical_commune_id else TODAY
        location = locate(producer.address, on=on)
        assert (location.province.pk, location.commune.pk) == (producer.province_id, producer.commune_id)
        assert (location.historical_commune.pk if location.historical_commune else None) == (
            producer.historical_commune_id
        )


# --- identifiers and names ---------------------------------------------------------------------


def test_tax_codes_and_gtins_are_valid_and_stored_normalised(built):
    tax_codes = list(Producer.objects.exclude(tax_code=None).values_list("tax_code", flat=True))
    gtins = list(Product.objects.exclude(gtin=None).values_list("gtin", flat=True))
    assert tax_codes and gtins
    assert all(normalise_tax_code(code) == code for code in tax_codes)
    assert all(normalise_gtin(gtin) == gtin and gtin.startswith("0893") for gtin in gtins)
    assert Producer.objects.filter(tax_code="").count() == 0
    assert Product.objects.filter(gtin="").count() == 0
    enterprises = Producer.objects.filter(kind__in=["enterprise", "cooperative"])
    assert all(
        len(code) == 10 for code in enterprises.exclude(tax_code=None).values_list("tax_code", flat=True)
    )


def test_names_keys_and_legal_forms_are_consistent(built):
    from ocop.registry.choices import LEGAL_FORMS_BY_TYPE
    from ocop.vntext import fold

    for producer in Producer.objects.all():
        assert producer.name_key == fold(producer.name)
        assert producer.legal_form in LEGAL_FORMS_BY_TYPE[producer.kind]
    for product in Product.objects.select_related("product_set"):
        assert product.name_key == fold(product.name_vi)
        if product.product_set:
            assert product.product_set.group == product.group
    assert Product.objects.values("name_vi").annotate(n=Count("id")).filter(n__gt=1).count() == 0
    assert Producer.objects.values("name").annotate(n=Count("id")).filter(n__gt=1).count() == 0


def test_templates_name_sets_of_their_own_group():
    codes = {(t, c): g for t, c, g in registry.ProductSet.objects.values_list("taxonomy_id", "code", "group")}
    for template in TEMPLATES:
        group = group_of_set(template.set148)
        assert codes[("148", template.set148)] == group, template
        if template.set1048:
            assert codes[("1048", template.set1048)] == group, template
        assert "{place}" in template.vi and "{place}" in template.en


def test_product_sets_follow_the_taxonomy_of_the_latest_recognition(built):
    for product in Product.objects.select_related("product_set").prefetch_related("recognitions"):
        latest = max(r.recognised_on for r in product.recognitions.all())
        assert product.product_set.taxonomy_id == ("148" if latest >= QD148 else "1048")


# --- recognitions ------------------------------------------------------------------------------


def test_recognitions_follow_the_rules_of_their_time(built):
    recognitions = Recognition.objects.select_related("product__producer")
    assert recognitions.count() > 180
    for r in recognitions:
        producer = r.product.producer
        assert date(2019, 9, 1) <= r.recognised_on <= TODAY
        assert r.valid_until == validity_end(r.recognised_on)
        assert (r.stars == 5) == (r.level == "central")
        band = {3: (50, 70), 4: (70, 90), 5: (90, 100.01)}[r.stars]
        assert band[0] <= r.score < band[1]
        if r.level == "central":
            assert r.issuer_province_id is None
            continue
        if r.recognised_on < QD148:
            assert r.level == "province"
        elif r.recognised_on < QD1489:
            assert r.level == ("district" if r.stars == 3 else "province")
        else:
            assert r.level == "province"
        assert r.taxonomy_id == ("1048" if r.recognised_on < QD148 else "148")
        if r.recognised_on < REFORM_DATE:
            assert r.issuer_province_id == producer.historical_province_id is not None
        else:
            assert r.issuer_province_id == producer.province_id


def test_superseded_recognitions_point_at_a_later_one_of_the_same_product(built):
    superseded = Recognition.objects.exclude(superseded_by=None).select_related("superseded_by")
    assert superseded.exists()
    for r in superseded:
        successor = r.superseded_by
        assert successor.product_id == r.product_id
        assert successor.recognised_on == r.superseded_on
        assert r.recognised_on < r.superseded_on <= r.valid_until
    assert Recognition.objects.filter(superseded_by=None).exclude(superseded_on=None).count() == 0


def test_revocations_have_a_reason_and_a_date_after_the_decision(built):
    revoked = Recognition.objects.exclude(revoked_on=None)
    for r in revoked:
        assert r.recognised_on <= r.revoked_on <= TODAY
        assert r.revocation_reason
        assert r.superseded_on is None
    assert Recognition.objects.filter(revoked_on=None).exclude(revocation_reason="").count() == 0


def test_summary_matches_the_registry_queries(built):
    valid = Recognition.objects.valid_on(TODAY)
    assert built["products_by_status"]["valid"] == Product.objects.valid_on(TODAY).count() == valid.count()
    assert dict(built["valid_by_stars"]) == dict(valid.values_list("stars").annotate(n=Count("id")))
    assert built["recognitions_by_status"]["revoked"] == Recognition.objects.exclude(revoked_on=None).count()
    assert sum(built["products_by_status"].values()) == Product.objects.count()


# --- accounts ----------------------------------------------------------------------------------


def test_demo_accounts_have_their_roles(built):
    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(username__in=[a[0] for a in services.ACCOUNTS])}
    assert sorted(users) == sorted(["central", "hanoi", "tayninh", "xa", "hoidong", "sanxuat"])
    assert all(u.check_password("demo") for u in users.values())

    grants = {g.user.username: g for g in Grant.objects.select_related("user", "province", "commune")}
    assert sorted(grants) == ["central", "hanoi", "tayninh", "xa"]
    assert (grants["central"].role, grants["central"].province, grants["central"].commune) == (
        "central",
        None,
        None,
    )
    assert (grants["hanoi"].role, grants["hanoi"].province.code) == ("province_officer", "01")
    assert (grants["tayninh"].role, grants["tayninh"].province.code) == ("province_officer", "80")

    commune = grants["xa"].commune
    assert grants["xa"].role == "commune_officer" and commune.is_current and commune.province.code == "80"
    in_tay_ninh = Producer.objects.filter(province__code="80").values("commune").annotate(n=Count("id"))
    assert Producer.objects.filter(commune=commune).count() == max(row["n"] for row in in_tay_ninh)

    membership = registry.ProducerMember.objects.select_related("producer__province").get(
        user=users["sanxuat"]
    )
    assert membership.producer.province.code == "80"
    assert membership.producer.products.filter(recognitions__isnull=False).distinct().count() >= 3


# --- the command -------------------------------------------------------------------------------


def _run(*args) -> str:
    out = StringIO()
    call_command("demo", "--no-serve", "--scale", str(SCALE), *args, stdout=out)
    return out.getvalue()


def test_second_run_does_not_duplicate_the_data():
    first = _run()
    counts = (
        Producer.objects.count(),
        Product.objects.count(),
        Recognition.objects.count(),
        get_user_model().objects.count(),
        Grant.objects.count(),
    )
    assert counts[:2] == (100, 180)
    assert "Demo data built" in first and "sanxuat" in first and "http://127.0.0.1:8000/" in first

    second = _run()

    assert "Demo data already loaded" in second and "sanxuat" in second
    assert (
        Producer.objects.count(),
        Product.objects.count(),
        Recognition.objects.count(),
        get_user_model().objects.count(),
        Grant.objects.count(),
    ) == counts
    assert ReferenceDataset.objects.filter(name="demo").count() == 1


def test_refuses_to_mix_demo_data_into_a_registry_with_real_producers(records):
    before = (Producer.objects.count(), Product.objects.count())
    with pytest.raises(CommandError, match="not demo data"):
        _run()
    assert (Producer.objects.count(), Product.objects.count()) == before
    assert not ReferenceDataset.objects.filter(name="demo").exists()


def test_reset_refuses_a_database_outside_the_data_directory():
    with pytest.raises(CommandError, match="--force"):
        _run("--reset")
    assert Producer.objects.count() == 0
    assert not ReferenceDataset.objects.filter(name="demo").exists()


def test_rejects_a_scale_out_of_range():
    with pytest.raises(CommandError, match="--scale"):
        _run("--scale", "0")
    assert Producer.objects.count() == 0
