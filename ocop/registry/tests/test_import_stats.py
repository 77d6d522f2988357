"""What comes out: the statistics of an imported province list."""

import json

import pytest
from django.core.management import call_command

from ocop.registry.importing import run_import

from .listfiles import xlsx
from .test_import import HEADER, ROWS, TITLES

ZERO_GROUPS = {"food": 0, "drinks": 0, "herbal": 0, "handicraft": 0, "ornamental": 0, "tourism": 0}
ZERO_TYPES = {"cooperative": 0, "cooperative_group": 0, "enterprise": 0, "household": 0}


def stats(capsys, *args):
    call_command("stats", *args, "--format", "json")
    return json.loads(capsys.readouterr().out)


@pytest.mark.django_db
def test_the_statistics_of_an_imported_list(capsys):
    assert run_import(xlsx(HEADER, ROWS, titles=TITLES), "ds.xlsx").status == "applied"

    # Old Trà Vinh on 1 January 2022: the cooperative's two products (3 and 4 stars) are valid;
    # the household's wine is recognised only in March.
    assert stats(capsys, "--province", "Trà Vinh", "--as-of", "2022-01-01", "--boundaries", "historical") == {
        "province": {"code": "84", "name": "Tỉnh Trà Vinh"},
        "as_of": "2022-01-01",
        "boundaries": "historical",
        "products": {
            "total": 2,
            "by_stars": {"3": 1, "4": 1, "5": 0},
            "by_group": {**ZERO_GROUPS, "food": 2},
        },
        "producers": {"total": 1, "by_type": {**ZERO_TYPES, "cooperative": 1}},
    }
    # At the end of 2024 those two have expired (36 months), the wine is still valid; on current
    # boundaries Trà Vinh is part of Vĩnh Long (86).
    assert stats(capsys, "--province", "86", "--as-of", "2024-12-31") == {
        "province": {"code": "86", "name": "Tỉnh Vĩnh Long"},
        "as_of": "2024-12-31",
        "boundaries": "current",
        "products": {
            "total": 1,
            "by_stars": {"3": 1, "4": 0, "5": 0},
            "by_group": {**ZERO_GROUPS, "drinks": 1},
        },
        "producers": {"total": 1, "by_type": {**ZERO_TYPES, "household": 1}},
    }
    # The whole country then: the wine, the Hòa Bình chicken (now Phú Thọ, 25) and the Long An
    # melon (now Tây Ninh, 80).
    country = stats(capsys, "--as-of", "2024-12-31")
    assert (country["products"]["total"], country["producers"]["total"]) == (3, 3)
    per_province = {
        p["province"]["code"]: p["products"]["total"] for p in country["provinces"] if p["products"]["total"]
    }
    assert per_province == {"25": 1, "80": 1, "86": 1}
