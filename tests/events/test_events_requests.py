"""Meeting requests: mutual recognition, same-side refusal, duplicates, answers, withdrawal cancelling a
booked meeting, and the request pages."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from jalin.events import services, setup
from jalin.events.models import (
    EventStatus,
    Meeting,
    MeetingRequest,
    MeetingStatus,
    Priority,
    RequestStatus,
)
from tests.events_factory import make_world

pytestmark = pytest.mark.django_db


def test_mutual_recognition_accepts_and_keeps_one_request(people):
    world = make_world(people)
    MeetingRequest.objects.all().delete()
    first = setup.create_request(world.buyer, world.own, actor=people["buyer"], priority=Priority.MAYBE)
    assert first.created and first.request.status == RequestStatus.PENDING
    second = setup.create_request(world.own, world.buyer, actor=people["owner"], priority=Priority.MUST)
    assert second.mutual and not second.created
    request = MeetingRequest.objects.get()
    assert request.status == RequestStatus.ACCEPTED and request.mutual
    assert request.priority == Priority.MUST
    with pytest.raises(ValidationError, match="already agreed"):
        setup.create_request(world.own, world.buyer, actor=people["owner"])


def test_same_side_and_duplicates_refused(people):
    world = make_world(people)
    with pytest.raises(ValidationError, match="both on the IKM side"):
        setup.create_request(world.own, world.other, actor=people["owner"])
    with pytest.raises(ValidationError, match="already asked"):
        setup.create_request(world.own, world.buyer, actor=people["owner"])


def test_someone_else_cannot_ask_for_a_company(people):
    from django.core.exceptions import PermissionDenied

    world = make_world(people)
    with pytest.raises(PermissionDenied):
        setup.create_request(world.own, world.buyer, actor=people["outsider"])


def test_closed_requests_refused(people):
    world = make_world(people, status=EventStatus.PUBLISHED)
    MeetingRequest.objects.all().delete()
    with pytest.raises(ValidationError, match="closed"):
        setup.create_request(world.own, world.buyer, actor=people["owner"])


def test_respond_and_withdraw_cancel_meeting(people):
    world = make_world(people)
    officer = people["officer"]
    meeting = services.book(world.own_request, world.slots[0], world.tables[0], actor=officer)
    setup.withdraw(world.own_request, actor=people["owner"])
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED
    other_meeting = services.book(world.other_request, world.slots[1], world.tables[0], actor=officer)
    setup.respond(world.other_request, actor=people["buyer"], accept=False, reason="Full")
    other_meeting.refresh_from_db()
    world.other_request.refresh_from_db()
    assert other_meeting.status == MeetingStatus.CANCELLED
    assert world.other_request.status == RequestStatus.DECLINED and world.other_request.decline_reason == "Full"


def test_recipient_only_answers(people):
    from django.core.exceptions import PermissionDenied

    world = make_world(people)
    with pytest.raises(PermissionDenied):
        setup.respond(world.own_request, actor=people["owner"], accept=False)


def test_withdrawn_request_can_be_sent_again(people):
    world = make_world(people)
    setup.withdraw(world.own_request, actor=people["owner"])
    result = setup.create_request(world.own, world.buyer, actor=people["owner"], priority=Priority.MUST)
    assert result.request.pk == world.own_request.pk and result.request.status == RequestStatus.PENDING


# ---------------------------------------------------------------------------------------------- pages


def test_request_pages_flow(people, client_for):
    world = make_world(people)
    MeetingRequest.objects.filter(pk=world.own_request.pk).delete()
    pk = world.event.pk
    owner = client_for(people["owner"])
    page = owner.get(f"/events/{pk}/participants/")
    assert "Request a meeting" in page.content.decode() or "Minta" in page.content.decode()
    assert owner.get(f"/events/{pk}/requests/new/?to={world.buyer.pk}").status_code == 200
    same_side = owner.get(f"/events/{pk}/requests/new/?to={world.other.pk}")
    assert same_side.status_code == 200 and "IKM" in same_side.content.decode()
    response = owner.post(f"/events/{pk}/requests/new/", {"to": world.buyer.pk, "priority": "must", "message": "Hi"})
    assert response.status_code == 302
    request = MeetingRequest.objects.get(requester=world.own)
    assert request.status == RequestStatus.PENDING and request.priority == Priority.MUST
    duplicate = owner.post(f"/events/{pk}/requests/new/", {"to": world.buyer.pk, "priority": "want"})
    assert duplicate.status_code == 400
    buyer = client_for(people["buyer"])
    listing = buyer.get(f"/events/{pk}/requests/?box=in")
    assert world.own.company.legal_name in listing.content.decode()
    assert buyer.post(f"/events/{pk}/requests/{request.pk}/respond/", {"answer": "accept"}).status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.ACCEPTED and request.responded_by == people["buyer"]
    for box in ("in", "out"):
        assert owner.get(f"/events/{pk}/requests/?box={box}&status=accepted&priority=must&mutual=1").status_code == 200
    assert client_for(people["officer"]).get(f"/events/{pk}/requests/?box=all").status_code == 200


def test_request_from_candidate(people, client_for):
    from tests.events.test_events_setup import _need_with_shortlist

    world = make_world(people)
    _need, candidate = _need_with_shortlist(people, world)
    setup.invite(world.event, [candidate], actor=people["officer"])
    MeetingRequest.objects.filter(candidate=candidate).delete()
    response = client_for(people["buyer"]).post(
        f"/events/{world.event.pk}/requests/from-candidate/{candidate.pk}/", {"priority": "must"}
    )
    assert response.status_code == 302
    request = MeetingRequest.objects.get(candidate=candidate)
    assert request.requester == world.buyer and request.priority == Priority.MUST
    assert Meeting.objects.count() == 0


def test_candidates_page_offers_a_meeting_at_open_events_of_the_buyer(client_for, people):
    """From the need's candidates (matching), the buyer asks a shortlisted IKM to meet at an open event."""
    from jalin.matching.models import Candidate, CandidateStatus
    from jalin.sourcing.models import Need

    world = make_world(people)
    need = Need.objects.create(buyer=world.buyer.company, reference="N-EV-2", title="Knalpot", status="open")
    candidate = Candidate.objects.create(need=need, company=world.other.company, status=CandidateStatus.SHORTLISTED)
    MeetingRequest.objects.filter(pk=world.other_request.pk).delete()
    client = client_for(people["buyer"])
    page = client.get(f"/matching/needs/{need.pk}/candidates/").content.decode()
    action = f"/events/{world.event.pk}/requests/from-candidate/{candidate.pk}/"
    assert f"Ask to meet at {world.event.reference}" in page and action in page
    client.post(action, {"next": f"/matching/needs/{need.pk}/candidates/"})
    request = MeetingRequest.objects.get(requester=world.buyer, recipient=world.other)
    assert request.candidate == candidate
    # An IKM never sees the button (it does not see the candidates page at all).
    assert client_for(people["owner"]).get(f"/matching/needs/{need.pk}/candidates/").status_code in (403, 404)
