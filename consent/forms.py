"""Forms of the recording side of consent (R7, R8): the bedrijfsarts/POB and
the experts who guide a case. They only parse input; every rule (who records
as what, scope, dates, roles, the noodzakelijkheidsvereiste) is decided by
:mod:`consent.services`, whose ValidationErrors the views put on these fields.

The consented items are health information recorded by the physician or
expert, never employer-side text: they carry no R7a notice and no medical-term
check, and they are never written into minutes or the reintegration file.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smo.roles import ROLE_LABELS, Role

from .models import Consent, ConsentItem
from .services import ItemInput
from .types import CASE_MEETING_TYPES, MeetingType

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

# The extra item rows of a new consent.
ITEM_SLOTS = 4

# The roles a consent can name as participants with whom the case may be
# discussed. The bedrijfsarts/POB is always covered (consent.services).
PARTICIPANT_ROLES = (
    Role.LEIDINGGEVENDE,
    Role.HR,
    Role.ARBEIDSDESKUNDIGE,
    Role.CASEMANAGER,
    Role.BMW,
    Role.REINTEGRATIEADVISEUR,
    Role.MEDEWERKER,
)

# R1: only meeting types that discuss individual cases, in the order of DOMAIN.md.
CASE_MEETING_TYPE_CHOICES = [(t.value, t.label) for t in MeetingType if t in CASE_MEETING_TYPES]


class ConsentForm(forms.Form):
    """A consent for ``consent.services.record_consent`` / ``supersede_consent``.

    ``item_slots`` is the number of item rows (at least :data:`ITEM_SLOTS`).
    Every row has a withheld box; the page shows it only to a physician, and
    the service refuses (403) a withheld item from anyone else.
    """

    given_on = forms.DateField(
        label=_("Toestemming gegeven op"),
        widget=DATE_WIDGET,
        help_text=_("De datum waarop de medewerker de toestemming gaf."),
    )
    obtained = forms.ChoiceField(label=_("Hoe verkregen"), choices=Consent.Obtained.choices)
    meeting_types = forms.MultipleChoiceField(
        label=_("Soorten overleg"),
        required=False,
        choices=CASE_MEETING_TYPE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("In welke soorten overleg de casus besproken mag worden, tot en met de datum hieronder."),
        error_messages={
            "invalid_choice": _(
                "Kies alleen soorten overleg waarin casussen worden besproken; een beleids-/thema-SMT "
                "bespreekt geen individuele casussen (R1)."
            )
        },
    )
    meeting_id = forms.IntegerField(
        label=_("Specifiek overleg (nummer)"),
        required=False,
        min_value=1,
        help_text=_(
            "In plaats van soorten overleg: alleen als de toestemming voor één bepaald overleg geldt, "
            "het nummer van dat overleg. De soorten overleg hierboven gelden dan niet."
        ),
        error_messages={
            "invalid": _("Vul een heel getal in."),
            "min_value": _("Vul een overlegnummer van 1 of hoger in."),
        },
    )
    valid_until = forms.DateField(
        label=_("Geldig tot en met"),
        widget=DATE_WIDGET,
        help_text=_("Ook een toestemming voor één specifiek overleg heeft een einddatum."),
    )
    allowed_roles = forms.MultipleChoiceField(
        label=_("Met wie mag de casus besproken worden"),
        required=False,
        choices=[(r.value, ROLE_LABELS[r]) for r in PARTICIPANT_ROLES],
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "De rollen van de deelnemers. De bedrijfsarts en de medewerker zelf vallen er altijd onder. "
            "Houd de kring zo klein als mogelijk."
        ),
    )

    def __init__(self, *args, item_slots: int = ITEM_SLOTS, **kwargs):
        super().__init__(*args, **kwargs)
        self.item_slots = max(item_slots, ITEM_SLOTS)
        for n in range(1, self.item_slots + 1):
            self.fields[f"item_{n}_category"] = forms.ChoiceField(
                label=_("Categorie"),
                required=False,
                choices=[("", _("— geen onderdeel —")), *ConsentItem.Category.choices],
            )
            self.fields[f"item_{n}_wording"] = forms.CharField(
                label=_("Letterlijke formulering die gezegd mag worden"),
                required=False,
                max_length=ConsentItem._meta.get_field("wording").max_length,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"item_{n}_withheld"] = forms.BooleanField(
                label=_("Niet delen (noodzakelijkheidsvereiste)"), required=False
            )

    def item_rows(self) -> list[dict]:
        """The item rows with their number and bound fields, for the template."""
        return [
            {
                "number": n,
                "category": self[f"item_{n}_category"],
                "wording": self[f"item_{n}_wording"],
                "withheld": self[f"item_{n}_withheld"],
            }
            for n in range(1, self.item_slots + 1)
        ]

    def clean_given_on(self):
        given_on = self.cleaned_data.get("given_on")
        if given_on and given_on > timezone.localdate():
            raise forms.ValidationError(_("Toestemming kan niet in de toekomst gegeven zijn."), code="future")
        return given_on

    def clean(self):
        cleaned = super().clean()
        for n in range(1, self.item_slots + 1):
            category = cleaned.get(f"item_{n}_category")
            wording = (cleaned.get(f"item_{n}_wording") or "").strip()
            withheld = cleaned.get(f"item_{n}_withheld")
            if category and not wording:
                self.add_error(
                    f"item_{n}_wording",
                    _("Noteer letterlijk wat gezegd mag worden, of kies bij categorie 'geen onderdeel'."),
                )
            elif (wording or withheld) and not category:
                self.add_error(f"item_{n}_category", _("Kies de categorie van dit onderdeel."))
        return cleaned

    # --- what the service gets -------------------------------------------

    def items(self) -> tuple[ItemInput, ...]:
        data = self.cleaned_data
        return tuple(
            ItemInput(
                category=data[f"item_{n}_category"],
                wording=data[f"item_{n}_wording"].strip(),
                withheld=bool(data[f"item_{n}_withheld"]),
            )
            for n in range(1, self.item_slots + 1)
            if data.get(f"item_{n}_category")
        )

    def consent_data(self) -> dict:
        """Keyword arguments of record_consent / supersede_consent."""
        data = self.cleaned_data
        return {
            "given_on": data["given_on"],
            "obtained": data["obtained"],
            "valid_until": data["valid_until"],
            "allowed_roles": list(data["allowed_roles"]),
            "meeting_types": list(data["meeting_types"]),
            "meeting_id": data["meeting_id"],
            "items": self.items(),
        }


def initial_from(consent: Consent) -> tuple[dict, int]:
    """Initial values of the form from an existing consent (to supersede it),
    and the number of item rows: its items plus at least one free row. The
    new consent is given today; everything else starts as it was."""
    items = list(consent.items.all())
    initial = {
        "given_on": timezone.localdate(),
        "obtained": consent.obtained,
        "meeting_types": list(consent.meeting_types),
        "meeting_id": consent.meeting_id,
        "valid_until": consent.valid_until,
        "allowed_roles": list(consent.allowed_roles),
    }
    for n, item in enumerate(items, start=1):
        initial[f"item_{n}_category"] = item.category
        initial[f"item_{n}_wording"] = item.wording
        initial[f"item_{n}_withheld"] = item.withheld
    return initial, max(ITEM_SLOTS, len(items) + 1)


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reden van intrekken (optioneel)"),
        required=False,
        max_length=Consent._meta.get_field("withdrawal_reason").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Alleen zichtbaar voor de medewerker en de vastleggende kant (bedrijfsarts of expert). De "
            "voorzitter van een overleg ziet alleen dat de casus niet beschikbaar is, niet waarom."
        ),
    )
