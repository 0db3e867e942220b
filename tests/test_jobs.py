import pytest

from jalin.core.jobs import job_handler, start_job
from jalin.core.models import Job, JobStatus


@job_handler("test.count")
def count_to(job, progress):
    n = job.params["n"]
    progress.total(n)
    for i in range(1, n + 1):
        progress.advance(i)
    if job.params.get("fail"):
        raise RuntimeError("broken on purpose")
    return {"counted": n}


def test_job_runs_with_progress(django_capture_on_commit_callbacks, owner):
    with django_capture_on_commit_callbacks(execute=True):
        job = start_job(kind="test.count", label="count", actor=owner, params={"n": 450})
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and (job.done, job.total, job.percent) == (450, 450, 100)
    assert job.result == {"counted": 450} and job.started and job.finished


def test_failed_job_is_marked(django_capture_on_commit_callbacks, owner):
    # The worker records the failure on the job row (and in its task result) and carries on.
    with django_capture_on_commit_callbacks(execute=True):
        start_job(kind="test.count", label="count", actor=owner, params={"n": 5, "fail": True})
    job = Job.objects.get()
    assert job.status == JobStatus.FAILED and "broken on purpose" in job.message


def test_unknown_kind_refused(owner):
    with pytest.raises(ValueError):
        start_job(kind="nope", label="x", actor=owner)


def test_jobs_are_private(client_for, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = start_job(kind="test.count", label="owner's job", actor=people["owner"], params={"n": 1})
    assert client_for(people["owner"]).get(f"/jobs/{job.pk}/").status_code == 200
    assert client_for(people["officer"]).get(f"/jobs/{job.pk}/").status_code == 200
    assert client_for(people["colleague"]).get(f"/jobs/{job.pk}/").status_code == 404
    assert "owner&#x27;s job" not in client_for(people["outsider"]).get("/jobs/").content.decode()
