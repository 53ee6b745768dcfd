from .views import medical, portal, reintegration

urlpatterns = [*reintegration.urlpatterns, *medical.urlpatterns, *portal.urlpatterns]
