"""A company larger than a pick list: past OPTIONS_LIMIT entries the issue list's estate and person
filters become a name search, committees wait for an estate, and bulk assignment offers the chosen
estate's staff — so the page stays usable and its size does not grow with the company."""

import re

import pytest

from liaison import filters

pytestmark = pytest.mark.django_db

LIST = "/issues/"


@pytest.fixture
def short_lists(monkeypatch):
    monkeypatch.setattr(filters, "OPTIONS_LIMIT", 1)


def page(client, **params):
    response = client.get(LIST, params)
    assert response.status_code == 200
    return response.content.decode()


def test_many_estates_are_searched_by_name(client, leader, estate_a, estate_b, raise_issue, oc_b, short_lists):
    raise_issue(title="翠湖漏水")
    raise_issue(title="锦绣路灯", committee=oc_b, estate=estate_b)
    client.force_login(leader)
    html = page(client)
    assert '<select name="estate"' not in html and 'name="estate_name"' in html
    assert "翠湖漏水" in html and "锦绣路灯" in html
    html = page(client, estate_name="锦绣")
    assert "锦绣路灯" in html and "翠湖漏水" not in html
    # a link that names the estate by id (from the estate's page, the dashboard) still filters
    html = page(client, estate=estate_a.pk)
    assert "翠湖漏水" in html and "锦绣路灯" not in html
    assert f'type="hidden" name="estate" value="{estate_a.pk}"' in html


def test_committees_are_offered_for_the_chosen_estate(client, leader, estate_a, oc_a, rc_a, oc_b, short_lists):
    client.force_login(leader)
    assert '<select name="committee"' not in page(client)
    committees = re.search(r'<select name="committee".*?</select>', page(client, estate=estate_a.pk), re.S).group(0)
    assert oc_a.name in committees and rc_a.name in committees and oc_b.name not in committees


def test_bulk_assignment_asks_for_an_estate_first(
    client, leader, director_a, director_b, estate_a, raise_issue, short_lists
):
    raise_issue(title="翠湖漏水")
    client.force_login(leader)
    html = page(client)
    assert 'id="bulk-needs-estate"' in html and 'id="bulk-assign"' not in html
    html = page(client, estate=estate_a.pk)
    assert 'id="bulk-assign"' in html
    people = re.search(r'<select name="assignee".*?</select>', html.split('id="bulk-form"')[1], re.S).group(0)
    assert director_a.name in people and "钱主任" not in people


def test_small_companies_keep_their_pick_lists(client, director_a, estate_a, oc_a):
    client.force_login(director_a)
    html = page(client)
    assert '<select name="estate"' in html and 'name="estate_name"' not in html
    assert '<select name="assignee"' in html and 'name="assignee_name"' not in html
