"""Hostile criteria set files uploaded by the central office: refused with where and why, fast,
nothing loaded."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ocop.criteria.models import CriteriaSet

# Nine lines of aliases stand for a billion "lol"s; expanding them hung the upload.
ALIAS_BOMB = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{chr(98 + n)}: &{chr(98 + n)} [{', '.join([f'*{chr(97 + n)}'] * 10)}]\n" for n in range(8)
)
DEEP = "code: x\nparts: " + "[" * 5000 + "]" * 5000 + "\n"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        (
            "bomb.yaml",
            ALIAS_BOMB,
            "<td>line 2</td><td>not valid YAML: aliases (*a) are not accepted</td>",
        ),
        ("deep.yaml", DEEP, "<td>line 2</td><td>not valid YAML: nested more than 32 levels deep</td>"),
    ],
)
def test_a_hostile_criteria_file_is_refused_and_nothing_is_loaded(client, central, name, content, problem):
    client.force_login(central)
    before = list(CriteriaSet.objects.values_list("pk", "code", "version", "source_hash"))
    response = client.post(
        "/criteria/manage/upload/", {"file": SimpleUploadedFile(name, content.encode(), "application/yaml")}
    )
    assert response.status_code == 200
    assert problem in response.content.decode()
    assert list(CriteriaSet.objects.values_list("pk", "code", "version", "source_hash")) == before
