"""The events pages and messages speak Indonesian by default (the other events tests read English)."""

from __future__ import annotations

import pytest
from django.utils import translation

from jalin.events import services
from tests.events_factory import make_world

pytestmark = pytest.mark.django_db


def test_pages_are_indonesian_by_default(client, people):
    world = make_world(people)
    client.force_login(people["officer"])
    html = client.get(f"/events/{world.event.pk}/schedule/").content.decode()
    assert 'lang="id"' in html
    assert "Jalankan penjadwal" in html and "Temu bisnis" in html
    overview = client.get(f"/events/{world.event.pk}/").content.decode()
    assert "Peserta" in overview


def test_booking_errors_are_indonesian_by_default(people):
    world = make_world(people)
    services.book(world.own_request, world.slots[0], world.tables[0], actor=None)
    with translation.override("id"), pytest.raises(services.BookingError) as caught:
        services.book(world.other_request, world.slots[0], world.tables[0], actor=None)
    assert "sudah memiliki pertemuan pada slot ini" in " ".join(caught.value.messages)
