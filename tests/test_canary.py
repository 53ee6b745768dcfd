"""R9, R13: the leak canary. A unique string is written into every medical
free-text field (and into conclusions the physician has not released); then,
for every role but the authorised bedrijfsarts, every URL of the permission
matrix is requested and every same-site link on the pages reached is followed.
The canary must never appear: not in a page, not in the admin, not in the
audit log the privacy officer reads."""

from __future__ import annotations

import datetime
import re
from collections import deque

import pytest
from auditlog.models import LogEntry

from casefiles import medical
from casefiles.models import ConsultationConclusion, FunctionalLimitation

from .conftest import MATRIX_ROLES
from .test_permission_matrix import MATRIX

pytestmark = pytest.mark.django_db

CANARY = "KANARIE-d41d8cd9"
LINK = re.compile(r'href="(/[^"#]*)"')
SKIP = ("/uitloggen/", "/static/")
MAX_PAGES = 250


def plant(cast) -> None:
    physician = cast.users["physician"]
    released = medical.record_consultation(
        user=physician,
        employee_id=cast.employee.pk,
        date=datetime.date.today() - datetime.timedelta(days=7),
        kind="probleemanalyse",
        notes=f"{CANARY}-spreekuur: hernia L4-L5, gebruikt oxazepam",
        conclusion=medical.ConclusionInput(
            incapacity=ConsultationConclusion.Incapacity.PARTIAL,
            adaptations="Zittend werk",
            limitations=(medical.LimitationInput(5, FunctionalLimitation.Level.LIMITED, "Niet lang staan"),),
        ),
    )
    medical.release_conclusions(user=physician, pk=released.pk)
    # A later consultation whose conclusions are NOT released: none of it may show.
    medical.record_consultation(
        user=physician,
        employee_id=cast.employee.pk,
        date=datetime.date.today(),
        kind="regulier",
        notes=f"{CANARY}-tweede",
        conclusion=medical.ConclusionInput(
            incapacity=ConsultationConclusion.Incapacity.FULL,
            adaptations=f"{CANARY}-niet-gedeeld",
            limitations=(medical.LimitationInput(1, FunctionalLimitation.Level.SEVERE, f"{CANARY}-fml"),),
        ),
    )
    medical.record_note(
        user=physician,
        employee_id=cast.employee.pk,
        date=datetime.date.today(),
        context=f"{CANARY}-context",
        notes=f"{CANARY}-aantekening",
    )


def crawl(client, start_urls) -> dict[str, str]:
    seen: dict[str, str] = {}
    queue = deque(start_urls)
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        if url in seen or url.startswith(SKIP):
            continue
        response = client.get(url)
        body = response.content.decode(errors="replace") if hasattr(response, "content") else ""
        if not body and hasattr(response, "streaming_content"):
            body = b"".join(response.streaming_content).decode(errors="replace")
        seen[url] = body
        for link in LINK.findall(body):
            link = link.replace("&amp;", "&")
            if link not in seen:
                queue.append(link)
    return seen


@pytest.mark.parametrize("role", [r for r in MATRIX_ROLES if r != "physician"])
def test_canary_never_reaches_anyone_but_the_authorised_physician(cast, role):
    plant(cast)
    client = cast.client(role)
    start = ["/"] + [entry.url(cast) for entry in MATRIX.values() if entry.method == "get"]
    pages = crawl(client, start)
    leaks = [url for url, body in pages.items() if CANARY in body]
    assert not leaks, f"{role} saw the canary at {leaks}"
    assert len(pages) > 5


def test_canary_is_not_in_any_audit_log_entry(cast):
    plant(cast)
    medical.medical_file(user=cast.users["physician"], employee_id=cast.employee.pk)
    for entry in LogEntry.objects.all():
        assert (
            CANARY not in f"{entry.changes} {entry.changes_text} {entry.additional_data} {entry.object_repr}"
        )


def test_the_authorised_physician_does_see_it(cast):
    """The canary is really planted (otherwise the tests above prove nothing)."""
    plant(cast)
    pages = crawl(cast.client("physician"), ["/"])
    assert (
        any(CANARY in body for body in pages.values())
        or CANARY
        in medical.medical_file(user=cast.users["physician"], employee_id=cast.employee.pk)
        .consultations.first()
        .notes
    )
