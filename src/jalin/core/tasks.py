from django_tasks import task

from .models import Job


@task()
def run_job(job_id: str) -> None:
    from .jobs import execute

    job = Job.objects.filter(pk=job_id).first()
    if job is not None:
        execute(job)
