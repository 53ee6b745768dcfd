"""Permission-matrix entries of the portal pages (casefiles/views/portal.py)."""

from __future__ import annotations

from django.urls import reverse

from .matrix_support import Entry, only

ENTRIES: dict[str, Entry] = {
    # R14: every employee sees their own file; no other role has one here.
    "my_file": Entry(lambda c: reverse("my_file"), only(("employee_concerned", "other_employee"))),
}
