"""The OpenAPI schema and the Swagger UI. The UI is the split view: the page loads the vendored
swagger-ui files from /static/ (drf-spectacular-sidecar) and its start-up script from this same URL
with ?script, so it runs under the portal's strict CSP (script-src 'self'; style-src 'self')."""

from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny

from .authentication import SessionAuthentication, TokenAuthentication
from .throttling import ApiRateThrottle


class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 document (YAML by default; JSON with ?format=json or Accept: application/json).
    Public: it describes the API, it holds no data."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [AllowAny]
    throttle_classes = [ApiRateThrottle]

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class DocsView(SpectacularSwaggerSplitView):
    authentication_classes = [SessionAuthentication]
    permission_classes = [AllowAny]
    throttle_classes = []
    template_name = "api/swagger_ui.html"
    url_name = "api:schema"
