"""ocop backup / ocop restore: a round trip gives the same statistics and the same files, and a
restore refuses anything but an intact backup of the same engine before replacing anything.

On SQLite this runs in the normal suite; on PostgreSQL (DATABASE_URL) it needs pg_dump and
pg_restore and is skipped plainly without them.
"""

import io
import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from ocop.accounts.models import AuditEvent
from ocop.operations.backup import MANIFEST, file_roots
from ocop.registry.models import Producer, ProductPhoto, Recognition

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_tools():
    if connection.vendor == "postgresql" and not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("PostgreSQL backups need pg_dump and pg_restore, which are not installed")


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def files_now() -> dict[str, bytes]:
    return {
        f"{name}/{path.relative_to(root).as_posix()}": path.read_bytes()
        for name, root in file_roots().items()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def png(colour: int) -> bytes:
    from tests.permissions.framework import png_bytes

    return png_bytes() + bytes([colour])  # distinct contents, still stored as given


@pytest.fixture
def installation(records, officer_a):
    from ocop.jobs.models import Job

    photo = ProductPhoto(product=records.p_recognised, caption="mặt trước")
    photo.image.save("front.png", ContentFile(png(1)), save=True)
    job = Job.objects.create(kind="registry.export", owner=officer_a, status="succeeded")
    job.output_file.save("ocop-80.csv", ContentFile("STT,Tên\n1,Bánh tráng\n".encode()), save=True)
    return records


def test_round_trip_gives_the_same_statistics_and_files(installation, tmp_path):
    stats = run("stats", "--format", "json"), run("stats", "--province", "80", "--by", "commune")
    files = files_now()
    from ocop.jobs.models import Job

    assert sorted(files) == [
        f"media/{ProductPhoto.objects.get().image.name}",
        f"private/{Job.objects.get().output_file.name}",
    ]

    out = run("backup", str(tmp_path / "b"))
    assert f"{connection.vendor} database and 2 file(s)" in out
    manifest = json.loads((tmp_path / "b" / MANIFEST).read_text())
    assert manifest["engine"] == connection.vendor
    assert manifest["migrations"]["registry"].startswith("00")
    assert sorted(e["path"] for e in manifest["files"])[1:] == sorted(f"files/{name}" for name in files)

    # Change and delete data and files.
    Recognition.objects.filter(pk=installation.r_q.pk).update(revoked_on=date.today(), revocation_reason="x")
    ProductPhoto.objects.all().delete()
    Producer.objects.filter(pk=installation.q.pk).update(name="Đổi tên")
    for path in file_roots()["media"].rglob("*.png"):
        path.unlink()
    (file_roots()["private"] / "stray.txt").write_text("not in the backup")
    assert run("stats", "--format", "json") != stats[0]

    out = run("restore", str(tmp_path / "b"), "--yes")
    assert "Restored into" in out
    assert (run("stats", "--format", "json"), run("stats", "--province", "80", "--by", "commune")) == stats
    assert files_now() == files
    assert Producer.objects.get(pk=installation.q.pk).name == "Công ty TNHH Chè Phú Thọ"
    assert ProductPhoto.objects.count() == 1
    assert AuditEvent.objects.filter(action="backup.restore", object_id=manifest["created_at"]).count() == 1


def test_restore_refuses_all_but_an_intact_backup_and_replaces_nothing(installation, tmp_path):
    good = tmp_path / "good"
    run("backup", str(good))
    with pytest.raises(CommandError, match="not an empty directory"):
        run("backup", str(good))
    with pytest.raises(CommandError, match="inside"):
        run("backup", str(Path(settings.MEDIA_ROOT) / "backup"))
    Producer.objects.filter(pk=installation.q.pk).update(name="Sau sao lưu")
    files = files_now()

    def damaged(name, change):
        copy = tmp_path / name
        shutil.copytree(good, copy)
        manifest = json.loads((copy / MANIFEST).read_text())
        change(copy, manifest)
        if (copy / MANIFEST).exists():
            (copy / MANIFEST).write_text(manifest.get("raw") or json.dumps(manifest))
        return copy

    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    photo_entry = next(
        i for i, e in enumerate(json.loads((good / MANIFEST).read_text())["files"]) if "media" in e["path"]
    )
    cases = {
        "no manifest": (lambda d, m: (d / MANIFEST).unlink(), "has no manifest.json"),
        "not json": (lambda d, m: m.update(raw="{"), "not valid JSON"),
        "other engine": (lambda d, m: m.update(engine=other), f"backup is of a {other} database"),
        "newer code": (lambda d, m: m["migrations"].update(registry="9999_future"), "registry.9999_future"),
        "bad format": (lambda d, m: m.update(format="zip"), "not a manifest of this format"),
        "escape": (
            lambda d, m: m["files"][photo_entry].update(path="files/media/../../../etc/x"),
            "refused file path",
        ),
        "damaged file": (
            lambda d, m: (d / m["files"][photo_entry]["path"]).write_bytes(png(2)),
            "differs from the manifest",
        ),
        "missing file": (
            lambda d, m: (d / m["files"][photo_entry]["path"]).unlink(),
            "is missing from the backup",
        ),
        "damaged database": (
            lambda d, m: (d / m["files"][0]["path"]).write_bytes(b"\0" * 100),
            "differs from the manifest",
        ),
    }
    for name, (change, message) in cases.items():
        with pytest.raises(CommandError, match=message):
            run("restore", str(damaged(name.replace(" ", "-"), change)), "--yes")
    with pytest.raises(CommandError, match="give --yes"):  # stdin is not a terminal under pytest
        run("restore", str(good))
    assert Producer.objects.get(pk=installation.q.pk).name == "Sau sao lưu"
    assert files_now() == files
    assert not AuditEvent.objects.filter(action="backup.restore").exists()
