"""Object URLs for long lists, without a full `reverse()` per row.

`reverse()` walks the URL resolver on every call (~70 µs); a table of 50 issues or a month calendar
of meetings called it for every row. `object_url("meetings:detail", pk)` reverses the pattern once per
URL configuration and script prefix with a placeholder id and fills the id in afterwards: the same
string `reverse(name, args=[pk])` gives, for any pattern whose only argument is an `<int:…>` id.
"""

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

_PLACEHOLDER = 918273645
_patterns = {}


def object_url(name, pk):
    key = (name, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
    pattern = _patterns.get(key)
    if pattern is None:
        head, _sep, tail = reverse(name, args=[_PLACEHOLDER]).partition(str(_PLACEHOLDER))
        pattern = _patterns[key] = (head, tail)
    return f"{pattern[0]}{int(pk)}{pattern[1]}"
