"""Permission-matrix entries of the reintegration pages (casefiles/views/reintegration.py).

R9: the reintegration file is for the employee's manager, HR and the expert
guiding the case. Case URLs answer 404 to everyone else, the physician
included (existence is confidential); the employee reads their own file in
the portal (R14), not here. The employee list is refused (403) to roles that
never have anyone in scope.
"""

from __future__ import annotations

import datetime

from django.core.files.base import ContentFile
from django.urls import reverse

from casefiles.models import CaseDocument, CorrectionRequest, PlanAgreement, PlanVanAanpak

from .matrix_support import Entry, only, statuses

WORKERS = ("manager", "hr", "casemanager")


def case_page(status: int = 200, **overrides: int) -> dict[str, int]:
    """The case's manager, HR and casemanager get ``status``; anonymous is sent
    to the login page; everybody else gets 404."""
    return statuses(404, **{"anonymous": 302, **dict.fromkeys(WORKERS, status), **overrides})


def _case_url(name: str):
    return lambda c: reverse(name, args=[c.case.pk])


def _plan(c) -> PlanVanAanpak:
    plan, _created = PlanVanAanpak.objects.get_or_create(
        case=c.case,
        defaults={"drawn_up_on": c.case.first_day, "goal": "Terug naar eigen werk in halve dagen"},
    )
    return plan


def _agreement(c) -> PlanAgreement:
    return PlanAgreement.objects.create(plan=_plan(c), what="Gesprek over werktijden", who="leidinggevende")


def _document(c) -> CaseDocument:
    document = CaseDocument(case=c.case, title="Verslag gesprek")
    document.file.save("verslag.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    return document


def _correction(c) -> CorrectionRequest:
    return CorrectionRequest.objects.create(
        employee=c.employee, case=c.case, text="De datum van het gesprek klopt niet."
    )


ENTRIES: dict[str, Entry] = {
    # Users with someone in scope; roles that never have anyone get 403.
    "employee_list": Entry(
        lambda c: reverse("employee_list"),
        only(("manager", "other_manager", "hr", "casemanager", "other_org_user")),
    ),
    "case_detail": Entry(_case_url("case_detail"), case_page()),
    "plan_edit": Entry(_case_url("plan_edit"), case_page()),
    "agreement_create": Entry(_case_url("agreement_create"), case_page()),
    "evaluation_create": Entry(_case_url("evaluation_create"), case_page()),
    "document_upload": Entry(_case_url("document_upload"), case_page()),
    # POST only; a valid post redirects back to the case page.
    "wvp_step": Entry(
        _case_url("wvp_step"),
        case_page(302),
        method="post",
        data={"step": "ziekmelding_uwv", "date": datetime.date.today().isoformat()},
    ),
    "agreement_done": Entry(
        lambda c: reverse("agreement_done", args=[_agreement(c).pk]), case_page(302), method="post"
    ),
    # R14: the employee concerned downloads the documents of their own file too.
    "document_download": Entry(
        lambda c: reverse("document_download", args=[_document(c).pk]), case_page(employee_concerned=200)
    ),
    # R14: HR or the manager answers; the casemanager sees the request but
    # does not handle it (403). The second answer is refused with a message.
    "correction_handle": Entry(
        lambda c: reverse("correction_handle", args=[_correction(c).pk]),
        case_page(302, casemanager=403),
        method="post",
        data={"response": "De datum is aangepast."},
    ),
}
