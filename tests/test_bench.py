"""`make bench` plugs its floor view and query counter in through
smo.settings_bench only: the product's URLs never contain them, and the floor
is still a view for signed-in users (deny by default)."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import NoReverseMatch, reverse

from smo.management.commands.bench import create_session

pytestmark = pytest.mark.django_db


def test_the_product_has_no_bench_urls():
    with pytest.raises(NoReverseMatch):
        reverse("bench_floor")


def test_bench_settings_floor_and_query_header(cast, settings):
    settings.ROOT_URLCONF = "smo.urls_bench"
    settings.MIDDLEWARE = ["bench.middleware.QueryCountMiddleware", *settings.MIDDLEWARE]
    response = cast.client("hr").get("/bench/floor/")
    assert response.status_code == 200
    assert response.content == b"floor 1\n"  # HR of one organisation
    assert 1 <= int(response["X-Bench-Queries"]) <= 10  # session, user, second factor and its own
    assert cast.client("anonymous").get("/bench/floor/").status_code == 302


def test_bench_header_counts_the_session_write_apart(cast, settings):
    """The once-a-minute write of the idle end (IdleSessionMiddleware) is
    reported apart from the page's own queries."""
    settings.ROOT_URLCONF = "smo.urls_bench"
    settings.MIDDLEWARE = ["bench.middleware.QueryCountMiddleware", *settings.MIDDLEWARE]
    client = cast.client("hr")
    assert client.get("/bench/floor/")["X-Bench-Session-Writes"] == "0"  # just signed in
    settings.SESSION_REFRESH_SECONDS = 0  # every request is a minute later
    response = client.get("/bench/floor/")
    assert response["X-Bench-Session-Writes"] == "1"
    assert int(response["X-Bench-Queries"]) >= 2


def test_bench_diagnostic_views_add_ten_queries_or_cpu_to_the_floor(cast, settings):
    """`make bench BENCH_ARGS=--diagnostics` prices a query and a millisecond
    of CPU under the load: the floor plus exactly 10 queries of its own kind,
    and the floor plus 10 ms of CPU with the floor's queries. Both are for
    signed-in users only, like the floor."""
    settings.ROOT_URLCONF = "smo.urls_bench"
    settings.MIDDLEWARE = ["bench.middleware.QueryCountMiddleware", *settings.MIDDLEWARE]
    client = cast.client("hr")
    floor = int(client.get(reverse("bench_floor"))["X-Bench-Queries"])
    more_queries = client.get(reverse("bench_floor_plus_queries"))
    assert more_queries.content == b"floor+queries 1\n"
    assert int(more_queries["X-Bench-Queries"]) == floor + 10
    more_cpu = client.get(reverse("bench_floor_plus_cpu"))
    assert more_cpu.content == b"floor+cpu 1\n"
    assert int(more_cpu["X-Bench-Queries"]) == floor
    anonymous = cast.client("anonymous")
    assert anonymous.get(reverse("bench_floor_plus_queries")).status_code == 302
    assert anonymous.get(reverse("bench_floor_plus_cpu")).status_code == 302


def test_bench_cpu_measures_each_page_of_the_probe_in_process(cast, settings, tmp_path):
    """`manage.py bench cpu` serves every page of the probe's JSON as its load
    user and reports the CPU time of a request: the floor plus 10 ms of CPU
    measures at least 10 ms, and more than the floor. A page that does not
    answer 200 is an error, not a figure."""
    settings.ROOT_URLCONF = "smo.urls_bench"
    settings.MIDDLEWARE = ["bench.middleware.QueryCountMiddleware", *settings.MIDDLEWARE]
    probe = {
        "cookie_name": settings.SESSION_COOKIE_NAME,
        "sessions": {"hr": [create_session(cast.users["hr"])]},
        "pages": {
            "floor": {"url": reverse("bench_floor"), "user": "hr"},
            "floor + cpu": {"url": reverse("bench_floor_plus_cpu"), "user": "hr"},
        },
    }
    (tmp_path / "probe.json").write_text(json.dumps(probe))
    call_command("bench", "cpu", "--probe", str(tmp_path / "probe.json"), "--out", str(tmp_path / "cpu.json"))
    cpu = json.loads((tmp_path / "cpu.json").read_text())
    assert set(cpu) == {"floor", "floor + cpu"}
    assert 0 < cpu["floor"] < cpu["floor + cpu"]
    assert cpu["floor + cpu"] >= 10

    probe["pages"]["refused"] = {"url": reverse("audit_log"), "user": "hr"}  # privacy officer only
    (tmp_path / "probe.json").write_text(json.dumps(probe))
    with pytest.raises(CommandError, match="refused"):
        call_command(
            "bench", "cpu", "--probe", str(tmp_path / "probe.json"), "--out", str(tmp_path / "x.json")
        )
