"""The production set-up (docker-compose.yml and Dockerfile) read as data.

No Docker engine is needed: the compose file is parsed with PyYAML (anchors and
``<<`` merges resolved), ``${VAR}`` interpolation is done the way Compose does
it, and the resulting environment is fed to the real settings module.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from django.urls import resolve

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
SETTINGS_FILE = ROOT / "smo" / "settings.py"

APP_SERVICES = ("web", "worker", "beat")
SHARED_VARIABLES = ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS", "EMAIL_URL", "SMO_ENV")
PRODUCTION_NEEDS = ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "EMAIL_URL")
# What an operator passes on the command line (README: `SECRET_KEY=... POSTGRES_PASSWORD=...`).
OPERATOR_ENV = {
    "SECRET_KEY": "compose-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "POSTGRES_PASSWORD": "compose-test-password",
}

_VARIABLE = re.compile(r"\$\$|\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}|\$(?P<bare>\w+)")


class MissingVariable(Exception):
    pass


def interpolate(value, environ: dict[str, str]):
    """Compose's ``${VAR}``, ``${VAR:-default}``, ``${VAR:?error}`` and ``$$``."""
    if isinstance(value, dict):
        return {key: interpolate(item, environ) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, environ) for item in value]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group("name") or match.group("bare")
        op, arg = match.group("op") or "", match.group("arg") or ""
        current = environ.get(name)
        missing = not current if op.startswith(":") else current is None
        if not missing:
            return current
        if op.endswith("-"):
            return arg
        if op.endswith("?"):
            raise MissingVariable(f"{name}: {arg}")
        return ""

    return _VARIABLE.sub(substitute, value)


def raw_compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def compose(environ: dict[str, str] | None = None) -> dict:
    return interpolate(raw_compose(), OPERATOR_ENV if environ is None else environ)


def environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {key: "" if value is None else str(value) for key, value in env.items()}


def command(service: dict) -> list[str]:
    cmd = service.get("command")
    assert cmd, "service has no command"
    return shlex.split(cmd) if isinstance(cmd, str) else [str(part) for part in cmd]


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    instructions = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, args = line.partition(" ")
            instructions.append((keyword.upper(), args.strip()))
    return instructions


def final_stage() -> list[tuple[str, str]]:
    instructions = dockerfile_instructions()
    last_from = max(i for i, (keyword, _) in enumerate(instructions) if keyword == "FROM")
    return instructions[last_from:]


def settings_env_reads() -> dict[str, bool]:
    """Every variable smo/settings.py reads through django-environ, mapped to
    whether it has a default."""
    reads: dict[str, bool] = {}
    for node in ast.walk(ast.parse(SETTINGS_FILE.read_text())):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        on_env = (
            isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "env"
        ) or (isinstance(func, ast.Name) and func.id == "env")
        first = node.args[0]
        if on_env and isinstance(first, ast.Constant) and isinstance(first.value, str):
            has_default = len(node.args) > 1 or any(k.arg == "default" for k in node.keywords)
            reads[first.value] = reads.get(first.value, True) and has_default
    return reads


def run_with_compose_env(service: str, code: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in settings_env_reads()}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(environment(compose()["services"][service]))
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


# --- services --------------------------------------------------------------


def test_all_services_exist():
    services = raw_compose()["services"]
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)
    assert services["postgres"]["image"].startswith("postgres:15")
    assert services["redis"]["image"].startswith("redis:7")


def test_web_runs_gunicorn_with_the_wsgi_application():
    cmd = command(compose()["services"]["web"])
    assert cmd[0] == "gunicorn"
    assert "smo.wsgi:application" in cmd
    # The worker hook of smo/gunicorn_conf.py (tests/test_gunicorn_conf.py).
    assert cmd[cmd.index("--config") + 1] == "python:smo.gunicorn_conf"
    assert cmd[cmd.index("--bind") + 1] == "0.0.0.0:8000"
    assert int(cmd[cmd.index("--workers") + 1]) >= 2


def test_worker_and_beat_run_celery_for_the_smo_app():
    services = compose()["services"]
    assert command(services["worker"])[:4] == ["celery", "-A", "smo", "worker"]
    assert command(services["beat"])[:4] == ["celery", "-A", "smo", "beat"]


def test_app_services_build_this_repository():
    services = raw_compose()["services"]
    for name in (*APP_SERVICES, "migrate"):
        build = services[name]["build"]
        context = build if isinstance(build, str) else build.get("context", ".")
        assert context == ".", name


def test_migrations_run_once_before_the_app_starts():
    services = compose()["services"]
    assert command(services["migrate"]) == ["python", "manage.py", "migrate", "--noinput"]
    assert services["migrate"]["restart"] == "no"
    for name in APP_SERVICES:
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
        assert depends["postgres"]["condition"] == "service_healthy", name
        assert depends["redis"]["condition"] == "service_healthy", name
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_postgres_and_redis_have_healthchecks_and_postgres_a_named_volume():
    data = compose()
    services = data["services"]
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert "ping" in services["redis"]["healthcheck"]["test"]
    volume, _, target = services["postgres"]["volumes"][0].partition(":")
    assert volume in data["volumes"]
    assert target == "/var/lib/postgresql/data"


def test_web_healthcheck_requests_the_health_url_on_the_gunicorn_port():
    web = compose()["services"]["web"]
    check = " ".join(web["healthcheck"]["test"])
    assert "http://127.0.0.1:8000/health/" in check
    # Production settings redirect plain HTTP and refuse unknown hosts.
    assert "X-Forwarded-Proto" in check
    assert "ALLOWED_HOSTS" in check
    match = resolve("/health/")
    assert match.url_name == "health"
    assert web["ports"] == ["127.0.0.1:8000:8000"]


# --- environment -------------------------------------------------------------


def test_web_worker_and_beat_share_one_environment():
    services = compose()["services"]
    envs = {name: environment(services[name]) for name in (*APP_SERVICES, "migrate")}
    for variable in SHARED_VARIABLES:
        values = {name: env.get(variable) for name, env in envs.items()}
        assert None not in values.values(), values
        assert len(set(values.values())) == 1, values
    assert envs["web"] == envs["worker"] == envs["beat"] == envs["migrate"]
    assert envs["web"]["SMO_ENV"] == "production"


def test_database_and_redis_urls_point_at_the_compose_services():
    data = compose()
    env = environment(data["services"]["web"])
    database = urlsplit(env["DATABASE_URL"])
    postgres = environment(data["services"]["postgres"])
    assert database.scheme in {"postgres", "postgresql"}
    assert database.hostname == "postgres"
    assert database.hostname in data["services"]
    assert database.username == postgres["POSTGRES_USER"]
    assert database.password == postgres["POSTGRES_PASSWORD"] == OPERATOR_ENV["POSTGRES_PASSWORD"]
    assert database.path.lstrip("/") == postgres["POSTGRES_DB"]
    redis = urlsplit(env["REDIS_URL"])
    assert redis.scheme == "redis"
    assert redis.hostname == "redis"
    assert redis.hostname in data["services"]


def test_only_secret_key_and_postgres_password_are_required():
    data = raw_compose()
    required = set(re.findall(r"\$\{(\w+):?\?", COMPOSE_FILE.read_text()))
    assert required == {"SECRET_KEY", "POSTGRES_PASSWORD"}
    assert environment(data["services"]["web"])["SECRET_KEY"].startswith("${SECRET_KEY:?")
    for missing in required:
        with pytest.raises(MissingVariable, match=missing):
            compose({key: value for key, value in OPERATOR_ENV.items() if key != missing})


def test_every_variable_production_needs_is_set():
    reads = settings_env_reads()
    assert set(PRODUCTION_NEEDS) <= set(reads), "settings.py no longer reads one of these"
    without_default = {name for name, has_default in reads.items() if not has_default}
    env = environment(compose()["services"]["web"])
    for variable in {*PRODUCTION_NEEDS, *without_default}:
        assert env.get(variable), variable


def test_every_compose_variable_is_read_by_the_settings():
    # A typo (ALLOWED_HOST) would silently fall back to a default.
    reads = settings_env_reads()
    for name in APP_SERVICES:
        unknown = set(environment(compose()["services"][name])) - set(reads)
        assert not unknown, (name, unknown)


def test_private_media_is_a_named_volume_shared_by_web_and_worker():
    data = compose()
    path = environment(data["services"]["web"])["PRIVATE_MEDIA_ROOT"]
    mounts = {}
    for name in ("web", "worker"):
        for volume in data["services"][name].get("volumes", []):
            source, _, target = volume.partition(":")
            if target.split(":")[0] == path:
                mounts[name] = source
    assert set(mounts) == {"web", "worker"}
    assert mounts["web"] == mounts["worker"]
    assert mounts["web"] in data["volumes"]
    # The image creates the mount point owned by its user, so the new volume is writable.
    chowns = [args for keyword, args in final_stage() if keyword == "RUN" and "chown" in args]
    assert any(path in args for args in chowns)


def test_production_settings_load_from_the_compose_environment():
    code = (
        "import json, os\n"
        "os.environ['DJANGO_SETTINGS_MODULE'] = 'smo.settings'\n"
        "import django\n"
        "django.setup()\n"
        "from django.conf import settings\n"
        "db = settings.DATABASES['default']\n"
        "print(json.dumps({'production': settings.PRODUCTION, 'debug': settings.DEBUG,\n"
        "  'engine': db['ENGINE'], 'host': db['HOST'], 'broker': settings.CELERY_BROKER_URL,\n"
        "  'eager': settings.CELERY_TASK_ALWAYS_EAGER, 'secret': settings.SECRET_KEY,\n"
        "  'hosts': settings.ALLOWED_HOSTS, 'private': str(settings.PRIVATE_MEDIA_ROOT)}))\n"
    )
    result = run_with_compose_env("worker", code)
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded["production"] is True
    assert loaded["debug"] is False
    assert loaded["engine"] == "django.db.backends.postgresql"
    assert loaded["host"] == "postgres"
    assert loaded["broker"] == "redis://redis:6379/0"
    assert loaded["eager"] is False
    assert loaded["secret"] == OPERATOR_ENV["SECRET_KEY"]
    assert "localhost" in loaded["hosts"]
    assert loaded["private"] == "/data/private_media"


def test_deploy_checks_pass_with_the_compose_environment():
    code = (
        "import os, sys\n"
        "os.environ['DJANGO_SETTINGS_MODULE'] = 'smo.settings'\n"
        "from django.core.management import execute_from_command_line\n"
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])\n"
    )
    result = run_with_compose_env("web", code)
    assert result.returncode == 0, result.stdout + result.stderr


# --- Dockerfile ----------------------------------------------------------------


def test_dockerfile_builds_on_python_311_slim_bookworm():
    base = next(args for keyword, args in dockerfile_instructions() if keyword == "FROM")
    assert base.split()[0] == "python:3.11-slim-bookworm"
    runs = " ".join(args for keyword, args in final_stage() if keyword == "RUN")
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "fonts-dejavu-core", "gettext"):
        assert package in runs
    assert "pip install ." in runs
    assert "compilemessages" in runs


def test_collectstatic_runs_with_production_settings():
    # whitenoise's manifest storage (production only) needs the staticfiles.json
    # that only a production collectstatic writes.
    smo_env = "development"
    for keyword, args in final_stage():
        if keyword == "ENV":
            smo_env = dict(part.split("=", 1) for part in shlex.split(args)).get("SMO_ENV", smo_env)
        if keyword == "RUN" and "collectstatic" in args:
            step = next(part for part in args.split("&&") if "collectstatic" in part)
            inline = re.search(r"\bSMO_ENV=(\w+)", step)
            assert (inline.group(1) if inline else smo_env) == "production"
            return
    pytest.fail("the image does not run collectstatic")


def test_dockerfile_runs_as_an_unprivileged_user():
    users = [args for keyword, args in final_stage() if keyword == "USER"]
    assert users, "no USER instruction"
    assert users[-1].split(":")[0] not in {"root", "0"}


def test_dockerfile_cmd_matches_the_web_service():
    instructions = final_stage()
    assert not [args for keyword, args in instructions if keyword == "ENTRYPOINT"], (
        "an ENTRYPOINT would prefix the compose commands"
    )
    cmd = json.loads([args for keyword, args in instructions if keyword == "CMD"][-1])
    assert cmd[0] == "gunicorn"
    assert "smo.wsgi:application" in cmd
    assert cmd[cmd.index("--config") + 1] == "python:smo.gunicorn_conf"
    bind = cmd[cmd.index("--bind") + 1]
    assert bind == "0.0.0.0:8000"
    web = command(compose()["services"]["web"])
    assert web[:2] == cmd[:2]
    assert web[web.index("--bind") + 1] == bind
    exposed = [args for keyword, args in instructions if keyword == "EXPOSE"]
    assert exposed == [bind.rpartition(":")[2]]


def test_dockerfile_copies_what_the_settings_need_at_run_time():
    copied = " ".join(args for keyword, args in final_stage() if keyword == "COPY")
    for directory in (
        "smo",
        "casefiles",
        "consent",
        "meetings",
        "reporting",
        "templates",
        "static",
        "locale",
    ):
        assert re.search(rf"/{directory}\b", copied), directory
    assert "manage.py" in copied
