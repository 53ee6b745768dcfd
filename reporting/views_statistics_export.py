"""Downloads of the statistics (issue 7; R18, R19, R13): the handout PDF and
the CSV export.

Both read the same form as the statistics page and render the same
sections of :func:`reporting.report.build_report`, so whatever is suppressed
on the page is suppressed here (R19): a hidden value is an en dash in the
PDF and an empty cell with a marker in the CSV. Every download is written to
the audit trail (which organisation and period, never a figure).
"""

from __future__ import annotations

import csv
import io
import re

from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest
from django.template.loader import render_to_string
from django.urls import path
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from smo import audit
from smo.permissions import require_roles
from smo.roles import STATISTICS_ROLES

from . import pdf
from .report import Report
from .templatetags.statistics_tags import format_value
from .views_statistics import Chosen, chosen_report

HANDOUT_TEMPLATE = "reporting/statistics/handout_pdf.html"
CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?\d+(,\d+)?%?")


def file_name(chosen: Chosen, extension: str) -> str:
    """Organisation slug and period; no names of people."""
    return f"verzuimstatistieken-{chosen.organisation.slug}-{chosen.start:%Y%m%d}-{chosen.end:%Y%m%d}.{extension}"


def _download(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store, max-age=0"
    return response


def _invalid(chosen: Chosen) -> HttpResponseBadRequest:
    errors = "; ".join(str(e) for errors in chosen.form.errors.values() for e in errors)
    return HttpResponseBadRequest(
        _("Ongeldige keuze: %(errors)s") % {"errors": errors}, content_type="text/plain; charset=utf-8"
    )


def _log(request, chosen: Chosen) -> None:
    # R13: who downloaded statistics of which organisation; no figures.
    audit.log_access(chosen.organisation, actor=request.user, what=audit.STATISTICS_DOWNLOAD)


# --- handout PDF -------------------------------------------------------------


def render_handout_html(chosen: Chosen) -> str:
    context = {**chosen.context(), "generated": timezone.now()}
    with translation.override("nl"), timezone.override(settings.TIME_ZONE):
        return render_to_string(HANDOUT_TEMPLATE, context)


@require_roles(*STATISTICS_ROLES)
@require_GET
def handout_pdf(request):
    """A4 handout for the SRO: every section with chart and table, notes
    and definitions (R18); the same suppression as the page (R19)."""
    chosen = chosen_report(request)
    if chosen.report is None:
        return _invalid(chosen)
    content = pdf.render_pdf(render_handout_html(chosen))
    _log(request, chosen)
    return _download(content, "application/pdf", file_name(chosen, "pdf"))


# --- CSV export ---------------------------------------------------------------


def safe_cell(value) -> str:
    """A cell that a spreadsheet will not run as a formula (CSV injection):
    text starting with = + - @ (or a tab or carriage return) gets a leading
    apostrophe; a plain number such as "-0,4" or "+1,2%" stays a number."""
    text = "" if value is None else str(value)
    if text.startswith(CSV_FORMULA_START) and not NUMBER.fullmatch(text):
        return f"'{text}"
    return text


def csv_rows(chosen: Chosen) -> list[list[str]]:
    """The sections one after another: a title line, a header line, the
    rows; a hidden value (R19) is an empty cell, named in the last column."""
    report: Report = chosen.report
    lines = [
        [_("Verzuimstatistieken"), chosen.organisation.name],
        [_("Periode"), chosen.start.isoformat(), chosen.end.isoformat()],
        [_("Alle cijfers zijn geanonimiseerd: alleen groepscijfers, kleine aantallen worden niet getoond.")],
        [
            _(
                "Een lege cel is niet getoond (te klein om te tonen of niet te berekenen, waar – staat in de "
                "toelichting); de laatste kolom noemt welke."
            )
        ],
    ]
    if not report.in_scope:
        lines.append([_("Er zijn geen afdelingen waarvoor u cijfers mag zien.")])
    elif report.too_small:
        lines.append(
            [_("Te klein om te tonen: samen minder dan %(n)s medewerkers.") % {"n": report.threshold}]
        )
    hidden_label = _("Niet getoond")
    for section in report.sections:
        lines += [[], [str(section.title)]]
        if section.description:
            lines.append([str(section.description)])
        lines.append([str(section.row_heading), *[str(c.label) for c in section.columns], hidden_label])
        for row in section.rows:
            cells = [
                "" if v is None else format_value(v, c)
                for v, c in zip(row.values, section.columns, strict=True)
            ]
            hidden = [str(c.label) for v, c in zip(row.values, section.columns, strict=True) if v is None]
            lines.append([str(row.label), *cells, ", ".join(hidden)])
        if section.note:
            lines.append([str(section.note)])
    return [[safe_cell(cell) for cell in line] for line in lines]


@require_roles(*STATISTICS_ROLES)
@require_GET
def statistics_csv(request):
    """CSV for Dutch Excel: ``;`` separated, UTF-8 with BOM, decimal commas
    as on the page; the same sections and suppression as the page (R19)."""
    chosen = chosen_report(request)
    if chosen.report is None:
        return _invalid(chosen)
    buffer = io.StringIO()
    with translation.override("nl"):
        csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(csv_rows(chosen))
    _log(request, chosen)
    return _download(
        ("\ufeff" + buffer.getvalue()).encode("utf-8"), "text/csv; charset=utf-8", file_name(chosen, "csv")
    )


urlpatterns = [
    path("statistieken/pdf/", handout_pdf, name="statistics_pdf"),
    path("statistieken/csv/", statistics_csv, name="statistics_csv"),
]
