#!/usr/bin/env python
import os
import sys
from pathlib import Path


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    # The .env the settings read (BACKTRACK_DOTENV names another, or none when empty).
    dotenv = os.environ.get("BACKTRACK_DOTENV", str(Path(__file__).resolve().parent / ".env"))
    configured = (bool(dotenv) and Path(dotenv).exists()) or {"DEBUG", "SECRET_KEY"} & set(os.environ)
    if not configured:
        # A fresh checkout with nothing configured is a developer's: development
        # settings, as `make run` writes them to .env. Production always sets
        # SECRET_KEY (docker-compose.yml refuses to start without it), and gunicorn
        # (backend/wsgi.py) never takes this path.
        os.environ["DEBUG"] = "1"
        print("manage.py: no .env, DEBUG or SECRET_KEY set: development settings (DEBUG=1).", file=sys.stderr)

    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        settings.INSTALLED_APPS  # noqa: B018 (reads the settings module)
    except ImproperlyConfigured as exc:
        # Django would swallow this for most commands and fail later with
        # "Models aren't loaded yet"; say what is wrong instead.
        sys.exit(f"manage.py: {exc}")

    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
