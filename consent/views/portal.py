"""The employee's own consents and notifications in "Mijn dossier" (R14), and
withdrawing a consent (R8): it takes effect at once, no reason needed.

Only the employee's own records: any other consent answers 404.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from smo.permissions import require_in, require_roles
from smo.roles import Role

from .. import services
from ..models import Consent
from ..selectors import own_consent_row, own_consents

# --- withdrawing ------------------------------------------------------------------


class WithdrawForm(forms.Form):
    """The reason is optional and private to the employee and the recording
    side (the bedrijfsarts or expert): never shown to the employer or a
    chair (R8). A consent recorded by the employer side itself (the SRO
    bringer) asks no reason at all."""

    reason = forms.CharField(
        label=gettext_lazy("Reden (niet verplicht)"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 300}),
    )

    def __init__(self, *args, recorder_role: str, **kwargs):
        super().__init__(*args, **kwargs)
        if recorder_role == Consent.RecorderRole.PHYSICIAN:
            self.fields["reason"].help_text = REASON_HELP_PHYSICIAN
        elif recorder_role == Consent.RecorderRole.EXPERT:
            self.fields["reason"].help_text = REASON_HELP_EXPERT
        else:
            del self.fields["reason"]


REASON_HELP_PHYSICIAN = gettext_lazy(
    "Alleen u en de bedrijfsarts zien deze reden; uw werkgever en de voorzitter van het overleg niet."
)
REASON_HELP_EXPERT = gettext_lazy(
    "Alleen u en de deskundige die deze toestemming vastlegde zien deze reden; uw werkgever en de "
    "voorzitter van het overleg niet."
)


@require_roles(Role.MEDEWERKER)
@require_http_methods(["GET", "POST"])
@never_cache
def my_consent_withdraw(request, pk: int):
    consent = require_in(own_consents(request.user), pk=pk)
    if not consent.is_current:
        messages.info(request, _("Deze toestemming is al ingetrokken of vervangen."))
        return redirect("my_file")
    form = WithdrawForm(
        request.POST if request.method == "POST" else None, recorder_role=consent.recorder_role
    )
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data.get("reason", "")
        services.withdraw_consent(user=request.user, consent_id=consent.pk, reason=reason)
        messages.success(
            request,
            _(
                "Uw toestemming is ingetrokken. Dat geldt direct: op basis van deze toestemming wordt uw "
                "casus niet meer besproken."
            ),
        )
        return redirect("my_file")
    row = own_consent_row(consent, timezone.localdate())
    return render(request, "consent/portal/withdraw_confirm.html", {"row": row, "form": form})


urlpatterns = [
    path("mijn-dossier/toestemming/<int:pk>/intrekken/", my_consent_withdraw, name="my_consent_withdraw"),
]
