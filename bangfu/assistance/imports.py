"""Import kinds of paired assistance: projects, fund entries, beneficiaries and activities.

Each row goes through the same service as a page would call, inside a savepoint: a row the
service refuses is reported with the service's own message (the same words as on the page)
and leaves nothing behind; a row it accepts stays written. The engine runs the whole import in
one transaction, so "all or nothing" with any bad row, and every dry run, still write nothing.
Fund entries are written in file order, so a spend sees the money the rows above it brought in.

A project is found by its name and its region code; re-importing a file finds the projects,
entries, beneficiaries and activities already there and writes nothing new.
"""

from collections.abc import Callable
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.accounts.models import Organization
from bangfu.core.permissions import Cap
from bangfu.core.scoping import scope
from bangfu.imports import parsing
from bangfu.imports.spec import Column, Context, ImportSpec, WriteResult, register
from bangfu.regions.models import Region

from . import services
from .errors import AssistanceError
from .models import (
    Activity,
    ActivityKind,
    Beneficiary,
    FundEntry,
    FundKind,
    Project,
    ProjectStatus,
    ProjectType,
)

PROJECT_NAME = Column(
    "project", gettext_lazy("项目名称"), parsing.text, required=True, aliases=("project",), max_length=200
)
REGION = Column(
    "region",
    gettext_lazy("区划代码"),
    parsing.code,
    required=True,
    aliases=("实施地区代码", "region", "region code"),
    example="410423101001",
    max_length=12,
)


def _trial(
    problems: dict[int, dict[str, str]], number: int, write: Callable, fields: dict[str, str], default: str
):
    """Run one service call in a savepoint; a refusal becomes the row's problems, by column."""
    try:
        with transaction.atomic():
            return write()
    except AssistanceError as error:
        if hasattr(error, "error_dict"):
            problems[number] = {
                fields.get(field, default): " ".join(str(m) for m in error.message_dict[field])
                for field in error.error_dict
            }
        else:
            problems[number] = {default: error.text}
        return None


def _projects(context: Context, batch, capability: str) -> dict[tuple[str, str], Project]:
    names = {values["project"] for _number, values in batch}
    found = scope(Project.objects.select_related("region"), context.user, capability).filter(name__in=names)
    return {(p.name, p.region_code): p for p in found}


def _regions(codes) -> dict[str, Region]:
    return {r.code: r for r in Region.objects.filter(code__in=set(codes))}


def _organizations(names) -> dict[str, Organization]:
    return {o.name: o for o in Organization.objects.filter(name__in=set(names), is_active=True)}


def _result(rows: list[dict]) -> WriteResult:
    result = WriteResult()
    for row in rows:
        if row.get("_existing"):
            result.unchanged += 1
        else:
            result.created += 1
    return result


# Projects -------------------------------------------------------------------------------------------

PROJECT_COLUMNS = [
    Column("name", gettext_lazy("项目名称"), parsing.text, required=True, aliases=("name",), max_length=200),
    Column(
        "organization",
        gettext_lazy("帮扶单位"),
        parsing.text,
        required=True,
        aliases=("organization",),
        example="中国平煤神马集团",
        max_length=200,
    ),
    REGION,
    Column(
        "type",
        gettext_lazy("项目类型"),
        parsing.Choice(ProjectType.choices),
        required=True,
        aliases=("type",),
        example="产业",
    ),
    Column(
        "budget",
        gettext_lazy("预算(元)"),
        parsing.money,
        required=True,
        aliases=("budget",),
        example="3000000",
    ),
    Column(
        "start_date",
        gettext_lazy("开始日期"),
        parsing.date,
        required=True,
        aliases=("start",),
        example="2020-03-01",
    ),
    Column("end_date", gettext_lazy("结束日期"), parsing.date, aliases=("end",), example="2021-12-31"),
    Column(
        "status",
        gettext_lazy("状态"),
        parsing.Choice(ProjectStatus.choices),
        aliases=("status",),
        example="实施中",
    ),
    Column("description", gettext_lazy("项目内容"), parsing.text, aliases=("description",)),
]


def projects_check(batch, context: Context) -> dict[int, dict[str, str]]:
    problems: dict[int, dict[str, str]] = {}
    organizations = _organizations(values["organization"] for _n, values in batch)
    regions = _regions(values["region"] for _n, values in batch)
    existing = {
        (p.name, p.region_code)
        for p in Project.objects.filter(name__in={values["name"] for _n, values in batch})
    }
    for number, values in batch:
        organization = organizations.get(values["organization"])
        region = regions.get(values["region"])
        if organization is None:
            problems[number] = {"organization": _("帮扶单位不存在,请先在“帮扶单位”中添加")}
            continue
        if region is None:
            problems[number] = {"region": _("区划代码不存在")}
            continue
        if (values["name"], region.code) in existing:
            values["_existing"] = True
            continue
        created = _trial(
            problems,
            number,
            lambda values=values, organization=organization, region=region: services.project_create(
                actor=context.user,
                name=values["name"],
                organization=organization,
                region=region,
                type=values["type"],
                budget=values["budget"],
                start_date=values["start_date"],
                end_date=values.get("end_date"),
                status=values.get("status") or ProjectStatus.PLANNED,
                description=values.get("description") or "",
            ),
            {"budget": "budget", "end_date": "end_date", "region": "region", "type": "type", "name": "name"},
            "region",
        )
        if created is not None:
            existing.add((values["name"], region.code))
    return problems


register(
    ImportSpec(
        kind="assistance_projects",
        title=gettext_lazy("帮扶项目"),
        capability=Cap.PROJECT_MANAGE,
        columns=PROJECT_COLUMNS,
        key=("name", "region"),
        check=projects_check,
        write=lambda rows, context: _result(rows),
        description=gettext_lazy(
            "每行一个项目(项目名称和区划代码相同的为同一项目)。再次导入同一文件不会重复。"
        ),
    )
)


# Fund entries ---------------------------------------------------------------------------------------

FUND_COLUMNS = [
    PROJECT_NAME,
    REGION,
    Column(
        "kind",
        gettext_lazy("资金类型"),
        parsing.Choice(FundKind.choices),
        required=True,
        aliases=("kind",),
        example="支出",
    ),
    Column(
        "amount", gettext_lazy("金额(元)"), parsing.money, required=True, aliases=("amount",), example="50000"
    ),
    Column(
        "date", gettext_lazy("日期"), parsing.date, required=True, aliases=("date",), example="2020-05-01"
    ),
    Column("source", gettext_lazy("资金来源"), parsing.text, aliases=("source",), max_length=200),
    Column(
        "voucher_number",
        gettext_lazy("凭证号"),
        parsing.code,
        aliases=("voucher",),
        example="PZ2020-001",
        max_length=50,
    ),
    Column("note", gettext_lazy("备注"), parsing.text, aliases=("note",), max_length=200),
]
FUND_FIELDS = {
    "amount": "amount",
    "date": "date",
    "source": "source",
    "voucher_number": "voucher_number",
    "kind": "kind",
    "project": "project",
    "override_reason": "amount",
}


def funds_check(batch, context: Context) -> dict[int, dict[str, str]]:
    problems: dict[int, dict[str, str]] = {}
    projects = _projects(context, batch, Cap.FUNDS_RECORD)
    for number, values in batch:
        project = projects.get((values["project"], values["region"]))
        if project is None:
            problems[number] = {"project": _("项目不存在或不在您的管理范围内(按项目名称和区划代码查找)")}
            continue
        voucher = values.get("voucher_number") or ""
        if (
            voucher
            and FundEntry.objects.filter(
                project=project,
                kind=values["kind"],
                date=values["date"],
                amount=values["amount"],
                voucher_number=voucher,
                reverses__isnull=True,
            ).exists()
        ):
            values["_existing"] = True
            continue
        amount = values["amount"]
        _trial(
            problems,
            number,
            lambda values=values, project=project, voucher=voucher, amount=amount: services.fund_entry_record(
                actor=context.user,
                project=project,
                kind=values["kind"],
                amount=amount if amount is not None else Decimal(0),
                date=values["date"],
                source=values.get("source") or "",
                voucher_number=voucher,
                note=values.get("note") or "",
            ),
            FUND_FIELDS,
            "amount",
        )
    return problems


register(
    ImportSpec(
        kind="assistance_funds",
        title=gettext_lazy("项目资金"),
        capability=Cap.FUNDS_RECORD,
        columns=FUND_COLUMNS,
        key=("project", "region", "kind", "date", "amount", "voucher_number"),
        check=funds_check,
        write=lambda rows, context: _result(rows),
        description=gettext_lazy(
            "每行一笔资金:投入、协调(写明来源)或支出(写明凭证号),按文件顺序记账;"
            "支出不能超过项目当时的可用资金。已登记过的同一凭证不会重复记账。"
        ),
    )
)


# Beneficiaries --------------------------------------------------------------------------------------

BENEFICIARY_COLUMNS = [
    PROJECT_NAME,
    REGION,
    Column(
        "household",
        gettext_lazy("户编号"),
        parsing.code,
        aliases=("household",),
        example="410423101001-0001",
        max_length=30,
    ),
    Column("households", gettext_lazy("受益户数"), parsing.integer, aliases=("households",)),
    Column("persons", gettext_lazy("受益人数"), parsing.integer, aliases=("persons",)),
    Column(
        "unregistered_reason", gettext_lazy("未登记原因"), parsing.text, aliases=("reason",), max_length=200
    ),
    Column("note", gettext_lazy("备注"), parsing.text, aliases=("note",), max_length=200),
]


def beneficiaries_check(batch, context: Context) -> dict[int, dict[str, str]]:
    problems: dict[int, dict[str, str]] = {}
    projects = _projects(context, batch, Cap.PROJECT_MANAGE)
    fields = {
        "household": "household",
        "unregistered_reason": "unregistered_reason",
        "households": "households",
        "region": "project",
        "project": "project",
    }
    for number, values in batch:
        project = projects.get((values["project"], values["region"]))
        if project is None:
            problems[number] = {"project": _("项目不存在或不在您的管理范围内(按项目名称和区划代码查找)")}
            continue
        code = values.get("household")
        if code:
            if Beneficiary.objects.filter(project=project, household__code=code).exists():
                values["_existing"] = True
                continue
            _trial(
                problems,
                number,
                lambda values=values, project=project, code=code: services.beneficiary_add(
                    actor=context.user, project=project, household=code, note=values.get("note") or ""
                ),
                fields,
                "household",
            )
        else:
            _trial(
                problems,
                number,
                lambda values=values, project=project: services.beneficiary_count(
                    actor=context.user,
                    project=project,
                    households=values.get("households") or 0,
                    persons=values.get("persons") or 0,
                    reason=values.get("unregistered_reason") or "",
                    note=values.get("note") or "",
                ),
                fields,
                "households",
            )
    return problems


register(
    ImportSpec(
        kind="assistance_beneficiaries",
        title=gettext_lazy("项目受益对象"),
        capability=Cap.PROJECT_MANAGE,
        columns=BENEFICIARY_COLUMNS,
        key=("project", "region", "household"),
        check=beneficiaries_check,
        write=lambda rows, context: _result(rows),
        description=gettext_lazy(
            "每行一个受益户(填户编号,须在项目实施地区内),或一组未建档的受益对象(填户数、人数和未登记原因)。"
        ),
    )
)


# Activities -----------------------------------------------------------------------------------------

ACTIVITY_COLUMNS = [
    Column(
        "kind",
        gettext_lazy("活动类型"),
        parsing.Choice(ActivityKind.choices),
        required=True,
        aliases=("kind",),
        example="义诊",
    ),
    Column(
        "title", gettext_lazy("活动名称"), parsing.text, required=True, aliases=("title",), max_length=200
    ),
    Column(
        "date", gettext_lazy("日期"), parsing.date, required=True, aliases=("date",), example="2021-06-12"
    ),
    Column(
        "region",
        gettext_lazy("活动地区代码"),
        parsing.code,
        required=True,
        aliases=("区划代码", "region"),
        example="410423101001",
        max_length=12,
    ),
    Column("organization", gettext_lazy("组织单位"), parsing.text, aliases=("organization",), max_length=200),
    Column("organiser", gettext_lazy("组织者"), parsing.text, aliases=("organiser",), max_length=100),
    Column(
        "person_times", gettext_lazy("服务人次"), parsing.integer, required=True, aliases=("person-times",)
    ),
    Column("distinct_people", gettext_lazy("服务人数"), parsing.integer, aliases=("people",)),
    Column("value_given", gettext_lazy("折合价值(元)"), parsing.money, aliases=("value",)),
    Column("description", gettext_lazy("活动内容"), parsing.text, aliases=("description",)),
]


def activities_check(batch, context: Context) -> dict[int, dict[str, str]]:
    problems: dict[int, dict[str, str]] = {}
    regions = _regions(values["region"] for _n, values in batch)
    organizations = _organizations(
        values["organization"] for _n, values in batch if values.get("organization")
    )
    fields = {
        "region": "region",
        "date": "date",
        "distinct_people": "distinct_people",
        "value_given": "value_given",
    }
    for number, values in batch:
        region = regions.get(values["region"])
        if region is None:
            problems[number] = {"region": _("区划代码不存在")}
            continue
        organization = None
        if values.get("organization"):
            organization = organizations.get(values["organization"])
            if organization is None:
                problems[number] = {"organization": _("组织单位不存在")}
                continue
        if Activity.objects.filter(
            title=values["title"], date=values["date"], region_code=region.code
        ).exists():
            values["_existing"] = True
            continue
        _trial(
            problems,
            number,
            lambda values=values, region=region, organization=organization: services.activity_record(
                actor=context.user,
                kind=values["kind"],
                title=values["title"],
                date=values["date"],
                region=region,
                organization=organization,
                organiser=values.get("organiser") or "",
                person_times=values.get("person_times"),
                distinct_people=values.get("distinct_people"),
                value_given=values.get("value_given") or 0,
                description=values.get("description") or "",
            ),
            fields,
            "title",
        )
    return problems


register(
    ImportSpec(
        kind="assistance_activities",
        title=gettext_lazy("帮扶活动"),
        capability=Cap.PROJECT_MANAGE,
        columns=ACTIVITY_COLUMNS,
        key=("title", "date", "region"),
        check=activities_check,
        write=lambda rows, context: _result(rows),
        description=gettext_lazy("每行一场活动(名称、日期、地区相同的为同一场)。再次导入同一文件不会重复。"),
    )
)
