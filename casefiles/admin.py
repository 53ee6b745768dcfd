"""Admin for functioneel beheerders: master data only, scoped to their
organisations. Absence cases and anything medical are deliberately absent (R9):
the admin is not a way around the reintegration or medical file."""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from smo.permissions import organisations_of
from smo.roles import PHYSICIAN_ROLES, Role, roles_of, set_roles

from .models import Department, Employee, Membership, Organisation


class OrganisationScopedAdmin(admin.ModelAdmin):
    """Show and accept only rows of the beheerder's own organisations."""

    organisation_lookup = "organisation"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs.filter(**{f"{self.organisation_lookup}__in": organisations_of(request.user)})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        orgs = organisations_of(request.user)
        if db_field.name == "organisation":
            kwargs["queryset"] = orgs
        elif db_field.name in {"department", "parent"}:
            kwargs["queryset"] = Department.objects.filter(organisation__in=orgs)
        elif db_field.name in {"user", "manager"}:
            kwargs["queryset"] = (
                get_user_model().objects.filter(memberships__organisation__in=orgs).distinct()
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Organisation)
class OrganisationAdmin(OrganisationScopedAdmin):
    organisation_lookup = "pk"
    list_display = ["name", "slug", "statistics_group_threshold", "consultation_recency_weeks"]
    search_fields = ["name"]

    def get_queryset(self, request):
        return Organisation.objects.filter(pk__in=organisations_of(request.user).values("pk"))


@admin.register(Department)
class DepartmentAdmin(OrganisationScopedAdmin):
    list_display = ["name", "kind", "parent", "organisation"]
    list_filter = ["kind"]
    search_fields = ["name"]
    list_select_related = ["parent", "organisation"]


@admin.register(Employee)
class EmployeeAdmin(OrganisationScopedAdmin):
    list_display = [
        "personnel_number",
        "last_name",
        "first_name",
        "department",
        "employment_start",
        "employment_end",
    ]
    search_fields = ["personnel_number", "last_name"]
    list_select_related = ["department"]
    fields = [
        "organisation",
        "personnel_number",
        "first_name",
        "last_name",
        "department",
        "manager",
        "contract_hours",
        "employment_start",
        "employment_end",
        "user",
        "private_phone",
        "care_address",
    ]


@admin.register(Membership)
class MembershipAdmin(OrganisationScopedAdmin):
    list_display = ["user", "organisation"]
    list_select_related = ["user", "organisation"]


User = get_user_model()
admin.site.unregister(User)

PROTECTED_ACCOUNT_ROLES = PHYSICIAN_ROLES | {Role.PRIVACY_OFFICER}


class UserCreationWithOrganisationForm(AdminUserCreationForm):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), label=_("organisatie"), required=True
    )


admin.site.site_header = _("SMO-platform beheer")
admin.site.site_title = _("SMO-platform beheer")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Beheerders manage accounts and roles of their organisations; they can
    never create superusers or hand out individual permissions."""

    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Persoonlijke gegevens"), {"fields": ("first_name", "last_name", "email")}),
        (_("Rollen"), {"fields": ("is_active", "groups")}),
        (_("Belangrijke datums"), {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ["last_login", "date_joined"]
    list_filter = ["is_active", "groups"]
    add_form = UserCreationWithOrganisationForm
    add_fieldsets = (
        (None, {"fields": ("username", "organisation", "usable_password", "password1", "password2")}),
    )

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is not None:
            return form
        organisations = organisations_of(request.user)

        class ScopedCreationForm(form):
            def __init__(self, *args, **kw):
                super().__init__(*args, **kw)
                self.fields["organisation"].queryset = organisations

        return ScopedCreationForm

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs.filter(memberships__organisation__in=organisations_of(request.user)).distinct()

    def has_change_permission(self, request, obj=None):
        # R9: whoever can reset a physician's password can read as that
        # physician. Accounts of physicians (and of the privacy officer) are
        # changed by their owners only, never by a beheerder.
        if obj is not None and obj != request.user and roles_of(obj) & PROTECTED_ACCOUNT_ROLES:
            return False
        return super().has_change_permission(request, obj)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups":
            # A beheerder cannot hand out the roles that open medical files or the audit trail.
            kwargs["queryset"] = Group.objects.filter(name__in=[r.value for r in Role]).exclude(
                name__in=[r.value for r in PROTECTED_ACCOUNT_ROLES]
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            # A new account belongs to the beheerder's organisation at once,
            # otherwise it would vanish from the beheerder's own lists.
            Membership.objects.get_or_create(user=obj, organisation=form.cleaned_data["organisation"])

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Roles given through the groups field go through set_roles, which
        # keeps is_staff in line (only functioneel beheerders use the admin).
        obj = form.instance
        obj.__dict__.pop("_smo_roles", None)
        set_roles(obj, [g.name for g in obj.groups.filter(name__in=[r.value for r in Role])])
