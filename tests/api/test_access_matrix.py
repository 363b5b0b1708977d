"""The cross-estate access matrix, generated from the API's URL configuration: every route that names an
object is called by people of another estate (and, for committee-bound objects, by a member of another
committee of the same estate) with every method it accepts. Each answers 404 and changes nothing.

A new route naming an object fails `test_every_object_route_is_covered` until it is added to OBJECTS,
so no endpoint can escape the matrix.
"""

import pytest
from django.urls import URLPattern, URLResolver

import api.urls
from api.models import ApiToken
from liaison.models import AuditEntry
from meetings.models import Resolution

pytestmark = pytest.mark.django_db

# route-name prefix -> (fixture-built object getter, committee-bound?)
OBJECTS = {
    "estate": (lambda w: w["estate"], False),
    "committee": (lambda w: w["committee"], True),
    "meetingkind": None,  # configuration shared by every estate: not estate-bound
    "meeting": (lambda w: w["meeting"], True),
    "invitation": (lambda w: w["invitation"], True),
    "resolution": (lambda w: w["resolution"], True),
    "issue": (lambda w: w["issue"], True),
    "signoff": (lambda w: w["signoff"], True),
    "token_revoke": (lambda w: w["token"], True),
}


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def object_routes():
    """(name, route, methods) for every /api/ route with a pk."""
    out = []
    for route, pattern in _walk(api.urls.urlpatterns):
        if "pk" not in route:
            continue
        actions = getattr(pattern.callback, "actions", None)
        if actions:
            methods = sorted(actions)
        else:
            methods = ["post"] if pattern.name == "token_revoke" else ["get"]
        out.append((pattern.name, route, methods))
    return out


def _key(name):
    return name if name in OBJECTS else name.split("-")[0]


def _url(route, pk):
    # DRF routes are regexes: ^meetings/(?P<pk>[0-9]+)/approve/$ ; plain paths: tokens/<int:pk>/revoke/
    import re

    path = re.sub(r"\(\?P<pk>[^)]*\)", str(pk), route).replace("<int:pk>", str(pk))
    return "/api/" + path.lstrip("^").rstrip("$").replace("\\.", ".")


def test_every_object_route_is_covered():
    routes = object_routes()
    assert len(routes) >= 25  # the router really was walked
    missing = sorted({_key(name) for name, _r, _m in routes} - set(OBJECTS))
    assert not missing, f"add these API objects to the access matrix: {missing}"


@pytest.fixture
def world(meeting_a, issue_a, signoff_a, director_a, oc_a, estate_a, now):
    resolution = Resolution.objects.create(
        meeting=meeting_a,
        text="维修渗水点",
        owner=director_a,
        owner_name="王主任",
        action="联系施工单位",
        due_date=now.date(),
    )
    token, _raw = ApiToken.create_for(director_a, "OA")
    return {
        "estate": estate_a,
        "committee": oc_a,
        "meeting": meeting_a,
        "invitation": meeting_a.invitations.first(),
        "resolution": resolution,
        "issue": issue_a,
        "signoff": signoff_a,
        "token": token,
    }


def _snapshot():
    from followups.models import Issue
    from meetings.models import Meeting
    from records.models import Signature

    return (
        AuditEntry.objects.count(),
        list(Meeting.objects.values_list("pk", "status", "updated_at").order_by("pk")),
        list(Issue.objects.values_list("pk", "status", "replied_at").order_by("pk")),
        Signature.objects.count(),
        list(ApiToken.objects.values_list("pk", "revoked_at").order_by("pk")),
    )


@pytest.mark.parametrize("persona", ["director_b", "chair_b", "rc_member_a"])
def test_foreign_people_get_404_and_change_nothing(request, persona, world, api):
    user = request.getfixturevalue(persona)
    client = api(user)
    if persona == "rc_member_a":
        # same estate, another committee: committee-bound objects are out of reach
        routes = [r for r in object_routes() if OBJECTS[_key(r[0])] and OBJECTS[_key(r[0])][1]]
    else:
        routes = [r for r in object_routes() if OBJECTS[_key(r[0])]]
    before = _snapshot()
    tried = 0
    for name, route, methods in routes:
        obj = OBJECTS[_key(name)][0](world)
        url = _url(route, obj.pk)
        for method in methods:
            if name == "token_revoke":
                client.client.force_login(user)
                resp = client.client.post(url)
                client.client.logout()
            else:
                if method in ("get", "head", "delete"):
                    resp = getattr(client, method)(url)
                else:
                    resp = getattr(client, method)(url, {})
            assert resp.status_code == 404, (persona, method, url, resp.status_code, resp.content[:200])
            if name != "token_revoke" and method != "head":
                assert resp.json()["code"] == "not_found"
            tried += 1
    assert tried >= len(routes)
    assert _snapshot() == before


def test_own_people_see_the_same_objects(world, api, director_a, chair_a):
    """The positive control: estate A's director reads every object; A's chair reads the committee's."""
    for name, route, methods in object_routes():
        if "get" not in methods or not OBJECTS[_key(name)]:
            continue
        obj = OBJECTS[_key(name)][0](world)
        for user in (director_a, chair_a):
            resp = api(user).get(_url(route, obj.pk))
            assert resp.status_code == 200, (user, route, resp.content[:200])


@pytest.mark.parametrize("persona", ["director_b", "chair_b"])
def test_lists_never_show_another_estate(request, persona, world, api):
    client = api(request.getfixturevalue(persona))
    for url, key in [
        ("/api/estates/", "estate"),
        ("/api/committees/", "committee"),
        ("/api/meetings/", "meeting"),
        ("/api/issues/", "issue"),
        ("/api/signoffs/", "signoff"),
    ]:
        resp = client.get(url)
        assert resp.status_code == 200
        body = resp.json()
        rows = body["results"] if isinstance(body, dict) else body
        assert world[key].pk not in [r["id"] for r in rows], url
    # and filtering on the foreign estate is a 404, as on the meeting list page
    assert client.get("/api/meetings/", {"estate": world["estate"].pk}).status_code == 404
    assert client.get("/api/issues/", {"committee": world["committee"].pk}).status_code == 404
