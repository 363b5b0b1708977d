"""The default meeting kinds and cadence rules of shared/DOMAIN.md ("Meeting cadence").

Installed for every new estate (the core calls install_default_rules) and by the demo seeder.
Idempotent: existing rules (possibly edited by an administrator) are left as they are.
Contacts that are not meetings count where DEFAULT_CONTACT_KINDS says (DOMAIN.md: calls, visits and
written reports for the monthly communication and the 居委会 contact; the P&L statement is a
publication before the 5th; the 10th–15th inquiry window is a period recorded as held, not a meeting).
The alternative SOP of seed 000 篇2 is installed too, switched off: an administrator switches an
estate over by activating those rules and deactivating the §4.1 ones.
"""

from django.db import transaction

# code, name (zh), name (en), committee kinds, needs approval, notice days, emergency, clause
DEFAULT_KINDS = [
    (
        "oc_routine",
        "业委会工作协调沟通会议",
        "Routine coordination meeting with the OC",
        "oc",
        False,
        0,
        False,
        "§4.1.3",
    ),
    ("oc_monthly", "业委会月度工作沟通", "Monthly communication with the OC", "oc", False, 0, False, "§4.1.1"),
    (
        "director_chair",
        "主任与业委会主任定时沟通",
        "Director–OC chair monthly exchange",
        "oc",
        False,
        0,
        False,
        "§4.1.5",
    ),
    ("special_topic", "专题会议", "Special-topic meeting", "oc,rc", True, 7, False, "§4.1.4"),
    ("rc_contact", "居委会定期沟通", "Residents' committee contact", "rc", False, 1, False, "§4.2.1"),
    (
        "report_visit",
        "半年/年度工作汇报（茶话会）",
        "Half-year / annual report visit",
        "oc",
        False,
        0,
        False,
        "篇2 四.1(3)",
    ),
    ("pnl_statement", "损益表报送", "P&L statement to the OC", "oc", False, 0, False, "篇2 四.1(4)①"),
    ("inquiry_window", "业主/业委会查询审计", "Owners' / OC inquiry and audit", "oc", False, 0, False, "篇2 四.1(4)②"),
    (
        "mc_assembly",
        "小区管理委员会成员大会",
        "Management committee members' meeting",
        "mc",
        False,
        0,
        False,
        "seed 002 第六条",
    ),
    ("mc_meeting", "小区管理委员会例会", "Management committee meeting", "mc", False, 0, False, "seed 002 第八条"),
    (
        "mc_expanded",
        "小区管理委员会扩大会议",
        "Management committee expanded meeting",
        "mc",
        False,
        0,
        False,
        "seed 002 第八条",
    ),
    ("emergency", "紧急会议", "Emergency meeting", "", False, 0, True, ""),
]

# code, name, committee kind, kinds that count, min count, period, day_from, day_to, responsible, clause, active
DEFAULT_RULES = [
    (
        "oc_routine",
        "业委会工作协调沟通会议：每两个月至少1次",
        "oc",
        ["oc_routine", "special_topic"],
        1,
        "two_months",
        None,
        None,
        "director",
        "§4.1.3",
        True,
    ),
    (
        "oc_monthly",
        "按年度工作计划与业委会每月沟通",
        "oc",
        ["oc_monthly", "oc_routine", "special_topic", "report_visit"],
        1,
        "month",
        None,
        None,
        "director",
        "§4.1.1",
        True,
    ),
    (
        "director_chair",
        "主任与业委会主任定时工作沟通：每月",
        "oc",
        ["director_chair"],
        1,
        "month",
        None,
        None,
        "director",
        "§4.1.5",
        True,
    ),
    (
        "rc_contact",
        "与居委会定期沟通：每月至少2次",
        "rc",
        ["rc_contact", "special_topic"],
        2,
        "month",
        None,
        None,
        "supervisor",
        "§4.2.1.1",
        True,
    ),
    (
        "mc_monthly",
        "小区管理委员会例会：每月",
        "mc",
        ["mc_meeting", "mc_expanded"],
        1,
        "month",
        None,
        None,
        "director",
        "seed 002 第八条",
        True,
    ),
    (
        "mc_expanded",
        "小区管理委员会扩大会议：每半年",
        "mc",
        ["mc_expanded"],
        1,
        "half_year",
        None,
        None,
        "director",
        "seed 002 第八条",
        True,
    ),
    # the alternative SOP (seed 000 篇2), installed switched off
    (
        "oc_quarterly",
        "（篇2）业委会例会：每季度至少1次",
        "oc",
        ["oc_routine", "special_topic"],
        1,
        "quarter",
        None,
        None,
        "director",
        "篇2 四.1(1)",
        False,
    ),
    (
        "report_visit",
        "（篇2）半年/年度工作汇报：6月底、12月底",
        "oc",
        ["report_visit"],
        1,
        "half_year",
        None,
        None,
        "director",
        "篇2 四.1(3)",
        False,
    ),
    (
        "pnl_statement",
        "（篇2）每月5日前报送损益表",
        "oc",
        ["pnl_statement"],
        1,
        "month_by_day",
        None,
        5,
        "director",
        "篇2 四.1(4)①",
        False,
    ),
    (
        "inquiry_window",
        "（篇2）每月10日至15日查询审计",
        "oc",
        ["inquiry_window"],
        1,
        "month_window",
        10,
        15,
        "director",
        "篇2 四.1(4)②",
        False,
    ),
]


# rule code -> the Contact kinds it counts (CadenceRule.contact_kinds); rules not named count meetings only
DEFAULT_CONTACT_KINDS = {
    "oc_monthly": "call,visit,written",  # §4.1.1 monthly communication per the annual work plan
    "director_chair": "call,visit,wechat",  # §4.1.5 the director and the OC chair exchange news
    "rc_contact": "visit,call",  # §4.2.1.1 定期沟通 with the 居委会
    "pnl_statement": "publication",  # 篇2 四.1(4)① published before the 5th
    "inquiry_window": "inquiry_window",  # 篇2 四.1(4)② the window held on the 10th–15th
}
# meeting kinds that were modelled as meetings and are now contacts: no longer offered for a new meeting
# (meetings of these kinds already held still count for the rules that name them)
RETIRED_KINDS = {"pnl_statement", "inquiry_window"}

# quorum and majority per kind (seed 002 第六条: the 成员大会 is valid with two thirds of the members
# present, a resolution passes with more than half of those present, votes counted; the monthly and
# expanded meetings of 第八条 the same unless changed). Other kinds: no quorum, as configured.
MC_VOTES = {"quorum": "two_thirds", "majority": "half_present", "allows_consensus": False}
VOTE_DEFAULTS = {"mc_assembly": MC_VOTES, "mc_meeting": MC_VOTES, "mc_expanded": MC_VOTES}


def ensure_default_kinds():
    from .models import MeetingKind

    kinds = {}
    for order, (code, name, name_en, ckinds, approval, notice, emergency, clause) in enumerate(DEFAULT_KINDS):
        kind, _ = MeetingKind.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "committee_kinds": ckinds,
                "requires_approval": approval,
                "min_notice_days": notice,
                "is_emergency": emergency,
                "clause": clause,
                "order": order * 10,
                "active": code not in RETIRED_KINDS,
                **VOTE_DEFAULTS.get(code, {}),
            },
        )
        kinds[code] = kind
    return kinds


def install_default_rules(estate, *, effective_from=None):
    """Give `estate` the default cadence rules (idempotent). Returns the rules created now."""
    from .models import CadenceRule

    with transaction.atomic():
        kinds = ensure_default_kinds()
        existing = set(CadenceRule.objects.filter(estate=estate).values_list("code", flat=True))
        created = []
        for (
            code,
            name,
            ckind,
            kind_codes,
            minimum,
            period,
            day_from,
            day_to,
            responsible,
            clause,
            active,
        ) in DEFAULT_RULES:
            if code in existing:
                continue
            extra = {"effective_from": effective_from} if effective_from else {}
            rule = CadenceRule.objects.create(
                estate=estate,
                code=code,
                name=name,
                committee_kind=ckind,
                min_count=minimum,
                period=period,
                day_from=day_from,
                day_to=day_to,
                responsible=responsible,
                clause=clause,
                active=active,
                contact_kinds=DEFAULT_CONTACT_KINDS.get(code, ""),
                **extra,
            )
            rule.kinds.set([kinds[k] for k in kind_codes if k not in RETIRED_KINDS])
            created.append(rule)
        return created
