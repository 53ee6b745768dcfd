"""Settings for the SMO platform.

Everything comes from environment variables with embedded development defaults,
so ``make run`` needs no configuration at all:

- ``SMO_ENV``: ``development`` (default) or ``production``. Production has no
  insecure defaults: ``SECRET_KEY`` and ``ALLOWED_HOSTS`` must be given, and
  the HTTPS/cookie hardening below is switched on (``manage.py check --deploy``
  passes without warnings).
- ``DATABASE_URL``: e.g. ``postgres://user:pass@host:5432/smo``; default SQLite.
- ``REDIS_URL``: Celery broker, result backend and cache. Without it, Celery
  tasks run eagerly in-process and the cache is local memory.
- ``EMAIL_URL``: e.g. ``smtp+tls://user:pass@host:587``; default console.
- ``SECRET_KEY``, ``ALLOWED_HOSTS`` (comma separated), ``DEBUG``,
  ``CSRF_TRUSTED_ORIGINS``, ``DEFAULT_FROM_EMAIL``, ``ADMIN_URL``,
  ``SESSION_IDLE_MINUTES``, ``TIME_ZONE``, ``CONN_MAX_AGE`` (seconds a database connection is
  kept; 60 on PostgreSQL).
- ``AXES_FAILURE_LIMIT`` (5), ``AXES_COOLOFF_MINUTES`` (15), ``AXES_IP_HEADERS``
  and ``AXES_PROXY_COUNT``: the login lock-out (django-axes), see below.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

SMO_ENV = env.str("SMO_ENV", default="development")
PRODUCTION = SMO_ENV == "production"
if SMO_ENV not in {"development", "production"}:
    raise environ.ImproperlyConfigured("SMO_ENV must be 'development' or 'production'")

DEBUG = env.bool("DEBUG", default=not PRODUCTION)

if PRODUCTION:
    SECRET_KEY = env.str("SECRET_KEY")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
else:
    SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-never-use-in-production-0123456789")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "guardian",
    "auditlog",
    # R13a: two-factor authentication (TOTP app + single-use recovery codes).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Login throttling and lock-out.
    "axes",
    "csp",
    "smo.twofactor",
    "smo",
    "casefiles",
    "consent",
    "meetings",
    "reporting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The idle end of a session, saved at most once a minute (not every request).
    "smo.middleware.IdleSessionMiddleware",
    "smo.middleware.DutchFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # R13a: request.user.is_verified(); an unverified session that needs a
    # second factor only reaches the verification and enrolment pages.
    "django_otp.middleware.OTPMiddleware",
    "smo.twofactor.middleware.TwoFactorMiddleware",
    # Deny by default: every view needs a login unless marked @public, and
    # every non-admin view must declare who may use it (smo.permissions).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "smo.permissions.AccessPolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    # Last, as django-axes requires: turns a lock-out into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

if PRODUCTION:
    # Static files from the collected, hashed STATIC_ROOT (runserver serves
    # them itself in development).
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "smo.urls"

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
                "smo.context_processors.roles",
            ],
        },
    },
]

WSGI_APPLICATION = "smo.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # No JIT compilation: the statistics' aggregates over tens of thousands of
    # rows pass jit_above_cost once the tables have planner statistics, and
    # compiling them took seconds (1.7 s measured at 20,000 employees) where
    # running them takes tens of milliseconds; the other queries are short.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
    # Persistent connections (CONN_MAX_AGE seconds, checked before reuse): a
    # new PostgreSQL connection per request cost about 3 ms and a server
    # process fork; make bench measured 35% lower latency with them.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault(
    "CONN_MAX_AGE",
    env.int("CONN_MAX_AGE", default=60 if DATABASES["default"]["ENGINE"].endswith("postgresql") else 0),
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # First: refuses every attempt while a username+IP combination is locked out.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# guardian: no anonymous user object, we never grant anything to anonymous.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        # Django's validator with a Dutch message (Django's own has no Dutch translation).
        "NAME": "smo.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling (django-axes): after AXES_FAILURE_LIMIT failed passwords or
# verification codes for one username from one IP address, that combination is
# locked out for AXES_COOLOFF_MINUTES. Failures expire after the cool-off.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_ENABLE_ADMIN = False  # attempts are not master data for the beheerder
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = False  # a correct password must not wipe failed codes (R13a)
AXES_LOCKOUT_CALLABLE = "smo.twofactor.lockout.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code"]
# Behind a reverse proxy: e.g. HTTP_X_FORWARDED_FOR,REMOTE_ADDR with a proxy count.
AXES_IPWARE_META_PRECEDENCE_ORDER = tuple(env.list("AXES_IP_HEADERS", default=["REMOTE_ADDR"]))
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=None)

# R13a: the issuer shown in the authenticator app.
OTP_TOTP_ISSUER = "SMO-platform"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions end after inactivity (default 30 minutes) and with the browser.
# smo.middleware.IdleSessionMiddleware moves the end forward at most once per
# SESSION_REFRESH_SECONDS, rather than writing the session on every request.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_MINUTES", default=30) * 60
SESSION_REFRESH_SECONDS = 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Dutch first; English through the .po files in locale/.
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Nederlands")), ("en", _("Engels"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Amsterdam")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Private files (minutes, imports) never live under a public URL.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / "private_media")

# Admin lives at a configurable, non-guessable path.
ADMIN_URL = env.str("ADMIN_URL", default="beheer/")

# Celery: Redis when REDIS_URL is set, otherwise eager and in-process.
REDIS_URL = env.str("REDIS_URL", default="")
# The in-memory broker gets a host name: without one kombu warns "No hostname
# was supplied" when the first task is sent (eagerly) in a process.
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# Periodic jobs (celery -A smo beat). Reminders are planned in the database
# (an outbox) and dispatched here, so saving never depends on Redis.
CELERY_BEAT_SCHEDULE = {
    "meetings-dispatch-due-reminders": {
        "task": "meetings.tasks.dispatch_due_reminders",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "meetings-plan-periodic-reminders": {
        "task": "meetings.tasks.plan_periodic_reminders",
        "schedule": crontab(hour=6, minute=30),
        "options": {"expires": 3600},
    },
    # R15: nightly retention purge per organisation.
    "retention-purge-nightly": {
        "task": "reporting.tasks_retention.purge_all",
        "schedule": crontab(hour=3, minute=30),
    },
}

# Links in emails and calendar entries point here (https in production).
SMO_BASE_URL = env.str("SMO_BASE_URL", default="http://127.0.0.1:8000")
SMO_MEETING_REMINDER_DAYS = tuple(env.list("SMO_MEETING_REMINDER_DAYS", cast=int, default=[7, 1]))

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="SMO-platform <noreply@localhost>")

# Audit trail (R13): who changed what; IP addresses are kept for access logging.
AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_DISABLE_REMOTE_ADDR = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Content-Security-Policy (django-csp): no inline script or eval anywhere; an
# inline <style> only with the per-request nonce (server-rendered charts).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# Security headers apply everywhere; the HTTPS-only settings in production.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CSRF_COOKIE_HTTPONLY = True
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=63072000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Organisation defaults, overridable per organisation in casefiles.Organisation.
SMO_DEMO_PASSWORD = env.str("SMO_DEMO_PASSWORD", default="Demo-wachtwoord-2026")
