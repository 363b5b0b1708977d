"""Every error is JSON: {"code": machine-readable, "message": human, in the user's language,
"fields": {field: [{"code", "message"}]} for validation errors}.

The apps' business functions refuse with django.core.exceptions.ValidationError ({field: message} or a
plain message) and PermissionDenied; they are turned into the same shape here, so an API client sees
exactly the refusal a browser user sees on the form.
"""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings

log = logging.getLogger("api")

NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY  # "non_field_errors"


class TooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def _flatten(detail, prefix=""):
    """DRF error detail (nested dicts/lists of ErrorDetail) -> {"a.0.b": [{"code", "message"}]}."""
    out = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = NON_FIELD if key in ("__all__", NON_FIELD) and not prefix else f"{prefix}{key}"
            for k, v in _flatten(value, f"{name}.").items():
                out.setdefault(k, []).extend(v)
            if not isinstance(value, (dict, list)):
                out.setdefault(name, []).append(_item(value))
        return out
    if isinstance(detail, list):
        leaves = [d for d in detail if not isinstance(d, (dict, list))]
        if leaves:
            out[prefix.rstrip(".") or NON_FIELD] = [_item(d) for d in leaves]
        for i, d in enumerate(detail):
            if isinstance(d, (dict, list)):
                for k, v in _flatten(d, f"{prefix}{i}.").items():
                    out.setdefault(k, []).extend(v)
        return out
    return {prefix.rstrip(".") or NON_FIELD: [_item(detail)]}


def _item(detail):
    return {"code": getattr(detail, "code", None) or "invalid", "message": force_str(detail)}


def django_validation_to_drf(exc: DjangoValidationError):
    """Keep each message's code; "__all__" becomes non_field_errors."""
    if hasattr(exc, "error_dict"):
        detail = {}
        for field, errors in exc.error_dict.items():
            key = NON_FIELD if field == "__all__" else field
            detail[key] = [exceptions.ErrorDetail(m, code=e.code or "invalid") for e in errors for m in e.messages]
        return exceptions.ValidationError(detail)
    return exceptions.ValidationError(
        {NON_FIELD: [exceptions.ErrorDetail(m, code=e.code or "invalid") for e in exc.error_list for m in e.messages]}
    )


def error_body(code, message, fields=None):
    body = {"code": code, "message": message}
    if fields is not None:
        body["fields"] = fields
    return body


def handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = django_validation_to_drf(exc)
    elif isinstance(exc, RequestDataTooBig):
        # a body of unannounced length read past the limit (an announced one is refused earlier, by
        # liaison.middleware.RequestSizeMiddleware, with the same body)
        from liaison.middleware import too_large_message

        exc = TooLarge(too_large_message(settings.REQUEST_MAX_BODY_BYTES))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    if not isinstance(exc, exceptions.APIException):
        log.exception("API error in %s", context.get("view").__class__.__name__ if context.get("view") else "?")
        return Response(
            error_body("server_error", _("Something went wrong on our side. The error has been logged.")),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )

    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))

    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        non_field = fields.get(NON_FIELD)
        code = "invalid"
        if non_field and len(fields) == 1:
            # a refusal of the whole request by a business rule ("already sent", "closed", …)
            code = non_field[0]["code"] if non_field[0]["code"] not in ("invalid", None) else "refused"
            message = non_field[0]["message"]
        else:
            message = _("Please correct the errors below.")
        return Response(error_body(code, message, fields), status=exc.status_code, headers=headers)

    detail = exc.detail
    if isinstance(detail, (list, dict)):
        fields = _flatten(detail)
        first = next(iter(fields.values()))[0]
        return Response(error_body(first["code"], first["message"], fields), status=exc.status_code, headers=headers)
    code = getattr(detail, "code", None) or exc.default_code
    return Response(error_body(code, force_str(detail)), status=exc.status_code, headers=headers)
