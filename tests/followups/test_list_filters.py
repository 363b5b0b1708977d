"""The issue list's filters as a user meets them: the options are what they may see (liaison.access) and
show changes at once; a chosen option filters the list and the export; a value outside the options is a
message on that field, and the list is not narrowed by it."""

import io
import re

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from liaison.models import Role
from tests.factories import AssignmentFactory, CommitteeFactory, DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = "/issues/"


def page(client, **params):
    response = client.get(LIST, params)
    assert response.status_code == 200
    return response.content.decode()


def select(html, name):
    """The filter's <select name=…> (option values are ids: another select may hold the same numbers)."""
    return re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)


def options(html, name):
    return dict(re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', select(html, name)))


def test_options_are_the_estates_and_committees_the_user_sees(
    client, director_a, director_b, chair_b, leader, estate_a, estate_b, oc_a, rc_a, oc_b
):
    client.force_login(director_a)
    html = page(client)
    assert options(html, "estate") == {str(estate_a.pk): "翠湖花园"}
    assert options(html, "committee") == {
        str(oc_a.pk): "翠湖花园 · 翠湖花园业主委员会",
        str(rc_a.pk): "翠湖花园 · 粤海社区居委会",
    }
    client.force_login(director_b)  # another estate's office: nothing of estate A
    html = page(client)
    assert options(html, "estate") == {str(estate_b.pk): "锦绣苑"}
    assert options(html, "committee") == {str(oc_b.pk): "锦绣苑 · 锦绣苑业主委员会"}
    # a member of one committee has no estate or committee to choose, and no one of estate A to pick
    client.force_login(chair_b)
    html = page(client)
    assert '<select name="estate"' not in html and '<select name="committee"' not in html
    assert options(html, "assignee") == {}
    assert "翠湖花园" not in html and director_a.name not in html
    client.force_login(leader)
    assert set(options(page(client), "estate")) == {str(estate_a.pk), str(estate_b.pk)}


def test_a_directors_options_follow_their_assignments(client, director_a, estate_b, oc_b):
    client.force_login(director_a)
    assert str(estate_b.pk) not in options(page(client), "estate")
    assignment = AssignmentFactory(estate=estate_b, user=director_a, role=Role.DIRECTOR)
    html = page(client)
    assert options(html, "estate")[str(estate_b.pk)] == "锦绣苑"
    assert options(html, "committee")[str(oc_b.pk)] == "锦绣苑 · 锦绣苑业主委员会"
    assignment.delete()
    assert str(estate_b.pk) not in options(page(client), "estate")


def test_renamed_estates_and_committees_and_staff_changes_show_at_once(
    client, leader, estate_a, oc_a, estate_b, raise_issue
):
    raise_issue()  # a row: the bulk assignment is shown too
    spare = CommitteeFactory(estate=estate_a, name="临时委员会")
    client.force_login(leader)
    assert "临时委员会" in page(client)
    estate_a.name = "翠湖花园（新）"
    estate_a.save()
    oc_a.name = "新一届业委会"
    oc_a.save()
    newcomer = UserFactory(name="新来的钱工", role=Role.DEPARTMENT, department=DepartmentFactory(name="工程部"))
    html = page(client)
    assert ">翠湖花园（新）</option>" in html and ">翠湖花园（新） · 新一届业委会</option>" in html
    assert "<td>翠湖花园（新） · 新一届业委会</td>" in html  # the row
    label = f"新来的钱工 ({Role.DEPARTMENT.label} · 工程部)"
    assert html.count(f'<option value="{newcomer.pk}">{label}</option>') == 2  # the filter, the bulk assignment
    newcomer.is_active = False
    newcomer.save()
    spare.delete()
    html = page(client)
    assert f'<option value="{newcomer.pk}">' not in html and "临时委员会" not in html


def test_staff_are_labelled_in_the_users_language(client, director_b, estate_b):
    client.force_login(director_b)
    with translation.override("zh-hans"):
        zh = f"{director_b.name} ({Role.DIRECTOR.label}"
    with translation.override("en"):
        en = f"{director_b.name} ({Role.DIRECTOR.label}"
    assert zh != en
    chinese = page(client)
    director_b.language = "en"  # chosen on the account (liaison.language)
    director_b.save(update_fields=["language"])
    english = client.get(LIST).content.decode()
    assert zh in chinese and en not in chinese
    assert en in english and zh not in english


def test_a_chosen_estate_filters_the_list_and_a_foreign_one_is_refused(
    client, director_a, estate_a, estate_b, raise_issue
):
    raise_issue(description="A小区的事")
    client.force_login(director_a)
    html = page(client, estate=estate_a.pk)
    assert "A小区的事" in html and f'<option value="{estate_a.pk}" selected>' in html
    # an estate the director does not see, a number no estate has, not a number: a message on the field,
    # the list as without it
    for wrong in (estate_b.pk, 10**12, 10**40, "x"):
        html = page(client, estate=wrong, q="A小区")
        assert 'class="select form-select is-invalid"' in select(html, "estate")
        assert "A小区的事" in html


def test_the_export_filters_as_the_list(client, director_a, estate_a, raise_issue):
    issue = raise_issue(description="导出这件")
    raise_issue(description="不导出", category="parking")
    client.force_login(director_a)
    r = client.get(reverse("followups:export"), {"estate": estate_a.pk, "assignee": "", "category": "", "q": "导出这"})
    rows = [row[0] for row in load_workbook(io.BytesIO(r.content)).active.iter_rows(min_row=2, values_only=True)]
    assert rows == [issue.pk]
