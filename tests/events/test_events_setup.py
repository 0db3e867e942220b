"""Event setup services and pages: status workflow, sessions and slots, tables, participants, invitations."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from jalin.events import services, setup
from jalin.events.models import (
    Event,
    EventStatus,
    Meeting,
    MeetingRequest,
    MeetingTable,
    Participant,
    ParticipantStatus,
    RequestStatus,
    Session,
    Slot,
)
from tests.events_factory import company_for, make_event, make_world

pytestmark = pytest.mark.django_db


def test_session_overlap_and_dates_refused(people):
    event = make_event(status=EventStatus.DRAFT)
    officer = people["officer"]
    with pytest.raises(ValidationError) as err:
        setup.save_session(
            event, actor=officer, name="Clash", date=event.starts_on, start=datetime.time(9, 30), end=datetime.time(10)
        )
    assert "start" in err.value.error_dict
    with pytest.raises(ValidationError) as err:
        setup.save_session(
            event,
            actor=officer,
            name="Later",
            date=event.starts_on + datetime.timedelta(days=3),
            start=datetime.time(15),
            end=datetime.time(16),
        )
    assert "date" in err.value.error_dict
    with pytest.raises(ValidationError):
        setup.save_session(
            event, actor=officer, name="Back", date=event.starts_on, start=datetime.time(16), end=datetime.time(15)
        )


def test_session_regenerates_slots_and_is_refused_after_booking(people):
    world = make_world(people)
    officer = people["officer"]
    before = Slot.objects.filter(event=world.event).count()
    setup.save_session(
        world.event,
        actor=officer,
        name="Sore",
        date=world.event.starts_on,
        start=datetime.time(15),
        end=datetime.time(16),
    )
    assert Slot.objects.filter(event=world.event).count() == before + 3
    services.book(world.own_request, world.slots[0], world.tables[0], actor=officer)
    with pytest.raises(ValidationError, match="already booked"):
        setup.save_session(
            world.event,
            actor=officer,
            name="Malam",
            date=world.event.starts_on,
            start=datetime.time(19),
            end=datetime.time(20),
        )
    assert not Session.objects.filter(name="Malam").exists()


def test_status_workflow_checks_and_publish_expires(people):
    officer = people["officer"]
    event = Event.objects.create(
        reference="EMPTY",
        name="Empty",
        venue="X",
        starts_on=datetime.date(2030, 1, 1),
        ends_on=datetime.date(2030, 1, 1),
    )
    with pytest.raises(ValidationError, match="no slots"):
        setup.set_status(event, actor=officer, status=EventStatus.OPEN)
    world = make_world(people)
    pending = MeetingRequest.objects.create(
        event=world.event, requester=world.buyer, recipient=world.other, status=RequestStatus.PENDING
    )
    MeetingRequest.objects.filter(pk=world.other_request.pk).delete()
    setup.set_status(world.event, actor=officer, status=EventStatus.PUBLISHED)
    pending.refresh_from_db()
    assert pending.status == RequestStatus.EXPIRED
    with pytest.raises(ValidationError):
        setup.set_status(world.event, actor=officer, status=EventStatus.DRAFT)


def test_requests_close_expires_lazily_on_page_load(people, client_for):
    world = make_world(people)
    pending = MeetingRequest.objects.create(
        event=world.event, requester=world.buyer, recipient=world.other, status=RequestStatus.PENDING
    )
    MeetingRequest.objects.filter(pk=world.other_request.pk).delete()
    Event.objects.filter(pk=world.event.pk).update(requests_close=timezone.now() - datetime.timedelta(hours=1))
    assert client_for(people["owner"]).get(f"/events/{world.event.pk}/").status_code == 200
    pending.refresh_from_db()
    assert pending.status == RequestStatus.EXPIRED


def test_tables_numbered_and_used_table_kept(people):
    world = make_world(people)
    officer = people["officer"]
    made = setup.add_tables(world.event, actor=officer, count=2)
    assert [t.label for t in made] == ["Meja 4", "Meja 5"]
    with pytest.raises(ValidationError):
        setup.add_table(world.event, actor=officer, label="meja 4")
    services.book(world.own_request, world.slots[0], world.tables[0], actor=officer)
    with pytest.raises(ValidationError, match="has meetings"):
        setup.delete_table(world.tables[0], actor=officer)
    setup.delete_table(made[0], actor=officer)
    assert not MeetingTable.objects.filter(pk=made[0].pk).exists()


def test_register_side_and_decline(people):
    world = make_world(people)
    from tests.conftest import make_org

    colleague_company = company_for(make_org("PT Klaten Baru", "ikm", "33.10"))
    participant = setup.add_participant(
        world.event, colleague_company, actor=people["officer"], status=ParticipantStatus.INVITED
    )
    assert participant.side == "ikm" and participant.invited_by == people["officer"]
    with pytest.raises(ValidationError, match="already takes part"):
        setup.add_participant(world.event, colleague_company, actor=people["officer"])
    # the owner's company is registered already: registering again is harmless
    assert setup.register(world.event, actor=people["owner"]).status == ParticipantStatus.REGISTERED


def test_decline_invitation_closes_requests(people):
    world = make_world(people)
    Participant.objects.filter(pk=world.other.pk).update(status=ParticipantStatus.INVITED)
    setup.decline_invitation(world.other, actor=people["outsider"])
    world.other.refresh_from_db()
    world.other_request.refresh_from_db()
    assert world.other.status == ParticipantStatus.DECLINED
    assert world.other_request.status == RequestStatus.WITHDRAWN


def _need_with_shortlist(people, world):
    from jalin.matching.models import Candidate, CandidateStatus
    from jalin.sourcing.models import Need

    need = Need.objects.create(
        buyer=world.buyer.company, reference="N-EV-1", title="Knalpot", status="open", annual_volume=1000
    )
    from tests.conftest import make_org

    newcomer = company_for(make_org("CV Baru Klaten", "ikm", "33.10"))
    return need, Candidate.objects.create(need=need, company=newcomer, status=CandidateStatus.SHORTLISTED)


def test_invite_idempotent_and_moves_candidate(people):
    from jalin.matching.models import CandidateStatus

    world = make_world(people)
    _need, candidate = _need_with_shortlist(people, world)
    chosen = list(setup.invitable_candidates(world.event, people["officer"]))
    assert chosen == [candidate]
    result = setup.invite(world.event, chosen, actor=people["officer"])
    assert (len(result.invited), result.requests, result.moved) == (1, 1, 1)
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.INVITED
    ikm = Participant.objects.get(event=world.event, company=candidate.company)
    assert ikm.status == ParticipantStatus.INVITED
    request = MeetingRequest.objects.get(requester=world.buyer, recipient=ikm)
    assert request.status == RequestStatus.PENDING and request.candidate == candidate
    counts = (Participant.objects.count(), MeetingRequest.objects.count())
    again = setup.invite(world.event, [candidate], actor=people["officer"])
    assert (len(again.invited), again.requests, again.moved) == (0, 0, 0)
    assert (Participant.objects.count(), MeetingRequest.objects.count()) == counts


def test_invite_by_regional_officer_leaves_candidate(people):
    from jalin.matching.models import CandidateStatus

    world = make_world(people)
    _need, candidate = _need_with_shortlist(people, world)
    result = setup.invite(world.event, [candidate], actor=people["regional"])
    assert result.requests == 1 and result.moved == 0 and len(result.not_moved) == 1
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.SHORTLISTED


# ---------------------------------------------------------------------------------------------- pages


def test_pages_render_for_officer(people, client_for):
    world = make_world(people)
    client = client_for(people["officer"])
    pk = world.event.pk
    for url in [
        "/events/",
        "/events/?status=open&year=2030&q=LM&sort=name",
        "/events/new/",
        f"/events/{pk}/",
        f"/events/{pk}/edit/",
        f"/events/{pk}/sessions/",
        f"/events/{pk}/tables/",
        f"/events/{pk}/participants/",
        f"/events/{pk}/participants/?company=Logam",
        f"/events/{pk}/participants/{world.own.pk}/",
        f"/events/{pk}/participants/{world.own.pk}/edit/",
        f"/events/{pk}/invite/",
        f"/events/{pk}/requests/",
        f"/events/{pk}/history/",
        f"/events/{pk}/delete/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url


def test_event_form_shows_errors(people, client_for):
    client = client_for(people["officer"])
    response = client.post(
        "/events/new/", {"reference": "", "name": "", "starts_on": "2030-02-02", "ends_on": "2030-02-01"}
    )
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    assert not Event.objects.exists()


def test_event_create_then_session_and_tables(people, client_for):
    from jalin.regions.models import Region

    client = client_for(people["officer"])
    response = client.post(
        "/events/new/",
        {
            "reference": "lm-2031",
            "name": "Link and Match 2031",
            "venue": "Hotel",
            "region": Region.objects.get(code="33.28").pk,
            "starts_on": "2031-03-01",
            "ends_on": "2031-03-01",
            "timezone": "Asia/Jakarta",
            "slot_minutes": 20,
            "max_meetings": 8,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = Event.objects.get(reference="LM-2031")
    response = client.post(
        f"/events/{event.pk}/sessions/", {"name": "Pagi", "date": "2031-03-01", "start": "09:00", "end": "10:00"}
    )
    assert response.status_code == 302
    assert Slot.objects.filter(event=event).count() == 3
    response = client.post(
        f"/events/{event.pk}/sessions/", {"name": "Clash", "date": "2031-03-01", "start": "09:30", "end": "10:30"}
    )
    assert response.status_code == 400 and "overlaps" in response.content.decode()
    client.post(f"/events/{event.pk}/tables/", {"action": "add_many", "count": 4, "prefix": "Meja"})
    assert MeetingTable.objects.filter(event=event).count() == 4
    client.post(f"/events/{event.pk}/status/", {"status": "open"})
    event.refresh_from_db()
    assert event.status == EventStatus.OPEN


def test_regional_officer_event_outside_area_refused(people, client_for):
    from jalin.regions.models import Region

    client = client_for(people["regional"])
    response = client.post(
        "/events/new/",
        {
            "reference": "X-1",
            "name": "Elsewhere",
            "venue": "Hall",
            "region": Region.objects.get(code="33.10").pk,
            "starts_on": "2031-03-01",
            "ends_on": "2031-03-01",
            "timezone": "Asia/Jakarta",
            "slot_minutes": 20,
            "max_meetings": 8,
        },
    )
    assert response.status_code == 400
    assert not Event.objects.filter(reference="X-1").exists()


def test_delete_only_drafts_without_meetings(people):
    world = make_world(people, status=EventStatus.DRAFT)
    services.book(world.own_request, world.slots[0], world.tables[0], actor=people["officer"])
    with pytest.raises(ValidationError):
        setup.delete_event(world.event, actor=people["officer"])
    Meeting.objects.all().delete()
    setup.delete_event(world.event, actor=people["officer"])
    assert not Event.objects.filter(pk=world.event.pk).exists()
