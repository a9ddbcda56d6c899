"""Backtrack settings: one module, configured by the environment.

Development defaults need nothing set (SQLite, an embedded filesystem broker); with
``DEBUG`` off every production safeguard is on and ``SECRET_KEY`` must be given.
Every variable read here is listed in the README's configuration table and in
``.env.example``.
"""

import os
import re
from email.utils import parseaddr
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from backend.core.pwa import add_headers as add_pwa_headers
from backend.core.pwa import inline_style_hashes

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env (made by `make run` from .env.example) is read if present; real
# environment variables always win over it. BACKTRACK_DOTENV names another file, or
# none when empty: the test suite sets it empty, so a developer's .env never leaks
# into tests (or into the servers and workers they start).
DOTENV = os.environ.get("BACKTRACK_DOTENV", str(BASE_DIR / ".env"))
if DOTENV and Path(DOTENV).is_file():
    env.read_env(DOTENV, overwrite=False)

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_number(name: str, *, default: float, low: float, high: float, kind: type = int) -> float:
    """A number within [low, high]; anything else stops the process naming the variable."""
    raw = env.str(name, default=str(default)).strip()
    try:
        value = kind(raw)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not a {'whole ' if kind is int else ''}number."
        ) from None
    if not low <= value <= high:
        raise ImproperlyConfigured(f"{name}={raw!r} must be between {low} and {high}.")
    return value


def env_flag(name: str, *, default: bool) -> bool:
    """A boolean variable; anything but a clear yes or no stops the process."""
    raw = env.str(name, default=str(default)).strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use 1/0, true/false, yes/no or on/off.")


DEBUG = env_flag("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (see .env.example).")
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Django's admin, opening only to sessions that gave a second factor.
    "backend.accounts.adminsite.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "csp",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.headless",
    "backend.accounts",
    "backend.programs",
    "backend.tracker",
    "backend.outcomes",
    "backend.reminders",
    "backend.care",
    "backend.privacy",
    "backend.reports",
    "backend.caching",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before whitenoise, so the PWA's index.html it serves carries the policy too.
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything parses a body (DRF, allauth): deep nesting makes json recurse.
    "backend.core.jsonlimits.JsonDepthMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "backend.accounts.sessions.SessionTimeoutMiddleware",
    "backend.core.errors.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "backend.urls"
WSGI_APPLICATION = "backend.wsgi.application"
ASGI_APPLICATION = "backend.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
DATABASES = {"default": env.db_url("DATABASE_URL", default="sqlite:///db.sqlite3")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    name = Path(DATABASES["default"]["NAME"])
    if not name.is_absolute() and str(name) != ":memory:":
        DATABASES["default"]["NAME"] = str(BASE_DIR / name)
    # `make run`'s web server, worker and beat write to one file: wait for the lock
    # (instead of "database is locked", a 503), and take it when a transaction starts,
    # so a reader never has to upgrade to a writer mid-transaction and fail.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # An unreachable database answers 503 in seconds rather than holding the worker.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_number(
        "DB_CONNECT_TIMEOUT", default=5, low=1, high=120
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts -----------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

ACCOUNT_ADAPTER = "backend.accounts.adapter.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="optional")
ACCOUNT_LOGIN_BY_CODE_ENABLED = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Backtrack] "
ACCOUNT_SIGNUP_FORM_CLASS = "backend.accounts.forms.SignupForm"

HEADLESS_ONLY = True
HEADLESS_CLIENTS = ("browser", "app")
# The app token is the session key, as in allauth; looked up with one read, not two.
HEADLESS_TOKEN_STRATEGY = "backend.accounts.tokens.SessionTokenStrategy"  # noqa: S105 - a class path
# allauth documents its own endpoints: /_allauth/openapi.json
HEADLESS_SERVE_SPECIFICATION = True
# Links in emails point into the PWA, which finishes the flow through the API.
HEADLESS_FRONTEND_URLS = {
    "account_confirm_email": "/#/verify-email/{key}",
    "account_reset_password": "/#/reset-password",
    "account_reset_password_from_key": "/#/reset-password/{key}",
    "account_signup": "/#/signup",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Backtrack"
# One 30-second step either side: phone clocks drift, and a code typed as the step
# turns over should still work.
MFA_TOTP_TOLERANCE = 1

# --- Sign-in throttling (allauth) --------------------------------------------
# allauth's default also counts failed sign-ins per address (10 a minute), which let
# ten wrong passwords behind a clinic's shared address lock everyone there out. Failures
# count per account only (allauth's key is the email address): an account under attack
# is slowed from every address, and the others behind that address still sign in.
# Wrong authenticator codes count per user under the same rate. Attempts of any outcome
# stay capped per address by allauth's "login" rate, which bounds password spraying.
ACCOUNT_RATE_LIMITS = {"login_failed": "5/5m/key", "login": "30/m/ip"}
# How many proxies of ours stand in front of gunicorn (the compose file's nginx is one).
# The client's address is then the one the outermost trusted proxy saw; with 0 the
# X-Forwarded-For header is ignored, so no one can choose their own address by sending it.
TRUSTED_PROXY_COUNT = int(env_number("TRUSTED_PROXY_COUNT", default=0, low=0, high=10))
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

# --- API ----------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "backend.accounts.authentication.SessionTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "backend.core.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # ?format= is ours (the export's json|csv|fhir), not DRF's renderer switch.
    "URL_FORMAT_OVERRIDE": None,
    # Throttles key anonymous callers by address: the same trusted proxies as allauth.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_THROTTLE_RATES": {
        "care_redeem": env.str("THROTTLE_CARE_REDEEM", default="20/hour"),
        # The PWA syncs on start, on focus and when back online: far below this.
        "sync": env.str("THROTTLE_SYNC", default="60/minute"),
        "reminders_test": env.str("THROTTLE_REMINDERS_TEST", default="10/hour"),
        # A visit report costs about a second of CPU: plenty for a clinic's day, not a flood.
        "report": env.str("THROTTLE_REPORT", default="60/hour"),
    },
}
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append("rest_framework.renderers.BrowsableAPIRenderer")

SPECTACULAR_SETTINGS = {
    "TITLE": "Backtrack API",
    "DESCRIPTION": (
        "Programs, daily plans, logs and offline sync for stress-related back pain. "
        "Accounts are served by django-allauth headless under /_allauth/. "
        "A request body nested more than 32 levels deep is refused with a 400 on every endpoint."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Swagger UI served from our own static files: no CDN, works under a strict CSP.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "backend.core.schema.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "HealthStateEnum": ["ok", "down"],
        "EnrollmentStatusChangeEnum": ["active", "paused"],
        "ItemStatusEnum": ["pending", "done", "skipped"],
        "TrendEnum": ["up", "down", "flat"],
        "SafetyLevelEnum": "backend.tracker.models.CheckIn.Safety",
        "SessionEntryTypeEnum": ["session"],
        "CheckInEntryTypeEnum": ["checkin"],
        "JournalEntryTypeEnum": ["journal"],
        "LessonEntryTypeEnum": ["lesson"],
        "LessonStatusEnum": ["unread", "read"],
        "LessonItemStatusEnum": ["pending", "read"],
        "LessonTimeOfDayEnum": ["anytime"],
        "QuestionnaireEntryTypeEnum": ["questionnaire"],
        "MeaningfulChangeKindEnum": ["percent", "points"],
        "TimeOfDayEnum": ["morning", "midday", "afternoon", "evening", "bedtime"],
        "SyncStatusEnum": ["created", "updated", "unchanged", "stale", "conflict", "rejected"],
        "SessionLogStatusEnum": "backend.tracker.models.SessionLog.Status",
        # A user's role, and who changed a plan or set an exercise aside.
        "RoleEnum": "backend.accounts.models.User.Role",
        "ReportPendingStatusEnum": ["pending"],
        "ReportFailedStatusEnum": ["failed"],
    },
}

# --- Cache (sessions, throttles, cached responses) ----------------------------
# Shared through Redis when there is one, so every web process counts together.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "backend.caching.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            # Everything cached can be done without Redis (backend/caching/redis_cache.py): a Redis that
            # does not answer costs a request at most this long, then is left alone a while.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# How long a user's rendered /today/ and summary are kept (backend/caching/user_cache.py); 0
# turns the cache off (backend/caching/generations.py explains the invalidation). Off by default
# without Redis: a cache in one process's memory would not hear of changes made by
# another (other web workers, `manage.py load_programs` next to `make run`).
USER_CACHE_SECONDS = env_number("USER_CACHE_SECONDS", default=3600 if REDIS_URL else 0, low=0, high=86400)
# Clinicians' patient lists (backend/caching/patient_lists.py): short, as they carry alerts.
PATIENT_LIST_CACHE_SECONDS = env_number(
    "PATIENT_LIST_CACHE_SECONDS", default=300 if REDIS_URL else 0, low=0, high=3600
)

# --- Visit reports (backend/reports/) -------------------------------------------
# Reports of more days than this are made by a Celery task (the request answers 202 and
# a poll URL): a 90-day report takes about a second of CPU here (README, "Visit report").
REPORT_SYNC_MAX_DAYS = env_number("REPORT_SYNC_MAX_DAYS", default=28, low=0, high=90)
# How long a report made in the background waits to be fetched before it is deleted.
REPORT_KEEP_MINUTES = env_number("REPORT_KEEP_MINUTES", default=15, low=1, high=24 * 60)

# --- Celery -------------------------------------------------------------------
# Without REDIS_URL the broker is kombu's filesystem transport, so `make run`
# needs no Redis; with it, Redis is the broker.
CELERY_FILESYSTEM_BROKER_DIR = BASE_DIR / "var" / "broker"
# A queued reminder nobody picked up in this many seconds is queued again (a broker
# restart may lose messages); a send task holds its reminders this long.
REMINDERS_REQUEUE_AFTER = env_number("REMINDERS_REQUEUE_AFTER", default=300, low=1, high=3600)
REMINDERS_SEND_LEASE = env_number("REMINDERS_SEND_LEASE", default=600, low=1, high=3600)
# Connections the dispatcher claims with at once (PostgreSQL): each takes its own batches
# (FOR UPDATE SKIP LOCKED), so a busy minute uses more than one of the database's cores.
REMINDERS_DISPATCH_CONNECTIONS = env_number("REMINDERS_DISPATCH_CONNECTIONS", default=2, low=1, high=16)
# Clinicians' notices of urgent and emergency alerts (backend/care/notify.py): a send
# task holds the notices it took this long; after that the sweep queues them again.
CARE_NOTICE_LEASE = env_number("CARE_NOTICE_LEASE", default=300, low=1, high=3600)
# How long a task taken by a worker that then died waits before Redis hands it to
# another worker. Must exceed the longest task plus retry countdown (10 minutes).
CELERY_VISIBILITY_TIMEOUT = env_number("CELERY_VISIBILITY_TIMEOUT", default=3600, low=1, high=7 * 86400)
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Producers write and consumers read the same folder.
        "data_folder_in": str(CELERY_FILESYSTEM_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_FILESYSTEM_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_FILESYSTEM_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_FILESYSTEM_BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task whose broker connection dropped cannot be acknowledged and will be delivered
# again: stop it rather than let two copies run (Celery 6 makes this the default).
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=4.0)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Every periodic task, in one place.
CELERY_BEAT_SCHEDULE: dict = {
    # Claims the reminder rules due this minute (backend/reminders/dispatch.py).
    "reminders-dispatch": {
        "task": "backend.reminders.tasks.dispatch_due_reminders",
        "schedule": crontab(),
        # A tick nobody ran within the minute is dropped: the next one catches up.
        "options": {"expires": 55},
    },
    # Notices of serious safety alerts that the request could not queue (broker down)
    # or whose task died: sent late rather than never (backend/care/notify.py).
    "care-alert-notices-sweep": {
        "task": "backend.care.tasks.sweep_alert_notices",
        "schedule": crontab(minute="*/2"),
        "options": {"expires": 110},
    },
    "reminders-prune-deliveries": {
        "task": "backend.reminders.tasks.prune_deliveries",
        "schedule": crontab(hour=3, minute=17),
    },
}

# --- Internationalization and time -------------------------------------------
LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files and the PWA -------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
FRONTEND_DIST = BASE_DIR / "frontend" / "dist"
# whitenoise serves the built PWA at the site root (index.html at "/").
WHITENOISE_ROOT = FRONTEND_DIST if FRONTEND_DIST.is_dir() else None
WHITENOISE_INDEX_FILE = True
# No-cache for the shell, the service worker and the manifest; immutable hashed assets.
WHITENOISE_ADD_HEADERS_FUNCTION = add_pwa_headers
WHITENOISE_MIMETYPES = {".webmanifest": "application/manifest+json"}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Content Security Policy (django-csp 4) ----------------------------------
# Scripts only from our own origin: no inline script anywhere, no CDN. The one inline
# stylesheet (the PWA's first paint) is allowed by its hash, not by 'unsafe-inline'.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, *inline_style_hashes(FRONTEND_DIST / "index.html")],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "manifest-src": [SELF],
        "worker-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Email --------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Backtrack <noreply@localhost>")
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
# Where people open Backtrack, for links in emails sent with no request to build them
# from (clinicians' alert notices): "https://backtrack.example.org". Empty: no link.
APP_URL = env.str("APP_URL", default="").strip().rstrip("/")
if APP_URL and not re.fullmatch(r"https?://[A-Za-z0-9.\-\[\]:]+", APP_URL):
    raise ImproperlyConfigured(f"APP_URL={APP_URL!r} is not an origin such as https://backtrack.example.org.")

# --- Reminders and Web Push ---------------------------------------------------
# VAPID keys (RFC 8292), base64url: `python manage.py generate_vapid_keys` prints a
# pair; `make run` writes one into .env. Without them reminders go out by email.
# Checked when Django starts (backend/reminders/config.py): a bad key, a public key
# of another pair, a bad subject or host list stops the process naming the variable.
VAPID_PRIVATE_KEY = env.str("VAPID_PRIVATE_KEY", default="").strip()
# Derived from the private key when empty.
VAPID_PUBLIC_KEY = env.str("VAPID_PUBLIC_KEY", default="").strip()
# Who push services can contact about our traffic: mailto: or an https origin.
VAPID_SUBJECT = env.str("VAPID_SUBJECT", default="") or f"mailto:{parseaddr(DEFAULT_FROM_EMAIL)[1]}"
# Push endpoints outside the known push services that the server may POST to
# ("host" or "host:port", comma-separated); http and private addresses are then allowed.
WEBPUSH_ALLOWED_HOSTS = env.str("WEBPUSH_ALLOWED_HOSTS", default="")
# Push requests in flight at once per worker process, and how long one may take.
WEBPUSH_CONCURRENCY = env_number("WEBPUSH_CONCURRENCY", default=100, low=1, high=1000)
WEBPUSH_TIMEOUT = env_number("WEBPUSH_TIMEOUT", default=10.0, low=0.1, high=120, kind=float)

# --- Sessions -----------------------------------------------------------------
# Idle and absolute limits by role (backend/accounts/sessions.py), in seconds.
# Validated questionnaires (issue 18): two of them (STarT Back, PSS-4) are free for
# non-commercial use only; a commercial deployment sets this false to hide them.
QUESTIONNAIRES_NONCOMMERCIAL = env.bool("QUESTIONNAIRES_NONCOMMERCIAL", default=True)

SESSION_IDLE_TIMEOUT_PATIENT = env.int("SESSION_IDLE_TIMEOUT_PATIENT", default=30 * 24 * 3600)
SESSION_MAX_AGE_PATIENT = env.int("SESSION_MAX_AGE_PATIENT", default=90 * 24 * 3600)
SESSION_IDLE_TIMEOUT_CLINICIAN = env.int("SESSION_IDLE_TIMEOUT_CLINICIAN", default=30 * 60)
SESSION_MAX_AGE_CLINICIAN = env.int("SESSION_MAX_AGE_CLINICIAN", default=12 * 3600)
SESSION_COOKIE_AGE = max(SESSION_MAX_AGE_PATIENT, SESSION_MAX_AGE_CLINICIAN)
# Sessions (and allauth's app tokens, which are session keys) are read from the cache
# (Redis in production) on every request, and written through to the database with
# their owner's id, so a user's sessions can be ended (backend/accounts/session_store.py);
# while Redis cannot be reached they are read from the database (backend/caching/redis_cache.py).
SESSION_ENGINE = "backend.accounts.session_store"

# --- Security -----------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# The PWA reads the CSRF token from this cookie to send X-CSRFToken.
CSRF_COOKIE_HTTPONLY = False
CSRF_FAILURE_VIEW = "backend.core.errors.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_flag("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_flag("SECURE_HSTS_PRELOAD", default=True)

# --- Logging ------------------------------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"redact": {"()": "backend.core.logfilters.RedactSecrets"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # SQL logs would carry health values as query parameters: never below WARNING.
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
