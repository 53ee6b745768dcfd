from .views import employer, portal, recording

urlpatterns = [*employer.urlpatterns, *portal.urlpatterns, *recording.urlpatterns]
