from .views import followup, running, scheduling

urlpatterns = [*scheduling.urlpatterns, *running.urlpatterns, *followup.urlpatterns]
