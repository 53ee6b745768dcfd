from .views import urlpatterns as minutes_urlpatterns
from .views_import import urlpatterns as import_urlpatterns
from .views_statistics import urlpatterns as statistics_urlpatterns

urlpatterns = [*minutes_urlpatterns, *import_urlpatterns, *statistics_urlpatterns]

__all__ = ["urlpatterns"]
