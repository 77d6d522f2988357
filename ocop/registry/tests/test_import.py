"""Importing registry lists written the way provinces write them."""

import json
from datetime import date

import pytest
from django.apps import apps
from django.core.management import call_command

from ocop.registry.importing import run_import
from ocop.registry.models import Producer, Product, Recognition

from .listfiles import HEADER, csv_bytes, xls, xlsx

TITLES = ("UỶ BAN NHÂN DÂN TỈNH TRÀ VINH", "DANH SÁCH SẢN PHẨM OCOP ĐƯỢC CÔNG NHẬN GIAI ĐOẠN 2021-2024")
PHU_CAN = "Ấp Chợ, xã Phú Cần, huyện Tiểu Cần, tỉnh Trà Vinh"
ROWS = [
    [
        1,
        "Bánh tét lá cẩm",
        "Hợp tác xã Nông nghiệp Phú Cần",
        PHU_CAN,
        "Thực phẩm",
        "3 sao",
        date(2021, 8, 15),
        "0100233488",
    ],
    [
        2,
        "Mắm tôm chà",
        "Hợp tác xã Nông nghiệp Phú Cần",
        PHU_CAN,
        "Thực phẩm",
        4,
        date(2021, 8, 15),
        "0100233488",
    ],
    [
        3,
        "Rượu nếp than",
        "Hộ kinh doanh Nguyễn Văn Tư",
        "xa Long Thoi, huyen Tieu Can, tinh Tra Vinh",
        "Đồ uống",
        "★★★",
        "01/03/2022",
        "",
    ],
    [
        4,
        "Gà ri Hoà Bình",
        "Công ty TNHH Mông Hoá",
        "Xã Mông Hoá, Thành phố Hoà Bình, Tỉnh Hoà Bình",
        "Thịt, thủy sản, trứng, sữa tươi",
        "Ba sao",
        "2023-05-10",
        "",
    ],
    [
        5,
        "Dưa lưới Thủy Đông",
        "Tổ hợp tác dưa lưới Thủy Đông",
        "Xã Thuỷ Đông, huyện Thạnh Hoá, tỉnh Long An",
        "Rau, củ, quả, hạt tươi",
        "3*",
        date(2024, 11, 2),
        "",
    ],
]
FOOTER = ([None, "Tổng cộng: 5 sản phẩm"],)


def import_file(content, name, **kwargs):
    return run_import(content, name, **kwargs)


def registry_snapshot() -> dict:
    labels = ["registry.producer", "registry.product", "registry.recognition"]
    return {label: sorted(map(repr, apps.get_model(label).objects.values_list())) for label in labels}


@pytest.mark.django_db
def test_a_province_workbook_goes_in_exactly():
    report = import_file(xlsx(HEADER, ROWS, titles=TITLES, footer=FOOTER), "ds-ocop.xlsx")
    assert report.status == "applied", [p.as_dict() for p in report.problems]
    assert report.rows == 5
    assert (report.producers.create, report.products.create, report.recognitions.create) == (4, 5, 5)
    assert report.skipped_rows == [10]  # titles on rows 1-2, header on row 4, products 5-9, the total on 10

    coop = Producer.objects.get(tax_code="0100233488")
    assert (coop.kind, coop.commune.name, coop.province.name) == (
        "cooperative",
        "Xã Tiểu Cần",
        "Tỉnh Vĩnh Long",
    )
    assert (coop.historical_commune.name, coop.historical_district.name, coop.historical_province.name) == (
        "Xã Phú Cần",
        "Huyện Tiểu Cần",
        "Tỉnh Trà Vinh",
    )
    assert coop.products.count() == 2
    # Types told from the names, as the list has no type column.
    kinds = dict(Producer.objects.values_list("name", "kind"))
    assert kinds == {
        "Hợp tác xã Nông nghiệp Phú Cần": "cooperative",
        "Hộ kinh doanh Nguyễn Văn Tư": "household",
        "Công ty TNHH Mông Hoá": "enterprise",
        "Tổ hợp tác dưa lưới Thủy Đông": "cooperative_group",
    }
    # Old tone marks ("Hoà Bình") and the merger: Hòa Bình is now part of Phú Thọ; Long An of Tây Ninh.
    hoa_binh = Producer.objects.get(name="Công ty TNHH Mông Hoá")
    assert (hoa_binh.historical_province.name, hoa_binh.province.code) == ("Tỉnh Hoà Bình", "25")
    long_an = Producer.objects.get(name__startswith="Tổ hợp tác")
    assert (long_an.historical_province.name, long_an.province.code) == ("Tỉnh Long An", "80")

    stars = {p: s for p, s in Recognition.objects.values_list("product__name_vi", "stars")}
    assert stars == {
        "Bánh tét lá cẩm": 3,
        "Mắm tôm chà": 4,
        "Rượu nếp than": 3,
        "Gà ri Hoà Bình": 3,
        "Dưa lưới Thủy Đông": 3,
    }
    melon = Recognition.objects.get(product__name_vi="Dưa lưới Thủy Đông")
    assert (melon.recognised_on, melon.valid_until, melon.level) == (
        date(2024, 11, 2),
        date(2027, 11, 1),
        "district",
    )
    assert melon.product.product_set.code == "I.1.a"
    assert Product.objects.get(name_vi="Rượu nếp than").group == "drinks"


@pytest.mark.django_db
def test_headers_without_diacritics_in_capitals_and_a_year_column():
    header = [
        "TT",
        "TEN SAN PHAM",
        "CHU THE",
        "DIA CHI",
        "NGANH HANG",
        "SO SAO",
        "NAM CONG NHAN",
        "LOAI HINH",
    ]
    rows = [
        [
            1,
            "Chè xanh",
            "Nguyễn Văn A",
            "Xã Phú Cần, Huyện Tiểu Cần, Tỉnh Trà Vinh",
            "Chè",
            3,
            2022,
            "Hộ kinh doanh",
        ],
        [
            2,
            "Cà phê rang",
            "Cơ sở Ba Tư",
            "Xã Phú Cần, Huyện Tiểu Cần, Tỉnh Trà Vinh",
            "Cà phê, ca cao",
            4,
            "2023",
            "HTX",
        ],
    ]
    report = import_file(xlsx(header, rows), "list.xlsx")
    assert report.status == "applied", [p.as_dict() for p in report.problems]
    # A year alone means 1 July of that year.
    assert sorted(Recognition.objects.values_list("recognised_on", flat=True)) == [
        date(2022, 7, 1),
        date(2023, 7, 1),
    ]
    assert dict(Producer.objects.values_list("name", "kind")) == {
        "Nguyễn Văn A": "household",
        "Cơ sở Ba Tư": "cooperative",
    }


@pytest.mark.django_db
def test_old_xls_and_semicolon_csv_files():
    report = import_file(xls(HEADER, ROWS[:2], titles=TITLES), "ds.xls")
    assert report.status == "applied", [p.as_dict() for p in report.problems]
    assert Recognition.objects.count() == 2
    report = import_file(csv_bytes(HEADER, ROWS[2:3], delimiter=";"), "ds.csv")
    assert report.status == "applied", [p.as_dict() for p in report.problems]
    assert Recognition.objects.count() == 3


@pytest.mark.django_db
def test_importing_the_same_file_twice_changes_nothing_the_second_time():
    content = xlsx(HEADER, ROWS, titles=TITLES, footer=FOOTER)
    import_file(content, "ds.xlsx")
    before = registry_snapshot()
    report = import_file(content, "ds.xlsx")
    assert report.status == "applied"
    assert (report.producers.create, report.producers.update, report.producers.unchanged) == (0, 0, 4)
    assert (report.products.create, report.products.update, report.products.unchanged) == (0, 0, 5)
    assert (report.recognitions.create, report.recognitions.update, report.recognitions.unchanged) == (
        0,
        0,
        5,
    )
    assert registry_snapshot() == before


@pytest.mark.django_db
def test_one_bad_row_among_hundreds_rejects_the_file_and_is_named():
    rows = []
    for index in range(1, 301):
        rows.append(
            [
                index,
                f"Sản phẩm số {index}",
                f"Hộ kinh doanh Trần Văn {index}",
                PHU_CAN,
                "Thực phẩm",
                3,
                date(2022, 5, 1),
                "",
            ]
        )
    rows[156][5] = "6 sao"  # the 157th product, on spreadsheet row 4 + 157 = 161
    import_file(xlsx(HEADER, ROWS[:1], titles=TITLES), "first.xlsx")
    before = registry_snapshot()
    report = import_file(xlsx(HEADER, rows, titles=TITLES), "big.xlsx")
    assert report.status == "rejected"
    assert [(p.row, p.column, p.code) for p in report.problems] == [(161, "Hạng sao", "stars_out_of_range")]
    assert report.rows == 300
    assert report.problems[0].message() == "6 stars is outside 1-5."
    assert registry_snapshot() == before


@pytest.mark.django_db
def test_every_problem_is_reported_with_its_row_and_column_and_nothing_is_written():
    rows = [
        [1, "", "HTX A", PHU_CAN, "Thực phẩm", 3, date(2022, 1, 1), ""],  # missing product
        [2, "Sản phẩm B", "HTX B", "Xã Không Có, Tỉnh Trà Vinh", "Thực phẩm", 3, date(2022, 1, 1), ""],
        [3, "Sản phẩm C", "HTX C", "Xã Minh Tân, Tỉnh Thái Bình", "Thực phẩm", 3, date(2022, 1, 1), ""],
        [4, "Sản phẩm D", "HTX D", PHU_CAN, "Thực phẩm", 3, "31/02/2023", ""],
        [5, "Sản phẩm E", "HTX E", PHU_CAN, "Thực phẩm", 3, date(2022, 1, 1), "0100233489"],
        [6, "Sản phẩm F", "HTX F", PHU_CAN, "Đồ chơi", 3, date(2022, 1, 1), ""],
        [7, "Sản phẩm G", "Ông Ba", PHU_CAN, "Thực phẩm", 3, date(2022, 1, 1), ""],  # type not inferable
        [8, "Sản phẩm H", "HTX H", PHU_CAN, "Thực phẩm", 4, date(2022, 1, 1), ""],
        [9, "Sản phẩm H", "HTX H", PHU_CAN, "Thực phẩm", 3, date(2022, 1, 1), ""],  # same day, other stars
    ]
    header = [*HEADER, "Mã vạch"]
    rows = [[*row, ""] for row in rows]
    rows[0][8] = "8934563138166"  # bad GTIN check digit
    report = import_file(xlsx(header, rows, titles=TITLES), "bad.xlsx")
    assert report.status == "rejected"
    found = [(p.row, p.column, p.code) for p in report.problems]
    assert found == [
        (5, "Mã vạch", "gtin"),
        (5, "Tên sản phẩm", "required"),
        (6, "Địa chỉ", "address"),
        (7, "Địa chỉ", "address"),
        (8, "Ngày công nhận", "date_impossible"),
        (9, "Mã số thuế", "tax_code"),
        (10, "Nhóm sản phẩm", "group_unknown"),
        (11, "Tên chủ thể", "type_not_inferable"),
        # Rows contradicting each other are named in the same report, not after a second upload.
        (12, "Hạng sao", "stars_conflict"),
        (13, "Hạng sao", "stars_conflict"),
    ]
    assert report.rows == 9  # every product row read, the rejected ones included
    messages = {p.row: p.message() for p in report.problems}
    assert "There is no commune" in messages[6]
    assert "exists in 3 districts" in messages[7]
    assert messages[9] == "Tax code '0100233489': the check digit does not match."
    assert Producer.objects.count() == 0


@pytest.mark.django_db
def test_a_product_listed_twice_with_different_stars_is_refused():
    rows = [
        [1, "Sản phẩm H", "HTX H", PHU_CAN, "Thực phẩm", 4, date(2022, 1, 1), ""],
        [2, "Sản phẩm H", "HTX H", PHU_CAN, "Thực phẩm", 3, date(2022, 1, 1), ""],
    ]
    report = import_file(xlsx(HEADER, rows), "dup.xlsx")
    assert [(p.row, p.code) for p in report.problems] == [(2, "stars_conflict"), (3, "stars_conflict")]
    assert "rows 2, 3" in report.problems[0].message()
    assert Producer.objects.count() == 0


@pytest.mark.django_db
def test_a_product_rated_again_later_keeps_its_history():
    rows = [
        [1, "Sản phẩm H", "HTX H", PHU_CAN, "Thực phẩm", 3, date(2020, 1, 1), ""],
        [2, "Sản phẩm H", "HTX H", PHU_CAN, "Thực phẩm", 4, date(2022, 6, 1), ""],
    ]
    report = import_file(xlsx(HEADER, rows), "history.xlsx")
    assert report.status == "applied"
    first, second = Recognition.objects.order_by("recognised_on")
    assert (first.superseded_on, first.superseded_by) == (date(2022, 6, 1), second)
    assert report.superseded == 1


@pytest.mark.django_db
def test_existing_producers_are_matched_by_tax_code_then_by_name_within_the_commune():
    import_file(xlsx(HEADER, ROWS[:3]), "first.xlsx")
    producer = Producer.objects.get(tax_code="0100233488")
    rows = [
        # Same tax code, the name written differently: the same producer, renamed.
        [
            1,
            "Bánh tét lá cẩm",
            "HTX Nông nghiệp Phú Cần",
            PHU_CAN,
            "Thực phẩm",
            3,
            date(2021, 8, 15),
            "0100.233.488",
        ],
        # No tax code: matched by name within its commune.
        [
            2,
            "Rượu nếp than",
            "Hộ kinh doanh Nguyễn Văn Tư",
            "xa Long Thoi, huyen Tieu Can, tinh Tra Vinh",
            "Đồ uống",
            3,
            date(2022, 3, 1),
            "",
        ],
    ]
    report = import_file(xlsx(HEADER, rows), "second.xlsx")
    assert (report.producers.create, report.producers.update, report.producers.unchanged) == (0, 1, 1)
    producer.refresh_from_db()
    assert producer.name == "HTX Nông nghiệp Phú Cần"
    assert Producer.objects.count() == 2


@pytest.mark.django_db
def test_officers_import_only_inside_their_jurisdiction(geo, officer_a, django_user_model):
    # officer_a is a province officer of the new Tây Ninh (80); Trà Vinh is now part of Vĩnh Long.
    report = import_file(xlsx(HEADER, ROWS), "ds.xlsx", user=officer_a)
    outside = [(p.row, p.code) for p in report.problems]
    assert outside == [
        (2, "outside_jurisdiction"),
        (3, "outside_jurisdiction"),
        (4, "outside_jurisdiction"),
        (5, "outside_jurisdiction"),
    ]
    assert Producer.objects.count() == 0
    report = import_file(xlsx(HEADER, ROWS[4:]), "long-an.xlsx", user=officer_a)
    assert report.status == "applied"


@pytest.mark.django_db
def test_a_file_without_the_required_columns_says_which_are_missing():
    report = import_file(xlsx(["STT", "Tên sản phẩm", "Chủ thể", "Ghi chú"], [[1, "A", "B", ""]]), "x.xlsx")
    assert [(p.row, p.code) for p in report.problems] == [(None, "missing_columns")]
    assert report.problems[0].message() == (
        "The header row (row 1) lacks the columns: Địa chỉ, Nhóm sản phẩm, Hạng sao, Ngày công nhận."
    )
    report = import_file(b"not a spreadsheet", "x.pdf")
    assert [p.code for p in report.problems] == ["file_type"]
    report = import_file(b"PK\x03\x04 broken", "x.xlsx")
    assert [p.message() for p in report.problems] == ["x.xlsx is damaged: it cannot be opened as a workbook."]


@pytest.mark.django_db
def test_the_command_prints_json_and_exits_non_zero_on_problems(tmp_path, capsys):
    good, bad = tmp_path / "good.xlsx", tmp_path / "bad.csv"
    good.write_bytes(xlsx(HEADER, ROWS, titles=TITLES))
    bad.write_bytes(csv_bytes(HEADER, [[1, "X", "HTX X", PHU_CAN, "Thực phẩm", 9, "01/01/2022", ""]]))
    call_command("import-registry", str(good), "--dry-run", "--format", "json", "--language", "en")
    data = json.loads(capsys.readouterr().out)
    assert (data["status"], data["dry_run"], data["producers"]["create"]) == ("checked", True, 4)
    assert Producer.objects.count() == 0
    with pytest.raises(SystemExit) as exit_info:
        call_command("import-registry", str(bad), "--format", "json", "--language", "en")
    assert exit_info.value.code == 1
    data = json.loads(capsys.readouterr().out)
    assert data["problems"] == [
        {
            "row": 2,
            "column": "Hạng sao",
            "code": "stars_out_of_range",
            "value": "9",
            "message": "9 stars is outside 1-5.",
        }
    ]


@pytest.mark.django_db
def test_the_report_speaks_vietnamese(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(HEADER, [[1, "X", "HTX X", PHU_CAN, "Thực phẩm", 9, "01/01/2022", ""]]))
    with pytest.raises(SystemExit):
        call_command("import-registry", str(bad), "--language", "vi")
    out = capsys.readouterr().out
    assert "dòng 2, Hạng sao: 9 sao nằm ngoài khoảng 1-5." in out


@pytest.mark.django_db
def test_progress_is_reported_while_checking():
    calls = []
    rows = [
        [i, f"SP {i}", f"Hộ kinh doanh Lê Văn {i}", PHU_CAN, "Thực phẩm", 3, date(2022, 5, 1), ""]
        for i in range(1, 1201)
    ]
    import_file(
        xlsx(HEADER, rows),
        "big.xlsx",
        progress=lambda done, total=None, message=None, force=False: calls.append((done, total)),
    )
    checked = [(done, total) for done, total in calls if total == 1200]
    assert checked[:3] == [(0, 1200), (500, 1200), (1000, 1200)]
