"""Import kinds of the registry: households, persons, incomes (used by the import engine)."""

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.audit.models import Action, ChangeRecord
from bangfu.audit.services import snapshot
from bangfu.core import crypto, idnumber, pinyin
from bangfu.core.permissions import Cap
from bangfu.core.scoping import prefix_q
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
from .services import per_capita

BATCH = 1000


def _choice(choices):
    def parse(value):
        return parsing.choice(value, choices)

    return parse


def _id_number(value):
    raw = parsing.code(value)
    if not raw:
        return ""
    try:
        return idnumber.parse(raw).number
    except idnumber.IDNumberError as error:
        raise parsing.CellError(" ".join(error.messages)) from error


def _year(value):
    year = parsing.integer(value)
    if year is not None and not 1980 <= year <= timezone.localdate().year:
        raise parsing.CellError(_("年度应在1980到今年之间"))
    return year


def _grade(value):
    grade = parsing.integer(value)
    if grade is not None and not 1 <= grade <= 4:
        raise parsing.CellError(_("残疾等级应为1到4"))
    return grade


def _causes(value):
    raw = parsing.text(value)
    if not raw:
        return []
    for separator in ("、", ",", ";", "/", "|", "，", "；"):
        raw = raw.replace(separator, " ")
    return [part for part in raw.split(" ") if part]


def _amount(value):
    amount = parsing.money(value)
    if amount is not None and amount < 0:
        raise parsing.CellError(_("金额不能为负数"))
    return amount


def _scope_q(context: Context, field: str = "region_code") -> Q:
    return prefix_q(field, context.user.scope_prefixes(Cap.REGISTRY_EDIT))


def _audit(objects: list, context: Context, action: str, befores: dict[int, dict] | None = None) -> None:
    if not objects:
        return
    content_type = ContentType.objects.get_for_model(type(objects[0]))
    records = []
    for obj in objects:
        after = snapshot(obj)
        if action == Action.CREATE:
            changes = {k: [None, v] for k, v in after.items()}
        else:
            before = (befores or {}).get(obj.pk, {})
            changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
        records.append(
            ChangeRecord(
                action=action,
                content_type=content_type,
                object_id=str(obj.pk),
                object_repr=str(obj)[:200],
                region_code=getattr(obj, "region_code", ""),
                changes=changes,
                actor=context.user,
                actor_label=context.user.get_username(),
            )
        )
    ChangeRecord.objects.bulk_create(records, batch_size=BATCH)


def _upsert(
    model, rows: list[dict], existing: dict[Any, Any], key, build, fields: list[str], context: Context
) -> WriteResult:
    """Create rows whose key is new; update only the fields that differ; audit both."""
    result = WriteResult()
    created, changed, befores = [], [], {}
    for row in rows:
        obj = existing.get(key(row))
        values = build(row, obj)
        if obj is None:
            created.append(model(**values))
            continue
        before = snapshot(obj)
        dirty = False
        for name, value in values.items():
            if getattr(obj, name) != value and name in fields:
                setattr(obj, name, value)
                dirty = True
        if dirty:
            changed.append(obj)
            befores[obj.pk] = before
        else:
            result.unchanged += 1
    model.objects.bulk_create(created, batch_size=BATCH)
    if changed:
        model.objects.bulk_update(changed, fields, batch_size=BATCH)
    _audit(created, context, Action.CREATE)
    _audit(changed, context, Action.UPDATE, befores)
    result.created, result.updated = len(created), len(changed)
    return result


# Households -------------------------------------------------------------------------------------

HOUSEHOLD_COLUMNS = [
    Column(
        "code",
        gettext_lazy("户编号"),
        parsing.code,
        required=True,
        aliases=("户码", "household code"),
        example="41042310100100001",
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
    ),
    Column("phone", gettext_lazy("联系电话"), parsing.code, aliases=("电话", "phone")),
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
            problems[number]["causes"] = _("未知的致贫原因:%(causes)s") % {"causes": "、".join(unknown)}
        if (
            values.get("lifted_year")
            and values.get("registered_year")
            and values["lifted_year"] < values["registered_year"]
        ):
            problems[number]["lifted_year"] = _("脱贫年度早于建档年度")
    context.cache["villages"] = villages
    return problems


def households_write(rows: list[dict], context: Context) -> WriteResult:
    causes = context.cache["causes"]
    villages = context.cache["villages"]
    existing = {h.code: h for h in Household.objects.filter(code__in=[r["code"] for r in rows])}
    fields = [
        "region",
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

    def build(row, obj):
        village = villages[row["village"]]
        values = {"region": village, "region_code": village.code}
        for name in ("address", "phone", "notes"):
            if name in row:
                values[name] = row[name] or ""
        for name in ("registered_year", "lifted_year"):
            if name in row:
                values[name] = row[name]
        if row.get("registered") is not None:
            values["registered"] = row["registered"]
        if "safety_net" in row:
            values["safety_net"] = row["safety_net"] or ""
        if row.get("status"):
            values["status"] = row["status"]
        if obj is None:
            values["code"] = row["code"]
        return values

    result = _upsert(Household, rows, existing, lambda r: r["code"], build, fields, context)
    households = {h.code: h for h in Household.objects.filter(code__in=[r["code"] for r in rows])}
    through = Household.causes.through
    wanted = {(households[r["code"]].pk, causes[c].code) for r in rows if "causes" in r for c in r["causes"]}
    touched = [households[r["code"]].pk for r in rows if "causes" in r]
    current = set(
        through.objects.filter(household_id__in=touched).values_list("household_id", "povertycause_id")
    )
    if wanted != current:
        through.objects.filter(household_id__in=touched).exclude(
            pk__in=[
                t.pk
                for t in through.objects.filter(household_id__in=touched)
                if (t.household_id, t.povertycause_id) in wanted
            ]
        ).delete()
        through.objects.bulk_create([through(household_id=h, povertycause_id=c) for h, c in wanted - current])
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
    Column("name", gettext_lazy("姓名"), parsing.text, required=True, aliases=("name",), example="周耀伟"),
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
    Column("employer", gettext_lazy("务工地点/单位"), parsing.text, aliases=("务工地点", "employer")),
    Column("medical_insurance", gettext_lazy("基本医疗保险"), parsing.boolean, aliases=("医疗保险",)),
    Column("pension_insurance", gettext_lazy("基本养老保险"), parsing.boolean, aliases=("养老保险",)),
    Column("serious_illness_insurance", gettext_lazy("大病保险"), parsing.boolean),
]
PERSON_FIELDS = [
    "household",
    "region_code",
    "name",
    "name_pinyin",
    "name_initials",
    "relation",
    "health",
    "disability_grade",
    "education",
    "school_stage",
    "labor_capacity",
    "employment",
    "employer",
    "medical_insurance",
    "pension_insurance",
    "serious_illness_insurance",
    "is_active",
]


def persons_check(batch, context: Context) -> dict[int, dict[str, str]]:
    problems: dict[int, dict[str, str]] = defaultdict(dict)
    codes = {v["household_code"] for _, v in batch}
    households = {h.code: h for h in Household.objects.filter(code__in=codes).filter(_scope_q(context))}
    hashes = {crypto.lookup_hash(v["id_number"]): v for _, v in batch}
    found = {
        p.id_number_hash: p
        for p in Person.objects.filter(id_number_hash__in=hashes).select_related("household")
    }
    heads = context.cache.setdefault("heads", {})  # household code -> (row, id hash) of its head in the file
    first_row = context.cache.setdefault("first_row", {})
    existing_heads = dict(
        Person.objects.filter(household__code__in=codes, relation=Relation.HEAD, is_active=True).values_list(
            "household__code", "id_number_hash"
        )
    )
    for number, values in batch:
        household = households.get(values["household_code"])
        if household is None:
            problems[number]["household_code"] = _("户编号不存在或不在您的管辖范围内(请先导入农户)")
            continue
        first_row.setdefault(values["household_code"], number)
        facts = idnumber.parse(values["id_number"])
        if values.get("gender") and values["gender"] != facts.gender:
            problems[number]["gender"] = _("性别与身份证号不符")
        if values.get("birth_date") and values["birth_date"] != facts.birth_date:
            problems[number]["birth_date"] = _("出生日期与身份证号不符(身份证号为%(date)s)") % {
                "date": facts.birth_date.isoformat()
            }
        digest = crypto.lookup_hash(values["id_number"])
        other = found.get(digest)
        if other is not None and other.household.code != values["household_code"]:
            problems[number]["id_number"] = _("该身份证号已登记在户%(code)s,迁户请使用“成员迁移”") % {
                "code": other.household.code
                if other.household.region_code.startswith(
                    tuple(context.user.scope_prefixes(Cap.REGISTRY_VIEW)) or ("\0",)
                )
                else "***"
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
    context.cache["households"] = {**context.cache.get("households", {}), **households}
    return problems


def persons_write(rows: list[dict], context: Context) -> WriteResult:
    households = context.cache["households"]
    for row in rows:
        row["_hash"] = crypto.lookup_hash(row["id_number"])
    existing = {
        p.id_number_hash: p for p in Person.objects.filter(id_number_hash__in=[r["_hash"] for r in rows])
    }

    def build(row, obj):
        household = households[row["household_code"]]
        name = row["name"]
        values = {
            "household": household,
            "region_code": household.region_code,
            "name": name,
            "name_pinyin": pinyin.full(name),
            "name_initials": pinyin.initials(name)[:20],
            "relation": row["relation"],
            "is_active": True,
        }
        for field in ("health", "education", "school_stage", "labor_capacity", "employment"):
            if row.get(field) is not None:
                values[field] = row[field]
        for field in ("employer",):
            if field in row:
                values[field] = row[field] or ""
        if "disability_grade" in row:
            values["disability_grade"] = row["disability_grade"]
        for field in ("medical_insurance", "pension_insurance", "serious_illness_insurance"):
            if row.get(field) is not None:
                values[field] = row[field]
        if obj is None:
            facts = idnumber.parse(row["id_number"])
            values.update(
                id_number=facts.number,
                id_number_hash=row["_hash"],
                id_number_masked=facts.masked,
                gender=facts.gender,
                birth_date=facts.birth_date,
            )
        return values

    result = _upsert(Person, rows, existing, lambda r: r["_hash"], build, PERSON_FIELDS, context)
    new = Person.objects.filter(id_number_hash__in=[r["_hash"] for r in rows if r["_hash"] not in existing])
    today = timezone.localdate()
    MemberHistory.objects.bulk_create(
        [
            MemberHistory(person=p, household_id=p.household_id, relation=p.relation, joined_on=today)
            for p in new
        ],
        batch_size=BATCH,
    )
    refresh_households({households[r["household_code"]].pk for r in rows})
    return result


def refresh_households(pks: set[int]) -> None:
    """Recompute head, head name and member count of the given households."""
    counts = dict(
        Person.objects.filter(household_id__in=pks, is_active=True)
        .values("household_id")
        .annotate(n=Count("id"))
        .values_list("household_id", "n")
    )
    heads = {
        p.household_id: p
        for p in Person.objects.filter(household_id__in=pks, is_active=True, relation=Relation.HEAD).only(
            "id", "household_id", "name"
        )
    }
    households = list(Household.objects.filter(pk__in=pks))
    for household in households:
        head = heads.get(household.pk)
        household.members_count = counts.get(household.pk, 0)
        household.head_id = head.pk if head else None
        household.head_name = head.name if head else ""
        household.updated_at = timezone.now()
    Household.objects.bulk_update(
        households, ["members_count", "head", "head_name", "updated_at"], batch_size=BATCH
    )


def persons_finish(context: Context) -> dict[int, dict[str, str]]:
    first_row = context.cache.get("first_row", {})
    if not first_row:
        return {}
    headless = Household.objects.filter(code__in=list(first_row), head__isnull=True, members_count__gt=0)
    return {first_row[h.code]: {"relation": _("户%(code)s没有户主") % {"code": h.code}} for h in headless}


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
    Column("members", gettext_lazy("家庭人口"), parsing.integer, aliases=("members",), example="4"),
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
    context.cache["households"] = {**context.cache.get("households", {}), **households}
    return problems


def incomes_write(rows: list[dict], context: Context) -> WriteResult:
    households = context.cache["households"]
    ids = {households[r["household_code"]].pk for r in rows}
    existing = {(i.household_id, i.year): i for i in IncomeRecord.objects.filter(household_id__in=ids)}

    def build(row, obj):
        household = households[row["household_code"]]
        amounts = {name: row.get(name) or Decimal("0.00") for name in AMOUNTS}
        members = row.get("members") or household.members_count
        net, per_head = per_capita(members=members, **amounts)
        values = {
            **amounts,
            "members": members,
            "net_income": net,
            "per_capita_net": per_head,
            "region_code": household.region_code,
        }
        if obj is None:
            values.update(household=household, year=row["year"])
        return values

    fields = [*AMOUNTS, "members", "net_income", "per_capita_net", "region_code"]
    result = _upsert(
        IncomeRecord,
        rows,
        existing,
        lambda r: (households[r["household_code"]].pk, r["year"]),
        build,
        fields,
        context,
    )
    latest = {}
    for household_id, year, value in (
        IncomeRecord.objects.filter(household_id__in=ids)
        .order_by("household_id", "year")
        .values_list("household_id", "year", "per_capita_net")
    ):
        latest[household_id] = value
    changed = list(Household.objects.filter(pk__in=ids))
    for household in changed:
        household.latest_per_capita = latest.get(household.pk)
    Household.objects.bulk_update(changed, ["latest_per_capita"], batch_size=BATCH)
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
