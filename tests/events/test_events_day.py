"""The day itself: check-in (search and QR code), the live board, held and no-show marking, rescheduling."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType

from jalin.core.models import ObjectChange
from jalin.events import services
from jalin.events.models import Meeting, MeetingStatus, Participant, Session
from tests.events_factory import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(people):
    world = make_world(people)
    slots, tables = world.slots, world.tables
    world.own_meeting = services.book(world.own_request, slots[0], tables[0], actor=None)
    world.other_meeting = services.book(world.other_request, slots[2], tables[0], actor=None)
    return world


def url(world, suffix):
    return f"/events/{world.event.pk}/{suffix}"


def changes_of(obj) -> int:
    return ObjectChange.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    ).count()


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# ------------------------------------------------------------------------------------------- check-in


def test_checkin_page_counts_and_lists_the_not_yet_arrived_by_first_meeting(world, people, client_for):
    response = client_for(people["officer"]).get(url(world, "checkin/"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "0 / 3" in html
    waiting = [p.company.legal_name for p in response.context["waiting"]]
    # The buyer and the owner's IKM meet at 09.00; the outsider's IKM at 09.40.
    assert waiting[-1] == world.other.company.legal_name
    assert "09.40" in html


def test_checkin_search_live_results_fragment(world, people, client_for):
    client = client_for(people["regional"])
    response = client.get(url(world, "checkin/?partial=results&q=logam"), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html  # only the results, for htmx
    assert world.own.company.legal_name in html and world.other.company.legal_name not in html
    full = client.get(url(world, "checkin/?q=zzz-nobody")).content.decode()
    assert "zzz-nobody" in full and "<html" in full


def test_checkin_search_by_representative(world, people, client_for):
    world.other.representatives.create(name="Bu Wulan Sari")
    html = client_for(people["officer"]).get(url(world, "checkin/?q=wulan")).content.decode()
    assert world.other.company.legal_name in html


def test_checkin_is_idempotent_and_logged(world, people, client_for):
    client = client_for(people["officer"])
    response = client.post(url(world, "checkin/"), {"participant": world.own.pk}, follow=True)
    assert any("checked in" in m for m in messages_of(response))
    world.own.refresh_from_db()
    first = world.own.checked_in_at
    assert first is not None and changes_of(world.own) == 1
    response = client.post(url(world, "checkin/"), {"participant": world.own.pk}, follow=True)
    assert any("already" in m for m in messages_of(response))
    world.own.refresh_from_db()
    assert world.own.checked_in_at == first and changes_of(world.own) == 1
    assert "1 / 3" in client.get(url(world, "checkin/")).content.decode()


def test_checkin_of_unknown_or_foreign_participant_is_404(world, people, client_for):
    from tests.events_factory import company_for, join, make_event

    elsewhere = make_event(reference="LM-X")
    stranger = join(elsewhere, company_for(people["owner"].organisation))
    client = client_for(people["officer"])
    assert client.post(url(world, "checkin/"), {"participant": stranger.pk}).status_code == 404
    assert client.post(url(world, "checkin/"), {"participant": "x"}).status_code == 404
    stranger.refresh_from_db()
    assert stranger.checked_in_at is None


# -------------------------------------------------------------------------------------- the QR code page


def test_officer_scans_code_and_checks_in_with_one_button(world, people, client_for):
    client = client_for(people["regional"])
    page = url(world, f"checkin/{world.own.checkin_code}/")
    html = client.get(page).content.decode()
    assert world.own.company.legal_name in html and 'data-testid="checkin-button"' in html
    response = client.post(page)
    assert response.status_code == 302
    world.own.refresh_from_db()
    assert world.own.checked_in_at is not None
    assert 'data-testid="checkin-button"' not in client.get(page).content.decode()


def test_participant_scanning_its_own_code_sees_its_agenda_link(world, people, client_for):
    client = client_for(people["owner"])
    page = url(world, f"checkin/{world.own.checkin_code}/")
    html = client.get(page).content.decode()
    assert f"/events/{world.event.pk}/agenda/{world.own.pk}/" in html
    assert 'data-testid="checkin-button"' not in html
    assert client.post(page).status_code == 403
    world.own.refresh_from_db()
    assert world.own.checked_in_at is None


def test_wrong_or_foreign_code_is_404(world, people, client_for):
    import uuid

    assert client_for(people["officer"]).get(url(world, f"checkin/{uuid.uuid4()}/")).status_code == 404
    assert client_for(people["outsider"]).get(url(world, f"checkin/{world.own.checkin_code}/")).status_code == 404
    assert client_for(people["buyer"]).get(url(world, f"checkin/{world.own.checkin_code}/")).status_code == 404


def test_cancelled_participant_is_not_checked_in(world, people, client_for):
    Participant.objects.filter(pk=world.other.pk).update(status="cancelled")
    client = client_for(people["officer"])
    response = client.post(url(world, f"checkin/{world.other.checkin_code}/"), follow=True)
    assert any("not expected" in m for m in messages_of(response))
    world.other.refresh_from_db()
    assert world.other.checked_in_at is None


# ------------------------------------------------------------------------------------------------ board


def test_board_shows_current_and_next_slot_with_arrival(world, people, client_for):
    services.check_in(world.own, actor=None)
    response = client_for(people["officer"]).get(url(world, "board/"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'hx-trigger="every 20s"' in html and f"/events/{world.event.pk}/board/fragment/" in html
    assert 'data-testid="board-slot-1"' in html and 'data-testid="board-slot-2"' in html
    assert 'data-testid="board-slot-3"' not in html
    assert world.own.company.legal_name in html and "Meja 3" in html
    assert f'data-testid="noshow-{world.own_meeting.pk}-{world.own.pk}"' in html
    assert 'class="dot in"' in html


def test_board_fragment_follows_the_chosen_slot(world, people, client_for):
    response = client_for(people["regional"]).get(url(world, "board/fragment/?slot=3"))
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert 'data-testid="board-slot-3"' in html and 'data-testid="board-slot-4"' in html
    assert world.other.company.legal_name in html
    assert "fragment/?slot=3" in html  # keeps polling the same slot


# ---------------------------------------------------------------------------------- held and no-show


def test_mark_held_is_logged(world, people, client_for):
    response = client_for(people["officer"]).post(url(world, f"meetings/{world.own_meeting.pk}/held/"))
    assert response.status_code == 302 and "/board/?slot=1" in response["Location"]
    world.own_meeting.refresh_from_db()
    assert world.own_meeting.status == MeetingStatus.HELD
    assert changes_of(world.own_meeting) == 2  # booked, held
    response = client_for(people["officer"]).post(url(world, f"meetings/{world.own_meeting.pk}/held/"), follow=True)
    assert any("Only a scheduled meeting" in m for m in messages_of(response))


def test_no_show_one_side_and_both(world, people, client_for):
    client = client_for(people["officer"])
    client.post(url(world, f"meetings/{world.own_meeting.pk}/no-show/"), {"side": world.own.pk})
    world.own_meeting.refresh_from_db()
    assert world.own_meeting.status == MeetingStatus.NO_SHOW and world.own_meeting.no_show == world.own
    assert not world.own_meeting.seats.exists()
    client.post(url(world, f"meetings/{world.other_meeting.pk}/no-show/"), {"side": "both"})
    world.other_meeting.refresh_from_db()
    assert world.other_meeting.status == MeetingStatus.NO_SHOW and world.other_meeting.no_show is None


def test_no_show_with_a_bad_side_changes_nothing(world, people, client_for):
    client = client_for(people["officer"])
    before = ObjectChange.objects.count()
    for side in ("", "nobody", str(world.other.pk)):
        response = client.post(url(world, f"meetings/{world.own_meeting.pk}/no-show/"), {"side": side}, follow=True)
        assert messages_of(response)
    world.own_meeting.refresh_from_db()
    assert world.own_meeting.status == MeetingStatus.SCHEDULED and ObjectChange.objects.count() == before


def test_meeting_of_another_event_is_404(world, people, client_for):
    other_world_event = make_world.__globals__["make_event"](reference="LM-Y")
    response = client_for(people["officer"]).post(
        f"/events/{other_world_event.pk}/meetings/{world.own_meeting.pk}/held/"
    )
    assert response.status_code == 404


# ------------------------------------------------------------------------------------------ rescheduling


def test_no_show_then_reschedule_into_a_free_slot_keeps_the_no_show(world, people, client_for):
    client = client_for(people["officer"])
    client.post(url(world, f"meetings/{world.own_meeting.pk}/no-show/"), {"side": world.own.pk})
    board = client.get(url(world, "board/")).content.decode()
    assert f'data-testid="reschedule-{world.own_meeting.pk}"' in board
    assert "09.20, Meja 1" in board  # the first free option, on the button
    page = client.get(url(world, f"meetings/{world.own_meeting.pk}/reschedule/"))
    options = page.context["options"]
    assert options and options[0].slot == world.slots[1] and options[0].table == world.tables[0]
    assert "checked" in page.content.decode()
    response = client.post(
        url(world, f"meetings/{world.own_meeting.pk}/reschedule/"), {"option": options[0].value}, follow=True
    )
    assert any("Rescheduled" in m for m in messages_of(response))
    new = Meeting.objects.get(rescheduled_from=world.own_meeting)
    assert new.slot == world.slots[1] and new.table == world.tables[0] and new.status == MeetingStatus.SCHEDULED
    world.own_meeting.refresh_from_db()
    assert world.own_meeting.status == MeetingStatus.NO_SHOW  # stays for the statistics
    board = client.get(url(world, "board/")).content.decode()
    assert "Moved to 09.20, Meja 1" in board
    # A second reschedule is refused with a message, nothing booked.
    response = client.post(
        url(world, f"meetings/{world.own_meeting.pk}/reschedule/"),
        {"option": f"{world.slots[3].pk}:{world.tables[0].pk}"},
        follow=True,
    )
    assert any("already been rescheduled" in m for m in messages_of(response))
    assert Meeting.objects.filter(request=world.own_request).count() == 2


def test_reschedule_when_nothing_is_free_says_so(people, client_for):
    world = make_world(people)
    slots, tables = world.slots, world.tables
    world.own.available_sessions.set(Session.objects.filter(event=world.event, name="Pagi"))
    meeting = services.book(world.own_request, slots[2], tables[0], actor=None)  # the last morning slot
    services.mark_no_show(meeting, actor=None, participant=world.own)
    client = client_for(people["officer"])
    page = client.get(url(world, f"meetings/{meeting.pk}/reschedule/"))
    assert page.context["options"] == []
    assert "No free slot left" in page.content.decode()
    assert "No free slot left for both sides." in client.get(url(world, "board/?slot=3")).content.decode()
    before = Meeting.objects.count()
    response = client.post(url(world, f"meetings/{meeting.pk}/reschedule/"), {"option": ""}, follow=True)
    assert any("Choose one of the free slots" in m for m in messages_of(response))
    # A forced slot the participant is not available in: refused by the booking rules, with the reason.
    response = client.post(
        url(world, f"meetings/{meeting.pk}/reschedule/"), {"option": f"{slots[4].pk}:{tables[0].pk}"}, follow=True
    )
    assert any("not available" in m for m in messages_of(response))
    assert Meeting.objects.count() == before


def test_reschedule_a_scheduled_meeting_is_refused(world, people, client_for):
    client = client_for(people["officer"])
    page = client.get(url(world, f"meetings/{world.own_meeting.pk}/reschedule/")).content.decode()
    assert "still on the schedule" in page
    response = client.post(
        url(world, f"meetings/{world.own_meeting.pk}/reschedule/"),
        {"option": f"{world.slots[1].pk}:{world.tables[0].pk}"},
        follow=True,
    )
    assert any("still on the schedule" in m for m in messages_of(response))
    assert Meeting.objects.filter(request=world.own_request).count() == 1


def test_board_opens_where_there_is_work_once_the_day_is_over(people):
    import datetime

    from jalin.events import agenda, services
    from tests.events_factory import make_world

    world = make_world(people)
    slots = world.slots
    services.book(world.own_request, slots[2], world.tables[0], actor=None)
    held = services.book(world.other_request, slots[1], world.tables[0], actor=None)
    services.mark_held(held, actor=None)
    after = slots[-1].ends_at + datetime.timedelta(days=1)
    assert agenda.current_slot(world.event, now=after) == slots[2]  # the meeting still to mark
    during = slots[0].starts_at + datetime.timedelta(minutes=5)
    assert agenda.current_slot(world.event, now=during) == slots[0]
