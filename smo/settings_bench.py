"""Settings of ``make bench`` only: the product's settings plus a middleware
that reports the queries per request in a header, the floor view
(``smo.urls_bench``) and mail kept in memory. Nothing bench-only is in the
product's URLconf or its permission matrix."""

from .settings import *  # noqa: F403
from .settings import MIDDLEWARE

MIDDLEWARE = ["bench.middleware.QueryCountMiddleware", *MIDDLEWARE]
ROOT_URLCONF = "smo.urls_bench"
DEBUG = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Sessions of the load users outlive the bench (they are created directly).
SESSION_COOKIE_AGE = 2 * 60 * 60
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
