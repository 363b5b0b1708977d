"""The search page: parse the query, ask the finders (each within what the user may see), render."""

import re

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from . import finders

MAX_LENGTH = 50
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


def clean_query(raw):
    """(query, message): spaces collapsed; at most MAX_LENGTH characters; one Chinese character is a
    query (灯), one Latin letter or digit is too little to be useful."""
    q = " ".join((raw or "").split())
    if not q:
        return "", ""
    if len(q) > MAX_LENGTH:
        return "", _("Search for at most %(n)s characters.") % {"n": MAX_LENGTH}
    if len(q) < 2 and not CJK.search(q):
        return "", _("Type at least two letters or digits, or one Chinese character.")
    return q, ""


@login_required
def search(request):
    q, message = clean_query(request.GET.get("q", ""))
    groups = finders.search(request.user, q) if q else []
    return render(
        request,
        "search/results.html",
        {
            "q": q,
            "typed": request.GET.get("q", "")[:200],
            "message": message,
            "groups": groups,
            "total": sum(len(g["hits"]) for g in groups),
        },
    )
