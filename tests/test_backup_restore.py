"""Backup and restore drill (issue 8): ``make backup`` (pg_dump) of a
seeded database and ``make restore`` (pg_restore) into a second, empty
database give the same data: the same number of rows in every table, and
the same employee list for HR.

Works on two scratch databases that it creates and drops on the PostgreSQL
server of ``DATABASE_URL``; the seeding, the make targets and the sample page
run in subprocesses, as an operator would run them. Needs PostgreSQL and
pg_dump/pg_restore: skips locally without them, fails in CI (``CI=true``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from psycopg import sql

from tests.needs import need

pytestmark = pytest.mark.services

BASE_DIR = Path(settings.BASE_DIR)
TIMEOUT = 300

# The employee list as HR, rendered by the Django test client inside the
# restored installation. The second factor (R13a) is not under test here.
SAMPLE_PAGE = """
import json, re
from unittest import mock
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
client = Client(HTTP_HOST="localhost")
client.force_login(get_user_model().objects.get(username="hr"))
with mock.patch("smo.twofactor.middleware.TwoFactorMiddleware.process_view", return_value=None):
    response = client.get(reverse("employee_list"))
body = response.content.decode()
print(json.dumps({"status": response.status_code, "links": sorted(set(re.findall(r'href="(/[^"]+/)"', body)))}))
"""


_require = need


def _server() -> dict:
    db = settings.DATABASES["default"]
    return {
        "host": db.get("HOST") or "127.0.0.1",
        "port": db.get("PORT") or 5432,
        "user": db.get("USER") or "postgres",
        "password": db.get("PASSWORD") or "",
    }


def _url(name: str) -> str:
    s = _server()
    auth = s["user"] + (f":{s['password']}" if s["password"] else "")
    return f"postgres://{auth}@{s['host']}:{s['port']}/{name}"


def _admin_connection():
    return psycopg.connect(dbname="postgres", autocommit=True, **_server())


def _run(args: list[str], database_url: str, **env) -> subprocess.CompletedProcess:
    environment = {**os.environ, "DATABASE_URL": database_url, "SMO_ENV": "development", **env}
    environment.pop("REDIS_URL", None)  # tasks run in-process: no broker needed here
    return subprocess.run(
        args, cwd=BASE_DIR, env=environment, capture_output=True, text=True, timeout=TIMEOUT, check=False
    )


def _ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, f"{result.args}:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
    return result.stdout


def _row_counts(name: str) -> dict[str, int]:
    with psycopg.connect(dbname=name, **_server()) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        return {
            table: conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))).fetchone()[
                0
            ]
            for table in tables
        }


def _sample_page(database_url: str) -> dict:
    out = _ok(_run([sys.executable, "manage.py", "shell", "-c", SAMPLE_PAGE], database_url))
    return json.loads(out.strip().splitlines()[-1])


@pytest.fixture
def scratch_databases():
    names = [f"smo_backup_{uuid.uuid4().hex[:10]}", f"smo_restore_{uuid.uuid4().hex[:10]}"]
    with _admin_connection() as conn:
        for name in names:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield names
    with _admin_connection() as conn:
        for name in names:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def test_backup_and_restore_round_trip(tmp_path, request):
    _require(connection.vendor == "postgresql", "the drill needs PostgreSQL (DATABASE_URL)")
    _require(bool(shutil.which("pg_dump") and shutil.which("pg_restore")), "pg_dump/pg_restore not found")
    _require(bool(shutil.which("make")), "make not found")
    source_name, target_name = request.getfixturevalue("scratch_databases")
    source, target = _url(source_name), _url(target_name)
    backup = tmp_path / "backups" / "smo.dump"

    _ok(_run([sys.executable, "manage.py", "migrate", "--noinput", "--verbosity", "0"], source))
    _ok(_run([sys.executable, "manage.py", "seed_demo", "--employees", "30"], source))
    _ok(_run(["make", "--no-print-directory", "backup", f"BACKUP_FILE={backup}"], source))
    assert backup.stat().st_size > 10_000

    # Restoring over DATABASE_URL itself needs CONFIRM=yes: refused, nothing touched.
    refused = _run(["make", "--no-print-directory", "restore", f"BACKUP_FILE={backup}"], target)
    assert refused.returncode != 0
    assert "CONFIRM=yes" in refused.stderr
    assert _row_counts(target_name) == {}

    _ok(
        _run(
            [
                "make",
                "--no-print-directory",
                "restore",
                f"BACKUP_FILE={backup}",
                f"RESTORE_DATABASE_URL={target}",
            ],
            source,
        )
    )

    before, after = _row_counts(source_name), _row_counts(target_name)
    assert after == before
    assert before["casefiles_employee"] >= 30
    assert before["casefiles_absencecase"] > 0
    assert before["django_migrations"] > 10
    page = _sample_page(target)
    assert page["status"] == 200
    assert page == _sample_page(source)
    assert sum(link.startswith("/casussen/") for link in page["links"]) > 0
