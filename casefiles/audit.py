"""Which models keep an audit trail (R13), and which fields are masked.

Every model holding personal data is registered. Free-text contact details
are masked completely (:func:`smo.audit.mask_fully`): the privacy officer sees
*that* they changed, never what they say.
"""

from auditlog.registry import auditlog
from django.contrib.auth import get_user_model
from guardian.models import UserObjectPermission

from .models import AbsenceCase, AbsencePercentage, Department, Employee, Membership, Organisation

MASK = "smo.audit.mask_fully"

auditlog.register(Organisation)
auditlog.register(Department)
auditlog.register(Membership)
auditlog.register(Employee, mask_fields=["private_phone", "care_address"], mask_callable=MASK)
auditlog.register(AbsenceCase)
auditlog.register(AbsencePercentage)
# Granting or revoking an object permission (a physician authorised for an
# employee, a manager for a department) is part of the trail.
auditlog.register(UserObjectPermission)
auditlog.register(
    get_user_model(),
    exclude_fields=["password", "last_login"],
)
