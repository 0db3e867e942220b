"""Business-meeting tests read English: services run under English, and signed-in clients ask for English
pages (the product's default is Indonesian; `test_events_i18n.py` checks that side)."""

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def client_for(client_for, settings):
    """Signed-in clients that ask for English pages."""

    def sign_in(user):
        client = client_for(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return sign_in
