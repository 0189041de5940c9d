"""Settings of the CNML back-office.

Everything that changes between machines comes from environment variables (a
``.env`` file at the project root is read when present; variables already set
in the environment win). Each one is documented in ``docs/environment.md`` and
listed in ``.env.example``. Invalid values stop the start with a clear message
rather than running half-configured.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from cnml.envvars import bounded_int, env, env_value, ip_networks, strict_bool
from cnml.proconnect_config import SCOPES as PROCONNECT_SCOPES
from cnml.proconnect_config import VARIABLES as PROCONNECT_VARIABLES
from cnml.proconnect_config import proconnect_settings
from cnml.spreadsheets import ADMIN_EXPORT_FORMATS, ADMIN_IMPORT_FORMATS

BASE_DIR = Path(__file__).resolve().parent.parent

environ.Env.read_env(BASE_DIR / ".env")


DEBUG = env_value("DEBUG", strict_bool, False)

# The secret shipped in .env.example is for development only. Production
# (DEBUG off) refuses to start without a real one, rather than signing sessions
# and password-reset tokens with a public value.
DEV_SECRET_KEY_PREFIX = "django-insecure-"
SECRET_KEY = env.str("SECRET_KEY", default="")
if not DEBUG and (not SECRET_KEY or SECRET_KEY.startswith(DEV_SECRET_KEY_PREFIX) or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "SECRET_KEY manquante ou non sûre : en production (DEBUG=false), définissez une clé "
        "secrète d'au moins 50 caractères qui ne commence pas par "
        f"« {DEV_SECRET_KEY_PREFIX} » (voir docs/environment.md)."
    )
if DEBUG and not SECRET_KEY:
    SECRET_KEY = DEV_SECRET_KEY_PREFIX + "local-development-key-never-used-in-production"

ALLOWED_HOSTS = [
    host for host in env_value("ALLOWED_HOSTS", env.list, ["127.0.0.1", "localhost"] if DEBUG else []) if host.strip()
]
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS doit être défini en production (DEBUG=false).")
CSRF_TRUSTED_ORIGINS = env_value("CSRF_TRUSTED_ORIGINS", env.list, [])
# Reverse proxies whose X-Forwarded-For is believed (cnml/clientip.py); empty: REMOTE_ADDR only.
TRUSTED_PROXIES = ip_networks("TRUSTED_PROXIES")

# Absolute address of the service: every link e-mailed or printed is built on it (cnml/links.py), never on
# the request's Host header (password-reset poisoning); e-mails are rendered by workers, with no request.
SITE_URL = env_value("SITE_URL", env.str, "http://127.0.0.1:8000" if DEBUG else "").rstrip("/")
if not DEBUG and not SITE_URL.startswith("https://"):
    raise ImproperlyConfigured("SITE_URL doit être l'adresse https:// du service en production (DEBUG=false).")

SITE_NAME = "Back-office du Conseil national des missions locales"
SITE_TAGLINE = "Tableau de bord, bonnes pratiques, enquêtes et appels à projets du réseau"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "dsfr",
    "widget_tweaks",
    "crispy_forms",
    # Widget templates for FORM_RENDERER = TemplatesSetting; after "dsfr", whose overrides win.
    "django.forms",
    "import_export",
    "django_celery_beat",
    "axes",
    "csp",
    # The request id on every log line and in the work a request owes (cnml/requestid.py).
    "django_guid",
    # The shared core first: the apps below depend on it, never the reverse.
    "cnml",
    "dashboard",
    "practices",
    "surveys",
    "mobility",
    "alternance",
    # Backups (manage.py dbbackup, mediabackup…): after "cnml", whose mediabackup and mediarestore
    # (the private uploads, cnml/backups.py) take the place of django-dbbackup's (MEDIA_ROOT).
    "dbbackup",
]

MIDDLEWARE = [
    # Counts every request and its duration for /metrics/ (cnml/metrics.py), with its "after" pair below.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # The request id (X-Request-ID from nginx, or a new one) before anything logs.
    "django_guid.middleware.guid_middleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After the messages: tells the user when the work a request owes waits for a service.
    "cnml.outbox.DelayedWorkMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Sees every response the client gets, Axes' lock-out included (the "before" one is first).
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    # Axes must come last: it reads the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

if not DEBUG:
    # Serves collected static files in production; in development the
    # staticfiles app serves them from the finders.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
        "whitenoise.middleware.WhiteNoiseMiddleware",
    )

ROOT_URLCONF = "cnml.urls"
WSGI_APPLICATION = "cnml.wsgi.application"

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
                "cnml.context_processors.site",
            ],
        },
    },
]

# Database: SQLite file by default (no server needed), PostgreSQL in production.
DATABASES = {
    "default": env_value("DATABASE_URL", env.db_url, f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env_value("DATABASE_CONN_MAX_AGE", env.int, 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Parallel writers on the embedded default wait their turn instead of failing with "database is
    # locked" (a 500): WAL lets readers run beside the writer, a transaction takes the write lock when
    # it begins (BEGIN IMMEDIATE; a deferred one that read first cannot upgrade past another writer),
    # and a writer waits up to 20 s for the lock.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL", "transaction_mode": "IMMEDIATE", "timeout": 20}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "cnml.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Sign-in through ProConnect (cnml/proconnect.py): inert unless PROCONNECT_* are set.
    "cnml.proconnect.ProConnectBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # one day
# Password-reset throttle, counted in the database so that it holds while Redis is down
# (cnml/password_reset.py): beyond it the page answers as usual and sends nothing.
PASSWORD_RESET_EMAILS_PER_ACCOUNT = 3
PASSWORD_RESET_REQUESTS_PER_ADDRESS = 10
PASSWORD_RESET_THROTTLE_WINDOW = timedelta(hours=1)

# Login throttling: after 5 failures for one e-mail from one address, wait 30 minutes.
AXES_ENABLED = env_value("AXES_ENABLED", strict_bool, True)
AXES_FAILURE_LIMIT = env_value("AXES_FAILURE_LIMIT", env.int, 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_value("AXES_COOLOFF_MINUTES", env.int, 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The login form posts the e-mail as "username"; lowered, as log-in ignores case.
AXES_USERNAME_CALLABLE = "cnml.throttling.axes_username"
AXES_RESET_ON_SUCCESS = True
# The client behind the reverse proxy, as the survey limit and the password reset see it.
AXES_CLIENT_IP_CALLABLE = "cnml.clientip.client_ip"
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_VERBOSE = False

# Sign-in through ProConnect (OpenID Connect, mozilla-django-oidc; cnml/proconnect.py): on when the
# three PROCONNECT_* variables are set, off (no button) when none is; one missing stops the start.
PROCONNECT = proconnect_settings({name: env.str(name, default="") for name in PROCONNECT_VARIABLES})
vars().update(PROCONNECT)
OIDC_RP_SCOPES = PROCONNECT_SCOPES
# The algorithm registered with ProConnect for the ID token and the signed userinfo (application/jwt).
OIDC_RP_SIGN_ALGO = "RS256"
# No account and no right is ever created by signing in: accounts and roles are the back-office's.
OIDC_CREATE_USER = False
# Kept for the sign-out, which ends the ProConnect session too (id_token_hint).
OIDC_STORE_ID_TOKEN = True
OIDC_AUTHENTICATION_CALLBACK_URL = "proconnect_callback"
OIDC_TIMEOUT = 10

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
# First among the catalogues: the French the admin's libraries lack (django-celery-beat, django-axes).
LOCALE_PATHS = [BASE_DIR / "cnml" / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
# Numbers are formatted explicitly (cnml_format filters): a global separator would print years as "2 011".
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_value("MEDIA_ROOT", env.str, str(BASE_DIR / "media")))
# Private uploads (attachments, documents) live outside MEDIA_ROOT and are only
# served through views that check permissions.
PRIVATE_MEDIA_ROOT = Path(env_value("PRIVATE_MEDIA_ROOT", env.str, str(BASE_DIR / "private-media")))


def _backup_dir(name: str, default: Path) -> Path:
    """The backups' folder: an absolute path outside the uploads (a media backup would hold the older ones)."""
    path = Path(env_value(name, env.str, str(default)))
    inside = [root for root in (PRIVATE_MEDIA_ROOT, MEDIA_ROOT) if path == root or root in path.parents]
    if not path.is_absolute() or inside:
        raise ImproperlyConfigured(
            f"Variable d'environnement {name} invalide : « {path} » (attendu : un chemin absolu hors de "
            "PRIVATE_MEDIA_ROOT et de MEDIA_ROOT, par exemple /var/backups/cnml)."
        )
    return path


# Backups (django-dbbackup; docs/operations.md, deploy/cnml-backup.timer): `dbbackup --clean` and
# `mediabackup --clean` keep the newest BACKUP_KEEP database and BACKUP_KEEP_MEDIA upload backups.
BACKUP_DIR = _backup_dir("BACKUP_DIR", BASE_DIR / "backups")
DBBACKUP_CLEANUP_KEEP = bounded_int("BACKUP_KEEP", 14, 1, 366)
DBBACKUP_CLEANUP_KEEP_MEDIA = bounded_int("BACKUP_KEEP_MEDIA", 14, 1, 366)
# A failed backup is told by its systemd unit (journal, OnFailure), not by an e-mail of the library.
DBBACKUP_SEND_EMAIL = False

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Where manage.py dbbackup and mediabackup write (BACKUP_DIR, above; docs/operations.md).
    "dbbackup": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(BACKUP_DIR)}},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# E-mail: printed on the console unless EMAIL_URL names an SMTP server,
# e.g. smtp+tls://user:password@smtp.example.org:587
EMAIL_CONFIG = env_value("EMAIL_URL", env.email_url, "consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env_value("DEFAULT_FROM_EMAIL", env.str, "Back-office CNML <ne-pas-repondre@cnml.fr>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security. Production values unless DEBUG; each can be relaxed by its variable
# (e.g. SECURE_SSL_REDIRECT=false behind a proxy that already redirects).
SECURE_SSL_REDIRECT = env_value("SECURE_SSL_REDIRECT", strict_bool, not DEBUG)
SECURE_HSTS_SECONDS = env_value("SECURE_HSTS_SECONDS", env.int, 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
if env_value("SECURE_PROXY_SSL_HEADER", strict_bool, False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 10  # a working day
CSRF_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "cnml.views.csrf_failure"

# Content-Security-Policy: only our own origin; scripts need the per-request
# nonce. DSFR sets inline style attributes from its JavaScript, hence
# 'unsafe-inline' for styles only. Data URIs are used by DSFR's icons.
# One exception: django-import-export's export page toggles its fields with an inline
# handler, onchange="onSelectToggleChange(event)"; 'unsafe-hashes' with its hash allows
# that exact handler and no other inline script (tests/cnml/test_settings.py checks the hash
# against the installed template).
IMPORT_EXPORT_HANDLER_HASHES = ["'sha256-wid4zL8fR53ZYy1ljOepzR77Dn6vWUUxuNnnWWBP3I8='"]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE, "'unsafe-hashes'", *IMPORT_EXPORT_HANDLER_HASHES],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        # The sign-out form is redirected to ProConnect's end of session (a form's redirection is checked).
        "form-action": [SELF, *filter(None, [PROCONNECT["PROCONNECT_ORIGIN"]])],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

# Admin import-export: importing writes rows, so it needs the model's "change"
# permission (the default lets anyone who reaches the admin import); exporting
# needs "view".
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
# Every admin export (export page and action) is written by the one writer of spreadsheets,
# which keeps users' text from running as a formula: CSV and XLSX only (cnml/spreadsheets.py).
EXPORT_FORMATS = ADMIN_EXPORT_FORMATS
# Its imports read the same files back (« ; » and a BOM, or commas from elsewhere).
IMPORT_FORMATS = ADMIN_IMPORT_FORMATS

# Forms: crispy-forms with the DSFR template pack written in this project.
CRISPY_ALLOWED_TEMPLATE_PACKS = ("dsfr_crispy",)
CRISPY_TEMPLATE_PACK = "dsfr_crispy"
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# Celery. Without REDIS_URL, tasks run eagerly in the calling process: the embedded
# default (DEBUG=true). Production needs Redis and a worker: e-mails and computations
# are never run inside a web request there. TASKS_IN_PROCESS=true lifts the rule for
# benchmarks and one-off commands, never for a service.
REDIS_URL = env_value("REDIS_URL", env.str, "")
TASKS_IN_PROCESS = env_value("TASKS_IN_PROCESS", strict_bool, False)
if not DEBUG and not REDIS_URL and not TASKS_IN_PROCESS:
    raise ImproperlyConfigured(
        "REDIS_URL manquante : en production (DEBUG=false), les e-mails et les calculs passent par Redis "
        "et un worker Celery, jamais par la requête web ; définissez REDIS_URL, "
        "par exemple redis://127.0.0.1:6379/0 (voir docs/environment.md)."
    )
CELERY_BROKER_URL = REDIS_URL or "memory://"
# No result backend: nothing reads task results (the outbox, cnml/outbox.py, records what
# is done in the database), and Redis' result backend retried for 20 s inside a request
# publishing a task while Redis was down.
CELERY_RESULT_BACKEND = None
# A publish tries twice, briefly: a request never hangs on a broker that is down (the
# outbox keeps what it could not publish). Redis' socket timeouts bound a broker that
# is unreachable without refusing; messages of a killed worker come back after the
# longest task (visibility timeout).
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# A task is acknowledged once done, so a worker killed mid-task gives it back.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 60 * 60 * 2
CELERY_TASK_SOFT_TIME_LIMIT = 60 * 60 * 2 - 60
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 10,
    "visibility_timeout": CELERY_TASK_TIME_LIMIT + 10 * 60,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"


def redis_cache(url: str) -> dict:
    """The cache on Redis: a miss, never an error, while Redis is down (cnml/cache.py)."""
    return {
        "BACKEND": "cnml.cache.ResilientRedisCache",
        "LOCATION": url,
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }


if REDIS_URL:
    CACHES = {"default": redis_cache(REDIS_URL)}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Logs on the standard error: one JSON object a line in production (journald, a log shipper), plain
# text in development; each line carries the request id of the request or task (cnml/requestid.py).
LOG_FORMAT = env_value("LOG_FORMAT", env.str, "text" if DEBUG else "json").strip().lower()
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(
        f"Variable d'environnement LOG_FORMAT invalide : « {LOG_FORMAT} » (attendu : json ou text)."
    )
# The worker logs through LOGGING too, not through Celery's own set-up.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
DJANGO_GUID = {
    # nginx sets it (deploy/nginx/cnml-proxy.conf); a value that is not a UUID is replaced.
    "GUID_HEADER_NAME": "X-Request-ID",
    "UUID_FORMAT": "hex",
    "RETURN_HEADER": True,
    "EXPOSE_HEADER": False,
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "cnml.requestid.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": True,
            "json_ensure_ascii": False,
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": env_value("LOG_LEVEL", env.str, "INFO")},
    # django-guid tells at INFO, on every request, whether nginx sent an id.
    "loggers": {"axes": {"level": "WARNING"}, "django_guid": {"level": "WARNING"}},
}

# Error reports to Sentry (cnml/sentry.py) when SENTRY_DSN is set, personal data scrubbed.
SENTRY_DSN = env_value("SENTRY_DSN", env.str, "").strip()
SENTRY_ENVIRONMENT = env_value("SENTRY_ENVIRONMENT", env.str, "developpement" if DEBUG else "production")
if SENTRY_DSN:
    from cnml.sentry import init_sentry

    init_sentry(SENTRY_DSN, environment=SENTRY_ENVIRONMENT)

# Who may read the Prometheus metrics (/metrics/, cnml/metrics.py): the monitoring host's addresses,
# as cnml/clientip.py sees the client; empty, the page answers 404 to everyone.
METRICS_ALLOWED_IPS = ip_networks("METRICS_ALLOWED_IPS")

# Where the demo finds the sample extract shipped beside the repository.
# The demo's sample data ships inside the project (`cnml/demo_data/`, small): a fresh clone runs the demo alone.
DEMO_DATA_DIR = Path(env_value("DEMO_DATA_DIR", env.str, str(BASE_DIR / "cnml" / "demo_data")))


# Extract uploads (tableau de bord, dashboard/importer/limits.py). A national extract is about
# 400 MB of CSV (7 million contacts) and zips to well under 100 MB: these leave room to grow
# and stop a zip bomb. Checked on the zip's directory when it is deposited, then counted
# while the worker reads it.
EXTRACT_MAX_ARCHIVE_MB = bounded_int("EXTRACT_MAX_ARCHIVE_MB", 500, 1)
# The five CSV files, a folder, and what macOS adds (__MACOSX/, .DS_Store).
EXTRACT_MAX_MEMBERS = bounded_int("EXTRACT_MAX_MEMBERS", 20, 5, 1000)
EXTRACT_MAX_UNCOMPRESSED_MB = bounded_int("EXTRACT_MAX_UNCOMPRESSED_MB", 4096, 1)
# Uncompressed size / compressed size of each file over 1 MB (warehouse CSV: about 5 to 15).
EXTRACT_MAX_COMPRESSION_RATIO = bounded_int("EXTRACT_MAX_COMPRESSION_RATIO", 100, 2)
# Rows of each data file (structures.csv: at most 20 000, read in memory).
EXTRACT_MAX_ROWS = bounded_int("EXTRACT_MAX_ROWS", 50_000_000, 1)
