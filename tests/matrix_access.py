"""Permission-matrix entries of the access page (casefiles/views/access.py)."""

from __future__ import annotations

from django.urls import reverse

from .matrix_support import Entry, statuses

ENTRIES: dict[str, Entry] = {
    # HR and the beheerder of the organisation; the other organisation's
    # beheerder/HR does not find the employee; everyone else is refused.
    "employee_access": Entry(
        lambda c: reverse("employee_access", args=[c.employee.pk]),
        statuses(403, anonymous=302, hr=200, admin=200, other_org_user=404),
    ),
}
