"""Demo village work: teams in a few villages of the demo county (the demo login ``cadre`` is
the first secretary of the first), eight weeks of check-ins — most members keep the
five-days-four-nights rule, some do not —, a few leaves, and visits with needs.

Teams, members, leave and visits go through the services; check-ins (hundreds of rows)
are written in bulk with their change records, so the default demo stays fast.
"""

import datetime

from django.utils import timezone

from bangfu.accounts import services as accounts
from bangfu.audit.services import record_bulk
from bangfu.core.demo import DEMO_PASSWORD, DemoContext
from bangfu.core.permissions import Role
from bangfu.registry.models import Household

from . import rule, services
from .models import CheckIn, NeedKind, TeamRole

TEAMS = 3
MEMBERS_PER_TEAM = 3  # besides the leader or first secretary
WEEKS = 8
FINDINGS = [
    "户主身体状况稳定,家中两个孩子均在校就读。",
    "家中种植香菇两棚,今年行情较好。",
    "老人独居,子女在外务工,生活能自理。",
    "户主去年因病住院,目前在家康复,医疗报销已落实。",
    "家庭成员外出务工稳定,收入有保障。",
    "住房为新建砖混结构,饮水安全。",
]
NEEDS = [
    (NeedKind.EMPLOYMENT, "希望介绍就近务工岗位"),
    (NeedKind.MEDICAL, "申请慢性病门诊卡"),
    (NeedKind.EDUCATION, "孩子上高中,咨询雨露计划补助"),
    (NeedKind.HOUSING, "屋顶漏雨,需要维修"),
    (NeedKind.INDUSTRY, "想扩大养殖规模,咨询小额信贷"),
    (NeedKind.INFRASTRUCTURE, "门前道路需要硬化"),
]


def _at(day: datetime.date, hour: float) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=rule.ZONE) + datetime.timedelta(hours=hour)


def _week_of_stays(
    rng, monday: datetime.date, keeps_rule: bool
) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """Monday morning to Friday afternoon with a trip out now and then; or three days only."""
    arrive = rng.choice([7.5, 8, 8.5, 9])
    if keeps_rule:
        if rng.random() < 0.5:
            return [
                (_at(monday, arrive), _at(monday + datetime.timedelta(days=4), rng.choice([16, 17, 17.5])))
            ]
        # out to the county on Wednesday afternoon, back in the evening
        return [
            (_at(monday, arrive), _at(monday + datetime.timedelta(days=2), 13)),
            (_at(monday + datetime.timedelta(days=2), 19), _at(monday + datetime.timedelta(days=4), 17)),
        ]
    return [(_at(monday, arrive), _at(monday + datetime.timedelta(days=2), rng.choice([15, 17])))]


def build(context: DemoContext) -> None:
    rng = context.rng
    made = context.made
    villages = made["villages"][:TEAMS]
    senders = [*made["enterprises"], made["federation"]]
    today = timezone.localdate()
    this_monday = rule.week_start(today)
    first_monday = this_monday - datetime.timedelta(weeks=WEEKS)
    start = first_monday - datetime.timedelta(days=180)
    cadre = made["users"].get("cadre")
    members = []
    for index, village in enumerate(villages):
        team = services.team_create(
            actor=None,
            region=village,
            organization=senders[index % len(senders)] if index else made["enterprises"][0],
            starts_on=start,
            ends_on=start + datetime.timedelta(days=3 * 365),
        )
        people = []
        if index == 0 and cadre is not None:
            people.append((cadre, TeamRole.FIRST_SECRETARY))
        for number in range(MEMBERS_PER_TEAM + (0 if people else 1)):
            user = accounts.user_create(
                actor=None,
                username=f"zhucun{index + 1}{number + 1}",
                password=DEMO_PASSWORD,
                display_name=context.fake.name(),
            )
            accounts.membership_create(
                actor=None, user=user, organization=team.organization, role=Role.CADRE, regions=[village]
            )
            role = TeamRole.LEADER if not people and number == 0 else TeamRole.MEMBER
            people.append((user, role))
        for user, role in people:
            members.append(services.member_add(actor=None, team=team, user=user, role=role, starts_on=start))
        if index == 0:
            # a rotation: someone served the first months and went home
            former = accounts.user_create(
                actor=None, username="zhucun-former", password=DEMO_PASSWORD, display_name=context.fake.name()
            )
            stint = services.member_add(
                actor=None, team=team, user=former, role=TeamRole.MEMBER, starts_on=start
            )
            services.member_end(
                actor=None, member=stint, ends_on=start + datetime.timedelta(days=120), reason="轮换"
            )

    # eight weeks of stays: most members keep the rule, one in four often does not
    rows = []
    for member in members:
        careless = rng.random() < 0.25
        for week in range(WEEKS):
            monday = first_monday + datetime.timedelta(weeks=week)
            keeps = rng.random() > (0.6 if careless else 0.05)
            for checked_in_at, checked_out_at in _week_of_stays(rng, monday, keeps):
                rows.append(
                    CheckIn(
                        member=member,
                        region_code=member.region_code,
                        checked_in_at=checked_in_at,
                        checked_out_at=checked_out_at,
                        note="",
                    )
                )
    written = CheckIn.objects.bulk_create(rows, batch_size=1000)
    record_bulk(
        actor=None,
        model=CheckIn,
        created=[
            (
                row.pk,
                {
                    "member_id": row.member_id,
                    "region_code": row.region_code,
                    "checked_in_at": row.checked_in_at,
                    "checked_out_at": row.checked_out_at,
                },
            )
            for row in written
        ],
    )

    # leave: one approved (that week's requirement drops), one waiting for the leader
    leader_of = {m.team_id: m.user for m in members if m.role in (TeamRole.LEADER, TeamRole.FIRST_SECRETARY)}
    ordinary = [m for m in members if m.role == TeamRole.MEMBER]
    if ordinary:
        leave_week = first_monday + datetime.timedelta(weeks=WEEKS - 2)
        approved = services.leave_request(
            actor=None,
            member=ordinary[0],
            starts_on=leave_week + datetime.timedelta(days=3),
            ends_on=leave_week + datetime.timedelta(days=4),
            reason="家中老人住院",
        )
        services.leave_decide(actor=leader_of[ordinary[0].team_id], leave=approved, approve=True, note="同意")
        services.leave_request(
            actor=None,
            member=ordinary[-1],
            starts_on=today + datetime.timedelta(days=7),
            ends_on=today + datetime.timedelta(days=8),
            reason="参加县里培训",
        )

    # visits: most households of the teams' villages visited in the last four months, some needs open
    visits = needs = 0
    by_village = {}
    for member in members:
        by_village.setdefault(member.region_code, []).append(member.user)
    for household in Household.objects.filter(region__in=villages).order_by("pk"):
        if rng.random() < 0.2:
            continue  # not visited: shows on the coverage page
        visitor = rng.choice(by_village[household.region_code])
        visited_on = today - datetime.timedelta(days=rng.randint(1, 130))
        raised = []
        if rng.random() < 0.35:
            kind, text = rng.choice(NEEDS)
            raised.append(
                services.NeedInput(
                    kind=kind, description=text, due_on=visited_on + datetime.timedelta(days=30)
                )
            )
        visit = services.visit_record(
            actor=None,
            household=household,
            visitor=visitor,
            visited_on=visited_on,
            findings=rng.choice(FINDINGS),
            needs=raised,
        )
        visits += 1
        for need in visit.needs.all():
            needs += 1
            if rng.random() < 0.5:
                services.need_close(actor=None, need=need, note="已协调相关部门办理")
    context.lines.append(
        f"fieldwork: {len(villages)} stationed teams, {len(members)} members, {len(written)} check-ins, "
        f"{visits} visits, {needs} needs"
    )
