"""Shared fixtures: the regions, and named test users in the style of Healthchecks' hc/test.py.

- ``officer``        programme officer (sees and changes all)
- ``regional``       regional officer of Kabupaten Tegal (33.28)
- ``regional_other`` regional officer of Kabupaten Klaten (33.10)
- ``owner``          IKM staff of ``own_org`` (an IKM in Tegal)
- ``colleague``      another IKM staff of ``own_org``
- ``outsider``       IKM staff of ``other_org`` (an IKM in Klaten)
- ``buyer``          buyer staff of ``buyer_org`` (in Kabupaten Bekasi)
- ``assessor``       assessor of ``assessor_org``
"""

import pytest
from django.db.models.signals import post_migrate
from django.utils import translation

from jalin.accounts.models import Organisation, User
from jalin.core.roles import Role
from jalin.regions.loader import load_regions
from jalin.regions.models import Region

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_regions()
    yield
    # PostgreSQL refuses to drop the test database while another session is connected; the live
    # server's request threads (browser tests) can leave one behind. End them before the drop.
    from django.db import connection

    if connection.vendor == "postgresql":
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


def _reload_reference_data(sender, **kwargs):
    """A transactional test ends with ``flush``, which empties every table and then sends post_migrate:
    put the reference data (regions, the taxonomies the companies migration loads) back for later tests."""
    if sender.label == "companies":
        from jalin.companies.reference import load_reference

        load_regions()
        load_reference()


post_migrate.connect(_reload_reference_data, dispatch_uid="jalin-tests-reference-data")


@pytest.fixture(autouse=True)
def _settings(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast tests
    settings.AXES_ENABLED = False


def region(code: str) -> Region:
    return Region.objects.get(code=code)


def make_org(name: str, kind: str, code: str, **extra) -> Organisation:
    return Organisation.objects.create(name=name, kind=kind, region=region(code), **extra)


def make_user(email: str, role: str, org: Organisation | None, scope: str | None = None) -> User:
    return User.objects.create_user(
        email=email,
        password=PASSWORD,
        role=role,
        organisation=org,
        region_scope=region(scope) if scope else None,
        first_name=email.split("@")[0].title(),
    )


@pytest.fixture
def ministry(db):
    return make_org("Ditjen IKMA", "ministry", "31.74")


@pytest.fixture
def own_org(db):
    return make_org("PT Logam Tegal", "ikm", "33.28", email="own@ikm.test", phone="0283-111")


@pytest.fixture
def other_org(db):
    return make_org("CV Cor Klaten", "ikm", "33.10", email="other@ikm.test", phone="0272-222")


@pytest.fixture
def buyer_org(db):
    return make_org("PT Pembeli Otomotif", "buyer", "32.16", email="buy@buyer.test")


@pytest.fixture
def assessor_org(db):
    return make_org("Tim Asesor", "assessor", "31.74")


@pytest.fixture
def dinas_org(db):
    return make_org("Dinas Tegal", "regional_office", "33.28")


@pytest.fixture
def officer(ministry):
    return make_user("officer@test.id", Role.PROGRAMME_OFFICER, ministry)


@pytest.fixture
def regional(dinas_org):
    return make_user("regional@test.id", Role.REGIONAL_OFFICER, dinas_org, scope="33.28")


@pytest.fixture
def regional_other(db):
    org = make_org("Dinas Klaten", "regional_office", "33.10")
    return make_user("regional.klaten@test.id", Role.REGIONAL_OFFICER, org, scope="33.10")


@pytest.fixture
def owner(own_org):
    return make_user("owner@test.id", Role.IKM, own_org)


@pytest.fixture
def colleague(own_org):
    return make_user("colleague@test.id", Role.IKM, own_org)


@pytest.fixture
def outsider(other_org):
    return make_user("outsider@test.id", Role.IKM, other_org)


@pytest.fixture
def buyer(buyer_org):
    return make_user("buyer@test.id", Role.BUYER, buyer_org)


@pytest.fixture
def assessor(assessor_org):
    return make_user("assessor@test.id", Role.ASSESSOR, assessor_org)


@pytest.fixture
def people(officer, regional, regional_other, owner, colleague, outsider, buyer, assessor):
    """Every named user, by name, plus ``anonymous`` (None)."""
    return {
        "anonymous": None,
        "officer": officer,
        "regional": regional,
        "regional_other": regional_other,
        "owner": owner,
        "colleague": colleague,
        "outsider": outsider,
        "buyer": buyer,
        "assessor": assessor,
    }


@pytest.fixture
def english():
    """Run the test under English: many assertions read English text, and the product's default language is
    Indonesian. A module opts in with ``pytestmark = pytest.mark.usefixtures("english")``."""
    with translation.override("en"):
        yield


@pytest.fixture
def client_language():
    """The language the clients of ``client_for`` ask for, by the language cookie; None leaves the choice to the
    request (the default, Indonesian). A module or conftest whose tests read English pages overrides this
    fixture to return ``"en"``."""
    return None


@pytest.fixture
def client_for(client, settings, client_language):
    """``client_for(user)`` signs ``user`` in (or out, for None) and returns the client, asking for
    ``client_language`` pages when it is set."""

    def sign_in(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        if client_language:
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = client_language
        return client

    return sign_in
