"""Two people booking into the same slot at the same moment never double-book a participant or a table.

Both bookings pass the Python checks (each sees a free slot), then insert concurrently in two real
PostgreSQL transactions; the unique constraints on seats and on active (slot, table) let exactly one
commit, and the other gets a clear BookingError. On SQLite, writers are serialised by the database lock,
so the race cannot happen there; the constraint itself is tested on both in test_events_booking.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from jalin.events import services
from jalin.events.models import Meeting, MeetingSeat
from tests.events_factory import accepted, company_for, join, make_world

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only: SQLite serialises writers"),
]


def race(monkeypatch, bookings):
    """Run ``bookings`` (callables) in threads that all pass their checks before any inserts."""
    barrier = threading.Barrier(len(bookings), timeout=20)
    real = services._create_meeting

    def create_after_everyone_checked(*args, **kwargs):
        barrier.wait()
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "_create_meeting", create_after_everyone_checked)
    outcomes: list = [None] * len(bookings)

    def run(i, booking):
        try:
            outcomes[i] = booking()
        except Exception as exc:  # the outcome is what the test looks at
            outcomes[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, b)) for i, b in enumerate(bookings)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return outcomes


def test_the_same_participant_cannot_be_booked_twice_into_one_slot(people, monkeypatch):
    world = make_world(people)
    Meeting.objects.all().delete()
    world.buyer.fixed_table = None
    world.buyer.save()
    slot, tables = world.slots[0], world.tables
    outcomes = race(
        monkeypatch,
        [
            lambda: services.book(world.own_request, slot, tables[1], actor=None),
            lambda: services.book(world.other_request, slot, tables[2], actor=None),
        ],
    )
    booked = [o for o in outcomes if isinstance(o, Meeting)]
    refused = [o for o in outcomes if isinstance(o, services.BookingError)]
    assert len(booked) == 1 and len(refused) == 1, outcomes
    assert refused[0].code == "double_booking"  # "Someone booked this slot or table a moment ago…"
    assert MeetingSeat.objects.filter(participant=world.buyer, slot=slot).count() == 1
    assert Meeting.objects.count() == 1


def test_the_same_table_cannot_be_booked_twice_into_one_slot(people, monkeypatch):
    world = make_world(people)
    buyer_two = join(world.event, company_for(people["regional_other"].organisation, kind="industry"))
    second = accepted(world.event, world.other, buyer_two)
    world.buyer.fixed_table = None
    world.buyer.save()
    slot, table = world.slots[0], world.tables[1]
    outcomes = race(
        monkeypatch,
        [
            lambda: services.book(world.own_request, slot, table, actor=None),
            lambda: services.book(second, slot, table, actor=None),
        ],
    )
    assert sum(isinstance(o, Meeting) for o in outcomes) == 1, outcomes
    assert sum(isinstance(o, services.BookingError) for o in outcomes) == 1, outcomes
    assert Meeting.objects.filter(slot=slot, table=table).count() == 1
    assert MeetingSeat.objects.filter(slot=slot).count() == 2
