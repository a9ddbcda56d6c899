from allauth.headless.contrib.rest_framework.authentication import XSessionTokenAuthentication
from django.http import HttpRequest
from rest_framework.exceptions import AuthenticationFailed

from backend.accounts.sessions import session_expired


class SessionTokenAuthentication(XSessionTokenAuthentication):
    """allauth's app-client token (``X-Session-Token``), answering 401 when missing.

    Listed first so DRF uses its ``WWW-Authenticate`` header: an anonymous call
    gets 401 rather than the 403 that session authentication alone would give. The
    token's session obeys the same idle and absolute limits as a browser session.
    """

    def authenticate(self, request: HttpRequest):
        result = super().authenticate(request)
        if result is None:
            return None
        user, session = result
        if session_expired(session, user.role):
            session.flush()
            raise AuthenticationFailed("Your session has ended. Please sign in again.")
        if session.modified:
            session.save()
        return result

    def authenticate_header(self, request: HttpRequest) -> str:
        return 'Session realm="api"'
