"""Celery: a real worker consumes tasks from Redis; without Redis, tasks run eagerly.

With ``REDIS_URL`` set (CI), a separate ``celery -A smo worker`` process is
started on a queue of its own, so a stray worker on the same broker never
steals the test's task. Without ``REDIS_URL`` the worker test skips locally but
fails in CI (``CI=true``): there it must never silently not run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from smo.celery import app
from smo.tasks import ping
from tests.needs import need

BASE_DIR = Path(settings.BASE_DIR)
CELERY = Path(sys.executable).parent / "celery"
READY_TIMEOUT = 60  # seconds for the worker to answer a control ping
STOP_TIMEOUT = 15  # seconds for a warm shutdown before the worker is killed


def _require_redis() -> None:
    need(bool(os.environ.get("REDIS_URL")), "REDIS_URL is not set: no broker for a real Celery worker")


def _output(log: Path) -> str:
    return log.read_text(errors="replace") if log.exists() else ""


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()  # SIGTERM: warm shutdown
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT)


def _delete_queue(name: str) -> None:
    """Remove the test's queue and its binding from the broker."""
    with app.connection_for_write() as connection:
        queue = app.amqp.queues[name](connection.default_channel)
        queue.declare()  # registers the binding on this channel so delete() finds it
        queue.delete()


@pytest.fixture
def celery_worker(tmp_path):
    """A real ``celery -A smo worker`` process on a queue of its own.

    Yields ``(queue, nodename)``; the worker is stopped (killed if needed) at
    the end, and its output is shown if it does not come up in time.
    """
    _require_redis()
    assert CELERY.exists(), f"celery executable not found next to {sys.executable}"
    name = f"test-{uuid.uuid4().hex}"
    queue = f"smo-{name}"
    log = tmp_path / "worker.log"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "smo.settings", "PYTHONUNBUFFERED": "1"}
    command = [
        str(CELERY),
        "-A",
        "smo",
        "worker",
        "--pool",
        "solo",
        "--concurrency",
        "1",
        "--loglevel",
        "INFO",
        "-n",
        f"{name}@%h",
        "-Q",
        queue,
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        nodename = _wait_until_ready(process, name, log)
        yield queue, nodename
    finally:
        _stop(process)
        _delete_queue(queue)


def _wait_until_ready(process: subprocess.Popen, name: str, log: Path) -> str:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"Celery worker exited with {process.returncode}:\n{_output(log)}")
        for reply in app.control.ping(timeout=1.0) or []:
            for nodename in reply:
                if nodename.startswith(f"{name}@"):
                    return nodename
    pytest.fail(f"Celery worker not ready after {READY_TIMEOUT}s:\n{_output(log)}")


@pytest.mark.services
def test_real_worker_consumes_task_from_redis(request):
    _require_redis()  # in the test body, so CI reports a failure, not a setup error
    queue, nodename = request.getfixturevalue("celery_worker")
    assert settings.CELERY_TASK_ALWAYS_EAGER is False
    token = uuid.uuid4().hex

    # Same as ping.delay(token), routed to the worker's own queue.
    result = ping.apply_async((token,), queue=queue)
    reply = result.get(timeout=30)

    assert reply["token"] == token
    assert reply["pid"] != str(os.getpid()), "the task ran in the test process, not in the worker"
    assert nodename.endswith(f"@{reply['host']}"), (nodename, reply["host"])


PROBE = """
import json, os
import django
django.setup()
from django.conf import settings
from smo.tasks import ping
reply = ping.delay("probe").get(timeout=5)
print(json.dumps({
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "broker": settings.CELERY_BROKER_URL,
    "token": reply["token"],
    "same_process": reply["pid"] == str(os.getpid()),
}))
"""


def test_without_redis_url_settings_make_tasks_eager():
    """Regardless of this test run's environment: no REDIS_URL means eager,
    in-process tasks and no broker to reach (so `make run` needs no server)."""
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "SMO_ENV"}}
    env["DJANGO_SETTINGS_MODULE"] = "smo.settings"
    completed = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )
    assert completed.returncode == 0, completed.stderr
    probe = json.loads(completed.stdout.strip().splitlines()[-1])
    assert probe == {"eager": True, "broker": "memory://localhost/", "token": "probe", "same_process": True}
    assert "No hostname was supplied" not in completed.stderr  # the in-memory broker names its host
