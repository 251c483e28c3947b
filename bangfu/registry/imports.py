"""Import kinds of the registry: households, persons, incomes (used by the import engine)."""

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Count, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.audit.services import record_bulk
from bangfu.core import bulk, crypto, idnumber
from bangfu.core.permissions import Cap
from bangfu.core.scoping import in_scope, prefix_q
from bangfu.core.text import join_list
from bangfu.imports import parsing
from bangfu.imports.spec import Column, Context, ImportSpec, WriteResult, register
from bangfu.regions.models import Region

from .models import (
    Education,
    Employment,
    Gender,
    Health,
    Household,
    HouseholdStatus,
    IncomeRecord,
    LaborCapacity,
    MemberHistory,
    Person,
    PovertyCause,
    Relation,
    SafetyNet,
    SchoolStage,
)
from .services import IdentityFacts, per_capita

BATCH = 1000


def _choice(choices):
    return parsing.Choice(choices)


def _id_number(value):
    """The parsed number (its facts travel with the row, so nothing parses it twice)."""
    raw = parsing.code(value)
    if not raw:
        return ""
    try:
        return idnumber.parse(raw)
    except idnumber.IDNumberError as error:
        raise parsing.CellError(" ".join(error.messages)) from error


def _year(value):
    year = parsing.integer(value)
    if year is not None and not 1980 <= year <= timezone.localdate().year:
        raise parsing.CellError(_("年度应在1980到今年之间"))
    return year


def _bounded(parse, low, high, message):
    """A parser whose number must lie in [low, high]; ``message`` says so."""

    def check(value):
        number = parse(value)
        too_low = low is not None and number is not None and number < low
        too_high = high is not None and number is not None and number > high
        if too_low or too_high:
            raise parsing.CellError(message())
        return number

    return check


_grade = _bounded(parsing.integer, 1, 4, lambda: _("残疾等级应为1到4"))


def _causes(value):
    raw = parsing.text(value)
    if not raw:
        return []
    for separator in ("、", ",", ";", "/", "|", "，", "；"):
        raw = raw.replace(separator, " ")
    return [part for part in raw.split(" ") if part]


_members = _bounded(parsing.integer, 1, 99, lambda: _("家庭人口应在1到99之间"))
_amount = _bounded(parsing.money, 0, None, lambda: _("金额不能为负数"))


def _scope_q(context: Context, field: str = "region_code") -> Q:
    return prefix_q(field, context.user.scope_prefixes(Cap.REGISTRY_EDIT))


def _write(model, rows: list[dict], *, key, compare, context: Context, describe) -> tuple[WriteResult, Any]:
    """Upsert through core.bulk and write one change record per created or changed row."""
    outcome = bulk.upsert(model, rows, key=key, compare=compare)
    record_bulk(
        actor=context.user, model=model, created=outcome.created, updated=outcome.updated, describe=describe
    )
    result = WriteResult(
        created=len(outcome.created), updated=len(outcome.updated), unchanged=outcome.unchanged
    )
    return result, outcome


# Households -------------------------------------------------------------------------------------

HOUSEHOLD_COLUMNS = [
    Column(
        "code",
        gettext_lazy("户编号"),
        parsing.code,
        required=True,
        aliases=("户码", "household code"),
        example="41042310100100001",
        max_length=30,
    ),
    Column(
        "village",
        gettext_lazy("村代码"),
        parsing.code,
        required=True,
        aliases=("所在村代码", "区划代码", "village code", "village"),
        example="410423101001",
    ),
    Column(
        "address",
        gettext_lazy("住址"),
        parsing.text,
        aliases=("家庭住址", "address"),
        example="下汤镇下汤村12号",
        max_length=200,
    ),
    Column("phone", gettext_lazy("联系电话"), parsing.code, aliases=("电话", "phone"), max_length=30),
    Column("registered", gettext_lazy("建档立卡户"), parsing.boolean, aliases=("registered",), example="是"),
    Column("registered_year", gettext_lazy("建档年度"), _year, aliases=("registered year",), example="2014"),
    Column("lifted_year", gettext_lazy("脱贫年度"), _year, aliases=("lifted year",), example="2019"),
    Column(
        "safety_net",
        gettext_lazy("兜底保障"),
        _choice(SafetyNet.choices),
        aliases=("safety net",),
        example="低保",
    ),
    Column(
        "causes",
        gettext_lazy("致贫原因"),
        _causes,
        aliases=("主要致贫原因", "causes"),
        example="因病、缺劳动力",
    ),
    Column(
        "status",
        gettext_lazy("当前状态"),
        _choice(HouseholdStatus.choices),
        aliases=("户状态", "status"),
        example="已脱贫",
    ),
    Column("notes", gettext_lazy("备注"), parsing.text, aliases=("notes",)),
]


def _cause_lookup() -> dict[str, PovertyCause]:
    lookup = {}
    for cause in PovertyCause.objects.filter(is_active=True):
        lookup[cause.code] = cause
        lookup[cause.name] = cause
        lookup[cause.name.removeprefix("因")] = cause
    return lookup


def households_check(batch, context: Context) -> dict[int, dict[str, str]]:
    problems: dict[int, dict[str, str]] = defaultdict(dict)
    causes = context.cache.setdefault("causes", _cause_lookup())
    villages = {
        r.code: r
        for r in Region.objects.filter(code__in={v["village"] for _, v in batch}).filter(
            _scope_q(context, "code")
        )
    }
    foreign = set(
        Household.objects.filter(code__in={v["code"] for _, v in batch})
        .exclude(_scope_q(context))
        .values_list("code", flat=True)
    )
    for number, values in batch:
        village = villages.get(values["village"])
        if village is None:
            problems[number]["village"] = _("村代码不存在或不在您的管辖范围内")
        elif village.level != "village":
            problems[number]["village"] = _("应为村(社区)一级的12位代码")
        if values["code"] in foreign:
            problems[number]["code"] = _("该户编号已登记在您管辖范围之外的地区")
        unknown = [c for c in values.get("causes") or [] if c not in causes]
        if unknown:
            problems[number]["causes"] = _("未知的致贫原因:%(causes)s") % {"causes": join_list(unknown)}
        if (
            values.get("lifted_year")
            and values.get("registered_year")
            and values["lifted_year"] < values["registered_year"]
        ):
            problems[number]["lifted_year"] = _("脱贫年度早于建档年度")
    context.cache["villages"] = villages
    return problems


HOUSEHOLD_COMPARE = [
    "region_id",
    "region_code",
    "address",
    "phone",
    "registered",
    "registered_year",
    "lifted_year",
    "safety_net",
    "status",
    "notes",
]


def households_write(rows: list[dict], context: Context) -> WriteResult:
    causes = context.cache["causes"]
    villages = context.cache["villages"]
    now = timezone.now()
    values = []
    for row in rows:
        village = villages[row["village"]]
        item = {
            "code": row["code"],
            "region_id": village.code,
            "region_code": village.code,
            "updated_at": now,
            "created_at": now,
        }
        for name in ("address", "phone", "notes"):
            if name in row:
                item[name] = row[name] or ""
        for name in ("registered_year", "lifted_year"):
            if name in row:
                item[name] = row[name]
        if row.get("registered") is not None:
            item["registered"] = row["registered"]
        if "safety_net" in row:
            item["safety_net"] = row["safety_net"] or ""
        if row.get("status"):
            item["status"] = row["status"]
        values.append(item)
    result, _outcome = _write(
        Household,
        values,
        key=("code",),
        compare=HOUSEHOLD_COMPARE,
        context=context,
        describe=lambda pk, v: (v.get("code", str(pk)), v.get("region_code", "")),
    )
    households = dict(Household.objects.filter(code__in=[r["code"] for r in rows]).values_list("code", "pk"))
    through = Household.causes.through
    touched = [households[r["code"]] for r in rows if "causes" in r]
    wanted = {(households[r["code"]], causes[c].code) for r in rows if "causes" in r for c in r["causes"]}
    current = {
        (household, cause): pk
        for pk, household, cause in through.objects.filter(household_id__in=touched).values_list(
            "pk", "household_id", "povertycause_id"
        )
    }
    stale = [pk for pair, pk in current.items() if pair not in wanted]
    if stale:
        through.objects.filter(pk__in=stale).delete()
    missing = wanted - set(current)
    if missing:
        through.objects.bulk_create([through(household_id=h, povertycause_id=c) for h, c in missing])
    return result


register(
    ImportSpec(
        kind="households",
        title=gettext_lazy("农户"),
        capability=Cap.REGISTRY_EDIT,
        columns=HOUSEHOLD_COLUMNS,
        key=("code",),
        check=households_check,
        write=households_write,
        description=gettext_lazy("每行一户,按户编号新增或更新。"),
    )
)


# Persons ----------------------------------------------------------------------------------------

PERSON_COLUMNS = [
    Column(
        "household_code",
        gettext_lazy("户编号"),
        parsing.code,
        required=True,
        aliases=("household code",),
        example="41042310100100001",
    ),
    Column(
        "name",
        gettext_lazy("姓名"),
        parsing.text,
        required=True,
        aliases=("name",),
        example="周耀伟",
        max_length=50,
    ),
    Column(
        "id_number",
        gettext_lazy("身份证号"),
        _id_number,
        required=True,
        aliases=("身份证号码", "公民身份号码", "证件号码", "id number"),
        example="410423197901010017",
    ),
    Column(
        "relation",
        gettext_lazy("与户主关系"),
        _choice(Relation.choices),
        required=True,
        aliases=("relation",),
        example="户主",
    ),
    Column("gender", gettext_lazy("性别"), _choice(Gender.choices), aliases=("gender",), example="男"),
    Column(
        "birth_date", gettext_lazy("出生日期"), parsing.date, aliases=("birth date",), example="1979-01-01"
    ),
    Column("health", gettext_lazy("健康状况"), _choice(Health.choices), aliases=("health",), example="健康"),
    Column("disability_grade", gettext_lazy("残疾等级"), _grade, aliases=("disability grade",)),
    Column(
        "education",
        gettext_lazy("文化程度"),
        _choice(Education.choices),
        aliases=("education",),
        example="初中",
    ),
    Column(
        "school_stage", gettext_lazy("在校生状况"), _choice(SchoolStage.choices), aliases=("school stage",)
    ),
    Column(
        "labor_capacity",
        gettext_lazy("劳动能力"),
        _choice(LaborCapacity.choices),
        aliases=("labor capacity",),
        example="普通劳动力",
    ),
    Column("employment", gettext_lazy("务工状况"), _choice(Employment.choices), aliases=("employment",)),
    Column(
        "employer",
        gettext_lazy("务工地点/单位"),
        parsing.text,
        aliases=("务工地点", "employer"),
        max_length=100,
    ),
    Column("medical_insurance", gettext_lazy("基本医疗保险"), parsing.boolean, aliases=("医疗保险",)),
    Column("pension_insurance", gettext_lazy("基本养老保险"), parsing.boolean, aliases=("养老保险",)),
    Column("serious_illness_insurance", gettext_lazy("大病保险"), parsing.boolean),
]


def persons_check(batch, context: Context) -> dict[int, dict[str, str]]:
    problems: dict[int, dict[str, str]] = defaultdict(dict)
    codes = {v["household_code"] for _, v in batch}
    households = {
        h.code: h for h in Household.objects.filter(code__any=list(codes)).filter(_scope_q(context))
    }
    for _number, values in batch:
        values["_hash"] = crypto.lookup_hash(values["id_number"].number)
    found = {
        p.id_number_hash: p
        for p in Person.objects.filter(id_number_hash__any=[v["_hash"] for _, v in batch]).select_related(
            "household"
        )
    }
    heads = context.cache.setdefault("heads", {})  # household code -> (row, id hash) of its head in the file
    first_row = context.cache.setdefault("first_row", {})
    # Skipping bad rows, a household whose head row was bad is skipped whole (see persons_finish).
    rows_of = context.cache.setdefault("rows_of", defaultdict(list)) if context.mode == "skip" else None
    existing_heads = dict(
        Person.objects.filter(
            household__code__any=list(codes), relation=Relation.HEAD, is_active=True
        ).values_list("household__code", "id_number_hash")
    )
    for number, values in batch:
        household = households.get(values["household_code"])
        if household is None:
            problems[number]["household_code"] = _("户编号不存在或不在您的管辖范围内(请先导入农户)")
            continue
        first_row.setdefault(values["household_code"], number)
        if rows_of is not None:
            rows_of[values["household_code"]].append(number)
        facts = values["id_number"]
        if values.get("gender") and values["gender"] != facts.gender:
            problems[number]["gender"] = _("性别与身份证号不符")
        if values.get("birth_date") and values["birth_date"] != facts.birth_date:
            problems[number]["birth_date"] = _("出生日期与身份证号不符(身份证号为%(date)s)") % {
                "date": facts.birth_date.isoformat()
            }
        digest = values["_hash"]
        other = found.get(digest)
        if other is not None and other.household.code != values["household_code"]:
            visible = in_scope(context.user, Cap.REGISTRY_VIEW, other.household.region_code)
            problems[number]["id_number"] = _("该身份证号已登记在户%(code)s,迁户请使用“成员迁移”") % {
                "code": other.household.code if visible else _("(其他地区)")
            }
        if values.get("health") != Health.DISABLED and values.get("disability_grade"):
            problems[number]["disability_grade"] = _("仅残疾人员填写残疾等级")
        if values["relation"] == Relation.HEAD:
            code = values["household_code"]
            if code in heads and heads[code][1] != digest:
                problems[number]["relation"] = _("与第%(row)d行重复:每户只能有一名户主") % {
                    "row": heads[code][0]
                }
            elif code in existing_heads and existing_heads[code] != digest:
                problems[number]["relation"] = _("该户已有户主;每户只能有一名户主")
            else:
                heads[code] = (number, digest)
    context.cache["households"] = households  # for the write of this same batch, which follows
    return problems


PERSON_OPTIONAL = (
    "health",
    "education",
    "school_stage",
    "labor_capacity",
    "employment",
    "medical_insurance",
    "pension_insurance",
    "serious_illness_insurance",
)
PERSON_COMPARE = [
    "household_id",
    "region_code",
    "name",
    "name_pinyin",
    "name_initials",
    "relation",
    "is_active",
    *PERSON_OPTIONAL,
    "employer",
    "disability_grade",
]


def persons_write(rows: list[dict], context: Context) -> WriteResult:
    households = context.cache["households"]
    now = timezone.now()
    values = []
    for row in rows:
        household = households[row["household_code"]]
        item = {
            **IdentityFacts.of(row["id_number"], row["_hash"]).person_values(row["name"]),
            "household_id": household.pk,
            "region_code": household.region_code,
            "relation": row["relation"],
            "is_active": True,
            "created_at": now,
        }
        for field in PERSON_OPTIONAL:
            if row.get(field) is not None:
                item[field] = row[field]
        if "employer" in row:
            item["employer"] = row["employer"] or ""
        if "disability_grade" in row:
            item["disability_grade"] = row["disability_grade"]
        values.append(item)
    result, outcome = _write(
        Person,
        values,
        key=("id_number_hash",),
        compare=PERSON_COMPARE,
        context=context,
        describe=lambda pk, v: (v.get("name", str(pk)), v.get("region_code", "")),
    )
    today = timezone.localdate()
    bulk.insert_rows(
        MemberHistory,
        ["person_id", "household_id", "relation", "joined_on", "left_on", "reason"],
        ([pk, v["household_id"], v["relation"], today, None, ""] for pk, v in outcome.created),
    )
    refresh_households({households[r["household_code"]].pk for r in rows})
    return result


def refresh_households(pks: set[int]) -> None:
    """Recompute head, head name and member count of the given households in one statement."""
    if not pks:
        return
    members = Person.objects.filter(household_id=OuterRef("pk"), is_active=True)
    heads = members.filter(relation=Relation.HEAD).order_by("pk")
    Household.objects.filter(pk__in=pks).update(
        members_count=Coalesce(
            Subquery(members.order_by().values("household_id").annotate(n=Count("id")).values("n")), 0
        ),
        head_id=Subquery(heads.values("pk")[:1]),
        head_name=Coalesce(Subquery(heads.values("name")[:1]), Value("")),
        updated_at=timezone.now(),
    )


def persons_finish(context: Context) -> dict[int, dict[str, str]]:
    """Households the file leaves without a head: an error on their first row, or, when bad
    rows are skipped, on every row of theirs (the engine then imports the file without them)."""
    first_row = context.cache.get("first_row", {})
    if not first_row:
        return {}
    headless = Household.objects.filter(
        code__any=list(first_row), head__isnull=True, members_count__gt=0
    ).values_list("code", flat=True)
    problems: dict[int, dict[str, str]] = {}
    rows_of = context.cache.get("rows_of")
    for code in headless:
        problems[first_row[code]] = {"relation": _("户%(code)s没有户主") % {"code": code}}
        for number in rows_of.get(code, ()) if rows_of is not None else ():
            problems.setdefault(
                number, {"household_code": _("户%(code)s的户主行有错误,该户成员均未导入") % {"code": code}}
            )
    return problems


register(
    ImportSpec(
        kind="persons",
        title=gettext_lazy("家庭成员"),
        capability=Cap.REGISTRY_EDIT,
        columns=PERSON_COLUMNS,
        key=("id_number",),
        check=persons_check,
        write=persons_write,
        finish=persons_finish,
        description=gettext_lazy("每行一人,按身份证号新增或更新;户编号须已存在。"),
    )
)


# Incomes ----------------------------------------------------------------------------------------

INCOME_COLUMNS = [
    Column(
        "household_code",
        gettext_lazy("户编号"),
        parsing.code,
        required=True,
        aliases=("household code",),
        example="41042310100100001",
    ),
    Column("year", gettext_lazy("年度"), _year, required=True, aliases=("year",), example="2024"),
    Column("wage_income", gettext_lazy("工资性收入"), _amount, aliases=("wage income",), example="12000"),
    Column(
        "production_income",
        gettext_lazy("生产经营性收入"),
        _amount,
        aliases=("production income",),
        example="6000",
    ),
    Column(
        "property_income", gettext_lazy("财产性收入"), _amount, aliases=("property income",), example="300"
    ),
    Column(
        "transfer_income", gettext_lazy("转移性收入"), _amount, aliases=("transfer income",), example="2400"
    ),
    Column(
        "production_cost",
        gettext_lazy("生产经营性支出"),
        _amount,
        aliases=("production cost",),
        example="1500",
    ),
    Column("members", gettext_lazy("家庭人口"), _members, aliases=("members",), example="4"),
]
AMOUNTS = ("wage_income", "production_income", "property_income", "transfer_income", "production_cost")


def incomes_check(batch, context: Context) -> dict[int, dict[str, str]]:
    problems: dict[int, dict[str, str]] = defaultdict(dict)
    codes = {v["household_code"] for _, v in batch}
    households = {h.code: h for h in Household.objects.filter(code__in=codes).filter(_scope_q(context))}
    for number, values in batch:
        household = households.get(values["household_code"])
        if household is None:
            problems[number]["household_code"] = _("户编号不存在或不在您的管辖范围内")
            continue
        members = values.get("members") or household.members_count
        if not members or members < 1:
            problems[number]["members"] = _("家庭人口至少为1人")
    context.cache["households"] = households  # for the write of this same batch, which follows
    return problems


INCOME_COMPARE = [*AMOUNTS, "members", "net_income", "per_capita_net", "region_code"]


def incomes_write(rows: list[dict], context: Context) -> WriteResult:
    households = context.cache["households"]
    values = []
    for row in rows:
        household = households[row["household_code"]]
        amounts = {name: row.get(name) or Decimal("0.00") for name in AMOUNTS}
        members = row.get("members") or household.members_count
        net, per_head = per_capita(members=members, **amounts)
        values.append(
            {
                "household_id": household.pk,
                "year": row["year"],
                **amounts,
                "members": members,
                "net_income": net,
                "per_capita_net": per_head,
                "region_code": household.region_code,
            }
        )
    result, _outcome = _write(
        IncomeRecord,
        values,
        key=("household_id", "year"),
        compare=INCOME_COMPARE,
        context=context,
        describe=lambda pk, v: (
            f"{v.get('household_id', '')} {v.get('year', '')}".strip(),
            v.get("region_code", ""),
        ),
    )
    ids = {v["household_id"] for v in values}
    latest = IncomeRecord.objects.filter(household_id=OuterRef("pk")).order_by("-year")
    Household.objects.filter(pk__in=ids).update(
        latest_per_capita=Subquery(latest.values("per_capita_net")[:1])
    )
    return result


register(
    ImportSpec(
        kind="incomes",
        title=gettext_lazy("年度收入"),
        capability=Cap.REGISTRY_EDIT,
        columns=INCOME_COLUMNS,
        key=("household_code", "year"),
        check=incomes_check,
        write=incomes_write,
        description=gettext_lazy("每行一户一年,按户编号+年度新增或更新;人均纯收入自动计算。"),
    )
)
