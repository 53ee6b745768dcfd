"""Audit trail helpers (R13), on top of django-auditlog.

Free text that may hold private details is masked *completely* in the diff
(auditlog's default masks only half of a string), so the audit trail can be
read by the privacy officer without exposing content. Every entry carries the
organisation (and where relevant the employee) in ``additional_data``, so the
privacy officer's view is scoped to their own organisations.
"""

from auditlog.models import LogEntry
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _

MASK = "••••"

# What an entry is about: stable keys in the database, labels in the language
# of the reader.
MEDICAL_FILE_AUTHORISATION = "medical_file_authorisation"
DEPARTMENT_MANAGER = "department_manager"
CASE_EXPERT = "case_expert"
AUDIT_LOG = "audit_log"
MEDICAL_FILE = "medical_file"
CONSULTATION = "consultation"
CONCLUSIONS = "conclusions"
PHYSICIAN_NOTE = "physician_note"
DOCUMENT_DOWNLOAD = "document_download"
CONSENT = "consent"
MINUTES_PDF_DOWNLOAD = "minutes_pdf_download"
STATISTICS_DOWNLOAD = "statistics_download"  # handout PDF / CSV of the statistics (no figures logged)
TWO_FACTOR_RESET = "two_factor_reset"  # R13a
WHAT_LABELS = {
    TWO_FACTOR_RESET: _("tweestapsverificatie gereset"),
    MINUTES_PDF_DOWNLOAD: _("verslag (pdf) gedownload"),
    STATISTICS_DOWNLOAD: _("verzuimstatistieken gedownload"),
    CONSENT: _("toestemming"),
    DOCUMENT_DOWNLOAD: _("document gedownload"),
    MEDICAL_FILE: _("medisch dossier"),
    CONSULTATION: _("spreekuurcontact"),
    CONCLUSIONS: _("conclusies (terugkoppeling)"),
    PHYSICIAN_NOTE: _("aantekening bedrijfsarts"),
    MEDICAL_FILE_AUTHORISATION: _("autorisatie medisch dossier"),
    DEPARTMENT_MANAGER: _("leidinggevende van afdeling"),
    CASE_EXPERT: _("casemanager/expert van casus"),
    AUDIT_LOG: _("auditlog"),
}


def describe(entry: LogEntry) -> None:
    """Attach display labels to ``entry``: what it concerns and the names of
    the changed fields, never their values. No queries."""
    what = (entry.additional_data or {}).get("what")
    entry.what_label = WHAT_LABELS.get(what, what or "")
    model = entry.content_type.model_class()
    labels = []
    for name in entry.changes_dict:
        try:
            labels.append(str(model._meta.get_field(name).verbose_name))
        except (FieldDoesNotExist, AttributeError):
            labels.append(str(WHAT_LABELS.get(name, name)))
    entry.field_labels = labels
    nen = (entry.additional_data or {}).get("nen7513")
    entry.nen7513_label = NEN7513_LABELS.get(nen, "") if nen else ""


def mask_fully(value: str) -> str:
    """mask_callable for auditlog.register: hide the whole value."""
    return MASK if value not in ("", "None", None) else value


def _record(instance, *, actor, action: int, what: str, changes=None, extra: dict | None = None) -> LogEntry:
    data = {"what": what, **(extra or {})}
    get_additional = getattr(instance, "get_additional_data", None)
    if callable(get_additional):
        data = {**get_additional(), **data}
    return LogEntry.objects.log_create(
        instance, force_log=True, action=action, changes=changes, actor=actor, additional_data=data
    )


def log_access(instance, *, actor, what: str) -> LogEntry:
    """Record a read (NEN 7513 'read') of ``instance`` by ``actor``.

    ``what`` names the kind of item read; never content.
    """
    return _record(instance, actor=actor, action=LogEntry.Action.ACCESS, what=what)


def log_authorisation(instance, *, actor, what: str, granted_to, granted: bool) -> LogEntry:
    """Record that ``granted_to`` got (or lost) an authorisation on ``instance``
    (e.g. a physician for an employee's medical file)."""
    name = granted_to.get_username()
    return _record(
        instance,
        actor=actor,
        action=LogEntry.Action.UPDATE,
        what=what,
        changes={what: ["", name] if granted else [name, ""]},
    )


# --- NEN 7513 access log of the medical file (R13) -------------------------


class Nen7513:
    """The actions NEN 7513 names, as stored in ``additional_data["nen7513"]``."""

    CREATE = "create"
    CHANGE = "change"
    DELETE = "delete"
    READ = "read"
    PRINT = "print"
    SEARCH = "search"


NEN7513_LABELS = {
    Nen7513.CREATE: _("aangemaakt"),
    Nen7513.CHANGE: _("gewijzigd"),
    Nen7513.DELETE: _("verwijderd"),
    Nen7513.READ: _("ingezien"),
    Nen7513.PRINT: _("afgedrukt/gedownload"),
    Nen7513.SEARCH: _("gezocht"),
}
_LOGENTRY_ACTION = {
    Nen7513.CREATE: LogEntry.Action.CREATE,
    Nen7513.CHANGE: LogEntry.Action.UPDATE,
    Nen7513.DELETE: LogEntry.Action.DELETE,
    Nen7513.READ: LogEntry.Action.ACCESS,
    Nen7513.PRINT: LogEntry.Action.ACCESS,
    Nen7513.SEARCH: LogEntry.Action.ACCESS,
}


def log_medical_event(
    employee, *, actor, action: str, item_kind: str, item_id: int | None = None, fields=()
) -> LogEntry:
    """The one place that writes the medical file's access log (R13).

    Who (user and roles), when, whose record (the employee), which item kind
    and id, which action; for a change the names of the changed fields, never
    their content.
    """
    from .roles import roles_of

    return _record(
        employee,
        actor=actor,
        action=_LOGENTRY_ACTION[action],
        what=item_kind,
        changes={name: [MASK, MASK] for name in fields} or None,
        extra={"nen7513": action, "item_id": item_id, "roles": sorted(roles_of(actor)) if actor else []},
    )
