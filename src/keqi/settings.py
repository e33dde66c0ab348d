"""Django settings, read from environment variables (twelve-factor style).

Every ``KEQI_`` variable KeQi reads, wherever it is read (``tests/test_settings_doc.py`` keeps this
table complete):

| variable | meaning | default |
|---|---|---|
| ``KEQI_DATABASE_URL`` | database URL (``postgres://user@host:5432/name``, ``sqlite:///path``) | SQLite at ``$KEQI_HOME/keqi.sqlite3`` |
| ``KEQI_HOME`` | folder for the embedded database, uploaded files and caches | ``./var`` |
| ``KEQI_SECRET_KEY`` | Django secret key (``keqi serve`` refuses to start without it unless ``KEQI_DEBUG=1``) | a development key |
| ``KEQI_DEBUG`` | ``1`` for development | ``0`` |
| ``KEQI_ALLOWED_HOSTS`` | comma-separated host names | ``127.0.0.1,localhost`` |
| ``KEQI_HTTPS`` | ``1`` behind an HTTPS reverse proxy: secure cookies, HSTS, redirect to HTTPS, trust ``X-Forwarded-Proto`` and ``X-Forwarded-For`` | ``0`` |
| ``KEQI_HSTS_SECONDS`` | HSTS max-age with ``KEQI_HTTPS=1`` | ``31536000`` (a year) |
| ``KEQI_SESSION_HOURS`` | how long a sign-in lasts (also ends when the browser closes) | ``8`` |
| ``KEQI_LOGIN_FAILURE_LIMIT`` | wrong passwords (per user name and address) before a lock | ``5`` |
| ``KEQI_TOKEN_FAILURE_LIMIT`` | unknown or revoked API tokens (per address) before a lock | ``20`` |
| ``KEQI_LOGIN_COOLOFF_MINUTES`` | how long such a lock lasts after the last failure | ``15`` |
| ``KEQI_STATIC_ROOT`` | folder ``collectstatic`` fills, for a front web server that serves static files itself | unset (WhiteNoise serves them) |
| ``KEQI_PRIVATE_ROOT`` | folder of the applications' attachments (never served directly) | ``$KEQI_HOME/private`` |
| ``KEQI_MAX_UPLOAD_BYTES`` | largest spreadsheet read (upload, CLI import, ``keqi screen FILE``) | 200 MiB |
| ``KEQI_MAX_ROWS`` | data rows a sheet may have (the header row aside) | ``1000000`` |
| ``KEQI_MAX_COLUMNS`` | columns a sheet may have | ``200`` |
| ``KEQI_MAX_CELLS`` | rows × columns of a sheet's used area (what reading holds in memory, about 80 bytes each) | ``10000000`` |
| ``KEQI_MAX_CELL_CHARS`` | characters in one cell (Excel's own limit) | ``32767`` |
| ``KEQI_MAX_UNPACKED_BYTES`` | an xlsx's parts unpacked, or a Parquet file's data uncompressed | 1 GiB |
| ``KEQI_MAX_ZIP_RATIO`` | how many times a part of an xlsx may unpack its compressed size (a zip bomb's is in the thousands) | ``200`` |
| ``KEQI_MAX_ZIP_ENTRIES`` | parts an xlsx may hold | ``1000`` |
| ``KEQI_MAX_ATTACHMENT_BYTES`` | largest attachment an application accepts | 10 MiB |
| ``KEQI_REGISTRATION_NUMBER_FORMAT`` | the 入库登记编号 format (a setting, not an official rule) | ``{year}{unit_code}{serial:05d}`` |
| ``KEQI_EMAIL_BACKEND`` | Django e-mail backend for notices | the console |
| ``KEQI_EMAIL_HOST`` / ``KEQI_EMAIL_PORT`` | SMTP server | ``localhost`` / ``25`` |
| ``KEQI_EMAIL_FROM`` | sender of notices | ``keqi@localhost`` |
| ``KEQI_LOG_LEVEL`` | level of the log written to the console | ``WARNING`` |
| ``KEQI_IMPORT_LOCK_SECONDS`` | how long an import on PostgreSQL waits for another one to finish before it is refused | ``600`` |
| ``KEQI_WORKER_RESTART_MAX_SECONDS`` | ``keqi serve`` restarts a worker that died after 1, 2, 4 … seconds, at most this many | ``60`` |
| ``KEQI_TASKS_IMMEDIATE`` | ``1`` runs background tasks inline (tests); otherwise a ``keqi worker`` runs them | ``0`` |
| ``KEQI_TEST_DATABASE_NAME`` | name of the test database (tests on PostgreSQL) | ``test_`` + the database's name |
| ``KEQI_SCREEN_WORKERS`` | worker processes (registry screen) or threads (flat file screen) | one per core, at most 4 |
| ``KEQI_SPARK_MASTER`` | Spark master URL of ``--engine spark`` | ``local[*]`` |
| ``KEQI_CHROMIUM`` | the Chromium the browser tests drive (tests only) | ``/usr/bin/chromium`` |
| ``KEQI_FUZZ`` | ``1``: property tests run 2,000 examples and case tables 20× (tests only; docs/testing.md) | unset |
| ``KEQI_MUTATION_DB`` | set by ``scripts/mutate.py``: tests start from this migrated SQLite copy (tests only) | unset |
| ``KEQI_MUTATE_BUDGET`` | seconds ``make mutate-ci`` may spend (scripts/mutate.py) | ``420`` |
| ``KEQI_DEMO_SCALE`` | set by ``keqi demo`` (``1/10`` unless given): the demo's data are that share of the real city, and every page says so ("演示数据：按实际规模的 1/10 生成，目标同比缩放"); unset in production | unset (no note) |
| ``KEQI_BENCH_CHUNK`` | firms per chunk in ``benchmarks/screen_registry.py`` (benchmarks only) | the screen's chunk |

docs/security.md explains the threat model and the production set-up.
"""

from __future__ import annotations

import datetime as dt
import os
from fractions import Fraction
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
KEQI_HOME = Path(os.environ.get("KEQI_HOME", Path.cwd() / "var")).resolve()


def _flag(name: str, default: str = "0") -> bool:
    return os.environ.get(name, default).strip().lower() in ("1", "true", "yes", "on")


def _int(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, "").strip() or default)
    except ValueError:
        raise RuntimeError(f"环境变量 {name} 应为整数：{os.environ.get(name)!r}") from None


def _fraction(name: str) -> Fraction | None:
    text = os.environ.get(name, "").strip()
    if not text:
        return None
    try:
        value = Fraction(text)
    except (ValueError, ZeroDivisionError):
        value = None
    if value is None or not 0 < value <= 1:
        raise RuntimeError(f"环境变量 {name} 应为 0 到 1 之间的比例，如 1/10 或 0.1：{text!r}")
    return value


DEBUG = _flag("KEQI_DEBUG")
#: the demo's scale (a share of the real city), None outside a demo
KEQI_DEMO_SCALE = _fraction("KEQI_DEMO_SCALE")
DEVELOPMENT_KEY = "keqi-development-key-not-for-production"
SECRET_KEY = os.environ.get("KEQI_SECRET_KEY") or DEVELOPMENT_KEY
#: True when no secret key was given: fine for tests and the shell, refused by ``keqi serve`` (see cli/server.py)
INSECURE_KEY = SECRET_KEY == DEVELOPMENT_KEY
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("KEQI_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "csp",
    "keqi.accounts",
    "keqi.registry",
    "keqi.screening",
    "keqi.targets",
    "keqi.pipeline",
    "keqi.contracts",
    "keqi.credit",
    "keqi.applications",
    "keqi.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "keqi.web.middleware.NoStoreMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "keqi.urls"
WSGI_APPLICATION = "keqi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "keqi.accounts.context.role",
                "keqi.web.context.demo_scale",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("KEQI_DATABASE_URL") or f"sqlite:///{KEQI_HOME / 'keqi.sqlite3'}",
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets the web server read while the worker writes; a generous timeout absorbs short locks.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("KEQI_TEST_DATABASE_NAME") or None}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["keqi.web.formats"]  # zh_Hans: 26,000 (Django's own writes 26000)
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
if os.environ.get("KEQI_STATIC_ROOT"):  # only for a front web server that serves collected files itself
    STATIC_ROOT = os.environ["KEQI_STATIC_ROOT"]
# Served by WhiteNoise straight from the apps' static folders: one process, no collectstatic step,
# and no CDN (government intranets have no internet).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
# Files served at the site's root (/favicon.ico: the admin's pages and any page without a <link rel="icon">)
WHITENOISE_ROOT = BASE_DIR / "web" / "root"
MEDIA_ROOT = KEQI_HOME / "media"
MEDIA_URL = "media/"

# Uploaded spreadsheets can be large (100k rows ≈ 20 MB as xlsx).
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Every spreadsheet KeQi reads (upload, CLI import, `keqi screen FILE`) is looked at before it is parsed
# and read within these limits (keqi.registry.limits; docs/security.md "Files"): a file over any of them
# is refused with one Chinese message, and reading stays under 1 GB of memory.
KEQI_MAX_UPLOAD_BYTES = _int("KEQI_MAX_UPLOAD_BYTES", 200 * 1024 * 1024)
KEQI_MAX_ROWS = _int("KEQI_MAX_ROWS", 1_000_000)
KEQI_MAX_COLUMNS = _int("KEQI_MAX_COLUMNS", 200)
KEQI_MAX_CELLS = _int("KEQI_MAX_CELLS", 10_000_000)
KEQI_MAX_CELL_CHARS = _int("KEQI_MAX_CELL_CHARS", 32_767)
KEQI_MAX_UNPACKED_BYTES = _int("KEQI_MAX_UNPACKED_BYTES", 1024 * 1024 * 1024)
KEQI_MAX_ZIP_RATIO = _int("KEQI_MAX_ZIP_RATIO", 200)
KEQI_MAX_ZIP_ENTRIES = _int("KEQI_MAX_ZIP_ENTRIES", 1_000)

# Application attachments (PDF and images): a private folder outside the web root, served only through
# the scoped download view; each file at most this many bytes.
KEQI_PRIVATE_ROOT = Path(os.environ.get("KEQI_PRIVATE_ROOT", KEQI_HOME / "private")).resolve()
KEQI_MAX_ATTACHMENT_BYTES = int(os.environ.get("KEQI_MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024))
# The 入库登记编号 KeQi issues for 重庆市科技型企业 (the official format is not known: a setting).
# Fields: {year} (the year of entry), {unit_code} (the unit's GB/T 2260 code, 500000 for a functional
# zone), {serial} (a counter per year, and per unit when the format names the unit).
KEQI_REGISTRATION_NUMBER_FORMAT = os.environ.get("KEQI_REGISTRATION_NUMBER_FORMAT", "{year}{unit_code}{serial:05d}")
# Reminders go out by e-mail too: to the console unless a mail server is configured.
EMAIL_BACKEND = os.environ.get("KEQI_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("KEQI_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("KEQI_EMAIL_PORT", 25))
DEFAULT_FROM_EMAIL = os.environ.get("KEQI_EMAIL_FROM", "keqi@localhost")

# ---------------------------------------------------------------- security (docs/security.md)

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "keqi.web.errors.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# A sign-in lasts a working day, and ends when the browser closes.
SESSION_COOKIE_AGE = _int("KEQI_SESSION_HOURS", 8) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# One switch for a site served over HTTPS by a reverse proxy (nginx …) that sets X-Forwarded-Proto.
HTTPS = _flag("KEQI_HTTPS")
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = _int("KEQI_HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Content-Security-Policy (django-csp): everything the browser loads comes from KeQi itself; no inline
# script or style, no plug-ins, no framing, forms post only to KeQi.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Sign-in throttling (django-axes; the policy is in keqi/accounts/throttling.py).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
KEQI_LOGIN_FAILURE_LIMIT = _int("KEQI_LOGIN_FAILURE_LIMIT", 5)
KEQI_TOKEN_FAILURE_LIMIT = _int("KEQI_TOKEN_FAILURE_LIMIT", 20)
AXES_FAILURE_LIMIT = "keqi.accounts.throttling.failure_limit"
AXES_COOLOFF_TIME = dt.timedelta(minutes=_int("KEQI_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = "keqi.accounts.throttling.lockout_parameters"
AXES_LOCKOUT_CALLABLE = "keqi.accounts.throttling.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_HTTP_RESPONSE_CODE = 429
# The client's address: the peer's, or with KEQI_HTTPS the one the proxy in front of KeQi saw.
AXES_IPWARE_PROXY_COUNT = 1 if HTTPS else None
AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if HTTPS else ("REMOTE_ADDR",)

TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if _flag("KEQI_TASKS_IMMEDIATE")
        else "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}
# Background work that survives (registry/background.py, cli/server.py; docs/security.md)
KEQI_IMPORT_LOCK_SECONDS = _int("KEQI_IMPORT_LOCK_SECONDS", 600)
KEQI_WORKER_RESTART_MAX_SECONDS = _int("KEQI_WORKER_RESTART_MAX_SECONDS", 60)

SIMPLE_HISTORY_HISTORY_ID_USE_UUID = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("KEQI_LOG_LEVEL", "WARNING")},
}
