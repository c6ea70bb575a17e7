"""Settings, read from the environment (django-environ) with embedded-mode defaults."""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("DOMOVOY_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# --- Safe by default (item 8 of issue 9): DEBUG only when asked (the embedded demo of
# `make run` asks), and never the public key without DEBUG.
DEBUG = env.bool("DEBUG", default=False)
PUBLIC_SECRET_KEY = "domovoy-embedded-insecure-key-change-me"
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = PUBLIC_SECRET_KEY
if not DEBUG and SECRET_KEY in ("", PUBLIC_SECRET_KEY):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a private random value when DEBUG is off "
        "(see docs/operations.md); set DEBUG=1 only for the embedded demo."
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "axes",
    "csp",
    "rules.apps.AutodiscoverRulesConfig",
    "simple_history",
    "huey.contrib.djhuey",
    "domovoy.core",
    "domovoy.directory",
    "domovoy.onboarding",
    "domovoy.feedback",
    "domovoy.announcements",
    "domovoy.audit",
    "domovoy.api",
    "domovoy.web",
    "domovoy.demo",
    "domovoy.servicedesk",
    "domovoy.workorders",
    "domovoy.notifications",
    "domovoy.outages",
    "domovoy.residents",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "domovoy.web.middleware.MustChangePasswordMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A service's refusal a page let through: a small page with the API's status (issue 10).
    "domovoy.web.middleware.ServiceErrorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    # Last: sees the views' 403/404 on personal-data routes (item 10 of issue 9).
    "domovoy.audit.middleware.RefusedAccessMiddleware",
]

ROOT_URLCONF = "domovoy.urls"
WSGI_APPLICATION = "domovoy.wsgi.application"

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
                "domovoy.web.context.navigation",
            ],
        },
    },
]

# --- Database: SQLite file under var/ by default, PostgreSQL through DATABASE_URL.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'domovoy.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"].setdefault("OPTIONS", {})
    # WAL lets the worker and the web server read while the other writes; IMMEDIATE
    # transactions take the write lock at BEGIN, so concurrent writers wait (timeout) instead
    # of failing with "database is locked" when a reader upgrades to a writer.
    DATABASES["default"]["OPTIONS"].update(
        {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    # A file (not :memory:) so that a real worker process can see the test database.
    # TEST_DB_SUFFIX lets parallel test runs on one machine use separate files.
    _test_db = f"test_domovoy{env.str('TEST_DB_SUFFIX', default='')}.sqlite3"
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / _test_db)}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "directory.User"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Background work: Huey (SQLite file in the embedded mode, Redis at scale).
HUEY_IMMEDIATE = env.bool("HUEY_IMMEDIATE", default=False)
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": env.str("HUEY_NAME", default="domovoy"),
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": env.str("HUEY_NAME", default="domovoy"),
        "filename": env.str("HUEY_FILE", default=str(VAR_DIR / "huey.sqlite3")),
        "immediate": HUEY_IMMEDIATE,
    }
HUEY["consumer"] = {"workers": env.int("HUEY_WORKERS", default=2), "worker_type": "thread"}

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Residents sign in with their confirmed phone or e-mail too (domovoy.residents).
    "domovoy.residents.backends.ResidentContactBackend",
    # The ЕСИА seam: inert unless the OIDC_* settings below are set.
    "domovoy.residents.oidc.ResidentOIDCBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout after repeated failures (S1).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

from django.utils.translation import gettext_lazy as _lazy  # noqa: E402

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", "Русский"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "domovoy" / "locale"]
# The empty choice of every django-filter select («все», not «---------»; issue 12).
FILTERS_EMPTY_CHOICE_LABEL = _lazy("все")
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Moscow")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Private files (S5): every upload lives under PRIVATE_MEDIA_ROOT, outside MEDIA_ROOT and any
# public URL, and leaves only through a download view that asked a permission
# (domovoy.core.private_files). PRIVATE_FILES_SERVER: "django" streams the file (embedded
# mode), "nginx" answers X-Accel-Redirect to PRIVATE_FILES_NGINX_LOCATION (an internal
# location aliased to PRIVATE_MEDIA_ROOT), "apache" answers X-Sendfile (docs/operations.md).
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private")))
PRIVATE_FILES_SERVER = env.str("PRIVATE_FILES_SERVER", default="django")
PRIVATE_FILES_NGINX_LOCATION = env.str("PRIVATE_FILES_NGINX_LOCATION", default="/_private/")
if PRIVATE_FILES_SERVER not in ("django", "nginx", "apache"):
    raise environ.ImproperlyConfigured("PRIVATE_FILES_SERVER must be django, nginx or apache")

EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="noreply@domovoy.local")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "domovoy.api.auth.LoggedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "domovoy.api.errors.exception_handler",
}
# API throttles (domovoy.api.throttles): the intake (filing service requests and onboarding
# requests) is limited per channel, "number/period" (s, min, hour, day). An integration is
# counted per agreement and an agreement may set its own rate (IntegrationAgreement.throttle_rate);
# a session per person; an anonymous caller per client address (domovoy.core.client_address).
API_THROTTLE_INTAKE_INTEGRATION = env.str("API_THROTTLE_INTAKE_INTEGRATION", default="600/min")
API_THROTTLE_INTAKE_SESSION = env.str("API_THROTTLE_INTAKE_SESSION", default="30/min")
API_THROTTLE_INTAKE_ANONYMOUS = env.str("API_THROTTLE_INTAKE_ANONYMOUS", default="10/min")
# Rate limits of the HTML forms per client address (domovoy.core.ratelimit), "number/period"
# where the period may carry a multiple ("10/10min"). Login: across usernames (django-axes locks
# out one username); onboarding: the public connection request form.
RATE_LIMIT_LOGIN = env.str("RATE_LIMIT_LOGIN", default="20/min")
RATE_LIMIT_ONBOARDING_INTAKE = env.str("RATE_LIMIT_ONBOARDING_INTAKE", default="10/10min")
# Bounds of API input (S7): one JSON parser caps the body size and the nesting depth
# (domovoy/api/parsers.py); Django's field limit answers 400 for thousands of query or form
# parameters alike (both parse through QueryDict).
REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"] = [
    "domovoy.api.parsers.BoundedJSONParser",
    "rest_framework.parsers.FormParser",
    "rest_framework.parsers.MultiPartParser",
]
API_JSON_MAX_BYTES = env.int("API_JSON_MAX_BYTES", default=2 * 1024 * 1024)
API_JSON_MAX_DEPTH = env.int("API_JSON_MAX_DEPTH", default=32)
DATA_UPLOAD_MAX_NUMBER_FIELDS = env.int("DATA_UPLOAD_MAX_NUMBER_FIELDS", default=1000)
REST_KNOX = {"TOKEN_TTL": None, "AUTO_REFRESH": False}
SPECTACULAR_SETTINGS = {
    "TITLE": "Domovoy API",
    "DESCRIPTION": "Open platform for housing and utility services",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Several apps expose subsets of the same choices; name the enums once.
    "ENUM_NAME_OVERRIDES": {
        "OrgKindEnum": "domovoy.directory.models.OrgKind",
        "FeedbackKindEnum": "domovoy.feedback.models.FeedbackKind.choices",
        "FeedbackStatusEnum": "domovoy.feedback.models.FeedbackStatus.choices",
        "AudienceEnum": "domovoy.announcements.models.Audience.choices",
    },
}

# --- Domain settings
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")  # links in worker e-mails
MAP_TILE_URL = env.str("MAP_TILE_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env.str("MAP_TILE_ATTRIBUTION", default="© OpenStreetMap")
MAP_CENTER = env.list("MAP_CENTER", cast=float, default=[57.7665, 40.9269])
# R17: open data (the public map, list, API and download of requests without personal data).
OPEN_DATA_ENABLED = env.bool("OPEN_DATA_ENABLED", default=True)
CALENDAR_COUNTRY = env.str("CALENDAR_COUNTRY", default="RU")
ONBOARDING_DEADLINE_WORKING_DAYS = env.int("ONBOARDING_DEADLINE_WORKING_DAYS", default=5)
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=50 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES
# Uploaded content is bounded before parsing (S7, domovoy/core/uploads.py): pixels of an image,
# the members, sizes and compression ratio of a zip (XLSX, DOCX, ODT), the length of a cell.
UPLOAD_IMAGE_MAX_PIXELS = env.int("UPLOAD_IMAGE_MAX_PIXELS", default=40_000_000)
UPLOAD_ZIP_MAX_MEMBERS = env.int("UPLOAD_ZIP_MAX_MEMBERS", default=1000)
UPLOAD_ZIP_MAX_MEMBER_BYTES = env.int("UPLOAD_ZIP_MAX_MEMBER_BYTES", default=200 * 1024 * 1024)
UPLOAD_ZIP_MAX_TOTAL_BYTES = env.int("UPLOAD_ZIP_MAX_TOTAL_BYTES", default=300 * 1024 * 1024)
UPLOAD_ZIP_MAX_RATIO = env.int("UPLOAD_ZIP_MAX_RATIO", default=100)
UPLOAD_XLSX_MAX_CELL_CHARS = env.int("UPLOAD_XLSX_MAX_CELL_CHARS", default=32767)
# Onboarding files are always checked by the worker; an approved request is loaded by the worker
# above this many rows. A job holds a lease renewed by its progress; the sweeper re-queues a job
# whose lease ran out, up to the given attempts.
ONBOARDING_ASYNC_ROWS = env.int("ONBOARDING_ASYNC_ROWS", default=5000)
ONBOARDING_JOB_LEASE_SECONDS = env.int("ONBOARDING_JOB_LEASE_SECONDS", default=300)
ONBOARDING_JOB_MAX_ATTEMPTS = env.int("ONBOARDING_JOB_MAX_ATTEMPTS", default=3)

# --- Service requests (R7-R11): files residents and staff may attach, the work order that
# proves a completion, deadlines and closing rules. The only copy of these defaults.
SERVICEDESK_UPLOAD_TYPES = env.list(
    "SERVICEDESK_UPLOAD_TYPES",
    default=["jpg", "jpeg", "png", "webp", "pdf", "doc", "docx", "xls", "xlsx", "odt"],
)
SERVICEDESK_UPLOAD_MAX_BYTES = env.int("SERVICEDESK_UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
SERVICEDESK_UPLOAD_MAX_FILES = env.int("SERVICEDESK_UPLOAD_MAX_FILES", default=5)
SERVICEDESK_WORK_ORDER_REQUIRED = env.bool("SERVICEDESK_WORK_ORDER_REQUIRED", default=True)
# Confirming documents of workflow actions (R9, R10).
SERVICEDESK_DOCUMENT_EXTENSIONS = env.list(
    "SERVICEDESK_DOCUMENT_EXTENSIONS",
    default=["pdf", "jpg", "jpeg", "png", "heic", "tif", "tiff", "doc", "docx"],
)
SERVICEDESK_DOCUMENT_MAX_BYTES = env.int("SERVICEDESK_DOCUMENT_MAX_BYTES", default=20 * 1024 * 1024)
# R8 (U 3.5.2д, G 3.4.2): an emergency crew within this many minutes of the request's creation.
SERVICEDESK_CREW_DISPATCH_MINUTES = env.int("SERVICEDESK_CREW_DISPATCH_MINUTES", default=30)
# R11 (U 3.2.1а): a request may be closed when the resident "did not answer the phone more than
# three times".
SERVICEDESK_UNANSWERED_CALLS_LIMIT = env.int("SERVICEDESK_UNANSWERED_CALLS_LIMIT", default=3)
# R14: a request on the same building (and premises where known) and topic filed within this
# many days of an earlier one is linked to it as a repeat.
SERVICEDESK_REPEAT_WINDOW_DAYS = env.int("SERVICEDESK_REPEAT_WINDOW_DAYS", default=30)
# R13 (M 115.бел): the satisfaction survey of requests closed the previous day goes out every
# morning at this local hour (TIME_ZONE), for requests filed through these channels.
SERVICEDESK_SURVEY_HOUR = env.int("SERVICEDESK_SURVEY_HOUR", default=9)
SERVICEDESK_SURVEY_CHANNELS = env.list(
    "SERVICEDESK_SURVEY_CHANNELS", default=["web", "app", "call_centre"]
)
# R13: the control body decides a resident's appeal within this many working days.
SERVICEDESK_APPEAL_WORKING_DAYS = env.int("SERVICEDESK_APPEAL_WORKING_DAYS", default=3)
# The words residents see for statuses, JSON {"status": "word"} overriding any of the defaults
# (domovoy.servicedesk.resident_words.STATUSES), e.g. a deployment in Belarusian.
SERVICEDESK_RESIDENT_STATUS_WORDS = env.json("SERVICEDESK_RESIDENT_STATUS_WORDS", default={})
# R10: a UO's verification needs the signed act (or quality card) on these territories (ids or
# names, a territory counts for everything under it); "*" = everywhere; empty = nowhere.
_evidence = env.list("SERVICEDESK_VERIFICATION_EVIDENCE_REQUIRED", default=[])
SERVICEDESK_VERIFICATION_EVIDENCE_REQUIRED = True if _evidence == ["*"] else _evidence

# --- Accepted file types of other uploads: the spreadsheets of onboarding (D5), licence scans
# of management companies (D1, D5), files of help articles; their size is UPLOAD_MAX_BYTES.
ONBOARDING_FILE_TYPES = env.list("ONBOARDING_FILE_TYPES", default=["xlsx", "csv"])
LICENSE_SCAN_TYPES = env.list("LICENSE_SCAN_TYPES", default=["pdf", "jpg", "jpeg", "png"])
HELP_FILE_TYPES = env.list("HELP_FILE_TYPES", default=["pdf", "doc", "docx", "odt", "rtf", "txt"])

# --- Outages (O1, O3): the minimum notice of a planned outage per responsible network, and
# whether residents are told when an outage ends.
OUTAGES_MIN_NOTICE_DAYS = env.json(
    "OUTAGES_MIN_NOTICE_DAYS", default={"supplier": 10, "in_building": 10}
)
OUTAGES_NOTIFY_COMPLETION = env.bool("OUTAGES_NOTIFY_COMPLETION", default=True)

# --- Notifications (N1, O3). An empty gateway setting switches that channel off.
NOTIFICATIONS_TIME_ZONE = env.str("NOTIFICATIONS_TIME_ZONE", default=TIME_ZONE)
NOTIFICATIONS_QUIET_START = env.str("NOTIFICATIONS_QUIET_START", default="22:00")
NOTIFICATIONS_QUIET_END = env.str("NOTIFICATIONS_QUIET_END", default="08:00")
# A failed delivery is retried (N1): waits of BASE × 2^n capped at MAX_SECONDS, for
# RETRY_FOR_HOURS from the first failure of the round; then the row is failed for good (the
# technical operator may start a new round from the outbox page). MAX_ATTEMPTS is a safety cap
# on the attempts of one round (a row that kills every worker), above what the period allows.
NOTIFICATIONS_MAX_ATTEMPTS = env.int("NOTIFICATIONS_MAX_ATTEMPTS", default=50)
NOTIFICATIONS_RETRY_BASE_SECONDS = env.int("NOTIFICATIONS_RETRY_BASE_SECONDS", default=60)
NOTIFICATIONS_RETRY_MAX_SECONDS = env.int("NOTIFICATIONS_RETRY_MAX_SECONDS", default=3600)
NOTIFICATIONS_RETRY_FOR_HOURS = env.float("NOTIFICATIONS_RETRY_FOR_HOURS", default=24)
NOTIFICATIONS_LEASE_SECONDS = env.int("NOTIFICATIONS_LEASE_SECONDS", default=120)
NOTIFICATIONS_RETENTION_DAYS = env.int("NOTIFICATIONS_RETENTION_DAYS", default=180)
NOTIFICATIONS_SITE_URL = env.str("NOTIFICATIONS_SITE_URL", default="")
NOTIFICATIONS_SMS_URL = env.str("NOTIFICATIONS_SMS_URL", default="")
NOTIFICATIONS_SMS_TOKEN = env.str("NOTIFICATIONS_SMS_TOKEN", default="")
NOTIFICATIONS_SMS_SENDER = env.str("NOTIFICATIONS_SMS_SENDER", default="")
NOTIFICATIONS_TELEGRAM_API_URL = env.str(
    "NOTIFICATIONS_TELEGRAM_API_URL", default="https://api.telegram.org"
)
NOTIFICATIONS_TELEGRAM_BOT_TOKEN = env.str("NOTIFICATIONS_TELEGRAM_BOT_TOKEN", default="")
NOTIFICATIONS_TELEGRAM_BOT_NAME = env.str("NOTIFICATIONS_TELEGRAM_BOT_NAME", default="")
NOTIFICATIONS_TELEGRAM_WEBHOOK_SECRET = env.str("NOTIFICATIONS_TELEGRAM_WEBHOOK_SECRET", default="")
NOTIFICATIONS_VAPID_PRIVATE_KEY = env.str("NOTIFICATIONS_VAPID_PRIVATE_KEY", default="")
NOTIFICATIONS_VAPID_PUBLIC_KEY = env.str("NOTIFICATIONS_VAPID_PUBLIC_KEY", default="")
NOTIFICATIONS_VAPID_SUBJECT = env.str(
    "NOTIFICATIONS_VAPID_SUBJECT", default="mailto:admin@localhost"
)
# The browsers' push services a web push subscription may point to (a host or its subdomains):
# Chrome, Edge, Opera, Yandex Browser; Firefox; legacy Edge; Safari.
NOTIFICATIONS_PUSH_SERVICE_HOSTS = env.list(
    "NOTIFICATIONS_PUSH_SERVICE_HOSTS",
    default=[
        "fcm.googleapis.com",
        "push.services.mozilla.com",
        "notify.windows.com",
        "push.apple.com",
    ],
)

# --- The resident's way in (issue 12, domovoy.residents): confirmation codes sent by SMS or
# e-mail, their life and wrong entries; how often codes may be sent per address and per client
# address; account-linking attempts per person; how long a UO's link code lives.
RESIDENTS_CODE_TTL_MINUTES = env.int("RESIDENTS_CODE_TTL_MINUTES", default=10)
RESIDENTS_CODE_MAX_ATTEMPTS = env.int("RESIDENTS_CODE_MAX_ATTEMPTS", default=5)
RESIDENTS_LINK_CODE_DAYS = env.int("RESIDENTS_LINK_CODE_DAYS", default=30)
RATE_LIMIT_CODE_PER_ADDRESS = env.str("RATE_LIMIT_CODE_PER_ADDRESS", default="3/10min")
RATE_LIMIT_CODE_PER_CLIENT = env.str("RATE_LIMIT_CODE_PER_CLIENT", default="10/hour")
RATE_LIMIT_ACCOUNT_LINK = env.str("RATE_LIMIT_ACCOUNT_LINK", default="10/hour")
# ЕСИА (Госуслуги) or any OpenID Connect provider (mozilla-django-oidc): on when the client id
# and the three endpoints are set (domovoy.residents.oidc).
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default="Госуслуги")
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_RP_SIGN_ALGO = env.str("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env.str("OIDC_RP_SCOPES", default="openid email phone profile")
OIDC_TRUST_UNVERIFIED_CLAIMS = env.bool("OIDC_TRUST_UNVERIFIED_CLAIMS", default=False)
OIDC_TIMEOUT = env.int("OIDC_TIMEOUT", default=10)
OIDC_USE_PKCE = True
OIDC_AUTHENTICATE_CLASS = "domovoy.residents.oidc.AuthenticateView"
OIDC_CALLBACK_CLASS = "domovoy.residents.oidc.CallbackView"

# --- HTTPS and browser protections (item 8 of issue 9). Production is served over HTTPS by the
# reverse proxy of docs/operations.md; HTTPS defaults to on when SITE_URL is an https:// address
# and switches on everything `manage.py check --deploy` asks for.
HTTPS = env.bool("HTTPS", default=SITE_URL.startswith("https://"))
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=HTTPS)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=HTTPS)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=HTTPS)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = CSRF_COOKIE_HTTPONLY = LANGUAGE_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# The reverse proxies in front of the web processes (addresses or CIDRs, e.g.
# "127.0.0.1,10.0.0.0/8"). Only their X-Forwarded-For and X-Forwarded-Proto are believed:
# domovoy.core.client_address takes the rightmost X-Forwarded-For hop that is not one of them.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
if TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
AXES_CLIENT_IP_CALLABLE = "domovoy.core.client_address.client_address"

# Where to report a vulnerability (docs/security.md, the «SECURITY» section).
SECURITY_CONTACT = env.str("SECURITY_CONTACT", default="security@domovoy.local")


def _tile_source(url):
    """scheme://host of the map tile template, "{s}" subdomains as a wildcard."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    host = parts.netloc
    if "{" in host:
        host = "*." + host.split("}", 1)[1].lstrip(".") if host.startswith("{") else host
    return f"{parts.scheme}://{host}"


# Content Security Policy (django-csp), enforced in every mode, tests included. Inline scripts
# carry request.csp_nonce; inline event handler attributes are not allowed (web/behaviours.js).
# Styles allow 'unsafe-inline': Leaflet positions tiles and markers with inline styles and
# Bootstrap components set them at run time (docs/decisions.md).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:", "blob:", *filter(None, [_tile_source(MAP_TILE_URL)])],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
