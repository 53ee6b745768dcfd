"""Permission-matrix entries of the absence import (reporting/views_import.py).

HR and the functioneel beheerder import for their own organisations; the
other organisation's HR/beheerder gets the same page for theirs (the page
shows nothing of ours). Everybody else 403; anonymous to the login page.
"""

from __future__ import annotations

from django.urls import reverse

from .matrix_support import Entry, only

ENTRIES: dict[str, Entry] = {
    "absence_import": Entry(lambda c: reverse("absence_import"), only(("hr", "admin", "other_org_user"))),
}
