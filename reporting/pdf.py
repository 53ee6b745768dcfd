"""PDF minutes of a closed meeting (R10, R11), rendered with WeasyPrint.

What goes in (R10): meeting type, title, date and time, location, the
participants with their role in the meeting, and per discussed item the
decisions and action points (what, who, by when, which support measure).
Never what was said (the consent gate's shareable summary), the consent
items, the questions of the agenda item, SRO factors or anything from the
medical file: those are not even read here. A beleids-/thema-SMT adds its
full minutes text (R11).

Variants: the full minutes (participants, HR; for a theme SMT everyone of
the organisation) and one extract per employee concerned with only their
own items. Generation is idempotent: the SHA-256 of the rendered HTML is
stored, and the PDF is rendered and its file replaced only when it differs.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone, translation

from casefiles.models import Employee
from meetings.models import ActionPoint, AgendaItem, Decision, Meeting

from .models import MinutesPdf

TEMPLATE = "reporting/minutes_pdf.html"


@dataclass(frozen=True)
class Variant:
    kind: str
    employee: Employee | None = None


def _items(meeting: Meeting, employee: Employee | None) -> list[AgendaItem]:
    """Discussed items with their decisions and action points only (R10)."""
    items = (
        meeting.items.filter(status=AgendaItem.Status.DONE)
        .select_related("case__employee")
        .prefetch_related(
            Prefetch("decisions", queryset=Decision.objects.order_by("pk")),
            Prefetch(
                "action_points", queryset=ActionPoint.objects.select_related("owner").order_by("due", "pk")
            ),
        )
        .order_by("position", "pk")
    )
    if employee is not None:
        items = items.filter(case__employee=employee)
    return list(items)


def render_html(meeting: Meeting, employee: Employee | None = None) -> str:
    """The minutes as HTML for WeasyPrint: Dutch, in the server's time zone,
    with nothing that changes between two renderings of the same content."""
    context = {
        "meeting": meeting,
        "organisation": meeting.organisation,
        "is_case_meeting": meeting.is_case_meeting,
        "employee": employee,
        "participants": list(meeting.participants.select_related("user").order_by("pk")),
        "items": _items(meeting, employee),
        "full_text": meeting.minutes_text if not meeting.is_case_meeting else "",
    }
    with translation.override("nl"), timezone.override(settings.TIME_ZONE):
        return render_to_string(TEMPLATE, context)


def render_pdf(html: str) -> bytes:
    """WeasyPrint with a URL fetcher that refuses every URL: the template
    carries its own CSS and uses installed fonts; nothing is fetched."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    refuse_all = URLFetcher(allowed_protocols=(), fail_on_errors=True)
    return HTML(string=html, base_url=None, url_fetcher=refuse_all).write_pdf()


def content_hash(html: str) -> str:
    return hashlib.sha256(html.encode("utf-8")).hexdigest()


def _file_name(meeting: Meeting, variant: Variant, digest: str) -> str:
    # Ids and a hash only: no names in file names.
    suffix = f"-{variant.employee.pk}" if variant.employee is not None else ""
    return f"verslag-{meeting.pk}-{variant.kind}{suffix}-{digest[:16]}.pdf"


def _stored(record: MinutesPdf | None, digest: str) -> bool:
    return (
        record is not None
        and record.content_hash == digest
        and bool(record.file.name)
        and record.file.storage.exists(record.file.name)
    )


def _store(meeting: Meeting, variant: Variant) -> MinutesPdf:
    with transaction.atomic():
        # One generation per meeting at a time (task retries, a download
        # generating at the same moment): the meeting's row lock, then the
        # minutes as they are now, so a late writer never stores old content.
        meeting = (
            Meeting.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=meeting.pk)
        )
        html = render_html(meeting, variant.employee)
        digest = content_hash(html)
        record = MinutesPdf.objects.filter(
            meeting=meeting, kind=variant.kind, employee=variant.employee
        ).first()
        if _stored(record, digest):
            return record
        old_name = record.file.name if record is not None and record.file else ""
        if record is None:
            record = MinutesPdf(meeting=meeting, kind=variant.kind, employee=variant.employee)
        record.content_hash = digest
        record.generated_at = timezone.now()
        record.file.save(_file_name(meeting, variant, digest), ContentFile(render_pdf(html)), save=False)
        try:
            record.save()
        except Exception:
            record.file.storage.delete(record.file.name)  # no file without its row
            raise
        if old_name and old_name != record.file.name:
            storage = record.file.storage
            transaction.on_commit(lambda: storage.delete(old_name))
    return record


def _closed_meeting(meeting_id: int) -> Meeting | None:
    return (
        Meeting.objects.filter(pk=meeting_id, status=Meeting.Status.CLOSED)
        .select_related("organisation")
        .first()
    )


def variants_of(meeting: Meeting) -> list[Variant]:
    """The full minutes, and for a case meeting one extract per employee
    with a portal account whose case was discussed."""
    variants = [Variant(MinutesPdf.Kind.FULL)]
    if meeting.is_case_meeting:
        employees = Employee.objects.filter(
            absence_cases__agenda_items__meeting=meeting,
            absence_cases__agenda_items__status=AgendaItem.Status.DONE,
            user__isnull=False,
        ).distinct()
        variants += [Variant(MinutesPdf.Kind.EMPLOYEE, employee) for employee in employees.order_by("pk")]
    return variants


def generate_for_meeting(meeting_id: int) -> list[MinutesPdf]:
    """Every variant of a closed meeting's minutes, created or brought up to
    date; extracts of employees no longer in the minutes are removed.
    Nothing for a meeting that is not (or no longer) closed."""
    meeting = _closed_meeting(meeting_id)
    if meeting is None:
        return []
    variants = variants_of(meeting)
    records = [_store(meeting, variant) for variant in variants]
    wanted = {v.employee.pk for v in variants if v.employee is not None}
    # Files go with their rows (reporting.signals deletes them on commit).
    for stale in MinutesPdf.objects.filter(meeting=meeting, kind=MinutesPdf.Kind.EMPLOYEE).exclude(
        employee__in=wanted
    ):
        stale.delete()
    return records


def ensure_minutes_pdf(meeting: Meeting, employee: Employee | None = None) -> MinutesPdf:
    """The current PDF of one variant, generated now when it does not exist
    yet or no longer matches the minutes (the download never fails because
    the task has not run yet). Same function as the task uses."""
    kind = MinutesPdf.Kind.EMPLOYEE if employee is not None else MinutesPdf.Kind.FULL
    return _store(meeting, Variant(kind, employee))
