"""Permission-matrix entries of the reglement pages (reporting/views_reglement.py, R16).

Every signed-in user reads the reglement of their own organisation, employees
included (the other organisation's user gets their own organisation's). Only
the functioneel beheerder of our organisation edits our texts: every other
role is refused (403) and the beheerder of the other organisation does not
see that our organisation exists (404).
"""

from __future__ import annotations

from django.urls import reverse

from .matrix_support import Entry, logged_in, only

ENTRIES: dict[str, Entry] = {
    "reglement": Entry(lambda c: reverse("reglement"), logged_in(200)),
    "reglement_pdf": Entry(lambda c: reverse("reglement_pdf"), logged_in(200)),
    "reglement_edit": Entry(
        lambda c: reverse("reglement_edit") + f"?organisatie={c.organisation.slug}",
        {**only(("admin",)), "other_org_user": 404},
    ),
}
