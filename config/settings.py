"""Settings for the township tracker: one module, driven by the environment.

Local defaults are safe and need no set-up (a SQLite file next to manage.py); production sets
SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL (sqlite:///… or postgres://…), and HTTPS=1 behind
nginx (README, Deployment).
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

from config import cache_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


DEBUG = env_flag("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
# Serving needs the production secret: config/wsgi.py (gunicorn, and runserver, which loads the
# same application) refuses to start without it unless DEBUG=1 or TESTING=1. A management
# command (migrate, makemigrations --check, backup) signs nothing that outlives its process,
# so it runs on a random key of its own.
SECRET_KEY_GIVEN = bool(SECRET_KEY) or DEBUG or env_flag("TESTING")
SECRET_KEY_MISSING_MESSAGE = "请设置环境变量 SECRET_KEY（只在本机开发时可改为设置 DEBUG=1）。"
if not SECRET_KEY:
    if DEBUG or env_flag("TESTING"):
        SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
    else:
        SECRET_KEY = secrets.token_urlsafe(50)

ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "config.admin_site.AdminConfig",  # django.contrib.admin, in the order people work
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tables2",
    "chartjs",
    "simple_history",
    "axes",
    "csp",
    "indicators",
    "tasks",
    "reports",
    # Site-wide plumbing: error pages, /healthz, middleware, the backup command.
    "config",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.middleware.PrivateResponsesMiddleware",
    "config.middleware.SessionRefreshMiddleware",
    # Before any view or lookup; after the user is known, so the 400 page has its frame.
    "config.uploads.UploadLimitMiddleware",
    "config.middleware.NullCharactersMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.middleware.DatabaseUnavailableMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# Uploads: a request's files together, stopped as they arrive once past this (config/uploads.py);
# the same 20 MB as nginx's client_max_body_size and the workbook pages' limit.
UPLOAD_MAX_BYTES = 20 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "config.uploads.CappedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "indicators.context_processors.vocabulary",
                "tasks.context_processors.vocabulary",
                "reports.context_processors.todo",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
POSTGRES = DATABASE_URL.startswith(("postgres://", "postgresql://"))
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        # PostgreSQL: a worker keeps its connection for a minute instead of opening one per
        # request, and checks it before reusing it, so a connection that a database restart
        # closed is replaced at the next request: the site recovers without restarting
        # gunicorn. SQLite opens a file, which costs nothing.
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60" if POSTGRES else "0")),
        conn_health_checks=True,
    )
}
if POSTGRES:
    # While the database is down a request waits at most this long (seconds) before the 503.
    DATABASES["default"]["OPTIONS"] = {"connect_timeout": 5}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several gunicorn workers share one file. WAL lets readers go on while one writer writes;
    # IMMEDIATE takes the write lock when a transaction begins, so a writer waits up to the
    # timeout (seconds) for its turn instead of failing half-way with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The summaries' cache (config/cache_url.py): local memory unless CACHE_URL names a shared one.
CACHES = {"default": cache_url.parse(os.environ.get("CACHE_URL", "locmem://"))}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes counts failed logins per username and address together: five in a row lock that
# pair out for fifteen minutes (from the fifth failure; retrying does not extend it), while the
# same user elsewhere, or a colleague at the same address, can still log in.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "config.accounts.lockout_response"
# Its warnings ("Locking out … after repeated login failures") name the user and the address,
# for whoever unlocks the account (admin: Access attempts); passwords are never logged.
AXES_SENSITIVE_PARAMETERS = []
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "reports:overview"
LOGOUT_REDIRECT_URL = "login"
# A session ends after a working day without requests; SessionRefreshMiddleware moves the
# deadline while the user is active (without writing the session on every request).
SESSION_COOKIE_AGE = 8 * 60 * 60

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Hashed file names (collectstatic writes them), so browsers may keep a file for a year and still
# get the new one after an upgrade. With DEBUG on, runserver serves static/ under plain names.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / "media"
MEDIA_URL = "media/"

# DOMAIN §3, §7: the deployment's word for 时序进度 (时序进度, 序时进度, 时间进度 or 均衡进度), and
# the share of due figures (in %) that must be approved before the overview opens on a month.
PACE_WORD = os.environ.get("PACE_WORD", "时序进度")
OPEN_MONTH_SHARE = int(os.environ.get("OPEN_MONTH_SHARE", "80"))
# The review page flags an amount or level whose 同比 moves more than this many percent either
# way, for the reviewer to check before approving (DOMAIN §2: a jump far from its history).
REVIEW_OUTLIER_YOY_PCT = int(os.environ.get("REVIEW_OUTLIER_YOY_PCT", "50"))

DJANGO_TABLES2_TEMPLATE = "django_tables2/table.html"
# A figure changes only through the services (checked, locked, audited): no "revert" button.
SIMPLE_HISTORY_REVERT_DISABLED = True

SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# HTTPS=1 says: behind the nginx of deploy/nginx.conf, which terminates TLS and sets
# X-Forwarded-Proto and X-Real-IP. Only then are those headers believed.
HTTPS = env_flag("HTTPS")
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    # A monitor on the machine itself asks gunicorn directly, over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", str(365 * 24 * 60 * 60)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    AXES_CLIENT_IP_CALLABLE = "config.accounts.client_ip_behind_proxy"
# Entering the browsers' HSTS preload list is the domain owner's decision and is not undone in
# a hurry, so the header does not ask for it (check --deploy would otherwise warn).
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# No inline script or style and nothing from another host: the pages load only our own files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "object-src": [NONE],
    },
}

# The Chinese page for a refused CSRF token; the other error pages are handler400… in urls.py.
CSRF_FAILURE_VIEW = "config.views.csrf_failure"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
