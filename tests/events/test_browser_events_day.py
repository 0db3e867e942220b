"""The day in a real browser: the officer checks a participant in through the search, opens the live board,
marks a no-show and reschedules it in two clicks; the buyer opens its agenda and downloads the .ics file.
Screenshots go to test-artifacts/screens/."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.utils import timezone
from icalendar import Calendar

from jalin.events import agenda as ag
from jalin.events import services
from jalin.events.models import Meeting, MeetingStatus, Representative
from jalin.regions.loader import load_regions
from tests.conftest import PASSWORD
from tests.events_factory import make_world
from tests.test_browser import ARTIFACTS, browser  # noqa: F401  (the Chromium fixture)

pytestmark = pytest.mark.browser


@pytest.fixture
def world(transactional_db):
    load_regions()
    from tests.conftest import make_org, make_user

    ministry = make_org("Ditjen IKMA", "ministry", "31.74")
    own_org = make_org("PT Sadiyah Cahaya Logam", "ikm", "33.28")
    other_org = make_org("CV Cor Klaten Jaya", "ikm", "33.10")
    buyer_org = make_org("PT Dharma Polimetal", "buyer", "32.16")
    people = {
        "officer": make_user("officer@test.id", "programme_officer", ministry),
        "owner": make_user("owner@test.id", "ikm", own_org),
        "outsider": make_user("outsider@test.id", "ikm", other_org),
        "buyer": make_user("buyer@test.id", "buyer", buyer_org),
    }
    world = make_world(people, reference="LM-2019")
    slots, tables = world.slots, world.tables
    world.own_meeting = services.book(world.own_request, slots[0], tables[0], actor=None)
    world.other_meeting = services.book(world.other_request, slots[1], tables[0], actor=None)
    Representative.objects.create(participant=world.buyer, name="Bu Ratna Dewi", position="Purchasing")
    Representative.objects.create(participant=world.own, name="Pak Slamet Riyadi", position="Direktur")
    world.people = people
    return world


def sign_in(browser, live_server, user, width=1280):  # noqa: F811
    page = browser.new_page(viewport={"width": width, "height": 900}, accept_downloads=True)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Sandi").fill(PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(f"{live_server.url}/")
    page.errors = errors
    return page


def test_officer_checks_in_and_reschedules_a_no_show_in_two_clicks(browser, live_server, world):  # noqa: F811
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    event = world.event
    page = sign_in(browser, live_server, world.people["officer"])

    # Check-in through the live search (htmx).
    page.goto(f"{live_server.url}/events/{event.pk}/checkin/")
    assert "0 / 3" in page.locator("[data-testid=checked-in]").inner_text()
    page.locator("#id_q").fill("sadiyah")
    button = page.locator(f"[data-testid=checkin-{world.own.pk}]")
    button.wait_for()
    assert page.locator("[data-testid=checkin-results] li").count() == 1
    page.screenshot(path=ARTIFACTS / "events-checkin-search-1280.png", full_page=True)
    button.click()
    page.wait_for_load_state()
    assert "1 / 3" in page.locator("[data-testid=checked-in]").inner_text()
    world.own.refresh_from_db()
    assert world.own.checked_in_at is not None
    page.screenshot(path=ARTIFACTS / "events-checkin-1280.png", full_page=True)

    # The board: the owner's IKM did not come to its 09.00 meeting. Two clicks to move it.
    page.goto(f"{live_server.url}/events/{event.pk}/board/")
    assert page.locator("[hx-trigger='every 20s']").count() == 1
    page.screenshot(path=ARTIFACTS / "events-board-1280.png", full_page=True)
    clicks = 0
    page.locator(f"[data-testid=noshow-{world.own_meeting.pk}-{world.own.pk}]").click()
    clicks += 1
    page.wait_for_load_state()
    reschedule = page.locator(f"[data-testid=reschedule-{world.own_meeting.pk}]")
    assert "09.40, Meja 1" in reschedule.inner_text()  # 09.20 is the buyer's next meeting
    page.screenshot(path=ARTIFACTS / "events-board-noshow-1280.png", full_page=True)
    reschedule.click()
    clicks += 1
    page.wait_for_load_state()
    assert clicks == 2
    world.own_meeting.refresh_from_db()
    assert world.own_meeting.status == MeetingStatus.NO_SHOW
    moved = Meeting.objects.get(rescheduled_from=world.own_meeting)
    assert moved.slot == world.slots[2] and moved.table == world.tables[0]
    assert "Meja 1" in page.locator(f"[data-testid=meeting-{world.own_meeting.pk}]").inner_text()
    page.screenshot(path=ARTIFACTS / "events-board-rescheduled-1280.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 900})
    page.screenshot(path=ARTIFACTS / "events-board-390.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    # Neither side of the 09.20 meeting came: the full list of free options, the first one preselected.
    page.locator(f"[data-testid=meeting-{world.other_meeting.pk}] form[action$='/no-show/'] button").last.click()
    page.wait_for_load_state()
    world.other_meeting.refresh_from_db()
    assert world.other_meeting.status == MeetingStatus.NO_SHOW and world.other_meeting.no_show is None
    page.locator(f"[data-testid=meeting-{world.other_meeting.pk}] a[href*='/reschedule/']").click()
    page.wait_for_load_state()
    assert page.locator("input[name=option]").first.is_checked()
    page.screenshot(path=ARTIFACTS / "events-reschedule-1280.png", full_page=True)
    page.goto(f"{live_server.url}/events/{event.pk}/signage/")
    page.screenshot(path=ARTIFACTS / "events-signage-1280.png", full_page=True)

    # The scan page an officer's phone opens.
    page.goto(f"{live_server.url}/events/{event.pk}/checkin/{world.other.checkin_code}/")
    page.screenshot(path=ARTIFACTS / "events-checkin-code-390.png", full_page=True)
    page.locator("[data-testid=checkin-button]").click()
    page.wait_for_load_state()
    world.other.refresh_from_db()
    assert world.other.checked_in_at is not None
    assert not page.errors, page.errors
    page.close()


def test_buyer_opens_its_agenda_and_downloads_the_calendar(browser, live_server, world, tmp_path):  # noqa: F811
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    event = world.event
    for width in (1280, 390):
        page = sign_in(browser, live_server, world.people["buyer"], width=width)
        page.goto(f"{live_server.url}/events/{event.pk}/my-agenda/")
        assert f"/agenda/{world.buyer.pk}/" in page.url
        assert page.locator("[data-testid=agenda-meeting]").count() == 2
        assert page.locator(".qr svg").count() == 1
        page.screenshot(path=ARTIFACTS / f"events-agenda-buyer-{width}.png", full_page=True)
        if width == 1280:
            with page.expect_download() as info:
                page.locator("[data-testid=agenda-ics]").click()
            download = info.value
            assert download.suggested_filename == "agenda-LM-2019-pt-dharma-polimetal.ics"
            target = tmp_path / download.suggested_filename
            download.save_as(target)
            cal = Calendar.from_ical(target.read_bytes())
            starts = sorted(e.decoded("DTSTART").strftime("%H:%M") for e in cal.walk("VEVENT"))
            assert starts == ["09:00", "09:20"]
            with page.expect_download() as info:
                page.locator("[data-testid=agenda-pdf]").click()
            pdf = tmp_path / info.value.suggested_filename
            info.value.save_as(pdf)
            assert pdf.read_bytes().startswith(b"%PDF")
        assert not page.errors, page.errors
        page.close()


def test_printed_agenda_looks_right(browser, world):  # noqa: F811
    """The PDF's HTML drawn by Chromium at A4 width (no PDF rasteriser is installed here): a look at the
    printed layout, the same markup WeasyPrint prints."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    days = ag.agenda(world.own)
    url = f"http://testserver/events/{world.event.pk}/checkin/{world.own.checkin_code}/"
    html = render_to_string(
        "events/agenda_print.html",
        {
            "event": world.event,
            "subject": world.own,
            "days": days,
            "meetings": sum(d.meetings for d in days),
            "has_meetings": True,
            "zone": "WIB",
            "qr_uri": ag.qr_data_uri(url, scale=3),
            "generated": timezone.now(),
        },
    )
    page = browser.new_page(viewport={"width": 794, "height": 1123})
    page.set_content(html)
    page.screenshot(path=ARTIFACTS / "events-agenda-print.png", full_page=True)
    page.close()
    assert (
        ag.render_pdf("events/agenda_print.html", {"event": world.event, "subject": world.own, "days": days})[:4]
        == b"%PDF"
    )
