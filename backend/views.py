from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def app_shell(request: HttpRequest) -> HttpResponse:
    """The PWA's index.html (whitenoise serves it too, once the build exists at startup)."""
    index = settings.FRONTEND_DIST / "index.html"
    if index.is_file():
        return FileResponse(index.open("rb"), content_type="text/html; charset=utf-8")
    return HttpResponse(
        "<!doctype html><title>Backtrack</title><p>The app has not been built yet: run "
        "<code>make run</code>. The API is at <a href='/api/docs/'>/api/docs/</a>.</p>",
        status=503,
    )
