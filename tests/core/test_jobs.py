"""Background jobs: a Job row for progress, queued after commit, run by the django-tasks worker."""

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from bangfu.core.jobs import job_enqueue, job_handler, job_run_now, run_job
from bangfu.core.models import Job, JobStatus

CALLS: list[int] = []


@job_handler("test-count")
def count_handler(job: Job, progress) -> dict:
    total = job.params["total"]
    for done in range(1, total + 1):
        CALLS.append(job.pk)
        progress(done, total)
    return {"counted": total}


@job_handler("test-fail")
def failing_handler(job: Job, progress) -> dict:
    progress(1, 3)
    raise RuntimeError("磁盘已满")


@job_handler("test-silent")
def silent_handler(job: Job, progress) -> None:
    progress(7)  # no total known


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user(username="runner", password="x")


@pytest.fixture(autouse=True)
def _reset_calls():
    CALLS.clear()


@pytest.mark.django_db(transaction=True)
def test_enqueue_queues_after_commit_and_the_worker_runs_it(user, run_worker):
    with transaction.atomic():
        job = job_enqueue(
            kind="test-count", title="数一数", user=user, params={"total": 5}, region_code="410423"
        )
        assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED
        assert not DBTaskResult.objects.exists()  # nothing runs before the data it needs is committed
    task = DBTaskResult.objects.get()
    assert task.args_kwargs == {"args": [job.pk], "kwargs": {}}
    assert task.task_path == "bangfu.core.jobs.run_job"

    run_worker()

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.done == job.total == 5
    assert job.result == {"counted": 5}
    assert job.started_at is not None and job.finished_at >= job.started_at
    assert job.percent == 100 and job.finished
    assert CALLS == [job.pk] * 5
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True)
def test_rolled_back_enqueue_leaves_nothing(user):
    with pytest.raises(RuntimeError), transaction.atomic():
        job_enqueue(kind="test-count", title="数一数", user=user, params={"total": 1})
        raise RuntimeError("the caller failed")
    assert not Job.objects.exists()
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_failing_handler_ends_failed_with_its_message(user, run_worker):
    job = job_enqueue(kind="test-fail", title="会失败", user=user)
    assert DBTaskResult.objects.count() == 1
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message == "磁盘已满"
    assert job.finished_at is not None
    assert job.finished and job.percent < 100
    assert job.result == {}


@pytest.mark.django_db(transaction=True)
def test_worker_runs_every_queued_job_once(user, run_worker):
    first = job_enqueue(kind="test-count", title="一", user=user, params={"total": 2})
    second = job_enqueue(kind="test-count", title="二", user=user, params={"total": 3})
    run_worker()
    run_worker()  # nothing left: a second pass runs nothing again
    assert sorted(CALLS) == sorted([first.pk] * 2 + [second.pk] * 3)
    assert set(Job.objects.values_list("status", flat=True)) == {JobStatus.SUCCEEDED}


@pytest.mark.django_db
def test_unknown_kind_is_refused(user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(ValueError, match="no job handler"):
        job_enqueue(kind="no-such-kind", title="?", user=user)
    assert callbacks == []
    assert not Job.objects.exists()
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db
def test_enqueue_queues_exactly_one_task(user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = job_enqueue(kind="test-count", title="数一数", user=user, params={"total": 1})
    assert len(callbacks) == 1
    assert list(DBTaskResult.objects.values_list("args_kwargs", flat=True)) == [
        {"args": [job.pk], "kwargs": {}}
    ]


@pytest.mark.django_db
def test_run_now_in_the_foreground_reports_progress(user):
    job = Job.objects.create(kind="test-count", title="数一数", params={"total": 3}, created_by=user)
    seen = []
    finished = job_run_now(job, echo=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert (finished.status, finished.done, finished.total, finished.result) == (
        JobStatus.SUCCEEDED,
        3,
        3,
        {"counted": 3},
    )


@pytest.mark.django_db
def test_run_now_without_a_total(user):
    job = Job.objects.create(kind="test-silent", title="无总数", created_by=user)
    finished = job_run_now(job)
    assert (finished.status, finished.done, finished.total) == (JobStatus.SUCCEEDED, 7, None)


@pytest.mark.django_db
def test_run_now_records_the_failure_and_raises(user):
    job = Job.objects.create(kind="test-fail", title="会失败", created_by=user)
    with pytest.raises(RuntimeError, match="磁盘已满"):
        job_run_now(job)
    job.refresh_from_db()
    assert (job.status, job.message) == (JobStatus.FAILED, "磁盘已满")


@pytest.mark.django_db
def test_task_skips_a_job_that_is_not_queued(user):
    job = Job.objects.create(
        kind="test-count", title="已完成", params={"total": 2}, status=JobStatus.SUCCEEDED
    )
    run_job.call(job.pk)
    assert CALLS == []
    job.refresh_from_db()
    assert (job.status, job.done) == (JobStatus.SUCCEEDED, 0)


@job_handler("test-language")
def _language_handler(job, progress):
    from django.utils.translation import gettext

    return {"said": gettext("首页")}


@pytest.mark.django_db(transaction=True)
def test_a_job_speaks_the_language_of_whoever_queued_it(run_worker):
    from django.utils import translation

    with translation.override("en"):
        english = job_enqueue(kind="test-language", title="en")
    with translation.override("zh-hans"):
        chinese = job_enqueue(kind="test-language", title="zh")
    run_worker()
    english.refresh_from_db()
    chinese.refresh_from_db()
    assert english.result == {"said": "Home"}
    assert chinese.result == {"said": "首页"}


def _dead_pid() -> int:
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_job_whose_process_died_is_marked_failed_by_its_page(office_user, client_for):
    import os
    import socket

    from django.urls import reverse

    from bangfu.core.jobs import worker_gone

    host = socket.gethostname()

    def running(title: str, worker: str) -> Job:
        return Job.objects.create(
            kind="test-count", title=title, created_by=office_user, status=JobStatus.RUNNING, worker=worker
        )

    dead = running("被中断", f"{host}:{_dead_pid()}")
    alive = running("进行中", f"{host}:{os.getpid()}")
    elsewhere = running("别处", "other-host:1")
    assert worker_gone(dead.worker) and not worker_gone(alive.worker) and not worker_gone(elsewhere.worker)

    response = client_for(office_user).get(reverse("core:job-list"))
    assert response.status_code == 200

    for job in (dead, alive, elsewhere):
        job.refresh_from_db()
    assert dead.status == JobStatus.FAILED and dead.finished_at is not None and "中断" in dead.message
    assert alive.status == JobStatus.RUNNING and elsewhere.status == JobStatus.RUNNING


def test_run_now_records_its_worker(user):
    import os

    job = Job.objects.create(kind="test-silent", title="t", created_by=user)
    job_run_now(job)
    job.refresh_from_db()
    assert job.worker.endswith(f":{os.getpid()}")
