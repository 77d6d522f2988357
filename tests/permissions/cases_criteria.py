"""Permission cases for criteria sets: public sheets, scoring and advice; the central office's upload.

Published sets are public law: everyone reads, scores and downloads them as Excel (scoring stores
nothing). A draft set is the central office's alone (404 for everyone else). Only the central
office loads files and publishes workbooks; province officers upload workbooks, preview theirs and
propose them (another province's is 404).
"""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from ocop.criteria.schema import DEFAULT_DIR, load_set

from .framework import EVERYONE, Case, api, count, page

# Who uploads criteria set workbooks, and who reaches one uploaded by province A's officer.
WORKBOOK_UPLOADERS = {"central", "officer_a", "officer_b"}
IN_PROVINCE_A = {"central", "officer_a"}

SHEET_148 = load_set(DEFAULT_DIR / "scoresheet-148-rau-cu-qua-hat-tuoi.yaml")
DRAFT_CODE = "999/I.1.a"
UPLOAD_CODE = "998/I.1.b"

# The highest option of every criterion: 100 points, 5 stars.
BEST = {c.code: len(c.blocks[0].options) for c in SHEET_148.criteria}
BEST_FORM = {f"c:{code}": f"1:{option}" for code, option in BEST.items()}

NEW_SET = """
schema: 1
meta:
  decision: "998"
  product_set: {taxonomy: "148", code: "I.1.b"}
  name_vi: "Thịt, thủy sản, trứng, sữa tươi (thử)"
  legal_basis: "Quyết định thử nghiệm"
  effective_from: 2026-01-01
  confidence: U
  source: "tests"
parts:
  - code: A
    name: "Phần A"
    max: 100
    sections:
      - code: "1"
        name: "Mục 1"
        max: 100
        criteria:
          - code: "1.a"
            name: "Tiêu chí duy nhất"
            max: 100
            options:
              - {points: 0, label: "Không"}
              - {points: 100, label: "Có"}
"""


def _draft():
    """A draft copy of the 148 sheet under another decision: visible to the central office only."""
    from ocop.criteria.models import CriteriaSet

    original = CriteriaSet.objects.get(code="148/I.1.a", is_current=True)
    definition = dict(original.definition)
    definition["meta"] = {**definition["meta"], "code": DRAFT_CODE, "decision": "999", "status": "draft"}
    draft, _created = CriteriaSet.objects.get_or_create(
        code=DRAFT_CODE,
        version=1,
        defaults={
            "decision": "999",
            "name_vi": original.name_vi,
            "legal_basis": "Dự thảo",
            "effective_from": original.effective_from,
            "product_set": original.product_set,
            "confidence": "U",
            "markers_cap_stars": True,
            "status": "draft",
            "definition": definition,
            "source_file": "draft.yaml",
            "source_hash": "draft",
            "source_text": "",
        },
    )
    return draft


WORKBOOK_CODE = "148/I.1.b"


def workbook_bytes() -> bytes:
    """The 148/I.1.a sheet as a workbook for product set I.1.b (which has no sheet)."""
    from ocop.criteria import workbook
    from ocop.criteria.models import CriteriaSet

    definition = dict(CriteriaSet.objects.get(code="148/I.1.a", is_current=True).definition)
    meta = dict(definition["meta"], code=WORKBOOK_CODE, product_set={"taxonomy": "148", "code": "I.1.b"})
    return workbook.export({**definition, "meta": meta})


def _workbook_upload(r, g):
    return {"file": SimpleUploadedFile("bo-I.1.b.xlsx", workbook_bytes())}


def setup(records, users):
    from ocop.criteria import workbook
    from ocop.criteria.models import CriteriaWorkbook

    records.criteria_draft = _draft()
    data, parsed, _reader = workbook.read_set(workbook_bytes(), "bo-I.1.b.xlsx")
    records.criteria_workbook = CriteriaWorkbook.objects.create(  # province A's officer's upload
        code=parsed.code,
        name_vi=parsed.name_vi,
        province=records.p.province,
        status="checked",
        definition=data,
        source_file="bo-I.1.b.xlsx",
        uploaded_by=users["officer_a"],
    )


def _upload(r, g):
    return {"file": SimpleUploadedFile("new-set.yaml", NEW_SET.encode(), content_type="application/yaml")}


def _council(r, g):
    worse = dict(BEST, **{"2.a": 3})
    return {
        "members": 4,
        "chair": "an",
        "sheets": {"an": {"answers": BEST}, "binh": {"answers": worse}, "chi": {"answers": BEST}},
    }


CASES: list[Case] = [
    # ---- pages --------------------------------------------------------------------------------
    page("criteria:set_list", lambda r: "/criteria/", EVERYONE, anonymous=200),
    page("criteria:sheet", lambda r: "/criteria/148/I.1.a/", EVERYONE, anonymous=200),
    page("criteria:sheet#alias", lambda r: "/criteria/1048/1.3.c/", EVERYONE, anonymous=200),
    page("criteria:sheet#draft", lambda r: "/criteria/999/I.1.a/", {"central"}, anonymous=404),
    page(
        "criteria:score",
        lambda r: "/criteria/148/I.1.a/score/",
        EVERYONE,
        method="post",
        data=lambda r, g: BEST_FORM,
        anonymous=200,
    ),
    page(
        "criteria:score#draft",
        lambda r: "/criteria/999/I.1.a/score/",
        {"central"},
        method="post",
        data=lambda r, g: BEST_FORM,
        anonymous=404,
    ),
    page("criteria:upload", lambda r: "/criteria/manage/upload/", {"central"}, denied=403),
    page(
        "criteria:upload#post",
        lambda r: "/criteria/manage/upload/",
        {"central"},
        method="post",
        data=_upload,
        ok=302,
        denied=403,
        effect=lambda r, actor: count("criteria.criteriaset", code=UPLOAD_CODE, status="published") == 1,
    ),
    # ---- Excel ----------------------------------------------------------------------------------
    page("criteria:template", lambda r: "/criteria/template.xlsx", EVERYONE, anonymous=200),
    page("criteria:export", lambda r: "/criteria/148/I.1.a/excel/", EVERYONE, anonymous=200),
    page("criteria:export#draft", lambda r: "/criteria/999/I.1.a/excel/", {"central"}, anonymous=404),
    page("criteria:workbook_upload", lambda r: "/criteria/manage/workbooks/", WORKBOOK_UPLOADERS),
    page(
        "criteria:workbook_upload#post",
        lambda r: "/criteria/manage/workbooks/",
        WORKBOOK_UPLOADERS,
        method="post",
        data=_workbook_upload,
        ok=302,
        effect=lambda r, actor: count("criteria.criteriaworkbook", source_file="bo-I.1.b.xlsx") == 2,
    ),
    page(
        "criteria:workbook", lambda r: f"/criteria/manage/workbooks/{r.criteria_workbook.pk}/", IN_PROVINCE_A
    ),
    page(
        "criteria:workbook_export",
        lambda r: f"/criteria/manage/workbooks/{r.criteria_workbook.pk}/excel/",
        IN_PROVINCE_A,
    ),
    page(
        "criteria:workbook_propose",
        lambda r: f"/criteria/manage/workbooks/{r.criteria_workbook.pk}/propose/",
        IN_PROVINCE_A,
        method="post",
        ok=302,
        effect=lambda r, actor: count("criteria.criteriaworkbook", status="proposed") == 1,
    ),
    page(
        "criteria:workbook_publish",
        lambda r: f"/criteria/manage/workbooks/{r.criteria_workbook.pk}/publish/",
        {"central"},
        method="post",
        ok=302,
        effect=lambda r, actor: count("criteria.criteriaset", code=WORKBOOK_CODE, status="published") == 1,
    ),
    api(
        "POST /api/v1/criteria/workbooks",
        lambda r: "/api/v1/criteria/workbooks",
        WORKBOOK_UPLOADERS,
        ok=201,
        data=_workbook_upload,
        extra={"multipart": True},
        effect=lambda r, actor: count("criteria.criteriaworkbook", source_file="bo-I.1.b.xlsx") == 2,
    ),
    api(
        "POST /api/v1/criteria/workbooks/{workbook_id}/propose",
        lambda r: f"/api/v1/criteria/workbooks/{r.criteria_workbook.pk}/propose",
        IN_PROVINCE_A,
        effect=lambda r, actor: count("criteria.criteriaworkbook", status="proposed") == 1,
    ),
    api(
        "POST /api/v1/criteria/workbooks/{workbook_id}/publish",
        lambda r: f"/api/v1/criteria/workbooks/{r.criteria_workbook.pk}/publish",
        {"central"},
        effect=lambda r, actor: count("criteria.criteriaset", code=WORKBOOK_CODE, status="published") == 1,
    ),
    # ---- API ----------------------------------------------------------------------------------
    api("GET /api/v1/criteria/sets", lambda r: "/api/v1/criteria/sets", EVERYONE, anonymous=200),
    api("GET /api/v1/criteria/coverage", lambda r: "/api/v1/criteria/coverage", EVERYONE, anonymous=200),
    api(
        "GET /api/v1/criteria/sets/{decision}/{product_set}",
        lambda r: "/api/v1/criteria/sets/148/I.1.a",
        EVERYONE,
        anonymous=200,
    ),
    api(
        "GET /api/v1/criteria/sets/{decision}/{product_set}#draft",
        lambda r: "/api/v1/criteria/sets/999/I.1.a",
        {"central"},
        anonymous=404,
    ),
    api(
        "POST /api/v1/criteria/sets/{decision}/{product_set}/score",
        lambda r: "/api/v1/criteria/sets/148/I.1.a/score",
        EVERYONE,
        data=lambda r, g: {"answers": BEST},
        anonymous=200,
    ),
    api(
        "POST /api/v1/criteria/sets/{decision}/{product_set}/score#draft",
        lambda r: "/api/v1/criteria/sets/999/I.1.a/score",
        {"central"},
        data=lambda r, g: {"answers": BEST},
        anonymous=404,
    ),
    api(
        "POST /api/v1/criteria/sets/{decision}/{product_set}/advise",
        lambda r: "/api/v1/criteria/sets/1048/I.3.c/advise",
        EVERYONE,
        data=lambda r, g: {
            "answers": {c: 1 for c in ("1.1", "1.2", "1.3", "1.4")} | {"3.2": {"case": 1, "option": 1}}
        },
        ok=422,  # missing answers: the matrix only needs the route reached; tests/ cover the content
        anonymous=422,
    ),
    api(
        "POST /api/v1/criteria/sets/{decision}/{product_set}/advise#ok",
        lambda r: "/api/v1/criteria/sets/148/I.1.a/advise",
        EVERYONE,
        data=lambda r, g: {"answers": dict(BEST, **{"2.a": 3})},
        anonymous=200,
    ),
    api(
        "POST /api/v1/criteria/sets/{decision}/{product_set}/council",
        lambda r: "/api/v1/criteria/sets/148/I.1.a/council",
        EVERYONE,
        data=_council,
        anonymous=200,
    ),
]
