"""The audit log's actions are one vocabulary (``AuditAction``): every code a service writes is in
it, with a label people read, and nothing else can be written."""

import ast
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from ocop.accounts.choices import AuditAction
from ocop.accounts.models import AuditEvent
from ocop.accounts.services import audit_record
from ocop.criteria import services as criteria_services
from ocop.evaluation.choices import CheckOutcome, ReviewOutcome
from ocop.registry.services import ATTACHMENTS

SOURCE = Path(__file__).resolve().parents[2]

# Codes built at run time, each spelled out from where its varying part comes from. A new
# f-string passed as an action fails the walk below until it is listed here.
BUILT = {
    "f'criteria_set.{outcome.action}'": [
        f"criteria_set.{outcome}"
        # an unchanged file is not audited: the loader returns before recording
        for outcome in (criteria_services.CREATED, criteria_services.UPDATED, criteria_services.SUPERSEDED)
    ],
    "f'idea.{outcome}'": [f"idea.{outcome}" for outcome in ReviewOutcome.values],
    "f'dossier.check_{outcome}'": [f"dossier.check_{outcome}" for outcome in CheckOutcome.values],
    "f'product.{name}_add'": [f"product.{name}_add" for name in ATTACHMENTS.values()],
    "f'product.{name}_remove'": [f"product.{name}_remove" for name in ATTACHMENTS.values()],
}


def _codes(node: ast.expr, where: str) -> list[str]:
    """Every code an ``action=`` argument can take."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _codes(node.body, where) + _codes(node.orelse, where)
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "AuditAction"
    ):
        return [AuditAction[node.attr].value]
    if isinstance(node, ast.JoinedStr):
        pattern = ast.unparse(node)
        assert pattern in BUILT, f"{where}: list what {pattern} can be in BUILT"
        return BUILT[pattern]
    raise AssertionError(f"{where}: pass the action as a literal, an AuditAction member or a listed f-string")


def _written() -> dict[str, list[str]]:
    """code -> where it is written, over every audit_record call in the application's code."""
    written: dict[str, list[str]] = {}
    for path in sorted(SOURCE.rglob("*.py")):
        if {"tests", "migrations"} & set(path.relative_to(SOURCE).parts):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name != "audit_record":
                continue
            where = f"{path.relative_to(SOURCE.parent)}:{node.lineno}"
            (action,) = [keyword.value for keyword in node.keywords if keyword.arg == "action"]
            for code in _codes(action, where):
                written.setdefault(code, []).append(where)
    return written


def test_every_code_a_service_writes_is_in_the_vocabulary_and_every_code_is_written():
    written = _written()
    assert len(written) > 70  # the walk found the services
    unknown = {code: where for code, where in written.items() if code not in AuditAction.values}
    assert unknown == {}
    assert sorted(set(AuditAction.values) - set(written)) == []


@pytest.mark.django_db
def test_an_unknown_action_is_refused_and_nothing_is_written():
    with pytest.raises(ValueError, match=r"unknown audit action .product\.explode"):
        audit_record(actor=None, action="product.explode", object_type="registry.product", object_id="1")
    assert AuditEvent.objects.count() == 0


@pytest.mark.django_db
def test_the_admin_log_shows_labels_in_vietnamese_and_filters_by_action(central):
    audit_record(
        actor=central, action=AuditAction.TARGET_CREATE, object_type="monitoring.target", object_id="7"
    )
    audit_record(actor=central, action="fair.create", object_type="market.fair", object_id="8")
    browser = Client(HTTP_ACCEPT_LANGUAGE="vi")
    browser.force_login(central)
    url = reverse("admin:accounts_auditevent_changelist")

    rows = _results(browser.get(url))
    assert "Đặt chỉ tiêu" in rows and "Tạo hội chợ" in rows
    assert "target.create" not in rows  # the label, not the code
    filters = browser.get(url).content.decode().split('id="changelist-filter"')[1]
    assert "Đặt chỉ tiêu" in filters and "Tạo hội chợ" in filters

    rows = _results(browser.get(url, {"action": "target.create"}))
    assert "Đặt chỉ tiêu" in rows and "Tạo hội chợ" not in rows


def _results(response) -> str:
    """The changelist's table of rows, without the filters beside it."""
    assert response.status_code == 200
    page = response.content.decode()
    return page[page.index('id="result_list"') :].split("</table>")[0]
