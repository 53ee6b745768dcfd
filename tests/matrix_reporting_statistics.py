"""Permission-matrix entries of the statistics (reporting/views_statistics.py,
reporting/views_statistics_export.py): the page, the SRO presentation mode,
the handout PDF and the CSV export.

All four are for the same roles (R18): the arbeidsdeskundige and HR see every
department of their organisation, managers only the departments they manage
(also a manager without a department there gets the page, with nothing in
it); the other organisation's HR/manager gets them for their own
organisation. Everybody else 403 (the employee, physicians, casemanager,
privacy officer, beheerder); anonymous to the login page. Never individual
rows (R19; tests/reporting/test_statistics_*.py).
"""

from __future__ import annotations

from django.urls import reverse

from .matrix_support import Entry, only

STATISTICS_VIEWERS = ("manager", "other_manager", "hr", "arbeidsdeskundige", "other_org_user")

ENTRIES: dict[str, Entry] = {
    name: Entry(lambda c, name=name: reverse(name), only(STATISTICS_VIEWERS))
    for name in ("statistics", "statistics_presentation", "statistics_pdf", "statistics_csv")
}
