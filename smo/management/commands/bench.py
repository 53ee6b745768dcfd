"""`manage.py bench probe|cpu|batch`: the in-process half of `make bench`
(bench/run.py drives it; run with ``DJANGO_SETTINGS_MODULE=smo.settings_bench``
on a throw-away database that ``seed_demo`` filled).

- ``probe``: finds the key pages of the demo organisation, creates signed-in
  (and second-factor verified) sessions for the load users directly in the
  database, and reads each page's query count once through the test client.
  Writes the URLs, sessions and counts as JSON for the load generator.
- ``cpu``: each page of that JSON served in this process, without load (make
  bench runs it after the load): its CPU time, median of 25 requests.
- ``batch``: the batch jobs: PDF minutes of the closed 30-item meeting
  (median render time), the import of 100,000 absence rows (CSV, then the same
  file again, then as XLSX), and the dispatch of 10,000 due reminders.
"""

from __future__ import annotations

import datetime
import io
import json
import statistics
import time
from decimal import Decimal
from importlib import import_module
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casefiles.models import Department, Employee, Organisation
from meetings.models import Meeting, Reminder
from meetings.reminders import sending
from reporting import absence_import, pdf
from smo.middleware import IdleSessionMiddleware

DEMO_SLUG = "zorggroep-de-linde"
# page -> (URL name, the demo account that opens it)
PAGES = {
    "floor": ("bench_floor", "hr"),
    "home": ("home", "hr"),
    "employee list": ("employee_list", "hr"),
    "case page": ("case_detail", "hr"),
    "meeting agenda (30 items)": ("meeting_detail", "leidinggevende"),
    "vergadermodus item": ("meeting_run", "leidinggevende"),
    "statistics": ("statistics", "arbeidsdeskundige"),
}
# Only with --diagnostics: what 10 queries and 10 ms of CPU add to the floor
# under the same load (smo.urls_bench). Reported without a target.
DIAGNOSTIC_PAGES = {
    "diagnostic: floor + 10 queries": ("bench_floor_plus_queries", "hr"),
    "diagnostic: floor + 10 ms CPU": ("bench_floor_plus_cpu", "hr"),
}
# The in-process CPU time of each page (cpu): requests before measuring, and measured.
CPU_WARM_UP, CPU_RUNS = 5, 25
IMPORT_EMPLOYEES, IMPORT_SPELLS = 20_000, 5
REMINDERS = 10_000
# Stop sending after this long (keeps make bench short); the time for all is then projected.
REMINDER_BUDGET_S = 90


def create_session(user) -> str:
    """A signed-in session as after a login with password and second factor (R13a)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    # As after the first request of a login: the idle end was moved just now
    # (during the load each session moves it again once a minute).
    store[IdleSessionMiddleware.KEY] = int(time.time())
    if apps.is_installed("django_otp"):
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
        store[DEVICE_ID_SESSION_KEY] = device.persistent_id
    store.create()
    return store.session_key


def _cpu_ms(client: Client, url: str) -> float:
    """The CPU time (ms) this process spends serving ``url``, median of
    CPU_RUNS requests after CPU_WARM_UP: the page's own work without the
    load, for the same page in every run. Under the load the pages share the
    machine's CPUs, so p95 grows with this figure (README "Benchmarks")."""
    for _ in range(CPU_WARM_UP):
        status = client.get(url).status_code
        if status != 200:
            raise CommandError(f"{url}: HTTP {status}")
    timings = []
    for _ in range(CPU_RUNS):
        started = time.process_time()
        client.get(url)
        timings.append((time.process_time() - started) * 1000)
    return statistics.median(timings)


class Command(BaseCommand):
    help = "The in-process measurements of make bench (probe, cpu, batch)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["probe", "cpu", "batch"])
        parser.add_argument("--out", type=Path, required=True)
        parser.add_argument("--probe", type=Path, help="the JSON that probe wrote (cpu)")
        parser.add_argument("--sessions", type=int, default=8, help="sessions per load user (probe)")
        parser.add_argument("--diagnostics", action="store_true", help="add the diagnostic pages (probe)")

    def handle(self, *args, action, out, probe, sessions, diagnostics, **options):
        if settings.ROOT_URLCONF != "smo.urls_bench":
            raise CommandError("Run with DJANGO_SETTINGS_MODULE=smo.settings_bench (make bench does).")
        pages = {**PAGES, **DIAGNOSTIC_PAGES} if diagnostics else PAGES
        if action == "probe":
            result = self.probe(sessions, pages)
        elif action == "cpu":
            if probe is None:
                raise CommandError("cpu needs --probe (the JSON that probe wrote).")
            result = self.cpu(json.loads(probe.read_text()))
        else:
            result = self.batch()
        out.write_text(json.dumps(result, indent=2, default=str))

    # --- probe ----------------------------------------------------------------

    def probe(self, sessions: int, pages: dict) -> dict:
        organisation = Organisation.objects.filter(slug=DEMO_SLUG).first()
        running = Meeting.objects.filter(organisation=organisation, status=Meeting.Status.OPEN).first()
        if running is None:
            raise CommandError("Run seed_demo --meetings first: there is no running meeting.")
        first_item = running.items.order_by("position").first()
        args = {
            "case_detail": [first_item.case_id],
            "meeting_detail": [running.pk],
            "meeting_run": [running.pk],
        }
        users = {
            u.username: u
            for u in get_user_model().objects.filter(username__in={u for _, u in pages.values()})
        }
        result = {
            "pages": {},
            "sessions": {},
            "cookie_name": settings.SESSION_COOKIE_NAME,
            "counts": self._counts(organisation),
        }
        for username, user in users.items():
            result["sessions"][username] = [create_session(user) for _ in range(sessions)]
        client = Client(HTTP_HOST="127.0.0.1")
        for page, (name, username) in pages.items():
            url = reverse(name, args=args.get(name, []))
            client.cookies[settings.SESSION_COOKIE_NAME] = result["sessions"][username][0]
            response = client.get(url)
            if response.status_code != 200:
                raise CommandError(f"{page} ({url}) as {username}: HTTP {response.status_code}")
            # The page's own queries (a session write of the idle end is
            # counted apart, see bench/middleware.py).
            queries = int(response["X-Bench-Queries"]) - int(response["X-Bench-Session-Writes"])
            result["pages"][page] = {"url": url, "user": username, "queries": queries}
            self.stdout.write(f"{page:<28} {url:<40} {queries:>3} queries")
        return result

    # --- cpu ------------------------------------------------------------------

    def cpu(self, probe: dict) -> dict:
        """The CPU time of every page of ``probe`` in this process (after the
        load, when the fresh database has settled: measured right after the
        seed, the case page took up to 1.8 times as long)."""
        client = Client(HTTP_HOST="127.0.0.1")
        result = {}
        for page, spec in probe["pages"].items():
            client.cookies[probe["cookie_name"]] = probe["sessions"][spec["user"]][0]
            try:
                result[page] = _cpu_ms(client, spec["url"])
            except CommandError as error:
                raise CommandError(f"{page}: {error}") from None
            self.stdout.write(f"{page:<28} {result[page]:5.1f} ms CPU")
        return result

    def _counts(self, organisation) -> dict:
        meetings = Meeting.objects.filter(organisation=organisation)
        return {
            "employees": organisation.employees.count(),
            "absence spells": organisation.employees.aggregate(n=Count("absence_cases"))["n"],
            "meetings": meetings.count(),
            "largest agenda": max((m.n for m in meetings.annotate(n=Count("items"))), default=0),
        }

    # --- batch ----------------------------------------------------------------

    def batch(self) -> dict:
        return {"pdf": self._pdf(), "import": self._import(), "reminders": self._reminders()}

    def _pdf(self, repeat: int = 5) -> dict:
        closed = (
            Meeting.objects.filter(organisation__slug=DEMO_SLUG, status=Meeting.Status.CLOSED)
            .annotate(n=Count("items"))
            .order_by("-n", "pk")
            .first()
        )
        timings, size = [], 0
        for _ in range(repeat):
            started = time.perf_counter()
            size = len(pdf.render_pdf(pdf.render_html(closed)))
            timings.append(time.perf_counter() - started)
        self.stdout.write(f"PDF minutes ({closed.n} items): median {statistics.median(timings):.2f}s")
        return {"items": closed.n, "median_s": statistics.median(timings), "runs": timings, "bytes": size}

    def _import(self) -> dict:
        organisation = Organisation.objects.create(slug="bench-import", name="Bench import")
        department = Department.objects.create(organisation=organisation, name="Afdeling A")
        today = timezone.localdate()
        Employee.objects.bulk_create(
            [
                Employee(
                    organisation=organisation,
                    personnel_number=f"I{n}",
                    first_name="Bench",
                    last_name=f"Medewerker {n}",
                    department=department,
                    contract_hours=Decimal(36),
                    employment_start=today - datetime.timedelta(days=3000),
                )
                for n in range(IMPORT_EMPLOYEES)
            ],
            batch_size=5000,
        )
        data = _import_file(today)
        rows = IMPORT_EMPLOYEES * IMPORT_SPELLS
        timings = {}
        for label in ("csv_new_s", "csv_again_s"):
            started = time.perf_counter()
            result = absence_import.import_absence(
                actor=None, organisation=organisation, data=data, dry_run=False, filename="verzuim.csv"
            )
            timings[label] = time.perf_counter() - started
            if not result.ok or result.rows != rows:
                raise CommandError(f"import failed: {[str(e) for e in result.errors[:5]]}")
            self.stdout.write(
                f"import {rows} rows ({label}): {timings[label]:.1f}s "
                f"({result.created} new, {result.updated} updated, {result.unchanged} unchanged)"
            )
        xlsx = _as_xlsx(data)
        started = time.perf_counter()
        result = absence_import.import_absence(
            actor=None, organisation=organisation, data=xlsx, dry_run=False, filename="verzuim.xlsx"
        )
        timings["xlsx_again_s"] = time.perf_counter() - started
        if not result.ok or result.unchanged != rows:
            raise CommandError(f"xlsx import failed: {[str(e) for e in result.errors[:5]]}")
        self.stdout.write(f"import {rows} rows (xlsx, unchanged): {timings['xlsx_again_s']:.1f}s")
        return {"rows": rows, **timings}

    def _reminders(self) -> dict:
        now = timezone.now()
        pairs = [
            (meeting_id, user_id)
            for meeting_id, user_id in Meeting.objects.filter(
                organisation__slug=DEMO_SLUG, status=Meeting.Status.PLANNED, starts_at__gt=now
            ).values_list("pk", "participants__user_id")
            if user_id is not None
        ]
        if not pairs:
            raise CommandError("No planned meetings to remind of.")
        Reminder.objects.bulk_create(
            [
                Reminder(
                    kind=Reminder.Kind.MEETING_REMINDER,
                    recipient_id=pairs[n % len(pairs)][1],
                    meeting_id=pairs[n % len(pairs)][0],
                    variant="1",
                    due_at=now - datetime.timedelta(minutes=1),
                    dedupe_key=f"bench:{n}",
                )
                for n in range(REMINDERS)
            ],
            batch_size=2000,
        )
        started = time.perf_counter()
        # Celery runs eagerly here: each dispatch run also sends what it enqueued.
        while sending.dispatch_due() and time.perf_counter() - started < REMINDER_BUDGET_S:
            pass
        seconds = time.perf_counter() - started
        sent = Reminder.objects.filter(dedupe_key__startswith="bench:", sent_at__isnull=False).count()
        projected = seconds * REMINDERS / sent if sent else None
        self.stdout.write(f"reminders: {sent} of {REMINDERS} sent in {seconds:.1f}s")
        return {"due": REMINDERS, "sent": sent, "seconds": seconds, "projected_s": projected}


def _import_file(today: datetime.date) -> bytes:
    """5 non-overlapping spells per employee (73 days apart, 1-40 days long);
    every tenth employee's last spell is ongoing; percentages and contract
    hours in each of their forms."""
    lines = ["personeelsnummer;afdeling;eerste_verzuimdag;laatste_verzuimdag;percentage;contracturen"]
    base = today - datetime.timedelta(days=IMPORT_SPELLS * 73 + 60)
    for n in range(IMPORT_EMPLOYEES):
        for k in range(IMPORT_SPELLS):
            first = base + datetime.timedelta(days=k * 73 + n % 30)
            length = 1 + (n * 7 + k * 13) % 40
            ongoing = k == IMPORT_SPELLS - 1 and n % 10 == 0
            last = "" if ongoing else f"{first + datetime.timedelta(days=length - 1):%Y-%m-%d}"
            if k % 3 == 0:
                percentage = "50"
            elif k % 3 == 1 and length > 3:
                percentage = f"{first:%Y-%m-%d}:100|{first + datetime.timedelta(days=3):%Y-%m-%d}:50"
            else:
                percentage = ""
            hours = ("36", "24,5", "")[(n + k) % 3]
            lines.append(f"I{n};Afdeling A;{first:%d-%m-%Y};{last};{percentage};{hours}")
    return ("\n".join(lines) + "\n").encode()


def _as_xlsx(data: bytes) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Verzuim")
    for line in data.decode().splitlines():
        sheet.append(line.split(";"))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
