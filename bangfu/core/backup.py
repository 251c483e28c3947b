"""Backup and restore of the whole database.

SQLite: the online backup API copies a consistent snapshot while the site runs.
PostgreSQL: pg_dump's custom format, restored with pg_restore --clean.
"""

import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone


class BackupError(RuntimeError):
    pass


def default_path(suffix: str) -> Path:
    folder = settings.VAR_DIR / "backups"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"bangfu-{timezone.localtime():%Y%m%d-%H%M%S}.{suffix}"


def _pg_env() -> tuple[list[str], dict]:
    db = settings.DATABASES["default"]
    args = ["--host", db.get("HOST") or "127.0.0.1", "--port", str(db.get("PORT") or 5432)]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    env = {"PATH": "/usr/bin:/bin:/usr/local/bin", "PGPASSWORD": db.get("PASSWORD") or ""}
    return args, env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (Debian package postgresql-client)")
    return path


def backup(output: str | None = None) -> Path:
    if connection.vendor == "sqlite":
        path = Path(output) if output else default_path("sqlite3")
        target = sqlite3.connect(path)
        try:
            connection.ensure_connection()
            connection.connection.backup(target)
        finally:
            target.close()
        return path
    if connection.vendor == "postgresql":
        path = Path(output) if output else default_path("pgdump")
        args, env = _pg_env()
        command = [
            _tool("pg_dump"),
            *args,
            "--format=custom",
            "--no-owner",
            "--file",
            str(path),
            settings.DATABASES["default"]["NAME"],
        ]
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if result.returncode:
            raise BackupError(result.stderr.strip())
        return path
    raise BackupError(f"backup is not supported on {connection.vendor}")


def restore(source: str) -> None:
    path = Path(source)
    if not path.is_file():
        raise BackupError(f"no backup file at {path}")
    if connection.vendor == "sqlite":
        with path.open("rb") as handle:
            if handle.read(16) != b"SQLite format 3\x00":
                raise BackupError(f"{path} is not an SQLite backup")
        origin = sqlite3.connect(path)
        try:
            connection.ensure_connection()
            origin.backup(connection.connection)
        except sqlite3.DatabaseError as error:  # truncated or corrupt: the database is left as it was
            raise BackupError(f"{path} is not a usable SQLite backup: {error}") from error
        finally:
            origin.close()
        connection.close()
        return
    if connection.vendor == "postgresql":
        with path.open("rb") as handle:
            if handle.read(5) != b"PGDMP":
                raise BackupError(f"{path} is not a pg_dump custom-format backup")
        connection.close()
        args, env = _pg_env()
        command = [
            _tool("pg_restore"),
            *args,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--dbname",
            settings.DATABASES["default"]["NAME"],
            str(path),
        ]
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if result.returncode:
            raise BackupError(result.stderr.strip())
        return
    raise BackupError(f"restore is not supported on {connection.vendor}")
