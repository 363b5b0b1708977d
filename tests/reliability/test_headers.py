"""A Content Security Policy on every page, and pages that live within it (no inline script or style).

The pages are every URL of the configuration that a GET can open: those without arguments and estate
A's object pages from the access matrix, as the administrator (who sees every page).
"""

import re

from django.db import transaction
from django.test import Client
from django.urls import NoReverseMatch, reverse

from .test_object_access import OBJECT_URLS
from .urlwalk import all_urls

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
STYLE_ATTR = re.compile(r"<[^>]+\sstyle\s*=", re.I)
STYLE_TAG = re.compile(r"<style[\s>]", re.I)


def _directives(header):
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def _pages(world):
    for name, (_route, kwargs) in sorted(all_urls().items()):
        if name.startswith("admin:") and name != "admin:index":
            continue
        if name in OBJECT_URLS:
            yield name, reverse(name, kwargs=OBJECT_URLS[name][0](world))
        elif not kwargs:
            try:
                yield name, reverse(name)
            except NoReverseMatch:
                continue


def test_every_page_has_a_strict_csp_and_no_inline_code(world, personas):
    client = Client()
    client.force_login(personas["admin_user"])
    failures, html_pages = [], 0
    for name, url in _pages(world):
        with transaction.atomic():
            r = client.get(url)
            transaction.set_rollback(True)
        if r.status_code >= 500:
            failures.append(f"{name} {url}: {r.status_code}")
            continue
        if r.status_code != 200 or not r.get("Content-Type", "").startswith("text/html"):
            continue
        html_pages += 1
        csp = r.get("Content-Security-Policy", "")
        d = _directives(csp)
        if not csp:
            failures.append(f"{name}: no Content-Security-Policy header")
            continue
        script = d.get("script-src", d.get("default-src", []))
        if "'unsafe-inline'" in script or "'unsafe-eval'" in script or "*" in script:
            failures.append(f"{name}: script-src allows inline/eval: {script}")
        if "'unsafe-inline'" in d.get("style-src", d.get("default-src", [])):
            failures.append(f"{name}: style-src allows inline styles")
        if d.get("object-src") != ["'none'"] or "frame-ancestors" not in d:
            failures.append(f"{name}: CSP lacks object-src 'none' / frame-ancestors: {csp}")
        if r.get("X-Content-Type-Options") != "nosniff":
            failures.append(f"{name}: no X-Content-Type-Options: nosniff")
        body = r.content.decode(errors="replace")
        for what, pattern in (
            ("inline <script>", INLINE_SCRIPT),
            ("on…= handler", INLINE_HANDLER),
            ("style= attribute", STYLE_ATTR),
            ("<style> element", STYLE_TAG),
        ):
            m = pattern.search(body)
            if m:
                failures.append(f"{name}: {what} (blocked by the CSP, so broken): {body[m.start() : m.start() + 80]!r}")
    assert html_pages > 40, f"only {html_pages} HTML pages opened"
    assert not failures, "\n".join(failures)


def test_login_and_error_pages_have_the_csp_too(client, db):
    for url, status in ((reverse("login"), 200), ("/no-such-page/", 404)):
        r = client.get(url)
        assert r.status_code == status
        assert "script-src 'self'" in r["Content-Security-Policy"]
        assert r["X-Frame-Options"] == "DENY"
