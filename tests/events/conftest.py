"""Business-meeting tests read English: services run under English, and signed-in clients ask for English
pages (the product's default is Indonesian; `test_events_i18n.py` checks that side). Both fixtures are shared,
in tests/conftest.py."""

import pytest


@pytest.fixture(autouse=True)
def _english(english):
    """Every test here runs under English (the shared ``english`` fixture)."""


@pytest.fixture
def client_language():
    """Signed-in clients of ``client_for`` ask for English pages."""
    return "en"
