"""Settings for neiqiao, read from the environment (and an optional .env file).

Secrets may also be given as ``<NAME>_FILE`` pointing at a file (docker secrets).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

from .embedded_db import database_config, embedded_database_url

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    env.read_env(BASE_DIR / ".env")


def env_secret(name: str, default: str | None = None) -> str | None:
    """Value of NAME, or the content of the file named by NAME_FILE."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


DEBUG = env.bool("DEBUG", default=False)
# Under pytest (imported before these settings load, also in xdist workers) test defaults apply.
TESTING = env.bool("NEIQIAO_TESTING", default="pytest" in sys.modules)
SECRET_KEY = env_secret("SECRET_KEY") or ""
# Commands that never serve a request or sign anything may run without a key
# (e.g. `makemigrations --check` in a pre-commit hook, catalogue builds).
_OFFLINE_COMMANDS = {"makemigrations", "makemessages", "compilemessages"}
_offline = len(sys.argv) > 1 and sys.argv[0].endswith("manage.py") and sys.argv[1] in _OFFLINE_COMMANDS
if not SECRET_KEY:
    if DEBUG or TESTING or _offline:
        SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"
    else:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
# Key of the approval trail's HMAC chain. Keep it outside the database and never change it
# (entries written under an old key no longer verify); defaults to one derived from SECRET_KEY.
TRAIL_KEY = env_secret("TRAIL_KEY") or ""
# Signed checkpoint of the trail's newest entry (approvals.trail): keep it outside the database,
# on storage the database's users cannot write (the container's volume, a backed-up folder).
TRAIL_CHECKPOINT = env("TRAIL_CHECKPOINT", default=str(BASE_DIR / "var" / "trail_checkpoint.json"))
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "guardian",
    "simple_history",
    "pgtrigger",
    "axes",
    "django_htmx",
    # our apps: org first, approvals is imported by business apps, risk by none
    "org",
    "documents",
    "approvals",
    "budget",
    "payments",
    "procurement",
    "contracts",
    "construction",
    "assets",
    "accounting",
    "risk",
    "chain",
    "core",
    # after our apps: a catalog listed earlier wins, so our wording ("筛选") beats the admin's ("过滤器")
    "django.contrib.admin",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",  # deny by default
    "core.middleware.RefuseNulMiddleware",  # before any view reads a NUL into the database
    "core.middleware.ReadOnlyRolesMiddleware",  # the supervisor: every write refused in one place
    # axes last, as its docs require
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "neiqiao.urls"
WSGI_APPLICATION = "neiqiao.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.shell",
            ],
        },
    },
]

# --- Database: one engine everywhere (PostgreSQL) ---------------------------------
# The server named by DATABASE_URL, else the embedded one (Unix socket in var/pgdata).
DATABASE_URL = os.environ.get("DATABASE_URL") or embedded_database_url(BASE_DIR)
DATABASES = {"default": database_config(DATABASE_URL)}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "org.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Idle sessions expire: every request renews the 30-minute window.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# django-axes: 5 failures per user+IP lock the pair for 30 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_RESET_ON_SUCCESS = True

# --- i18n --------------------------------------------------------------------------
# No LocaleMiddleware: the interface is Chinese whatever language a browser or phone asks for.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
# Office hours on a working day (local time), comma-separated spans: the urging scan counts a
# step's waiting time in these hours only (core.workcalendar; `manage.py check` refuses a bad value).
OFFICE_HOURS = env("OFFICE_HOURS", default="09:00-12:00,13:30-17:30")
# The office's name, heading every printed table and spreadsheet (core.xlsx); the demo's by default.
OFFICE_NAME = env("OFFICE_NAME", default="新桥街道办事处")

# --- static and uploads -----------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "var" / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not (DEBUG or TESTING)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Uploads live outside static files and are served only through permission-checked views.
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
# No URL serves them (MEDIA_URL None makes FieldFile.url fail loudly); Django's live test
# server wraps every app in a media handler that needs a path prefix, so tests get a dead one.
MEDIA_URL = "/uploads-not-served/" if TESTING else None
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024
WHITENOISE_USE_FINDERS = DEBUG or TESTING

# --- security -----------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from a meta tag, not the cookie
_https = env.bool("HTTPS", default=not (DEBUG or TESTING))
SESSION_COOKIE_SECURE = _https
CSRF_COOKIE_SECURE = _https
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=_https)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if _https else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _https
SECURE_HSTS_PRELOAD = _https
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if _https else None
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Celery -------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
# Without a broker, tasks run eagerly in-process (first look, most tests).
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# No result backend by default: progress and results live in the database, and a result
# store on the broker would make requests wait ~20 s for it whenever Redis is down.
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None) or None
CELERY_TASK_IGNORE_RESULT = True

# --- mail: console output unless a server is configured ------------------------------
EMAIL_HOST = env("EMAIL_HOST", default="")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.locmem.EmailBackend"
)
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD", "") or ""
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="neiqiao@localhost")

# guardian: no anonymous user object; anonymous visitors are redirected to login anyway.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}

if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Cache: per-process memory unless CACHE_URL names a shared one (e.g. redis://redis:6379/1).
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
