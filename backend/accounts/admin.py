from allauth.mfa.admin import AuthenticatorAdmin as AllauthAuthenticatorAdmin
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from backend.accounts.models import User
from backend.accounts.services import user_sessions_end


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "role", "timezone", "is_active", "date_joined"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["email"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["role", "timezone"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "role", "password1", "password2"]})]


admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(AllauthAuthenticatorAdmin):
    """allauth's, but removing an authenticator here signs its owner out everywhere,
    as removing it through allauth ends their other sessions (``backend.accounts.mfa``):
    allauth sends no signal for the admin's deletions."""

    def delete_model(self, request, obj: Authenticator) -> None:
        super().delete_model(request, obj)
        user_sessions_end(user_id=obj.user_id)

    def delete_queryset(self, request, queryset) -> None:
        owners = set(queryset.values_list("user_id", flat=True))
        super().delete_queryset(request, queryset)
        for user_id in owners:
            user_sessions_end(user_id=user_id)
