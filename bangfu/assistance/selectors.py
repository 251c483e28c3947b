"""Reads of partnerships, projects and fund balances, narrowed to the acting user's scope.

Balances are sums over the fund ledger, grouped in the database: per project, partnership,
organisation, region (at a prefix length) and year. Reversing entries carry negative
amounts, so a plain sum already nets them out.
"""

from decimal import Decimal

from django.db.models import Count, DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum, Value, Window
from django.db.models.functions import Coalesce, ExtractYear, Substr

from bangfu.core.permissions import Cap
from bangfu.core.scoping import prefix_q, scope

from .models import (
    MONEY,
    RESULT_FIELDS,
    ZERO,
    Activity,
    ActivityKind,
    Beneficiary,
    DividendPayout,
    Feedback,
    FundEntry,
    FundKind,
    Helper,
    HelperResult,
    Outcome,
    OutcomeKind,
    Partnership,
    Project,
)

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


ORGANIZATION_PAGE_PROJECTS = 20


def organization_assistance(*, user, organization) -> dict:
    """An organisation's partnerships and its latest projects within the user's scope, with fund
    totals over all of them; ``project_count`` says how many the full list (linked) holds.

    Three queries, whatever the number of projects: the partnerships; the latest projects with
    the count of all of them (a window over the same rows); and the scoped fund entries of the
    organisation summed per project and kind, which gives both the totals and the balances of
    the projects shown. A project's entries carry its region code (the region is locked once it
    has entries), so a project in scope has all its entries in scope and its sums here are those
    of ``with_balances``."""
    # The rows show each one's region (and nothing else it links to); the organisation is the page's own.
    partnerships = list(
        partnership_list(user=user)
        .filter(organization=organization)
        .select_related(None)
        .select_related("region")
    )
    projects = list(
        project_list(user=user)
        .filter(organization=organization)
        .select_related(None)
        .select_related("region")
        .annotate(in_scope_count=Window(Count("pk")))
        .order_by("-start_date", "-pk")[:ORGANIZATION_PAGE_PROJECTS]
    )
    sums = (
        fund_entry_list(user=user)
        .filter(project__organization=organization)
        .order_by()
        .values_list("project_id", "kind")
        .annotate(total=Sum("amount"))
    )
    kinds = ("invested", "coordinated", "spent")
    totals = dict.fromkeys(kinds, ZERO)
    by_project: dict[int, dict[str, Decimal]] = {}
    for project_id, kind, total in sums:
        total = Decimal(total).quantize(CENT)  # SQLite sums drop the trailing zeros
        totals[kind] += total
        by_project.setdefault(project_id, {})[kind] = total
    for row in (*partnerships, *projects):
        row.organization = organization
    for project in projects:
        balance = by_project.get(project.pk, {})
        for kind in kinds:
            setattr(project, kind, balance.get(kind, ZERO))
    return {
        "partnerships": partnerships,
        "projects": projects,
        "project_count": projects[0].in_scope_count if projects else 0,
        "totals": _with_available(totals),
    }


# Beneficiaries, outcomes, dividends, activities, helpers -------------------------------------------


def beneficiary_list(*, user, capability: str = Cap.ASSISTANCE_VIEW) -> QuerySet[Beneficiary]:
    return scope(Beneficiary.objects.select_related("project", "household", "person"), user, capability)


def activity_list(*, user, capability: str = Cap.ASSISTANCE_VIEW) -> QuerySet[Activity]:
    return scope(
        Activity.objects.select_related("region", "organization", "helper", "project"), user, capability
    )


def helper_list(*, user, capability: str = Cap.ASSISTANCE_VIEW) -> QuerySet[Helper]:
    return scope(Helper.objects.select_related("region", "organization"), user, capability)


def feedback_list(*, user, capability: str = Cap.PROJECT_MANAGE) -> QuerySet[Feedback]:
    return scope(Feedback.objects.select_related("project"), user, capability)


def beneficiary_counts(beneficiaries: QuerySet[Beneficiary]) -> dict[str, int]:
    """households and persons reached (registered and counted), and how many are registered."""
    row = beneficiaries.order_by().aggregate(
        households=Coalesce(Sum("households"), 0),
        persons=Coalesce(Sum("persons"), 0),
        registered=Count("pk", filter=Q(household__isnull=False)),
    )
    return row


def latest_outcomes(outcomes: QuerySet[Outcome]) -> dict[str, Decimal]:
    """Per indicator, the sum over projects of each project's latest value (its last as-of date)."""
    latest = (
        Outcome.objects.filter(project=OuterRef("project"), kind=OuterRef("kind"))
        .order_by("-as_of")
        .values("as_of")[:1]
    )
    rows = (
        outcomes.order_by()
        .annotate(latest=Subquery(latest))
        .filter(as_of=F("latest"))
        .values("kind")
        .annotate(total=Sum("value"))
    )
    return {row["kind"]: Decimal(row["total"]).quantize(CENT) for row in rows}


def project_outcomes(project: Project) -> list[Outcome]:
    """The latest value of each indicator of one project, in the order of OutcomeKind."""
    seen: dict[str, Outcome] = {}
    for outcome in project.outcomes.order_by("kind", "-as_of"):
        seen.setdefault(outcome.kind, outcome)
    order = list(OutcomeKind.values)
    return sorted(seen.values(), key=lambda o: order.index(o.kind))


def dividend_years(project: Project) -> list[dict]:
    """Per year: households paid, shares and the total paid."""
    rows = (
        DividendPayout.objects.filter(project=project)
        .order_by()
        .values("year")
        .annotate(households=Count("pk"), shares=Sum("shares"), total=Sum("amount"))
        .order_by("-year")
    )
    return [{**row, "total": Decimal(row["total"]).quantize(CENT)} for row in rows]


def activity_totals(activities: QuerySet[Activity]) -> dict:
    row = activities.order_by().aggregate(
        count=Count("pk"),
        person_times=Coalesce(Sum("person_times"), 0),
        value=Coalesce(Sum("value_given"), Value(ZERO), output_field=_MONEY),
    )
    row["value"] = Decimal(row["value"]).quantize(CENT)
    return row


def activity_by_kind(activities: QuerySet[Activity]) -> list[dict]:
    labels = dict(ActivityKind.choices)
    rows = (
        activities.order_by()
        .values("kind")
        .annotate(
            count=Count("pk"),
            person_times=Sum("person_times"),
            value=Coalesce(Sum("value_given"), Value(ZERO), output_field=_MONEY),
        )
        .order_by("kind")
    )
    return [{**row, "label": labels.get(row["kind"], row["kind"])} for row in rows]


def helper_totals(results: QuerySet[HelperResult]) -> dict[str, int]:
    return results.order_by().aggregate(
        **{name: Coalesce(Sum(name), 0) for name in RESULT_FIELDS},
        helpers=Count("helper", distinct=True),
    )


# Figures -------------------------------------------------------------------------------------------


def _in_prefix(queryset: QuerySet, prefix: str) -> QuerySet:
    return queryset.filter(prefix_q("region_code", [prefix])) if prefix else queryset


def assistance_figures(*, user, prefix: str = "", year: int | None = None, organization=None) -> dict:
    """The assistance of a region (code prefix) in a year (None: cumulative), optionally of one
    organisation, within the user's scope: money, projects, beneficiaries, outcomes, activities,
    dividends and helpers' results; each figure has the query that lists its records."""
    entries = _in_prefix(fund_entry_list(user=user), prefix)
    projects = _in_prefix(project_list(user=user), prefix)
    activities = _in_prefix(activity_list(user=user), prefix)
    beneficiaries = _in_prefix(beneficiary_list(user=user), prefix)
    outcomes = _in_prefix(scope(Outcome.objects.all(), user, Cap.ASSISTANCE_VIEW), prefix)
    payouts = _in_prefix(scope(DividendPayout.objects.all(), user, Cap.ASSISTANCE_VIEW), prefix)
    results = _in_prefix(scope(HelperResult.objects.all(), user, Cap.ASSISTANCE_VIEW), prefix)
    if organization is not None:
        entries = entries.filter(project__organization=organization)
        projects = projects.filter(organization=organization)
        activities = activities.filter(Q(organization=organization) | Q(project__organization=organization))
        beneficiaries = beneficiaries.filter(project__organization=organization)
        outcomes = outcomes.filter(project__organization=organization)
        payouts = payouts.filter(project__organization=organization)
        results = results.filter(helper__organization=organization)
    if year is not None:
        entries = entries.filter(date__year=year)
        projects = projects.filter(start_date__year__lte=year).filter(
            Q(end_date__isnull=True) | Q(end_date__year__gte=year)
        )
        activities = activities.filter(date__year=year)
        beneficiaries = beneficiaries.filter(project__in=projects.values("pk"))
        outcomes = outcomes.filter(as_of__year__lte=year, project__in=projects.values("pk"))
        payouts = payouts.filter(year=year)
        results = results.filter(year=year)
    dividends = payouts.order_by().aggregate(
        households=Count("shareholding__household", distinct=True),
        total=Coalesce(Sum("amount"), Value(ZERO), output_field=_MONEY),
    )
    dividends["total"] = Decimal(dividends["total"]).quantize(CENT)
    figures = {
        "funds": fund_totals(entries),
        "projects": projects.order_by().count(),
        "beneficiaries": beneficiary_counts(beneficiaries),
        "outcomes": latest_outcomes(outcomes),
        "activities": activity_totals(activities),
        "activity_kinds": activity_by_kind(activities),
        "dividends": dividends,
        "helpers": helper_totals(results),
    }
    figures["sentence"] = figures_sentence(figures, year=year)
    return figures


def figures_sentence(figures: dict, *, year: int | None) -> str:
    """The seeds' kind of sentence: what was put in, for how many projects, with what results."""
    from django.utils.translation import gettext as _

    def wan(amount: Decimal) -> str:
        return f"{(amount / 10000).quantize(CENT)}"

    funds = figures["funds"]
    parts = [
        (_("%(year)s年") % {"year": year}) if year else _("累计"),
        _(
            "投入帮扶资金%(invested)s万元、协调资金%(coordinated)s万元,实施帮扶项目%(projects)s个,已支出%(spent)s万元"
        )
        % {
            "invested": wan(funds["invested"]),
            "coordinated": wan(funds["coordinated"]),
            "projects": figures["projects"],
            "spent": wan(funds["spent"]),
        },
    ]
    people = figures["beneficiaries"]
    if people["households"] or people["persons"]:
        parts.append(
            _(",惠及%(households)s户%(persons)s人")
            % {"households": people["households"], "persons": people["persons"]}
        )
    outcomes = figures["outcomes"]
    if outcomes.get(OutcomeKind.JOBS_CREATED):
        parts.append(_(",带动就业%(n)s人") % {"n": int(outcomes[OutcomeKind.JOBS_CREATED])})
    if outcomes.get(OutcomeKind.PEOPLE_HOME):
        parts.append(_(",吸引%(n)s人返乡") % {"n": int(outcomes[OutcomeKind.PEOPLE_HOME])})
    if outcomes.get(OutcomeKind.SALES):
        parts.append(_(",实现销售额%(sales)s万元") % {"sales": wan(outcomes[OutcomeKind.SALES])})
    if outcomes.get(OutcomeKind.PROFIT):
        parts.append(_("、利润%(profit)s万元") % {"profit": wan(outcomes[OutcomeKind.PROFIT])})
    activities = figures["activities"]
    if activities["count"]:
        parts.append(
            _(";开展帮扶活动%(count)s场,服务%(times)s人次,折合%(value)s万元")
            % {
                "count": activities["count"],
                "times": activities["person_times"],
                "value": wan(activities["value"]),
            }
        )
    dividends = figures["dividends"]
    if dividends["households"]:
        parts.append(
            _(";%(households)s户入股分红%(total)s元")
            % {"households": dividends["households"], "total": dividends["total"]}
        )
    helpers = figures["helpers"]
    if helpers["trainings_held"]:
        parts.append(
            _(";劳模开展培训%(trainings)s场,培训%(trainees)s人")
            % {"trainings": helpers["trainings_held"], "trainees": helpers["trainees"]}
        )
    return "".join(parts) + _("。")


def public_projects(*, prefix: str = "", organization=None, day) -> QuerySet[Project]:
    """Projects published on the public pages (their disclosure has begun), with balances."""
    projects = Project.objects.select_related("organization", "region").filter(
        disclosed_from__isnull=False, disclosed_from__lte=day
    )
    if prefix:
        projects = projects.filter(prefix_q("region_code", [prefix]))
    if organization is not None:
        projects = projects.filter(organization=organization)
    return with_balances(projects).annotate(
        received=F("invested") + F("coordinated"),
        beneficiary_households=Coalesce(
            Subquery(
                Beneficiary.objects.filter(project=OuterRef("pk"))
                .order_by()
                .values("project")
                .annotate(total=Sum("households"))
                .values("total")
            ),
            0,
        ),
        beneficiary_persons=Coalesce(
            Subquery(
                Beneficiary.objects.filter(project=OuterRef("pk"))
                .order_by()
                .values("project")
                .annotate(total=Sum("persons"))
                .values("total")
            ),
            0,
        ),
    )
