"""Who may call the care endpoints: patients for their side, clinicians who passed TOTP."""

from __future__ import annotations

from django.contrib.sessions.backends.base import SessionBase
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from backend.accounts.mfa import has_totp, session_passed_mfa

MFA_REQUIRED = (
    "Patient data needs two-factor authentication. Activate an authenticator app "
    "(TOTP) in your account settings, then sign in again with its code."
)
SIGN_IN_WITH_CODE = "Sign in again with your authenticator code to see patient data."


def _session(request: Request) -> SessionBase | None:
    # The app client authenticates with X-Session-Token: that session is request.auth.
    if isinstance(request.auth, SessionBase):
        return request.auth
    return getattr(request._request, "session", None)


def clinician_mfa_problem(request: Request) -> str | None:
    """Why this clinician may not read patient data now, or None if they may."""
    if not has_totp(request.user):
        return MFA_REQUIRED
    if session_passed_mfa(_session(request), request.user):
        return None
    return SIGN_IN_WITH_CODE


class IsPatient(BasePermission):
    message = "Only patients can do this."

    def has_permission(self, request: Request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.role == "patient")


class IsClinicianWithMFA(BasePermission):
    message = "Only clinicians can do this."

    def has_permission(self, request: Request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.role == "clinician"):
            return False
        problem = clinician_mfa_problem(request)
        if problem:
            self.message = problem
            return False
        return True
