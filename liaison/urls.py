from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from . import errors, otp_views, views, wechat_views

# the portal's own pages in its layout and the user's language (also for DEBUG off under `make run`)
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("login/sms/", otp_views.sms_login, name="sms_login"),
    path("l/<str:token>/", otp_views.sms_login_open, name="sms_login_open"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(success_url="/"), name="password_change"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("healthz", views.healthz, name="healthz"),
    path("estates/", views.estate_list, name="estate_list"),
    path("estates/new/", views.estate_create, name="estate_create"),
    path("estates/<int:pk>/", views.estate_detail, name="estate_detail"),
    path("estates/<int:pk>/edit/", views.estate_edit, name="estate_edit"),
    path("estates/<int:pk>/team/add/", views.assignment_add, name="assignment_add"),
    path("team/<int:pk>/remove/", views.assignment_remove, name="assignment_remove"),
    path("estates/<int:estate_pk>/committees/new/", views.committee_create, name="committee_create"),
    path("committees/<int:pk>/", views.committee_detail, name="committee_detail"),
    path("committees/<int:pk>/edit/", views.committee_edit, name="committee_edit"),
    path("committees/<int:pk>/reelection/", views.committee_reelect, name="committee_reelect"),
    path("committees/<int:pk>/extension/", views.committee_extend, name="committee_extend"),
    path("committees/<int:committee_pk>/members/new/", views.member_create, name="member_create"),
    path("members/<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("members/<int:pk>/end/", views.member_end_term, name="member_end_term"),
    path("staff/", views.staff_list, name="staff_list"),
    path("account/", views.account, name="account"),
    path("account/wechat/bind/", wechat_views.bind_start, name="wechat_bind"),
    path("account/wechat/unbind/", wechat_views.unbind, name="wechat_unbind"),
    path("wechat/callback/", wechat_views.callback, name="wechat_callback"),
    path("inbox/", include("liaison.notification_urls")),
    path("meetings/", include("meetings.urls")),
    path("issues/", include("followups.urls")),
    path("records/", include("records.urls")),
    path("assessment/", include("assessment.urls")),
    path("api/", include("api.urls")),
    path("search/", include("search.urls")),
    path("admin/", admin.site.urls),
]
