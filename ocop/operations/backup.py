"""Backups of the whole installation: the database and the uploaded files, in one directory.

A backup directory holds the database (SQLite through its online backup API, so the copy is
consistent while the service runs; PostgreSQL through ``pg_dump -Fc``), the files under
``MEDIA_ROOT`` and ``PRIVATE_ROOT``, and ``manifest.json``, written last: when it was made, the
database engine, the version and migrations of the code, and every file with its size and
SHA-256. A directory without a valid manifest is not a backup.

:func:`restore_check` reads and verifies a backup without touching anything; :func:`restore`
then replaces the database and the files with it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

import ocop
from ocop.accounts.choices import AuditAction
from ocop.accounts.services import audit_record

FORMAT = "ocop-backup/1"
MANIFEST = "manifest.json"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.dump"}
FILES = "files"
CHUNK = 1 << 20


class BackupError(Exception):
    """Why a backup cannot be made, read or restored; nothing was replaced."""


@dataclass(frozen=True)
class Backup:
    directory: Path
    manifest: dict

    @property
    def total_bytes(self) -> int:
        return sum(entry["size"] for entry in self.manifest["files"])


def file_roots() -> dict[str, Path]:
    """The directories of uploaded and generated files, by their name in a backup."""
    return {"media": Path(settings.MEDIA_ROOT), "private": Path(settings.PRIVATE_ROOT)}


# ---------------------------------------------------------------------------------------------
# Making a backup
# ---------------------------------------------------------------------------------------------


def backup_create(directory: Path, *, using: str = "default") -> Backup:
    """Write a backup into ``directory``, which must be new or empty."""
    directory = Path(directory)
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise BackupError(f"{directory} exists and is not an empty directory: give a new one")
    for root in file_roots().values():
        if directory.resolve().is_relative_to(root.resolve()):
            raise BackupError(f"{directory} is inside {root}, which the backup copies: give another place")
    connection = connections[using]
    engine = _engine(connection.vendor)
    directory.mkdir(parents=True, exist_ok=True)
    database = directory / DATABASE_FILES[engine]
    if engine == "sqlite":
        _sqlite_backup(connection, database)
    else:
        _run([_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={database}"], connection)
    entries = [_entry(directory, database)]
    for name, root in file_roots().items():
        for source in _regular_files(root):
            target = directory / FILES / name / source.relative_to(root)
            target.parent.mkdir(parents=True, exist_ok=True)
            entries.append(_copy(source, target, directory))
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "engine": engine,
        "version": ocop.__version__,
        "migrations": _migration_heads(connection),
        "files": entries,
    }
    # Written last, through a rename: a backup cut short has no manifest and cannot be restored.
    partial = directory / (MANIFEST + ".partial")
    partial.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    partial.replace(directory / MANIFEST)
    return Backup(directory, manifest)


def _engine(vendor: str) -> str:
    if vendor not in DATABASE_FILES:
        raise BackupError(f"cannot back up a {vendor} database: SQLite and PostgreSQL only")
    return vendor


def _sqlite_backup(connection, target: Path) -> None:
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        copy.close()


def _regular_files(root: Path):
    """Every regular file under ``root`` (links are not followed: they could lead anywhere)."""
    if not root.is_dir():
        return
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        for name in sorted(names):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                yield path


def _copy(source: Path, target: Path, directory: Path) -> dict:
    digest, size = hashlib.sha256(), 0
    with source.open("rb") as reader, target.open("wb") as writer:
        while chunk := reader.read(CHUNK):
            digest.update(chunk)
            writer.write(chunk)
            size += len(chunk)
    shutil.copystat(source, target)
    return {"path": target.relative_to(directory).as_posix(), "size": size, "sha256": digest.hexdigest()}


def _entry(directory: Path, path: Path) -> dict:
    size, digest = _measure(path)
    return {"path": path.relative_to(directory).as_posix(), "size": size, "sha256": digest}


def _measure(path: Path) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as reader:
        while chunk := reader.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def _migration_heads(connection) -> dict[str, str]:
    """The last migration applied in each app (their names are numbered)."""
    heads: dict[str, str] = {}
    for app, name in MigrationLoader(connection, ignore_no_migrations=True).applied_migrations:
        heads[app] = max(heads.get(app, name), name)
    return dict(sorted(heads.items()))


# ---------------------------------------------------------------------------------------------
# Restoring one
# ---------------------------------------------------------------------------------------------


def restore_check(directory: Path, *, using: str = "default") -> Backup:
    """Read and verify a backup: a valid manifest, the same database engine, migrations this
    code knows, and every file present with its size and checksum. Changes nothing."""
    directory = Path(directory)
    manifest = _read_manifest(directory)
    connection = connections[using]
    engine = _engine(connection.vendor)
    if manifest["engine"] != engine:
        raise BackupError(
            f"this backup is of a {manifest['engine']} database; this installation runs on {engine}"
        )
    graph = MigrationLoader(connection, ignore_no_migrations=True).graph
    unknown = sorted(
        f"{app}.{name}" for app, name in manifest["migrations"].items() if (app, name) not in graph.nodes
    )
    if unknown:
        raise BackupError(
            f"this backup was made by another version ({manifest['version']}): "
            f"migrations unknown here: {', '.join(unknown)}"
        )
    if DATABASE_FILES[engine] not in {entry["path"] for entry in manifest["files"]}:
        raise BackupError(f"the manifest lists no {DATABASE_FILES[engine]}")
    for entry in manifest["files"]:
        path = directory / entry["path"]
        if not path.is_file() or path.is_symlink():
            raise BackupError(f"{entry['path']} is missing from the backup")
        if _measure(path) != (entry["size"], entry["sha256"]):
            raise BackupError(
                f"{entry['path']} differs from the manifest (size or SHA-256): the backup is damaged"
            )
    return Backup(directory, manifest)


def _read_manifest(directory: Path) -> dict:
    path = directory / MANIFEST
    if not path.is_file():
        raise BackupError(f"{directory} is not a backup: it has no {MANIFEST}")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackupError(f"{path} is not valid JSON: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not a manifest of this format ({FORMAT})")
    files, migrations = manifest.get("files"), manifest.get("migrations")
    if (
        manifest.get("engine") not in DATABASE_FILES
        or not isinstance(manifest.get("version"), str)
        or not isinstance(manifest.get("created_at"), str)
        or not isinstance(migrations, dict)
        or not all(isinstance(k, str) and isinstance(v, str) for k, v in migrations.items())
        or not isinstance(files, list)
    ):
        raise BackupError(f"{path}: engine, version, created_at, migrations or files missing or malformed")
    seen = set()
    for entry in files:
        if not (
            isinstance(entry, dict)
            and isinstance(entry.get("path"), str)
            and isinstance(entry.get("size"), int)
            and isinstance(entry.get("sha256"), str)
        ):
            raise BackupError(f"{path}: a file entry is malformed: {str(entry)[:100]}")
        if not _inside(entry["path"]) or entry["path"] in seen:
            raise BackupError(f"{path}: refused file path {entry['path']!r}")
        seen.add(entry["path"])
    return manifest


def _inside(path: str) -> bool:
    """A path the restore may write: the database file, or a file under files/<root>/."""
    if "\\" in path or "\x00" in path:
        return False
    parts = PurePosixPath(path).parts
    if any(part in {"", ".", ".."} for part in parts) or PurePosixPath(path).is_absolute():
        return False
    if len(parts) == 1:
        return parts[0] in DATABASE_FILES.values()
    return len(parts) >= 3 and parts[0] == FILES and parts[1] in file_roots()


def restore(backup: Backup, *, using: str = "default") -> None:
    """Replace the database and the files with a backup checked by :func:`restore_check`.

    The files are copied next to their directories first, so a disk that fills up stops the
    restore before anything is replaced; then the database, then the directories' contents.
    Stop the web processes and workers first: their connections would hold old state."""
    connection = connections[using]
    if connection.in_atomic_block:
        raise BackupError("a restore cannot run inside a transaction")
    roots = file_roots()
    staged: dict[str, Path] = {}
    try:
        for name, root in roots.items():
            root.parent.mkdir(parents=True, exist_ok=True)
            staged[name] = Path(tempfile.mkdtemp(prefix=f".{root.name}-restoring-", dir=root.parent))
        for entry in backup.manifest["files"]:
            parts = PurePosixPath(entry["path"]).parts
            if parts[0] == FILES:
                target = staged[parts[1]].joinpath(*parts[2:])
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(backup.directory / entry["path"], target)
        database = backup.directory / DATABASE_FILES[backup.manifest["engine"]]
        if backup.manifest["engine"] == "sqlite":
            _sqlite_restore(connection, database)
        else:
            connection.close()
            _run(
                [
                    _tool("pg_restore"),
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--single-transaction",
                    str(database),
                ],
                connection,
            )
        for name, root in roots.items():
            _replace_contents(root, staged[name])
    finally:
        for folder in staged.values():
            shutil.rmtree(folder, ignore_errors=True)
    cache.clear()  # pages and dashboards cached from the data before
    audit_record(
        actor=None,
        action=AuditAction.BACKUP_RESTORE,
        object_type="backup",
        object_id=backup.manifest["created_at"],
        directory=str(backup.directory.resolve()),
        engine=backup.manifest["engine"],
        version=backup.manifest["version"],
    )


def _sqlite_restore(connection, source: Path) -> None:
    connection.ensure_connection()
    copy = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        copy.backup(connection.connection)
    finally:
        copy.close()


def _replace_contents(root: Path, staged: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for child in root.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    for child in staged.iterdir():
        child.replace(root / child.name)


# ---------------------------------------------------------------------------------------------
# PostgreSQL's own tools
# ---------------------------------------------------------------------------------------------


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} is not installed: install PostgreSQL's client tools of the server's major version "
            "(apt-get install postgresql-client)"
        )
    return path


def _run(command: list[str], connection) -> None:
    """Run pg_dump / pg_restore on the database of ``connection`` (its settings, never a shell)."""
    db = connection.settings_dict
    env = {**os.environ}
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
    ):
        if db.get(key):
            env[variable] = str(db[key])
    result = subprocess.run(
        [command[0], f"--dbname={db['NAME']}", *command[1:]],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(
            f"{Path(command[0]).name} failed ({result.returncode}): {result.stderr.strip()[-2000:]}"
        )
