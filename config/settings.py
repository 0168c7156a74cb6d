"""LinkedOut settings: the one settings module, read from the environment.

Every variable is documented in README.md with its default. The defaults give
the embedded set-up (SQLite and a filesystem Celery broker under ./var/), so a
fresh checkout runs with nothing else installed.
"""

import hashlib
import hmac
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


class _Env(environ.Env):
    # outboxmail:// keeps each email as a file for the /dev/outbox/ page
    # (requests_app/dev_outbox.py): what `make run` uses.
    EMAIL_SCHEMES = {**environ.Env.EMAIL_SCHEMES, "outboxmail": "requests_app.dev_outbox.OutboxEmailBackend"}


env = _Env()

DEBUG = env.bool("DEBUG", default=False)
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var"))).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)

# Refuse to start in production with a missing or well-known key: a guessable
# key would let anyone forge sessions and CSRF tokens.
_INSECURE_KEY = "django-insecure-linkedout-development-only"
SECRET_KEY = env.str("SECRET_KEY", default=_INSECURE_KEY if DEBUG else "")
if not DEBUG and (not SECRET_KEY or SECRET_KEY == _INSECURE_KEY or len(SECRET_KEY) < 32):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 32 characters when "
        "DEBUG is off (e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )
# Old keys still accepted for signatures while rotating (comma-separated).
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
# The path the site is mounted under. Fixed here: otherwise Django takes it
# from the WSGI environ, where a client's "SCRIPT_NAME" header can end up
# (gunicorn accepts one), and every link on the page would point elsewhere.
FORCE_SCRIPT_NAME = env.str("FORCE_SCRIPT_NAME", default="")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The port `make run` serves on (Procfile). Links follow it unless SITE_URL
# is set, so `PORT=8500 make run` sends emails whose links open.
PORT = env.str("PORT", default="8000")
if not PORT.isdigit() or not 0 < int(PORT) < 65536:
    raise ImproperlyConfigured(f"PORT must be a port number from 1 to 65535, not {PORT!r}.")
# Absolute base of every link we put in emails and PDFs; never taken from the
# request's Host header, which an attacker controls.
SITE_URL = env.str("SITE_URL", default=f"http://127.0.0.1:{PORT}").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "formtools",
    "django_countries",
    "requests_app",
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
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
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
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "requests_app.context_processors.site_links",
            ],
            # {% translate "literal" %} looked up once per language (requests_app/templatetags/i18n_kept.py).
            "libraries": {"i18n": "requests_app.templatetags.i18n_kept"},
        },
    },
]

# --- Database -------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one SQLite file: WAL lets readers run beside a
    # writer, IMMEDIATE takes the write lock up front (no upgrade deadlocks) and
    # the timeout makes a busy writer wait instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not memory, so that worker processes started by tests share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache and Celery -------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
BROKER_DIR = VAR_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    for _folder in ("queue", "processed", "control"):
        (BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # One folder for both directions: producers and consumers meet there.
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        # Exchange bindings; kombu's default is ./control relative to the cwd.
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
        # Poll often so a task starts within 0.2 s of being sent.
        "polling_interval": 0.1,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_IGNORE_RESULT = True
# Worker and beat log through LOGGING below (config/celery.py), never through
# handlers of Celery's own that would skip its redaction filter.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# Celery's Django fixup closes the database connection around every task
# unless this is set: a new PostgreSQL connection per email (~7 ms). Reuse it;
# config/celery.py still applies CONN_MAX_AGE and health checks per task.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# The database holds every future email; the sweep, every this many seconds,
# is the only clock. Its last run is reported by /healthz.
SWEEP_INTERVAL_SECONDS = env.float("SWEEP_INTERVAL_SECONDS", default=60.0)
# Beat's only entry: the daily purge is run by the sweep itself when the
# database says it has not run today (requests_app/services/upkeep.py).
CELERY_BEAT_SCHEDULE = {
    "sweep": {"task": "requests_app.tasks.sweep", "schedule": SWEEP_INTERVAL_SECONDS},
}
# The sweep has a queue (and, in Procfile and docker-compose.yml, a worker
# process) of its own: a hung SMTP server that holds every sending process
# cannot stop reminders from being claimed or /healthz from seeing beat.
CELERY_TASK_ROUTES = {"requests_app.tasks.sweep": {"queue": "sweep"}}

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "config.cache.FailSoftRedisCache",
            "LOCATION": REDIS_URL,
            # An unreachable Redis costs a page half a second, not a hang.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
RATELIMIT_VIEW = "requests_app.views.rate_limited"
# Rate limits count per visitor. Behind N reverse proxies REMOTE_ADDR is the
# nearest proxy's, shared by every visitor; the visitor's own address is then
# the Nth entry from the right of X-Forwarded-For (requests_app/client_ip.py).
# 0: no proxy, REMOTE_ADDR is the visitor (and X-Forwarded-For is ignored).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
RATELIMIT_IP_META_KEY = "requests_app.client_ip.client_ip"
# Rate limiting must not take the site down with Redis: pages keep working.
RATELIMIT_FAIL_OPEN = True
SILENCED_SYSTEM_CHECKS = [
    # Django's own RedisCache increments atomically; django-ratelimit only lists
    # django-redis. On the embedded default (one machine, no Redis) the file
    # cache's approximate counts are an accepted trade-off.
    "django_ratelimit.W001",
    *([] if REDIS_URL else ["django_ratelimit.E003"]),
    # "i18n is used for multiple template tag modules": on purpose, TEMPLATES
    # names requests_app.templatetags.i18n_kept "i18n" (Django's library, one tag faster).
    "templates.W003",
]

# --- Email -----------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="outboxmail://" if DEBUG else "consolemail://")
vars().update(EMAIL_CONFIG)
# These backends print or keep each email, private links included, instead
# of sending it: the embedded default, and never production by accident.
_NOT_SENDING_BACKENDS = {
    "requests_app.dev_outbox.OutboxEmailBackend",
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}
ALLOW_UNSENT_EMAIL = env.bool("ALLOW_UNSENT_EMAIL", default=False)
if not DEBUG and EMAIL_CONFIG["EMAIL_BACKEND"] in _NOT_SENDING_BACKENDS and not ALLOW_UNSENT_EMAIL:
    raise ImproperlyConfigured(
        f"EMAIL_URL selects {EMAIL_CONFIG['EMAIL_BACKEND']}, which prints or keeps every email (private "
        "links included) instead of sending it, and DEBUG is off. Set EMAIL_URL to your SMTP server "
        "(e.g. smtp+tls://user:password@mail.example:587), or set ALLOW_UNSENT_EMAIL=1 if that is meant."
    )
# A hung SMTP server must not block a worker forever.
EMAIL_TIMEOUT = env.float("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="LinkedOut <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Sessions, security ------------------------------------------------------
# The guided form lives in the session; a day is enough to finish it.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=24 * 60 * 60)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
if env.bool("BEHIND_HTTPS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# Private links carry the token in the path: never send it to another site
# (LinkedIn). "same-origin", not "no-referrer": with no-referrer Chrome sends
# "Origin: null" on our own form posts and CSRF checks fail.
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    },
}

# Personal data is encrypted at rest (Fernet) with keys derived from
# FIELD_ENCRYPTION_KEYS (below) and these salts.
SALT_KEY = env.list("FIELD_ENCRYPTION_SALTS", default=["linkedout-personal-data-v1"])
# The keys of that encryption, apart from SECRET_KEY (which signs) and
# EMAIL_LOOKUP_KEY (which finds): the first encrypts, every one decrypts. To
# rotate: put the new key first, run `manage.py reencrypt`, drop the old one.
# Defaults to SECRET_KEY and its fallbacks, which encrypted data until now.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[SECRET_KEY, *SECRET_KEY_FALLBACKS])
# Sessions hold the half-filled form (name, email): stored encrypted with those keys.
SESSION_SERIALIZER = "requests_app.session_crypto.EncryptedJSONSerializer"

# Keyed hash for looking a request up by email without storing it searchable.
EMAIL_LOOKUP_KEY = env.str("EMAIL_LOOKUP_KEY", default=SECRET_KEY)
# Keys the receipt fingerprint (an HMAC), so a database dump alone cannot test
# a guessed name against a stored fingerprint. Rotating it changes only new
# fingerprints: issued ones are stored and keep verifying. Defaults to a key
# derived from SECRET_KEY; set it apart in production.
RECEIPT_FINGERPRINT_KEY = env.str(
    "RECEIPT_FINGERPRINT_KEY",
    default=hmac.new(SECRET_KEY.encode(), b"linkedout.receipt-fingerprint", hashlib.sha256).hexdigest(),
)

# --- Internationalisation ---------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("de", _("German")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("it", _("Italian")),
    ("nl", _("Dutch")),
    ("pl", _("Polish")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Where a language writes dates differently from Django's formats for it.
FORMAT_MODULE_PATH = ["config.formats"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

# --- Static files -----------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and env.bool("STATIC_MANIFEST", default=True)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
# Keep per process what pages render alike for every visitor (the country list,
# unbound forms: requests_app/form_cache.py; translated literals:
# requests_app/templatetags/i18n_kept.py). Off: Django renders everything anew.
RENDER_CACHE = env.bool("RENDER_CACHE", default=True)

# --- Product ----------------------------------------------------------------
# Who runs this instance (imprint, privacy policy, accessibility contact): a
# JSON file whose entries override requests_app/data/operator.json (see
# requests_app/data/operator.example.json). Unset, the pages say that the
# operator has not filled them in, and `manage.py check` warns in production.
OPERATOR_FILE = env.str("OPERATOR_FILE", default="")
# Shown in every page's footer. An operator who runs a changed copy points it
# at their own code.
SOURCE_CODE_URL = env.str("SOURCE_CODE_URL", default="https://github.com/linkedout-app/linkedout")
if not SOURCE_CODE_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured(f"SOURCE_CODE_URL must be an http(s) address, not {SOURCE_CODE_URL!r}.")
# Days after which a closed request's personal data is purged.
RETENTION_DAYS_AFTER_CLOSE = env.int("RETENTION_DAYS_AFTER_CLOSE", default=90)
# Reminder delivery: attempts before a reminder is marked failed, the first
# retry delay (each next one is 4x longer), and how long a claim may stay
# unfinished before the sweep takes it back (its worker died).
REMINDER_MAX_ATTEMPTS = env.int("REMINDER_MAX_ATTEMPTS", default=5)
# Claimed reminders travel to the workers in messages of this many ids, each
# message claimed, loaded and recorded sent by one statement each: one message
# per email costs more in Celery than the email itself. A worker killed
# mid-message leaves up to this many emails to be sent again by the sweep.
REMINDER_SEND_CHUNK = env.int("REMINDER_SEND_CHUNK", default=20)
if REMINDER_SEND_CHUNK < 1:
    raise ImproperlyConfigured("REMINDER_SEND_CHUNK must be at least 1.")
REMINDER_RETRY_SECONDS = env.float("REMINDER_RETRY_SECONDS", default=60.0)
REMINDER_STALE_CLAIM_SECONDS = env.float("REMINDER_STALE_CLAIM_SECONDS", default=600.0)
# Days without any activity after which a request's personal data is purged.
RETENTION_DAYS_INACTIVE = env.int("RETENTION_DAYS_INACTIVE", default=365)
# Seconds a receipt may take to render (the worker's task, or the web's child
# process) before it is stopped. A normal receipt takes well under 0.2 s and
# the largest input the form accepts under 1 s.
RECEIPT_TIME_LIMIT_SECONDS = env.float("RECEIPT_TIME_LIMIT_SECONDS", default=10.0)
# Seconds after a change during which a download of a receipt the worker has
# not stored yet waits for the worker's PDF instead of rendering one itself
# (the worker is asked on commit and usually done well within a second).
RECEIPT_WORKER_WAIT_SECONDS = env.float("RECEIPT_WORKER_WAIT_SECONDS", default=4.0)
# A claim older than the stale-claim time is taken back and sent again, so it
# must outlast the slowest send that still succeeds: the receipt's render and
# one SMTP conversation, which waits for up to eight replies (greeting, EHLO,
# STARTTLS, AUTH, MAIL, RCPT, DATA, end of data), each up to EMAIL_TIMEOUT.
# Shorter would send emails twice; every process refuses to start with it.
SLOWEST_SEND_SECONDS = 8 * EMAIL_TIMEOUT + RECEIPT_TIME_LIMIT_SECONDS
if REMINDER_STALE_CLAIM_SECONDS < SLOWEST_SEND_SECONDS:
    raise ImproperlyConfigured(
        f"REMINDER_STALE_CLAIM_SECONDS ({REMINDER_STALE_CLAIM_SECONDS:g}) must be at least "
        f"8 x EMAIL_TIMEOUT + RECEIPT_TIME_LIMIT_SECONDS ({SLOWEST_SEND_SECONDS:g}): "
        "a slow send would otherwise be taken back and sent twice."
    )

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"redact_tokens": {"()": "requests_app.log_filters.RedactTokens"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_tokens"]},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Request lines contain private-link tokens; Django's request logger would
    # print them on every 404.
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
