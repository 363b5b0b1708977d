from django.urls import path

from . import inbox

urlpatterns = [
    path("", inbox.inbox, name="inbox"),
    path("read/", inbox.inbox_read, name="inbox_read_all"),
    path("<int:pk>/read/", inbox.inbox_read, name="inbox_read"),
]
