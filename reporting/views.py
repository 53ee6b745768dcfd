"""Download of the PDF minutes (R10, R11, R13).

Who gets what (anyone else: 404, the minutes' existence is confidential):
- the participants of the meeting: the full minutes;
- HR of the meeting's organisation: the full minutes (the reintegration file);
- the employee concerned: an extract with only their own items;
- a beleids-/thema-SMT: the full minutes for everyone of the organisation (R11).

Participants, the employee's own items and the theme rule come from
meetings.services.closing.minutes_for (the one place that decides who sees
minutes); this view adds HR of the organisation. Every download is logged.
"""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.urls import path
from django.views.decorators.http import require_GET

from casefiles.models import Employee
from meetings.models import Meeting
from meetings.services import closing
from smo import audit, permissions
from smo.permissions import authenticated
from smo.roles import Role, has_role

from . import pdf

DOWNLOAD_LOG = audit.MINUTES_PDF_DOWNLOAD


def _closed_meeting_of_hr(user, pk: int) -> Meeting | None:
    if not has_role(user, Role.HR):
        return None
    return (
        Meeting.objects.filter(
            pk=pk, status=Meeting.Status.CLOSED, organisation__in=permissions.organisations_of(user)
        )
        .select_related("organisation")
        .first()
    )


def minutes_pdf_variant(user, pk: int) -> tuple[Meeting, Employee | None]:
    """The meeting and whose extract the user may download (None: the full
    minutes); Http404 when the user may not download these minutes."""
    meeting = _closed_meeting_of_hr(user, pk)
    if meeting is not None:
        return meeting, None
    minutes = closing.minutes_for(user, pk)  # R10/R11; Http404 for anyone else
    meeting = minutes.meeting
    if not meeting.is_case_meeting or meeting.participants.filter(user=user).exists():
        return meeting, None
    # Not a participant: minutes_for kept only the user's own items.
    employees = {item.case.employee for item in minutes.items if item.case_id}
    if len(employees) != 1:
        raise Http404
    return meeting, employees.pop()


@authenticated
@require_GET
def minutes_pdf(request, pk: int):
    meeting, employee = minutes_pdf_variant(request.user, pk)
    record = pdf.ensure_minutes_pdf(meeting, employee)
    audit.log_access(meeting, actor=request.user, what=DOWNLOAD_LOG)
    suffix = "-eigen-punten" if employee is not None else ""
    response = FileResponse(
        record.file.open("rb"),
        as_attachment=True,
        filename=f"verslag-{meeting.date:%Y-%m-%d}{suffix}.pdf",
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store, max-age=0"
    return response


urlpatterns = [
    path("overleggen/<int:pk>/verslag.pdf", minutes_pdf, name="minutes_pdf"),
]
