"""Download of the PDF minutes (R10, R11, R13).

Who gets what (anyone else: 404, the minutes' existence is confidential):
- the participants of the meeting: the full minutes;
- HR of the meeting's organisation: the full minutes (the reintegration file);
- the employee concerned: an extract with only their own items;
- a beleids-/thema-SMT: the full minutes for everyone of the organisation (R11).

Participants, the employee's own items and the theme rule come from
meetings.services.closing.minutes_document_for (with minutes_for, the one
place that decides who sees minutes). Every download is logged.
"""

from __future__ import annotations

from django.http import FileResponse
from django.urls import path
from django.views.decorators.http import require_GET

from meetings.services import closing
from smo import audit
from smo.permissions import authenticated

from . import pdf

DOWNLOAD_LOG = audit.MINUTES_PDF_DOWNLOAD


@authenticated
@require_GET
def minutes_pdf(request, pk: int):
    meeting, employee = closing.minutes_document_for(request.user, pk)
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
