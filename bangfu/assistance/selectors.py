"""Reads of partnerships, projects and fund balances, narrowed to the acting user's scope.

Balances are sums over the fund ledger, grouped in the database: per project, partnership,
organisation, region (at a prefix length) and year. Reversing entries carry negative
amounts, so a plain sum already nets them out.
"""

from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, ExtractYear, Substr

from bangfu.core.permissions import Cap
from bangfu.core.scoping import scope

from .models import MONEY, ZERO, FundEntry, FundKind, Partnership, Project

_MONEY = DecimalField(**MONEY)
CENT = Decimal("0.01")


def _sums() -> dict:
    """invested, coordinated, spent: aggregates over FundEntry rows."""
    return {
        "invested": Coalesce(
            Sum("amount", filter=Q(kind=FundKind.INVESTED)), Value(ZERO), output_field=_MONEY
        ),
        "coordinated": Coalesce(
            Sum("amount", filter=Q(kind=FundKind.COORDINATED)), Value(ZERO), output_field=_MONEY
        ),
        "spent": Coalesce(Sum("amount", filter=Q(kind=FundKind.SPENT)), Value(ZERO), output_field=_MONEY),
    }


def _with_available(row: dict) -> dict:
    for name in ("invested", "coordinated", "spent"):
        row[name] = Decimal(row[name]).quantize(CENT)  # SQLite sums drop the trailing zeros
    row["received"] = row["invested"] + row["coordinated"]
    row["available"] = row["received"] - row["spent"]
    return row


def partnership_list(*, user, capability: str = Cap.ASSISTANCE_VIEW) -> QuerySet[Partnership]:
    return scope(Partnership.objects.select_related("organization", "region"), user, capability)


def project_list(*, user, capability: str = Cap.ASSISTANCE_VIEW) -> QuerySet[Project]:
    return scope(Project.objects.select_related("organization", "region", "partnership"), user, capability)


def fund_entry_list(*, user, capability: str = Cap.ASSISTANCE_VIEW) -> QuerySet[FundEntry]:
    return scope(FundEntry.objects.select_related("project", "reverses", "created_by"), user, capability)


def with_balances(projects: QuerySet[Project]) -> QuerySet[Project]:
    """Each project with ``invested``, ``coordinated`` and ``spent``, one correlated sum each."""
    annotations = {}
    for name, kinds in (
        ("invested", [FundKind.INVESTED]),
        ("coordinated", [FundKind.COORDINATED]),
        ("spent", [FundKind.SPENT]),
    ):
        total = (
            FundEntry.objects.filter(project=OuterRef("pk"), kind__in=kinds)
            .order_by()
            .values("project")
            .annotate(total=Sum("amount"))
            .values("total")
        )
        annotations[name] = Coalesce(Subquery(total, output_field=_MONEY), Value(ZERO), output_field=_MONEY)
    return projects.annotate(**annotations)


def project_balance(project: Project) -> dict[str, Decimal]:
    """invested, coordinated, received (the two together), spent and available of one project."""
    return _with_available(FundEntry.objects.filter(project=project).aggregate(**_sums()))


def fund_totals(entries: QuerySet[FundEntry]) -> dict[str, Decimal]:
    """The same figures over any set of entries (already scoped by the caller)."""
    return _with_available(entries.order_by().aggregate(**_sums()))


GROUPS = {
    "project": ("project_id",),
    "partnership": ("project__partnership_id",),
    "organization": ("project__organization_id",),
    "year": ("year",),
}


def fund_balances(
    *, user, by: str, region_length: int = 6, entries: QuerySet[FundEntry] | None = None
) -> list[dict]:
    """Balances grouped ``by`` project, partnership, organization, region or year, within the
    user's scope; ``region_length`` picks the level for ``by="region"`` (6 county, 9 township,
    12 village). Each row: the group key(s), invested, coordinated, received, spent, available."""
    queryset = entries if entries is not None else fund_entry_list(user=user)
    queryset = queryset.order_by()
    if by == "region":
        queryset = queryset.annotate(region=Substr("region_code", 1, region_length))
        keys: tuple[str, ...] = ("region",)
    elif by in GROUPS:
        keys = GROUPS[by]
        if by == "year":
            queryset = queryset.annotate(year=ExtractYear("date"))
    else:
        raise ValueError(f"cannot group fund balances by {by!r}")
    rows = queryset.values(*keys).annotate(**_sums()).order_by(*keys)
    return [_with_available(dict(row)) for row in rows]


def organization_assistance(*, user, organization) -> dict:
    """An organisation's partnerships and projects within the user's scope, with fund totals."""
    partnerships = partnership_list(user=user).filter(organization=organization)
    projects = with_balances(project_list(user=user).filter(organization=organization))
    totals = fund_totals(fund_entry_list(user=user).filter(project__organization=organization))
    return {"partnerships": partnerships, "projects": projects, "totals": totals}
