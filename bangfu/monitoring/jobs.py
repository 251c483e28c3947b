"""The rules job: evaluates the four rules over a scope in the background, with progress."""

from bangfu.core.jobs import job_handler

from . import services


@job_handler("monitoring_rules")
def rules_job(job, progress) -> dict:
    counts = services.rules_run(
        year=int(job.params["year"]), prefix=job.params.get("prefix", ""), progress=progress
    )
    return {"flags": counts, "total": sum(counts.values())}
