"""``ocop score``, ``ocop criteria_validate`` and ``ocop criteria_load``."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ocop.criteria.schema import DEFAULT_DIR

from .sheets import FILES, SHEET_76, best, with_answers


def run(*args, **options) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def answers_file(tmp_path):
    def write(answers, checks=None):
        path = tmp_path / "answers.json"
        path.write_text(
            json.dumps({"answers": answers} | ({"checks": checks} if checks else {}), ensure_ascii=False)
        )
        return str(path)

    return write


@pytest.mark.django_db
def test_score_prints_the_issue_example(answers_file):
    out, _err = run(
        "score", "--set", "148/I.1.a", "--answers", answers_file(best("148/I.1.a")), "--format", "json"
    )
    assert out.strip() == (
        '{"set": "148/I.1.a", "parts": {"A": 40, "B": 25, "C": 35}, "total": 100, "band_stars": 5, "stars": 5, '
        '"disqualified": false, "reasons": []}'
    )


@pytest.mark.django_db
def test_score_answers_with_cases_on_a_1048_set_by_either_code(answers_file):
    answers = with_answers(best("1048/I.3.c"), {"1.1": 3, "3.2": {"case": 2, "option": 1}})
    for code in ("1048/I.3.c", "1048/1.3.c"):
        out, _err = run("score", "--set", code, "--answers", answers_file(answers), "--format", "json")
        assert json.loads(out) == {
            "set": "1048/I.3.c",
            "parts": {"A": 33, "B": 25, "C": 40},
            "total": 98,
            "band_stars": 5,
            "stars": 5,
            "disqualified": False,
            "reasons": [],
        }


@pytest.mark.django_db
def test_score_as_text_with_advice(answers_file):
    out, _err = run("score", "--set", "148/I.1.a", "--answers", answers_file(SHEET_76), "--advise")
    assert out.splitlines() == [
        "148/I.1.a v1 — Rau, củ, quả, hạt tươi (QĐ 148/QĐ-TTg ngày 24/02/2023, Phụ lục III)",
        "Part A: 30 / 40",
        "Part B: 20 / 25",
        "Part C: 26 / 35",
        "Total: 76 / 100",
        "Band: 4 stars",
        "Stars: 3",
        "  - Not 4 stars: criterion 2.a scores 3, below the 4-star minimum of 4.",
        "To reach 4 stars, improve 1 criterion:",
        "  1. Criterion 2.a: from 3 to 4 points (+1), required for the star → 77",
    ]


@pytest.mark.django_db
def test_score_with_checks_and_json_advice(answers_file):
    out, _err = run(
        "score",
        "--set",
        "148/I.1.a",
        "--answers",
        answers_file(SHEET_76, {"D3": True}),
        "--format",
        "json",
        "--advise",
    )
    data = json.loads(out)
    assert (data["stars"], data["disqualified"], data["advice"]["blocked_by"][0]["code"]) == (
        None,
        True,
        "disqualified",
    )


@pytest.mark.django_db
def test_invalid_answers_exit_non_zero_with_a_clear_message(answers_file, tmp_path):
    answers = with_answers(SHEET_76, {"9.z": 1, "2.a": 5})
    with pytest.raises(CommandError) as caught:
        run("score", "--set", "148/I.1.a", "--answers", answers_file(answers), "--format", "json")
    assert caught.value.returncode == 1
    assert str(caught.value) == (
        "Invalid answers for 148/I.1.a:\n"
        "  - criterion 2.a has options 1 to 4; got 5\n"
        "  - criterion 9.z is not on sheet 148/I.1.a"
    )
    with pytest.raises(CommandError, match=r"No criteria set 148/X\. Known sets: 1048/I\.3\.b, "):
        run("score", "--set", "148/X", "--answers", answers_file(SHEET_76))
    (tmp_path / "bad.json").write_text('{"1.a": 3}')
    with pytest.raises(CommandError, match=r'must be \{"answers"'):
        run("score", "--set", "148/I.1.a", "--answers", str(tmp_path / "bad.json"))
    with pytest.raises(CommandError, match="Cannot read"):
        run("score", "--set", "148/I.1.a", "--answers", str(tmp_path / "missing.json"))


def test_criteria_validate_checks_files_without_a_database(tmp_path):
    out, _err = run("criteria_validate", str(DEFAULT_DIR / FILES["148/I.1.a"]))
    assert out.strip() == (
        f"{DEFAULT_DIR / FILES['148/I.1.a']}: OK — 148/I.1.a, 32 criteria (A 40, B 25, C 35; total 100), "
        "6 checks, with star markers"
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text((DEFAULT_DIR / FILES["1048/VI.1"]).read_text().replace("max: 15", "max: 16"))
    err = StringIO()
    with pytest.raises(CommandError, match=r"1 of 2 file\(s\) invalid"):
        call_command(
            "criteria_validate",
            str(DEFAULT_DIR / FILES["1048/VI.1"]),
            str(bad),
            stdout=StringIO(),
            stderr=err,
        )
    assert err.getvalue().splitlines() == [
        "bad.yaml: part A, section 1: criterion maxima add up to 15, not the section maximum 16",
        "bad.yaml: part A: section maxima add up to 36, not the part maximum 35",
    ]


@pytest.mark.django_db
def test_criteria_load(tmp_path):
    out, _err = run("criteria_load")
    assert out.strip() == "Criteria sets are up to date."
    changed = tmp_path / "sua.yaml"
    changed.write_text(
        (DEFAULT_DIR / FILES["148/I.1.a"]).read_text().replace('name: "Kế toán"', 'name: "Kế toán (sửa)"')
    )
    out, _err = run("criteria_load", str(changed))
    assert out.strip() == "criteria set 148/I.1.a v1: updated"
