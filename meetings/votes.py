"""Quorum and votes (seed 002 第六条): plain rule functions, read by the minutes page, the cadence counter
(through Meeting.below_quorum, stored by meetings.actions on every sign-in change), the minutes PDF
(records) and the API.

A meeting kind carries the defaults (the management committee's 成员大会, monthly and expanded meetings:
two thirds of the members present, a resolution passes with more than half of those present); a
committee's VoteRule overrides them (a 业委会's rules of procedure). Who counts: the committee's members
in office on the meeting's day; present: those of them signed in (walk-ins and staff do not count)."""

from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import Q
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Rule:
    quorum: str  # "none" | "two_thirds" | "more_than_half"
    majority: str  # "half_present" | "half_members" | "two_thirds_present"
    allows_consensus: bool
    members: int = 0  # for "half_members"


class Quorum(NamedTuple):
    """(present, members, required, met)."""

    present: int
    members: int
    required: int  # the fewest members present that make the quorum (0: no quorum asked)
    met: bool


def rule_for(meeting, members=0):
    """The committee's own rule for the meeting's kind, else the kind's."""
    own = meeting.committee.vote_rules.filter(kind_id=meeting.kind_id).first()
    source = own or meeting.kind
    return Rule(source.quorum, source.majority, source.allows_consensus, members)


def required_present(quorum_rule, members):
    """The fewest present that make the quorum: two thirds (2/3以上 includes two thirds exactly),
    more than half (strictly)."""
    if quorum_rule == "two_thirds":
        return -(-2 * members // 3)  # ceil(2m/3)
    if quorum_rule == "more_than_half":
        return members // 2 + 1
    return 0


def members_on(committee, day):
    return committee.members.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day), term_start__lte=day)


def quorum(meeting, now):
    """(present, members, required, met) of the meeting at `now`: its committee's members on the day,
    those of them signed in by `now`, and the quorum its rule asks for."""
    day = meeting.starts_at.date()
    member_ids = set(members_on(meeting.committee, day).values_list("pk", flat=True))
    present = (
        meeting.attendances.filter(invitation__member_id__in=member_ids, signed_in_at__lte=now)
        .values("invitation__member_id")
        .distinct()
        .count()
    )
    rule = rule_for(meeting)
    required = required_present(rule.quorum, len(member_ids))
    return Quorum(present, len(member_ids), required, present >= required)


def passed(votes_for, against, abstain, present, rule):
    """Whether a resolution with these votes passes under `rule`. Abstentions count among those present
    (more than half of those present must vote for: exactly half is not enough)."""
    if rule.majority == "half_members":
        return 2 * votes_for > rule.members
    if rule.majority == "two_thirds_present":
        return 3 * votes_for >= 2 * present and votes_for > 0
    return 2 * votes_for > present


def vote_errors(*, votes_for, against, abstain, by_consensus, present, rule):
    """{field: message}: what is wrong with a resolution's vote (nothing when no vote is given)."""
    errors = {}
    counts = {"votes_for": votes_for, "votes_against": against, "votes_abstain": abstain}
    if by_consensus:
        if not rule.allows_consensus:
            errors["by_consensus"] = _("This kind of meeting records the votes: enter for, against and abstaining.")
        elif any(v for v in counts.values()):
            errors["by_consensus"] = _("A resolution by consensus has no vote counts: clear them or untick it.")
        return errors
    for field, value in counts.items():
        if value is not None and value < 0:
            errors[field] = _("A vote count cannot be negative.")
    if errors:
        return errors
    given = [v for v in counts.values() if v is not None]
    if given and sum(given) > present:
        errors["votes_for"] = _("%(votes)s votes were counted but only %(present)s members are present.") % {
            "votes": sum(given),
            "present": present,
        }
    elif not given and not rule.allows_consensus:
        errors["votes_for"] = _("Enter the votes: for, against and abstaining.")
    return errors


def outcome(*, votes_for, against, abstain, by_consensus, present, rule):
    """The stored `passed`: True by consensus, computed from the counts, None when no vote was recorded."""
    if by_consensus:
        return True
    if votes_for is None and against is None and abstain is None:
        return None
    return passed(votes_for or 0, against or 0, abstain or 0, present, rule)
