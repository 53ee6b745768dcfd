"""The medical file pages (R7, R9, R13): only for a bedrijfsarts/POB who is
authorised for the employee.

Everybody else, superusers and admins included, gets 404 on every
employee-specific page: the existence of a medical file is itself
confidential, so these views use ``@authenticated`` and let the service layer
answer 404, instead of a role check that would answer 403. Anonymous users
are sent to the login page.

The views are thin: every read and write goes through
:mod:`casefiles.medical`, which checks the authorisation and writes the
NEN 7513 access log (R13). No view queries a medical model itself. Pages are
never cached (``never_cache``), so a shared computer's back button shows
nothing after logout.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casefiles import medical as service
from casefiles.forms_medical import (
    ConsultationEditForm,
    ConsultationForm,
    PhysicianNoteForm,
    conclusion_input_of,
    conclusion_of,
    consultation_initial,
)
from smo.permissions import authenticated

TEMPLATES = "casefiles/medical/"


@authenticated
@never_cache
@require_GET
def medical_file(request, employee_id: int):
    """The employee's medical file: consultations and notes (read, logged)."""
    file = service.medical_file(user=request.user, employee_id=employee_id)
    return render(request, TEMPLATES + "file.html", {"file": file, "employee": file.employee})


@authenticated
@never_cache
@require_http_methods(["GET", "POST"])
def consultation_create(request, employee_id: int):
    # 404 for anyone not authorised. An empty form shows nothing of the
    # medical file, so opening it is not a read; saving is logged (create).
    employee = service.authorised_employee(user=request.user, employee_id=employee_id)
    form = ConsultationForm(request.POST if request.method == "POST" else None, employee=employee)
    if form.is_bound and form.is_valid():
        consultation = service.record_consultation(
            user=request.user,
            employee_id=employee.pk,
            conclusion=form.conclusion_input(),
            **form.consultation_data(),
        )
        messages.success(request, _("Het spreekuurcontact is opgeslagen in het medisch dossier."))
        return redirect("consultation_detail", pk=consultation.pk)
    return render(
        request, TEMPLATES + "consultation_form.html", {"form": form, "employee": employee, "creating": True}
    )


@authenticated
@never_cache
@require_GET
def consultation_detail(request, pk: int):
    """One consultation with notes and conclusions (read, logged)."""
    consultation = service.consultation_for(user=request.user, pk=pk)
    return render(
        request,
        TEMPLATES + "consultation_detail.html",
        {
            "consultation": consultation,
            "conclusion": conclusion_of(consultation),
            "employee": consultation.employee,
        },
    )


STALE_EDIT_MESSAGE = gettext_lazy(
    "Iemand anders heeft dit spreekuurcontact intussen gewijzigd. Uw wijzigingen zijn niet opgeslagen. "
    "Hieronder ziet u de actuele versie; uw eigen tekst staat nog in het formulier. Vergelijk beide en "
    "sla opnieuw op als uw versie de actuele moet vervangen."
)


@authenticated
@never_cache
@require_http_methods(["GET", "POST"])
def consultation_edit(request, pk: int):
    """Change a consultation, with optimistic locking (hidden ``version``)."""
    user = request.user
    if request.method == "GET":
        consultation = service.consultation_for(user=user, pk=pk)  # shows the notes: read, logged
        conclusion = conclusion_of(consultation)
        form = ConsultationEditForm(
            initial=consultation_initial(consultation),
            employee=consultation.employee,
            has_conclusion=conclusion is not None,
        )
        return _edit_page(request, form, consultation)

    # The POST shows nothing stored; the change itself is logged by the service.
    consultation = service.consultation_for(user=user, pk=pk, log=False)
    existing = conclusion_of(consultation)
    form = ConsultationEditForm(
        request.POST, employee=consultation.employee, has_conclusion=existing is not None
    )
    if not form.is_valid():
        return _edit_page(request, form, consultation)
    conclusion = form.conclusion_input()
    # An unchanged conclusion is not sent, so a release stays valid (R7):
    # the service withdraws the release of any conclusion it writes.
    unchanged = existing is not None and conclusion == conclusion_input_of(existing)
    try:
        service.update_consultation(
            user=user,
            pk=consultation.pk,
            expected_version=form.cleaned_data["version"],
            conclusion=None if unchanged else conclusion,
            **form.consultation_data(),
        )
    except service.StaleEdit:
        # Show the current version (a read, logged) beside the user's own,
        # unsaved input; the form now carries the current version.
        current = service.consultation_for(user=user, pk=pk)
        data = request.POST.copy()
        data["version"] = str(current.version)
        form = ConsultationEditForm(
            data, employee=current.employee, has_conclusion=conclusion_of(current) is not None
        )
        form.is_valid()
        form.add_error(None, STALE_EDIT_MESSAGE)
        return _edit_page(request, form, current, current_version=current, status=409)
    messages.success(request, _("De wijzigingen in het spreekuurcontact zijn opgeslagen."))
    if existing is not None and existing.released_at and not unchanged:
        messages.warning(
            request,
            _(
                "U heeft de conclusies gewijzigd. Daarom zijn ze niet meer gedeeld met de werkgever. "
                "Deel ze opnieuw als de werkgever de nieuwe conclusies moet krijgen."
            ),
        )
    return redirect("consultation_detail", pk=consultation.pk)


def _edit_page(request, form, consultation, *, current_version=None, status: int = 200):
    return render(
        request,
        TEMPLATES + "consultation_form.html",
        {
            "form": form,
            "employee": consultation.employee,
            "consultation": consultation,
            "conclusion": conclusion_of(consultation),
            "current_version": current_version,
            "creating": False,
        },
        status=status,
    )


@authenticated
@never_cache
@require_POST
def consultation_release(request, pk: int):
    """Share the four R7 conclusions with the employer side."""
    service.release_conclusions(user=request.user, pk=pk)
    messages.success(
        request,
        _(
            "De conclusies zijn gedeeld met de werkgever. De medische aantekeningen blijven alleen in het "
            "medisch dossier."
        ),
    )
    return redirect("consultation_detail", pk=pk)


@authenticated
@never_cache
@require_http_methods(["GET", "POST"])
def physician_note_create(request, employee_id: int):
    employee = service.authorised_employee(user=request.user, employee_id=employee_id)
    form = PhysicianNoteForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        service.record_note(user=request.user, employee_id=employee.pk, **form.cleaned_data)
        messages.success(request, _("De aantekening is opgeslagen in het medisch dossier."))
        return redirect("medical_file", employee_id=employee.pk)
    return render(request, TEMPLATES + "note_form.html", {"form": form, "employee": employee})


urlpatterns = [
    path("medewerkers/<int:employee_id>/medisch/", medical_file, name="medical_file"),
    path(
        "medewerkers/<int:employee_id>/medisch/spreekuur/nieuw/",
        consultation_create,
        name="consultation_create",
    ),
    path(
        "medewerkers/<int:employee_id>/medisch/aantekening/nieuw/",
        physician_note_create,
        name="physician_note_create",
    ),
    path("medisch/spreekuur/<int:pk>/", consultation_detail, name="consultation_detail"),
    path("medisch/spreekuur/<int:pk>/wijzigen/", consultation_edit, name="consultation_edit"),
    path("medisch/spreekuur/<int:pk>/delen/", consultation_release, name="consultation_release"),
]
