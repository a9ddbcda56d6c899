"""The caller's address, as allauth sees it (same trusted proxies, same parsing)."""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's address behind ``TRUSTED_PROXY_COUNT`` proxies, or None if unknown.

    Access logs record it; a request whose X-Forwarded-For is shorter than the proxies
    we trust, or holds no address, is logged without one rather than refused.
    """
    try:
        return get_adapter(request).get_client_ip(request)
    except (ImproperlyConfigured, PermissionDenied):
        return None
