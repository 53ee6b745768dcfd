"""The reintegration file (re-integratiedossier, R9, R20): the employee list
with the next WVP milestone, and per case the file with its plan, timeline,
documents and correction requests.

Thin views: forms parse, casefiles.reintegration decides. Case URLs answer
404 to everyone outside the case's scope (its existence is confidential).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import path, resolve, reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smo.audit import DOCUMENT_DOWNLOAD, log_access
from smo.forms import add_service_errors
from smo.permissions import authenticated, require_in, require_roles
from smo.reversing import url_for_each
from smo.roles import EXPERT_ROLES, Role

from .. import reintegration, selectors
from ..forms_reintegration import (
    AgreementForm,
    CorrectionResponseForm,
    DocumentForm,
    EmployeeFilterForm,
    EvaluationForm,
    PlanForm,
    WvpStepForm,
)
from ..models import AbsenceCase, PlanAgreement, PlanVanAanpak

PAGE_SIZE = 50


@require_roles(Role.LEIDINGGEVENDE, Role.HR, *EXPERT_ROLES)
@require_GET
def employee_list(request):
    user = request.user
    form = EmployeeFilterForm(request.GET or None, departments=selectors.departments_in_scope(user))
    filters = form.cleaned_data if form.is_valid() else {}
    employees = selectors.employees_overview(
        user, department=filters.get("afdeling"), only_absent=bool(filters.get("verzuimd"))
    )
    page = Paginator(employees, PAGE_SIZE).get_page(request.GET.get("pagina"))
    rows = selectors.overview_rows(user, page.object_list)
    case_url = url_for_each("case_detail")  # one reverse() for the page's links
    for row in rows:
        if row.case is not None:
            row.case.url = case_url(row.case.pk)
    return render(
        request, "casefiles/reintegration/employee_list.html", {"form": form, "page": page, "rows": rows}
    )


def _case_url(case_or_pk) -> str:
    pk = getattr(case_or_pk, "pk", case_or_pk)
    return reverse("case_detail", args=[pk])


def _render_case(request, pk: int, **forms):
    """The case page; a form that failed validation is shown with its errors."""
    file = selectors.case_file(user=request.user, pk=pk)
    organisation = file.employee.organisation
    corrections = [
        (
            correction,
            forms.get(f"correction_{correction.pk}")
            or CorrectionResponseForm(organisation=organisation, auto_id=f"id_correction_{correction.pk}_%s"),
        )
        for correction in file.corrections
    ]
    context = {
        "file": file,
        "case": file.case,
        "employee": file.employee,
        "wvp_form": forms.get("wvp_form") or WvpStepForm(),
        "document_form": forms.get("document_form") or DocumentForm(organisation=organisation),
        "corrections": corrections,
    }
    return render(request, "casefiles/reintegration/case_detail.html", context)


@authenticated
@require_GET
def case_detail(request, pk: int):
    return _render_case(request, pk)


def _scoped_case(request, pk: int) -> AbsenceCase:
    return require_in(
        selectors.reintegration_cases(request.user).select_related("employee__organisation"), pk=pk
    )


@authenticated
@require_http_methods(["GET", "POST"])
def plan_edit(request, pk: int):
    case = _scoped_case(request, pk)
    organisation = case.employee.organisation
    plan = PlanVanAanpak.objects.filter(case=case).first()
    conflict = None
    if request.method == "POST":
        form = PlanForm(request.POST, organisation=organisation)
        if form.is_valid():
            data = form.cleaned_data
            try:
                reintegration.save_plan(
                    user=request.user,
                    case=case,
                    expected_version=data["version"],
                    drawn_up_on=data["drawn_up_on"],
                    goal=data["goal"],
                    casemanager=data["casemanager"],
                )
            except reintegration.PlanConflict as stale:
                conflict = stale.current
                # Keep what the user typed; a deliberate second save may overwrite.
                form = PlanForm(
                    {**request.POST.dict(), "version": conflict.version if conflict else 0},
                    organisation=organisation,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Het plan van aanpak is opgeslagen."))
                return redirect(_case_url(case))
    elif plan is not None:
        form = PlanForm(
            initial={
                "drawn_up_on": plan.drawn_up_on,
                "goal": plan.goal,
                "casemanager": plan.casemanager_id,
                "version": plan.version,
            },
            organisation=organisation,
        )
    else:
        form = PlanForm(initial={"version": 0}, organisation=organisation)
    return render(
        request,
        "casefiles/reintegration/plan_form.html",
        {"case": case, "employee": case.employee, "form": form, "plan": plan, "conflict": conflict},
        status=409 if conflict is not None else 200,
    )


def _simple_form_page(request, pk: int, form_class, save, *, template: str, success: str):
    """GET: an empty form; POST: save through ``save(case, **cleaned_data)``."""
    case = _scoped_case(request, pk)
    organisation = case.employee.organisation
    if request.method == "POST":
        form = form_class(request.POST, request.FILES, organisation=organisation)
        if form.is_valid():
            try:
                save(case, **form.cleaned_data)
            except ValidationError as error:
                if getattr(error, "code", None) == "no_plan":
                    messages.error(request, error.messages[0])
                    return redirect("plan_edit", pk=case.pk)
                add_service_errors(form, error)
            else:
                messages.success(request, success)
                return redirect(_case_url(case))
    else:
        form = form_class(organisation=organisation)
    return render(request, template, {"case": case, "employee": case.employee, "form": form})


@authenticated
@require_http_methods(["GET", "POST"])
def agreement_create(request, pk: int):
    return _simple_form_page(
        request,
        pk,
        AgreementForm,
        lambda case, **data: reintegration.add_agreement(user=request.user, case=case, **data),
        template="casefiles/reintegration/agreement_form.html",
        success=_("De afspraak is toegevoegd."),
    )


@authenticated
@require_POST
def agreement_done(request, pk: int):
    agreement = reintegration.mark_agreement_done(user=request.user, agreement=PlanAgreement(pk=pk))
    messages.success(request, _("De afspraak is afgerond."))
    return redirect(_case_url(agreement.plan.case_id))


@authenticated
@require_http_methods(["GET", "POST"])
def evaluation_create(request, pk: int):
    return _simple_form_page(
        request,
        pk,
        EvaluationForm,
        lambda case, **data: reintegration.add_evaluation(user=request.user, case=case, **data),
        template="casefiles/reintegration/evaluation_form.html",
        success=_("De evaluatie is vastgelegd."),
    )


@authenticated
@require_POST
def wvp_step(request, pk: int):
    case = _scoped_case(request, pk)
    form = WvpStepForm(request.POST)
    if form.is_valid():
        try:
            reintegration.record_wvp_step(user=request.user, case=case, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("De WVP-stap is vastgelegd."))
            return redirect(_case_url(case))
    return _render_case(request, pk, wvp_form=form)


@authenticated
@require_http_methods(["GET", "POST"])
def document_upload(request, pk: int):
    return _simple_form_page(
        request,
        pk,
        DocumentForm,
        lambda case, **data: reintegration.upload_document(user=request.user, case=case, **data),
        template="casefiles/reintegration/document_form.html",
        success=_("Het document is toegevoegd."),
    )


@authenticated
@require_GET
def document_download(request, pk: int):
    document = selectors.document_in_scope(user=request.user, pk=pk)
    log_access(document, actor=request.user, what=DOCUMENT_DOWNLOAD)
    extension = document.file.name.rsplit(".", 1)[-1].lower()
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=f"{slugify(document.title) or 'document'}.{extension}",
        content_type=reintegration.document_content_type(document),
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _back_to_case(request, fallback_case_id: int | None) -> str:
    """The case page the form was posted from (if in scope), else the
    request's own case, else the employee list."""
    posted = request.POST.get("terug", "")
    candidates = [int(posted)] if posted.isdigit() else []
    if fallback_case_id:
        candidates.append(fallback_case_id)
    in_scope = set(
        selectors.reintegration_cases(request.user).filter(pk__in=candidates).values_list("pk", flat=True)
    )
    for pk in candidates:
        if pk in in_scope:
            return _case_url(pk)
    return reverse("employee_list")


@authenticated
@require_POST
def correction_handle(request, pk: int):
    correction = require_in(
        selectors.correction_requests_in_scope(request.user).select_related("employee__organisation"),
        pk=pk,
    )
    if not selectors.may_handle_corrections(request.user, correction.employee):
        raise PermissionDenied
    form = CorrectionResponseForm(
        request.POST, organisation=correction.employee.organisation, auto_id=f"id_correction_{pk}_%s"
    )
    back = _back_to_case(request, correction.case_id)
    if form.is_valid():
        try:
            reintegration.handle_correction_request(
                user=request.user, request=correction, response=form.cleaned_data["response"]
            )
        except ValidationError as error:
            if getattr(error, "code", None) == "handled":
                messages.error(request, error.messages[0])
                return redirect(back)
            add_service_errors(form, error)
        else:
            messages.success(request, _("Het correctieverzoek is afgehandeld."))
            return redirect(back)
    match = resolve(back)
    if match.url_name == "case_detail":
        return _render_case(request, match.kwargs["pk"], **{f"correction_{pk}": form})
    messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(back)


urlpatterns = [
    path("medewerkers/", employee_list, name="employee_list"),
    path("casussen/<int:pk>/", case_detail, name="case_detail"),
    path("casussen/<int:pk>/plan/", plan_edit, name="plan_edit"),
    path("casussen/<int:pk>/afspraken/nieuw/", agreement_create, name="agreement_create"),
    path("afspraken/<int:pk>/afgerond/", agreement_done, name="agreement_done"),
    path("casussen/<int:pk>/evaluaties/nieuw/", evaluation_create, name="evaluation_create"),
    path("casussen/<int:pk>/wvp/", wvp_step, name="wvp_step"),
    path("casussen/<int:pk>/documenten/nieuw/", document_upload, name="document_upload"),
    path("documenten/<int:pk>/", document_download, name="document_download"),
    path("correctieverzoeken/<int:pk>/afhandelen/", correction_handle, name="correction_handle"),
]
