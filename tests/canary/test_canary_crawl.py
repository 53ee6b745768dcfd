"""R9, R12, R14: no role reaches a canary it may not see, on any page or
download (PDF through pdftotext, CSV and .ics raw) reachable from the
permission matrix by following links, redirects and GET forms.

Each canary is seen by exactly its ``visible_to`` roles: a role that should
see it and does not means the planting or the crawl broke (so the test
cannot pass by seeing nothing)."""

from __future__ import annotations

import pytest
from django.core import mail

from ..conftest import MATRIX_ROLES
from .crawling import crawl

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", MATRIX_ROLES)
def test_R9_each_canary_reaches_exactly_the_roles_that_may_see_it(cast, world, role):
    canaries, urls = world
    result = crawl(cast.client(role), urls)
    assert len(result.texts) > 5
    assert not result.truncated, f"{role}: more than {len(result.texts)} pages; raise MAX_PAGES"
    assert not [url for url, status in result.statuses.items() if status >= 500]
    wrong = {}
    for canary in canaries:
        where = result.containing(canary.text)
        if bool(where) != (role in canary.visible_to):
            wrong[canary.text] = where or "not seen, but should be"
    assert not wrong, f"{role}: {wrong}"
    # R12: a calendar entry never names the employee of a case.
    employee = cast.employee
    names = [employee.first_name, employee.last_name, employee.full_name, employee.personnel_number]
    calendars = [url for url, kind in result.downloads.items() if kind == "text/calendar"]
    assert not [(url, n) for url in calendars for n in names if n in result.texts[url]]
    for message in mail.outbox:  # nothing a GET triggers mails a canary either
        assert not [c.text for c in canaries if c.text in str(message.message())]


def test_R9_the_crawl_downloads_every_file_channel_it_finds(cast, world):
    """The minutes PDF, the statistics CSV and the calendar feed (.ics) are
    downloaded and read; a file channel added later is picked up by its
    content type."""
    _canaries, urls = world
    result = crawl(cast.client("hr"), urls)
    kinds = set(result.downloads.values())
    assert {"application/pdf", "text/calendar", "text/csv"} <= kinds, result.downloads
    pdf_url = next(url for url in result.downloads if url.endswith("verslag.pdf"))
    assert "%PDF" not in result.texts[pdf_url]  # read as text, not as bytes
    assert result.texts[pdf_url].strip()
    feeds = [result.texts[url] for url, kind in result.downloads.items() if kind == "text/calendar"]
    assert any("BEGIN:VEVENT" in feed for feed in feeds)  # the name check above has something to check
