from django.urls import path

from . import views, views_annual, views_matters, views_print

app_name = "records"
urlpatterns = [
    path("", views.index, name="index"),
    # PF-09-R05
    path("contact/", views.contact_list, name="contact_list"),
    path("contact/new/", views.contact_create, name="contact_create"),
    path("contact/<int:pk>/", views.contact_detail, name="contact_detail"),
    path("contact/<int:pk>/edit/", views.contact_edit, name="contact_edit"),
    path("contact/<int:pk>/pdf/", views.contact_pdf, name="contact_pdf"),
    # important matters (§4.1.6)
    path("matters/", views_matters.matter_list, name="matter_list"),
    path("matters/new/", views_matters.matter_create, name="matter_create"),
    path("matters/<int:pk>/", views_matters.matter_detail, name="matter_detail"),
    path("matters/<int:pk>/edit/", views_matters.matter_edit, name="matter_edit"),
    # sign-off
    path("signoff/", views.signoff_list, name="signoff_list"),
    path("signoff/new/", views.signoff_create, name="signoff_create"),
    path("signoff/<int:pk>/", views.signoff_detail, name="signoff_detail"),
    path("signoff/<int:pk>/sign/", views.signoff_sign, name="signoff_sign"),
    path("signoff/<int:pk>/code/", views.signoff_code, name="signoff_code"),
    path("signoff/<int:pk>/paper/", views.signoff_paper, name="signoff_paper"),
    path("signoff/<int:pk>/paper/<int:sig_pk>/scan", views.signoff_scan, name="signoff_scan"),
    path("signoff/<int:pk>/v<int:number>.pdf", views.signoff_version_pdf, name="signoff_version_pdf"),
    path("signoff/<int:pk>/signed.pdf", views.signoff_signed_pdf, name="signoff_signed_pdf"),
    path("signoff/<int:pk>/refresh/", views.signoff_refresh, name="signoff_refresh"),
    path("signoff/<int:pk>/upload/", views.signoff_upload_version, name="signoff_upload_version"),
    path("signoff/<int:pk>/cancel/", views.signoff_cancel, name="signoff_cancel"),
    # public verification (short URL printed under the QR code)
    path("verify/", views.verify, name="verify"),
    path("v/<str:code>/", views.verify, name="verify_code"),
    # forms from meetings / follow-ups
    path("meetings/<int:meeting_pk>/signin/", views_print.signin_html, name="signin_html"),
    path("meetings/<int:meeting_pk>/signin.pdf", views_print.signin_pdf, name="signin_pdf"),
    path("meetings/<int:meeting_pk>/minutes/", views_print.minutes_html, name="minutes_html"),
    path("meetings/<int:meeting_pk>/minutes.pdf", views_print.minutes_pdf, name="minutes_pdf"),
    path("meetings/<int:meeting_pk>/minutes/answer/", views_print.minutes_respond, name="minutes_respond"),
    path("minutes/photos/<int:pk>/", views_print.minutes_answer_photo, name="minutes_answer_photo"),
    path("minutes/photos/<int:pk>/thumbnail/", views_print.minutes_answer_thumbnail, name="minutes_answer_thumbnail"),
    path("issues/<int:issue_pk>/callbacks/", views_print.callbacks_issue, name="callbacks_issue"),
    path("estates/<int:estate_pk>/callbacks/", views_print.callbacks_month, name="callbacks_month"),
    # the annual work plan (§4.1.1)
    path("plans/annual/open/", views_annual.annual_open, name="annual_open"),
    path("plans/annual/<int:pk>/", views_annual.annual_detail, name="annual_detail"),
    path("plans/annual/<int:pk>.pdf", views_annual.annual_pdf, name="annual_pdf"),
    path("plans/annual/<int:pk>/items/<int:item_pk>/", views_annual.annual_item_edit, name="annual_item_edit"),
    path(
        "plans/annual/<int:pk>/items/<int:item_pk>/toggle/",
        views_annual.annual_item_toggle,
        name="annual_item_toggle",
    ),
    path("plans/annual/<int:pk>/<str:action>/", views_annual.annual_action, name="annual_action"),
    # AM-02-R04
    path("plans/", views_print.plan_list, name="plan_list"),
    path("plans/open/", views_print.plan_open, name="plan_open"),
    path("plans/<int:pk>/", views_print.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/items/<int:item_pk>/toggle/", views_print.plan_item_toggle, name="plan_item_toggle"),
    path("plans/<int:pk>/<str:action>/", views_print.plan_action, name="plan_action"),
    path("plans/<int:pk>.pdf", views_print.plan_pdf, name="plan_pdf"),
    # batch printing
    path("batch/", views_print.batch_page, name="batch"),
    path("batch/start/", views_print.batch_start, name="batch_start"),
    path("batch/<int:pk>/", views_print.batch_job, name="batch_job"),
    path("batch/<int:pk>/download/", views_print.batch_download, name="batch_download"),
]
