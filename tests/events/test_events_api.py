"""The events API: reads restricted like the pages; requests created as one's own participant, answered and
withdrawn; the OpenAPI schema generates without warnings."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from jalin.events import services
from jalin.events.models import MeetingRequest, RequestStatus
from tests.events_factory import make_world

pytestmark = pytest.mark.django_db


def client(user) -> APIClient:
    c = APIClient()
    if user is not None:
        c.force_authenticate(user)
    return c


def test_reads_follow_the_pages(people):
    world = make_world(people)
    assert client(None).get("/api/events/").status_code in (401, 403)
    assert client(people["assessor"]).get("/api/events/").json()["count"] == 1
    rows = client(people["outsider"]).get(f"/api/event-participants/?event={world.event.pk}").json()["results"]
    assert {r["id"] for r in rows} == {world.buyer.pk, world.own.pk, world.other.pk}
    assert client(people["assessor"]).get("/api/event-participants/").json()["count"] == 0
    mine = client(people["owner"]).get("/api/meeting-requests/").json()["results"]
    assert [r["id"] for r in mine] == [world.own_request.pk]
    services.book(world.own_request, world.slots[0], world.tables[0], actor=people["officer"])
    assert client(people["owner"]).get(f"/api/meetings/?event={world.event.pk}").json()["count"] == 1
    assert client(people["outsider"]).get("/api/meetings/").json()["count"] == 0


def test_create_respond_withdraw(people):
    world = make_world(people)
    MeetingRequest.objects.filter(pk=world.own_request.pk).delete()
    owner = client(people["owner"])
    response = owner.post("/api/meeting-requests/", {"recipient": world.buyer.pk, "priority": "must"}, format="json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert response.json()["requester"] == world.own.pk
    same_side = owner.post("/api/meeting-requests/", {"recipient": world.other.pk}, format="json")
    assert same_side.status_code == 400
    assert client(people["assessor"]).post(
        "/api/meeting-requests/", {"recipient": world.buyer.pk}, format="json"
    ).status_code in (400, 403)
    assert owner.post(f"/api/meeting-requests/{pk}/respond/", {"accept": True}, format="json").status_code == 403
    answer = client(people["buyer"]).post(f"/api/meeting-requests/{pk}/respond/", {"accept": True}, format="json")
    assert answer.status_code == 200 and answer.json()["status"] == RequestStatus.ACCEPTED
    assert client(people["buyer"]).post(f"/api/meeting-requests/{pk}/withdraw/").status_code == 403
    gone = owner.post(f"/api/meeting-requests/{pk}/withdraw/")
    assert gone.status_code == 200 and gone.json()["status"] == RequestStatus.WITHDRAWN


def test_schema_without_warnings(settings):
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    assert not GENERATOR_STATS._warn_cache, list(GENERATOR_STATS._warn_cache)
    assert not GENERATOR_STATS._error_cache, list(GENERATOR_STATS._error_cache)
    assert "/api/meeting-requests/{id}/respond/" in schema["paths"]


def test_api_matrix(client_for, people):
    """Every events endpoint × every named user: the allowed get through, the others are refused and nothing
    changes (session authentication, JSON bodies)."""
    from jalin.events.models import Meeting, Participant
    from tests.authz import Case, assert_matrix

    world = make_world(people)
    meeting = services.book(world.other_request, world.slots[0], world.tables[0], actor=None)
    world.own_request.status = RequestStatus.PENDING
    world.own_request.save()
    signed_in = {"officer", "regional", "regional_other", "owner", "colleague", "outsider", "buyer", "assessor"}
    participants = {"officer", "regional", "owner", "colleague", "outsider", "buyer"}
    parties_own = {"officer", "regional", "owner", "colleague", "buyer"}
    parties_other = {"officer", "regional", "outsider", "buyer"}  # the other IKM's meeting with the buyer
    objects = {"world": world, "meeting": meeting}
    json = "application/json"
    cases = [
        Case("events", lambda o: "/api/events/", signed_in),
        Case("event", lambda o: f"/api/events/{o['world'].event.pk}/", signed_in),
        # Fellow participants see each other; the Klaten office and the assessor take no part in this event.
        Case("participant", lambda o: f"/api/event-participants/{o['world'].own.pk}/", participants),
        Case("request", lambda o: f"/api/meeting-requests/{o['world'].own_request.pk}/", parties_own),
        Case("meeting", lambda o: f"/api/meetings/{o['meeting'].pk}/", parties_other),
        Case(
            "respond",
            lambda o: f"/api/meeting-requests/{o['world'].own_request.pk}/respond/",
            {"officer", "regional", "buyer"},
            method="post",
            data=lambda o: '{"accept": true}',
            content_type=json,
        ),
        Case(
            "withdraw",
            lambda o: f"/api/meeting-requests/{o['world'].own_request.pk}/withdraw/",
            {"officer", "regional", "owner", "colleague"},
            method="post",
            data=lambda o: "{}",
            content_type=json,
        ),
    ]
    assert_matrix(client_for, people, cases, objects=objects, watch=[MeetingRequest, Meeting, Participant])
