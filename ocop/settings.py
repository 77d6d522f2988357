"""The one settings module. Everything that differs between machines comes from the environment.

Production is the default: DEBUG off, a real SECRET_KEY and ALLOWED_HOSTS required, HTTPS enforced.
``OCOP_ENV=development`` switches to a mode a fresh checkout can run without any configuration.
Bad values fail loudly at start-up instead of being silently replaced.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use one of 1/0, true/false, yes/no, on/off")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


OCOP_ENV = (env_str("OCOP_ENV", "production") or "production").strip().lower()
if OCOP_ENV not in {"production", "development", "test"}:
    raise ImproperlyConfigured(f"OCOP_ENV={OCOP_ENV!r}: expected production, development or test")
PRODUCTION = OCOP_ENV == "production"

DEBUG = env_bool("DEBUG", default=OCOP_ENV == "development")

DATA_DIR = Path(
    env_str("OCOP_DATA_DIR")
    or Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "ocop"
)
MEDIA_ROOT = Path(env_str("OCOP_MEDIA_DIR") or DATA_DIR / "media")
STATIC_ROOT = Path(env_str("OCOP_STATIC_DIR") or DATA_DIR / "static")
# Files only their owners and officers may read (dossier evidence, certificates, imported lists,
# exports): never under MEDIA_ROOT, never served by the web server; views stream them through
# the permission gate.
PRIVATE_ROOT = Path(env_str("OCOP_PRIVATE_DIR") or DATA_DIR / "private")
MEDIA_URL = "/media/"
STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Production needs a long random value, "
            "or set OCOP_ENV=development on a developer machine."
        )
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production-0cop"
elif PRODUCTION and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5):
    raise ImproperlyConfigured("SECRET_KEY is too weak: use at least 50 random characters")

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is not set: list the host names this server answers to")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# The public base URL, used where an absolute link must be printed (QR codes, certificates, e-mails).
OCOP_PUBLIC_URL = (env_str("OCOP_PUBLIC_URL") or ("" if PRODUCTION else "http://127.0.0.1:8000")).rstrip("/")

INSTALLED_APPS = [
    "ocop.admin_site.OcopAdminConfig",
    # Before django.contrib.auth, so that its createsuperuser (which also grants the central
    # office's role) is the one `ocop createsuperuser` runs.
    "ocop.accounts",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "ninja",
    "ocop.jobs",
    "ocop.geo",
    "ocop.registry",
    "ocop.criteria",
    "ocop.evaluation",
    "ocop.trace",
    "ocop.market",
    "ocop.monitoring",
    "ocop.demo",
    "ocop.operations",
]

MIDDLEWARE = [
    # First, so that its time counts the whole request (the "Production" block below).
    "ocop.web.middleware.RequestLogMiddleware",
    "ocop.web.middleware.ContentSecurityPolicyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "ocop.jobs.periodic.BackgroundMiddleware",
    "ocop.web.middleware.DatabaseBusyMiddleware",
    # Last, so that it sees the outcome of authentication (django-axes' own requirement).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ocop.urls"
WSGI_APPLICATION = "ocop.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ocop.accounts.context_processors.actor",
            ],
        },
    },
]

_default_db = f"sqlite:///{DATA_DIR / 'ocop.sqlite3'}"
DATABASE_URL = env_str("DATABASE_URL") or _default_db
try:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL this server understands: {exc}") from None
# SQLite has one writer at a time: a write waits this long for another's lock before giving up,
# and the request then answers 503 with Retry-After (ocop/web/middleware.py). Reads never wait (WAL).
# 10 s stays well under gunicorn's 30 s worker timeout, with room for the work itself.
OCOP_SQLITE_BUSY_TIMEOUT_SECONDS = env_int("OCOP_SQLITE_BUSY_TIMEOUT_SECONDS", 10)
# What a 503 for a busy database tells the client to wait before trying again (Retry-After).
OCOP_BUSY_RETRY_AFTER_SECONDS = env_int("OCOP_BUSY_RETRY_AFTER_SECONDS", 5)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets pages read while another connection writes; IMMEDIATE takes the write lock when a
    # transaction begins, so two writers never deadlock upgrading their locks. A GET therefore
    # never opens a transaction (tests/test_reads_never_write.py).
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": OCOP_SQLITE_BUSY_TIMEOUT_SECONDS,
    }
    if _default_db == DATABASE_URL:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
DATABASES["default"]["TEST"] = (
    {"NAME": env_str("TEST_DATABASE_NAME")} if env_str("TEST_DATABASE_NAME") else {}
)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"  # signed-in people land on their work: accounts.services.landing_url
LOGOUT_REDIRECT_URL = "home"

# The client's address, for sign-in throttling and every rate limit (ocop/accounts/client.py):
# the connection's peer, or, behind this many trusted reverse proxies that each append to
# X-Forwarded-For (nginx: proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for), the
# address the outermost one saw. 0: no proxy, forwarding headers are ignored (they are the
# client's own words). Set it to exactly the number of proxies, never more.
OCOP_PROXY_COUNT = env_int("OCOP_PROXY_COUNT", 0)
if OCOP_PROXY_COUNT < 0:
    raise ImproperlyConfigured(f"OCOP_PROXY_COUNT={OCOP_PROXY_COUNT}: expected 0 or more proxies")

# Login throttling (django-axes): lock a username+address pair after repeated failures, and an
# address after more failures across usernames (password spraying); ocop/accounts/throttling.py.
AXES_FAILURE_LIMIT = env_int("OCOP_LOGIN_FAILURE_LIMIT", 5)
OCOP_LOGIN_ADDRESS_FAILURE_LIMIT = env_int("OCOP_LOGIN_ADDRESS_FAILURE_LIMIT", 20)
if OCOP_LOGIN_ADDRESS_FAILURE_LIMIT <= AXES_FAILURE_LIMIT:
    raise ImproperlyConfigured(
        "OCOP_LOGIN_ADDRESS_FAILURE_LIMIT must be higher than OCOP_LOGIN_FAILURE_LIMIT: an office "
        "behind one address signs in with many accounts"
    )
AXES_COOLOFF_TIME = env_int("OCOP_LOGIN_COOLOFF_MINUTES", 15) / 60  # hours
# The pair first, the address second: ocop.accounts.throttling.Throttle reads them in this order.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], ["ip_address"]]
AXES_HANDLER = "ocop.accounts.throttling.Throttle"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "ocop.accounts.client.client_address"

# ---- Accounts: passwords (issue 12) -------------------------------------------------------------
# A password link (reset, or the first one of an account an office opened) works this long, and
# once: Django's token changes with the password. Reset requests are limited per client address
# and per address asked for, so the form can be used neither to flood a mailbox nor to probe.
PASSWORD_RESET_TIMEOUT = env_int("OCOP_PASSWORD_LINK_HOURS", 72) * 3600
OCOP_PASSWORD_RESET_LIMIT = env_int("OCOP_PASSWORD_RESET_LIMIT", 5)  # requests per hour
if PASSWORD_RESET_TIMEOUT <= 0 or OCOP_PASSWORD_RESET_LIMIT <= 0:
    raise ImproperlyConfigured("OCOP_PASSWORD_LINK_HOURS and OCOP_PASSWORD_RESET_LIMIT must be above 0")

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_ROOT), "base_url": "/private-files-are-not-served/"},
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Outside production, WhiteNoise serves straight from the apps' static folders (no collectstatic).
WHITENOISE_AUTOREFRESH = not PRODUCTION
WHITENOISE_USE_FINDERS = not PRODUCTION

# Upload limits: photos are small; a producer on a weak connection should not send 40 MB.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("OCOP_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
OCOP_PHOTO_MAX_BYTES = env_int("OCOP_PHOTO_MAX_BYTES", 5 * 1024 * 1024)
# Pictures (photos, images given as evidence) are decoded in full and encoded again: a bound on
# their pixels bounds the memory that takes (4 bytes a pixel: 40 megapixels is 160 MB) and refuses
# a decompression bomb from its header, before anything is decoded.
OCOP_IMAGE_MAX_PIXELS = env_int("OCOP_IMAGE_MAX_PIXELS", 40_000_000)
OCOP_IMPORT_MAX_BYTES = env_int("OCOP_IMPORT_MAX_BYTES", 30 * 1024 * 1024)
# What a registry list may hold, checked before any reader opens it (ocop/registry/sheetcheck.py):
# the reader holds a sheet as a dense grid up to its last row and column, about 32 bytes a cell,
# so 100,000 rows x 50 columns stay under 200 MB. A national list has ~50,000 rows, 21 columns.
OCOP_IMPORT_MAX_ROWS = env_int("OCOP_IMPORT_MAX_ROWS", 100_000)
OCOP_IMPORT_MAX_COLUMNS = env_int("OCOP_IMPORT_MAX_COLUMNS", 50)
# Uncompressed bytes of an .xlsx/.ods archive (each part and all together): a 100,000-row sheet
# is ~100 MB of XML. Parts compressed more than OCOP_IMPORT_MAX_RATIO times are zip bombs (sheet
# XML compresses 5-20 times; deflate tops out near 1,000); at most OCOP_IMPORT_MAX_PARTS parts.
OCOP_IMPORT_MAX_UNPACKED_BYTES = env_int("OCOP_IMPORT_MAX_UNPACKED_BYTES", 256 * 1024 * 1024)
OCOP_IMPORT_MAX_RATIO = env_int("OCOP_IMPORT_MAX_RATIO", 100)
OCOP_IMPORT_MAX_PARTS = env_int("OCOP_IMPORT_MAX_PARTS", 1000)
# Traceability (docs/traceability.md). Scan counting: "app" counts in the application, "log"
# reads nginx's access log (ocop ingest-scans, when nginx serves cached scans), "off".
OCOP_TRACE_SCAN_COUNTING = env_str("OCOP_TRACE_SCAN_COUNTING", "app")
if OCOP_TRACE_SCAN_COUNTING not in {"app", "log", "off"}:
    raise ImproperlyConfigured(
        f"OCOP_TRACE_SCAN_COUNTING={OCOP_TRACE_SCAN_COUNTING!r}: expected app, log or off"
    )
OCOP_TRACE_NAMESPACE = env_str("OCOP_TRACE_NAMESPACE", "")  # EPCIS user-extension namespace
OCOP_TRACE_FORMER_URLS = env_list("OCOP_TRACE_FORMER_URLS", [])  # earlier public URLs on printed labels
OCOP_TRACE_SCAN_FLUSH_SECONDS = env_int("OCOP_TRACE_SCAN_FLUSH_SECONDS", 5)  # by the background thread
OCOP_TRACE_RESOLVE_CACHE_SECONDS = env_int("OCOP_TRACE_RESOLVE_CACHE_SECONDS", 30)
OCOP_TRACE_RESOLVER_MAX_AGE = env_int("OCOP_TRACE_RESOLVER_MAX_AGE", 300)
OCOP_TRACE_LINKSET_MAX_AGE = env_int("OCOP_TRACE_LINKSET_MAX_AGE", 60)
OCOP_TRACE_SCAN_MAX_AGE = env_int("OCOP_TRACE_SCAN_MAX_AGE", 20)
OCOP_TRACE_DISTANT_KM = env_int("OCOP_TRACE_DISTANT_KM", 300)
OCOP_TRACE_DISTANT_HOURS = env_int("OCOP_TRACE_DISTANT_HOURS", 48)
OCOP_TRACE_REPORTS_PER_HOUR = env_int("OCOP_TRACE_REPORTS_PER_HOUR", 5)
OCOP_TRACE_LOCATES_PER_HOUR = env_int("OCOP_TRACE_LOCATES_PER_HOUR", 10)
OCOP_TRACE_LABELS_MAX = env_int("OCOP_TRACE_LABELS_MAX", 10_000)
OCOP_TRACE_LABELS_INLINE_MAX = env_int("OCOP_TRACE_LABELS_INLINE_MAX", 100)
OCOP_EPCIS_CAPTURE_MAX_BYTES = env_int("OCOP_EPCIS_CAPTURE_MAX_BYTES", 16 * 1024 * 1024)
OCOP_EPCIS_CAPTURE_MAX_EVENTS = env_int("OCOP_EPCIS_CAPTURE_MAX_EVENTS", 10_000)
OCOP_EPCIS_CAPTURE_INLINE_EVENTS = env_int("OCOP_EPCIS_CAPTURE_INLINE_EVENTS", 200)
# A background capture still queued or running after this long was lost (the server stopped):
# `ocop trace_captures_clean` marks it failed and deletes its staged document.
OCOP_EPCIS_CAPTURE_STALE_MINUTES = env_int("OCOP_EPCIS_CAPTURE_STALE_MINUTES", 60)
OCOP_EPCIS_PER_PAGE = env_int("OCOP_EPCIS_PER_PAGE", 30)
OCOP_EPCIS_MAX_PER_PAGE = env_int("OCOP_EPCIS_MAX_PER_PAGE", 1000)
# Times a captured event may state (eventTime, errorDeclaration's declarationTime, sensor times):
# from 1 January of this year (UTC; OCOP began in 2018, GS1 EPCIS in 2007) up to this many hours
# past the server's clock (senders' clocks run ahead). Outside them a time is a typing mistake.
OCOP_EPCIS_EARLIEST_YEAR = env_int("OCOP_EPCIS_EARLIEST_YEAR", 2000)
OCOP_EPCIS_FUTURE_HOURS = env_int("OCOP_EPCIS_FUTURE_HOURS", 24)
if not 1970 <= OCOP_EPCIS_EARLIEST_YEAR <= 9000 or OCOP_EPCIS_FUTURE_HOURS < 0:
    raise ImproperlyConfigured(
        "OCOP_EPCIS_EARLIEST_YEAR must be a year from 1970 to 9000 and OCOP_EPCIS_FUTURE_HOURS not negative"
    )
# How deep arrays and objects may nest in a captured document (GS1's examples reach 7; JSON-LD
# contexts and extensions a few more). Deeper is refused before anything walks it.
OCOP_EPCIS_MAX_DEPTH = env_int("OCOP_EPCIS_MAX_DEPTH", 32)
# A document's own @context entries (beyond GS1's) travel with each of its events: at most this
# many characters of compact JSON, or 10,000 events would each store a copy of a large one.
OCOP_EPCIS_MAX_CONTEXT_CHARS = env_int("OCOP_EPCIS_MAX_CONTEXT_CHARS", 10_000)
# Catalogue and buyer enquiries (docs/catalogue.md). Rate limits and caches are per process
# unless REDIS_URL is set: with several server processes, set it.
# The index is brought up to date this often by periodic work (ocop/jobs/periodic.py), never
# by a page; the freshness docs/catalogue.md promises.
OCOP_CATALOGUE_REFRESH_SECONDS = env_int("OCOP_CATALOGUE_REFRESH_SECONDS", 30)
OCOP_OPEN_DATA_CACHE_SECONDS = env_int("OCOP_OPEN_DATA_CACHE_SECONDS", 300)
OCOP_ENQUIRY_LIMIT_PER_HOUR = env_int("OCOP_ENQUIRY_LIMIT_PER_HOUR", 5)  # per client address
OCOP_ENQUIRY_LIMIT_PER_DAY = env_int("OCOP_ENQUIRY_LIMIT_PER_DAY", 10)  # per client address
OCOP_ENQUIRY_LIMIT_PER_PRODUCER_PER_DAY = env_int("OCOP_ENQUIRY_LIMIT_PER_PRODUCER_PER_DAY", 30)
OCOP_ENQUIRY_MAX_LINKS = env_int("OCOP_ENQUIRY_MAX_LINKS", 2)
OCOP_ENQUIRY_MIN_SECONDS = env_int("OCOP_ENQUIRY_MIN_SECONDS", 3)  # a form sent faster is a robot
OCOP_ENQUIRY_RETENTION_DAYS = env_int("OCOP_ENQUIRY_RETENTION_DAYS", 365)  # ocop enquiries-forget, daily
# Dashboards' figures are cached under a data version that database triggers change on every
# write (ocop/monitoring/models.py: DataVersion), so this is only how long unused entries stay;
# 0 turns the cache off.
OCOP_DASHBOARD_CACHE_SECONDS = env_int("OCOP_DASHBOARD_CACHE_SECONDS", 24 * 3600)
OCOP_EVIDENCE_MAX_BYTES = env_int("OCOP_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)  # one evidence file
OCOP_DOSSIER_MAX_BYTES = env_int("OCOP_DOSSIER_MAX_BYTES", 200 * 1024 * 1024)  # a whole dossier
# Days before expiry when producers and officers are told (ocop send_expiry_notices), e.g. "90,30".
_notice_days = env_list("OCOP_EXPIRY_NOTICE_DAYS", ["90", "30"])
if not all(day.isdigit() for day in _notice_days):
    raise ImproperlyConfigured(
        f"OCOP_EXPIRY_NOTICE_DAYS={','.join(_notice_days)!r}: expected days, e.g. 90,30"
    )
OCOP_EXPIRY_NOTICE_DAYS = tuple(int(day) for day in _notice_days)

# Security. Production defaults are strict; each can be relaxed from the environment behind a proxy.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # htmx sends the token from hx-headers in base.html, not from the cookie
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", PRODUCTION)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", PRODUCTION)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", PRODUCTION)
if env_bool("OCOP_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Content-Security-Policy of every response (ocop.web.middleware.ContentSecurityPolicyMiddleware),
# written as Django 6's setting of the same name. Scripts only from our static files (htmx
# included): no inline script, no handler attributes, no eval (tests/test_security_headers.py).
# Styles allow 'unsafe-inline': dashboards draw meters and legend swatches with data-driven
# style attributes, and the scan page carries its small stylesheet inline to load in one request
# on a shopper's phone; inline styles cannot run code. data: images for the API documentation.
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

# Background work. "thread": in the web process, no broker (the embedded default on SQLite);
# "database": queued in the database and run by `ocop db_worker` processes (PostgreSQL, scales
# out); "immediate": run inline (tests).
_TASK_BACKENDS = {
    "thread": "ocop.jobs.backends.ThreadBackend",
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
OCOP_TASKS_BACKEND = (env_str("OCOP_TASKS_BACKEND", "thread") or "thread").strip().lower()
if OCOP_TASKS_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"OCOP_TASKS_BACKEND={OCOP_TASKS_BACKEND!r}: expected one of {', '.join(_TASK_BACKENDS)}"
    )
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[OCOP_TASKS_BACKEND]}}
# How many runs a job of a kind that may run again (an import: one transaction) gets in all when
# the process running it dies (killed, out of memory); after the last it is marked failed.
OCOP_JOB_MAX_ATTEMPTS = env_int("OCOP_JOB_MAX_ATTEMPTS", 3)
# Periodic work (the catalogue's index, scan counts, the data version; ocop/jobs/periodic.py)
# runs in one background thread per web process, started by its first request. Tests run it
# themselves.
OCOP_BACKGROUND_THREAD = env_bool("OCOP_BACKGROUND_THREAD", True)

# E-mail (notices of expiry, council invitations): SMTP in production, printed to the console
# in development, kept in memory by the tests.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "OCOP <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Domain settings. Rules the programme may change are settings or data, not constants in code.
# Certificates are valid 36 months from the decision (QĐ 148; OCOP.md §5.6, confirmed by two sources).
OCOP_RECOGNITION_VALIDITY_MONTHS = env_int("OCOP_RECOGNITION_VALIDITY_MONTHS", 36)
OCOP_PAGE_SIZE = env_int("OCOP_PAGE_SIZE", 50)
# An API write to a versioned record (producer, product, target) may send the ETag it read in
# If-Match; a stale one is refused (412). True also refuses writes without If-Match (428): turn
# it on once every client sends it. False accepts them as before.
OCOP_API_REQUIRE_IF_MATCH = env_bool("OCOP_API_REQUIRE_IF_MATCH", False)
# Criteria set files (YAML): the sets shipped with the platform, plus any directories listed
# here (colon-separated), so the central office can add sets without a code change.
OCOP_CRITERIA_DIRS = [PACKAGE_DIR / "criteria" / "data" / "sets"] + [
    Path(p) for p in (env_str("OCOP_CRITERIA_DIRS") or "").split(":") if p.strip()
]

# ---- Production: logs, health, database routing (docs/operations.md) -------------------------
# One JSON line per request on the "ocop.requests" logger (ocop.web.middleware.RequestLogMiddleware):
# {"method", "path", "status", "ms", "user"}, after the time and logger name. OCOP_REQUEST_LOG=0
# turns it off (nginx's access log may be enough on a small site).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "request": {"format": "%(asctime)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "requests": {"class": "logging.StreamHandler", "formatter": "request"},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # fontTools writes dozens of INFO lines for every PDF that embeds a font subset.
        "fontTools": {"level": "WARNING"},
        "ocop.requests": {
            "handlers": ["requests"],
            "propagate": False,
            **({} if env_bool("OCOP_REQUEST_LOG", True) else {"level": "WARNING"}),
        },
        # Django's own line for every 4xx/5xx repeats what the request line says.
        "django.request": {"level": "ERROR"},
    },
}
# /health/ (ocop/web/health.py) answers load balancers that ask the process directly over plain
# HTTP: never redirected to HTTPS.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
# A database or cache that cannot be reached must fail a request in seconds (503), not hang it
# until the server's worker timeout: PostgreSQL's connection attempt and Redis' socket are bounded.
OCOP_DB_CONNECT_TIMEOUT_SECONDS = env_int("OCOP_DB_CONNECT_TIMEOUT_SECONDS", 3)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A persistent connection cut by a PostgreSQL restart is found dead before the request uses
    # it (one SELECT 1 per request that reuses a connection), instead of failing that request.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = env_bool("DB_CONN_HEALTH_CHECKS", True)
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", OCOP_DB_CONNECT_TIMEOUT_SECONDS
    )
if REDIS_URL:
    CACHES["default"]["OPTIONS"] = {"socket_connect_timeout": 2, "socket_timeout": 2}
# Public reads from a PostgreSQL streaming replica (ocop/dbrouter.py): the catalogue and open
# data, for people not signed in, while the replica is at most OCOP_REPLICA_MAX_LAG_SECONDS
# behind; scan pages, product pages (a revocation shows at once) and officers' pages always read
# the primary. Without OCOP_REPLICA_URL there is one database and no router.
OCOP_REPLICA_URL = env_str("OCOP_REPLICA_URL")
OCOP_REPLICA_PATHS = env_list("OCOP_REPLICA_PATHS", ["/catalogue/", "/open-data/"])
OCOP_REPLICA_FRESH_PATHS = env_list("OCOP_REPLICA_FRESH_PATHS", ["/catalogue/enquiries/"])
OCOP_REPLICA_MAX_LAG_SECONDS = env_int("OCOP_REPLICA_MAX_LAG_SECONDS", 5)
if OCOP_REPLICA_URL:
    try:
        DATABASES["replica"] = dj_database_url.parse(
            OCOP_REPLICA_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60)
        )
    except ValueError as exc:
        raise ImproperlyConfigured(f"OCOP_REPLICA_URL is not a database URL: {exc}") from None
    if DATABASES["replica"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("OCOP_REPLICA_URL must name a PostgreSQL streaming replica")
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", OCOP_DB_CONNECT_TIMEOUT_SECONDS
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["ocop.dbrouter.ReplicaRouter"]
    MIDDLEWARE.insert(1, "ocop.dbrouter.ReplicaReadsMiddleware")
# ---- end of the production block ----------------------------------------------------------------
