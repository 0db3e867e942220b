import pytest
from django.contrib.auth.hashers import identify_hasher
from django.core import mail

from jalin.accounts import services
from jalin.accounts.models import User
from jalin.core.models import ObjectChange
from jalin.core.roles import Role
from tests.conftest import PASSWORD


def test_passwords_are_hashed_with_argon2():
    from jalin import settings as project_settings  # the tests swap in a fast hasher; the product does not

    assert project_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_argon2_in_effect(db, settings, own_org):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user = services.create_user(
        actor=None, email="Argon@Test.ID", password="a-long-pass-phrase", role=Role.IKM, organisation=own_org
    )
    assert identify_hasher(user.password).algorithm == "argon2"
    assert user.email == "argon@test.id"


def test_sign_in_and_out(client, owner):
    response = client.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client.post("/accounts/login/", {"username": "owner@test.id", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302


def test_wrong_password_says_so_in_indonesian(client, owner):
    response = client.post("/accounts/login/", {"username": "owner@test.id", "password": "wrong"})
    assert response.status_code == 200
    assert "benar" in response.content.decode()  # "Masukkan email dan sandi yang benar …"


def test_failed_sign_ins_are_throttled(client, owner, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post("/accounts/login/", {"username": "owner@test.id", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "owner@test.id", "password": PASSWORD})
    assert response.status_code == 429
    assert client.get("/").status_code == 302  # still signed out


def test_password_change(client, owner):
    client.force_login(owner)
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "Tegal-Logam-2019!", "new_password2": "Tegal-Logam-2019!"},
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password("Tegal-Logam-2019!")


def test_password_reset_sends_mail(client, owner):
    response = client.post("/accounts/password/reset/", {"email": "owner@test.id"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and "owner@test.id" in mail.outbox[0].to
    assert "/accounts/password/reset/" in mail.outbox[0].body


def test_officer_creates_user_with_log(client, officer, own_org):
    client.force_login(officer)
    response = client.post(
        "/accounts/users/new/",
        {
            "email": "baru@ikm.test",
            "first_name": "Baru",
            "last_name": "Sekali",
            "role": "ikm",
            "organisation": own_org.pk,
            "phone": "",
            "preferred_language": "id",
            "is_active": "on",
            "password": "Sangat-Rahasia-99",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(email="baru@ikm.test")
    assert user.check_password("Sangat-Rahasia-99")
    change = ObjectChange.objects.get(object_id=str(user.pk), content_type__model="user")
    assert change.actor == officer and change.action == "create" and "password" not in change.after


def test_regional_officer_cannot_create_officers(regional, own_org):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.create_user(actor=regional, email="x@x.test", role=Role.PROGRAMME_OFFICER, organisation=own_org)
    assert not User.objects.filter(email="x@x.test").exists()


def test_regional_officer_needs_a_scope(officer, dinas_org):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.create_user(actor=officer, email="r@x.test", role=Role.REGIONAL_OFFICER, organisation=dinas_org)


def test_user_cannot_promote_self(owner):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.update_user(owner, actor=owner, role=Role.PROGRAMME_OFFICER)
    owner.refresh_from_db()
    assert owner.role == Role.IKM


def test_profile_edit(client, owner):
    client.force_login(owner)
    response = client.post(
        "/accounts/profile/", {"first_name": "Slamet", "last_name": "R", "phone": "0811", "preferred_language": "en"}
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.first_name == "Slamet" and owner.preferred_language == "en"


def test_private_fields_hidden_from_outsiders(client_for, people, own_org):
    page = client_for(people["outsider"]).get(f"/accounts/organisations/{own_org.pk}/").content.decode()
    assert "own@ikm.test" not in page and "0283-111" not in page
    page = client_for(people["owner"]).get(f"/accounts/organisations/{own_org.pk}/").content.decode()
    assert "own@ikm.test" in page
    api = client_for(people["outsider"]).get(f"/api/organisations/{own_org.pk}/").json()
    assert "email" not in api and "phone" not in api
    api = client_for(people["regional"]).get(f"/api/organisations/{own_org.pk}/").json()
    assert api["email"] == "own@ikm.test"


def test_api_token_lifecycle(client, owner, own_org):
    from rest_framework.authtoken.models import Token

    client.force_login(owner)
    page = client.post("/accounts/token/", {"action": "create"}).content.decode()
    key = Token.objects.get(user=owner).key
    assert key in page
    client.logout()
    response = client.get(f"/api/organisations/{own_org.pk}/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200 and response.json()["email"] == "own@ikm.test"
    client.force_login(owner)
    assert key not in client.get("/accounts/profile/").content.decode()  # shown once only
    client.post("/accounts/token/", {"action": "revoke"})
    client.logout()
    assert client.get("/api/organisations/", HTTP_AUTHORIZATION=f"Token {key}").status_code in (401, 403)
    assert ObjectChange.objects.filter(object_id=str(owner.pk), after__api_token__isnull=False).count() == 2
