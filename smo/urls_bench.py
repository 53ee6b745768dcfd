"""URLs of ``make bench``: the product's URLs plus the floor view, the
cheapest page a signed-in user can open (one query of its own besides the
session and the user), to compare every page with in the same run.

Two diagnostic views price what a page spends under the same load
(``make bench BENCH_ARGS=--diagnostics``): the floor plus 10 queries of the
floor's kind, and the floor plus 10 ms of CPU. They have no target."""

import time

from django.http import HttpResponse
from django.urls import path

from casefiles.models import Membership

from .permissions import authenticated
from .urls import urlpatterns as product_urlpatterns

DIAGNOSTIC_QUERIES = 10
DIAGNOSTIC_CPU_S = 0.010


def _own_query(request) -> int:
    return Membership.objects.filter(user=request.user).count()


@authenticated
def floor(request):
    return HttpResponse(f"floor {_own_query(request)}\n", content_type="text/plain")


@authenticated
def floor_plus_queries(request):
    count = _own_query(request)
    for _ in range(DIAGNOSTIC_QUERIES):
        _own_query(request)
    return HttpResponse(f"floor+queries {count}\n", content_type="text/plain")


@authenticated
def floor_plus_cpu(request):
    count = _own_query(request)
    end = time.process_time() + DIAGNOSTIC_CPU_S
    while time.process_time() < end:
        pass
    return HttpResponse(f"floor+cpu {count}\n", content_type="text/plain")


urlpatterns = [
    path("bench/floor/", floor, name="bench_floor"),
    path("bench/floor-plus-queries/", floor_plus_queries, name="bench_floor_plus_queries"),
    path("bench/floor-plus-cpu/", floor_plus_cpu, name="bench_floor_plus_cpu"),
    *product_urlpatterns,
]
