"""The one rule for mobile numbers: a mainland mobile, ^1[3-9]\\d{9}$ once "+86"/"0086" and spaces or
dashes are stripped. Used by the models, the member form and the SMS channel."""

import re

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

MOBILE_RE = r"^1[3-9]\d{9}$"
MOBILE_MESSAGE = _("Enter a mainland mobile number: 11 digits starting with 1, e.g. 13812345678.")

mobile_validator = RegexValidator(MOBILE_RE, MOBILE_MESSAGE)

_SEPARATORS = re.compile(r"[\s\-\u00a0\u3000]+")


def normalize_mobile(value):
    """ "+86 138-1234-5678" → "13812345678"; anything else is returned stripped (the validator refuses it)."""
    text = _SEPARATORS.sub("", str(value or ""))
    for prefix in ("+86", "0086", "86"):
        if text.startswith(prefix) and len(text) == len(prefix) + 11:
            return text[len(prefix) :]
    return text


def mainland_mobile(value):
    """The normalized number if it is a mainland mobile, else None."""
    number = normalize_mobile(value)
    return number if re.fullmatch(MOBILE_RE, number) else None


class MobileField(forms.CharField):
    """A form field that accepts "+86 138 1234 5678" and stores "13812345678"."""

    def __init__(self, **kwargs):
        kwargs["max_length"] = None  # checked after normalizing: the model keeps 11 digits
        kwargs.setdefault("validators", [])
        super().__init__(**kwargs)
        self.validators = [v for v in self.validators if not isinstance(v, RegexValidator)] + [mobile_validator]
        self.widget.attrs.setdefault("inputmode", "tel")

    def to_python(self, value):
        return normalize_mobile(super().to_python(value))
