"""gunicorn settings of the web service, used wherever gunicorn serves the
app (Dockerfile, docker-compose.yml, make bench):
``gunicorn -c python:smo.gunicorn_conf smo.wsgi:application ...``.

Command-line options (bind, workers) still come from those commands."""

from __future__ import annotations

import gc


def post_worker_init(worker) -> None:
    """Runs in each worker once it has loaded the application. Everything
    that exists by then lives as long as the worker: Django, the models, the
    URLconf with every view module it imports: about 100,000 objects. Moving
    them to the garbage collector's permanent generation (``gc.freeze``)
    keeps every later full collection from walking them again: such a
    collection took 17 to 40 ms (measured in-process), in the middle of whichever request set it
    off (issue 8, ``make bench``). Only the objects of the requests are
    still collected, as before."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imports every view module now)
    gc.collect()
    gc.freeze()
