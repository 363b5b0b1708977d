"""Bulk data for the benchmarks: `manage.py seed_bulk --estates 200 --months 24 --seed 42`.

Realistic and deterministic (same seed, same --end date -> same rows): a company with departments and
staff, estates with their 业委会 / 居委会 / 小区管理委员会 and members (each with a portal account),
the meetings the cadence rules ask for (attendance, agenda, minutes, resolutions), issues raised at those
meetings and elsewhere with replies, callbacks and deadline events, in the proportions a steady state
has (old issues closed, recent ones open with their next scan time set). Rows are written with
bulk_create in batches; each app's part runs only when that app's models exist.

Every bulk account's password is the one printed at the end (hashed once, shared). Usernames:
b_admin, b_leader1.., b_assessor1.., b_director001.. (5 estates each), b_supervisor001.. (2 each),
b_engineer001.. (4 each), committee members b_<estate number 001..>_<oc|rc|mc>_<nn> (_01 = chair).

Meant for a dedicated database (e.g. liaison_bench): it refuses to run twice on the same one.
"""

import datetime
import math
import random
import time
from zoneinfo import ZoneInfo

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from followups import deadlines
from followups.models import Callback, DeadlineEvent, DeadlinePolicy, Issue, Reply, Satisfaction, Source
from liaison.models import Committee, CommitteeMember, Company, Department, Estate, Role, StaffAssignment, User
from meetings import cadence_defaults
from meetings.models import AgendaItem, Attendance, Invitation, Meeting, MeetingKind, Minutes, Resolution
from meetings.rules import resolution_due_at, resolution_remind_before
from records.models import DocumentVersion, Signature, Signer, SignoffRequest, sha256
from records.signoff import next_reminder

COMPANY = "示范物业集团（压测数据）"
PASSWORD = "liaison-bench-2026"
TZ = ZoneInfo("Asia/Shanghai")
BATCH = 2000

DISTRICTS = {
    "南山区": ["粤海街道", "南头街道", "蛇口街道", "招商街道", "沙河街道", "西丽街道"],
    "福田区": ["香蜜湖街道", "莲花街道", "梅林街道", "华富街道", "福保街道"],
    "罗湖区": ["东门街道", "黄贝街道", "翠竹街道", "莲塘街道"],
    "宝安区": ["新安街道", "西乡街道", "福永街道", "沙井街道"],
    "龙岗区": ["布吉街道", "坂田街道", "横岗街道", "龙城街道"],
    "龙华区": ["民治街道", "大浪街道", "观澜街道"],
}
NAME_A = "翠湖 锦绣 金色 碧海 阳光 海景 华府 名苑 紫荆 银湖 香榭 枫丹 御景 星河 君悦 半岛 桃源 东方 滨江 翡翠".split()
NAME_B = "花园 苑 新村 家园 公寓 雅居 豪庭 山庄 城 广场".split()
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华玲平刚桂兰志红鹏辉建国文斌晨浩宇欣怡子涵梓轩雨桐")
PLACES = ["管理处会议室", "业委会办公室", "社区工作站会议室", "小区会所", "物业服务中心二楼会议室"]
ISSUE_TOPICS = [
    ("repair", "{b}栋电梯频繁故障，请尽快检修", "{b}栋电梯"),
    ("repair", "{b}栋外墙渗水，雨天室内墙面发霉", "{b}栋外墙"),
    ("facilities", "地下车库照明不足，多处灯管损坏", "地下车库"),
    ("facilities", "儿童游乐设施老化，存在安全隐患", "中心花园"),
    ("environment", "垃圾分类点清运不及时，异味明显", "{b}栋垃圾分类点"),
    ("greening", "绿化带杂草丛生，需要修剪", "东门绿化带"),
    ("security", "夜间有陌生人尾随进入单元门", "{b}栋单元门"),
    ("parking", "消防通道被占用停车", "北侧消防通道"),
    ("fees", "公共收益账目公示不清楚，请说明", "公告栏"),
    ("complaint", "装修噪音超时施工，影响休息", "{b}栋"),
    ("suggestion", "建议增设电动车充电桩", "南门车棚"),
    ("other", "快递柜摆放位置影响通行", "{b}栋大堂"),
]
AGENDA = [
    "上月工作完成情况通报",
    "本月重点工作计划",
    "维修资金使用申请",
    "小区环境整治方案",
    "业主意见收集情况",
    "公共收益使用情况",
    "安全检查情况通报",
    "专项维修工程进度",
]


class Command(BaseCommand):
    help = "Generate deterministic bulk data for the benchmarks (see bench/README and docs/deploy.md)."

    def add_arguments(self, parser):
        parser.add_argument("--estates", type=int, default=200)
        parser.add_argument("--months", type=int, default=24)
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument(
            "--issues", type=int, default=None, help="issues in all (default: 100,000 scaled to estates x months)"
        )
        parser.add_argument(
            "--end", default=None, help="last day of the data, YYYY-MM-DD (default today); fixes it for determinism"
        )

    def handle(self, *args, **opts):
        if Company.objects.filter(name=COMPANY).exists():
            raise CommandError(
                "Bulk data is already in this database. Use a fresh database, e.g. "
                "dropdb liaison_bench && createdb liaison_bench && manage.py migrate."
            )
        end = datetime.date.fromisoformat(opts["end"]) if opts["end"] else timezone.localdate()
        self.gen = Generator(
            estates=opts["estates"],
            months=opts["months"],
            seed=opts["seed"],
            end=end,
            issues=opts["issues"],
            out=self.stdout,
        )
        started = time.monotonic()
        self.gen.run()
        total = time.monotonic() - started
        self.stdout.write(
            f"seed_bulk: done in {total:.1f} s ({connection.vendor}); password for every account: {PASSWORD}"
        )
        for name, n in self.gen.counts.items():
            self.stdout.write(f"  {name:<24} {n:>9,}")


def _month_starts(end, months):
    first = end.replace(day=1)
    out = []
    for i in range(months - 1, -1, -1):
        y, m = divmod(first.year * 12 + first.month - 1 - i, 12)
        out.append(datetime.date(y, m + 1, 1))
    return out


def _aware(day, hour, minute=0):
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


class Generator:
    def __init__(self, *, estates, months, seed, end, issues, out):
        self.n_estates, self.months, self.end = estates, months, end
        self.rng = random.Random(seed)
        self.out = out
        self.n_issues = issues if issues is not None else round(100_000 * estates * months / (200 * 24))
        self.now = timezone.now()
        self.month_starts = _month_starts(end, months)
        self.start = self.month_starts[0]
        self.counts = {}
        self.password = make_password(PASSWORD)

    # --- helpers ----------------------------------------------------------------------------------------

    def log(self, what, t0):
        self.out.write(f"  {what}: {time.monotonic() - t0:.1f} s")

    def bulk(self, model, objs):
        objs = list(objs)
        model.objects.bulk_create(objs, batch_size=BATCH)
        label = model._meta.label
        self.counts[label] = self.counts.get(label, 0) + len(objs)
        return objs

    def person(self):
        return self.rng.choice(SURNAMES) + "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2))))

    def phone(self):
        return "1" + self.rng.choice("3456789") + "".join(self.rng.choice("0123456789") for _ in range(9))

    def user(self, username, role, name, **kw):
        return User(
            username=username,
            name=name,
            role=role,
            password=self.password,
            email=f"{username}@bench.example.com",
            phone=self.phone(),
            **kw,
        )

    def day_in(self, month_start, lo=1, hi=28):
        return month_start.replace(day=self.rng.randint(lo, hi))

    # --- run --------------------------------------------------------------------------------------------

    def run(self):
        with transaction.atomic():
            t0 = time.monotonic()
            self.core()
            self.log("company, estates, committees, members, staff", t0)
        if apps.is_installed("meetings") and _has_model("meetings", "Meeting"):
            with transaction.atomic():
                t0 = time.monotonic()
                self.meetings()
                self.log("meetings, invitations, attendance, agenda, minutes, resolutions", t0)
        if apps.is_installed("followups") and _has_model("followups", "Issue"):
            with transaction.atomic():
                t0 = time.monotonic()
                self.issues()
                self.log("issues, replies, callbacks, deadline events", t0)
        if apps.is_installed("records") and _has_model("records", "SignoffRequest") and hasattr(self, "final_minutes"):
            with transaction.atomic():
                t0 = time.monotonic()
                self.signoffs()
                self.log("sign-offs, document versions, signers, signatures", t0)
        if connection.vendor == "postgresql":
            # the seeder writes most rows twice (an issue is inserted, then replied to and called back,
            # all in one transaction): VACUUM removes the ~100,000 dead issue versions and REINDEX builds
            # the indexes compactly (the partial index of open issues was left 30 times its size, which
            # made PostgreSQL prefer a plan reading every open issue), as a site kept by autovacuum has
            # them; then ANALYZE. None of these may run inside a transaction.
            t0 = time.monotonic()
            commands = ["ANALYZE"] if connection.in_atomic_block else ["VACUUM", "REINDEX SCHEMA public", "ANALYZE"]
            with connection.cursor() as cursor:
                for command in commands:
                    cursor.execute(command)
            self.log(" + ".join(commands), t0)

    # --- core: company, departments, staff, estates, committees, members --------------------------------

    def core(self):
        rng = self.rng
        company = Company.objects.create(name=COMPANY)
        self.departments = {
            name: Department.objects.create(company=company, name=f"{name}（压测）", kind=kind)
            for name, kind in [
                ("社区服务办公室", Department.Kind.OFFICE),
                ("工程部", Department.Kind.SPECIALIST),
                ("客服中心", Department.Kind.MANAGEMENT),
                ("秩序维护部", Department.Kind.SPECIALIST),
                ("品质管理部", Department.Kind.FUNCTIONAL),
            ]
        }
        n = self.n_estates
        staff = [self.user("b_admin", Role.ADMIN, "压测管理员", is_staff=True, is_superuser=True)]
        staff += [self.user(f"b_leader{i}", Role.LEADER, self.person()) for i in range(1, 4)]
        staff += [
            self.user(f"b_assessor{i}", Role.ASSESSOR, self.person(), department=self.departments["品质管理部"])
            for i in range(1, 3)
        ]
        office = self.departments["社区服务办公室"]
        directors = [
            self.user(f"b_director{i:03d}", Role.DIRECTOR, self.person(), department=office)
            for i in range(1, math.ceil(n / 5) + 1)
        ]
        supervisors = [
            self.user(f"b_supervisor{i:03d}", Role.SUPERVISOR, self.person(), department=office)
            for i in range(1, math.ceil(n / 2) + 1)
        ]
        engineers = [
            self.user(f"b_engineer{i:03d}", Role.DEPARTMENT, self.person(), department=self.departments["工程部"])
            for i in range(1, math.ceil(n / 4) + 1)
        ]
        self.bulk(User, staff + directors + supervisors + engineers)
        self.leaders = staff[1:4]

        names, estates = set(), []
        for i in range(n):
            name = rng.choice(NAME_A) + rng.choice(NAME_B)
            if name in names:
                name = f"{name}{i // len(NAME_A) + 2}期"
            while name in names:
                name += "·"
            names.add(name)
            district = rng.choice(sorted(DISTRICTS))
            estates.append(
                Estate(
                    company=company,
                    name=name,
                    address=f"深圳市{district}{rng.choice(NAME_A)}路{rng.randint(1, 399)}号",
                    district=district,
                    street_office=rng.choice(DISTRICTS[district]),
                    created=_aware(self.start, 9),
                )
            )
        self.estates = self.bulk(Estate, estates)

        assignments = []
        self.team = {}
        for i, e in enumerate(self.estates):
            d, s, g = directors[i // 5], supervisors[i // 2], engineers[i // 4]
            self.team[e.pk] = {"director": d, "supervisor": s, "engineer": g}
            assignments += [
                StaffAssignment(estate=e, user=d, role=Role.DIRECTOR),
                StaffAssignment(estate=e, user=s, role=Role.SUPERVISOR),
                StaffAssignment(estate=e, user=g, role=Role.DEPARTMENT),
            ]
        self.bulk(StaffAssignment, assignments)

        committees = []
        term_start = self.start.replace(day=1) - datetime.timedelta(days=rng.randint(30, 400))
        for e in self.estates:
            has_oc = rng.random() < 0.85
            if has_oc:
                committees.append(
                    Committee(
                        estate=e,
                        kind=Committee.Kind.OC,
                        name=f"{e.name}业主委员会",
                        term_start=term_start,
                        term_end=term_start.replace(year=term_start.year + 5),
                        secretariat_contact=self.person(),
                        secretariat_phone=self.phone(),
                        secretariat_email=f"oc{e.pk}@bench.example.com",
                    )
                )
            else:
                committees.append(
                    Committee(
                        estate=e,
                        kind=Committee.Kind.MC,
                        name=f"{e.name}小区管理委员会",
                        term_start=term_start,
                        term_end=Committee.default_term_end(Committee.Kind.MC, term_start),
                        secretariat_contact=self.person(),
                    )
                )
            committees.append(
                Committee(
                    estate=e,
                    kind=Committee.Kind.RC,
                    name=f"{e.street_office[:-2]}{rng.choice(NAME_A)}社区居委会",
                    term_start=term_start,
                    secretariat_contact=self.person(),
                    secretariat_phone=self.phone(),
                )
            )
        self.committees = self.bulk(Committee, committees)
        self.committees_of = {}
        for c in self.committees:
            self.committees_of.setdefault(c.estate_id, []).append(c)

        seats = {
            Committee.Kind.OC: ["chair", "vice_chair", "secretary"] + ["member"] * 4,
            Committee.Kind.RC: ["chair", "member", "member"],
            Committee.Kind.MC: ["chair", "vice_chair"] + ["member"] * 7,
        }
        member_users, members = [], []
        number = {e.pk: i for i, e in enumerate(self.estates, start=1)}  # not the pk: usernames stay the same
        for c in self.committees:
            for k, role in enumerate(seats[c.kind], start=1):
                name = self.person()
                u = self.user(f"b_{number[c.estate_id]:03d}_{c.kind}_{k:02d}", Role.COMMITTEE, name)
                member_users.append(u)
                members.append(
                    CommitteeMember(committee=c, user=u, name=name, role=role, phone=u.phone, term_start=c.term_start)
                )
            # a member who stepped down: history is kept
            if rng.random() < 0.3:
                members.append(
                    CommitteeMember(
                        committee=c,
                        name=self.person(),
                        role="member",
                        term_start=c.term_start,
                        ended_on=self.start + datetime.timedelta(days=rng.randint(10, 300)),
                        end_reason="个人原因辞任",
                    )
                )
        self.bulk(User, member_users)
        for m in members:
            m.user_id = m.user.pk if m.user else None
        self.members = self.bulk(CommitteeMember, members)
        self.active_members = {}
        for m in self.members:
            if m.ended_on is None:
                self.active_members.setdefault(m.committee_id, []).append(m)

    # --- meetings ---------------------------------------------------------------------------------------

    def meetings(self):

        rng = self.rng
        cadence_defaults.ensure_default_kinds()
        for e in self.estates:
            cadence_defaults.install_default_rules(e, effective_from=self.start)
        kinds = {k.code: k for k in MeetingKind.objects.all()}
        # per committee type and month: (kind code, expected number)
        plan = {
            "oc": [("oc_monthly", 1), ("director_chair", 1), ("oc_routine", 0.5), ("special_topic", 0.1)],
            "rc": [("rc_contact", 2)],
            "mc": [("mc_meeting", 1), ("mc_expanded", 1 / 6)],
        }
        meetings = []
        for e in self.estates:
            team = self.team[e.pk]
            for c in self.committees_of[e.pk]:
                for month in self.month_starts:
                    for code, expected in plan[c.kind]:
                        count = int(expected) + (rng.random() < expected - int(expected))
                        for _ in range(count):
                            kind = kinds[code]
                            day = self.day_in(month, 1, 26)
                            starts = _aware(day, rng.choice((9, 10, 14, 15)), rng.choice((0, 30)))
                            m = Meeting(
                                estate=e,
                                committee=c,
                                kind=kind,
                                title=f"{c.name}{kind.name}（{day:%Y年%m月}）",
                                starts_at=starts,
                                ends_at=starts + datetime.timedelta(minutes=rng.choice((60, 90, 120))),
                                place=rng.choice(PLACES),
                                organizer=team["supervisor"] if c.kind == "rc" else team["director"],
                                notice_days_required=kind.min_notice_days,
                                created_at=starts - datetime.timedelta(days=rng.randint(8, 20)),
                                updated_at=starts,
                            )
                            m.sent_at = starts - datetime.timedelta(days=max(kind.min_notice_days, 1) + 1)
                            if kind.requires_approval:
                                m.approval_requested_at = m.created_at + datetime.timedelta(hours=2)
                                m.approved_at = m.approval_requested_at + datetime.timedelta(hours=20)
                                m.approver = rng.choice(self.leaders)
                            if starts > self.now:
                                m.status = Meeting.Status.CONFIRMED
                                if m.sent_at > self.now:
                                    m.status, m.sent_at = Meeting.Status.DRAFT, None
                            elif rng.random() < 0.03:
                                m.status = Meeting.Status.CANCELLED
                                m.cancelled_at = starts - datetime.timedelta(days=1)
                                m.cancel_reason = "主要参会人员临时有事，改期召开"
                            else:
                                m.status = Meeting.Status.HELD
                                m.attendance_recorded_at = starts + datetime.timedelta(minutes=15)
                                m.minutes_due_at = starts + datetime.timedelta(days=3)
                                late = rng.random() < 0.05
                                done = starts + datetime.timedelta(
                                    days=rng.uniform(3.2, 6) if late else rng.uniform(0.2, 2.8)
                                )
                                if done <= self.now:
                                    m.minutes_closed_at = done
                                    if late:
                                        m.minutes_breach_at = m.minutes_due_at
                            # told a day more than the rule asks (meetings.rules.notice_shortfall)
                            m.notice_kept = True if m.sent_at else None
                            meetings.append(m)
        meetings.sort(key=lambda m: m.starts_at)
        self.bulk(Meeting, meetings)
        self.meetings_by_committee_month = {}
        for m in meetings:
            if m.status == Meeting.Status.HELD:
                key = (m.committee_id, m.starts_at.astimezone(TZ).date().replace(day=1))
                self.meetings_by_committee_month.setdefault(key, []).append(m)

        invitations, agenda, minutes = [], [], []
        for m in meetings:
            team = self.team[m.estate_id]
            people = [(mb.user, mb, mb.name, mb.get_role_display()) for mb in self.active_members[m.committee_id]]
            people += [(team["director"], None, team["director"].name, "社区服务办公室主任")]
            if m.committee.kind == "rc":
                people += [(team["supervisor"], None, team["supervisor"].name, "主管管理员")]
            for user, member, name, unit in people:
                answered = m.status != Meeting.Status.DRAFT and rng.random() < 0.8
                invitations.append(
                    Invitation(
                        meeting=m,
                        user=user,
                        member=member,
                        name=name,
                        unit=str(unit),
                        phone=user.phone,
                        response=Invitation.Response.ACCEPTED if answered else Invitation.Response.PENDING,
                        responded_at=m.sent_at + datetime.timedelta(hours=5) if answered else None,
                    )
                )
            if m.status in (Meeting.Status.HELD, Meeting.Status.CONFIRMED):
                for k in range(1, rng.randint(2, 4) + 1):
                    agenda.append(
                        AgendaItem(
                            meeting=m,
                            order=k,
                            title=rng.choice(AGENDA),
                            presenter=team["director"].name,
                            discussion="与会人员充分讨论，形成一致意见。" if m.status == Meeting.Status.HELD else "",
                        )
                    )
            if m.status == Meeting.Status.HELD and m.minutes_closed_at:
                final = m.minutes_closed_at
                minutes.append(
                    Minutes(
                        meeting=m,
                        host=team["director"],
                        host_name=team["director"].name,
                        recorder=team["supervisor"],
                        recorder_name=team["supervisor"].name,
                        summary="会议就小区近期重点工作进行了沟通，各方同意按分工推进。",
                        created_at=m.ends_at,
                        updated_at=final,
                        finalised_at=final,
                        finalised_by=team["director"],
                        distributed_at=final,
                    )
                )
        self.bulk(Invitation, invitations)
        self.bulk(AgendaItem, agenda)
        self.bulk(Minutes, minutes)
        self.final_minutes = minutes  # for the sign-offs (records)

        attendance, resolutions = [], []
        by_meeting = {}
        for inv in invitations:
            by_meeting.setdefault(inv.meeting_id, []).append(inv)
        for m in meetings:
            if m.status != Meeting.Status.HELD:
                continue
            for inv in by_meeting.get(m.pk, []):
                if rng.random() < 0.85:
                    attendance.append(
                        Attendance(
                            meeting=m,
                            invitation=inv,
                            name=inv.name,
                            unit=inv.unit,
                            phone=inv.phone,
                            signed_in_at=m.starts_at - datetime.timedelta(minutes=rng.randint(0, 15)),
                            method=rng.choice((Attendance.Method.STAFF, Attendance.Method.QR)),
                        )
                    )
            team = self.team[m.estate_id]
            for k in range(1, rng.randint(1, 2) + 1):
                due = (m.starts_at + datetime.timedelta(days=14)).astimezone(TZ).date()
                done = due < self.end and rng.random() < 0.9
                resolutions.append(
                    Resolution(
                        meeting=m,
                        estate_id=m.estate_id,
                        committee_id=m.committee_id,
                        order=k,
                        due_at=resolution_due_at(due),
                        created_at=m.starts_at,
                        # an open one: checked from two days before its due moment (meetings.resolution_scan)
                        next_check_at=None if done else resolution_due_at(due) - resolution_remind_before(),
                        text=f"{rng.choice(AGENDA)}：按会议意见落实",
                        owner=team["engineer"],
                        owner_name=team["engineer"].name,
                        action="制定方案并组织实施，完成后向业委会反馈",
                        due_date=due,
                        status=Resolution.Status.DONE if done else Resolution.Status.OPEN,
                        completed_at=_aware(due, 16) if done else None,
                        completed_by=team["engineer"] if done else None,
                    )
                )
        self.bulk(Attendance, attendance)
        self.bulk(Resolution, resolutions)

    # --- issues -----------------------------------------------------------------------------------------

    def issues(self):

        rng = self.rng
        policies = list(DeadlinePolicy.objects.filter(active=True))
        engineering = self.departments["工程部"]
        sources = [Source.MEETING] * 55 + [Source.CONTACT_SHEET] * 15 + [Source.PHONE] * 15
        sources += [Source.VISIT] * 5 + [Source.LETTER] * 3 + [Source.ONLINE] * 7
        per_month = self.n_issues / len(self.month_starts)
        now, H, D = self.now, datetime.timedelta(hours=1), datetime.timedelta(days=1)
        issues, replies, callbacks, events = [], [], [], []
        for mi, month in enumerate(self.month_starts):
            count = int(per_month) + (rng.random() < per_month - int(per_month))
            for _ in range(count):
                e = self.estates[rng.randrange(len(self.estates))]
                c = rng.choice(self.committees_of[e.pk])
                team = self.team[e.pk]
                source = rng.choice(sources)
                meeting = None
                if source == Source.MEETING:
                    held = (
                        self.meetings_by_committee_month.get((c.pk, month))
                        if hasattr(self, "meetings_by_committee_month")
                        else None
                    )
                    if held:
                        meeting = rng.choice(held)
                        raised_at = meeting.starts_at + datetime.timedelta(minutes=rng.randint(10, 80))
                    else:
                        source = Source.PHONE
                if meeting is None:
                    raised_at = _aware(self.day_in(month, 1, 28), rng.randint(8, 18), rng.randint(0, 59))
                if raised_at > now:
                    continue
                category, text, where = rng.choice(ISSUE_TOPICS)
                b = rng.randint(1, 30)
                members = self.active_members[c.pk]
                raiser = rng.choice(members)
                urgency = rng.choices(["normal", "important", "major"], weights=(80, 17, 3))[0]
                issue = Issue(
                    estate=e,
                    committee=c,
                    raised_by=raiser.name,
                    raised_by_member=raiser,
                    raised_at=raised_at,
                    source=source,
                    meeting=meeting,
                    source_ref=f"PF-09-R05-{raised_at:%Y%m}-{rng.randint(1, 999):03d}"
                    if source == Source.CONTACT_SHEET
                    else "",
                    title=text.format(b=b)[:30],
                    description=text.format(b=b) + "。业主多次反映，希望物业尽快处理并反馈结果。",
                    category=category,
                    location=where.format(b=b),
                    urgency=urgency,
                    created=raised_at,
                    created_by=team["supervisor"],
                )
                policy = deadlines.choose_policy(source=source, category=category, urgency=urgency, policies=policies)
                issue.policy = policy
                due, _known = deadlines.initial_deadlines(issue, policy)
                for field, value in due.items():
                    setattr(issue, field, value)
                issue.first_callback_due_at = issue.callback_due_at
                age = now - raised_at
                p_closed = 0.97 if age > 30 * D else 0.6 if age > 7 * D else 0.15
                if rng.random() < 0.05 and age > D:
                    # answered on the spot (§4.1.4.4): closed at once
                    issue.answer_on_spot = "现场已解释说明，业委会表示认可。"
                    issue.status, issue.close_reason = Issue.Status.CLOSED, Issue.CloseReason.ON_THE_SPOT
                    issue.closed_at = issue.triaged_at = raised_at + H
                    issue.responsibility = Issue.Responsibility.COMPANY
                    issue.callback_due_at = issue.reply_due_at = None
                    issues.append(issue)
                    continue
                closed = rng.random() < p_closed and age > D
                outside = rng.random() < 0.08
                issue.responsibility = Issue.Responsibility.OUTSIDE if outside else Issue.Responsibility.COMPANY
                if outside:
                    issue.outside_reason = "该事项属于市政/供电部门职责，管理处协助协调。"
                issue.triaged_at = raised_at + rng.uniform(0.5, 6) * H
                issue.assignee, issue.department = team["engineer"], engineering
                issue.assigned_at = issue.triaged_at
                issue.status = Issue.Status.IN_PROGRESS if not outside else Issue.Status.COORDINATING
                # the reply: usually in time, sometimes late, not yet for some open issues
                reply_at = raised_at + (rng.uniform(0.2, 2.5) if rng.random() < 0.9 else rng.uniform(3.2, 6)) * D
                if closed or (reply_at <= now and rng.random() < 0.7):
                    issue.replied_at = min(reply_at, now - H)
                    replies.append(
                        Reply(
                            issue=issue,
                            text="已安排工程人员现场查看，制定处理方案，预计一周内完成。",
                            replied_at=issue.replied_at,
                            replied_by=team["engineer"],
                            created=issue.replied_at,
                        )
                    )
                    issue.reply_overdue = bool(issue.reply_due_at and issue.replied_at > issue.reply_due_at)
                if closed:
                    issue.resolved_at = min(issue.replied_at + rng.uniform(0.5, 10) * D, now - H)
                    issue.resolution = "已完成维修/处理，现场恢复正常。"
                    first_cb = min(issue.resolved_at + rng.uniform(0.2, 3.5) * D, now - 0.5 * H)
                    cbs = [(first_cb, Satisfaction.UNSATISFIED if rng.random() < 0.08 else Satisfaction.SATISFIED)]
                    if cbs[0][1] == Satisfaction.UNSATISFIED:
                        cbs.append((min(first_cb + 3 * D, now - 0.25 * H), Satisfaction.BASIC))
                    for at, sat in cbs:
                        callbacks.append(
                            Callback(
                                issue=issue,
                                estate=e,
                                committee=c,
                                called_at=at,
                                method=rng.choice(("phone", "visit", "message")),
                                person_reached=raiser.name,
                                result="业委会确认问题已处理。"
                                if sat != Satisfaction.UNSATISFIED
                                else "仍有遗留问题，需要返工。",
                                satisfaction=sat,
                                next_step="" if sat != Satisfaction.UNSATISFIED else "安排返工后再次回访",
                                due_at=issue.callback_due_at,
                                on_time=bool(issue.callback_due_at and at <= issue.callback_due_at),
                                recorded_by=team["supervisor"],
                                created=at,
                            )
                        )
                    issue.first_callback_at, issue.last_callback_at = cbs[0][0], cbs[-1][0]
                    issue.satisfaction = cbs[-1][1]
                    issue.callback_overdue = not callbacks[-len(cbs)].on_time
                    issue.callback_due_at = None
                    issue.status, issue.close_reason = Issue.Status.CLOSED, Issue.CloseReason.CALLBACK
                    issue.closed_at = cbs[-1][0]
                    issue.closed_by = team["supervisor"]
                else:
                    # open: the scan has been running; events whose time has come are recorded
                    mine = []
                    for event_at, kind, due_at, level in deadlines.planned_events(issue):
                        if event_at > now:
                            continue
                        mine.append(
                            DeadlineEvent(
                                issue=issue,
                                deadline=kind,
                                due_at=due_at,
                                level=level,
                                event_at=event_at,
                                recorded_at=event_at,
                                job="seed_bulk",
                            )
                        )
                        if level >= DeadlineEvent.Level.OVERDUE:
                            setattr(issue, f"{kind}_overdue", True)
                            issue.escalation_level = max(issue.escalation_level, level - 1)
                    events += mine
                    done = {(ev.deadline, ev.due_at, ev.level) for ev in mine}
                    issue.next_check_at = deadlines.next_check_at(issue, done)
                issues.append(issue)
            if (mi + 1) % 6 == 0:
                self.out.write(f"    issues: {month:%Y-%m} ({len(issues):,})")
        self.bulk(Issue, issues)
        for objs in (replies, callbacks, events):
            for o in objs:
                o.issue_id = o.issue.pk
        self.bulk(Reply, replies)
        self.bulk(Callback, callbacks)
        self.bulk(DeadlineEvent, events)

    # --- sign-offs (records) ------------------------------------------------------------------------------

    def signoffs(self):
        """Finalised OC minutes sent to the committee for signatures (seed 000 §4.1.7): about one OC
        meeting in ten. Old requests are mostly signed by all, some declined; recent ones have
        outstanding signers (with their next daily reminder in the future, as if the reminder job ran).
        A few were revised after sending: version 1 superseded, its signatures kept but voided."""

        rng = self.rng
        now, H, D = self.now, datetime.timedelta(hours=1), datetime.timedelta(days=1)
        role_label = {"chair": "主任", "vice_chair": "副主任", "secretary": "秘书", "member": "委员"}
        codes = set()
        requests, versions, signers, signatures = [], [], [], []
        plan = []  # (request, [versions], [(signer, [(version, decision, comment, at)])])
        for mn in self.final_minutes:
            m = mn.meeting
            if m.committee.kind != Committee.Kind.OC or rng.random() >= 0.1:
                continue
            sent = mn.finalised_at + rng.uniform(2, 48) * H
            if sent > now - H:
                continue
            director = self.team[m.estate_id]["director"]
            members = self.active_members[m.committee_id]
            chair = next(x for x in members if x.role == "chair")
            named = [chair] + [x for x in members if x is not chair and rng.random() < 0.8]
            code = f"{rng.getrandbits(40):010X}"
            while code in codes:
                code = f"{rng.getrandbits(40):010X}"
            codes.add(code)
            title = f"会议记录 {m.title}"
            req = SignoffRequest(
                estate_id=m.estate_id,
                committee_id=m.committee_id,
                title=title[:200],
                source=SignoffRequest.Source.MINUTES,
                minutes_id=mn.pk,
                message="请各位委员审阅会议记录并在线签名确认。",
                rule=SignoffRequest.Rule.MAJORITY if rng.random() < 0.15 else SignoffRequest.Rule.ALL,
                public_code=code,
                requested_by=director,
                created_at=sent,
            )
            age = now - sent
            revised = rng.random() < 0.05 and age > 5 * D
            vers = [self._version(req, 1, mn, director, sent)]
            if revised:
                at = sent + rng.uniform(1, 3) * D
                vers[0].superseded_at = at
                vers.append(self._version(req, 2, mn, director, at, note="根据委员意见修改决议事项表述"))
            current = vers[-1]
            # the outcome on the current version
            if age > 14 * D:
                outcome = rng.choices(["completed", "declined", "open"], weights=(85, 7, 8))[0]
            elif age > 3 * D:
                outcome = rng.choices(["completed", "declined", "open"], weights=(50, 5, 45))[0]
            else:
                outcome = "open"
            decliner = rng.choice(named) if outcome == "declined" else None
            if decliner is not None and req.rule == SignoffRequest.Rule.MAJORITY:
                decliner = chair  # under the majority rule one member declining does not decline it
            last, people = current.created_at, []
            for x in named:
                sigs = []
                if revised and rng.random() < 0.6:  # signed version 1 before it changed: voided
                    at = vers[0].created_at + rng.uniform(1, 20) * H
                    sigs.append((vers[0], Signature.Decision.AGREE, "", min(at, current.created_at - H)))
                if x is decliner:
                    decision, comment = Signature.Decision.DISAGREE, "决议第二项表述与会上讨论不一致，请修改后再签。"
                elif (
                    outcome == "completed"
                    or (outcome != "declined" and rng.random() < 0.5)
                    or (outcome == "declined" and rng.random() < 0.5)
                ):
                    with_comments = rng.random() < 0.1
                    decision = Signature.Decision.AGREE_WITH_COMMENTS if with_comments else Signature.Decision.AGREE
                    comment = "同意，请按时落实决议事项。" if with_comments else ""
                else:
                    decision = None
                if decision is not None:
                    at = min(current.created_at + rng.uniform(0.5, 120) * H, now - 0.5 * H)
                    sigs.append((current, decision, comment, at))
                    last = max(last, at)
                people.append((x, sigs))
            if decliner is not None:  # after the decline nobody can sign any more
                cut = next(s[-1][3] for x, s in people if x is decliner)
                people = [(x, [s for s in sigs if s[0] is not current or s[3] <= cut]) for x, sigs in people]
                last = cut
            if outcome == "open" and all(s and s[-1][0] is current for _x, s in people):
                # everyone signed by chance: the last one has not yet
                people[-1] = (people[-1][0], [s for s in people[-1][1] if s[0] is not current])
            if outcome == "open" and req.rule == SignoffRequest.Rule.MAJORITY:
                req.rule = SignoffRequest.Rule.ALL  # keep "open" honest: a majority may already be reached
            req.status = outcome
            req.completed_at = last if outcome == "completed" else None
            requests.append(req)
            plan.append((req, vers, people))

        self.bulk(SignoffRequest, requests)
        reminder = next_reminder(now)
        for req, vers, people in plan:
            for v in vers:
                v.request_id = req.pk
                versions.append(v)
            for x, sigs in people:
                outstanding = not any(v is vers[-1] for v, *_rest in sigs)
                signers.append(
                    Signer(
                        request_id=req.pk,
                        member=x,
                        user_id=x.user_id,
                        name=x.name,
                        is_chair=x.role == "chair",
                        role_label=role_label.get(x.role, "委员"),
                        next_reminder_at=reminder if outstanding and req.status == "open" else None,
                    )
                )
        self.bulk(DocumentVersion, versions)
        self.bulk(Signer, signers)
        k = 0
        for _req, vers, people in plan:
            for _x, sigs in people:
                signer = signers[k]
                k += 1
                for v, decision, comment, at in sigs:
                    stale = v is not vers[-1]
                    signatures.append(
                        Signature(
                            signer=signer,
                            version_id=v.pk,
                            decision=decision,
                            comment=comment,
                            signed_at=at,
                            ip_address=f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
                            user_agent=rng.choice(USER_AGENTS),
                            sha256=v.sha256,
                            voided_at=vers[-1].created_at if stale else None,
                            void_reason="被第2版取代" if stale else "",
                        )
                    )
        self.bulk(Signature, signatures)

    def _version(self, req, number, minutes, director, at, note=""):

        m = minutes.meeting
        html = (
            f"<h1>会议记录</h1><p>会议：{m.title}</p><p>时间：{timezone.localtime(m.starts_at, TZ):%Y年%m月%d日 %H:%M}</p>"
            f"<p>地点：{m.place}</p><p>主持人：{minutes.host_name}　记录人：{minutes.recorder_name}</p>"
            f"<p>{minutes.summary}</p>" + (f"<p>修改说明：{note}</p>" if note else "")
        )
        # no primary keys in the content: the same seed gives the same bytes in any database
        start = timezone.localtime(m.starts_at, TZ)
        lines = [f"Meeting minutes {start:%Y-%m-%d %H:%M}", f"record {req.public_code} version {number}"]
        data = tiny_pdf([*lines, sha256(html.encode())])
        return DocumentVersion(
            number=number,
            title=req.title,
            html=html,
            pdf=data,
            filename=f"AM-02-R03-会议记录-{req.public_code}-v{number}.pdf",
            sha256=sha256(data),
            change_note=note,
            created_by=director,
            created_at=at,
        )


USER_AGENTS = [
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 MicroMessenger/8.0.49",
    "Mozilla/5.0 (Linux; Android 14; V2309A) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36",
]


def tiny_pdf(lines):
    """A minimal valid one-page PDF with these ASCII lines (Helvetica): a stand-in for the frozen
    document, so each version has its own bytes and SHA-256 without rendering a real PDF per row."""
    text = (
        "BT /F1 11 Tf 56 780 Td 14 TL "
        + " ".join("(" + s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") '" for s in lines)
        + " ET"
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text.encode("ascii")),
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (i, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _has_model(app_label, name):
    try:
        apps.get_model(app_label, name)
        return True
    except LookupError:
        return False
