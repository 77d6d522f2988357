"""null in the registry's API writes: on a text field that may be empty it means empty (as in
JSON Merge Patch); on a field that must have a value it is a 422 naming the field. It once went
to a NOT NULL column (a 500 on {"website": null} or {"story_en": null})."""

import json

import pytest

from ocop.registry.models import Producer, Product

pytestmark = pytest.mark.django_db

PRODUCT_TEXT = ["name_en", "description_vi", "description_en", "story_vi", "story_en", "ocop_code"]
PRODUCER_TEXT = [
    "registration_no",
    "representative",
    "phone",
    "email",
    "website",
    "description_vi",
    "description_en",
]


def _patch(client, url, body):
    return client.patch(url, json.dumps(body), content_type="application/json")


def test_null_empties_a_products_text_fields(client, records, central):
    client.force_login(central)
    product = records.p_recognised
    Product.objects.filter(pk=product.pk).update(**{f: "Có nội dung" for f in PRODUCT_TEXT})
    response = _patch(client, f"/api/v1/products/{product.pk}", dict.fromkeys(PRODUCT_TEXT))
    assert response.status_code == 200, response.content
    assert {f: response.json()[f] for f in PRODUCT_TEXT if f in response.json()} == {
        f: "" for f in PRODUCT_TEXT if f in response.json()
    }
    product.refresh_from_db()
    assert {f: getattr(product, f) for f in PRODUCT_TEXT} == dict.fromkeys(PRODUCT_TEXT, "")
    assert product.name_vi == "Bánh tráng phơi sương"


def test_null_empties_a_producers_text_fields(client, records, central):
    client.force_login(central)
    producer = records.p
    Producer.objects.filter(pk=producer.pk).update(website="https://phucan.vn", phone="0276 3 888 888")
    for field in PRODUCER_TEXT:
        response = _patch(client, f"/api/v1/producers/{producer.pk}", {field: None})
        assert response.status_code == 200, (field, response.content)
    producer.refresh_from_db()
    assert {f: getattr(producer, f) for f in PRODUCER_TEXT} == dict.fromkeys(PRODUCER_TEXT, "")
    assert producer.name == "Hợp tác xã Nông nghiệp Phú Cần"


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("name_vi", "This field cannot be blank."),
        ("group", "This field cannot be null."),
    ],
)
def test_null_on_a_required_product_field_is_refused_naming_it(client, records, central, field, message):
    client.force_login(central)
    product = records.p_recognised
    response = _patch(client, f"/api/v1/products/{product.pk}", {field: None, "story_en": "New"})
    assert response.status_code == 422
    assert response.json()["detail"] == [{"loc": ["body", field], "msg": message, "type": "value_error"}]
    product.refresh_from_db()
    assert (product.name_vi, product.group, product.story_en) == ("Bánh tráng phơi sương", "food", "")


def test_null_text_on_creation_means_empty(client, records, central):
    client.force_login(central)
    response = client.post(
        "/api/v1/producers",
        json.dumps(
            {
                "name": "HTX Mới",
                "kind": "cooperative",
                "address": "Xã A1",
                "province_code": "80",
                "website": None,
                "phone": None,
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert (response.json()["website"], response.json()["phone"]) == ("", "")
    response = client.post(
        f"/api/v1/producers/{records.p.pk}/products",
        json.dumps({"name_vi": "Kẹo dừa", "group": "food", "story_en": None, "name_en": None}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    made = Product.objects.get(pk=response.json()["id"])
    assert (made.story_en, made.name_en) == ("", "")
