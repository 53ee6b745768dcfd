"""URLs of ``make bench``: the product's URLs plus the floor view, the
cheapest page a signed-in user can open (one query of its own besides the
session and the user), to compare every page with in the same run."""

from django.http import HttpResponse
from django.urls import path

from casefiles.models import Membership

from .permissions import authenticated
from .urls import urlpatterns as product_urlpatterns


@authenticated
def floor(request):
    count = Membership.objects.filter(user=request.user).count()
    return HttpResponse(f"floor {count}\n", content_type="text/plain")


urlpatterns = [path("bench/floor/", floor, name="bench_floor"), *product_urlpatterns]
