"""Admin for functioneel beheerders: master data only, scoped to their
organisations. Absence cases and anything medical are deliberately absent (R9):
the admin is not a way around the reintegration or medical file."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from smo.permissions import organisations_of

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

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs.filter(memberships__organisation__in=organisations_of(request.user)).distinct()


admin.site.site_header = _("SMO-platform beheer")
admin.site.site_title = _("SMO-platform beheer")
