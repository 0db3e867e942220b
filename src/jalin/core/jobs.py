"""Background jobs with progress.

An app registers a handler with :func:`job_handler`; :func:`start_job` records a :class:`Job` row
and queues :func:`jalin.core.tasks.run_job` once the transaction commits. The handler receives the
job and a :class:`Progress` it reports through; the jobs page reads the row.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from .models import Job, JobStatus

Handler = Callable[[Job, "Progress"], object]
_HANDLERS: dict[str, Handler] = {}


def job_handler(kind: str) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        _HANDLERS[kind] = func
        return func

    return register


class Progress:
    """Writes progress to the job row, at most every ``every`` items (and always at the end)."""

    def __init__(self, job: Job, every: int = 200):
        self.job = job
        self.every = every

    def total(self, total: int, message: str = "") -> None:
        Job.objects.filter(pk=self.job.pk).update(total=total, message=message[:500])
        self.job.total = total

    def advance(self, done: int, message: str = "", force: bool = False) -> None:
        if force or done == self.job.total or done - self.job.done >= self.every:
            Job.objects.filter(pk=self.job.pk).update(done=done, message=message[:500])
            self.job.done = done


def start_job(*, kind: str, label: str, actor, params: dict | None = None) -> Job:
    if kind not in _HANDLERS:
        raise ValueError(f"No handler registered for job kind {kind!r}.")
    job = Job.objects.create(kind=kind, label=label[:200], owner=actor, params=params or {})
    from .tasks import run_job  # tasks imports this module

    transaction.on_commit(lambda: run_job.enqueue(str(job.pk)))
    return job


def execute(job: Job) -> Job:
    """Run ``job`` in this process: what the worker does, and what tests call directly."""
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started=timezone.now())
    job.refresh_from_db()
    try:
        result = _HANDLERS[job.kind](job, Progress(job))
    except Exception as exc:
        Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, finished=timezone.now(), message=str(exc)[:500])
        raise
    job.refresh_from_db()
    job.status = JobStatus.SUCCEEDED
    job.finished = timezone.now()
    job.done = job.total or job.done
    if result is not None:
        job.result = result
    job.save(update_fields=["status", "finished", "done", "result"])
    return job
