"""Background jobs: a Job row for progress, a django-tasks task to run it.

A handler is registered per kind with ``@job_handler("export")`` and receives the
job and a ``progress(done, total)`` callable. ``job_enqueue`` creates the row and
queues the task after the surrounding transaction commits; ``bangfu worker``
(django-tasks-db's worker) runs it. The same handler can run in the foreground
(``job_run_now``) for the CLI, which draws its own progress bar.
"""

import logging
import os
import socket
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from .models import Job, JobStatus

log = logging.getLogger(__name__)
Progress = Callable[[int, int | None], None]
Handler = Callable[[Job, Progress], dict | None]
HANDLERS: dict[str, Handler] = {}
PROGRESS_INTERVAL = 0.5  # seconds between progress writes


def job_handler(kind: str) -> Callable[[Handler], Handler]:
    def register(function: Handler) -> Handler:
        HANDLERS[kind] = function
        return function

    return register


def job_files_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "jobs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def job_enqueue(
    *, kind: str, title: str, user=None, params: dict | None = None, region_code: str = ""
) -> Job:
    if kind not in HANDLERS:
        raise ValueError(f"no job handler for {kind!r}")
    params = {**(params or {}), "_language": translation.get_language() or settings.LANGUAGE_CODE}
    job = Job.objects.create(
        kind=kind, title=title[:200], params=params, created_by=user, region_code=region_code
    )
    transaction.on_commit(lambda: run_job.enqueue(job.pk))
    return job


def this_worker() -> str:
    """``host:pid`` of this process, recorded on the work it starts."""
    return f"{socket.gethostname()}:{os.getpid()}"


def worker_gone(worker: str) -> bool:
    """True when ``worker`` ran on this host and its process has ended.

    Work killed from outside (SIGKILL, a reboot, the OOM killer) cannot record its own
    end; pages that show such work ask this and mark it interrupted. A worker on another
    host, or a pid reused since, counts as alive: nothing is marked failed on a guess.
    """
    host, _sep, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def jobs_sweep(queryset=None) -> int:
    """Mark running jobs whose process has ended as failed; returns how many."""
    running = (queryset if queryset is not None else Job.objects).filter(status=JobStatus.RUNNING)
    gone = [job.pk for job in running.exclude(worker="").only("pk", "worker") if worker_gone(job.worker)]
    if not gone:
        return 0
    return Job.objects.filter(pk__in=gone, status=JobStatus.RUNNING).update(
        status=JobStatus.FAILED, message=_("任务进程已中断,任务未完成。"), finished_at=timezone.now()
    )


def _progress_writer(job: Job, echo: Progress | None) -> Progress:
    last = [0.0]

    def progress(done: int, total: int | None = None) -> None:
        now = time.monotonic()
        if echo:
            echo(done, total)
        if now - last[0] >= PROGRESS_INTERVAL or (total is not None and done >= total):
            last[0] = now
            Job.objects.filter(pk=job.pk).update(done=done, total=total)

    return progress


def job_run_now(job: Job, echo: Progress | None = None) -> Job:
    """Run a job's handler in this process and record how it ended."""
    handler = HANDLERS[job.kind]
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, started_at=timezone.now(), worker=this_worker()
    )
    try:
        # Messages the job writes (import problems, file names) are in the language of whoever queued it.
        with translation.override(job.params.get("_language", settings.LANGUAGE_CODE)):
            result = handler(job, _progress_writer(job, echo)) or {}
    except Exception as error:
        log.exception("job %s failed", job.pk)
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED, message=str(error)[:2000], finished_at=timezone.now()
        )
        raise
    job.refresh_from_db()
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.SUCCEEDED,
        result=result,
        done=job.total if job.total is not None else job.done,
        finished_at=timezone.now(),
    )
    job.refresh_from_db()
    return job


@task()
def run_job(job_id: int) -> None:
    job = Job.objects.get(pk=job_id)
    if job.status != JobStatus.QUEUED:
        return
    try:
        job_run_now(job)
    except Exception:  # noqa: BLE001 - the failure is recorded on the job; the worker goes on
        return
