"""Scorecard exports as background jobs: large scopes take a while, the page shows progress."""

from pathlib import Path

from django.http import QueryDict
from django.utils import timezone

from bangfu.core.jobs import Progress, job_files_dir, job_handler
from bangfu.core.permissions import Cap

from .exports import render_pdf, write_xlsx
from .scorecard import SECTIONS, Period, build_scorecard, resolve_scope

FORMATS = ("xlsx", "pdf")


def card_from_params(user, query: dict):
    params = QueryDict(mutable=True)
    for key, values in query.items():
        params.setlist(key, values if isinstance(values, list) else [values])
    scope = resolve_scope(user=user, params=params, capability=Cap.DASHBOARD_VIEW)
    period = Period.parse(params)
    return scope, period


@job_handler("scorecard_export")
def scorecard_export(job, progress: Progress) -> dict:
    fmt = job.params["format"]
    if fmt not in FORMATS:
        raise ValueError(fmt)
    user = job.created_by
    scope, period = card_from_params(user, job.params.get("query", {}))
    steps = len(SECTIONS) + 1
    progress(0, steps)
    card = build_scorecard(
        user=user, scope=scope, period=period, progress=lambda done, _total: progress(done, steps)
    )
    name = f"scorecard-{timezone.localtime().strftime('%Y%m%d-%H%M')}.{fmt}"
    path = Path(job_files_dir()) / f"{job.pk}-{name}"
    if fmt == "xlsx":
        write_xlsx(card, str(path))
    else:
        path.write_bytes(render_pdf(card))
    progress(steps, steps)
    job.result_file = path.name
    job.save(update_fields=["result_file"])
    return {"filename": name, "digest": card.digest()}
