"""Slots from sessions, booking with its checks, release, no-show and rescheduling into freed slots."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from jalin.core.models import ObjectChange
from jalin.events import services
from jalin.events.models import Meeting, MeetingSeat, MeetingStatus, Session, Slot
from tests.events_factory import accepted, make_world

pytestmark = pytest.mark.django_db


def test_slots_follow_sessions_in_the_event_time_zone(people):
    world = make_world(people)
    slots = world.slots
    assert [s.index for s in slots] == [1, 2, 3, 4, 5, 6]
    first = slots[0].starts_at.astimezone(datetime.timezone(datetime.timedelta(hours=7)))
    assert (first.hour, first.minute) == (9, 0)  # 09:00 WIB
    assert slots[1].starts_at - slots[0].starts_at == datetime.timedelta(minutes=20)
    assert {s.session.name for s in slots[:3]} == {"Pagi"}


def test_a_partial_slot_at_the_end_of_a_session_is_not_made(people):
    world = make_world(people)
    session = Session.objects.filter(event=world.event).first()
    session.end = datetime.time(9, 50)  # 2.5 slots of 20 minutes
    session.save()
    services.regenerate_slots(world.event)
    assert Slot.objects.filter(event=world.event, session=session).count() == 2


def test_regenerating_slots_is_refused_once_meetings_are_booked(people):
    world = make_world(people)
    services.book(world.own_request, world.slots[0], world.tables[0], actor=None)
    with pytest.raises(ValidationError, match="already booked"):
        services.regenerate_slots(world.event)


def test_book_writes_the_meeting_two_seats_and_the_change_log(people):
    world = make_world(people)
    meeting = services.book(world.own_request, world.slots[0], world.tables[0], actor=people["officer"])
    assert meeting.status == MeetingStatus.SCHEDULED
    assert set(MeetingSeat.objects.filter(meeting=meeting).values_list("participant_id", flat=True)) == {
        world.own.pk,
        world.buyer.pk,
    }
    assert ObjectChange.objects.filter(object_id=str(meeting.pk), actor=people["officer"]).exists()


def test_booking_explains_every_reason_it_is_refused(people):
    world = make_world(people)
    slot, (fixed, other_table, _third) = world.slots[0], world.tables
    services.book(world.own_request, slot, fixed, actor=None)
    with pytest.raises(services.BookingError) as caught:
        services.book(world.other_request, slot, other_table, actor=None)
    text = " ".join(caught.value.messages)
    assert "already has a meeting in this slot" in text  # the buyer
    assert "receives its meetings at Meja 1" in text  # the buyer's fixed table
    with pytest.raises(services.BookingError, match="already has a meeting"):
        services.book(world.own_request, world.slots[1], fixed, actor=None)


def test_availability_and_cap_are_checked(people):
    world = make_world(people)
    afternoon = Session.objects.get(event=world.event, name="Siang")
    world.own.available_sessions.set([afternoon])
    with pytest.raises(services.BookingError, match="not available"):
        services.book(world.own_request, world.slots[0], world.tables[0], actor=None)
    services.book(world.own_request, world.slots[3], world.tables[0], actor=None)
    world.buyer.max_meetings = 1
    world.buyer.save()
    with pytest.raises(services.BookingError, match="cap of 1"):
        services.book(world.other_request, world.slots[4], world.tables[0], actor=None)


def test_only_accepted_requests_are_booked(people):
    world = make_world(people)
    world.own_request.status = "pending"
    world.own_request.save()
    with pytest.raises(services.BookingError, match="accepted"):
        services.book(world.own_request, world.slots[0], world.tables[0], actor=None)


def test_the_database_refuses_a_double_booking_even_without_the_checks(people):
    world = make_world(people)
    services.book(world.own_request, world.slots[0], world.tables[0], actor=None)
    third = accepted(world.event, world.own, world.other)  # same side, but the point is the seat
    with pytest.raises(services.BookingError, match="a moment ago"):
        services.book(third, world.slots[0], world.tables[1], actor=None, check=False)
    with transaction.atomic(), pytest.raises(IntegrityError):  # the table, too
        Meeting.objects.create(event=world.event, request=third, slot=world.slots[0], table=world.tables[0])
    assert Meeting.objects.count() == 1


def test_only_managers_book(people):
    world = make_world(people)
    for name in ("owner", "buyer", "outsider", "regional_other", "assessor"):
        with pytest.raises(PermissionDenied):
            services.book(world.own_request, world.slots[0], world.tables[0], actor=people[name])
    assert not Meeting.objects.exists()
    assert services.book(world.own_request, world.slots[0], world.tables[0], actor=people["regional"])


def test_no_show_frees_the_slot_and_reschedule_takes_the_first_free_option(people):
    world = make_world(people)
    slots = world.slots
    first = services.book(world.other_request, slots[0], world.tables[0], actor=None)
    services.book(world.own_request, slots[1], world.tables[0], actor=None)
    services.mark_no_show(first, actor=people["officer"], participant=world.other)
    first.refresh_from_db()
    assert first.status == MeetingStatus.NO_SHOW and first.no_show == world.other
    assert not MeetingSeat.objects.filter(meeting=first).exists()
    moved = services.reschedule(first, actor=people["officer"], after=slots[0].starts_at)
    # slot 1 is free again but the buyer meets own in slot 2: the earliest free option is slot 1 itself
    assert moved.slot == slots[0] and moved.table == world.tables[0]
    assert moved.rescheduled_from == first
    first.refresh_from_db()
    assert first.status == MeetingStatus.NO_SHOW  # kept for the statistics
    with pytest.raises(ValidationError, match="already been rescheduled"):
        services.reschedule(first, actor=people["officer"], after=slots[0].starts_at)


def test_reschedule_skips_busy_slots_and_says_when_nothing_is_free(people):
    world = make_world(people, slots_per_session=1)
    slots = world.slots
    first = services.book(world.other_request, slots[0], world.tables[0], actor=None)
    services.book(world.own_request, slots[1], world.tables[0], actor=None)
    services.mark_no_show(first, actor=None)
    options = services.free_options(first.request, after=slots[1].starts_at)
    assert options == []  # the buyer is busy in the only later slot
    with pytest.raises(services.BookingError, match="no later slot"):
        services.reschedule(first, actor=None, after=slots[1].starts_at)


def test_reschedule_refuses_an_active_meeting_and_release_refuses_twice(people):
    world = make_world(people)
    meeting = services.book(world.own_request, world.slots[0], world.tables[0], actor=None)
    with pytest.raises(ValidationError, match="still on the schedule"):
        services.reschedule(meeting, actor=None)
    services.release(meeting, status=MeetingStatus.CANCELLED, actor=None)
    with pytest.raises(ValidationError, match="already"):
        services.release(meeting, status=MeetingStatus.CANCELLED, actor=None)


def test_mark_held_and_check_in(people):
    world = make_world(people)
    meeting = services.book(world.own_request, world.slots[0], world.tables[0], actor=None)
    services.mark_held(meeting, actor=people["officer"])
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    with pytest.raises(ValidationError):
        services.mark_held(meeting, actor=people["officer"])
    with pytest.raises(PermissionDenied):
        services.check_in(world.own, actor=people["owner"])
    first = services.check_in(world.own, actor=people["regional"]).checked_in_at
    assert first is not None
    assert services.check_in(world.own, actor=people["officer"]).checked_in_at == first


def test_a_withdrawing_participant_loses_its_scheduled_meetings(people):
    world = make_world(people)
    services.book(world.own_request, world.slots[0], world.tables[0], actor=None)
    services.book(world.other_request, world.slots[1], world.tables[0], actor=None)
    assert services.cancel_meetings_of(world.buyer, actor=None) == 2
    assert not MeetingSeat.objects.exists()
