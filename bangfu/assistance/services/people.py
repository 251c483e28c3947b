"""Who a project reaches and what it achieved: beneficiaries, outcome indicators, shares and dividends.

A registered beneficiary is a household of the registry (and maybe one person of it) that the
recording user may see, living in one of the project's regions; anyone else is counted, with the
reason they are not registered. A dividend run pays every shareholder of a project for one year
in one transaction, one line each, and refuses to pay a year twice.
"""

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction

from bangfu.audit.models import Action
from bangfu.audit.services import acting_user, record_change
from bangfu.core.permissions import Cap
from bangfu.core.scoping import scope

from ..errors import AssistanceError
from ..errors import AssistanceErrorCode as Code
from ..models import (
    Beneficiary,
    DividendPayout,
    Outcome,
    OutcomeKind,
    Project,
    Shareholding,
)
from .funds import CENT, LIMIT, _check_scope, _today

EARLIEST_YEAR = 2000


def _household(actor, code_or_household):
    """The household, if the actor may see it in the registry (the system sees every one)."""
    from bangfu.registry.models import Household

    if isinstance(code_or_household, Household):
        household = code_or_household
    else:
        household = Household.objects.filter(code=str(code_or_household).strip()).first()
    if household is None:
        raise AssistanceError(Code.HOUSEHOLD_UNKNOWN, "household")
    if (
        actor is not None
        and not scope(Household.objects.filter(pk=household.pk), actor, Cap.REGISTRY_VIEW).exists()
    ):
        raise AssistanceError(Code.HOUSEHOLD_UNKNOWN, "household")
    return household


def _check_in_project(project: Project, region_code: str, field: str) -> None:
    prefixes = project.region_prefixes()
    if not any(region_code.startswith(prefix) for prefix in prefixes):
        names = "、".join([project.region.name, *(r.name for r in project.other_regions.all())])
        raise AssistanceError(Code.OUTSIDE_PROJECT_REGIONS, field, region=region_code, regions=names)


def beneficiary_add(*, actor, project: Project, household=None, person=None, note: str = "") -> Beneficiary:
    """A registered household (code or object; optionally one of its persons) as a beneficiary."""
    _check_scope(actor, Cap.PROJECT_MANAGE, project.region_code, "project")
    household = _household(actor, household)
    if person is not None and person.household_id != household.pk:
        raise AssistanceError(Code.PERSON_NOT_IN_HOUSEHOLD, "person")
    _check_in_project(project, household.region_code, "household")
    beneficiary = Beneficiary(
        project=project,
        region_code=household.region_code,
        household=household,
        person=person,
        households=1,
        persons=1 if person is not None else household.members_count,
        note=note.strip(),
    )
    try:
        with transaction.atomic():
            beneficiary.save(force_insert=True)
            record_change(actor=acting_user(actor), instance=beneficiary, action=Action.CREATE)
    except IntegrityError as error:
        raise AssistanceError(Code.BENEFICIARY_EXISTS, "household") from error
    return beneficiary


def beneficiary_count(
    *,
    actor,
    project: Project,
    households: int,
    persons: int,
    reason: str,
    region=None,
    note: str = "",
) -> Beneficiary:
    """Households and persons reached who are not in the registry, counted, with the reason."""
    _check_scope(actor, Cap.PROJECT_MANAGE, project.region_code, "project")
    region_code = region.code if region is not None else project.region_code
    _check_in_project(project, region_code, "region")
    reason = reason.strip()
    if not reason:
        raise AssistanceError(Code.REASON_REQUIRED, "unregistered_reason")
    if households is None or persons is None or households < 0 or persons < 0 or households + persons == 0:
        raise AssistanceError(Code.COUNT_REQUIRED, "households")
    beneficiary = Beneficiary(
        project=project,
        region_code=region_code,
        households=households,
        persons=persons,
        unregistered_reason=reason[:200],
        note=note.strip(),
    )
    with transaction.atomic():
        beneficiary.save(force_insert=True)
        record_change(actor=acting_user(actor), instance=beneficiary, action=Action.CREATE)
    return beneficiary


def _value(value, field: str = "value") -> Decimal:
    try:
        number = Decimal(str(value))
    except (ArithmeticError, ValueError, TypeError) as error:
        raise AssistanceError(Code.INVALID_VALUE, field) from error
    if not number.is_finite() or number < 0 or number != number.quantize(CENT) or number >= LIMIT:
        raise AssistanceError(Code.INVALID_VALUE, field)
    return number.quantize(CENT)


def outcome_record(
    *, actor, project: Project, kind: str, value, as_of: datetime.date, note: str = ""
) -> Outcome:
    """An indicator's value as of a date; a later date supersedes it in the figures."""
    _check_scope(actor, Cap.PROJECT_MANAGE, project.region_code, "project")
    if kind not in OutcomeKind.values:
        raise AssistanceError(Code.INVALID_KIND, "kind")
    number = _value(value)
    if kind in (OutcomeKind.JOBS_CREATED, OutcomeKind.PEOPLE_HOME) and number != number.to_integral_value():
        raise AssistanceError(Code.INVALID_VALUE, "value")
    if as_of > _today():
        raise AssistanceError(Code.FUTURE_DATE, "as_of")
    if as_of < project.start_date:
        raise AssistanceError(
            Code.DATE_OUTSIDE_PROJECT, "as_of", start=project.start_date, end=project.end_date or "—"
        )
    outcome = Outcome(
        project=project,
        region_code=project.region_code,
        kind=kind,
        value=number,
        as_of=as_of,
        note=note.strip(),
    )
    try:
        with transaction.atomic():
            outcome.save(force_insert=True)
            record_change(actor=acting_user(actor), instance=outcome, action=Action.CREATE)
    except IntegrityError as error:
        raise AssistanceError(Code.OUTCOME_EXISTS, "as_of") from error
    return outcome


def _year(year: int, field: str = "year") -> int:
    if year is None or not EARLIEST_YEAR <= int(year) <= _today().year:
        raise AssistanceError(Code.INVALID_YEAR, field)
    return int(year)


def shareholding_add(*, actor, project: Project, household, shares: int, since_year: int) -> Shareholding:
    """A household's shares (入股) in a project; the household lives in the project's regions."""
    _check_scope(actor, Cap.PROJECT_MANAGE, project.region_code, "project")
    household = _household(actor, household)
    _check_in_project(project, household.region_code, "household")
    if shares is None or int(shares) <= 0:
        raise AssistanceError(Code.INVALID_VALUE, "shares")
    holding = Shareholding(
        project=project,
        household=household,
        region_code=household.region_code,
        shares=int(shares),
        since_year=_year(since_year, "since_year"),
    )
    try:
        with transaction.atomic():
            holding.save(force_insert=True)
            record_change(actor=acting_user(actor), instance=holding, action=Action.CREATE)
    except IntegrityError as error:
        raise AssistanceError(Code.SHAREHOLDING_EXISTS, "household") from error
    return holding


def dividend_run(
    *, actor, project: Project, year: int, amount_per_share, paid_on: datetime.date
) -> list[DividendPayout]:
    """Pay ``amount_per_share`` × shares to every household holding shares since ``year`` or
    before: one line per shareholder, all or none, once per project and year."""
    _check_scope(actor, Cap.FUNDS_RECORD, project.region_code, "project")
    year = _year(year)
    per_share = _value(amount_per_share, "amount_per_share")
    if per_share == 0:
        raise AssistanceError(Code.INVALID_AMOUNT, "amount_per_share")
    if paid_on > _today():
        raise AssistanceError(Code.FUTURE_DATE, "paid_on")
    actor = acting_user(actor)
    with transaction.atomic():
        # Lock the project row so two runs of the same year queue; the unique line per
        # shareholder and year stops the second even where the lock is not real (SQLite).
        Project.objects.select_for_update().filter(pk=project.pk).first()
        if DividendPayout.objects.filter(project=project, year=year).exists():
            raise AssistanceError(Code.DIVIDEND_ALREADY_PAID, "year", year=year)
        holdings = list(project.shareholdings.filter(since_year__lte=year).order_by("pk"))
        if not holdings:
            raise AssistanceError(Code.NO_SHAREHOLDERS, "year")
        payouts = [
            DividendPayout(
                shareholding=holding,
                project=project,
                region_code=holding.region_code,
                year=year,
                shares=holding.shares,
                amount=(per_share * holding.shares).quantize(CENT),
                paid_on=paid_on,
            )
            for holding in holdings
        ]
        try:
            with transaction.atomic():
                for payout in payouts:
                    payout.save(force_insert=True)
                    record_change(actor=actor, instance=payout, action=Action.CREATE)
        except IntegrityError as error:  # a run of the same year committed meanwhile
            raise AssistanceError(Code.DIVIDEND_ALREADY_PAID, "year", year=year) from error
    return payouts
