"""Which models keep an audit trail (R13), and which fields are masked.

Every model holding personal data is registered. Free-text contact details
are masked completely (:func:`smo.audit.mask_fully`): the privacy officer sees
*that* they changed, never what they say.
"""

from auditlog.registry import auditlog
from django.contrib.auth import get_user_model
from guardian.models import UserObjectPermission

from .models import (
    AbsenceCase,
    AbsencePercentage,
    CaseDocument,
    CorrectionRequest,
    Department,
    Employee,
    Membership,
    Organisation,
    PlanAgreement,
    PlanEvaluation,
    PlanVanAanpak,
)

MASK = "smo.audit.mask_fully"

auditlog.register(Organisation)
auditlog.register(Department)
auditlog.register(Membership)
auditlog.register(Employee, mask_fields=["private_phone", "care_address"], mask_callable=MASK)
auditlog.register(AbsenceCase)
auditlog.register(AbsencePercentage)
# The reintegration file. Its free text is employer-side and checked for
# medical terms (R7a); it is still masked so that the audit trail holds no
# content, only who changed which field.
auditlog.register(PlanVanAanpak, mask_fields=["goal"], mask_callable=MASK)
auditlog.register(PlanAgreement, mask_fields=["what"], mask_callable=MASK)
auditlog.register(PlanEvaluation, mask_fields=["summary"], mask_callable=MASK)
auditlog.register(CaseDocument, exclude_fields=["file"])
auditlog.register(CorrectionRequest, mask_fields=["text", "response"], mask_callable=MASK)
# The medical file is deliberately NOT registered here: its trail is the
# NEN 7513 access log written by casefiles.medical (R13), without content.
# Granting or revoking an object permission (a physician authorised for an
# employee, a manager for a department) is part of the trail.
auditlog.register(UserObjectPermission)
auditlog.register(
    get_user_model(),
    exclude_fields=["password", "last_login"],
)
