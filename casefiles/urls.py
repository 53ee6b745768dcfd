from .views import access, medical, portal, reintegration

urlpatterns = [*reintegration.urlpatterns, *medical.urlpatterns, *portal.urlpatterns, *access.urlpatterns]
