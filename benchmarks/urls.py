"""The project's routes plus the ceiling of benchmarks/load.py."""

from typing import cast

from django.urls import path
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.tracker.models import SyncState
from backend.urls import urlpatterns as app_urlpatterns


class CeilingView(APIView):
    """The least an API request can do here, by the same path as the real endpoints.

    The same middleware, the project's default DRF authentication and permission
    classes (the X-Session-Token's session read, its idle and absolute limits, the
    user loaded as ``request.user``), the same renderer, and one indexed query scoped
    to the caller: their sync counter, by its primary key (``user_id``). So an
    endpoint's "x of the ceiling" is the share of what an authenticated request can
    be served at that its own work leaves.
    """

    def get(self, request: Request) -> Response:
        user_id = cast(int, request.user.pk)  # IsAuthenticated let only a signed-in user in
        counter = SyncState.objects.filter(user_id=user_id).values_list("counter", flat=True).first()
        return Response({"user": user_id, "counter": counter})


urlpatterns = [path("bench/ceiling/", CeilingView.as_view()), *app_urlpatterns]
