"""Forms of the scheduling and agenda pages. They parse input; every rule
(R1-R4, R7a, R20) is decided in meetings.services. Employer-side free text is
checked for medical terms (R7a) and rendered with the notice beside it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casefiles.forms_reintegration import DateInput, EmployerTextForm
from casefiles.models import Department, Organisation
from consent.types import MeetingType
from smo.roles import ROLE_LABELS

from .models import Meeting, Participant
from .services.scheduling import CHAIR_ROLES, Invitee, MeetingData

PARTICIPANT_PREFIX = "deelnemers"
EXTRA_ROWS = 4  # empty participant rows on the edit page (6 when planning)

# What each meeting type is, after the table in DOMAIN.md. Who may chair is
# added from scheduling.CHAIR_ROLES, so the help text and the rule agree.
TYPE_DESCRIPTIONS = {
    MeetingType.CASE_SMO: _(
        "Meerdere casussen na elkaar. De bedrijfsarts is adviseur; de medewerker is meestal niet "
        "aanwezig. Verslag: alleen actiepunten en besluiten."
    ),
    MeetingType.SMO_WITH_EMPLOYEE: _(
        "Precies één casus, en de medewerker neemt deel. Vooraf is er een recent spreekuurcontact "
        "van de bedrijfsarts met de medewerker (R3). Geen medische zaken, tenzij de medewerker "
        "daar uitdrukkelijk toestemming voor gaf."
    ),
    MeetingType.MULTIDISCIPLINARY: _(
        "Eén of meer casussen met meerdere deskundigen; de bedrijfsarts is optioneel en de "
        "medewerker is er niet bij. Na afloop informeert de leidinggevende de medewerker over de "
        "uitkomst (R5)."
    ),
    MeetingType.SRO: _(
        "Geen bedrijfsarts en geen POB (R2), en geen medische informatie. Casussen die "
        "leidinggevenden inbrengen, plus statistiek, alleen over beïnvloedbare factoren."
    ),
    MeetingType.THEME: _(
        "Geen individuele casussen (R1), maar een thema, zoals nachtwerk of psychisch verzuim. Het "
        "verslag is volledig en vrij deelbaar, maar nergens herleidbaar tot een persoon."
    ),
}


@dataclass(frozen=True)
class TypeHelp:
    value: str
    label: str
    description: str
    chairs: list[str]


def type_help() -> list[TypeHelp]:
    return [
        TypeHelp(
            value=t.value,
            label=str(t.label),
            description=str(TYPE_DESCRIPTIONS[t]),
            chairs=[str(label) for role, label in ROLE_LABELS.items() if role in CHAIR_ROLES[t]],
        )
        for t in MeetingType
    ]


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


# --- the people of the organisation ------------------------------------------


def person_label(user) -> str:
    """Name and roles, so the organiser picks the right person and role."""
    name = user.get_full_name() or user.get_username()
    roles = [str(ROLE_LABELS[g.name]) for g in user.role_groups if g.name in ROLE_LABELS]
    return f"{name} ({', '.join(roles)})" if roles else name


class Members:
    """The active members of an organisation: the only people who can be
    invited (R4). Loaded once per request (two queries), shared by every
    select of the page."""

    def __init__(self, organisation: Organisation):
        users = (
            get_user_model()
            .objects.filter(is_active=True, memberships__organisation=organisation)
            .prefetch_related(Prefetch("groups", queryset=Group.objects.only("name"), to_attr="role_groups"))
            .order_by("last_name", "first_name", "username")
            .distinct()
        )
        self.by_pk = {user.pk: user for user in users}
        self.choices = [(pk, person_label(user)) for pk, user in self.by_pk.items()]


# --- the meeting --------------------------------------------------------------


class OrganisationChoiceForm(forms.Form):
    """For users who work for several organisations: plan for which one?"""

    organisatie = forms.ModelChoiceField(label=_("Organisatie"), queryset=Organisation.objects.none())

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisatie"].queryset = organisations


class MeetingForm(EmployerTextForm):
    employer_text_fields = ("title", "location")

    meeting_type = forms.ChoiceField(label=_("Soort overleg"), choices=MeetingType.choices)
    title = forms.CharField(
        label=_("Titel"),
        max_length=200,
        help_text=_("De titel staat in uitnodigingen en agenda's: noem geen medewerker en geen casus (R12)."),
    )
    date = forms.DateField(label=_("Datum"), widget=DateInput())
    time = forms.TimeField(label=_("Begintijd"), widget=TimeInput())
    duration_minutes = forms.IntegerField(label=_("Duur (minuten)"), initial=60, min_value=5, max_value=600)
    location = forms.CharField(label=_("Locatie"), max_length=200, required=False)
    video_link = forms.URLField(label=_("Videolink"), required=False, assume_scheme="https")
    departments = forms.ModelMultipleChoiceField(
        label=_("Afdelingen"),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    chair = forms.TypedChoiceField(
        label=_("Voorzitter"),
        coerce=int,
        help_text=_("Wie mag voorzitten hangt af van het soort overleg; zie de uitleg hierboven."),
    )

    def __init__(self, *args, organisation, members: Members, **kwargs):
        super().__init__(*args, organisation=organisation, **kwargs)
        self.members = members
        self.fields["departments"].queryset = Department.objects.filter(organisation=organisation)
        self.fields["chair"].choices = [("", _("— kies —")), *members.choices]
        self.fields["meeting_type"].widget.attrs["aria-describedby"] = "meeting-type-help"
        for name in self.employer_text_fields:
            field = self.fields[name]
            if field.help_text:
                field.widget.attrs["aria-describedby"] += f" {self[name].auto_id}_helptext"

    def meeting_data(self) -> MeetingData:
        data = self.cleaned_data
        starts = datetime.datetime.combine(data["date"], data["time"])
        return MeetingData(
            meeting_type=data["meeting_type"],
            title=data["title"],
            starts_at=timezone.make_aware(starts),
            duration_minutes=data["duration_minutes"],
            location=data["location"],
            video_link=data["video_link"],
            department_ids=tuple(d.pk for d in data["departments"]),
        )

    def chair_user(self):
        return self.members.by_pk[self.cleaned_data["chair"]]

    @staticmethod
    def initial_from(meeting: Meeting, chair_id: int | None) -> dict:
        local = timezone.localtime(meeting.starts_at)
        return {
            "meeting_type": meeting.meeting_type,
            "title": meeting.title,
            "date": local.date(),
            "time": local.time().replace(second=0, microsecond=0),
            "duration_minutes": meeting.duration_minutes,
            "location": meeting.location,
            "video_link": meeting.video_link,
            "departments": [d.pk for d in meeting.departments.all()],
            "chair": chair_id,
            "version": meeting.version,
        }


class MeetingCreateForm(MeetingForm):
    """A new meeting, optionally a series (scheduling.schedule_series)."""

    repeat = forms.BooleanField(label=_("Herhalen"), required=False)
    interval_weeks = forms.IntegerField(label=_("Elke zoveel weken"), required=False)
    count = forms.IntegerField(label=_("Aantal overleggen in de reeks"), required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("repeat"):
            for name in ("interval_weeks", "count"):
                if cleaned.get(name) is None:
                    self.add_error(name, _("Vul dit in om het overleg te herhalen."))
        return cleaned


class MeetingEditForm(MeetingForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ParticipantForm(forms.Form):
    """One invitee with their stated role in the meeting (R4)."""

    user = forms.TypedChoiceField(label=_("Deelnemer"), coerce=int, required=False, empty_value=None)
    role = forms.ChoiceField(label=_("Rol in het overleg"), required=False)

    def __init__(self, *args, members: Members, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = members
        self.fields["user"].choices = [("", _("— niemand —")), *members.choices]
        self.fields["role"].choices = [("", _("— kies —")), *Participant.Role.choices]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("user") and not cleaned.get("role"):
            self.add_error("role", _("Kies de rol van deze deelnemer."))
        if cleaned.get("role") and not cleaned.get("user"):
            self.add_error("user", _("Kies wie deze rol heeft."))
        return cleaned


def participant_formset(data, *, members: Members, initial=(), extra: int = EXTRA_ROWS):
    formset_class = forms.formset_factory(ParticipantForm, extra=extra, max_num=50, validate_max=True)
    return formset_class(
        data, initial=list(initial) or None, prefix=PARTICIPANT_PREFIX, form_kwargs={"members": members}
    )


def invitees_from(formset) -> list[Invitee]:
    members = formset.form_kwargs["members"]
    return [
        Invitee(members.by_pk[form.cleaned_data["user"]], form.cleaned_data["role"])
        for form in formset.forms
        if form.cleaned_data.get("user")
    ]


# --- the agenda ---------------------------------------------------------------


class CaseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _("%(name)s (verzuimd sinds %(day)s)") % {
            "name": obj.employee.full_name,
            "day": obj.first_day.strftime("%d-%m-%Y"),
        }


class AgendaCaseForm(EmployerTextForm):
    employer_text_fields = ("questions",)

    case = CaseChoiceField(label=_("Casus"), queryset=None, empty_label=_("— kies een medewerker —"))
    questions = forms.CharField(
        label=_("Vragen aan het overleg"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, organisation, cases, **kwargs):
        super().__init__(*args, organisation=organisation, **kwargs)
        self.fields["case"].queryset = cases


class AgendaTopicForm(EmployerTextForm):
    employer_text_fields = ("title",)

    title = forms.CharField(
        label=_("Onderwerp"),
        max_length=200,
        help_text=_("Een thema of statistiek; noem geen individuele medewerker (R1, R11)."),
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, organisation=organisation, **kwargs)
        self.fields["title"].widget.attrs["aria-describedby"] += f" {self['title'].auto_id}_helptext"
