from .views import urlpatterns as minutes_urlpatterns
from .views_import import urlpatterns as import_urlpatterns
from .views_reglement import urlpatterns as reglement_urlpatterns
from .views_statistics import urlpatterns as statistics_urlpatterns
from .views_statistics_export import urlpatterns as statistics_export_urlpatterns

urlpatterns = [
    *minutes_urlpatterns,
    *import_urlpatterns,
    *statistics_urlpatterns,
    *statistics_export_urlpatterns,
    *reglement_urlpatterns,
]

__all__ = ["urlpatterns"]
