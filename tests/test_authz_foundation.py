"""Authorisation matrix over every foundation route: pages and API, each named user, own and other objects."""

import json

from jalin.accounts.models import Organisation, User
from jalin.regions.models import Region
from tests.authz import Case, assert_matrix

SIGNED_IN = {"officer", "regional", "regional_other", "owner", "colleague", "outsider", "buyer", "assessor"}
OFFICERS = {"officer", "regional", "regional_other"}


def org_form(o, org_key, name):
    org = o[org_key]
    return {
        "name": name,
        "kind": org.kind,
        "region": org.region_id,
        "address": "Jl. Baru 1",
        "email": "new@ikm.test",
        "phone": "0800",
        "is_active": "on",
    }


def test_authorisation_matrix(client_for, people, own_org, other_org, buyer_org, dinas_org):
    tegal = Region.objects.get(code="33.28")
    objects = {
        "own": own_org,
        "other": other_org,
        "buyer_org": buyer_org,
        "owner": people["owner"],
        "outsider": people["outsider"],
        "tegal": tegal,
    }
    cases = [
        Case("home", lambda o: "/", SIGNED_IN),
        Case("profile", lambda o: "/accounts/profile/", SIGNED_IN),
        Case("password change", lambda o: "/accounts/password/", SIGNED_IN),
        Case("API token", lambda o: "/accounts/token/", SIGNED_IN, method="post", data=lambda o: {"action": "create"}),
        Case("organisation list", lambda o: "/accounts/organisations/", SIGNED_IN),
        Case("organisation detail (own)", lambda o: f"/accounts/organisations/{o['own'].pk}/", SIGNED_IN),
        Case(
            "organisation edit (own)",
            lambda o: f"/accounts/organisations/{o['own'].pk}/edit/",
            {"officer", "regional", "owner", "colleague"},
        ),
        Case(
            "organisation edit POST (own)",
            lambda o: f"/accounts/organisations/{o['own'].pk}/edit/",
            {"officer", "regional", "owner", "colleague"},
            method="post",
            data=lambda o: org_form(o, "own", "PT Logam Tegal Baru"),
        ),
        Case(
            "organisation edit POST (other)",
            lambda o: f"/accounts/organisations/{o['other'].pk}/edit/",
            {"officer", "regional_other", "outsider"},
            method="post",
            data=lambda o: org_form(o, "other", "CV Cor Klaten Baru"),
        ),
        Case(
            "organisation history (own)",
            lambda o: f"/accounts/organisations/{o['own'].pk}/history/",
            {"officer", "regional", "owner", "colleague"},
        ),
        Case("organisation add", lambda o: "/accounts/organisations/new/", OFFICERS),
        Case(
            "organisation add POST in Tegal",
            lambda o: "/accounts/organisations/new/",
            {"officer", "regional"},
            method="post",
            data=lambda o: {"name": "CV Baru Tegal", "kind": "ikm", "region": o["tegal"].pk, "is_active": "on"},
        ),
        Case("user list", lambda o: "/accounts/users/", OFFICERS),
        Case(
            "user detail (owner)",
            lambda o: f"/accounts/users/{o['owner'].pk}/",
            {"officer", "regional", "owner", "colleague"},
        ),
        Case("user edit (owner)", lambda o: f"/accounts/users/{o['owner'].pk}/edit/", {"officer", "regional"}),
        Case(
            "user edit POST (owner)",
            lambda o: f"/accounts/users/{o['owner'].pk}/edit/",
            {"officer", "regional"},
            method="post",
            data=lambda o: {
                "email": "owner@test.id",
                "first_name": "Renamed",
                "last_name": "",
                "role": "ikm",
                "organisation": o["own"].pk,
                "phone": "",
                "preferred_language": "id",
                "is_active": "on",
            },
        ),
        Case("user history (owner)", lambda o: f"/accounts/users/{o['owner'].pk}/history/", {"officer", "regional"}),
        Case("user add", lambda o: "/accounts/users/new/", OFFICERS),
        Case("change log", lambda o: "/changes/", {"officer"}),
        Case("change log export", lambda o: "/changes/export/", {"officer"}, method="post", data=lambda o: {}),
        Case("jobs", lambda o: "/jobs/", SIGNED_IN),
        Case("regions", lambda o: "/regions/", SIGNED_IN),
        Case("region detail", lambda o: f"/regions/{o['tegal'].pk}/", SIGNED_IN),
        Case("API organisations", lambda o: "/api/organisations/", SIGNED_IN),
        Case(
            "API organisation PATCH (own)",
            lambda o: f"/api/organisations/{o['own'].pk}/",
            {"officer", "regional", "owner", "colleague"},
            method="patch",
            data=lambda o: json.dumps({"address": "Jl. API 2"}),
            content_type="application/json",
        ),
        Case(
            "API organisation POST in Tegal",
            lambda o: "/api/organisations/",
            {"officer", "regional"},
            method="post",
            data=lambda o: json.dumps({"name": "CV API", "kind": "ikm", "region": "33.28"}),
            content_type="application/json",
        ),
        Case("API regions", lambda o: "/api/regions/?province=33", SIGNED_IN),
        Case("API schema", lambda o: "/api/schema/", SIGNED_IN),
    ]
    checked = assert_matrix(client_for, people, cases, objects=objects, watch=[Organisation, User])
    assert checked == len(cases) * len(people)


def test_denied_edit_changes_nothing_and_allowed_edit_logs(client_for, people, own_org):
    """The issue's 'done when': an IKM cannot change another IKM's data; the denied request changes nothing."""
    url = f"/accounts/organisations/{own_org.pk}/edit/"
    data = {"name": "Hijacked", "region": own_org.region_id, "address": "", "email": "x@x.test", "phone": ""}
    response = client_for(people["outsider"]).post(url, data)
    assert response.status_code == 403
    own_org.refresh_from_db()
    assert own_org.name == "PT Logam Tegal" and own_org.email == "own@ikm.test"

    response = client_for(people["owner"]).post(url, {**data, "name": "PT Logam Tegal Jaya"})
    assert response.status_code == 302
    own_org.refresh_from_db()
    assert own_org.name == "PT Logam Tegal Jaya"
