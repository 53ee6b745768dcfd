"""Reliability drills (issue 6 item 6): real Celery workers, a real Redis, PostgreSQL.

1. A worker killed (SIGKILL) in the middle of generating the PDF minutes:
   with ``acks_late`` the message stays unacknowledged in Redis, a second
   worker gets it once the visibility timeout has passed, and the PDF exists
   exactly once.
2. Redis stopped while a meeting is saved: the save succeeds (planning writes
   outbox rows only), and once Redis is back the dispatcher and a worker send
   every invitation exactly once, also when dispatch runs twice.

Each test starts a Redis server of its own on a free port (never a shared
one: the second drill stops its Redis) and points the test process's
Celery app, its cache and the worker subprocesses at it. The workers run on
the test database. They are started through a small Python wrapper instead of
the ``celery`` executable so that the drill can set the broker's short
visibility timeout and, for the first worker, slow the PDF rendering down,
without any test hook in the product code.

Needs PostgreSQL (``DATABASE_URL``) and ``redis-server``: skips locally
without them, fails in CI (``CI=true``).
"""

from __future__ import annotations

import contextlib
import datetime
import email
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

from meetings import tasks as meeting_tasks
from meetings.models import Reminder
from meetings.services import closing
from reporting.models import MinutesPdf
from smo.celery import app as celery_app
from tests.meetings.conftest import schedule
from tests.needs import need
from tests.reporting.test_pdf_minutes import pdf_text, run_meeting
from tests.test_celery_worker import _output, _stop, _wait_until_ready

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(settings.BASE_DIR)
VISIBILITY_TIMEOUT = 5  # seconds before an unacknowledged message is delivered again
SLOW_RENDER_SECONDS = 60  # worker A sleeps this long inside the PDF transaction: it is killed first
WAIT = 45  # seconds for anything a worker has to do

# The worker process: ``celery -A smo worker`` with the drill's broker
# transport options (a short visibility timeout, restored every second) and,
# when DRILL_RENDER_DELAY is set, a PDF rendering that signals DRILL_MARKER
# and then sleeps while holding the meeting's row lock in its transaction.
WORKER = """
import os, sys, time
from pathlib import Path

import django

django.setup()

from smo.celery import app

app.conf.broker_transport_options = {
    "visibility_timeout": int(os.environ["DRILL_VISIBILITY_TIMEOUT"]),
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
delay = float(os.environ.get("DRILL_RENDER_DELAY") or 0)
if delay:
    from reporting import pdf

    render = pdf.render_pdf

    def slow_render(html):
        data = render(html)
        Path(os.environ["DRILL_MARKER"]).write_text(str(os.getpid()))
        time.sleep(delay)
        return data

    pdf.render_pdf = slow_render
app.worker_main(sys.argv[1:])
"""


_require = need


def _require_services() -> str:
    _require(
        connection.vendor == "postgresql",
        "the drills need PostgreSQL (DATABASE_URL): worker subprocesses share the test database",
    )
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    _require(Path(binary).exists(), "redis-server not found: the drills start a Redis of their own")
    return binary


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    """A throw-away ``redis-server`` on a free port, without persistence."""

    def __init__(self, binary: str, workdir: Path):
        self.binary, self.workdir = binary, workdir
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None
        self.client = redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5)

    def start(self) -> None:
        command = [
            self.binary,
            "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", str(self.workdir), "--logfile", str(self.workdir / "redis.log"),
        ]  # fmt: skip
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"redis-server exited with {self.process.returncode}")
            with contextlib.suppress(redis.ConnectionError):
                if self.client.ping():
                    return
            time.sleep(0.05)
        pytest.fail(f"redis-server on port {self.port} not ready")

    def stop(self) -> None:
        self.client.connection_pool.disconnect()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def private_redis(tmp_path, settings):
    """Yields a started PrivateRedis; the test process's Celery app (broker,
    result backend, not eager) and Django cache use it during the test."""
    binary = _require_services()
    workdir = tmp_path / "redis"
    workdir.mkdir()
    server = PrivateRedis(binary, workdir)
    server.start()
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": server.url}
    }
    conf = celery_app.conf
    keys = ("broker_url", "result_backend", "task_always_eager", "broker_transport_options")
    before = {key: conf[key] for key in keys}
    amqp = celery_app.amqp
    cached = (celery_app._pool, amqp._producer_pool, celery_app._backend_cache)
    local_backend = getattr(celery_app._local, "backend", None)
    conf.update(
        broker_url=server.url,
        result_backend=server.url,
        task_always_eager=False,
        broker_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT},
    )
    _forget_connections()
    try:
        yield server
    finally:
        _close_connections()
        conf.update(before)
        celery_app._pool, amqp._producer_pool, celery_app._backend_cache = cached
        if local_backend is not None:
            celery_app._local.backend = local_backend
        server.stop()


def _forget_connections() -> None:
    """Make the app build new connections (to the private Redis) on next use."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    celery_app._backend_cache = None
    with contextlib.suppress(AttributeError):
        del celery_app._local.backend


def _close_connections() -> None:
    with contextlib.suppress(Exception):
        if celery_app._pool is not None:
            celery_app._pool.force_close_all()
    backend = celery_app._backend_cache or getattr(celery_app._local, "backend", None)
    consumer = getattr(backend, "result_consumer", None)
    with contextlib.suppress(Exception):
        if consumer is not None:
            consumer.stop()
    _forget_connections()


def _database_url() -> str:
    db = connection.settings_dict
    return "postgres://{}:{}@{}:{}/{}".format(
        quote(db["USER"] or "", safe=""),
        quote(db["PASSWORD"] or "", safe=""),
        db["HOST"] or "localhost",
        db["PORT"] or 5432,
        quote(db["NAME"], safe=""),
    )


class Worker:
    """A real Celery worker subprocess on the private Redis and the test
    database: the prefork pool as in production (``celery -A smo worker``),
    with one pool process, so that "the worker" is a main process whose pool
    process runs the task (and dies with it: prefork sets PDEATHSIG)."""

    def __init__(self, server: PrivateRedis, tmp_path: Path, label: str, **env: str):
        self.name = f"drill-{label}-{uuid.uuid4().hex[:12]}"
        self.log = tmp_path / f"worker-{label}.log"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "smo.settings",
            "PYTHONUNBUFFERED": "1",
            "DATABASE_URL": _database_url(),
            "REDIS_URL": server.url,
            "PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT),
            "DRILL_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
            **env,
        }
        self.process: subprocess.Popen | None = None
        self.pool_pids: list[int] = []  # pool processes seen by the test, killed in stop() if left

    def start(self) -> Worker:
        command = [
            sys.executable, "-c", WORKER,
            "worker", "--pool", "prefork", "--concurrency", "1", "--loglevel", "INFO", "-n", f"{self.name}@%h",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]  # fmt: skip
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                command, cwd=BASE_DIR, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        _wait_until_ready(self.process, self.name, self.log)
        return self

    def output(self) -> str:
        return _output(self.log)

    def stop(self) -> None:
        if self.process is not None:
            _stop(self.process)
        for pid in self.pool_pids:
            if not _gone(pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)


def _gone(pid: int) -> bool:
    """The process has exited (a zombie counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return True
    return stat.rsplit(")", 1)[1].split()[0] in {"Z", "X"}


@contextlib.contextmanager
def running(*workers: Worker):
    """Every worker is stopped (killed if need be) when the block ends."""
    try:
        yield workers
    finally:
        for worker in workers:
            worker.stop()


def wait_for(condition, what: str, *logs: Worker, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}:\n" + "\n".join(w.output() for w in logs))


# --- 1. a worker killed mid-task ------------------------------------------------------------


def test_worker_killed_mid_task_still_produces_the_pdf_once(request, cast, tmp_path):
    _require_services()  # in the test body, so CI reports a failure, not a setup error
    private_redis = request.getfixturevalue("private_redis")
    meeting = run_meeting(cast)
    marker = tmp_path / "rendering"
    worker_a = Worker(
        private_redis, tmp_path, "a", DRILL_RENDER_DELAY=str(SLOW_RENDER_SECONDS), DRILL_MARKER=str(marker)
    )
    worker_b = Worker(private_redis, tmp_path, "b")
    with running(worker_a, worker_b):
        worker_a.start()
        # Closing enqueues the generation on commit, through the private Redis:
        # nothing is generated in this process.
        closing.close_meeting(user=cast.users["manager"], meeting_id=meeting.pk)
        assert not MinutesPdf.objects.exists()
        wait_for(lambda: marker.exists() and marker.read_text(), "worker A rendering the PDF", worker_a)
        pool_pid = int(marker.read_text())
        worker_a.pool_pids.append(pool_pid)
        assert pool_pid != worker_a.process.pid
        # Acks late: the message is delivered but not acknowledged while the task runs.
        assert private_redis.client.hlen("unacked") == 1
        worker_a.process.send_signal(signal.SIGKILL)  # no warm shutdown, no chance to requeue
        worker_a.process.wait(timeout=10)
        assert worker_a.process.returncode == -signal.SIGKILL
        wait_for(lambda: _gone(pool_pid), "the pool process to die with worker A", worker_a, timeout=10)
        # Killed inside the transaction: nothing was stored.
        assert not MinutesPdf.objects.exists()

        worker_b.start()
        wait_for(
            lambda: MinutesPdf.objects.filter(meeting=meeting, kind=MinutesPdf.Kind.FULL).exists(),
            "the PDF from worker B",
            worker_b,
        )
        # The redelivered message is acknowledged and nothing else is waiting.
        wait_for(
            lambda: private_redis.client.hlen("unacked") == 0 and private_redis.client.llen("celery") == 0,
            "the message to be acknowledged",
            worker_b,
        )
        assert worker_b.output().count("succeeded in") == 1  # one run of the task on worker B

    records = MinutesPdf.objects.filter(meeting=meeting)
    assert records.filter(kind=MinutesPdf.Kind.FULL).count() == 1
    keys = [(r.kind, r.employee_id) for r in records]
    assert len(keys) == len(set(keys)) == 3  # the full minutes and two extracts, once each
    full = records.get(kind=MinutesPdf.Kind.FULL)
    path = Path(full.file.path)
    assert path.is_file() and path.read_bytes().startswith(b"%PDF-")
    assert cast.organisation.name in pdf_text(full)


# --- 2. Redis down while a meeting is saved -----------------------------------------------


def _messages(mail_dir: Path) -> list[email.message.Message]:
    raw = b"".join(path.read_bytes() for path in sorted(mail_dir.iterdir()))
    return [email.message_from_bytes(chunk.strip()) for chunk in raw.split(b"-" * 79) if chunk.strip()]


def test_redis_down_while_saving_a_meeting_then_reminders_go_out(request, cast, tmp_path):
    _require_services()
    private_redis = request.getfixturevalue("private_redis")
    private_redis.stop()
    with pytest.raises(redis.ConnectionError):
        private_redis.client.ping()

    # A real commit: the planning hook runs on it and writes outbox rows only.
    starts = (timezone.now() + datetime.timedelta(days=10)).replace(second=0, microsecond=0)
    meeting = schedule(cast, starts_at=starts)
    invitations = Reminder.objects.filter(meeting=meeting, kind=Reminder.Kind.MEETING_INVITATION)
    participants = {p.user.email for p in meeting.participants.select_related("user")}
    assert len(participants) == 3
    assert {r.recipient.email for r in invitations.select_related("recipient")} == participants
    assert invitations.count() == 3 and not invitations.filter(sent_at__isnull=False).exists()
    assert Reminder.objects.filter(meeting=meeting).exclude(kind=Reminder.Kind.MEETING_INVITATION).exists()

    private_redis.start()  # Redis is back (empty: nothing was persisted)
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    worker = Worker(private_redis, tmp_path, "mail", EMAIL_URL=f"filemail:///{mail_dir}")
    with running(worker):
        worker.start()
        # Beat's job, twice in a row: the second run finds the rows leased.
        first = meeting_tasks.dispatch_due_reminders.delay()
        second = meeting_tasks.dispatch_due_reminders.delay()
        assert first.get(timeout=WAIT) == 3
        assert second.get(timeout=WAIT) == 0
        wait_for(
            lambda: not invitations.filter(sent_at__isnull=True).exists(), "every invitation sent", worker
        )
        assert meeting_tasks.dispatch_due_reminders() == 0  # and once more, in this process
        # A duplicated delivery of a sent reminder sends nothing.
        duplicate = meeting_tasks.send_reminder.delay(invitations.first().pk)
        assert duplicate.get(timeout=WAIT) == "already_sent"

    messages = _messages(mail_dir)
    assert sorted(m["To"] for m in messages) == sorted(participants)  # one email each
    assert [(r.sent_at is not None, r.attempts) for r in invitations.all()] == [(True, 1)] * 3
