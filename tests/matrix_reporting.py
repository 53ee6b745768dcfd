"""Permission-matrix entries of the reporting pages (reporting/views.py).

The PDF minutes (R10, R13) of the closed casus-specifiek SMO of
tests/matrix_meetings_running.py (manager chairs, physician advises, HR takes
the minutes, the casemanager takes part; the employee's case discussed): the
participants and HR of the organisation get the full minutes, the employee
concerned their own extract; everybody else 404 (the minutes' existence is
confidential). The view generates the PDF itself when none exists yet.
"""

from __future__ import annotations

from django.urls import reverse

from .matrix_meetings_running import PARTICIPANTS, closed
from .matrix_support import Entry, statuses

ENTRIES: dict[str, Entry] = {
    "minutes_pdf": Entry(
        lambda c: reverse("minutes_pdf", args=[closed(c).pk]),
        statuses(404, anonymous=302, employee_concerned=200, **dict.fromkeys(PARTICIPANTS, 200)),
    ),
}
