from .views import agenda, followup, running, scheduling

urlpatterns = [*scheduling.urlpatterns, *agenda.urlpatterns, *running.urlpatterns, *followup.urlpatterns]
