# Production image of the SMO platform: gunicorn serving smo.wsgi on port 8000.
# The same image runs the Celery worker and beat (see docker-compose.yml).
#
#   docker build -t smo-platform .
#   docker run --rm -e SECRET_KEY=... -e ALLOWED_HOSTS=... -e DATABASE_URL=... -p 8000:8000 smo-platform

FROM python:3.11-slim-bookworm AS base
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1


# Only the files the application needs are taken from the build context, so a
# local .venv, db.sqlite3, private_media/ or backups/ never end up in the image.
FROM base AS source
WORKDIR /src
COPY . .
# locale/ may not exist in a fresh checkout; templates/ and static/ always do.
RUN rm -rf .venv .git \
    && mkdir -p locale \
    && find . -name __pycache__ -type d -prune -exec rm -rf {} +


FROM base
# System libraries: Pango and fonts for WeasyPrint (PDF minutes), gettext for
# compiling the translations.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core gettext \
    && rm -rf /var/lib/apt/lists/*

# An unprivileged user with a home directory (gunicorn keeps its control
# socket there). The application code stays owned by root: read-only for it.
RUN groupadd --system --gid 1000 smo \
    && useradd --system --uid 1000 --gid smo --create-home --home-dir /home/smo \
        --shell /usr/sbin/nologin smo

WORKDIR /app
COPY --from=source /src/pyproject.toml /src/manage.py ./
COPY --from=source /src/smo ./smo
COPY --from=source /src/casefiles ./casefiles
COPY --from=source /src/consent ./consent
COPY --from=source /src/meetings ./meetings
COPY --from=source /src/reporting ./reporting
COPY --from=source /src/templates ./templates
COPY --from=source /src/static ./static
COPY --from=source /src/locale ./locale

RUN pip install . && rm -rf build ./*.egg-info

# The code in /app comes first on the path (settings derive BASE_DIR, and with
# it templates/, static/ and locale/, from where smo/settings.py lives).
ENV PYTHONPATH=/app \
    SMO_ENV=production \
    STATIC_ROOT=/app/staticfiles \
    PRIVATE_MEDIA_ROOT=/data/private_media

# Translations and static files are built into the image. collectstatic runs
# with production settings so whitenoise's manifest (staticfiles.json) exists;
# the secret key here is a build-time placeholder, never used at run time.
RUN SMO_ENV=development python manage.py compilemessages --ignore=.venv --verbosity 0 \
    && SECRET_KEY=collectstatic-at-build-time-only ALLOWED_HOSTS=localhost \
        python manage.py collectstatic --noinput --verbosity 0

# Private files (minutes, imports) live on a volume mounted here; a new named
# volume takes over this ownership.
RUN mkdir -p /data/private_media && chown smo:smo /data/private_media

USER smo
EXPOSE 8000
CMD ["gunicorn", "--config", "python:smo.gunicorn_conf", "smo.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
