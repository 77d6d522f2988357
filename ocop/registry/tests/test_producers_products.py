"""Registering and editing producers and products through the services."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from ocop.accounts.models import AuditEvent
from ocop.geo.models import Commune, Province
from ocop.registry import services
from ocop.registry.models import Producer, Product, ProductSet


def _producer_data(**extra):
    return {"name": "Hợp tác xã Dịch vụ Nông nghiệp Phú Cần", "kind": "cooperative", **extra}


@pytest.mark.django_db
def test_an_old_style_address_is_placed_on_both_boundaries(central):
    producer = services.producer_create(
        user=central, data=_producer_data(address="Ấp Chợ, Xã Phú Cần, Huyện Tiểu Cần, Tỉnh Trà Vinh")
    )
    assert (producer.historical_commune.name, producer.historical_commune.era_id) == (
        "Xã Phú Cần",
        "pre-2025-07",
    )
    assert producer.historical_district.name == "Huyện Tiểu Cần"
    assert producer.historical_province.name == "Tỉnh Trà Vinh"
    assert (producer.commune.name, producer.commune.era_id) == ("Xã Tiểu Cần", "2025-07")
    assert producer.province.name == "Tỉnh Vĩnh Long"
    assert producer.commune == producer.historical_commune.successor


@pytest.mark.django_db
def test_a_new_style_address_has_no_historical_units(central):
    producer = services.producer_create(
        user=central, data=_producer_data(address="Thôn 2, Xã Tiểu Cần, Tỉnh Vĩnh Long")
    )
    assert (producer.commune.name, producer.province.name) == ("Xã Tiểu Cần", "Tỉnh Vĩnh Long")
    assert (producer.historical_commune, producer.historical_province) == (None, None)


@pytest.mark.django_db
def test_an_unresolvable_address_is_an_error_on_the_address_field(central):
    with pytest.raises(ValidationError) as error:
        services.producer_create(user=central, data=_producer_data(address="Xã Không Có, Tỉnh Đâu Đó"))
    assert list(error.value.message_dict) == ["address"]
    assert not Producer.objects.exists()


@pytest.mark.django_db
def test_tax_codes_are_normalised_validated_and_unique(central):
    producer = services.producer_create(
        user=central, data=_producer_data(address="Xã Tiểu Cần, Tỉnh Vĩnh Long", tax_code="0100.233.488")
    )
    assert producer.tax_code == "0100233488"
    with pytest.raises(ValidationError) as error:
        services.producer_create(
            user=central, data=_producer_data(address="Xã Tiểu Cần, Tỉnh Vĩnh Long", tax_code="0100233489")
        )
    assert error.value.message_dict["tax_code"] == ["Tax code '0100233489': the check digit does not match."]
    with pytest.raises(ValidationError) as error:
        services.producer_create(
            user=central,
            data=_producer_data(name="Khác", address="Xã Tiểu Cần, Tỉnh Vĩnh Long", tax_code="0100233488"),
        )
    assert list(error.value.message_dict) == ["tax_code"]
    assert Producer.objects.count() == 1


@pytest.mark.django_db
def test_the_legal_form_must_fit_the_producer_type(central):
    with pytest.raises(ValidationError) as error:
        services.producer_create(
            user=central,
            data=_producer_data(
                kind="household", legal_form="joint_stock", address="Xã Tiểu Cần, Tỉnh Vĩnh Long"
            ),
        )
    assert list(error.value.message_dict) == ["legal_form"]


@pytest.mark.django_db
def test_officers_register_only_inside_their_jurisdiction(geo, officer_a, commune_officer_a, owner_a):
    from ocop.geo.services import place

    location_a2 = place("", commune=geo.a2)
    producer = services.producer_create(
        user=officer_a, data=_producer_data(address="Ấp 1"), location=location_a2
    )
    assert producer.commune == geo.a2
    for user in (commune_officer_a, owner_a):
        with pytest.raises(ValidationError) as error:
            services.producer_create(user=user, data=_producer_data(address="Ấp 2"), location=location_a2)
        assert "outside your jurisdiction" in error.value.message_dict["address"][0]
    assert Producer.objects.count() == 1
    assert AuditEvent.objects.filter(action="producer.create").count() == 1


@pytest.mark.django_db
def test_moving_a_producer_needs_the_right_to_place_it_there(records, owner_a, officer_a, geo):
    from ocop.geo.services import place

    # The owner may edit details in place...
    services.producer_update(user=owner_a, producer=records.p, data={"phone": "0276 3812 345"})
    # ...but not move the producer to another province.
    with pytest.raises(ValidationError):
        services.producer_update(
            user=owner_a, producer=records.p, data={}, location=place("", commune=geo.b1)
        )
    records.p.refresh_from_db()
    assert (records.p.phone, records.p.commune) == ("0276 3812 345", geo.a1)
    # An officer of A cannot move it out of A either, but can move it within A.
    with pytest.raises(ValidationError):
        services.producer_update(
            user=officer_a, producer=records.p, data={}, location=place("", commune=geo.b1)
        )
    services.producer_update(user=officer_a, producer=records.p, data={}, location=place("", commune=geo.a2))
    records.p.refresh_from_db()
    assert records.p.commune == geo.a2
    changes = AuditEvent.objects.filter(action="producer.update").order_by("pk")
    assert [e.data["changes"] for e in changes] == [
        {"phone": ["", "0276 3812 345"]},
        {"commune": [geo.a1.pk, geo.a2.pk]},
    ]


@pytest.mark.django_db
def test_editing_someone_elses_producer_is_refused(records, owner_b, officer_b):
    for user in (owner_b, officer_b):
        with pytest.raises(PermissionDenied):
            services.producer_update(user=user, producer=records.p, data={"name": "X"})
    records.p.refresh_from_db()
    assert records.p.name == "Hợp tác xã Nông nghiệp Phú Cần"


@pytest.mark.django_db
def test_gtins_are_checked_and_stored_as_14_digits(records, owner_a):
    product = services.product_create(
        user=owner_a,
        producer=records.p,
        data={"name_vi": "Nước mắm", "group": "food", "gtin": "8934563138165"},
    )
    assert product.gtin == "08934563138165"
    with pytest.raises(ValidationError) as error:
        services.product_update(user=owner_a, product=product, data={"gtin": "8934563138166"})
    assert error.value.message_dict == {"gtin": ["GTIN '8934563138166': the check digit should be 5, not 6."]}
    with pytest.raises(ValidationError) as error:
        services.product_create(
            user=owner_a,
            producer=records.p,
            data={"name_vi": "Trùng", "group": "food", "gtin": "08934563138165"},
        )
    assert list(error.value.message_dict) == ["gtin"]


@pytest.mark.django_db
def test_a_product_set_decides_or_must_agree_with_the_group(records, owner_a):
    fresh_produce = ProductSet.objects.get(taxonomy_id="148", code="I.1.a")
    product = services.product_create(
        user=owner_a, producer=records.p, data={"name_vi": "Bưởi da xanh", "product_set": fresh_produce}
    )
    assert product.group == "food"
    with pytest.raises(ValidationError) as error:
        services.product_update(
            user=owner_a, product=product, data={"group": "handicraft"} | {"product_set": fresh_produce}
        )
    assert list(error.value.message_dict) == ["product_set"]
    product.refresh_from_db()
    assert product.group == "food"


@pytest.mark.django_db
def test_products_are_added_only_to_producers_in_reach(records, owner_b, officer_b):
    for user in (owner_b, officer_b):
        with pytest.raises(PermissionDenied):
            services.product_create(user=user, producer=records.p, data={"name_vi": "X", "group": "food"})
    assert Product.objects.filter(producer=records.p).count() == 2


def _png(size=(16, 16)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 60)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.django_db
def test_photos_must_really_be_images(records, owner_a, settings):
    photo = services.photo_add(
        user=owner_a,
        product=records.p_draft,
        image=SimpleUploadedFile("a.png", _png(), "image/png"),
        caption="Hộp",
    )
    assert photo.image.name.startswith(f"products/{records.p_draft.pk}/")
    fake = SimpleUploadedFile("virus.png", b"MZ\x90\x00 this is an executable", "image/png")
    with pytest.raises(ValidationError) as error:
        services.photo_add(user=owner_a, product=records.p_draft, image=fake)
    not_a_photo = {"image": ["Photos must be JPEG, PNG or WebP images; this file is none of these."]}
    assert error.value.message_dict == not_a_photo
    gif = io.BytesIO()
    Image.new("RGB", (4, 4)).save(gif, format="GIF")
    with pytest.raises(ValidationError) as error:
        services.photo_add(
            user=owner_a, product=records.p_draft, image=SimpleUploadedFile("a.gif", gif.getvalue())
        )
    assert error.value.message_dict == not_a_photo
    settings.OCOP_PHOTO_MAX_BYTES = 50
    with pytest.raises(ValidationError) as error:
        services.photo_add(user=owner_a, product=records.p_draft, image=SimpleUploadedFile("b.png", _png()))
    assert error.value.message_dict == {"image": ["The photo is 0.0 MB; the limit is 0.0 MB."]}
    assert records.p_draft.photos.count() == 1


@pytest.mark.django_db
def test_current_units_only_are_offered_to_place_producers(officer_a, geo):
    from ocop.registry.forms import placeable_communes, placeable_provinces

    assert list(placeable_provinces(officer_a)) == [geo.province_a]
    communes = placeable_communes(officer_a)
    assert communes.count() == Commune.objects.current().filter(province=geo.province_a).count()
    assert not communes.exclude(era_id="2025-07").exists()
    assert Province.objects.current().count() == 34
