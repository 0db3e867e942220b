"""In the browser, on the demo: an officer opens the 2019 event's statistics (charts drawn, no console errors),
an IKM records the outcome of its meeting. Screenshots in test-artifacts/screens/."""

from __future__ import annotations

import pytest
from django.conf import settings

from jalin.demo.loader import load_demo
from jalin.events.models import Event, MeetingOutcome, Participant
from tests.test_browser import ARTIFACTS, browser  # noqa: F401 - the fixture

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_world(transactional_db):
    load_demo(companies=200)
    return Event.objects.get(reference="LM-2019")


def open_page(browser, width):  # noqa: F811
    page = browser.new_page(viewport={"width": width, "height": 900}, reduced_motion="reduce")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return page, errors


def sign_in(page, live_server, email):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Sandi").fill(settings.JALIN_DEMO_PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(f"{live_server.url}/")


def test_officer_sees_the_charts_and_an_ikm_records_an_outcome(browser, live_server, demo_world):  # noqa: F811
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    event = demo_world
    for width in (1280, 390):
        page, errors = open_page(browser, width)
        sign_in(page, live_server, "officer@jalin.demo")
        page.goto(f"{live_server.url}/events/{event.pk}/stats/")
        page.wait_for_function(
            "['chart-funnel', 'chart-outcomes', 'chart-slots'].every(id => document.getElementById(id).chart)"
        )
        assert page.locator("canvas").count() == 3
        drawn = page.evaluate("document.getElementById('chart-funnel').chart.data.datasets[0].data")
        assert drawn[0] > 100  # requests
        page.screenshot(path=ARTIFACTS / f"events-stats-{width}.png", full_page=True)
        page.locator("details.chart-table summary").first.click()
        assert page.locator("#table-funnel").is_visible()
        if width == 1280:
            page.goto(f"{live_server.url}/events/{event.pk}/outcomes/?recorded=missing")
            page.screenshot(path=ARTIFACTS / f"events-outcomes-officer-{width}.png", full_page=True)
        assert errors == [], errors
        page.close()

    page, errors = open_page(browser, 390)
    sign_in(page, live_server, "ikm@jalin.demo")
    page.goto(f"{live_server.url}/events/{event.pk}/outcomes/")
    page.screenshot(path=ARTIFACTS / "events-outcomes-ikm-390.png", full_page=True)
    row = page.locator("tbody.outcome-group", has_text="Dharma Polimetal").first
    row.locator("a.btn").first.click()
    page.wait_for_url("**/outcome/")
    page.locator("input[name=interest][value=high]").check()
    page.locator("input[name=next_step][value=mou]").check()
    page.locator("textarea[name=note]").fill("Siap MoU setelah uji sampel.")
    page.screenshot(path=ARTIFACTS / "events-outcome-form-390.png", full_page=True)
    page.locator("form.outcome-form button[type=submit]").click()
    page.wait_for_url(f"**/events/{event.pk}/outcomes/")
    assert page.locator(".messages").count() or page.locator("[role=status]").count()
    sadiyah = Participant.objects.get(event=event, company__legal_name="PT Sadiyah Cahaya Logam")
    outcome = MeetingOutcome.objects.select_related("meeting__request").get(
        participant=sadiyah, note="Siap MoU setelah uji sampel."
    )
    request = outcome.meeting.request
    assert {request.requester.company.legal_name, request.recipient.company.legal_name} >= {"PT Dharma Polimetal"}
    assert (outcome.interest, outcome.next_step, outcome.note) == ("high", "mou", "Siap MoU setelah uji sampel.")
    page.screenshot(path=ARTIFACTS / "events-outcomes-ikm-recorded-390.png", full_page=True)
    assert errors == [], errors
