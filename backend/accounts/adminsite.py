"""The Django admin opens only to staff whose session gave a second factor.

Django's admin signs a user in with a password alone. Here it has no sign-in form at
all: staff sign in through allauth (the PWA's sign-in, password then authenticator
code) and the admin accepts that session only if it passed MFA
(``backend.accounts.mfa``), as allauth's ``secure_admin_login`` intends, whose
redirect to allauth's own login page does not exist with ``HEADLESS_ONLY``.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse


class AdminSite(admin.AdminSite):
    site_header = "Backtrack administration"
    site_title = "Backtrack admin"

    def has_permission(self, request: HttpRequest) -> bool:
        # Imported here: INSTALLED_APPS loads this module before any model exists.
        from backend.accounts.mfa import has_totp, session_passed_mfa

        return (
            super().has_permission(request)
            and session_passed_mfa(request.session, request.user)
            and has_totp(request.user)
        )

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        """Say how to get in; never take a password here."""
        if self.has_permission(request):
            return HttpResponseRedirect(reverse("admin:index", current_app=self.name))
        user = request.user
        context = {
            **self.each_context(request),
            "title": "Sign in with your authenticator code",
            "signed_in_as": user.get_username() if user.is_authenticated else None,
            "is_staff": user.is_authenticated and user.is_staff,
            **(extra_context or {}),
        }
        request.current_app = self.name
        return TemplateResponse(request, "accounts/admin_sign_in.html", context, status=403)


class AdminConfig(DjangoAdminConfig):
    default_site = "backend.accounts.adminsite.AdminSite"
