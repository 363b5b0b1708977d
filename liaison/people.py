"""Who is told: the people behind a role at an estate or a committee, as lists of active users.

The notifications of every app (meetings, issues, records, the scans) take their recipients from
here, so "the estate's office" means the same people everywhere.
"""

from .models import CommitteeMember, Role, User


def leaders():
    """The leaders in charge (主管副总经理)."""
    return list(User.objects.filter(role=Role.LEADER, is_active=True).order_by("pk"))


def estate_staff(estate, roles):
    """Active staff assigned to `estate` in one of `roles`, each once."""
    return list(
        User.objects.filter(assignments__estate=estate, assignments__role__in=roles, is_active=True)
        .distinct()
        .order_by("pk")
    )


def directors(estate):
    return estate_staff(estate, [Role.DIRECTOR])


def office(estate):
    """The estate's community service office: its director(s) and supervisor(s)."""
    return estate_staff(estate, [Role.DIRECTOR, Role.SUPERVISOR])


def committee_users(committee):
    """The committee's active members who have a portal account."""
    return [
        m.user
        for m in CommitteeMember.objects.filter(
            committee=committee, ended_on__isnull=True, user__isnull=False, user__is_active=True
        ).select_related("user")
    ]


def mobile_numbers(users):
    """{user id: mainland mobile} for the SMS channel: the account's number, else the number on the
    person's active committee seat; users without a valid mainland mobile are left out. Two queries at most."""
    from .phones import mainland_mobile

    numbers = {}
    missing = []
    for user in users:
        number = mainland_mobile(user.phone)
        if number:
            numbers[user.pk] = number
        else:
            missing.append(user.pk)
    if missing:
        seats = CommitteeMember.objects.filter(user_id__in=missing, ended_on__isnull=True).exclude(phone="")
        for user_id, phone in seats.order_by("pk").values_list("user_id", "phone"):
            number = mainland_mobile(phone)
            if number and user_id not in numbers:
                numbers[user_id] = number
    return numbers


def mobile_number(user):
    return mobile_numbers([user]).get(user.pk)
