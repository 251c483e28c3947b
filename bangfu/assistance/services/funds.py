"""Every write of partnerships, projects and the fund ledger.

A refused request raises an AssistanceError (a ValidationError with a code) and writes
nothing. Rows get a change record in the same transaction; fund entries are their own
audit trail on the hash-chained ledger ``assistance.fund`` (one chain per project),
which ``bangfu audit verify`` checks.

Money out of a project never exceeds the money in: recording a spend (or reversing money
in) takes the row lock on the project's chain head, reads the balance under it and appends
in the same transaction, so two spends racing for the last yuan queue and the second sees
the first. A spend beyond the balance is refused, unless someone holding ``funds.override``
over the project's region writes why (the reason is part of the hashed entry, and the
override gets its own change record on the project).
"""

import datetime
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Case, DecimalField, F, Sum, When
from django.utils import timezone

from bangfu.accounts.models import Organization
from bangfu.audit.ledger import ledger_append
from bangfu.audit.models import Action, LedgerChain
from bangfu.audit.services import acting_user, record_change, record_related, snapshot
from bangfu.core.permissions import Cap
from bangfu.core.scoping import in_scope
from bangfu.regions.models import Level, Region

from ..errors import AssistanceError
from ..errors import AssistanceErrorCode as Code
from ..models import (
    MONEY,
    ZERO,
    FundEntry,
    FundKind,
    Milestone,
    Partnership,
    PartnershipKind,
    Project,
    ProjectStatus,
    ProjectType,
)

CENT = Decimal("0.01")
LIMIT = Decimal(10) ** (MONEY["max_digits"] - MONEY["decimal_places"])
INCOME = (FundKind.INVESTED, FundKind.COORDINATED)


def _today() -> datetime.date:
    return timezone.localdate()


def _check_scope(actor, capability: str, region_code: str, field: str | None = None) -> None:
    """None is the system (demo, imports); a person must hold ``capability`` over the region."""
    if actor is not None and not in_scope(actor, capability, region_code):
        raise AssistanceError(Code.OUT_OF_SCOPE, field)


def _amount(value, field: str = "amount", *, allow_zero: bool = False) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError) as error:
        raise AssistanceError(Code.INVALID_AMOUNT, field) from error
    if (
        not amount.is_finite()
        or amount < 0
        or (amount == 0 and not allow_zero)
        or amount != amount.quantize(CENT)
        or amount >= LIMIT
    ):
        raise AssistanceError(Code.INVALID_AMOUNT, field)
    return amount.quantize(CENT)


# Partnerships ---------------------------------------------------------------------------------------


def _check_partnership(kind: str, region: Region, start_year: int, end_year: int | None) -> None:
    wanted = {PartnershipKind.DESIGNATED: Level.COUNTY, PartnershipKind.PAIRED: Level.VILLAGE}.get(kind)
    if wanted is None or region.level != wanted:
        raise AssistanceError(Code.WRONG_REGION_LEVEL, "region")
    years = [start_year] + ([end_year] if end_year is not None else [])
    if any(not 1949 <= year <= 2100 for year in years) or (end_year is not None and end_year < start_year):
        raise AssistanceError(Code.INVALID_YEARS, "end_year")


def partnership_create(
    *,
    actor,
    organization: Organization,
    kind: str,
    region: Region,
    start_year: int,
    end_year: int | None = None,
    note: str = "",
) -> Partnership:
    """Designated (an organisation assigned to a county) or paired (to a village) assistance."""
    _check_scope(actor, Cap.PROJECT_MANAGE, region.code, "region")
    _check_partnership(kind, region, start_year, end_year)
    partnership = Partnership(
        organization=organization,
        kind=kind,
        region=region,
        region_code=region.code,
        start_year=start_year,
        end_year=end_year,
        note=note.strip(),
    )
    try:
        with transaction.atomic():
            partnership.save(force_insert=True)
            record_change(actor=acting_user(actor), instance=partnership, action=Action.CREATE)
    except IntegrityError as error:
        raise AssistanceError(Code.PARTNERSHIP_EXISTS) from error
    return partnership


def partnership_update(
    *, actor, partnership: Partnership, end_year: int | None, note: str | None = None
) -> Partnership:
    """Close (or reopen) a partnership and change its note; who, where and since when stay."""
    _check_scope(actor, Cap.PROJECT_MANAGE, partnership.region_code)
    _check_partnership(partnership.kind, partnership.region, partnership.start_year, end_year)
    with transaction.atomic():
        before = snapshot(partnership)
        partnership.end_year = end_year
        fields = ["end_year"]
        if note is not None:
            partnership.note = note.strip()
            fields.append("note")
        partnership.save(update_fields=fields)
        record_change(actor=acting_user(actor), instance=partnership, action=Action.UPDATE, before=before)
    return partnership


# Projects -------------------------------------------------------------------------------------------


def _check_project(
    *,
    actor,
    organization: Organization,
    partnership: Partnership | None,
    region: Region,
    other_regions: Iterable[Region],
    type: str,
    start_date: datetime.date,
    end_date: datetime.date | None,
) -> list[Region]:
    _check_scope(actor, Cap.PROJECT_MANAGE, region.code, "region")
    others = sorted(
        {r.code: r for r in other_regions if r.code != region.code}.values(), key=lambda r: r.code
    )
    for other in others:
        _check_scope(actor, Cap.PROJECT_MANAGE, other.code, "other_regions")
    if type not in ProjectType.values:
        raise AssistanceError(Code.INVALID_KIND, "type")
    if end_date is not None and end_date < start_date:
        raise AssistanceError(Code.INVALID_DATES, "end_date")
    if partnership is not None and (
        partnership.organization_id != organization.pk or not region.code.startswith(_prefix(partnership))
    ):
        raise AssistanceError(Code.PARTNERSHIP_MISMATCH, "partnership")
    return others


def _prefix(partnership: Partnership) -> str:
    return (
        partnership.region_code[:6]
        if partnership.kind == PartnershipKind.DESIGNATED
        else partnership.region_code
    )


def project_create(
    *,
    actor,
    name: str,
    organization: Organization,
    region: Region,
    type: str,
    budget,
    start_date: datetime.date,
    end_date: datetime.date | None = None,
    partnership: Partnership | None = None,
    other_regions: Iterable[Region] = (),
    status: str = ProjectStatus.PLANNED,
    description: str = "",
    milestones: Iterable[tuple[str, datetime.date]] = (),
) -> Project:
    others = _check_project(
        actor=actor,
        organization=organization,
        partnership=partnership,
        region=region,
        other_regions=other_regions,
        type=type,
        start_date=start_date,
        end_date=end_date,
    )
    budget = _amount(budget, "budget", allow_zero=True)
    if not name.strip():
        raise AssistanceError(Code.TITLE_REQUIRED, "name")
    if status not in ProjectStatus.values:
        raise AssistanceError(Code.INVALID_KIND, "status")
    actor = acting_user(actor)
    with transaction.atomic():
        project = Project(
            name=name.strip(),
            organization=organization,
            partnership=partnership,
            region=region,
            region_code=region.code,
            type=type,
            budget=budget,
            status=status,
            start_date=start_date,
            end_date=end_date,
            description=description,
        )
        project.full_clean(exclude=["other_regions"])
        project.save(force_insert=True)
        record_change(actor=actor, instance=project, action=Action.CREATE)
        if others:
            project.other_regions.set(others)
            record_related(
                actor=actor, instance=project, changes={"other_regions": [[], [r.code for r in others]]}
            )
        for title, planned_on in milestones:
            _milestone_insert(actor=actor, project=project, title=title, planned_on=planned_on)
        # The chain head exists from the start, so every spend locks a row that is already there.
        LedgerChain.objects.get_or_create(ledger=FundEntry.ledger_name, key=fund_chain_key(project))
    return project


def project_update(*, actor, project: Project, data: dict) -> Project:
    """Change a project's fields (not its organisation); ``other_regions`` is a list of regions."""
    fields = {
        "name",
        "partnership",
        "region",
        "type",
        "budget",
        "status",
        "start_date",
        "end_date",
        "description",
    }
    unknown = set(data) - fields - {"other_regions"}
    if unknown:
        raise ValueError(f"project_update cannot change {sorted(unknown)}")
    _check_scope(actor, Cap.PROJECT_MANAGE, project.region_code)
    values = {name: data.get(name, getattr(project, name)) for name in fields}
    current_others = list(project.other_regions.all())
    others = _check_project(
        actor=actor,
        organization=project.organization,
        partnership=values["partnership"],
        region=values["region"],
        other_regions=data.get("other_regions", current_others),
        type=values["type"],
        start_date=values["start_date"],
        end_date=values["end_date"],
    )
    values["budget"] = _amount(values["budget"], "budget", allow_zero=True)
    if values["status"] not in ProjectStatus.values:
        raise AssistanceError(Code.INVALID_KIND, "status")
    values["name"] = values["name"].strip()
    if not values["name"]:
        raise AssistanceError(Code.TITLE_REQUIRED, "name")
    if values["region"].code != project.region_code and project.fund_entries.exists():
        # Entries keep the region they were recorded in; moving the project would split its figures.
        raise AssistanceError(Code.REGION_LOCKED, "region")
    actor = acting_user(actor)
    with transaction.atomic():
        before = snapshot(project)
        for name, value in values.items():
            setattr(project, name, value)
        project.region_code = values["region"].code
        project.full_clean(exclude=["other_regions"])
        project.save(update_fields=[*fields, "region_code"])
        record_change(actor=actor, instance=project, action=Action.UPDATE, before=before)
        if "other_regions" in data:
            old = sorted(r.code for r in current_others)
            new = [r.code for r in others]
            if old != new:
                project.other_regions.set(others)
                record_related(actor=actor, instance=project, changes={"other_regions": [old, new]})
    return project


def _milestone_insert(*, actor, project: Project, title: str, planned_on: datetime.date, done_on=None):
    if not title.strip():
        raise AssistanceError(Code.TITLE_REQUIRED, "title")
    milestone = Milestone(
        project=project,
        title=title.strip(),
        planned_on=planned_on,
        done_on=done_on,
        region_code=project.region_code,
    )
    milestone.save(force_insert=True)
    record_change(actor=actor, instance=milestone, action=Action.CREATE)
    return milestone


def milestone_add(
    *, actor, project: Project, title: str, planned_on: datetime.date, done_on: datetime.date | None = None
) -> Milestone:
    """A dated step of ``project``, planned (and maybe already done)."""
    _check_scope(actor, Cap.PROJECT_MANAGE, project.region_code)
    if done_on is not None and done_on > _today():
        raise AssistanceError(Code.FUTURE_DATE, "done_on")
    with transaction.atomic():
        return _milestone_insert(
            actor=acting_user(actor), project=project, title=title, planned_on=planned_on, done_on=done_on
        )


def milestone_complete(*, actor, milestone: Milestone, done_on: datetime.date) -> Milestone:
    _check_scope(actor, Cap.PROJECT_MANAGE, milestone.region_code)
    if done_on > _today():
        raise AssistanceError(Code.FUTURE_DATE, "done_on")
    with transaction.atomic():
        before = snapshot(milestone)
        milestone.done_on = done_on
        milestone.save(update_fields=["done_on"])
        record_change(actor=acting_user(actor), instance=milestone, action=Action.UPDATE, before=before)
    return milestone


# Fund ledger ----------------------------------------------------------------------------------------


def fund_chain_key(project: Project) -> str:
    return f"project:{project.pk}"


def _lock_chain(project: Project) -> LedgerChain:
    chain, _created = LedgerChain.objects.get_or_create(
        ledger=FundEntry.ledger_name, key=fund_chain_key(project)
    )
    return LedgerChain.objects.select_for_update().get(pk=chain.pk)


def available_balance(project: Project) -> Decimal:
    """Money in minus money out of ``project``, reversals included (read it under the chain lock)."""
    total = FundEntry.objects.filter(project=project).aggregate(
        total=Sum(
            Case(
                When(kind__in=INCOME, then=F("amount")),
                default=-F("amount"),
                output_field=DecimalField(**MONEY),
            )
        )
    )["total"]
    return ZERO if total is None else total.quantize(CENT)  # SQLite sums drop the trailing zeros


def fund_entry_record(
    *,
    actor,
    project: Project,
    kind: str,
    amount,
    date: datetime.date,
    source: str = "",
    voucher_number: str = "",
    note: str = "",
    override_reason: str = "",
) -> FundEntry:
    """Money invested by the project's organisation, coordinated from others (with the source), or
    spent (with the voucher number). A spend beyond the project's available balance is refused
    unless ``override_reason`` is given by someone holding ``funds.override`` (or the system)."""
    _check_scope(actor, Cap.FUNDS_RECORD, project.region_code, "project")
    if kind not in FundKind.values:
        raise AssistanceError(Code.INVALID_KIND, "kind")
    amount = _amount(amount)
    source, voucher_number, note = source.strip(), voucher_number.strip(), note.strip()
    override_reason = override_reason.strip()
    if override_reason and actor is not None and not in_scope(actor, Cap.FUNDS_OVERRIDE, project.region_code):
        raise AssistanceError(Code.OVERRIDE_NOT_ALLOWED, "override_reason")
    if kind == FundKind.COORDINATED and not source:
        raise AssistanceError(Code.SOURCE_REQUIRED, "source")
    if kind == FundKind.SPENT and not voucher_number:
        raise AssistanceError(Code.VOUCHER_REQUIRED, "voucher_number")
    if kind != FundKind.COORDINATED:
        source = ""
    if project.status == ProjectStatus.CANCELLED:
        raise AssistanceError(Code.PROJECT_CANCELLED, "project")
    if date > _today():
        raise AssistanceError(Code.FUTURE_DATE, "date")
    if date < project.start_date or (project.end_date is not None and date > project.end_date):
        raise AssistanceError(
            Code.DATE_OUTSIDE_PROJECT, "date", start=project.start_date, end=project.end_date or "—"
        )
    actor = acting_user(actor)
    with transaction.atomic():
        _lock_chain(project)
        overspent = None
        if kind == FundKind.SPENT:
            available = available_balance(project)
            if amount > available:
                if not override_reason:
                    raise AssistanceError(
                        Code.INSUFFICIENT_FUNDS, "amount", needed=amount, available=available
                    )
                overspent = available
        if overspent is None:
            override_reason = ""  # nothing was overridden: the entry carries no reason
        entry = ledger_append(
            FundEntry,
            key=fund_chain_key(project),
            actor=actor,
            project=project,
            region_code=project.region_code,
            kind=kind,
            date=date,
            amount=amount,
            source=source,
            voucher_number=voucher_number,
            note=note,
            override_reason=override_reason,
        )
        if overspent is not None:
            record_related(
                actor=actor,
                instance=project,
                changes={
                    "overspend_override": [
                        None,
                        {
                            "entry": entry.seq,
                            "amount": str(amount),
                            "available": str(overspent),
                            "reason": override_reason,
                        },
                    ]
                },
            )
        return entry


def fund_entry_reverse(
    *, actor, entry: FundEntry, note: str = "", date: datetime.date | None = None
) -> FundEntry:
    """Correct ``entry`` by a new entry of the opposite amount that names it. An entry is reversed
    at most once, a reversal is never reversed, and reversing money in may not leave the project
    with less than it has spent."""
    _check_scope(actor, Cap.FUNDS_RECORD, entry.region_code, "entry")
    day = date or _today()
    if day > _today():
        raise AssistanceError(Code.FUTURE_DATE, "date")
    if entry.reverses_id is not None:
        raise AssistanceError(Code.REVERSAL_OF_REVERSAL)
    project = entry.project
    with transaction.atomic():
        _lock_chain(project)
        if FundEntry.objects.filter(reverses=entry).exists():
            raise AssistanceError(Code.ALREADY_REVERSED)
        if entry.kind in INCOME:
            available = available_balance(project)
            if entry.amount > available:
                raise AssistanceError(Code.INSUFFICIENT_FUNDS, needed=entry.amount, available=available)
        try:
            with transaction.atomic():
                return ledger_append(
                    FundEntry,
                    key=fund_chain_key(project),
                    actor=acting_user(actor),
                    project=project,
                    region_code=entry.region_code,
                    kind=entry.kind,
                    date=max(day, entry.date),
                    amount=-entry.amount,
                    source=entry.source,
                    voucher_number=entry.voucher_number,
                    reverses=entry,
                    note=note.strip(),
                )
        except IntegrityError as error:  # the one-to-one link: a reversal committed meanwhile
            raise AssistanceError(Code.ALREADY_REVERSED) from error
