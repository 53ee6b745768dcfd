"""Permission-matrix entries of the consent pages of the employer side and
the employee (consent/views/employer.py, consent/views/portal.py).

Employer pages (R6 notification, withdrawal on the employee's behalf, R8):
the manager and HR of the case's employee. Roles that can never record these
(employee, casemanager, physicians, arbeidsdeskundige, privacy officer,
beheerder) are refused by role (403, whatever the case). A manager or HR user
without the employee in scope, and the other organisation's HR/manager, get
404: the case's existence is confidential.

Portal (R14): an employee withdraws only their own consent; another
employee's consent does not exist for them (404); no other role has one (403).
"""

from __future__ import annotations

import datetime

from django.urls import reverse

from consent import services
from consent.models import Consent

from .matrix_support import Entry, only, statuses

EMPLOYER = ("manager", "hr")


def _consent(c) -> Consent:
    existing = Consent.objects.filter(case=c.case, superseded_by__isnull=True, withdrawn_at__isnull=True)
    if existing.exists():
        return existing.get()
    today = datetime.date.today()
    return services.record_consent(
        user=c.users["physician"],
        case_id=c.case.pk,
        given_on=today,
        obtained=Consent.Obtained.CONSULTATION,
        valid_until=today + datetime.timedelta(days=60),
        allowed_roles=["leidinggevende", "hr-adviseur"],
        meeting_types=["casus_smo"],
    )


def employer_page(status: int = 200) -> dict[str, int]:
    return statuses(
        403, anonymous=302, other_manager=404, other_org_user=404, **dict.fromkeys(EMPLOYER, status)
    )


ENTRIES: dict[str, Entry] = {
    "notification_create": Entry(lambda c: reverse("notification_create", args=[c.case.pk]), employer_page()),
    "consent_withdraw_by_employer": Entry(
        lambda c: reverse("consent_withdraw_by_employer", args=[_consent(c).pk]), employer_page()
    ),
    "my_consent_withdraw": Entry(
        lambda c: reverse("my_consent_withdraw", args=[_consent(c).pk]),
        only(("employee_concerned",), others=403) | {"other_employee": 404},
    ),
}
