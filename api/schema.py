"""OpenAPI generation: every operation documents the JSON error shape for the statuses it can answer."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse

from .serializers import ErrorSerializer

ERRORS = {
    "400": "Invalid input or refused by a business rule: `code` and `message`, `fields` per field.",
    "401": "No credentials, or an invalid, expired or revoked token.",
    "403": "Authenticated, but this role may not do this.",
    "404": "No such object among those this user may see (objects of other estates answer 404 too).",
    "429": "Too many requests for this token; see Retry-After.",
}
WRITE_ERRORS = {"409": "Conflict: the object changed meanwhile (e.g. a new version to sign)."}


class ApiAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        errors = dict(ERRORS)
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            errors.update(WRITE_ERRORS)
        for code, description in errors.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(response=ErrorSerializer, description=description), code
                )
        return responses
