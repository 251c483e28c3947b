"""Every write to the registry: households, members, incomes, status timeline, pairings.

Consistency rules live here and surface as field errors:
- a household has exactly one head among its current members;
- an ID number is unique nationwide (through its keyed hash);
- gender and birth date come from the ID number, and typed values must agree with it;
- a person belongs to one household at a time; moving keeps the history;
- income components are non-negative; per-capita net income is derived.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.audit.models import Action
from bangfu.audit.services import acting_user, audited_create, audited_update, record_change, record_related
from bangfu.core import crypto, idnumber, pinyin
from bangfu.regions.models import Region

from .models import (
    Household,
    HouseholdPairing,
    HouseholdStatus,
    IncomeRecord,
    MemberHistory,
    Person,
    Relation,
    StatusChange,
    StatusKind,
)

CENT = Decimal("0.01")
PERSON_FIELDS = {
    "name",
    "id_number",
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
    "gender",
    "birth_date",
}
STATUS_AFTER = {
    StatusKind.REGISTERED: HouseholdStatus.POOR,
    StatusKind.LIFTED: HouseholdStatus.LIFTED,
    StatusKind.MONITORED: HouseholdStatus.MONITORED,
    StatusKind.RISK_ELIMINATED: HouseholdStatus.RISK_ELIMINATED,
    StatusKind.MOVED: HouseholdStatus.MOVED,
    StatusKind.DISSOLVED: HouseholdStatus.DISSOLVED,
}


@dataclass(frozen=True)
class IdentityFacts:
    number: str
    hash: str
    masked: str
    gender: str
    birth_date: datetime.date

    @classmethod
    def of(cls, parsed: idnumber.IDNumber, digest: str | None = None) -> "IdentityFacts":
        return cls(
            parsed.number,
            digest or crypto.lookup_hash(parsed.number),
            parsed.masked,
            parsed.gender,
            parsed.birth_date,
        )

    def person_values(self, name: str) -> dict[str, Any]:
        """What a person row derives from its name and ID number (every write path uses this)."""
        spelled, initials = pinyin.readings(name)
        return {
            "name": name,
            "name_pinyin": spelled,
            "name_initials": initials[:20],
            "id_number": self.number,
            "id_number_hash": self.hash,
            "id_number_masked": self.masked,
            "gender": self.gender,
            "birth_date": self.birth_date,
        }


def identity(
    value: str, *, gender: str | None = None, birth_date: datetime.date | None = None
) -> IdentityFacts:
    """Validate an ID number and check typed gender/birth date against it."""
    try:
        parsed = idnumber.parse(value)
    except idnumber.IDNumberError as error:
        raise ValidationError({"id_number": error.messages}, code=error.code) from error
    errors: dict[str, str] = {}
    if gender and gender != parsed.gender:
        errors["gender"] = _("性别与身份证号不符(身份证号显示为%(gender)s)。") % {
            "gender": _("男") if parsed.gender == "male" else _("女")
        }
    if birth_date and birth_date != parsed.birth_date:
        errors["birth_date"] = _("出生日期与身份证号不符(身份证号显示为%(date)s)。") % {
            "date": parsed.birth_date.isoformat()
        }
    if errors:
        raise ValidationError(errors, code="identity_mismatch")
    return IdentityFacts.of(parsed)


def _check_unique_id(facts: IdentityFacts, *, exclude_pk: int | None = None) -> None:
    clash = Person.objects.filter(id_number_hash=facts.hash)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError(
            {"id_number": _("身份证号 %(masked)s 已登记在其他农户中。") % {"masked": facts.masked}},
            code="duplicate_id",
        )


def _person_values(data: dict[str, Any], facts: IdentityFacts) -> dict[str, Any]:
    unknown = set(data) - PERSON_FIELDS
    if unknown:
        raise ValidationError(_("未知字段:%(fields)s") % {"fields": ", ".join(sorted(unknown))})
    values = {k: v for k, v in data.items() if k not in ("id_number", "gender", "birth_date")}
    name = (values.get("name") or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写姓名。")}, code="required")
    values.update(facts.person_values(name))
    return values


def _refresh_household(household: Household) -> None:
    """Recount members and copy the head's name; called after every membership change."""
    members = household.members.filter(is_active=True)
    heads = list(members.filter(relation=Relation.HEAD)[:2])
    if len(heads) > 1:
        raise ValidationError({"relation": _("每户只能有一名户主。")}, code="two_heads")
    head = heads[0] if heads else None
    Household.objects.filter(pk=household.pk).update(
        members_count=members.count(),
        head=head,
        head_name=head.name if head else "",
        updated_at=timezone.now(),
    )
    household.refresh_from_db(fields=["members_count", "head", "head_name", "updated_at"])


# Households -------------------------------------------------------------------------------------


def household_create(
    *, actor, code: str, region: Region, head: dict[str, Any], causes=(), **fields
) -> Household:
    """A new household with its head (户主), who must be given: a household always has one."""
    code = (code or "").strip()
    if region.level != "village":
        raise ValidationError({"region": _("农户应登记在村(社区)一级。")}, code="not_village")
    if Household.objects.filter(code=code).exists():
        raise ValidationError({"code": _("户编号 %(code)s 已存在。") % {"code": code}}, code="duplicate_code")
    with transaction.atomic():
        household = audited_create(
            actor=actor, instance=Household(code=code, region=region, region_code=region.code, **fields)
        )
        if causes:
            household.causes.set(causes)
            _record_causes(actor=actor, household=household, before=[])
        person_add(actor=actor, household=household, data={**head, "relation": Relation.HEAD})
    return household


def household_update(*, actor, household: Household, data: dict[str, Any], causes=None) -> Household:
    data = dict(data)
    if "region" in data:
        region = data["region"]
        if region.level != "village":
            raise ValidationError({"region": _("农户应登记在村(社区)一级。")}, code="not_village")
        data["region_code"] = region.code
    with transaction.atomic():
        data["updated_at"] = timezone.now()
        audited_update(actor=actor, instance=household, data=data)
        if "region_code" in data:
            # every row scoped by the household's region follows it
            for rows in (household.members, household.incomes, household.status_changes, household.pairings):
                rows.update(region_code=household.region_code)
        if causes is not None:
            before = sorted(household.causes.values_list("code", flat=True))
            household.causes.set(causes)
            _record_causes(actor=actor, household=household, before=before)
    return household


def _record_causes(*, actor, household: Household, before: list[str]) -> None:
    """Causes are many-to-many, which a row snapshot does not hold: record their change explicitly."""
    after = sorted(household.causes.values_list("code", flat=True))
    record_related(actor=actor, instance=household, changes={"causes": [before, after]})


# Members ----------------------------------------------------------------------------------------


def person_add(
    *, actor, household: Household, data: dict[str, Any], joined_on: datetime.date | None = None
) -> Person:
    facts = identity(data.get("id_number", ""), gender=data.get("gender"), birth_date=data.get("birth_date"))
    with transaction.atomic():
        _check_unique_id(facts)
        values = _person_values(data, facts)
        if (
            values.get("relation") == Relation.HEAD
            and household.members.filter(is_active=True, relation=Relation.HEAD).exists()
        ):
            raise ValidationError({"relation": _("该户已有户主;每户只能有一名户主。")}, code="two_heads")
        person = audited_create(
            actor=actor, instance=Person(household=household, region_code=household.region_code, **values)
        )
        MemberHistory.objects.create(
            person=person,
            household=household,
            relation=person.relation,
            joined_on=joined_on or timezone.localdate(),
        )
        _refresh_household(household)
    return person


def person_update(*, actor, person: Person, data: dict[str, Any]) -> Person:
    data = dict(data)
    unknown = set(data) - PERSON_FIELDS
    if unknown:  # moving (person_move) and the derived fields have their own paths
        raise ValidationError(_("未知字段:%(fields)s") % {"fields": ", ".join(sorted(unknown))})
    with transaction.atomic():
        if "id_number" in data or "gender" in data or "birth_date" in data:
            facts = identity(
                data.get("id_number", person.id_number),
                gender=data.get("gender"),
                birth_date=data.get("birth_date"),
            )
            _check_unique_id(facts, exclude_pk=person.pk)
            data.pop("gender", None)
            data.pop("birth_date", None)
            data.update(
                id_number=facts.number,
                id_number_hash=facts.hash,
                id_number_masked=facts.masked,
                gender=facts.gender,
                birth_date=facts.birth_date,
            )
        if "name" in data:
            name = (data["name"] or "").strip()
            if not name:
                raise ValidationError({"name": _("请填写姓名。")}, code="required")
            data.update(name=name, name_pinyin=pinyin.full(name), name_initials=pinyin.initials(name)[:20])
        if data.get("relation") == Relation.HEAD and person.relation != Relation.HEAD:
            if (
                person.household.members.filter(is_active=True, relation=Relation.HEAD)
                .exclude(pk=person.pk)
                .exists()
            ):
                raise ValidationError(
                    {"relation": _("该户已有户主;请先变更原户主的关系。")}, code="two_heads"
                )
        if person.relation == Relation.HEAD and data.get("relation", Relation.HEAD) != Relation.HEAD:
            raise ValidationError(
                {"relation": _("户主不能直接改为其他关系;请先指定新户主。")}, code="no_head"
            )
        audited_update(actor=actor, instance=person, data=data)
        _refresh_household(person.household)
    return person


def head_change(*, actor, household: Household, new_head: Person, old_head_relation: str) -> Household:
    """Make ``new_head`` the head; the old head takes ``old_head_relation``."""
    if new_head.household_id != household.pk or not new_head.is_active:
        raise ValidationError({"new_head": _("新户主必须是本户在册成员。")}, code="not_member")
    if old_head_relation == Relation.HEAD:
        raise ValidationError({"relation": _("原户主需要一个新的关系。")}, code="two_heads")
    with transaction.atomic():
        old = household.members.filter(is_active=True, relation=Relation.HEAD).exclude(pk=new_head.pk).first()
        if old is not None:
            audited_update(actor=actor, instance=old, data={"relation": old_head_relation})
        audited_update(actor=actor, instance=new_head, data={"relation": Relation.HEAD})
        _refresh_household(household)
    return household


def person_move(
    *,
    actor,
    person: Person,
    to_household: Household,
    relation: str,
    date: datetime.date,
    reason: str = "",
    new_head: Person | None = None,
    old_head_relation: str = Relation.OTHER,
) -> Person:
    """Move a person to another household, closing their history entry and opening a new one.

    Moving a head out needs ``new_head`` (a remaining member) unless nobody remains.
    """
    source = person.household
    if to_household.pk == source.pk:
        raise ValidationError({"to_household": _("目标农户与当前农户相同。")}, code="same_household")
    if not person.is_active:
        raise ValidationError(_("该成员已不在册。"), code="inactive")
    with transaction.atomic():
        if (
            relation == Relation.HEAD
            and to_household.members.filter(is_active=True, relation=Relation.HEAD).exists()
        ):
            raise ValidationError({"relation": _("目标农户已有户主。")}, code="two_heads")
        if person.relation == Relation.HEAD:
            remaining = source.members.filter(is_active=True).exclude(pk=person.pk)
            if remaining.exists():
                if new_head is None or not remaining.filter(pk=new_head.pk).exists():
                    raise ValidationError(
                        {"new_head": _("迁出户主前,请从留在本户的成员中指定新户主。")}, code="no_head"
                    )
        elif new_head is not None:
            raise ValidationError({"new_head": _("只有迁出户主时才需指定新户主。")}, code="not_head")
        MemberHistory.objects.filter(person=person, left_on__isnull=True).update(
            left_on=date, reason=reason[:200]
        )
        audited_update(
            actor=actor,
            instance=person,
            data={"household": to_household, "region_code": to_household.region_code, "relation": relation},
        )
        MemberHistory.objects.create(
            person=person, household=to_household, relation=relation, joined_on=date, reason=reason[:200]
        )
        if new_head is not None and source.members.filter(pk=new_head.pk, is_active=True).exists():
            audited_update(actor=actor, instance=new_head, data={"relation": Relation.HEAD})
        _refresh_household(source)
        _refresh_household(to_household)
    return person


# Incomes ----------------------------------------------------------------------------------------


def per_capita(
    *, wage_income, production_income, property_income, transfer_income, production_cost, members: int
) -> tuple[Decimal, Decimal]:
    net = wage_income + production_income + property_income + transfer_income - production_cost
    return net.quantize(CENT), (net / members).quantize(CENT, rounding=ROUND_HALF_UP)


def income_record_save(
    *, actor, household: Household, year: int, members: int | None = None, **amounts
) -> IncomeRecord:
    """Create or replace a household's income for ``year``; the per-capita figure is derived."""
    names = ("wage_income", "production_income", "property_income", "transfer_income", "production_cost")
    errors: dict[str, str] = {}
    values: dict[str, Decimal] = {}
    for name in names:
        try:
            value = Decimal(str(amounts.get(name) or 0)).quantize(CENT)
        except ArithmeticError:
            value = None
        if value is None or not value.is_finite():  # quantize lets NaN through
            errors[name] = _("请输入金额。")
            continue
        if value < 0:
            errors[name] = _("金额不能为负数。")
        values[name] = value
    unknown = set(amounts) - set(names)
    if unknown:
        errors["__all__"] = _("未知字段:%(fields)s") % {"fields": ", ".join(sorted(unknown))}
    current_year = timezone.localdate().year
    if not 1980 <= int(year) <= current_year:
        errors["year"] = _("年度应在1980到%(year)d之间。") % {"year": current_year}
    if members is None:
        members = household.members_count
    if not members or members < 1:
        errors["members"] = _("家庭人口至少为1人。")
    if errors:
        raise ValidationError(errors, code="invalid_income")
    net, per_head = per_capita(members=members, **values)
    with transaction.atomic():
        existing = IncomeRecord.objects.filter(household=household, year=year).first()
        data = {**values, "members": members, "net_income": net, "per_capita_net": per_head}
        if existing is None:
            record = audited_create(
                actor=actor,
                instance=IncomeRecord(
                    household=household, region_code=household.region_code, year=year, **data
                ),
            )
        else:
            record = audited_update(actor=actor, instance=existing, data=data)
        latest = household.incomes.order_by("-year").values_list("per_capita_net", flat=True).first()
        Household.objects.filter(pk=household.pk).update(latest_per_capita=latest)
    return record


# Status timeline --------------------------------------------------------------------------------


def status_change_add(
    *, actor, household: Household, kind: str, date: datetime.date, reason: str = "", approved_by: str = ""
) -> StatusChange:
    if kind not in StatusKind.values:
        raise ValidationError({"kind": _("未知的状态类型。")}, code="invalid_kind")
    if date > timezone.localdate():
        raise ValidationError({"date": _("日期不能晚于今天。")}, code="future_date")
    last = household.status_changes.order_by("-date", "-pk").first()
    if last is not None and date < last.date:
        raise ValidationError(
            {"date": _("日期早于上一条状态记录(%(date)s)。") % {"date": last.date.isoformat()}},
            code="out_of_order",
        )
    with transaction.atomic():
        change = StatusChange(
            household=household,
            region_code=household.region_code,
            kind=kind,
            date=date,
            reason=reason[:300],
            approved_by=approved_by[:100],
            recorded_by=acting_user(actor),
        )
        change.full_clean()
        change.save()
        record_change(actor=actor, instance=change, action=Action.CREATE)
        data: dict[str, Any] = {"status": STATUS_AFTER[kind]}
        if kind == StatusKind.LIFTED:
            data["lifted_year"] = date.year
        if kind == StatusKind.REGISTERED and household.registered_year is None:
            data["registered_year"] = date.year
        audited_update(actor=actor, instance=household, data=data)
    return change


# Pairings ---------------------------------------------------------------------------------------


def pairing_create(
    *,
    actor,
    household: Household,
    helper_name: str,
    start_date: datetime.date,
    helper=None,
    organization=None,
    end_date: datetime.date | None = None,
    note: str = "",
) -> HouseholdPairing:
    helper_name = (helper_name or (str(helper) if helper else "")).strip()
    if not helper_name:
        raise ValidationError({"helper_name": _("请填写帮扶人。")}, code="required")
    if end_date is not None and end_date < start_date:
        raise ValidationError({"end_date": _("结束日期不能早于开始日期。")}, code="period_order")
    return audited_create(
        actor=actor,
        instance=HouseholdPairing(
            household=household,
            region_code=household.region_code,
            helper=helper,
            helper_name=helper_name,
            organization=organization,
            start_date=start_date,
            end_date=end_date,
            note=note,
        ),
    )


def pairing_end(*, actor, pairing: HouseholdPairing, end_date: datetime.date) -> HouseholdPairing:
    if end_date < pairing.start_date:
        raise ValidationError({"end_date": _("结束日期不能早于开始日期。")}, code="period_order")
    return audited_update(actor=actor, instance=pairing, data={"end_date": end_date})
