"""The gunicorn settings every web server of the product uses (Dockerfile,
docker-compose.yml, make bench): after loading the application, a worker
moves the objects it will keep to the collector's permanent generation, so
a full collection does not stall a request by walking them (issue 8)."""

from __future__ import annotations

import gc
import weakref

import pytest
from gunicorn.app.wsgiapp import WSGIApplication

from smo import gunicorn_conf

CONFIG = "python:smo.gunicorn_conf"


def test_gunicorn_reads_the_worker_hook_from_the_config_module(monkeypatch):
    # As the web service starts it (docker-compose.yml, tests/test_docker_compose.py).
    monkeypatch.setattr("sys.argv", ["gunicorn", "--config", CONFIG, "smo.wsgi:application"])
    app = WSGIApplication()
    assert app.cfg.post_worker_init is gunicorn_conf.post_worker_init


@pytest.fixture
def unfrozen():
    assert gc.get_freeze_count() == 0
    yield
    gc.unfreeze()


def test_the_worker_hook_freezes_the_loaded_application(unfrozen):
    gunicorn_conf.post_worker_init(worker=None)
    # Django, the models and every view module of the URLconf.
    assert gc.get_freeze_count() > 50_000
    # The objects of later requests are still collected, cycles included.
    assert gc.isenabled()
    cycle = _Node()
    cycle.itself = cycle
    gone = weakref.ref(cycle)
    del cycle
    gc.collect()
    assert gone() is None


class _Node:
    itself: _Node
