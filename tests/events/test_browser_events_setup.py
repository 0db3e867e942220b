"""In Chromium: an officer creates an event, adds a session and tables and two participants, opens it; the IKM
asks the buyer for a meeting; the buyer accepts. Screenshots go to test-artifacts/screens/."""

from __future__ import annotations

import pytest

from jalin.events.models import Event, MeetingRequest, RequestStatus
from tests.conftest import PASSWORD
from tests.events_factory import company_for
from tests.test_browser import ARTIFACTS, browser  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser


@pytest.fixture
def cast(transactional_db):
    from jalin.regions.loader import load_regions
    from tests.conftest import make_org, make_user

    load_regions()
    ministry = make_org("Ditjen IKMA", "ministry", "31.74")
    buyer_org = make_org("PT Dharma Polimetal", "buyer", "32.16")
    ikm_org = make_org("PT Sadiyah Cahaya Logam", "ikm", "33.28")
    company_for(buyer_org, kind="industry")
    company_for(ikm_org)
    return {
        "officer": make_user("officer@test.id", "programme_officer", ministry),
        "buyer": make_user("buyer@test.id", "buyer", buyer_org),
        "ikm": make_user("ikm@test.id", "ikm", ikm_org),
    }


def sign_in(page, url, user):
    page.context.clear_cookies()
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Sandi").fill(PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(f"{url}/")


def shot(page, name):
    page.screenshot(path=ARTIFACTS / f"events-{name}.png", full_page=True)


def test_event_setup_and_request_flow(browser, live_server, cast):  # noqa: F811
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    url = live_server.url
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("dialog", lambda d: d.accept())
    sign_in(page, url, cast["officer"])

    page.goto(f"{url}/events/new/")
    page.fill("#id_reference", "LM-2031")
    page.fill("#id_name", "Link and Match 2031")
    page.fill("#id_venue", "Hotel Pesonna Tegal")
    page.select_option("#id_region", label="Kabupaten Tegal (33.28)")
    page.fill("#id_starts_on", "2031-03-12")
    page.fill("#id_ends_on", "2031-03-12")
    shot(page, "form-1280")
    page.locator("form.event-form button[type=submit]").click()
    event = Event.objects.get(reference="LM-2031")
    page.wait_for_url(f"{url}/events/{event.pk}/")

    page.goto(f"{url}/events/{event.pk}/sessions/")
    page.fill("#id_name", "Pagi")
    page.fill("#id_start", "09:00")
    page.fill("#id_end", "11:00")
    page.locator("form.session-form button[type=submit]").click()
    page.wait_for_selector("text=Pagi")
    shot(page, "sessions-1280")

    page.goto(f"{url}/events/{event.pk}/tables/")
    page.fill("#id_count", "5")
    page.locator("input[value=add_many] ~ button").click()
    page.wait_for_selector("input[value='Meja 5']")
    shot(page, "tables-1280")

    for name in ("Dharma", "Sadiyah"):
        page.goto(f"{url}/events/{event.pk}/participants/?company={name}")
        page.locator(".company-results button:not([name=invite])").first.click()
        page.wait_for_load_state()
    page.goto(f"{url}/events/{event.pk}/")
    page.locator(".status-actions button").first.click()
    page.wait_for_load_state()
    event.refresh_from_db()
    assert event.status == "open"
    shot(page, "detail-officer-1280")

    sign_in(page, url, cast["ikm"])
    page.goto(f"{url}/events/{event.pk}/participants/")
    shot(page, "participants-ikm-1280")
    page.locator("a[href*='requests/new']").first.click()
    page.locator("input[value=must]").check()
    page.fill("#id_message", "Kami ingin menawarkan knalpot.")
    shot(page, "request-form-1280")
    page.locator("form.form button[type=submit]").click()
    page.wait_for_load_state()
    request = MeetingRequest.objects.get()
    assert request.status == RequestStatus.PENDING

    sign_in(page, url, cast["buyer"])
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{url}/events/{event.pk}/requests/?box=in")
        shot(page, f"requests-buyer-{width}")
        page.goto(f"{url}/events/{event.pk}/")
        shot(page, f"detail-buyer-{width}")
    page.goto(f"{url}/events/{event.pk}/requests/?box=in")
    page.locator("input[value=accept] ~ button").first.click()
    page.wait_for_load_state()
    request.refresh_from_db()
    assert request.status == RequestStatus.ACCEPTED
    shot(page, "requests-accepted-390")
    assert not errors, errors
