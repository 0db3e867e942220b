def test_sign_in_page_is_indonesian_by_default(client, db):
    page = client.get("/accounts/login/").content.decode()
    assert 'lang="id"' in page
    assert "Masuk" in page


def test_language_switch_to_english(client, owner):
    client.force_login(owner)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert 'lang="en"' in page and "Organisations" in page
    client.post("/i18n/setlang/", {"language": "id", "next": "/"})
    page = client.get("/").content.decode()
    assert 'lang="id"' in page and "Organisasi" in page


def test_error_pages_in_both_languages(client, owner, settings):
    settings.DEBUG = False
    client.force_login(owner)
    response = client.get("/tidak-ada/")
    assert response.status_code == 404 and "tidak ditemukan" in response.content.decode().lower()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get("/does-not-exist/")
    assert response.status_code == 404 and "not found" in response.content.decode().lower()


def test_403_page(client, outsider, own_org):
    client.force_login(outsider)
    response = client.get(f"/accounts/organisations/{own_org.pk}/edit/")
    assert response.status_code == 403 and "izin" in response.content.decode().lower()


def test_profile_language_applies_until_the_switch_is_used(client, owner):
    owner.preferred_language = "en"
    owner.save()
    client.force_login(owner)
    assert 'lang="en"' in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "id", "next": "/"})
    assert 'lang="id"' in client.get("/").content.decode()


def test_browser_language_does_not_override_indonesian(client, db):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="id"' in page
