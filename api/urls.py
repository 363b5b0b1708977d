from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from . import docs_views, tokens, views

app_name = "api"

router = SimpleRouter()
router.register("estates", views.EstateViewSet, basename="estate")
router.register("committees", views.CommitteeViewSet, basename="committee")
router.register("meeting-kinds", views.MeetingKindViewSet, basename="meetingkind")
router.register("meetings", views.MeetingViewSet, basename="meeting")
router.register("invitations", views.InvitationViewSet, basename="invitation")
router.register("resolutions", views.ResolutionViewSet, basename="resolution")
router.register("issues", views.IssueViewSet, basename="issue")
router.register("signoffs", views.SignoffViewSet, basename="signoff")

urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("assessment/", views.AssessmentView.as_view(), name="assessment"),
    *router.urls,
    path("schema/", docs_views.SchemaView.as_view(), name="schema"),
    path("docs/", docs_views.DocsView.as_view(), name="docs"),
    path("tokens/", tokens.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", tokens.token_revoke, name="token_revoke"),
    # anything else under /api/ answers a JSON 404, not the portal's HTML page
    re_path(r"^[\s\S]*$", views.NotFoundView.as_view(), name="not_found"),
]
