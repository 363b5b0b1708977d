from django.urls import path

from . import views

app_name = "assessment"

M = "<int:year>-<int:month>/"

urlpatterns = [
    path("", views.index, name="index"),
    path("trends/", views.trends, name="trends"),
    path(M, views.month_view, name="month"),
    path(M + "records/<slug:metric>/", views.records, name="records"),
    path(M + "estates/<int:estate_id>/", views.estate_month, name="estate_month"),
    path(M + "cadence/", views.cadence_view, name="cadence"),
    path(M + "cadence/<int:rule_id>/", views.cadence_meetings, name="cadence_meetings"),
    path(M + "close/", views.close, name="close"),
    path(M + "recompute/", views.recompute, name="recompute"),
    path(M + "refresh/", views.refresh, name="refresh"),
    path(M + "history/", views.history, name="history"),
    path(M + "assessment.xlsx", views.export_xlsx, name="export_xlsx"),
    path(M + "assessment.pdf", views.export_pdf, name="export_pdf"),
]
