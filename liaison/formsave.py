"""Running an action from a form: refusals onto the form's fields, database errors as a message, and
the user's input kept. Shared by every app's pages."""

import logging

from django import forms
from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.utils.translation import gettext_lazy as _

log = logging.getLogger("liaison.save")

DB_ERROR = _("The database could not save this; nothing was saved. Please try again.")


def apply_errors(form, exc):
    """Put a ValidationError from an action onto the form: on its field when the form has it."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for e in errors:
                form.add_error(field if field in form.fields else None, e)
    else:
        for e in exc.error_list:
            form.add_error(None, e)


def save_with_form(form, fn, /, *args, **kwargs):
    """Run the action `fn` for a bound, valid form; returns (True, result) or (False, None).

    A refusal (ValidationError) goes onto the form. A database error (connection lost, deadlock,
    serialisation failure …) is logged and shown as a form error: the action's transaction has rolled
    back, so nothing was saved, and the caller re-renders the bound form with what the user typed."""
    try:
        return True, fn(*args, **kwargs)
    except ValidationError as exc:
        apply_errors(form, exc)
        if getattr(exc, "code", None) == "stale":
            # saved by someone else meanwhile (liaison.versions.StaleEdit): the message says so; the form
            # keeps the user's text and now carries the current version, so saving again is deliberate
            form.stale = True
            if "version" in form.fields and exc.current_version is not None:
                data = form.data.copy()
                data["version"] = str(exc.current_version)
                form.data = data
    except DatabaseError:
        log.exception("database error while saving (%s); nothing saved, form shown again", fn.__qualname__)
        form.add_error(None, DB_ERROR)
    return False, None


def version_field():
    """The version of the object the page shows (optimistic concurrency, liaison.versions.bump_version)."""
    return forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
