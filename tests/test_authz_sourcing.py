"""Authorisation matrix over every needs route (pages, attachments, import and export, API), for every named
user. The buyer company belongs to ``buyer_org``; another buyer's needs are the "other" ones; own_org's IKM is
invited to the invitation-only need. A denied request answers 403 or 404 and changes nothing."""

from __future__ import annotations

import json

from django.core.files.uploadedfile import SimpleUploadedFile

from jalin.core.models import Job
from jalin.sourcing import services
from jalin.sourcing.models import Need, NeedAttachment
from tests.authz import Case, assert_matrix
from tests.test_sourcing_pages import form_data
from tests.test_sourcing_services import PDF, build_needs

SIGNED_IN = frozenset({"officer", "regional", "regional_other", "owner", "colleague", "outsider", "buyer", "assessor"})
OFFICERS = frozenset({"officer", "regional", "regional_other"})
MANAGERS = frozenset({"officer", "buyer"})  # post and change the buyer's needs
OWN_PRIVATE = OFFICERS | {"buyer"}  # see the buyer's drafts, closed needs, target price and history
INVITED = OWN_PRIVATE | {"owner", "colleague"}
OTHER_OPEN = SIGNED_IN - {"buyer"}


def objects_for(buyer_org, own_org, officer) -> dict:
    objects = build_needs(buyer_org, own_org)
    for key in ("open", "invited", "draft"):
        upload = SimpleUploadedFile(f"{key}.pdf", PDF, content_type="application/pdf")
        objects[f"{key}_file"] = services.add_attachment(objects[key], actor=None, file=upload, title=key)
    objects["job"] = Job.objects.create(
        kind="sourcing.import", label="check", owner=officer, params={"dry_run": True, "file": "x.csv"}
    )
    return objects


def cases() -> list[Case]:
    def need(key, suffix=""):
        return lambda o: f"/needs/{o[key].pk}/{suffix}"

    def attachment(key, suffix=""):
        return lambda o: f"/needs/{o[key].pk}/attachments/{o[key + '_file'].pk}/{suffix}"

    def api_json(data):
        return lambda o: json.dumps(data(o))

    def upload(o):
        return {"file": SimpleUploadedFile("spec.pdf", PDF, content_type="application/pdf"), "title": "Spec"}

    def csv_upload(o):
        data = f"reference,buyer_nib,title\nAUTHZ-1,{o['buyer'].nib},Authz part\n".encode()
        return {"file": SimpleUploadedFile("needs.csv", data, content_type="text/csv"), "all_or_nothing": "on"}

    return [
        # ---- the list and posting a need
        Case("list", lambda o: "/needs/", SIGNED_IN),
        Case("list filtered", lambda o: "/needs/?status=open&process=turning&imported=1&sort=-volume", SIGNED_IN),
        Case("add", lambda o: "/needs/new/", MANAGERS),
        Case(
            "add POST",
            lambda o: "/needs/new/",
            MANAGERS,
            method="post",
            data=lambda o: form_data(buyer=o["buyer"].pk, delivery_plant=o["plant"].pk),
        ),
        Case("plant field (officer's form)", lambda o: f"/needs/new/plant-field/?buyer={o['other'].pk}", {"officer"}),
        # ---- one need
        Case("detail (open)", need("open"), SIGNED_IN),
        Case("detail (invitation)", need("invited"), INVITED),
        Case("detail (draft)", need("draft"), OWN_PRIVATE),
        Case("detail (closed)", need("closed"), OWN_PRIVATE),
        Case("detail (other buyer, open)", need("other_open"), OTHER_OPEN),
        Case("detail (other buyer, draft)", need("other_draft"), OFFICERS),
        Case("edit (open)", need("open", "edit/"), MANAGERS),
        Case(
            "edit POST (open)",
            need("open", "edit/"),
            MANAGERS,
            method="post",
            data=lambda o: form_data(title="Muffler v2", buyer=o["buyer"].pk),
        ),
        Case(
            "edit POST (other buyer)",
            need("other_open", "edit/"),
            {"officer"},
            method="post",
            data=lambda o: form_data(title="Plate v2", buyer=o["other"].pk),
        ),
        Case(
            "status POST (publish draft)",
            need("draft", "status/"),
            MANAGERS,
            method="post",
            data=lambda o: {"status": "open"},
        ),
        Case(
            "status POST (close open)",
            need("open", "status/"),
            MANAGERS,
            method="post",
            data=lambda o: {"status": "closed"},
        ),
        Case(
            "status POST (other buyer)",
            need("other_open", "status/"),
            {"officer"},
            method="post",
            data=lambda o: {"status": "awarded"},
        ),
        Case("delete (draft)", need("draft", "delete/"), MANAGERS),
        Case("delete POST (draft)", need("draft", "delete/"), MANAGERS, method="post", data=lambda o: {}),
        Case(
            "delete POST (other buyer's draft)",
            need("other_draft", "delete/"),
            {"officer"},
            method="post",
            data=lambda o: {},
        ),
        Case("history (open)", need("open", "history/"), OWN_PRIVATE),
        Case("history (other buyer)", need("other_open", "history/"), OFFICERS),
        # ---- attachments
        Case("attach (open)", need("open", "attachments/new/"), MANAGERS),
        Case("attach POST (open)", need("open", "attachments/new/"), MANAGERS, method="post", data=upload),
        Case(
            "attach POST (other buyer)", need("other_open", "attachments/new/"), {"officer"}, method="post", data=upload
        ),
        Case("download (open)", attachment("open"), SIGNED_IN),
        Case("download (invitation)", attachment("invited"), INVITED),
        Case("download (draft)", attachment("draft"), OWN_PRIVATE),
        Case("attachment delete (open)", attachment("open", "delete/"), MANAGERS),
        Case(
            "attachment delete POST (open)", attachment("open", "delete/"), MANAGERS, method="post", data=lambda o: {}
        ),
        Case(
            "attachment of another need",
            lambda o: f"/needs/{o['open'].pk}/attachments/{o['draft_file'].pk}/",
            set(),
        ),
        # ---- import and export
        Case("import page", lambda o: "/needs/import/", MANAGERS),
        Case("import upload (dry run)", lambda o: "/needs/import/", MANAGERS, method="post", data=csv_upload),
        Case("import template csv", lambda o: "/needs/import/template.csv", MANAGERS),
        Case("import template xlsx", lambda o: "/needs/import/template.xlsx", MANAGERS),
        Case("import result (officer's)", lambda o: f"/needs/import/{o['job'].pk}/", {"officer"}),
        Case(
            "import commit (officer's, unfinished)",
            lambda o: f"/needs/import/{o['job'].pk}/",
            {"officer"},
            method="post",
            data=lambda o: {"all_or_nothing": "1"},
        ),
        Case("export csv", lambda o: "/needs/export.csv?status=open", SIGNED_IN),
        Case("export xlsx", lambda o: "/needs/export.xlsx", SIGNED_IN),
        # ---- API
        Case("API list", lambda o: "/api/needs/?status=open", SIGNED_IN),
        Case("API detail (open)", lambda o: f"/api/needs/{o['open'].pk}/", SIGNED_IN),
        Case("API detail (invitation)", lambda o: f"/api/needs/{o['invited'].pk}/", INVITED),
        Case("API detail (draft)", lambda o: f"/api/needs/{o['draft'].pk}/", OWN_PRIVATE),
        Case(
            "API create",
            lambda o: "/api/needs/",
            MANAGERS,
            method="post",
            data=api_json(lambda o: {"title": "API part", "buyer": o["buyer"].pk, "processes": ["welding"]}),
            content_type="application/json",
        ),
        Case(
            "API PATCH (open)",
            lambda o: f"/api/needs/{o['open'].pk}/",
            MANAGERS,
            method="patch",
            data=api_json(lambda o: {"title": "API title"}),
            content_type="application/json",
        ),
        Case(
            "API PATCH (other buyer)",
            lambda o: f"/api/needs/{o['other_open'].pk}/",
            {"officer"},
            method="patch",
            data=api_json(lambda o: {"annual_volume": 5}),
            content_type="application/json",
        ),
        Case(
            "API status (publish draft)",
            lambda o: f"/api/needs/{o['draft'].pk}/status/",
            MANAGERS,
            method="post",
            data=api_json(lambda o: {"status": "open"}),
            content_type="application/json",
        ),
        Case("API DELETE (draft)", lambda o: f"/api/needs/{o['draft'].pk}/", MANAGERS, method="delete"),
        Case(
            "API DELETE (other buyer's draft)",
            lambda o: f"/api/needs/{o['other_draft'].pk}/",
            {"officer"},
            method="delete",
        ),
    ]


def test_sourcing_authorisation_matrix(client_for, people, buyer_org, own_org, officer):
    objects = objects_for(buyer_org, own_org, officer)
    matrix = cases()
    checked = assert_matrix(client_for, people, matrix, objects=objects, watch=[Need, NeedAttachment, Job])
    assert checked == len(matrix) * len(people)


def test_allowed_writes_do_write(client_for, people, buyer_org, own_org, officer):
    """The matrix rolls every case back; here the buyer's allowed writes are checked to have happened."""
    objects = objects_for(buyer_org, own_org, officer)
    client = client_for(people["buyer"])
    assert client.post(f"/needs/{objects['open'].pk}/status/", {"status": "closed"}).status_code == 302
    assert Need.objects.get(pk=objects["open"].pk).status == "closed"
    assert client.post(f"/needs/{objects['draft'].pk}/delete/").status_code == 302
    assert not Need.objects.filter(pk=objects["draft"].pk).exists()
