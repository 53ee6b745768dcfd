"""Production settings: no insecure defaults, and `check --deploy` is clean.

Each check runs in a fresh interpreter, because settings are read from the
environment once, at import.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)

# Everything settings.py reads from the environment: none of it may leak in
# from the environment the test suite happens to run in.
SETTINGS_VARIABLES = {
    "SMO_ENV",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DEBUG",
    "DATABASE_URL",
    "REDIS_URL",
    "EMAIL_URL",
    "CSRF_TRUSTED_ORIGINS",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "CONN_MAX_AGE",
    "STATIC_ROOT",
    "ADMIN_URL",
    "SESSION_IDLE_MINUTES",
    "AXES_ENABLED",
    "AXES_FAILURE_LIMIT",
    "AXES_COOLOFF_MINUTES",
    "AXES_IP_HEADERS",
    "AXES_PROXY_COUNT",
}


def production_env(**overrides: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    env.update(
        DJANGO_SETTINGS_MODULE="smo.settings",
        SMO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(64),  # 86 random characters
        ALLOWED_HOSTS="smo.example.nl",
    )
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_passes_without_warnings():
    completed = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env())
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    assert "WARNINGS" not in output
    assert "no issues" in output


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_has_no_insecure_defaults(missing):
    completed = run(["manage.py", "check"], production_env(**{missing: None}))
    assert completed.returncode != 0
    assert "ImproperlyConfigured" in completed.stderr
    assert missing in completed.stderr


def test_development_keeps_working_without_configuration():
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    env["DJANGO_SETTINGS_MODULE"] = "smo.settings"
    completed = run(["manage.py", "check"], env)
    assert completed.returncode == 0, completed.stderr


PRINT_SETTINGS = """
import json
import django
django.setup()
from django.conf import settings
names = [
    "DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS",
    "SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER", "ALLOWED_HOSTS",
    "SESSION_COOKIE_HTTPONLY", "CSRF_COOKIE_HTTPONLY", "X_FRAME_OPTIONS", "SECURE_REFERRER_POLICY",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SESSION_COOKIE_AGE", "AXES_ENABLED", "AXES_FAILURE_LIMIT",
    "AXES_LOCKOUT_PARAMETERS", "AUTHENTICATION_BACKENDS", "MIDDLEWARE",
]
values = {name: getattr(settings, name) for name in names}
values["AXES_COOLOFF_MINUTES"] = settings.AXES_COOLOFF_TIME.total_seconds() / 60
values["CSP"] = {k: [str(v) for v in vs] for k, vs in settings.CONTENT_SECURITY_POLICY["DIRECTIVES"].items()}
values["DATABASE"] = {k: settings.DATABASES["default"].get(k) for k in ("ENGINE", "CONN_MAX_AGE", "CONN_HEALTH_CHECKS")}
print(json.dumps(values))
"""


def production_settings(**overrides: str | None) -> dict:
    completed = run(["-c", PRINT_SETTINGS], production_env(**overrides))
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_production_hardening():
    values = production_settings()
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000  # at least a year
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["ALLOWED_HOSTS"] == ["smo.example.nl"]
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["CSRF_COOKIE_HTTPONLY"] is True
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["SECURE_REFERRER_POLICY"] == "same-origin"
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SESSION_COOKIE_AGE"] == 30 * 60
    # Content-Security-Policy without inline script or eval.
    assert values["CSP"]["script-src"] == ["'self'"]
    assert values["CSP"]["frame-ancestors"] == ["'none'"]
    assert "csp.middleware.CSPMiddleware" in values["MIDDLEWARE"]
    # Login throttling: axes first among the backends, its middleware last.
    assert values["AUTHENTICATION_BACKENDS"][0] == "axes.backends.AxesStandaloneBackend"
    assert values["MIDDLEWARE"][-1] == "axes.middleware.AxesMiddleware"
    assert values["AXES_ENABLED"] is True
    assert values["AXES_FAILURE_LIMIT"] == 5
    assert values["AXES_COOLOFF_MINUTES"] == 15
    assert values["AXES_LOCKOUT_PARAMETERS"] == [["username", "ip_address"]]
    # R13a: the second factor is enforced after authentication.
    middleware = values["MIDDLEWARE"]
    assert (
        middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware")
        < middleware.index("django_otp.middleware.OTPMiddleware")
        < middleware.index("smo.twofactor.middleware.TwoFactorMiddleware")
    )


def test_lockout_and_idle_time_come_from_the_environment():
    values = production_settings(AXES_FAILURE_LIMIT="3", AXES_COOLOFF_MINUTES="60", SESSION_IDLE_MINUTES="10")
    assert values["AXES_FAILURE_LIMIT"] == 3
    assert values["AXES_COOLOFF_MINUTES"] == 60
    assert values["SESSION_COOKIE_AGE"] == 600


def test_postgresql_connections_are_kept_and_checked():
    """A connection per request cost ~3 ms and a PostgreSQL process fork: on
    PostgreSQL connections live 60 s (CONN_MAX_AGE) and are checked before
    reuse, so a restarted database costs no failed request."""
    database = production_settings(DATABASE_URL="postgres://smo@db:5432/smo")["DATABASE"]
    assert database["ENGINE"].endswith("postgresql")
    assert database["CONN_MAX_AGE"] == 60 and database["CONN_HEALTH_CHECKS"] is True
    assert (
        production_settings(DATABASE_URL="postgres://smo@db:5432/smo", CONN_MAX_AGE="0")["DATABASE"][
            "CONN_MAX_AGE"
        ]
        == 0
    )
