from allauth.headless.contrib.rest_framework.authentication import XSessionTokenAuthentication
from django.http import HttpRequest


class SessionTokenAuthentication(XSessionTokenAuthentication):
    """allauth's app-client token (``X-Session-Token``), answering 401 when missing.

    Listed first so DRF uses its ``WWW-Authenticate`` header: an anonymous call
    gets 401 rather than the 403 that session authentication alone would give.
    """

    def authenticate_header(self, request: HttpRequest) -> str:
        return 'Session realm="api"'
