"""Who may call the care endpoints: patients for their side, clinicians who passed TOTP."""

from __future__ import annotations

from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa.models import Authenticator
from django.contrib.sessions.backends.base import SessionBase
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

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
    totp = (
        Authenticator.objects.filter(user=request.user, type=Authenticator.Type.TOTP)
        .values_list("created_at", flat=True)
        .first()
    )
    if totp is None:
        return MFA_REQUIRED
    session = _session(request)
    records = session.get(AUTHENTICATION_METHODS_SESSION_KEY, []) if session is not None else []
    if not isinstance(records, list):
        records = []
    if any(record.get("method") == "mfa" for record in records if isinstance(record, dict)):
        return None
    # Activating TOTP in this session proved a code: sessions signed in before the
    # authenticator existed are otherwise sent back to sign in with it.
    signed_in = [record.get("at", 0) for record in records if isinstance(record, dict)]
    if signed_in and totp.timestamp() >= max(signed_in):
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
