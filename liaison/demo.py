"""Demo data for `make run`: one account per role. Idempotent: running it twice creates nothing twice."""

import datetime

from django.db import transaction
from django.utils.module_loading import import_string

from .models import Committee, CommitteeMember, Company, Department, Estate, Role, StaffAssignment, User
from .signals import estate_created

DEMO_PASSWORD = "liaison-demo-2026"

# username, name, role, department, phone
STAFF = [
    ("admin", "系统管理员", Role.ADMIN, None, "13800000000"),
    ("director", "王建国", Role.DIRECTOR, "社区服务办公室", "13800000001"),
    ("supervisor", "李芳", Role.SUPERVISOR, "社区服务办公室", "13800000002"),
    ("engineer", "赵工", Role.DEPARTMENT, "工程部", "13800000003"),
    ("leader", "陈彧", Role.LEADER, None, "13800000004"),
    ("assessor", "周敏", Role.ASSESSOR, "品质管理部", "13800000005"),
    ("director2", "钱立", Role.DIRECTOR, "社区服务办公室", "13800000006"),
]
DEPARTMENTS = [
    ("社区服务办公室", Department.Kind.OFFICE),
    ("工程部", Department.Kind.SPECIALIST),
    ("品质管理部", Department.Kind.FUNCTIONAL),
    ("经营管理处", Department.Kind.MANAGEMENT),
]
ESTATES = [
    ("翠湖花园", "深圳市南山区翠湖路88号", "南山区", "粤海街道办"),
    ("锦绣苑", "深圳市福田区锦绣路12号", "福田区", "莲花街道办"),
    ("老城新村", "深圳市罗湖区东门路3号", "罗湖区", "东门街道办"),
]
# estate, kind, committee name, username, member name, role
MEMBERS = [
    ("翠湖花园", Committee.Kind.OC, "翠湖花园业主委员会", "oc_chair", "张喆", CommitteeMember.Role.CHAIR),
    ("翠湖花园", Committee.Kind.OC, "翠湖花园业主委员会", "oc_member", "刘堃", CommitteeMember.Role.MEMBER),
    ("翠湖花园", Committee.Kind.OC, "翠湖花园业主委员会", "oc_secretary", "孙珺", CommitteeMember.Role.SECRETARY),
    ("翠湖花园", Committee.Kind.RC, "粤海社区居民委员会", "rc_member", "马晓兰", CommitteeMember.Role.MEMBER),
    ("锦绣苑", Committee.Kind.OC, "锦绣苑业主委员会", "oc_chair_b", "黄昇", CommitteeMember.Role.CHAIR),
    ("老城新村", Committee.Kind.MC, "老城新村小区管理委员会", "mc_chair", "吴燊", CommitteeMember.Role.CHAIR),
]
ASSIGNMENTS = [
    ("director", "翠湖花园", Role.DIRECTOR),
    ("director", "锦绣苑", Role.DIRECTOR),
    ("supervisor", "翠湖花园", Role.SUPERVISOR),
    ("engineer", "翠湖花园", Role.DEPARTMENT),
    ("director2", "老城新村", Role.DIRECTOR),
]
TERM_START = datetime.date(2025, 7, 1)
# Each app may add its own demo data: a function seed(core) that is idempotent too.
APP_SEEDERS = ["meetings.demo.seed", "followups.demo.seed", "records.demo.seed"]


def last_month_at(day, hour):
    """A time on `day` of the month before this one (Asia/Shanghai): the demo's records for the
    assessment, which opens on the last month that has ended."""
    from django.utils import timezone

    today = timezone.localdate()
    first_of_last = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    return timezone.make_aware(datetime.datetime.combine(first_of_last.replace(day=day), datetime.time(hour)))


# the chair of 翠湖花园 has a mobile on record, so 用短信登录 and signing by SMS code can be tried in the demo
# (with the console SMS backend the link and the code print in the worker's output)
MEMBER_PHONES = {"oc_chair": "13800138001"}


def _user(username, name, role, department=None, phone="", email_domain="demo.liaison.local"):
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "name": name,
            "role": role,
            "department": department,
            "phone": phone,
            "email": f"{username}@{email_domain}",
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        if role == Role.ADMIN:
            user.is_superuser = user.is_staff = True
        user.save()
    return user


@transaction.atomic
def seed():
    company, _ = Company.objects.get_or_create(name="深圳市示范物业管理有限公司")
    departments = {
        n: Department.objects.get_or_create(company=company, name=n, defaults={"kind": k})[0] for n, k in DEPARTMENTS
    }
    users = {u: _user(u, n, r, departments.get(d), p) for u, n, r, d, p in STAFF}
    estates = {}
    for name, address, district, street in ESTATES:
        estate, created = Estate.objects.get_or_create(
            company=company, name=name, defaults={"address": address, "district": district, "street_office": street}
        )
        estates[name] = estate
        if created:
            estate_created.send(sender=Estate, estate=estate)
    for username, estate, role in ASSIGNMENTS:
        StaffAssignment.objects.get_or_create(estate=estates[estate], user=users[username], defaults={"role": role})
    committees = {}
    for estate, kind, cname, username, mname, mrole in MEMBERS:
        committee, _ = Committee.objects.get_or_create(
            estate=estates[estate],
            kind=kind,
            name=cname,
            defaults={
                "term_start": TERM_START,
                "term_end": Committee.default_term_end(Committee.Kind.MC, TERM_START)
                if kind != Committee.Kind.RC
                else None,
                "secretariat_contact": "孙珺" if estate == "翠湖花园" else mname,
            },
        )
        committees[cname] = committee
        user = _user(username, mname, Role.COMMITTEE, phone=MEMBER_PHONES.get(username, ""))
        users[username] = user
        CommitteeMember.objects.get_or_create(
            committee=committee,
            user=user,
            ended_on=None,
            defaults={"name": mname, "role": mrole, "term_start": TERM_START},
        )
    core = {
        "company": company,
        "users": users,
        "estates": estates,
        "committees": committees,
        "departments": departments,
    }
    for path in APP_SEEDERS:
        import_string(path)(core)
    return core
