"""Writes of the reports app: publishing a scorecard as a frozen snapshot."""

from django.core.exceptions import ValidationError
from django.utils.encoding import force_str
from django.utils.translation import gettext as _

from bangfu.audit.services import audited_create
from bangfu.core.permissions import Cap

from .models import Snapshot
from .scorecard import Scorecard, figures_digest


def snapshot_publish(*, actor, card: Scorecard, query: dict[str, str], title: str = "") -> Snapshot:
    """Freeze ``card``: its figures, their labels and their hash, with who published it and when."""
    if not card.sections:
        raise ValidationError(_("成绩单没有任何指标,不能发布。"))
    figures = card.figures()
    labels = {
        f"{section.key}.{figure.key}": f"{force_str(section.title)} · {force_str(figure.label)}"
        for section in card.sections
        for figure in section.all_figures()
    }
    region = card.scope.prefixes[0] if card.scope.prefixes else ""
    if not region:
        own = actor.scope_prefixes(Cap.DASHBOARD_VIEW)
        region = own[0] if len(own) == 1 else ""
    snapshot = Snapshot(
        title=(title or f"{card.scope.label} {card.period.label()}")[:200],
        scope_label=card.scope.label[:200],
        region_code=region.ljust(12, "0") if region else "",
        query=query,
        period_label=card.period.label(),
        figures=figures,
        labels=labels,
        digest=figures_digest(figures),
        published_by=actor,
    )
    return audited_create(actor=actor, instance=snapshot)


def snapshot_differences(snapshot: Snapshot, current: Scorecard) -> list[dict]:
    """Figures whose current value differs from the published one (added or gone included)."""
    now = current.figures()
    rows = []
    for key in sorted(set(snapshot.figures) | set(now)):
        published, value = snapshot.figures.get(key), now.get(key)
        if published != value:
            rows.append(
                {"key": key, "label": snapshot.labels.get(key, key), "published": published, "current": value}
            )
    return rows


def snapshot_verify(snapshot: Snapshot) -> bool:
    """True when the stored figures still hash to the stored digest (nobody edited them)."""
    return figures_digest(snapshot.figures) == snapshot.digest
