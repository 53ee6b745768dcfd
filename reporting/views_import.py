"""The absence import page (issue 7, item 1) for HR and the functioneel
beheerder: upload a CSV or XLSX file, "controleren" checks it without writing, "importeren"
checks and writes it. Errors are listed by line and column; a file with any
error imports nothing. Thin view: reporting.absence_import decides."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from smo.permissions import organisations_of, require_roles

from . import absence_import
from .forms_import import AbsenceImportForm

MAX_ERRORS_SHOWN = 1000


@require_roles(*absence_import.IMPORT_ROLES)
@require_http_methods(["GET", "POST"])
def absence_import_view(request):
    organisations = organisations_of(request.user)
    form = AbsenceImportForm(request.POST or None, request.FILES or None, organisations=organisations)
    result = None
    if request.method == "POST" and form.is_valid():
        dry_run = request.POST.get("actie") != "importeren"
        result = absence_import.import_absence(
            actor=request.user,
            organisation=form.cleaned_data["organisatie"],
            data=form.cleaned_data["bestand"].read(),
            filename=form.cleaned_data["bestand"].name,
            dry_run=dry_run,
        )
        if result.ok and not dry_run:
            messages.success(
                request,
                _("Import voltooid: %(created)s nieuw, %(updated)s bijgewerkt, %(unchanged)s ongewijzigd.")
                % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
            )
            return redirect("absence_import")
    context = {
        "form": form,
        "result": result,
        "errors": result.errors[:MAX_ERRORS_SHOWN] if result else [],
        "hidden_errors": max(0, len(result.errors) - MAX_ERRORS_SHOWN) if result else 0,
    }
    return render(request, "reporting/import/absence_import.html", context, status=200)


urlpatterns = [path("verzuim/import/", absence_import_view, name="absence_import")]
