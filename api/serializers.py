"""Shapes of what the API reads and writes. Output serializers are read-only views of the apps' models;
input serializers only parse and type-check: the rules are applied by the apps' business functions."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from followups import permissions as issue_permissions
from followups.models import Callback, Category, Issue, OutsideBody, Satisfaction, Urgency
from followups.models import Source as IssueSource
from liaison import access
from liaison.bounds import SaneDateSerializerField, SaneDateTimeSerializerField
from liaison.models import Committee, CommitteeMember, Estate
from meetings import actions as meeting_actions
from meetings.models import AgendaItem, Attendance, Invitation, Meeting, MeetingKind, Minutes, Resolution
from records.models import Signature, SignoffRequest


class ErrorItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Machine-readable, e.g. not_found, invalid, refused, throttled.")
    message = serializers.CharField(help_text="In the user's language (Accept-Language, else the user's).")
    fields = serializers.DictField(
        child=ErrorItemSerializer(many=True), required=False, help_text="Validation errors per field."
    )


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField(source="display_name")
    role = serializers.CharField()
    language = serializers.CharField()
    estates = serializers.ListField(child=serializers.IntegerField())
    committees = serializers.ListField(child=serializers.IntegerField())


# --- registry ------------------------------------------------------------------------------------------


class EstateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Estate
        fields = ["id", "name", "address", "district", "street_office"]


class MemberSerializer(serializers.ModelSerializer):
    active = serializers.BooleanField(source="is_active")

    class Meta:
        model = CommitteeMember
        fields = ["id", "name", "role", "term_start", "term_end", "ended_on", "active"]


class CommitteeSerializer(serializers.ModelSerializer):
    estate_name = serializers.CharField(source="estate.name")

    class Meta:
        model = Committee
        fields = ["id", "estate", "estate_name", "kind", "name", "term_start", "term_end", "secretariat_contact"]


class CommitteeDetailSerializer(CommitteeSerializer):
    members = MemberSerializer(many=True, source="members.all")

    class Meta(CommitteeSerializer.Meta):
        fields = CommitteeSerializer.Meta.fields + ["members"]


class MeetingKindSerializer(serializers.ModelSerializer):
    label = serializers.CharField()

    class Meta:
        model = MeetingKind
        fields = ["id", "code", "label", "name", "name_en", "committee_kinds", "requires_approval", "min_notice_days"]


# --- meetings ------------------------------------------------------------------------------------------


class MeetingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Meeting
        fields = [
            "id",
            "estate",
            "committee",
            "kind",
            "title",
            "starts_at",
            "ends_at",
            "place",
            "status",
            "sent_at",
            "notice_days_required",
            "notice_override",
            "notice_kept",
            "approval_requested_at",
            "approved_at",
            "cancelled_at",
            "attendance_recorded_at",
            "below_quorum",
            "minutes_due_at",
            "version",
        ]


class AgendaItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = AgendaItem
        fields = [
            "id",
            "order",
            "title",
            "presenter",
            "cause",
            "process",
            "necessity",
            "owners_attitude",
            "support_requested",
            "discussion",
        ]
        read_only_fields = ["id", "discussion"]
        extra_kwargs = {"order": {"required": False}}


class InvitationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Invitation
        fields = ["id", "user", "member", "name", "unit", "response", "responded_at", "response_note"]


class AttendanceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attendance
        fields = ["id", "invitation", "name", "unit", "signed_in_at", "method"]


class MinutesSerializer(serializers.ModelSerializer):
    class Meta:
        model = Minutes
        fields = [
            "host_name",
            "recorder_name",
            "summary",
            "created_at",
            "updated_at",
            "finalised_at",
            "distributed_at",
            "version",
        ]


class ResolutionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Resolution
        fields = [
            "id",
            "order",
            "agenda_item",
            "text",
            "owner",
            "owner_name",
            "action",
            "due_date",
            "votes_for",
            "votes_against",
            "votes_abstain",
            "by_consensus",
            "passed",
            "status",
            "completed_at",
            "completion_note",
        ]


class MeetingPermissionsSerializer(serializers.Serializer):
    manage = serializers.BooleanField()
    approve = serializers.BooleanField()
    write_minutes = serializers.BooleanField()


class MeetingDetailSerializer(MeetingSerializer):
    """What the meeting page shows; a committee member sees the minutes only once they are final."""

    organizer = UserRefSerializer(allow_null=True)
    agenda = AgendaItemSerializer(many=True, source="agenda_items.all")
    invitations = InvitationSerializer(many=True, source="invitations.all")
    attendances = AttendanceSerializer(many=True, source="attendances.all")
    minutes = serializers.SerializerMethodField()
    resolutions = serializers.SerializerMethodField()
    permissions = serializers.SerializerMethodField()

    class Meta(MeetingSerializer.Meta):
        fields = MeetingSerializer.Meta.fields + [
            "notes",
            "organizer",
            "notice_override_reason",
            "approval_instruction",
            "rejection_comment",
            "cancel_reason",
            "agenda",
            "invitations",
            "attendances",
            "minutes",
            "resolutions",
            "permissions",
        ]

    def _minutes_visible(self, meeting):
        m = getattr(meeting, "minutes", None)
        if m is None:
            return None
        user = self.context["request"].user
        if user.is_committee and not m.is_final:
            return None
        return m

    @extend_schema_field(MinutesSerializer(allow_null=True))
    def get_minutes(self, meeting):
        m = self._minutes_visible(meeting)
        return MinutesSerializer(m).data if m is not None else None

    @extend_schema_field(ResolutionSerializer(many=True))
    def get_resolutions(self, meeting):
        user = self.context["request"].user
        if user.is_committee and self._minutes_visible(meeting) is None:
            return []
        return ResolutionSerializer(meeting.resolutions.all(), many=True).data

    @extend_schema_field(MeetingPermissionsSerializer)
    def get_permissions(self, meeting):
        user = self.context["request"].user
        return {
            "manage": access.manages_estate(user, meeting.estate),
            "approve": access.has_leader_powers(user) and meeting.status == Meeting.Status.AWAITING_APPROVAL,
            "write_minutes": meeting_actions.can_write_minutes(user, meeting),
        }


class MeetingCreateSerializer(serializers.Serializer):
    estate = serializers.IntegerField()
    committee = serializers.IntegerField()
    kind = serializers.IntegerField()
    title = serializers.CharField(max_length=200)
    starts_at = SaneDateTimeSerializerField()
    ends_at = SaneDateTimeSerializerField()
    place = serializers.CharField(max_length=200)
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="A written reason to override the notice rule (§4.1.4.2, §4.2.1.2); only for an emergency.",
    )
    confirm_overlap = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Save even though the committee or organiser has an overlapping meeting.",
    )


class MeetingUpdateSerializer(serializers.Serializer):
    committee = serializers.IntegerField(required=False)
    kind = serializers.IntegerField(required=False)
    title = serializers.CharField(max_length=200, required=False)
    starts_at = SaneDateTimeSerializerField(required=False)
    ends_at = SaneDateTimeSerializerField(required=False)
    place = serializers.CharField(max_length=200, required=False)
    notes = serializers.CharField(required=False, allow_blank=True)
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Required when moving a meeting already sent."
    )
    override_reason = serializers.CharField(required=False, allow_blank=True, default="")
    confirm_overlap = serializers.BooleanField(required=False, default=False)
    version = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=0,
        help_text="The meeting's `version` as read. If someone changed the meeting since, the update is refused "
        "with 409 `stale` (read it again). Omitted: no check.",
    )


class InstructionSerializer(serializers.Serializer):
    instruction = serializers.CharField(allow_blank=True, help_text="The leader's instruction (领导批示).")
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Required when approving leaves less than the notice period (§4.1.4.2): recorded as the override.",
    )


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(allow_blank=True)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class SendSerializer(serializers.Serializer):
    override_reason = serializers.CharField(required=False, allow_blank=True, default="")


class EmptySerializer(serializers.Serializer):
    pass


class InviteSerializer(serializers.Serializer):
    user = serializers.IntegerField(required=False, allow_null=True, help_text="A company staff member's user id.")
    name = serializers.CharField(required=False, allow_blank=True, max_length=50, default="")
    unit = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")
    phone = serializers.CharField(required=False, allow_blank=True, max_length=20, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")


class RespondSerializer(serializers.Serializer):
    response = serializers.ChoiceField(choices=[Invitation.Response.ACCEPTED, Invitation.Response.DECLINED])
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class SignInSerializer(serializers.Serializer):
    invitation = serializers.IntegerField()


class WalkInSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    unit = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")
    phone = serializers.CharField(required=False, allow_blank=True, max_length=20, default="")


class DiscussionSerializer(serializers.Serializer):
    agenda_item = serializers.IntegerField()
    discussion = serializers.CharField(allow_blank=True)


class MinutesWriteSerializer(serializers.Serializer):
    host_name = serializers.CharField(max_length=50)
    recorder_name = serializers.CharField(max_length=50)
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    discussions = DiscussionSerializer(many=True, required=False, default=list)
    version = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=0,
        help_text="The minutes' `version` as read (0: there were no minutes yet). If someone saved them since, "
        "409 `stale`. Omitted: no check.",
    )


class ResolutionWriteSerializer(serializers.Serializer):
    text = serializers.CharField()
    owner = serializers.IntegerField(required=False, allow_null=True, help_text="A portal user responsible.")
    owner_name = serializers.CharField(required=False, allow_blank=True, max_length=50, default="")
    action = serializers.CharField()
    due_date = SaneDateSerializerField()
    agenda_item = serializers.IntegerField(required=False, allow_null=True)
    # the vote (seed 002 第六条): a count larger than those present or negative is refused
    votes_for = serializers.IntegerField(required=False, allow_null=True)
    votes_against = serializers.IntegerField(required=False, allow_null=True)
    votes_abstain = serializers.IntegerField(required=False, allow_null=True)
    by_consensus = serializers.BooleanField(required=False, default=False)


class MeetingIssueSerializer(serializers.Serializer):
    raised_by = serializers.CharField(max_length=100)
    description = serializers.CharField()
    answer_on_spot = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Answered at the meeting: closes the issue at once."
    )


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(allow_blank=True)


# --- issues --------------------------------------------------------------------------------------------


class NextDeadlineSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["triage", "reply", "resolve", "callback"])
    due_at = serializers.DateTimeField()


class IssueSerializer(serializers.ModelSerializer):
    headline = serializers.CharField()
    assignee = UserRefSerializer(allow_null=True)
    overdue = serializers.SerializerMethodField()
    next_deadline = serializers.SerializerMethodField()

    class Meta:
        model = Issue
        fields = [
            "id",
            "estate",
            "committee",
            "headline",
            "title",
            "status",
            "source",
            "category",
            "urgency",
            "raised_by",
            "raised_at",
            "responsibility",
            "assignee",
            "department",
            "meeting",
            "triage_due_at",
            "reply_due_at",
            "replied_at",
            "callback_due_at",
            "resolve_due_at",
            "resolved_at",
            "closed_at",
            "satisfaction",
            "escalation_level",
            "overdue",
            "next_deadline",
            "version",
        ]

    def get_overdue(self, issue) -> bool:
        return issue.is_overdue(self.context["now"])

    @extend_schema_field(NextDeadlineSerializer(allow_null=True))
    def get_next_deadline(self, issue):
        nxt = issue.next_deadline()
        return NextDeadlineSerializer({"kind": nxt[0], "due_at": nxt[1]}).data if nxt else None


class ReplySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    replied_at = serializers.DateTimeField()
    replied_by = UserRefSerializer(allow_null=True)


class CallbackSerializer(serializers.ModelSerializer):
    class Meta:
        model = Callback
        fields = [
            "id",
            "called_at",
            "method",
            "person_reached",
            "result",
            "satisfaction",
            "next_step",
            "due_at",
            "on_time",
        ]


class OutsideBodySerializer(serializers.ModelSerializer):
    class Meta:
        model = OutsideBody
        fields = ["id", "kind", "name", "contact", "action", "acted_at"]


class IssuePermissionsSerializer(serializers.Serializer):
    work = serializers.BooleanField()
    triage = serializers.BooleanField()
    callback = serializers.BooleanField()
    close = serializers.BooleanField()
    decide = serializers.BooleanField()
    confirm = serializers.BooleanField()


class IssueDetailSerializer(IssueSerializer):
    replies = ReplySerializer(many=True, source="replies.all")
    callbacks = CallbackSerializer(many=True, source="callbacks.all")
    outside_bodies = OutsideBodySerializer(many=True, source="outside_bodies.all")
    permissions = serializers.SerializerMethodField()

    class Meta(IssueSerializer.Meta):
        fields = IssueSerializer.Meta.fields + [
            "description",
            "location",
            "source_ref",
            "answer_on_spot",
            "outside_reason",
            "resolution",
            "first_callback_due_at",
            "first_callback_at",
            "last_callback_at",
            "close_reason",
            "close_decision",
            "replies",
            "callbacks",
            "outside_bodies",
            "permissions",
        ]

    @extend_schema_field(IssuePermissionsSerializer)
    def get_permissions(self, issue):
        can = issue_permissions.abilities(self.context["request"].user, issue)  # what the issue's page offers
        return {name: can[name] for name in IssuePermissionsSerializer._declared_fields}


class IssueCreateSerializer(serializers.Serializer):
    committee = serializers.IntegerField()
    description = serializers.CharField()
    title = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    category = serializers.ChoiceField(choices=[("", "—"), *Category.choices], required=False, default="")
    location = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False, default=Urgency.NORMAL)
    # company staff only (a committee member raises online, now, in their own name)
    raised_by = serializers.CharField(
        required=False, allow_blank=True, max_length=100, default="", help_text="Staff only: who raised it."
    )
    raised_at = SaneDateTimeSerializerField(required=False, allow_null=True, default=None, help_text="Staff only.")
    source = serializers.ChoiceField(
        choices=IssueSource.choices, required=False, default=IssueSource.ONLINE, help_text="Staff only."
    )
    source_ref = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")
    answer_on_spot = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Staff only: closes the issue at once (§4.1.4.4)."
    )


class ClassifySerializer(serializers.Serializer):
    responsibility = serializers.ChoiceField(choices=[c for c in Issue.Responsibility.choices if c[0]])
    assignee = serializers.IntegerField(required=False, allow_null=True, default=None)
    department = serializers.IntegerField(required=False, allow_null=True, default=None)
    outside_reason = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=0,
        help_text="The issue's `version` as read. If someone changed the issue since, 409 `stale`. Omitted: no check.",
    )


class AssignSerializer(serializers.Serializer):
    assignee = serializers.IntegerField()
    department = serializers.IntegerField(required=False, allow_null=True, default=None)


class ReplyWriteSerializer(serializers.Serializer):
    text = serializers.CharField()


class CoordinateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=OutsideBody.Kind.choices)
    name = serializers.CharField(max_length=100)
    contact = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")
    action = serializers.CharField()
    acted_at = SaneDateTimeSerializerField()


class ResolveSerializer(serializers.Serializer):
    resolution = serializers.CharField()


class CallbackWriteSerializer(serializers.Serializer):
    called_at = SaneDateTimeSerializerField()
    method = serializers.ChoiceField(choices=[c for c in Callback.Method.choices if c[0] != Callback.Method.ONLINE])
    person_reached = serializers.CharField(max_length=100)
    result = serializers.CharField()
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices)
    next_step = serializers.CharField(required=False, allow_blank=True, default="")
    resolved = serializers.BooleanField(required=False, default=False)


class ConfirmSerializer(serializers.Serializer):
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class CloseSerializer(serializers.Serializer):
    decision = serializers.CharField(required=False, allow_blank=True, default="")


# --- sign-off ------------------------------------------------------------------------------------------


class VersionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    title = serializers.CharField()
    sha256 = serializers.CharField()
    created_at = serializers.DateTimeField()
    superseded_at = serializers.DateTimeField(allow_null=True)
    change_note = serializers.CharField()


class SignerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    is_chair = serializers.BooleanField()
    role_label = serializers.CharField()
    decision = serializers.CharField(allow_null=True, help_text="On the current version; null = not signed yet.")
    signed_at = serializers.DateTimeField(allow_null=True)


class SignatureSerializer(serializers.ModelSerializer):
    signer = serializers.CharField(source="signer.name")
    version = serializers.IntegerField(source="version.number")

    class Meta:
        model = Signature
        fields = [
            "id",
            "signer",
            "version",
            "decision",
            "comment",
            "signed_at",
            "sha256",
            "voided_at",
            "void_reason",
            "method",
        ]


class SignoffSerializer(serializers.ModelSerializer):
    current_version = serializers.SerializerMethodField()
    signers = serializers.SerializerMethodField()
    outstanding = serializers.SerializerMethodField()

    class Meta:
        model = SignoffRequest
        fields = [
            "id",
            "estate",
            "committee",
            "title",
            "source",
            "rule",
            "status",
            "created_at",
            "completed_at",
            "current_version",
            "signers",
            "outstanding",
        ]

    @extend_schema_field(VersionSerializer(allow_null=True))
    def get_current_version(self, req):
        v = req.current_version()
        return VersionSerializer(v).data if v else None

    @extend_schema_field(SignerSerializer(many=True))
    def get_signers(self, req):
        from records import signoff

        sigs = {s.signer_id: s for s in signoff.valid_signatures(req)} if req.current_version() else {}
        out = []
        for s in req.signers.all():
            sig = sigs.get(s.pk)
            out.append(
                {
                    "id": s.pk,
                    "name": s.name,
                    "is_chair": s.is_chair,
                    "role_label": s.role_label,
                    "decision": sig.decision if sig else None,
                    "signed_at": sig.signed_at if sig else None,
                }
            )
        return SignerSerializer(out, many=True).data

    def get_outstanding(self, req) -> int:
        from records import signoff

        if req.status != SignoffRequest.Status.OPEN:
            return 0
        return signoff.outstanding(req).count()


class SignoffDetailSerializer(SignoffSerializer):
    versions = VersionSerializer(many=True, source="versions.all")
    signatures = serializers.SerializerMethodField()
    message = serializers.CharField()

    class Meta(SignoffSerializer.Meta):
        fields = SignoffSerializer.Meta.fields + ["message", "versions", "signatures"]

    @extend_schema_field(SignatureSerializer(many=True))
    def get_signatures(self, req):
        qs = Signature.objects.filter(signer__request=req).select_related("signer", "version")
        return SignatureSerializer(qs.order_by("-version__number", "signed_at"), many=True).data


class SignSerializer(serializers.Serializer):
    password = serializers.CharField(
        write_only=True, style={"input_type": "password"}, help_text="The signer's own password (re-authentication)."
    )
    decision = serializers.ChoiceField(choices=Signature.Decision.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    version_id = serializers.IntegerField(help_text="The id of the version read (current_version.id).")
    version_sha256 = serializers.CharField(max_length=64, help_text="Its SHA-256, as read.")


class SignatureResultSerializer(serializers.Serializer):
    signature = serializers.IntegerField()
    status = serializers.CharField(help_text="The request's status after this signature.")


# --- the month's assessment (read) ---------------------------------------------------------------------


class AssessmentRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    rank = serializers.IntegerField(allow_null=True)
    figures = serializers.DictField(help_text="Raw counts of the month (see docs/assessment.md).")
    derived = serializers.DictField(help_text="Percentages, medians and the score.")


class AssessmentSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    closed = serializers.BooleanField(help_text="True when the month is closed (frozen figures).")
    weights = serializers.DictField()
    estates = AssessmentRowSerializer(many=True)
    staff = AssessmentRowSerializer(many=True)
    total = AssessmentRowSerializer()
