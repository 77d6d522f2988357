"""A registry list imported over existing records reaches the catalogue's index.

Imports write with bulk updates, which skip ``auto_now``; the index finds what to rebuild by
the records' ``updated_at``, so an import that did not move it left the catalogue showing the
old names for good."""

from datetime import date

import pytest

from ocop.market.models import CatalogueEntry
from ocop.market.services import catalogue_refresh
from ocop.registry.importing import run_import
from ocop.registry.models import Product
from ocop.registry.tests.listfiles import HEADER, xlsx

ADDRESS = "Ấp Chợ, xã Phú Cần, huyện Tiểu Cần, tỉnh Trà Vinh"


def row(producer: str) -> list:
    return [1, "Bánh tét lá cẩm", producer, ADDRESS, "Thực phẩm", 3, date(2021, 8, 15), "0100233488"]


@pytest.mark.django_db
def test_a_producer_renamed_by_an_import_is_renamed_in_the_catalogue():
    assert run_import(xlsx(HEADER, [row("Hợp tác xã Nông nghiệp Phú Cần")]), "a.xlsx").status == "applied"
    catalogue_refresh()
    product = Product.objects.get()
    assert CatalogueEntry.objects.get(product=product).producer_name == "Hợp tác xã Nông nghiệp Phú Cần"

    report = run_import(xlsx(HEADER, [row("HTX Nông nghiệp Phú Cần Mới")]), "b.xlsx")
    assert report.producers.update == 1
    catalogue_refresh()

    assert CatalogueEntry.objects.get(product=product).producer_name == "HTX Nông nghiệp Phú Cần Mới"
