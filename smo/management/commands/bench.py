"""`make bench`: figures printed and compared as ratios within one run.

Builds a small and a large organisation in the current database (run it on a
throw-away database: `make bench` uses bench.sqlite3 or BENCH_DATABASE_URL),
then measures seeding throughput and the pages every user opens, reporting
query counts (must be equal) and the large/small time ratio.
"""

from __future__ import annotations

import statistics
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment
from django.urls import reverse

from casefiles.demo import seed
from casefiles.models import AbsenceCase, Membership
from smo.roles import Role, set_roles

# Pages every HR adviser opens, as (label, url name, needs an open case id).
PAGES = {
    "home (HR)": ("home", False),
    "employee list (HR)": ("employee_list", False),
    "case page (HR)": ("case_detail", True),
}


class Command(BaseCommand):
    help = "Measure seeding and page costs for a small and a large organisation."

    def add_arguments(self, parser):
        parser.add_argument("--small", type=int, default=200)
        parser.add_argument("--large", type=int, default=20000)
        parser.add_argument("--repeat", type=int, default=7)

    def handle(self, *args, small, large, repeat, **options):
        setup_test_environment()
        rows = []
        for label, size in (("small", small), ("large", large)):
            started = time.perf_counter()
            result = seed(slug=f"bench-{size}", name=f"Bench {size}", employees=size, with_accounts=False)
            seconds = time.perf_counter() - started
            self.stdout.write(
                f"seed {label:<5} {result.employees:>6} employees {result.cases:>6} cases "
                f"in {seconds:6.2f}s ({result.employees / max(seconds, 1e-9):,.0f} employees/s)"
            )
            client = self._hr_client(result.organisation, size)
            open_case = (
                AbsenceCase.objects.filter(employee__organisation=result.organisation, end_date__isnull=True)
                .order_by("first_day")
                .first()
            )
            for page, (name, needs_case) in PAGES.items():
                url = reverse(name, args=[open_case.pk]) if needs_case else reverse(name)
                timings, queries = self._measure(client, url, repeat)
                rows.append((page, label, size, queries, statistics.median(timings)))
        self.stdout.write("\npage                 org     employees  queries  median ms")
        for page, label, size, queries, median in rows:
            self.stdout.write(f"{page:<20} {label:<7} {size:>9} {queries:>8} {median * 1000:>10.1f}")
        self.stdout.write("")
        for page in PAGES:
            small_row, large_row = (r for r in rows if r[0] == page)
            same = "same" if small_row[3] == large_row[3] else "DIFFERENT"
            self.stdout.write(
                f"{page}: queries {same} ({small_row[3]} vs {large_row[3]}), "
                f"time ratio large/small = {large_row[4] / small_row[4]:.2f}"
            )

    def _hr_client(self, organisation, size) -> Client:
        user, _ = get_user_model().objects.get_or_create(username=f"bench-hr-{size}")
        set_roles(user, [Role.HR])
        Membership.objects.get_or_create(user=user, organisation=organisation)
        client = Client()
        client.force_login(user)
        return client

    def _measure(self, client: Client, url: str, repeat: int) -> tuple[list[float], int]:
        client.get(url)  # warm up
        timings = []
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                timings.append(time.perf_counter() - started)
            assert response.status_code == 200, response.status_code  # noqa: S101
        return timings, len(captured.captured_queries)
