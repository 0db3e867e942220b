"""Real-browser checks: Chromium (Debian's) driven by Playwright for Python.

Each role signs in, sees its home page, switches to English and back; screenshots are kept in
test-artifacts/screens/ for people to look at.
"""

import os
from pathlib import Path

import pytest

from jalin.regions.loader import load_regions
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screens"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser(monkeypatch):
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's Chromium is missing: `make test` installs it (apt-get install chromium).")
    # Playwright's sync API runs an event loop in this thread; the ORM calls in the test are still sync.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def all_roles(transactional_db):
    load_regions()
    from tests.conftest import make_org, make_user

    ministry = make_org("Ditjen IKMA", "ministry", "31.74")
    dinas = make_org("Dinas Tegal", "regional_office", "33.28")
    buyer = make_org("PT Dharma Polimetal", "buyer", "32.16")
    ikm = make_org("PT Sadiyah Cahaya Logam", "ikm", "33.28")
    assessor = make_org("Tim Asesor", "assessor", "31.74")
    return {
        "programme_officer": make_user("officer@test.id", "programme_officer", ministry),
        "regional_officer": make_user("dinas@test.id", "regional_officer", dinas, scope="33.28"),
        "buyer": make_user("buyer@test.id", "buyer", buyer),
        "ikm": make_user("ikm@test.id", "ikm", ikm),
        "assessor": make_user("asesor@test.id", "assessor", assessor),
    }


@pytest.mark.parametrize("role", ["programme_officer", "regional_officer", "buyer", "ikm", "assessor"])
@pytest.mark.parametrize("width", [1280, 390])
def test_each_role_signs_in_and_switches_language(browser, live_server, all_roles, role, width):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    user = all_roles[role]
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    assert page.locator("html").get_attribute("lang") == "id"
    page.screenshot(path=ARTIFACTS / f"login-{width}.png", full_page=True)
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Sandi").fill(PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(f"{live_server.url}/")
    assert user.first_name in page.content()
    page.screenshot(path=ARTIFACTS / f"home-{role}-id-{width}.png", full_page=True)

    page.locator("[data-testid=lang-en]").first.click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Organisations" in page.content()
    page.screenshot(path=ARTIFACTS / f"home-{role}-en-{width}.png", full_page=True)
    page.locator("[data-testid=lang-id]").first.click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "id"
    assert not errors, errors
    page.close()
