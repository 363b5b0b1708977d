from django.urls import path

from . import views

app_name = "meetings"
urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("new/", views.meeting_create, name="create"),
    path("approvals/", views.approvals, name="approvals"),
    path("cadence/", views.cadence_status, name="cadence"),
    path("calendar/", views.calendar_page, name="calendar"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("checkin/<str:token>/", views.checkin, name="checkin"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/edit/", views.meeting_edit, name="edit"),
    path("<int:pk>/submit/", views.meeting_submit, name="submit"),
    path("<int:pk>/send/", views.meeting_send, name="send"),
    path("<int:pk>/approve/", views.meeting_approve, name="approve"),
    path("<int:pk>/reject/", views.meeting_reject, name="reject"),
    path("<int:pk>/cancel/", views.meeting_cancel, name="cancel"),
    path("<int:pk>/agenda/new/", views.agenda_add, name="agenda_add"),
    path("agenda/<int:pk>/edit/", views.agenda_edit, name="agenda_edit"),
    path("agenda/<int:pk>/delete/", views.agenda_delete, name="agenda_delete"),
    path("<int:pk>/materials/", views.material_upload, name="material_upload"),
    path("materials/<int:pk>/", views.material_download, name="material"),
    path("materials/<int:pk>/delete/", views.material_delete, name="material_delete"),
    path("<int:pk>/photos/", views.photo_upload, name="photo_upload"),
    path("photos/<int:pk>/", views.photo_download, name="photo"),
    path("<int:pk>/invitees/", views.invite_add, name="invite_add"),
    path("invitations/<int:pk>/remove/", views.invite_remove, name="invite_remove"),
    path("invitations/<int:pk>/respond/", views.invitation_respond, name="respond"),
    path("<int:pk>/signin/", views.signin, name="signin"),
    path("<int:pk>/signin/<int:inv_pk>/", views.signin_tick, name="signin_tick"),
    path("<int:pk>/signin/walk-in/", views.signin_walkin, name="signin_walkin"),
    path("attendance/<int:pk>/remove/", views.attendance_remove, name="attendance_remove"),
    path("<int:pk>/minutes/", views.minutes_edit, name="minutes"),
    path("resolutions/<int:pk>/done/", views.resolution_done, name="resolution_done"),
    path("<int:pk>/minutes/finalise/", views.minutes_finalise, name="minutes_finalise"),
]
