"""The API's views: thin. Objects come through liaison.access / the apps' own scoping functions (404
outside what the user may see); changes go through the same business functions the browser views call
(meetings.actions, followups.actions, records.signoff), with the same permission checks first."""

import contextlib

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from followups import actions as issue_actions
from followups import permissions as issue_perms
from followups.forms import staff_users
from followups.meeting_issues import raise_meeting_issue
from followups.models import Issue
from liaison import access
from liaison.bounds import SaneDateTimeSerializerField, parse_id
from liaison.models import Department, Role, User
from liaison.versions import StaleEdit
from meetings import actions as meeting_actions
from meetings import rules as meeting_rules
from meetings.models import Invitation, Meeting, MeetingKind, Resolution
from records import signoff
from records.models import SignoffRequest

from . import serializers as s
from .base import ApiViewMixin, IssueCursorPagination, MeetingCursorPagination, SignoffCursorPagination
from .exceptions import Conflict


def _field_error(field, message, code="does_not_exist"):
    return exceptions.ValidationError({field: [exceptions.ErrorDetail(message, code=code)]})


def _parse(serializer_class, data):
    ser = serializer_class(data=data)
    ser.is_valid(raise_exception=True)
    return ser.validated_data


@contextlib.contextmanager
def _stale_is_409():
    """An update sent with the `version` the client read, refused because someone changed the object
    since (meetings.actions.StaleEdit): 409 with code `stale`, as for a stale sign-off version."""
    try:
        yield
    except StaleEdit as exc:
        raise Conflict(exceptions.ErrorDetail(str(exc.messages[0]), code="stale"))


def _staff_for(estate):
    """Company staff who may be invited / named: the estate's team and the leaders (as the browser offers)."""
    return (
        User.objects.filter(is_active=True).filter(assignments__estate=estate)
        | User.objects.filter(is_active=True, role__in=[Role.LEADER])
    ).distinct()


# --- who am I -----------------------------------------------------------------------------------------


class MeView(ApiViewMixin, APIView):
    @extend_schema(responses=s.MeSerializer, summary="The authenticated user and what they may see")
    def get(self, request):
        user = request.user
        data = {
            "id": user.pk,
            "username": user.username,
            "display_name": user.display_name,
            "role": user.role,
            "language": user.language,
            "estates": list(access.visible_estates(user).values_list("pk", flat=True)),
            "committees": list(access.visible_committees(user).values_list("pk", flat=True)),
        }
        return Response(s.MeSerializer(data).data)


# --- estates and committees (read) --------------------------------------------------------------------


class EstateViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = s.EstateSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return access.visible_estates(self.request.user).order_by("name", "pk")


class CommitteeViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = "[0-9]+"

    def get_serializer_class(self):
        return s.CommitteeDetailSerializer if self.action == "retrieve" else s.CommitteeSerializer

    def get_queryset(self):
        return access.visible_committees(self.request.user).select_related("estate").order_by("estate__name", "kind")


class MeetingKindViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Meeting kinds (configuration data, the same for every estate)."""

    serializer_class = s.MeetingKindSerializer
    lookup_value_regex = "[0-9]+"
    queryset = MeetingKind.objects.filter(active=True)


# --- meetings ------------------------------------------------------------------------------------------

MEETING_FILTERS = [
    OpenApiParameter("estate", int, description="Only this estate's meetings (404 if not visible)."),
    OpenApiParameter("committee", int, description="Only meetings with this committee (404 if not visible)."),
    OpenApiParameter("status", str, enum=Meeting.Status.values),
    OpenApiParameter("starts_after", str, description="ISO 8601 date-time: meetings starting at or after it."),
    OpenApiParameter("starts_before", str, description="ISO 8601 date-time: meetings starting before it."),
]


class MeetingFilterSerializer(serializers.Serializer):
    estate = serializers.IntegerField(required=False, min_value=1)
    committee = serializers.IntegerField(required=False, min_value=1)
    status = serializers.ChoiceField(choices=Meeting.Status.choices, required=False)
    starts_after = SaneDateTimeSerializerField(required=False)
    starts_before = SaneDateTimeSerializerField(required=False)


def _filter_estate_committee(qs, user, d):
    if "estate" in d:
        if not access.visible_estates(user).filter(pk=d["estate"]).exists():
            raise exceptions.NotFound()
        qs = qs.filter(estate_id=d["estate"])
    if "committee" in d:
        if not access.visible_committees(user).filter(pk=d["committee"]).exists():
            raise exceptions.NotFound()
        qs = qs.filter(committee_id=d["committee"])
    return qs


class MeetingViewSet(ApiViewMixin, viewsets.GenericViewSet):
    """Meetings: schedule, edit, submit for the leader's approval, approve or return, send, cancel;
    agenda, invitations, attendance, minutes and resolutions. Same rules as the meeting pages."""

    lookup_value_regex = "[0-9]+"
    pagination_class = MeetingCursorPagination
    serializer_class = s.MeetingDetailSerializer

    def get_queryset(self):
        return meeting_actions.visible_meetings(self.request.user).select_related(
            "estate", "committee", "kind", "organizer"
        )

    def get_object(self):
        return access.get_visible(self.get_queryset(), self.request.user, self.kwargs["pk"])

    def _detail(self, meeting, code=status.HTTP_200_OK):
        meeting = access.get_visible(self.get_queryset(), self.request.user, meeting.pk)
        return Response(s.MeetingDetailSerializer(meeting, context={"request": self.request}).data, status=code)

    def _now(self):
        return timezone.now()

    @extend_schema(parameters=MEETING_FILTERS, responses=s.MeetingSerializer(many=True))
    def list(self, request):
        d = _parse(MeetingFilterSerializer, request.query_params)
        qs = _filter_estate_committee(self.get_queryset(), request.user, d)
        if "status" in d:
            qs = qs.filter(status=d["status"])
        if "starts_after" in d:
            qs = qs.filter(starts_at__gte=d["starts_after"])
        if "starts_before" in d:
            qs = qs.filter(starts_at__lt=d["starts_before"])
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(s.MeetingSerializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return self._detail(self.get_object())

    def _overlap_check(self, d, *, committee, starts_at, ends_at, organizer, exclude_pk=None):
        names = meeting_rules.overlap_names(
            Meeting.objects,
            starts_at=starts_at,
            ends_at=ends_at,
            committee=committee,
            organizer=organizer,
            exclude_pk=exclude_pk,
        )
        if names and not d.get("confirm_overlap"):
            raise _field_error(
                "confirm_overlap",
                _(
                    "This overlaps with %(meetings)s for the same committee or the same organiser. "
                    "Send confirm_overlap=true to save anyway."
                )
                % {"meetings": names},
                code="overlap",
            )

    def _kind(self, pk):
        kind = MeetingKind.objects.filter(active=True, pk=pk).first()
        if kind is None:
            raise _field_error("kind", _("Choose one of the meeting kinds (GET /api/meeting-kinds/)."))
        return kind

    @extend_schema(request=s.MeetingCreateSerializer, responses={201: s.MeetingDetailSerializer})
    def create(self, request):
        user = request.user
        d = _parse(s.MeetingCreateSerializer, request.data)
        estate = access.visible_estates(user).filter(pk=d["estate"]).first()
        if estate is None:
            raise _field_error("estate", _("No such estate among yours."))
        if not access.manages_estate(user, estate):
            raise PermissionDenied
        committee = estate.committees.filter(pk=d["committee"]).first()
        if committee is None:
            raise _field_error("committee", _("Choose a committee of this estate."))
        kind = self._kind(d["kind"])
        if d["ends_at"] <= d["starts_at"]:
            raise _field_error("ends_at", _("The meeting must end after it starts."), code="invalid")
        self._overlap_check(d, committee=committee, starts_at=d["starts_at"], ends_at=d["ends_at"], organizer=user)
        meeting = meeting_actions.create_meeting(
            estate=estate,
            committee=committee,
            kind=kind,
            title=d["title"],
            starts_at=d["starts_at"],
            ends_at=d["ends_at"],
            place=d["place"],
            notes=d["notes"],
            override_reason=d["override_reason"],
            actor=user,
            now=self._now(),
        )
        return self._detail(meeting, status.HTTP_201_CREATED)

    @extend_schema(request=s.MeetingUpdateSerializer, responses=s.MeetingDetailSerializer)
    def partial_update(self, request, pk=None):
        meeting = self.get_object()
        user = request.user
        if not access.manages_estate(user, meeting.estate):
            raise PermissionDenied
        d = _parse(s.MeetingUpdateSerializer, request.data)
        fields = {k: d[k] for k in ("title", "starts_at", "ends_at", "place", "notes") if k in d}
        if "committee" in d:
            fields["committee"] = meeting.estate.committees.filter(pk=d["committee"]).first()
            if fields["committee"] is None:
                raise _field_error("committee", _("Choose a committee of this estate."))
        if "kind" in d:
            fields["kind"] = self._kind(d["kind"])
        starts_at = fields.get("starts_at", meeting.starts_at)
        ends_at = fields.get("ends_at", meeting.ends_at)
        if ends_at <= starts_at:
            raise _field_error("ends_at", _("The meeting must end after it starts."), code="invalid")
        if starts_at != meeting.starts_at or ends_at != meeting.ends_at or "committee" in fields:
            self._overlap_check(
                d,
                committee=fields.get("committee", meeting.committee),
                starts_at=starts_at,
                ends_at=ends_at,
                organizer=meeting.organizer,
                exclude_pk=meeting.pk,
            )
        with _stale_is_409():
            meeting_actions.update_meeting(
                meeting,
                actor=user,
                now=self._now(),
                reason=d["reason"],
                override_reason=d["override_reason"],
                version=d["version"],
                **fields,
            )
        return self._detail(meeting)

    # --- transitions ---

    @extend_schema(request=s.EmptySerializer, responses=s.MeetingDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Ask the leader in charge for approval (special-topic meetings, §4.1.4.1)."""
        meeting = self.get_object()
        meeting_actions.submit_for_approval(meeting, actor=request.user, now=self._now())
        return self._detail(meeting)

    @extend_schema(request=s.InstructionSerializer, responses=s.MeetingDetailSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """The leader approves with an instruction (领导批示); the meeting is then sent at once."""
        meeting = self.get_object()
        d = _parse(s.InstructionSerializer, request.data)
        meeting_actions.approve_meeting(
            meeting,
            actor=request.user,
            instruction=d["instruction"],
            override_reason=d["override_reason"],
            now=self._now(),
        )
        return self._detail(meeting)

    @extend_schema(request=s.CommentSerializer, responses=s.MeetingDetailSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """The leader returns the meeting to the director with a comment."""
        meeting = self.get_object()
        d = _parse(s.CommentSerializer, request.data)
        meeting_actions.reject_meeting(meeting, actor=request.user, comment=d["comment"], now=self._now())
        return self._detail(meeting)

    @extend_schema(request=s.SendSerializer, responses=s.MeetingDetailSerializer)
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        """Confirm and send the notice, agenda and materials (notice rule §4.1.4.2 / §4.2.1.2)."""
        meeting = self.get_object()
        d = _parse(s.SendSerializer, request.data)
        meeting_actions.send_meeting(meeting, actor=request.user, now=self._now(), override_reason=d["override_reason"])
        return self._detail(meeting)

    @extend_schema(request=s.ReasonSerializer, responses=s.MeetingDetailSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        meeting = self.get_object()
        d = _parse(s.ReasonSerializer, request.data)
        meeting_actions.cancel_meeting(meeting, actor=request.user, reason=d["reason"], now=self._now())
        return self._detail(meeting)

    # --- agenda and invitations ---

    @extend_schema(request=s.AgendaItemSerializer, responses={201: s.AgendaItemSerializer})
    @action(detail=True, methods=["post"])
    def agenda(self, request, pk=None):
        """Add an agenda item; a request states cause, process, necessity, owners' attitude and the support
        asked (§4.1.4.3)."""
        meeting = self.get_object()
        if not access.manages_estate(request.user, meeting.estate):
            raise PermissionDenied
        ser = s.AgendaItemSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        item = meeting_actions.add_agenda_item(meeting, actor=request.user, now=self._now(), **ser.validated_data)
        return Response(s.AgendaItemSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.InviteSerializer, responses={201: s.InvitationSerializer})
    @action(detail=True, methods=["post"])
    def invitations(self, request, pk=None):
        """Invite a company staff member (by user id) or another person (by name)."""
        meeting = self.get_object()
        if not access.manages_estate(request.user, meeting.estate):
            raise PermissionDenied
        d = _parse(s.InviteSerializer, request.data)
        u = None
        if d.get("user"):
            u = _staff_for(meeting.estate).filter(pk=d["user"]).first()
            if u is None:
                raise _field_error("user", _("Choose a staff member of this estate or a leader."))
        inv = meeting_actions.invite(
            meeting,
            actor=request.user,
            now=self._now(),
            user=u,
            name=d["name"],
            unit=d["unit"],
            phone=d["phone"],
            email=d["email"],
        )
        return Response(s.InvitationSerializer(inv).data, status=status.HTTP_201_CREATED)

    # --- attendance (AM-02-R02) ---

    @extend_schema(request=s.SignInSerializer, responses={201: s.AttendanceSerializer})
    @action(detail=True, methods=["post"])
    def attendance(self, request, pk=None):
        """Tick an invitee on the sign-in sheet (the first line makes the meeting held)."""
        meeting = self.get_object()
        d = _parse(s.SignInSerializer, request.data)
        inv = meeting.invitations.filter(pk=d["invitation"]).first()
        if inv is None:
            raise _field_error("invitation", _("This person is not invited to this meeting."))
        att = meeting_actions.sign_in_invitee(meeting, inv, actor=request.user, now=self._now())
        return Response(s.AttendanceSerializer(att).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.WalkInSerializer, responses={201: s.AttendanceSerializer})
    @action(detail=True, methods=["post"], url_path="walk-ins")
    def walk_ins(self, request, pk=None):
        meeting = self.get_object()
        d = _parse(s.WalkInSerializer, request.data)
        att = meeting_actions.add_walk_in(meeting, actor=request.user, now=self._now(), **d)
        return Response(s.AttendanceSerializer(att).data, status=status.HTTP_201_CREATED)

    # --- minutes (AM-02-R03) ---

    @extend_schema(request=s.MinutesWriteSerializer, responses=s.MeetingDetailSerializer)
    @action(detail=True, methods=["put"])
    def minutes(self, request, pk=None):
        """Write or update the minutes (not once final); discussion per agenda item."""
        meeting = self.get_object()
        user = request.user
        if not meeting_actions.can_write_minutes(user, meeting):
            raise PermissionDenied
        d = _parse(s.MinutesWriteSerializer, request.data)
        items = set(meeting.agenda_items.values_list("pk", flat=True))
        discussions = {}
        for i, entry in enumerate(d["discussions"]):
            if entry["agenda_item"] not in items:
                raise _field_error(f"discussions.{i}.agenda_item", _("Choose an item of this meeting's agenda."))
            discussions[entry["agenda_item"]] = entry["discussion"]
        existing = getattr(meeting, "minutes", None)
        with _stale_is_409():
            meeting_actions.save_minutes(
                meeting,
                actor=user,
                now=self._now(),
                host_name=d["host_name"],
                recorder_name=d["recorder_name"],
                host=existing.host if existing else meeting.organizer,
                recorder=existing.recorder if existing and existing.recorder_id else user,
                summary=d["summary"],
                discussions=discussions,
                version=d["version"],
            )
        return self._detail(meeting)

    @extend_schema(request=s.EmptySerializer, responses=s.MeetingDetailSerializer)
    @action(detail=True, methods=["post"], url_path="minutes/finalise")
    def finalise_minutes(self, request, pk=None):
        """Finalise and distribute the minutes to every attendee and those concerned (within 3 days)."""
        meeting = self.get_object()
        meeting_actions.finalise_minutes(
            meeting,
            actor=request.user,
            now=self._now(),
            no_resolution_reason=str(request.data.get("no_resolution_reason", "") or ""),
        )
        return self._detail(meeting)

    @extend_schema(request=s.ResolutionWriteSerializer, responses={201: s.ResolutionSerializer})
    @action(detail=True, methods=["post"])
    def resolutions(self, request, pk=None):
        """A resolution names a person responsible, an action and a due date (seed 004 篇3 七.6)."""
        meeting = self.get_object()
        d = _parse(s.ResolutionWriteSerializer, request.data)
        owner = agenda_item = None
        if d.get("owner"):
            owner = _staff_for(meeting.estate).filter(pk=d["owner"]).first()
            if owner is None:
                raise _field_error("owner", _("Choose a staff member of this estate or a leader."))
        if d.get("agenda_item"):
            agenda_item = meeting.agenda_items.filter(pk=d["agenda_item"]).first()
            if agenda_item is None:
                raise _field_error("agenda_item", _("Choose an item of this meeting's agenda."))
        r = meeting_actions.add_resolution(
            meeting,
            actor=request.user,
            now=self._now(),
            text=d["text"],
            owner=owner,
            owner_name=d["owner_name"],
            action=d["action"],
            due_date=d["due_date"],
            agenda_item=agenda_item,
            **{f: d.get(f) for f in meeting_actions.VOTE_FIELDS},
        )
        return Response(s.ResolutionSerializer(r).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.MeetingIssueSerializer, responses={201: s.IssueSerializer})
    @action(detail=True, methods=["post"], url_path="issues")
    def raise_issue(self, request, pk=None):
        """An issue raised by the committee at this meeting (recorded in the follow-up list)."""
        meeting = self.get_object()
        d = _parse(s.MeetingIssueSerializer, request.data)
        now = self._now()
        issue = raise_meeting_issue(meeting, actor=request.user, now=now, **d)
        return Response(
            s.IssueSerializer(issue, context={"request": request, "now": now}).data, status=status.HTTP_201_CREATED
        )


def _meeting_child(request, model, pk):
    """An object of a meeting, found only through the meetings the user may see (else 404)."""
    number = parse_id(pk)
    obj = model.objects.select_related("meeting").filter(pk=number).first() if number is not None else None
    if obj is None:
        raise exceptions.NotFound()
    access.get_visible(meeting_actions.visible_meetings(request.user), request.user, obj.meeting_id)
    return obj


class InvitationViewSet(ApiViewMixin, viewsets.GenericViewSet):
    lookup_value_regex = "[0-9]+"
    serializer_class = s.InvitationSerializer

    def get_queryset(self):
        return Invitation.objects.filter(meeting__in=meeting_actions.visible_meetings(self.request.user))

    @extend_schema(request=s.RespondSerializer, responses=s.InvitationSerializer)
    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        """Accept or decline one's own invitation."""
        inv = _meeting_child(request, Invitation, pk)
        d = _parse(s.RespondSerializer, request.data)
        meeting_actions.respond(inv, user=request.user, response=d["response"], note=d["note"], now=timezone.now())
        inv.refresh_from_db()
        return Response(s.InvitationSerializer(inv).data)


class ResolutionViewSet(ApiViewMixin, viewsets.GenericViewSet):
    lookup_value_regex = "[0-9]+"
    serializer_class = s.ResolutionSerializer

    def get_queryset(self):
        return Resolution.objects.filter(meeting__in=meeting_actions.visible_meetings(self.request.user))

    @extend_schema(request=s.NoteSerializer, responses=s.ResolutionSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Mark a resolution done, saying how (its owner or the estate's office)."""
        r = _meeting_child(request, Resolution, pk)
        d = _parse(s.NoteSerializer, request.data)
        meeting_actions.complete_resolution(r, actor=request.user, now=timezone.now(), note=d["note"])
        r.refresh_from_db()
        return Response(s.ResolutionSerializer(r).data)


# --- issues --------------------------------------------------------------------------------------------

ISSUE_FILTERS = [
    OpenApiParameter("estate", int, description="Only this estate's issues (404 if not visible)."),
    OpenApiParameter("committee", int, description="Only this committee's issues (404 if not visible)."),
    OpenApiParameter(
        "status", str, enum=["open", *Issue.Status.values], description="`open`: every status but closed."
    ),
    OpenApiParameter("overdue", bool, description="Only issues with a missed deadline."),
    OpenApiParameter("assignee", int, description="Only issues assigned to this user."),
    OpenApiParameter("raised_after", str, description="ISO 8601 date-time."),
    OpenApiParameter("raised_before", str, description="ISO 8601 date-time."),
]


class IssueFilterSerializer(serializers.Serializer):
    estate = serializers.IntegerField(required=False, min_value=1)
    committee = serializers.IntegerField(required=False, min_value=1)
    status = serializers.ChoiceField(choices=["open", *Issue.Status.values], required=False)
    overdue = serializers.BooleanField(required=False, default=False)
    assignee = serializers.IntegerField(required=False, min_value=1)
    raised_after = SaneDateTimeSerializerField(required=False)
    raised_before = SaneDateTimeSerializerField(required=False)


def _staff_user(pk, field):
    if pk is None:
        return None
    user = staff_users().filter(pk=pk).first()
    if user is None:
        raise _field_error(field, _("Choose a company staff member."))
    return user


def _department(pk):
    if pk is None:
        return None
    dept = Department.objects.filter(pk=pk).first()
    if dept is None:
        raise _field_error("department", _("No such department."))
    return dept


class IssueViewSet(ApiViewMixin, viewsets.GenericViewSet):
    """Issues raised by committees: raise, classify, assign, reply, coordinate, resolve, callback (回访),
    confirm, close — the follow-up rules of §4.1.4.4–4.1.4.6, §4.1.8, §4.2.2.2–4.2.2.3."""

    lookup_value_regex = "[0-9]+"
    pagination_class = IssueCursorPagination
    serializer_class = s.IssueDetailSerializer

    def get_queryset(self):
        return issue_perms.visible_issues(self.request.user).select_related("assignee")

    def get_object(self):
        return issue_perms.get_issue(self.request.user, self.kwargs["pk"])

    def _ctx(self):
        return {"request": self.request, "now": timezone.now()}

    def _detail(self, issue, code=status.HTTP_200_OK):
        issue = issue_perms.get_issue(self.request.user, issue.pk)
        return Response(s.IssueDetailSerializer(issue, context=self._ctx()).data, status=code)

    def _check(self, allowed):
        if not allowed:
            raise PermissionDenied

    @extend_schema(parameters=ISSUE_FILTERS, responses=s.IssueSerializer(many=True))
    def list(self, request):
        d = _parse(IssueFilterSerializer, request.query_params)
        now = timezone.now()
        qs = _filter_estate_committee(self.get_queryset(), request.user, d)
        if d.get("status") == "open":
            qs = qs.filter(closed_at__isnull=True)
        elif d.get("status"):
            qs = qs.filter(status=d["status"])
        if d["overdue"]:
            qs = qs.filter(Issue.overdue_q(now))
        if "assignee" in d:
            qs = qs.filter(assignee_id=d["assignee"])
        if "raised_after" in d:
            qs = qs.filter(raised_at__gte=d["raised_after"])
        if "raised_before" in d:
            qs = qs.filter(raised_at__lt=d["raised_before"])
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(s.IssueSerializer(page, many=True, context=self._ctx()).data)

    def retrieve(self, request, pk=None):
        return self._detail(self.get_object())

    @extend_schema(request=s.IssueCreateSerializer, responses={201: s.IssueDetailSerializer})
    def create(self, request):
        """Raise an issue. A committee member raises online, now, in their own name, for their own committee;
        company staff record who raised it, when and how (and may record an answer given on the spot)."""
        user = request.user
        if not issue_perms.can_raise(user):
            raise PermissionDenied
        d = _parse(s.IssueCreateSerializer, request.data)
        committee = issue_perms.raisable_committees(user).filter(pk=d["committee"]).first()
        if committee is None:
            raise _field_error("committee", _("Choose one of your committees."))
        now = timezone.now()
        if user.is_committee:
            member = committee.members.filter(user=user, ended_on__isnull=True).first()
            raised_by, raised_at, source, source_ref, answer = member or user.display_name, now, "online", "", ""
        else:
            raised_by, raised_at, source = d["raised_by"], d["raised_at"] or now, d["source"]
            source_ref, answer = d["source_ref"], d["answer_on_spot"]
        issue = issue_actions.raise_issue(
            estate=committee.estate,
            committee=committee,
            raised_by=raised_by,
            raised_at=raised_at,
            description=d["description"],
            source=source,
            source_ref=source_ref,
            answer_on_spot=answer,
            category=d["category"],
            title=d["title"],
            location=d["location"],
            urgency=d["urgency"],
            actor=user,
            now=now,
        )
        return self._detail(issue, status.HTTP_201_CREATED)

    @extend_schema(request=s.ClassifySerializer, responses=s.IssueDetailSerializer)
    @action(detail=True, methods=["post"])
    def classify(self, request, pk=None):
        """Within the company's responsibility (assign a person) or outside it (record the reason)."""
        issue = self.get_object()
        self._check(issue_perms.can_triage(request.user, issue))
        d = _parse(s.ClassifySerializer, request.data)
        with _stale_is_409():
            issue_actions.classify(
                issue,
                responsibility=d["responsibility"],
                assignee=_staff_user(d["assignee"], "assignee"),
                department=_department(d["department"]),
                outside_reason=d["outside_reason"],
                actor=request.user,
                now=timezone.now(),
                version=d["version"],
            )
        return self._detail(issue)

    @extend_schema(request=s.AssignSerializer, responses=s.IssueDetailSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        issue = self.get_object()
        self._check(issue_perms.can_triage(request.user, issue))
        d = _parse(s.AssignSerializer, request.data)
        issue_actions.assign(
            issue,
            assignee=_staff_user(d["assignee"], "assignee"),
            department=_department(d["department"]),
            actor=request.user,
            now=timezone.now(),
        )
        return self._detail(issue)

    @extend_schema(request=s.ReplyWriteSerializer, responses=s.IssueDetailSerializer)
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        """Reply to the committee (within 3 days when within the company's responsibility)."""
        issue = self.get_object()
        self._check(issue_perms.can_work(request.user, issue))
        d = _parse(s.ReplyWriteSerializer, request.data)
        issue_actions.add_reply(issue, text=d["text"], actor=request.user, now=timezone.now())
        return self._detail(issue)

    @extend_schema(request=s.CoordinateSerializer, responses=s.IssueDetailSerializer)
    @action(detail=True, methods=["post"])
    def coordinate(self, request, pk=None):
        """Record coordination with a body outside the company (§4.1.4.6)."""
        issue = self.get_object()
        self._check(issue_perms.can_work(request.user, issue))
        d = _parse(s.CoordinateSerializer, request.data)
        issue_actions.add_outside_body(issue, **d, actor=request.user, now=timezone.now())
        return self._detail(issue)

    @extend_schema(request=s.ResolveSerializer, responses=s.IssueDetailSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        issue = self.get_object()
        self._check(issue_perms.can_work(request.user, issue))
        d = _parse(s.ResolveSerializer, request.data)
        issue_actions.mark_resolved(issue, resolution=d["resolution"], actor=request.user, now=timezone.now())
        return self._detail(issue)

    @extend_schema(request=s.CallbackWriteSerializer, responses=s.IssueDetailSerializer)
    @action(detail=True, methods=["post"])
    def callback(self, request, pk=None):
        """Record a callback (回访, CS-01-R01); satisfied + resolved closes the issue."""
        issue = self.get_object()
        self._check(issue_perms.can_callback(request.user, issue))
        d = _parse(s.CallbackWriteSerializer, request.data)
        issue_actions.record_callback(issue, **d, actor=request.user, now=timezone.now())
        return self._detail(issue)

    @extend_schema(request=s.ConfirmSerializer, responses=s.IssueDetailSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """A member of the issue's committee confirms or disputes the resolution online."""
        issue = self.get_object()
        self._check(issue_perms.can_confirm(request.user, issue))
        d = _parse(s.ConfirmSerializer, request.data)
        issue_actions.confirm_resolution(
            issue, user=request.user, satisfaction=d["satisfaction"], comment=d["comment"], now=timezone.now()
        )
        return self._detail(issue)

    @extend_schema(request=s.CloseSerializer, responses=s.IssueDetailSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close after a satisfied callback, or by a manager's recorded decision."""
        issue = self.get_object()
        self._check(issue_perms.can_triage(request.user, issue) or issue_perms.can_decide_close(request.user, issue))
        d = _parse(s.CloseSerializer, request.data)
        issue_actions.close_issue(issue, actor=request.user, decision=d["decision"], now=timezone.now())
        return self._detail(issue)


# --- sign-off --------------------------------------------------------------------------------------------


class SignoffViewSet(ApiViewMixin, viewsets.GenericViewSet):
    """Sign-off of written reports by the committee (§4.1.7): status, and signing with the password."""

    lookup_value_regex = "[0-9]+"
    pagination_class = SignoffCursorPagination
    serializer_class = s.SignoffDetailSerializer

    def get_queryset(self):
        return access.scope(SignoffRequest.objects.select_related("estate", "committee"), self.request.user)

    def get_object(self):
        return access.get_visible(self.get_queryset(), self.request.user, self.kwargs["pk"])

    @extend_schema(
        parameters=[OpenApiParameter("status", str, enum=SignoffRequest.Status.values)],
        responses=s.SignoffSerializer(many=True),
    )
    def list(self, request):
        qs = self.get_queryset()
        st = request.query_params.get("status")
        if st is not None:
            if st not in SignoffRequest.Status.values:
                raise _field_error("status", _("Unknown status."), code="invalid_choice")
            qs = qs.filter(status=st)
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(s.SignoffSerializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(s.SignoffDetailSerializer(self.get_object()).data)

    @extend_schema(request=s.SignSerializer, responses=s.SignatureResultSerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        """Sign the current version with one's own password (re-authentication, throttled like the login).
        A version changed since it was read is refused with 409 `stale`."""
        req = self.get_object()
        if not req.signers.filter(user=request.user).exists():
            raise PermissionDenied
        d = _parse(s.SignSerializer, request.data)
        try:
            sig = signoff.sign(
                req,
                request=request._request,
                user=request.user,
                password=d["password"],
                decision=d["decision"],
                comment=d["comment"],
                version_id=d["version_id"],
                version_sha256=d["version_sha256"],
                now=timezone.now(),
            )
        except signoff.SignError as exc:
            if exc.code == "stale":
                raise Conflict(exceptions.ErrorDetail(str(exc), code="stale"))
            raise exceptions.ValidationError(
                {"non_field_errors": [exceptions.ErrorDetail(str(exc), code="sign_refused")]}
            )
        req.refresh_from_db()
        return Response({"signature": sig.pk, "status": req.status})


# --- the month's assessment (read) -------------------------------------------------------------------


class AssessmentView(ApiViewMixin, APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("month", str, description="YYYY-MM; default: the last month that has ended."),
            OpenApiParameter("estate", int, description="Only this estate (404 if not visible)."),
        ],
        responses=s.AssessmentSerializer,
        summary="The month's assessment (§5.0): the same figures as the assessment page",
    )
    def get(self, request):
        """Leaders, assessors, administrators: every estate; directors: their own estates; others 403.
        A closed month answers its frozen figures."""
        from assessment import compute
        from assessment.months import Month

        user = request.user
        if not compute.can_view(user):
            raise PermissionDenied
        now = timezone.now()
        text = request.query_params.get("month")
        month = Month.parse(text) if text else Month.default(now)
        if month is None:
            raise _field_error("month", _("Give the month as YYYY-MM, e.g. 2026-10."), code="invalid")
        estate_list = compute.visible_estate_list(user)
        if request.query_params.get("estate") is not None:
            wanted = request.query_params["estate"]
            estate_list = [(pk, name) for pk, name in estate_list if str(pk) == wanted]
            if not estate_list:
                raise exceptions.NotFound()
        figs = compute.month_figures(month, user, now, estate_list=estate_list)

        def row(r):
            return {"id": r.id, "name": r.name, "rank": r.rank, "figures": r.figures, "derived": r.derived}

        data = {
            "month": str(month),
            "closed": figs.closed is not None,
            "weights": figs.weights,
            "estates": [row(r) for r in figs.estates],
            "staff": [row(r) for r in figs.staff],
            "total": row(figs.total),
        }
        return Response(s.AssessmentSerializer(data).data)


# --- 404 for anything else under /api/ ------------------------------------------------------------------


class NotFoundView(ApiViewMixin, APIView):
    permission_classes = []
    throttle_classes = []
    schema = None

    def _nf(self, request, *args, **kwargs):
        raise exceptions.NotFound()

    get = post = put = patch = delete = _nf
