"""The OpenAPI schema at a stable URL and the Swagger UI under the strict CSP (vendored assets only)."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

pytestmark = pytest.mark.django_db


def test_schema_is_openapi3_and_documents_auth_and_errors(db):
    resp = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert resp.status_code == 200
    schema = resp.json()
    assert schema["openapi"].startswith("3.")
    assert schema["components"]["securitySchemes"]["tokenAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schema["components"]["securitySchemes"]["tokenAuth"]["description"],
    }
    paths = schema["paths"]
    for path in (
        "/api/meetings/",
        "/api/meetings/{id}/approve/",
        "/api/issues/{id}/callback/",
        "/api/signoffs/{id}/sign/",
    ):
        assert path in paths, path
    # every operation says what its errors look like
    for path, ops in paths.items():
        for method, op in ops.items():
            for code in ("400", "401", "403", "404", "429"):
                assert code in op["responses"], (method, path, code)
            assert op["responses"]["404"]["content"]["application/json"]["schema"]["$ref"].endswith("/Error")
    # list endpoints are cursor-paginated
    params = {p["name"] for p in paths["/api/issues/"]["get"]["parameters"]}
    assert {"cursor", "page_size", "estate", "status"} <= params


def test_docs_page_loads_only_files_from_this_site_under_the_csp(db):
    resp = Client().get("/api/docs/")
    assert resp.status_code == 200
    html = resp.content.decode()
    csp = resp["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    # no inline script or style: every script has a src, no <style> element, no style= attribute
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts and all('src="' in attrs and not body.strip() for attrs, body in scripts)
    assert "<style" not in html and "style=" not in html
    srcs = re.findall(r'(?:src|href)="([^"]+)"', html)
    vendored = [u for u in srcs if u.startswith("/static/")]
    assert any(u.endswith("swagger-ui-bundle.js") for u in vendored)
    assert any(u.endswith("swagger-ui.css") for u in vendored)
    for u in srcs:
        assert u.startswith("/static/") or u.startswith("/api/docs/?"), u  # nothing from a CDN
    for u in vendored:
        assert finders.find(u.removeprefix("/static/")), u  # the files are really vendored
    # the start-up script comes from this same view, as JavaScript
    init = next(u for u in srcs if u.startswith("/api/docs/?")).replace("&amp;", "&")
    js = Client().get(init)
    assert js.status_code == 200 and js["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in js.content.decode()
