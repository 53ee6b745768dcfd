"""Permission-matrix entries of the statistics page (reporting/views_statistics.py).

The arbeidsdeskundige and HR see every department of their organisation,
managers only the departments they manage (also a manager without a
department there gets the page, with nothing in it); the other
organisation's HR/manager gets the page for their own organisation.
Everybody else 403; anonymous to the login page.
"""

from __future__ import annotations

from django.urls import reverse

from .matrix_support import Entry, only

ENTRIES: dict[str, Entry] = {
    "statistics": Entry(
        lambda c: reverse("statistics"),
        only(("manager", "other_manager", "hr", "arbeidsdeskundige", "other_org_user")),
    ),
}
