"""Authorisation matrix over the schedule routes: only those who run the event (programme officers, the
regional officer of the event's region) see the schedule, start the scheduler and lock meetings."""

from __future__ import annotations

from jalin.core.models import Job
from jalin.events import services
from jalin.events.models import Meeting, ScheduleRun
from jalin.events.planning import SCHEDULE_JOB
from tests.authz import Case, assert_matrix
from tests.events_factory import make_world

MANAGERS = frozenset({"officer", "regional"})


def test_schedule_routes(client_for, people):
    world = make_world(people)
    meeting = services.book(world.own_request, world.slots[0], world.tables[0], actor=None)
    job = Job.objects.create(kind=SCHEDULE_JOB, label="s", owner=people["officer"], params={"event": world.event.pk})
    objects = {"event": world.event, "meeting": meeting, "job": job}
    base = f"/events/{world.event.pk}"
    cases = [
        Case("schedule page", lambda o: f"{base}/schedule/", MANAGERS),
        Case("schedule page with job", lambda o: f"{base}/schedule/?job={o['job'].pk}&tables=0", MANAGERS),
        Case("job status", lambda o: f"{base}/schedule/job/{o['job'].pk}/", MANAGERS),
        Case(
            "run",
            lambda o: f"{base}/schedule/run/",
            MANAGERS,
            method="post",
            data=lambda o: {"time_limit": "10"},
            allowed_status=(302,),
        ),
        Case(
            "lock",
            lambda o: f"{base}/meetings/{o['meeting'].pk}/lock/",
            MANAGERS,
            method="post",
            data=lambda o: {},
            allowed_status=(302,),
        ),
    ]
    assert_matrix(client_for, people, cases, objects=objects, watch=[Meeting, ScheduleRun, Job])


def test_schedule_page_shows_the_grid_runs_and_left_out_requests(client_for, people):
    from jalin.events import planning

    world = make_world(people)
    world.buyer.max_meetings = 1
    world.buyer.save()
    planning.schedule_event(world.event, actor=people["officer"], time_limit=5)
    page = client_for(people["officer"]).get(f"/events/{world.event.pk}/schedule/?lang=en")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Meja 1" in html and world.other.company.legal_name in html
    assert "0.00 %" in html  # the gap of an optimal run
    assert "Accepted requests left out" in html and world.own.company.legal_name in html


def test_run_starts_a_job_and_refuses_odd_time_limits(client_for, people):
    world = make_world(people)
    client = client_for(people["officer"])
    response = client.post(f"/events/{world.event.pk}/schedule/run/", {"time_limit": "7"})
    assert response.status_code == 302 and not Job.objects.exists()
    response = client.post(f"/events/{world.event.pk}/schedule/run/", {"time_limit": "10"})
    job = Job.objects.get(kind=SCHEDULE_JOB)
    assert response["Location"].endswith(f"?job={job.pk}")
    assert job.params == {"event": world.event.pk, "time_limit": 10}


def test_lock_toggles_and_is_logged(client_for, people):
    world = make_world(people)
    meeting = services.book(world.own_request, world.slots[0], world.tables[0], actor=None)
    client = client_for(people["officer"])
    client.post(f"/events/{world.event.pk}/meetings/{meeting.pk}/lock/", {"next": "https://evil.example/"})
    meeting.refresh_from_db()
    assert meeting.locked
    response = client.post(f"/events/{world.event.pk}/meetings/{meeting.pk}/lock/", {"next": "https://evil.example/"})
    assert response["Location"] == f"/events/{world.event.pk}/schedule/"
    meeting.refresh_from_db()
    assert not meeting.locked
