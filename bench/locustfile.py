"""The load of `make bench` (run by bench/run.py: locust headless, a fixed
number of users, no wait between requests).

Each demo user opens their pages in a loop with a session created directly in
the database (``manage.py bench probe``), so no login or second-factor step
is part of the load. HR also opens the floor view in the same loop, so the
floor is measured in the same run, under the same load. Every response time
and the query count of every response (the ``X-Bench-Queries`` header of the
bench-only middleware) are written to ``BENCH_SAMPLES`` at the end.
"""

from __future__ import annotations

import itertools
import json
import os
import time
from collections import defaultdict
from pathlib import Path

from locust import FastHttpUser, constant, events, task

PROBE = json.loads(Path(os.environ["BENCH_PROBE"]).read_text())
SAMPLES: dict[str, dict] = defaultdict(lambda: {"ms": [], "queries": [], "session_writes": [], "failures": 0})
WINDOW: dict[str, float] = {}
_numbers = itertools.count()


class _DemoUser(FastHttpUser):
    abstract = True
    wait_time = constant(0)
    username = ""

    def on_start(self):
        keys = PROBE["sessions"][self.username]
        self.cookie = f"{PROBE['cookie_name']}={keys[next(_numbers) % len(keys)]}"
        self.pages = [
            (name, spec["url"]) for name, spec in PROBE["pages"].items() if spec["user"] == self.username
        ]

    @task
    def pages_in_turn(self):
        for name, url in self.pages:
            with self.client.get(
                url, name=name, headers={"Cookie": self.cookie}, allow_redirects=False, catch_response=True
            ) as response:
                if response.status_code != 200:
                    response.failure(f"HTTP {response.status_code}")
                    SAMPLES[name]["failures"] += 1
                    continue
                SAMPLES[name]["queries"].append(int(response.headers.get("X-Bench-Queries", "-1")))
                SAMPLES[name]["session_writes"].append(
                    int(response.headers.get("X-Bench-Session-Writes", "0"))
                )


class HR(_DemoUser):
    username = "hr"
    weight = 2


class Manager(_DemoUser):
    username = "leidinggevende"
    weight = 1


class LabourExpert(_DemoUser):
    username = "arbeidsdeskundige"
    weight = 1


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception=None, **kwargs):
    if exception is None:
        SAMPLES[name]["ms"].append(response_time)


@events.test_start.add_listener
def _start(**kwargs):
    WINDOW["start"] = time.time()


@events.quitting.add_listener
def _write(**kwargs):
    WINDOW.setdefault("end", time.time())
    Path(os.environ["BENCH_SAMPLES"]).write_text(json.dumps({"window": WINDOW, "pages": SAMPLES}))


@events.test_stop.add_listener
def _stop(**kwargs):
    WINDOW["end"] = time.time()
