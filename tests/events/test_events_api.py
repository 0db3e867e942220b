"""The events API: reads restricted like the pages; requests created as one's own participant, answered and
withdrawn; the OpenAPI schema generates without warnings."""

from __future__ import annotations

import pytest
from django.urls import include, path
from rest_framework.routers import DefaultRouter
from rest_framework.test import APIClient

from jalin.events import api, services
from jalin.events.models import MeetingRequest, RequestStatus
from tests.events_factory import make_world

router = DefaultRouter()
router.register("events", api.EventViewSet)
router.register("event-participants", api.ParticipantViewSet)
router.register("meeting-requests", api.MeetingRequestViewSet)
router.register("meetings", api.MeetingViewSet)
urlpatterns = [path("api/", include(router.urls)), path("", include("jalin.urls"))]

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.events.test_events_api")]


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
    schema = SchemaGenerator(urlconf="tests.events.test_events_api").get_schema(request=None, public=True)
    validate_schema(schema)
    assert not GENERATOR_STATS._warn_cache, list(GENERATOR_STATS._warn_cache)
    assert not GENERATOR_STATS._error_cache, list(GENERATOR_STATS._error_cache)
    assert "/api/meeting-requests/{id}/respond/" in schema["paths"]
