"""liaison.actions: each change to estates, teams, committees and members checks who may make it,
writes its audit row, and keeps the database whole when refused."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from liaison import actions
from liaison.forms import CommitteeForm, EstateForm, MemberForm
from liaison.models import AuditEntry, Committee, CommitteeMember, Company, Estate
from meetings.cadence_defaults import DEFAULT_RULES
from meetings.models import CadenceRule

pytestmark = pytest.mark.django_db


def test_a_new_estate_starts_with_the_default_cadence_rules(client, admin_user):
    """The meetings app installs them when told an estate was created (liaison.signals.estate_created):
    liaison never imports meetings."""
    Company.objects.get_or_create(name="物业公司")
    client.force_login(admin_user)
    r = client.post(reverse("estate_create"), {"name": "碧水湾", "address": "深圳市宝安区碧水路1号"})
    assert r.status_code == 302
    estate = Estate.objects.get(name="碧水湾")
    codes = set(CadenceRule.objects.filter(estate=estate).values_list("code", flat=True))
    assert codes == {rule[0] for rule in DEFAULT_RULES}
    assert AuditEntry.objects.filter(object_type="liaison.estate", object_id=str(estate.pk), action="created").exists()


def test_only_an_administrator_creates_an_estate(director_a):
    company, _ = Company.objects.get_or_create(name="物业公司")
    form = EstateForm({"name": "碧水湾", "address": "x"}, company=company)
    assert form.is_valid(), form.errors
    with pytest.raises(PermissionDenied):
        actions.create_estate(form, actor=director_a)
    assert not Estate.objects.filter(name="碧水湾").exists()
    assert not CadenceRule.objects.filter(estate__name="碧水湾").exists()


def test_another_estates_director_cannot_add_a_committee(director_b, estate_a):
    form = CommitteeForm({"kind": Committee.Kind.MC, "name": "某管委会", "term_start": "2025-07-01"}, estate=estate_a)
    form.is_valid()
    with pytest.raises(PermissionDenied):
        actions.save_committee(form, actor=director_b, estate=estate_a)
    assert not Committee.objects.filter(name="某管委会").exists()


def test_a_second_chair_saved_meanwhile_is_refused_on_the_role_field(director_a, oc_a, chair_a):
    """Two directors add a chair at once: the second form passed validation while the seat was free;
    the database's one-chair constraint refuses it and the message lands on the role field."""
    seated = CommitteeMember.objects.get(committee=oc_a, user=chair_a)
    CommitteeMember.objects.filter(pk=seated.pk).update(ended_on=datetime.date(2026, 1, 1))
    form = MemberForm({"name": "另一个主任", "role": "chair", "term_start": "2025-03-01"}, committee=oc_a)
    assert form.is_valid(), form.errors
    CommitteeMember.objects.filter(pk=seated.pk).update(ended_on=None)  # the other director's save
    with pytest.raises(ValidationError) as refused:
        actions.save_member(form, actor=director_a, committee=oc_a)
    assert "role" in refused.value.error_dict
    assert oc_a.active_members().filter(role="chair").count() == 1
    assert not CommitteeMember.objects.filter(name="另一个主任").exists()


def test_ending_a_term_twice_is_refused(director_a, oc_a, chair_a):
    member = CommitteeMember.objects.get(committee=oc_a, user=chair_a)
    actions.end_term(member, actor=director_a, ended_on=datetime.date(2026, 6, 30), reason="换届")
    with pytest.raises(ValidationError):
        actions.end_term(member, actor=director_a, ended_on=datetime.date(2026, 7, 30), reason="again")
    member.refresh_from_db()
    assert member.ended_on == datetime.date(2026, 6, 30)
    assert AuditEntry.objects.filter(object_id=str(member.pk), action="term_ended").count() == 1
