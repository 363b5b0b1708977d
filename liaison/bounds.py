"""Bounds on what a user may type: dates in a sane range, ids in ASCII digits (issue 22).

- Dates and date-times are 2000-01-01 … 2100-12-31. A far date is stored but cannot come back: 0001-01-01
  00:00 in Shanghai is a BC timestamp psycopg cannot read, 9999-12-31 overflows the time-zone arithmetic,
  and either breaks every list the row appears in. Every form field, API serializer field and filter
  that takes a date uses `validate_sane_date` (through the fields below).
- An id typed or carried in a query string is parsed by `parse_id`: ASCII digits only ("²" and "٣" pass
  `str.isdigit()` and then fail `int()`), at most ID_DIGITS long (fits a bigint).
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

DATE_MIN = datetime.date(2000, 1, 1)
DATE_MAX = datetime.date(2100, 12, 31)
DATE_RANGE_MESSAGE = _("Enter a date between 2000-01-01 and 2100-12-31.")
# a bigint holds 19 digits; 18 always fit
ID_DIGITS = 18


def sane_date(value):
    """Whether a date or date-time (aware or naive: its own calendar day) lies in DATE_MIN … DATE_MAX."""
    day = value.date() if isinstance(value, datetime.datetime) else value
    return DATE_MIN <= day <= DATE_MAX


def validate_sane_date(value):
    if value is not None and not sane_date(value):
        raise ValidationError(DATE_RANGE_MESSAGE, code="date_range")


def parse_id(value):
    """The positive int `value` spells in ASCII digits (at most ID_DIGITS), else None."""
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(text, str) or not (0 < len(text) <= ID_DIGITS and text.isascii() and text.isdigit()):
        return None
    return int(text)


class _OverflowSafe:
    def to_python(self, value):
        try:
            return super().to_python(value)
        except OverflowError:
            raise ValidationError(DATE_RANGE_MESSAGE, code="date_range") from None


class SaneDateField(_OverflowSafe, forms.DateField):
    default_validators = [validate_sane_date]


class SaneDateTimeField(_OverflowSafe, forms.DateTimeField):
    default_validators = [validate_sane_date]


class _SerializerOverflowSafe:
    """A date-time DRF cannot shift to the time zone ("overflow") is out of range too: one code, one message."""

    default_error_messages = {"date_range": DATE_RANGE_MESSAGE}

    def fail(self, key, **kwargs):
        super().fail("date_range" if key == "overflow" else key, **kwargs)

    def to_internal_value(self, value):
        try:
            return super().to_internal_value(value)
        except OverflowError:
            self.fail("date_range")


class SaneDateSerializerField(_SerializerOverflowSafe, serializers.DateField):
    def __init__(self, **kwargs):
        kwargs["validators"] = [*kwargs.get("validators", ()), validate_sane_date]
        super().__init__(**kwargs)


class SaneDateTimeSerializerField(_SerializerOverflowSafe, serializers.DateTimeField):
    def __init__(self, **kwargs):
        kwargs["validators"] = [*kwargs.get("validators", ()), validate_sane_date]
        super().__init__(**kwargs)
