"""Criteria sets in the database: loaded from files after migrate, corrected, locked, superseded."""

import json
import logging
from io import StringIO

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection, models

from ocop.criteria import schema, selectors, services
from ocop.criteria.models import CriteriaSet
from ocop.criteria.schema import DEFAULT_DIR
from ocop.geo.models import ReferenceDataset

from .sheets import FILES

FILE_148 = DEFAULT_DIR / FILES["148/I.1.a"]


def current(code: str) -> CriteriaSet:
    return CriteriaSet.objects.get(code=code, is_current=True)


@pytest.mark.django_db
def test_migrate_loads_the_shipped_sets():
    rows = [
        (r.code, r.version, r.product_set.taxonomy_id, r.product_set.code, r.aliases, r.status, r.confidence,
         r.markers_cap_stars, r.source_file)
        for r in CriteriaSet.objects.select_related("product_set").order_by("code")
    ]  # fmt: skip
    assert rows == [
        ("1048/I.3.b", 1, "1048", "1.3.b", ["1048/1.3.b"], "published", "S", False, FILES["1048/I.3.b"]),
        ("1048/I.3.c", 1, "1048", "1.3.c", ["1048/1.3.c"], "published", "S", False, FILES["1048/I.3.c"]),
        ("1048/VI.1", 1, "1048", "6.1", ["1048/6.1"], "published", "S", False, FILES["1048/VI.1"]),
        ("148/I.1.a", 1, "148", "I.1.a", [], "published", "S", True, FILES["148/I.1.a"]),
    ]
    row = current("148/I.1.a")
    assert row.source_text == FILE_148.read_text()
    assert row.source_hash == services.content_hash(FILE_148.read_text())
    assert selectors.definition(row) == schema.load_set(FILE_148)
    assert row.locked_by() == []


@pytest.mark.django_db
def test_loading_again_changes_nothing(django_assert_num_queries):
    with django_assert_num_queries(1):  # the version stamp
        assert services.criteria_sets_sync() == []
    ReferenceDataset.objects.filter(name=services.REFERENCE_NAME).delete()
    assert services.criteria_sets_sync() == []  # every file's content is already held
    assert CriteriaSet.objects.count() == 4


def _changed_copy(tmp_path, old: str, new: str):
    text = FILE_148.read_text()
    assert old in text
    path = tmp_path / FILE_148.name
    path.write_text(text.replace(old, new))
    return path


@pytest.mark.django_db
def test_a_changed_file_corrects_an_unused_set_in_place(tmp_path, settings):
    _changed_copy(tmp_path, 'name: "Kế toán"', 'name: "Kế toán và tài chính"')
    settings.OCOP_CRITERIA_DIRS = [tmp_path]
    (outcome,) = services.criteria_sets_sync()
    assert (outcome.action, outcome.criteria_set.code, outcome.criteria_set.version) == (
        "updated",
        "148/I.1.a",
        1,
    )
    row = current("148/I.1.a")
    assert selectors.definition(row).criterion("3.đ").name == "Kế toán và tài chính"
    assert [entry["file"] for entry in row.history] == [FILE_148.name, FILE_148.name]
    assert CriteriaSet.objects.filter(code="148/I.1.a").count() == 1


@pytest.mark.django_db
def test_a_used_set_is_superseded_by_a_new_version(tmp_path, settings, caplog):
    old = services.criteria_set_mark_used(criteria_set=current("148/I.1.a"))
    assert old.locked_by() == ["used"]
    _changed_copy(tmp_path, 'name: "Kế toán"', 'name: "Kế toán và tài chính"')
    settings.OCOP_CRITERIA_DIRS = [tmp_path]
    with caplog.at_level(logging.INFO, logger="ocop.criteria.services"):
        (outcome,) = services.criteria_sets_sync()
    assert outcome.action == "superseded"
    new = current("148/I.1.a")
    old.refresh_from_db()
    assert (old.version, new.version, old.superseded_by_id, new.used) == (1, 2, new.pk, False)
    assert caplog.messages == [
        f"criteria set 148/I.1.a v1 is locked (used): loaded the changed file as v2, which supersedes it "
        f"(from {tmp_path / FILE_148.name})"
    ]
    # The old version is untouched: scores made with it keep their sheet.
    assert selectors.definition(old).criterion("3.đ").name == "Kế toán"
    assert selectors.find_set("148/I.1.a", 1) == old
    assert selectors.find_set("148/I.1.a") == new


@pytest.mark.django_db(transaction=True)
def test_any_row_pointing_at_a_set_through_protect_locks_it(tmp_path, settings):
    """A later app (evaluations, council sheets) locks a set just by referencing it with PROTECT."""

    class Meta:
        app_label = "criteria"

    probe_model = type(
        "LockProbe",
        (models.Model,),
        {
            "__module__": __name__,
            "Meta": Meta,
            "criteria_set": models.ForeignKey(CriteriaSet, on_delete=models.PROTECT, related_name="+"),
        },
    )
    try:
        with connection.schema_editor() as editor:
            editor.create_model(probe_model)
        row = current("148/I.1.a")
        assert row.locked_by() == []
        probe_model.objects.create(criteria_set=row)
        assert row.locked_by() == ["criteria.lockprobe"]
        _changed_copy(tmp_path, 'name: "Kế toán"', 'name: "Kế toán và tài chính"')
        settings.OCOP_CRITERIA_DIRS = [tmp_path]
        (outcome,) = services.criteria_sets_sync()
        assert (outcome.action, outcome.locked_by, outcome.criteria_set.version) == (
            "superseded",
            ("criteria.lockprobe",),
            2,
        )
    finally:
        with connection.schema_editor() as editor:
            editor.delete_model(probe_model)
        del apps.all_models["criteria"]["lockprobe"]
        apps.clear_cache()


@pytest.mark.django_db
def test_an_uploaded_correction_is_not_undone_by_the_file_it_corrected(central):
    text = FILE_148.read_text().replace('name: "Kế toán"', 'name: "Kế toán (sửa)"')
    outcome = services.criteria_set_upload(user=central, source_file="sua.yaml", content=text.encode())
    assert (outcome.action, outcome.criteria_set.version) == ("updated", 1)
    services.criteria_sets_sync(force=True)
    row = current("148/I.1.a")
    assert (row.source_file, selectors.definition(row).criterion("3.đ").name) == ("sua.yaml", "Kế toán (sửa)")
    from ocop.accounts.models import AuditEvent

    event = AuditEvent.objects.get(action="criteria_set.updated")
    assert (event.actor, event.object_id, event.data["code"], event.data["source_file"]) == (
        central,
        str(row.pk),
        "148/I.1.a",
        "sua.yaml",
    )


@pytest.mark.django_db
def test_only_the_central_office_uploads(officer_a):
    with pytest.raises(PermissionDenied):
        services.criteria_set_upload(user=officer_a, source_file="x.yaml", content=FILE_148.read_bytes())


@pytest.mark.django_db
def test_refused_loads(central):
    published = FILE_148.read_text().replace("status: published", "status: draft")
    with pytest.raises(ValidationError, match="is published: a correction must be published too"):
        services.criteria_set_upload(user=central, source_file="d.yaml", content=published.encode())
    unknown = (
        FILE_148.read_text()
        .replace('code: "I.1.a"}', 'code: "I.9.z"}')
        .replace('code: "148/I.1.a"', 'code: "148/I.9.z"')
    )
    with pytest.raises(ValidationError, match=r"No product set I\.9\.z in taxonomy 148"):
        services.criteria_set_upload(user=central, source_file="u.yaml", content=unknown.encode())
    clash = FILE_148.read_text().replace('code: "148/I.1.a"', 'code: "148/I.1.b"\n  aliases: ["148/I.1.a"]')
    clash = clash.replace('code: "I.1.a"}', 'code: "I.1.b"}')
    with pytest.raises(
        ValidationError, match=r"Code 148/I\.1\.a is already used by criteria set 148/I\.1\.a"
    ):
        services.criteria_set_upload(user=central, source_file="c.yaml", content=clash.encode())
    with pytest.raises(schema.CriteriaSetError, match="not UTF-8"):
        services.criteria_set_upload(user=central, source_file="b.yaml", content=b"\xff\xfe")
    assert CriteriaSet.objects.count() == 4


@pytest.mark.django_db
def test_an_invalid_file_in_a_directory_is_reported_with_its_path(tmp_path, settings):
    _changed_copy(tmp_path, "max: 18", "max: 19")
    settings.OCOP_CRITERIA_DIRS = [tmp_path]
    with pytest.raises(schema.CriteriaSetError) as caught:
        services.criteria_sets_sync()
    assert caught.value.lines() == [
        f"{FILE_148.name}: part A, section 1: criterion maxima add up to 18, not the section maximum 19",
        f"{FILE_148.name}: part A: section maxima add up to 41, not the part maximum 40",
    ]
    settings.OCOP_CRITERIA_DIRS = [tmp_path / "missing"]
    with pytest.raises(ImproperlyConfigured, match="is not a directory"):
        services.criteria_sets_sync()


# --- a new set, by a file, without touching code -------------------------------------------------

NEW_SET = """
# Bộ tiêu chí thử: Chế biến từ rau, củ, quả, hạt theo một quyết định giả định "2026".
schema: 1
meta:
  decision: "2026"
  product_set: {taxonomy: "148", code: "I.3.c"}
  name_vi: "Chế biến từ rau, củ, quả, hạt"
  legal_basis: "Quyết định thử nghiệm 2026"
  effective_from: 2026-05-22
  confidence: U
  source: "tests"
  markers_cap_stars: true
checks:
  - {code: D1, effect: disqualify, text: "Hồ sơ giả mạo"}
parts:
  - code: A
    name: "Sản phẩm"
    max: 60
    sections:
      - code: "1"
        name: "Sản xuất"
        max: 60
        criteria:
          - code: "1.a"
            name: "Nguyên liệu"
            max: 30
            options:
              - {points: 0, label: "Không rõ"}
              - {points: 10, label: "Trong tỉnh"}
              - {points: 30, label: "Trong xã", marker: 4}
          - code: "1.b"
            name: "Chế biến"
            max: 30
            options:
              - {points: 10, label: "Thủ công"}
              - {points: 30, label: "Máy móc"}
  - code: B
    name: "Thị trường"
    max: 40
    sections:
      - code: "2"
        name: "Phân phối"
        max: 40
        criteria:
          - code: "2.a"
            name: "Thị trường"
            max: 40
            options:
              - {points: 10, label: "Trong tỉnh"}
              - {points: 40, label: "Quốc tế"}
"""


@pytest.mark.django_db
def test_a_new_set_added_by_a_file_is_used_without_touching_code(tmp_path, settings, client):
    (tmp_path / "2026-che-bien-rau-cu.yaml").write_text(NEW_SET)
    settings.OCOP_CRITERIA_DIRS = [DEFAULT_DIR, tmp_path]
    (outcome,) = services.criteria_sets_sync()
    assert (outcome.action, outcome.criteria_set.code, outcome.criteria_set.product_set.code) == (
        "created",
        "2026/I.3.c",
        "I.3.c",
    )
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"answers": {"1.a": 2, "1.b": 2, "2.a": 2}}))
    out = StringIO()
    call_command("score", set_code="2026/I.3.c", answers=str(answers), format="json", stdout=out)
    assert json.loads(out.getvalue()) == {
        "set": "2026/I.3.c",
        "parts": {"A": 40, "B": 40},
        "total": 80,
        "band_stars": 4,
        "stars": 3,
        "disqualified": False,
        "reasons": [
            {
                "code": "below_star_minimum",
                "params": {"stars": 4, "criterion": "1.a", "points": 10, "minimum": 30},
                "message": "Not 4 stars: criterion 1.a scores 10, below the 4-star minimum of 30.",
            }
        ],
    }
    response = client.post(
        "/api/v1/criteria/sets/2026/I.3.c/score",
        {"answers": {"1.a": 3, "1.b": 2, "2.a": 2}},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert (response.json()["total"], response.json()["stars"]) == (100, 5)
    assert "Chế biến từ rau, củ, quả, hạt" in client.get("/criteria/2026/I.3.c/").content.decode()
