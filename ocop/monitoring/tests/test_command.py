"""``ocop stats``: the JSON of the format file key by key, the text tables, exit codes and messages."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from ocop.geo.models import Province
from ocop.monitoring.management.commands.stats import Command

from . import oracle
from .conftest import AS_OF


def run(*args) -> str:
    out = io.StringIO()
    call_command("stats", *args, stdout=out)
    return out.getvalue()


def run_json(*args) -> dict:
    return json.loads(run(*args, "--format", "json"))


def run_from_argv(monkeypatch, *args) -> tuple[int, str, str]:
    """As from the shell: (exit status, stdout, stderr)."""
    # The command closes connections when it ends; the test's transaction needs its own.
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)
    out, err = io.StringIO(), io.StringIO()
    command = Command(stdout=out, stderr=err, no_color=True)
    try:
        command.run_from_argv(["ocop", "stats", "--skip-checks", *args])
    except SystemExit as exit:
        return exit.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


PRODUCTS_KEYS = ["total", "by_stars", "by_group"]
STARS_KEYS = ["3", "4", "5"]
GROUP_KEYS = ["food", "drinks", "herbal", "handicraft", "ornamental", "tourism"]
PRODUCERS_KEYS = ["total", "by_type"]
TYPE_KEYS = ["cooperative", "cooperative_group", "enterprise", "household"]


def assert_figures_shape(entry):
    assert list(entry["products"]) == PRODUCTS_KEYS
    assert list(entry["products"]["by_stars"]) == STARS_KEYS
    assert list(entry["products"]["by_group"]) == GROUP_KEYS
    assert list(entry["producers"]) == PRODUCERS_KEYS
    assert list(entry["producers"]["by_type"]) == TYPE_KEYS
    for value in [
        entry["products"]["total"],
        *entry["products"]["by_stars"].values(),
        *entry["products"]["by_group"].values(),
        entry["producers"]["total"],
        *entry["producers"]["by_type"].values(),
    ]:
        assert type(value) is int


@pytest.mark.django_db
def test_whole_country_json_on_an_empty_registry_has_every_key_with_zeros():
    data = run_json("--as-of", "2025-02-19")

    assert list(data) == ["province", "as_of", "boundaries", "products", "producers", "provinces"]
    assert data["province"] == {"code": None, "name": "Việt Nam"}
    assert data["as_of"] == "2025-02-19"
    assert data["boundaries"] == "current"
    assert_figures_shape(data)
    assert {k: data[k] for k in ("products", "producers")} == oracle.zero()
    codes = list(Province.objects.current().order_by("code").values_list("code", flat=True))
    assert [entry["province"]["code"] for entry in data["provinces"]] == codes
    for entry in data["provinces"]:
        assert list(entry) == ["province", "products", "producers"]
        assert list(entry["province"]) == ["code", "name"]
        assert_figures_shape(entry)
        assert {k: entry[k] for k in ("products", "producers")} == oracle.zero()


@pytest.mark.django_db
def test_one_province_json(units, registry):
    cooperative = registry.producer(province=units.tay_ninh, kind="cooperative")
    registry.recognised_product(cooperative, 4, group="herbal")
    registry.recognised_product(cooperative, 3, group="food")
    household = registry.producer(province=units.tay_ninh, kind="household")
    registry.recognised_product(household, 5, group="tourism")
    registry.recognised_product(registry.producer(province=units.vinh_long), 3)

    data = run_json("--province", "tinh tay ninh", "--as-of", "2025-02-19", "--boundaries", "current")

    assert data == {
        "province": {"code": "80", "name": "Tỉnh Tây Ninh"},
        "as_of": "2025-02-19",
        "boundaries": "current",
        "products": {
            "total": 3,
            "by_stars": {"3": 1, "4": 1, "5": 1},
            "by_group": {"food": 1, "drinks": 0, "herbal": 1, "handicraft": 0, "ornamental": 0, "tourism": 1},
        },
        "producers": {
            "total": 2,
            "by_type": {"cooperative": 1, "cooperative_group": 0, "enterprise": 0, "household": 1},
        },
    }
    assert list(data) == ["province", "as_of", "boundaries", "products", "producers"]


@pytest.mark.django_db
def test_by_commune_json(units, registry):
    registry.recognised_product(registry.producer(province=units.tay_ninh, commune=units.long_an_ward), 3)

    data = run_json("--province", "80", "--by", "commune", "--as-of", "2025-02-19")

    assert list(data) == ["province", "as_of", "boundaries", "products", "producers", "communes"]
    for entry in data["communes"]:
        assert list(entry) == ["commune", "products", "producers"]
        assert_figures_shape(entry)
    (counted,) = [e for e in data["communes"] if e["products"]["total"]]
    assert counted["commune"] == {"code": units.long_an_ward.code, "name": units.long_an_ward.name}


@pytest.mark.django_db
def test_json_is_utf8_not_escaped():
    assert "Tỉnh Tây Ninh" in run("--format", "json")


@pytest.mark.django_db
def test_text_tables(units, registry):
    producer = registry.producer(province=units.tay_ninh, kind="enterprise")
    registry.recognised_product(producer, 4, group="drinks")
    registry.recognised_product(producer, 5, group="drinks")

    text = run("--as-of", "2025-02-19")

    lines = text.splitlines()
    assert (
        lines[0] == "OCOP products rated 3 stars or more, valid on 2025-02-19 — Việt Nam, current boundaries"
    )
    assert lines[2] == "Products"
    assert lines[3].split() == [
        "Code", "Province", "Total", "3★", "4★", "5★",
        "Food", "Drinks", "Herbal", "Handicraft", "Ornamental", "Tourism",
    ]  # fmt: skip
    row = next(line for line in lines if line.startswith("80 "))
    assert row.split() == ["80", "Tỉnh", "Tây", "Ninh", "2", "0", "1", "1", "0", "2", "0", "0", "0", "0"]
    totals = [line.split() for line in lines if line.split()[:1] == ["Total"]]
    assert totals == [
        ["Total", "2", "0", "1", "1", "0", "2", "0", "0", "0", "0"],
        ["Total", "1", "0", "0", "1", "0"],
    ]
    assert "Producers" in lines
    assert sum(1 for line in lines if line[:2].isdigit()) == 2 * 34


@pytest.mark.django_db
def test_text_for_one_province_is_one_row_per_table(units):
    text = run("--province", "Trà Vinh", "--as-of", "2024-12-31", "--boundaries", "historical")
    lines = text.splitlines()
    assert lines[0] == (
        "OCOP products rated 3 stars or more, valid on 2024-12-31 — Tỉnh Trà Vinh (84), "
        "boundaries in force on that day"
    )
    assert [line.split()[:4] for line in lines if line.startswith("84")] == [
        ["84", "Tỉnh", "Trà", "Vinh"]
    ] * 2


@pytest.mark.django_db
def test_text_by_commune_names_the_unrecorded(units, registry):
    registry.recognised_product(registry.producer(province=units.tay_ninh), 3)
    text = run("--province", "80", "--by", "commune", "--as-of", "2025-02-19")
    assert "(commune not recorded)" in text
    assert units.long_an_ward.name in text


@pytest.mark.django_db
def test_as_of_defaults_to_today():
    assert run_json()["as_of"] == timezone.localdate().isoformat()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--province", "Atlantis"],
            "Unknown province “Atlantis”: give a code (e.g. 80) or a name (e.g. Tây Ninh).",
        ),
        (["--as-of", "2025-02-30"], "Invalid date “2025-02-30”: write it as YYYY-MM-DD, e.g. 2025-02-19."),
        (["--as-of", "19/02/2025"], "Invalid date “19/02/2025”: write it as YYYY-MM-DD, e.g. 2025-02-19."),
        (["--by", "commune"], "Figures by commune need a province."),
        (
            ["--province", "Trà Vinh"],
            "Tỉnh Trà Vinh (84) is a province of the boundaries before 1 July 2025; since then it is part of "
            "Tỉnh Vĩnh Long. Ask for Tỉnh Vĩnh Long, or use historical boundaries with a date before 1 July 2025.",
        ),
    ],
)
def test_errors_exit_1_with_a_message(monkeypatch, args, message):
    with pytest.raises(CommandError) as error:
        run(*args)
    assert str(error.value) == message

    status, out, err = run_from_argv(monkeypatch, *args)
    assert status == 1
    assert out == ""
    assert err.strip() == f"CommandError: {message}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--boundaries", "old"], "argument --boundaries: invalid choice: 'old'"),
        (["--format", "xml"], "argument --format: invalid choice: 'xml'"),
        (["--by", "district"], "argument --by: invalid choice: 'district'"),
    ],
)
def test_bad_option_values_exit_2(monkeypatch, capsys, args, fragment):
    status, _out, _err = run_from_argv(monkeypatch, *args)
    assert status == 2
    assert fragment in capsys.readouterr().err


@pytest.mark.django_db
def test_success_exits_0(monkeypatch, units):
    status, out, err = run_from_argv(
        monkeypatch, "--province", "80", "--format", "json", "--as-of", "2025-02-19"
    )
    assert (status, err) == (0, "")
    assert json.loads(out)["province"]["code"] == "80"


@pytest.mark.django_db
def test_json_matches_the_rules_on_the_shared_records(records):
    """The shared fixture's recognitions (relative to today), counted as the oracle counts them."""
    today = timezone.localdate()
    data = run_json("--as-of", today.isoformat())
    assert {k: data[k] for k in ("products", "producers")} == oracle.figures(today)
    assert data["products"]["total"] == 2
    assert today > AS_OF
