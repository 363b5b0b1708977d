from django.urls import path

from . import views

app_name = "followups"
urlpatterns = [
    path("", views.issue_list, name="list"),
    path("export.xlsx", views.issue_export, name="export"),
    path("bulk-assign/", views.bulk_assign, name="bulk_assign"),
    path("new/", views.issue_create, name="create"),
    path("policies/", views.policy_list, name="policies"),
    path("<int:pk>/", views.issue_detail, name="detail"),
    path("<int:pk>/classify/", views.issue_classify, name="classify"),
    path("<int:pk>/assign/", views.issue_assign, name="assign"),
    path("<int:pk>/reply/", views.issue_reply, name="reply"),
    path("<int:pk>/coordinate/", views.issue_coordinate, name="coordinate"),
    path("<int:pk>/resolve/", views.issue_resolve, name="resolve"),
    path("<int:pk>/callback/", views.issue_callback, name="callback"),
    path("<int:pk>/confirm/", views.issue_confirm, name="confirm"),
    path("<int:pk>/close/", views.issue_close, name="close"),
    path("<int:pk>/attach/", views.issue_attach, name="attach"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("attachments/<int:pk>/thumbnail/", views.attachment_thumbnail, name="attachment_thumbnail"),
]
