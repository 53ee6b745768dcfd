"""Shared data of the statistics tests (page, exports, presentation).

Organisation "Zorgcentrum Statistiek" (threshold 10, minimum count 5), 2024:

* Zorg: 20 employees, 6 spells of 3 days in March (6 new, 6 kort);
* Keuken: 12 employees, 2 spells of 3 days (2 new, 2 kort: below 5, suppressed, R19);
* Schoonmaak: 3 employees, Receptie: 8 employees: both below 10, pooled
  together as "Overige afdelingen" (11 employees).
"""

from __future__ import annotations

import datetime

from django.test import Client

from casefiles.models import AbsenceCase
from tests.factories import (
    AbsenceCaseFactory,
    DepartmentFactory,
    EmployeeFactory,
    OrganisationFactory,
    UserFactory,
)

D = datetime.date
PERIOD = {"van": "2024-01-01", "tot": "2024-12-31"}
KEUKEN_SUPPRESSED = {"new_spells": 2, "kort": 2}  # the true values that must never be shown (R19)


def staff(org, size, dept, spells=0):
    people = [EmployeeFactory(organisation=org, department=dept) for _ in range(size)]
    for person in people[:spells]:
        AbsenceCaseFactory(
            employee=person,
            first_day=D(2024, 3, 4),
            end_date=D(2024, 3, 6),
            closed_reason=AbsenceCase.ClosedReason.RECOVERED,
        )
    return people


def make_org():
    """The organisation of the module docstring (each test module wraps it in an ``org`` fixture)."""
    org = OrganisationFactory(name="Zorgcentrum Statistiek", slug="zorgcentrum-statistiek")
    depts = {
        name: DepartmentFactory(organisation=org, name=name)
        for name in ("Zorg", "Keuken", "Schoonmaak", "Receptie")
    }
    org.people = (
        staff(org, 20, depts["Zorg"], spells=6)
        + staff(org, 12, depts["Keuken"], spells=2)
        + staff(org, 3, depts["Schoonmaak"], spells=1)
        + staff(org, 8, depts["Receptie"])
    )
    org.depts = depts
    return org


def client_for(org, *roles):
    user = UserFactory(roles=list(roles), organisations=[org])
    client = Client()
    client.force_login(user)  # independent of the login steps (two-factor, lockout)
    client.user = user
    return client


def identifying_strings(org) -> list[str]:
    """What would identify an employee: names and personnel numbers."""
    out = []
    for person in org.people:
        out += [person.last_name, person.personnel_number]
    return [s for s in out if s]
