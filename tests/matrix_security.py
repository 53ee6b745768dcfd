"""Permission-matrix entries of the security pages (R13a, smo/twofactor).

Every signed-in client of the matrix has completed its second factor (the
autouse fixture in tests/conftest.py), so the code step and the enrolment send
it on (302); tests/test_two_factor*.py cover the unverified session.
"""

from __future__ import annotations

from django.urls import reverse

from .matrix_support import Entry, logged_in, statuses

ENTRIES: dict[str, Entry] = {
    # Already verified: on to ``next`` (anonymous: to the login page).
    "two_factor_verify": Entry(lambda c: reverse("two_factor_verify"), statuses(302)),
    # A second factor is set up already: on to the recovery codes page.
    "two_factor_setup": Entry(lambda c: reverse("two_factor_setup"), statuses(302)),
    # Everybody manages their own recovery codes, nobody else's.
    "two_factor_recovery_codes": Entry(lambda c: reverse("two_factor_recovery_codes"), logged_in(200)),
}
