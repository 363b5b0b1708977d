"""Factories for the core registry. Apps keep their own factories in tests/<app>/factories.py."""

import datetime

import factory

from liaison.models import Committee, CommitteeMember, Company, Department, Estate, Role, StaffAssignment, User

PASSWORD = "Pa55-word-for-tests"


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company
        django_get_or_create = ("name",)

    name = "测试物业公司"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"部门{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Sequence(lambda n: f"用户{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    role = Role.DIRECTOR
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class EstateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Estate

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"小区{n}")
    address = "某市某路1号"
    district = "南山区"
    street_office = "粤海街道办"


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffAssignment

    estate = factory.SubFactory(EstateFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.DIRECTOR


class CommitteeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Committee

    estate = factory.SubFactory(EstateFactory)
    kind = Committee.Kind.OC
    name = factory.LazyAttribute(lambda c: f"{c.estate.name}业主委员会")
    term_start = datetime.date(2025, 1, 1)
    term_end = datetime.date(2030, 1, 1)
    secretariat_contact = "秘书处"


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommitteeMember

    committee = factory.SubFactory(CommitteeFactory)
    user = factory.SubFactory(UserFactory, role=Role.COMMITTEE)
    name = factory.LazyAttribute(lambda m: m.user.name if m.user else "委员")
    role = CommitteeMember.Role.MEMBER
    term_start = datetime.date(2025, 1, 1)
