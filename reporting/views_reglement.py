"""The SMO reglement pages (R16; issue 7 item 5).

- ``reglement/``: every signed-in user of the organisation, employees
  included, reads the reglement rendered from the organisation's settings.
  A user of several organisations chooses one (``?organisatie=<slug>``);
  an organisation the user does not belong to does not exist for them (404).
- ``reglement/pdf/``: the same document as a PDF (WeasyPrint).
- ``reglement/bewerken/``: the functioneel beheerder of that organisation
  edits the free-text parts; anyone else 403 (no beheerder) or 404 (the
  beheerder of another organisation).

The reglement holds no personal data: it describes rules and settings only.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from casefiles.models import Organisation
from smo.permissions import authenticated, organisation_list, require_roles
from smo.roles import Role

from . import reglement
from .pdf import render_pdf
from .reglement_forms import ReglementTextForm, StaleReglement, may_edit, save_texts, texts_for_editing

ORGANISATION_PARAM = "organisatie"


def _organisation(request) -> tuple[Organisation | None, list[Organisation]]:
    """The chosen organisation among the user's own (None: the user has
    several and has not chosen yet). 404 for any other organisation."""
    organisations = organisation_list(request.user)
    if not organisations:
        raise Http404
    slug = request.GET.get(ORGANISATION_PARAM, "").strip()
    if slug:
        chosen = next((o for o in organisations if o.slug == slug), None)
        if chosen is None:
            raise Http404
        return chosen, organisations
    return (organisations[0] if len(organisations) == 1 else None), organisations


def _query(organisation: Organisation) -> str:
    return f"?{ORGANISATION_PARAM}={organisation.slug}"


@authenticated
@require_GET
def reglement_view(request):
    organisation, organisations = _organisation(request)
    if organisation is None:
        return render(request, "reporting/reglement/choose.html", {"organisations": organisations})
    return render(
        request,
        "reporting/reglement/page.html",
        {
            "reglement": reglement.build(organisation),
            "organisations": organisations,
            "query": _query(organisation),
            "may_edit": may_edit(request.user, organisation),
        },
    )


@authenticated
@require_GET
def reglement_pdf(request):
    organisation, organisations = _organisation(request)
    if organisation is None:
        return render(request, "reporting/reglement/choose.html", {"organisations": organisations})
    html = render_to_string("reporting/reglement/pdf.html", {"reglement": reglement.build(organisation)})
    response = HttpResponse(render_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="smo-reglement-{organisation.slug}.pdf"'
    return response


@require_roles(Role.BEHEERDER)
@require_http_methods(["GET", "POST"])
def reglement_edit(request):
    organisation, organisations = _organisation(request)
    if organisation is None:
        return render(
            request, "reporting/reglement/choose.html", {"organisations": organisations, "editing": True}
        )
    if not may_edit(request.user, organisation):
        raise Http404
    texts = texts_for_editing(organisation)
    form = ReglementTextForm(request.POST or None, instance=texts, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            save_texts(
                user=request.user,
                organisation=organisation,
                data=form.cleaned_data,
                expected_version=form.cleaned_data["version"],
            )
        except StaleReglement as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("De teksten van het SMO-reglement zijn opgeslagen."))
            return redirect(reverse("reglement") + _query(organisation))
    return render(
        request,
        "reporting/reglement/edit.html",
        {
            "form": form,
            "organisation": organisation,
            "query": _query(organisation),
            "default_purpose": reglement.DEFAULT_PURPOSE,
        },
    )


urlpatterns = [
    path("reglement/", reglement_view, name="reglement"),
    path("reglement/pdf/", reglement_pdf, name="reglement_pdf"),
    path("reglement/bewerken/", reglement_edit, name="reglement_edit"),
]
