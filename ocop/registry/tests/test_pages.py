"""The registry pages as people use them: forms, filters, and what the public page claims."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from ocop.registry.models import Producer, Product, Recognition


@pytest.fixture
def vi_client():
    return Client(HTTP_ACCEPT_LANGUAGE="vi")


@pytest.mark.django_db
def test_an_ambiguous_address_is_explained_in_vietnamese_on_the_form(vi_client, central):
    vi_client.force_login(central)
    response = vi_client.post(
        "/manage/producers/new/",
        {"name": "HTX Minh Tân", "kind": "cooperative", "address": "Xã Minh Tân, Tỉnh Thái Bình"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "có ở 3 huyện của Tỉnh Thái Bình (cũ)" in page
    assert "hãy ghi thêm huyện" in page
    assert not Producer.objects.exists()


@pytest.mark.django_db
def test_a_producer_registered_from_the_form_is_placed_from_its_old_address(client, central):
    client.force_login(central)
    response = client.post(
        "/manage/producers/new/",
        {
            "name": "Hộ kinh doanh Nguyễn Thị Lan",
            "kind": "household",
            "legal_form": "household_business",
            "address": "Ấp Chợ, xa Phu Can, huyen Tieu Can, tinh Tra Vinh",
        },
    )
    producer = Producer.objects.get()
    assert response.status_code == 302 and response.url == f"/manage/producers/{producer.pk}/"
    assert (producer.commune.name, producer.province.name) == ("Xã Tiểu Cần", "Tỉnh Vĩnh Long")
    assert producer.historical_district.name == "Huyện Tiểu Cần"
    detail = client.get(response.url).content.decode()
    assert "Huyện Tiểu Cần" in detail and "Tỉnh Vĩnh Long" in detail


@pytest.mark.django_db
def test_product_filters_select_by_live_status(client, records, central):
    today = timezone.localdate()
    expired = Product.objects.create(producer=records.p, name_vi="Rượu nếp cẩm", group="drinks")
    Recognition.objects.create(
        product=expired,
        stars=3,
        level="district",
        recognised_on=today - timedelta(days=1200),
        valid_until=today - timedelta(days=105),
    )
    revoked = Product.objects.create(producer=records.q, name_vi="Miến dong", group="food")
    Recognition.objects.create(
        product=revoked,
        stars=4,
        level="province",
        recognised_on=today - timedelta(days=300),
        valid_until=today + timedelta(days=700),
        revoked_on=today - timedelta(days=10),
        revocation_reason="x",
    )
    client.force_login(central)

    def names(query):
        page = client.get(f"/manage/products/?{query}", HTTP_HX_REQUEST="true")
        return {p.name_vi for p in page.context["page"].object_list}

    assert names("status=valid") == {"Bánh tráng phơi sương", "Chè xanh Long Cốc"}
    assert names("status=expired") == {"Rượu nếp cẩm"}
    assert names("status=revoked") == {"Miến dong"}
    assert names("status=never") == {"Mứt dừa non"}
    assert names("stars=4") == {"Bánh tráng phơi sương"}
    assert names("group=drinks") == {"Rượu nếp cẩm"}
    assert names("q=banh+trang") == {"Bánh tráng phơi sương"}
    assert names("q=phu+can") == {"Bánh tráng phơi sương", "Mứt dừa non", "Rượu nếp cẩm"}  # producer name
    assert names(f"province={records.q.province.code}") == {"Chè xanh Long Cốc", "Miến dong"}


@pytest.mark.django_db
def test_an_expired_product_never_looks_certified(vi_client, records):
    records.r_p.valid_until = date(2024, 12, 31)
    records.r_p.recognised_on = date(2022, 1, 1)
    records.r_p.save()
    # The old public page moved to the catalogue's, which says the same.
    page = vi_client.get(f"/products/{records.p_recognised.pk}/", follow=True).content.decode()
    assert "Công nhận OCOP đã hết hạn" in page
    assert "31/12/2024" in page
    assert 'class="status-banner expired"' in page
    assert "Sản phẩm OCOP 4 sao" not in page


@pytest.mark.django_db
def test_search_matches_word_starts_and_ranks_product_names_first(client, records):
    honey = Product.objects.create(producer=records.q, name_vi="Mật ong rừng U Minh", group="food")
    sweet_potato = Product.objects.create(
        producer=records.q, name_vi="Khoai lang mật Bình Dương", group="food"
    )
    bee_farm = records.p
    bee_farm.name = "HTX Nuôi ong mật Phú Cần"
    bee_farm.save()
    for product in (honey, sweet_potato):
        Recognition.objects.create(
            product=product,
            stars=3,
            level="province",
            recognised_on=date(2025, 1, 1),
            valid_until=date(2027, 12, 31),
        )
    names = [p["name_vi"] for p in client.get("/api/v1/products?q=mat+ong").json()["items"]]
    # "ong" must begin a word: "Dương" does not match. The honey comes before the products
    # found through their producer's name.
    assert names == ["Mật ong rừng U Minh", "Bánh tráng phơi sương"]


@pytest.mark.django_db
def test_an_address_typed_today_without_a_district_is_read_on_todays_boundaries(client, central):
    """ "Xã Quang Trung, Tỉnh Cao Bằng" names a new commune and two old ones; typed today it is the
    new one, while an old address that names its district stays on the old boundaries."""
    client.force_login(central)
    client.post(
        "/manage/producers/new/",
        {"name": "HTX Quang Trung", "kind": "cooperative", "address": "Xóm 1, Xã Quang Trung, Tỉnh Cao Bằng"},
    )
    client.post(
        "/manage/producers/new/",
        {
            "name": "HTX Hưng Đạo",
            "kind": "cooperative",
            "address": "Xã Hưng Đạo, Huyện Nguyên Bình, Tỉnh Cao Bằng",
        },
    )
    new, old = Producer.objects.get(name="HTX Quang Trung"), Producer.objects.get(name="HTX Hưng Đạo")
    assert (new.commune.name, new.commune.era_id, new.historical_commune) == (
        "Xã Quang Trung",
        "2025-07",
        None,
    )
    assert (old.historical_commune.name, old.historical_district.name) == ("Xã Hưng Đạo", "Huyện Nguyên Bình")
    assert old.commune.name == "Xã Tam Kim"
