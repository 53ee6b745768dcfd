from .views import agenda, followup, reminders, running, scheduling

urlpatterns = [*scheduling.urlpatterns, *agenda.urlpatterns, *running.urlpatterns, *followup.urlpatterns]
urlpatterns += reminders.urlpatterns
