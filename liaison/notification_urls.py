from django.urls import path

from . import inbox

urlpatterns = [
    path("", inbox.inbox, name="inbox"),
    path("read/", inbox.inbox_read, name="inbox_read_all"),
    path("<int:pk>/", inbox.detail, name="inbox_detail"),
    path("<int:pk>/read/", inbox.inbox_read, name="inbox_read"),
    path("preferences/", inbox.preferences_page, name="notification_preferences"),
    path("preferences/estates/<int:pk>/", inbox.estate_mutes, name="estate_mutes"),
]
