"""Hostile registry lists posted to the import API: each is refused with a message saying what and
where (the limit it passes), the job ends, and nothing is written. Files are made at test time."""

import io
import json
import os
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ocop.jobs.models import Job
from ocop.registry.importing import read_rows, run_import

from . import hostile
from .listfiles import csv_bytes, xlsx
from .test_import import HEADER, ROWS, registry_snapshot

BANH_TET = ROWS[0]


@pytest.fixture
def post_list(client, central, django_capture_on_commit_callbacks):
    from ocop.accounts.models import ApiToken

    _token, raw = ApiToken.issue(user=central, name="import script")

    def post(content: bytes, name: str) -> dict:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/api/v1/imports",
                {"file": SimpleUploadedFile(name, content), "dry_run": "false"},
                HTTP_AUTHORIZATION=f"Bearer {raw}",
            )
        assert response.status_code == 202, response.content
        return client.get(f"/api/v1/jobs/{response.json()['id']}", HTTP_AUTHORIZATION=f"Bearer {raw}").json()

    return post


def _refused(job: dict) -> list[str]:
    assert (job["status"], job["result"]["status"]) == ("succeeded", "rejected"), job
    return [p["message"] for p in job["result"]["problems"]]


HOSTILE = [
    (
        "sparse.xlsx",
        hostile.sparse_xlsx,
        "Sheet “Danh sách” of sparse.xlsx reaches row 1048576; a list may have at most 100000 rows.",
    ),
    (
        "sparse-xlsxwriter.xlsx",
        hostile.sparse_xlsx_by_excel_writer,
        "Sheet “Sheet1” of sparse-xlsxwriter.xlsx reaches row 1048576; a list may have at most 100000 rows.",
    ),
    (
        "wide.xlsx",
        hostile.wide_xlsx,
        "Sheet “Danh sách” of wide.xlsx reaches column AY; a list may have at most 50 columns.",
    ),
    (
        "bomb.ods",
        hostile.ods_bomb,
        "Sheet “Danh sách” of bomb.ods reaches row 1048576; a list may have at most 100000 rows.",
    ),
    (
        "dims.xls",
        lambda: hostile.xls_huge_dimensions(HEADER, [BANH_TET]),
        "Sheet “DS” of dims.xls reaches row 4294967295; a list may have at most 100000 rows.",
    ),
    (
        "far.xls",
        lambda: hostile.xls_far_cell(HEADER, [BANH_TET]),
        "Sheet “DS” of far.xls reaches column IV; a list may have at most 50 columns.",
    ),
    (
        "locked.xlsx",
        hostile.encrypted_xlsx,
        "locked.xlsx is protected by a password: save it without one and upload it again.",
    ),
    (
        "locked.ods",
        hostile.encrypted_ods,
        "locked.ods is protected by a password: save it without one and upload it again.",
    ),
    (
        "archive.xlsx",
        hostile.not_a_workbook_zip,
        "archive.xlsx is a zip archive but not a workbook (.xlsx or .ods).",
    ),
    (
        "laughs.xlsx",
        hostile.billion_laughs_xlsx,
        "laughs.xlsx is refused: its part xl/sharedStrings.xml declares a document type (DTD), which "
        "workbooks never do.",
    ),
    (
        "ratio.xlsx",
        lambda: hostile.xlsx_bomb(20),
        "ratio.xlsx is refused: its part xl/worksheets/sheet1.xml is compressed {ratio} times, over the limit "
        "of 100 times (a zip bomb).",
    ),
    (
        "list.xlsx",
        lambda: b"STT,T\xc3\xaan s\xe1\xba\xa3n ph\xe1\xba\xa9m\n",
        "list.xlsx is not a spreadsheet (.xlsx, .xls or .ods), whatever its name says.",
    ),
    (
        "nul.csv",
        lambda: csv_bytes(HEADER, [BANH_TET]) + b"6,B\x00anh\n",
        "Row 3 holds a NUL character: the file is not a text (CSV) file.",
    ),
    (
        "long.csv",
        lambda: csv_bytes(HEADER, [BANH_TET]) + b"x" * 200_000 + b"\n",
        "Row 3 is longer than 131072 characters.",
    ),
    (
        "many-columns.csv",
        lambda: csv_bytes(HEADER, [BANH_TET]) + b"," * 60 + b"\n",
        "Row 3 has 61 columns; a list may have at most 50.",
    ),
    (
        "broken-utf8.csv",
        lambda: csv_bytes(HEADER, [BANH_TET], encoding="utf-8") + "Bánh".encode()[:2] + b"\n",
        "The file is not UTF-8, UTF-16 or Windows-1258 text: the byte at offset {offset} (row 3) cannot be "
        "read. Save it as “CSV UTF-8”.",
    ),
    (
        "odd-utf16.csv",
        lambda: hostile.utf16("STT,Tên sản phẩm\r\n1,Bánh\r\n") + b"\x00",
        "The file is not UTF-8, UTF-16 or Windows-1258 text: the byte at offset 54 (row 3) cannot be read. "
        "Save it as “CSV UTF-8”.",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "build", "message"), HOSTILE, ids=[case[0] for case in HOSTILE])
def test_a_hostile_list_is_refused_with_what_and_where_and_nothing_is_written(
    post_list, name, build, message
):
    content = build()
    if "{offset}" in message:  # where the broken character is
        message = message.format(offset=content.index(b"\xc3\x0a"))
    if "{ratio}" in message:  # as this machine's zlib compressed it
        part = zipfile.ZipFile(io.BytesIO(content)).getinfo("xl/worksheets/sheet1.xml")
        message = message.format(ratio=part.file_size // part.compress_size)
    before = registry_snapshot()
    assert _refused(post_list(content, name)) == [message]
    assert registry_snapshot() == before
    assert Job.objects.get().status == "succeeded"  # the job ended; it is never left running


@pytest.mark.django_db
def test_a_zip_bomb_is_refused_by_its_stated_size_before_anything_is_unpacked(settings):
    # 20 MB of XML in 20 KB; with the limit at 8 MB it is refused from the archive's directory.
    settings.OCOP_IMPORT_MAX_UNPACKED_BYTES = 8 * 1_048_576
    report = run_import(hostile.xlsx_bomb(20), "bomb.xlsx", dry_run=True)
    assert [p.message() for p in report.problems] == [
        "bomb.xlsx is refused: its part xl/worksheets/sheet1.xml unpacks to 20 MB, over the limit of 8 MB."
    ]
    # Parts under the limit each, over it together.
    parts = {f"xl/media/image{n}.png": b"\x89PNG" + os.urandom(3 * 1_048_576) for n in range(3)}
    report = run_import(hostile.xlsx_parts(extra=parts), "photos.xlsx", dry_run=True)
    assert [p.message() for p in report.problems] == ["photos.xlsx is refused: it unpacks to more than 8 MB."]


@pytest.mark.django_db
def test_reading_a_refused_file_takes_little_memory():
    """The refusal comes before the reader allocates anything: peak memory stays small."""
    import tracemalloc

    tracemalloc.start()
    try:
        for content, name in (
            (hostile.sparse_xlsx(), "sparse.xlsx"),
            (hostile.ods_bomb(), "bomb.ods"),
            (hostile.xlsx_bomb(20), "ratio.xlsx"),
        ):
            report = run_import(content, name, dry_run=True)
            assert report.status == "rejected"
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 * 1_048_576, peak  # the 20 MB XML part is never held whole


def test_the_reader_survives_every_hostile_file_under_a_memory_cap(tmp_path):
    """In a child process capped at 2 GB of address space, as a regression would abort the
    process (the reader's failed allocation cannot be caught): each file must be refused."""
    files = {
        "sparse.xlsx": hostile.sparse_xlsx(),
        "bomb.ods": hostile.ods_bomb(),
        "dims.xls": hostile.xls_huge_dimensions(HEADER, [BANH_TET]),
    }
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    script = (
        "import django, json, sys; django.setup()\n"
        "from ocop.registry.importing import read_rows\n"
        "from ocop.registry.listformat import ValueProblem\n"
        "for path in sys.argv[1:]:\n"
        "    try:\n"
        "        read_rows(open(path, 'rb').read(), path)\n"
        "        print(json.dumps([path, 'read']), flush=True)\n"
        "    except ValueProblem as problem:\n"
        "        print(json.dumps([path, problem.code]), flush=True)\n"
    )

    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ocop.settings", "OCOP_ENV": "test"}
    done = subprocess.run(
        [sys.executable, "-c", script, *(str(tmp_path / name) for name in files)],
        env=env,
        cwd=Path(__file__).resolve().parents[3],
        capture_output=True,
        text=True,
        preexec_fn=cap,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    results = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("[")]
    assert [(Path(path).name, code) for path, code in results] == [
        ("sparse.xlsx", "sheet_rows"),
        ("bomb.ods", "sheet_rows"),
        ("dims.xls", "sheet_rows"),
    ]


# ---------------------------------------------------------------------------------------------
# Odd but honest files are read
# ---------------------------------------------------------------------------------------------


def _csv_text(rows) -> str:
    return "\r\n".join(",".join(str(v) for v in row) for row in rows) + "\r\n"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("label", "encode"),
    [
        ("utf-16 le with bom", lambda text: hostile.utf16(text)),
        ("utf-16 be with bom", lambda text: hostile.utf16(text, byte_order="be")),
        ("utf-16 le without bom", lambda text: hostile.utf16(text, bom=False)),
        ("utf-16 be without bom", lambda text: hostile.utf16(text, byte_order="be", bom=False)),
        ("utf-8 without bom", lambda text: text.encode()),
        ("windows-1258", lambda text: hostile.cp1258(text)),
    ],
)
def test_csv_files_in_every_encoding_excel_writes_are_read_alike(label, encode):
    rows = [HEADER, [1, "Bánh tét lá cẩm", "Hợp tác xã Nông nghiệp Phú Cần", "Ấp Chợ", "Thực phẩm", "3 sao"]]
    text = _csv_text(rows)
    assert read_rows(encode(text), "ds.csv") == [[str(v) for v in row] for row in rows]


@pytest.mark.django_db
def test_mixed_line_endings_and_libreoffice_blank_rows_are_read():
    content = b"STT,T\xc3\xaan\r\n1,A\n2,B\r3,C\r\n"
    assert read_rows(content, "mixed.csv") == [["STT", "Tên"], ["1", "A"], ["2", "B"], ["3", "C"]]
    assert read_rows(hostile.ods_trailing_blank_rows(), "lo.ods") == [["x"]]


@pytest.mark.django_db
def test_a_utf16_list_is_imported_like_any_other(post_list):
    text = csv_bytes(HEADER, ROWS[:2], encoding="utf-8").decode()
    job = post_list(hostile.utf16(text), "ds-unicode.csv")
    assert (job["result"]["status"], job["result"]["products"]["create"]) == ("applied", 2), job["result"]


@pytest.mark.django_db
def test_the_refusal_speaks_vietnamese(client, central, django_capture_on_commit_callbacks):
    from django.test import Client

    vi = Client(HTTP_ACCEPT_LANGUAGE="vi")
    vi.force_login(central)
    with django_capture_on_commit_callbacks(execute=True):
        response = vi.post(
            "/manage/imports/", {"file": SimpleUploadedFile("sparse.xlsx", hostile.sparse_xlsx())}
        )
    page = vi.get(response.url).content.decode()
    assert "Trang tính “Danh sách” của sparse.xlsx kéo dài tới dòng 1048576" in page


@pytest.mark.django_db
def test_an_xlsx_file_with_xlsx_contents_still_goes_in():
    report = run_import(xlsx(HEADER, ROWS[:1]), "ds.xlsx", dry_run=True)
    assert report.status == "checked", [p.as_dict() for p in report.problems]
