"""A believable Dutch demo organisation for `make run`, tests and benchmarks.

Deterministic (seeded random), idempotent (an organisation that already has
employees is left alone), and fast enough for 20,000 employees (bulk inserts).
The default is two years of absence history; ``years`` makes it longer (three
years give about five spells per employee: the ~100,000 spells of
``make bench``). Demo meetings are made by ``meetings.demo``.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice
from guardian.shortcuts import assign_perm

from smo.roles import Role, set_roles

from .models import AbsenceCase, AbsencePercentage, Department, Employee, Membership, Organisation

# The second factor of a demo account (R13a); demo_code reads only these.
DEMO_DEVICE_NAME = "demo"

FIRST_NAMES = [
    "Anouk",
    "Bram",
    "Daan",
    "Emma",
    "Femke",
    "Fleur",
    "Gijs",
    "Hanna",
    "Ilse",
    "Jan",
    "Joost",
    "Julia",
    "Kees",
    "Lieke",
    "Lotte",
    "Maarten",
    "Marieke",
    "Mohamed",
    "Noor",
    "Pieter",
    "Priya",
    "Ruben",
    "Sanne",
    "Sem",
    "Sophie",
    "Thijs",
    "Tim",
    "Vera",
    "Willem",
    "Yasmin",
    "Zeynep",
    "Bas",
    "Eva",
    "Lars",
    "Mila",
    "Niels",
    "Roos",
    "Stijn",
    "Tess",
    "Wouter",
]
LAST_NAMES = [
    "de Jong",
    "Jansen",
    "de Vries",
    "van den Berg",
    "van Dijk",
    "Bakker",
    "Janssen",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Smits",
    "de Graaf",
    "van der Meer",
    "Kaya",
    "El Amrani",
    "Yilmaz",
    "Koster",
    "Prins",
    "Huisman",
    "Kuipers",
    "Veenstra",
    "Postma",
]

# Locations with their departments (a two-level hierarchy).
STRUCTURE = {
    "Locatie Amersfoort": ["Verpleging A", "Verpleging B", "Facilitaire dienst", "Keuken"],
    "Locatie Utrecht": ["Thuiszorg Utrecht", "Dagbesteding", "Receptie"],
    "Hoofdkantoor": ["Financiën", "ICT", "HR en Opleidingen"],
}

# Duration classes (R18) with their share of spells: kort, middellang, lang, extra lang.
DURATION_CLASSES = ((0.62, 1, 7), (0.25, 8, 42), (0.10, 43, 365), (0.03, 366, 700))


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    first_name: str
    last_name: str


ACCOUNTS = (
    DemoAccount("leidinggevende", Role.LEIDINGGEVENDE, "Lisa", "van Rijn"),
    DemoAccount("leidinggevende2", Role.LEIDINGGEVENDE, "Hamid", "Bouzid"),
    DemoAccount("hr", Role.HR, "Hester", "Ruiter"),
    DemoAccount("bedrijfsarts", Role.BEDRIJFSARTS, "Bart", "Arends"),
    DemoAccount("pob", Role.POB, "Petra", "Olde Bos"),
    DemoAccount("arbeidsdeskundige", Role.ARBEIDSDESKUNDIGE, "Ad", "Kuiper"),
    DemoAccount("casemanager", Role.CASEMANAGER, "Carla", "Mens"),
    DemoAccount("medewerker", Role.MEDEWERKER, "Mirjam", "Werkhoven"),
    DemoAccount("privacy", Role.PRIVACY_OFFICER, "Paul", "Rivas"),
    DemoAccount("beheer", Role.BEHEERDER, "Bea", "Heerkens"),
)


@dataclass
class SeedResult:
    organisation: Organisation
    created: bool
    employees: int
    cases: int


def seed(
    *,
    slug: str = "zorggroep-de-linde",
    name: str = "Zorggroep De Linde",
    employees: int = 200,
    today: datetime.date | None = None,
    with_accounts: bool = True,
    years: int = 2,
) -> SeedResult:
    today = today or datetime.date.today()
    rng = random.Random(f"{slug}-{employees}")  # noqa: S311  (demo data, not security)
    with transaction.atomic():
        organisation, created = Organisation.objects.get_or_create(slug=slug, defaults={"name": name})
        if organisation.employees.exists():
            return SeedResult(
                organisation,
                False,
                organisation.employees.count(),
                AbsenceCase.objects.filter(employee__organisation=organisation).count(),
            )
        departments = _departments(organisation)
        users = _accounts(organisation) if with_accounts else {}
        staff = _employees(organisation, departments, employees, rng, today, users)
        cases = _absence(staff, rng, today, years)
        if with_accounts:
            _authorise(organisation, departments, users, cases)
    return SeedResult(organisation, created, len(staff), len(cases))


def _departments(organisation: Organisation) -> list[Department]:
    leaves = []
    for location, names in STRUCTURE.items():
        parent = Department.objects.create(
            organisation=organisation, name=location, kind=Department.Kind.LOCATION
        )
        leaves += [Department.objects.create(organisation=organisation, name=n, parent=parent) for n in names]
    return leaves


def _accounts(organisation: Organisation) -> dict[str, object]:
    User = get_user_model()
    users = {}
    for account in ACCOUNTS:
        user, made = User.objects.get_or_create(
            username=account.username,
            defaults={
                "first_name": account.first_name,
                "last_name": account.last_name,
                "email": f"{account.username}@demo.invalid",
            },
        )
        if made:
            user.set_password(settings.SMO_DEMO_PASSWORD)
            user.save(update_fields=["password"])
            # R13a: the demo accounts have their second factor already; the
            # current code comes from `manage.py demo_code <username>` (or the
            # key in an authenticator app), so `make run` can be tried at once.
            TOTPDevice.objects.create(user=user, name=DEMO_DEVICE_NAME, confirmed=True)
        set_roles(user, [account.role])
        Membership.objects.get_or_create(user=user, organisation=organisation)
        users[account.username] = user
    return users


def _employees(organisation, departments, count, rng, today, users) -> list[Employee]:
    rows = []
    managers = [users.get("leidinggevende"), users.get("leidinggevende2")]
    for i in range(count):
        department = departments[i % len(departments)]
        start = today - datetime.timedelta(days=rng.randint(300, 9000))
        left = rng.random() < 0.06
        rows.append(
            Employee(
                organisation=organisation,
                personnel_number=f"{100000 + i}",
                first_name=rng.choice(FIRST_NAMES),
                last_name=rng.choice(LAST_NAMES),
                department=department,
                manager=managers[0] if i % len(departments) < len(departments) // 2 else managers[1],
                contract_hours=Decimal(rng.choice([16, 20, 24, 28, 32, 36, 36, 36, 40])),
                employment_start=start,
                employment_end=today - datetime.timedelta(days=rng.randint(1, min(500, (today - start).days)))
                if left
                else None,
            )
        )
    employees = Employee.objects.bulk_create(rows, batch_size=2000)
    own = users.get("medewerker")
    if own is not None:
        first = employees[0]
        first.first_name, first.last_name, first.user = "Mirjam", "Werkhoven", own
        first.employment_end = None
        first.save(update_fields=["first_name", "last_name", "user", "employment_end"])
    return employees


def _duration(rng: random.Random) -> int:
    roll, acc = rng.random(), 0.0
    for share, low, high in DURATION_CLASSES:
        acc += share
        if roll < acc:
            return rng.randint(low, high)
    return DURATION_CLASSES[-1][2]


def _absence(employees, rng, today, years: int = 2) -> list[AbsenceCase]:
    """Spells over the last ``years`` years; at most one open spell per employee."""
    window_start = today - datetime.timedelta(days=365 * years)
    cases = []
    for index, employee in enumerate(employees):
        day = max(window_start, employee.employment_start) + datetime.timedelta(days=rng.randint(0, 120))
        last_day = employee.employment_end or today
        force_open = index == 0  # the demo employee has a running case
        while day < last_day:
            length = _duration(rng)
            end = day + datetime.timedelta(days=length - 1)
            open_case = force_open or (end >= today and employee.employment_end is None)
            if open_case:
                cases.append(
                    AbsenceCase(
                        employee=employee,
                        first_day=day if not force_open else today - datetime.timedelta(days=60),
                    )
                )
                break
            end = min(end, last_day)
            reason = (
                AbsenceCase.ClosedReason.LEFT
                if end == employee.employment_end
                else AbsenceCase.ClosedReason.RECOVERED
            )
            cases.append(
                AbsenceCase(
                    employee=employee,
                    first_day=day,
                    end_date=end,
                    closed_reason=reason,
                    safety_net=rng.random() < 0.03,
                    work_accident=rng.random() < 0.02,
                )
            )
            day = end + datetime.timedelta(days=rng.randint(20, 400))
    cases = AbsenceCase.objects.bulk_create(cases, batch_size=5000)
    percentages = []
    for case in cases:
        percentages.append(AbsencePercentage(case=case, valid_from=case.first_day, percentage=100))
        last = case.end_date or today
        if (last - case.first_day).days > 42:
            percentages.append(
                AbsencePercentage(
                    case=case,
                    valid_from=case.first_day + datetime.timedelta(days=42),
                    percentage=rng.choice([50, 60, 75]),
                )
            )
    AbsencePercentage.objects.bulk_create(percentages, batch_size=5000)
    return cases


def _authorise(organisation, departments, users, cases) -> None:
    """Managers lead departments; physicians are authorised for employees with
    an open case; the casemanager guides the long cases."""
    half = len(departments) // 2
    for department in departments[:half]:
        assign_perm("casefiles.manage_department", users["leidinggevende"], department)
    for department in departments[half:]:
        assign_perm("casefiles.manage_department", users["leidinggevende2"], department)
    open_cases = [c for c in cases if c.end_date is None]
    sick = Employee.objects.filter(pk__in=[c.employee_id for c in open_cases])
    assign_perm("casefiles.view_medical_file", users["bedrijfsarts"], sick)
    assign_perm("casefiles.view_medical_file", users["pob"], sick)
    today = datetime.date.today()
    long_cases = AbsenceCase.objects.filter(
        pk__in=[c.pk for c in open_cases if (today - c.first_day).days > 42]
    )
    assign_perm("casefiles.guide_case", users["casemanager"], long_cases)
