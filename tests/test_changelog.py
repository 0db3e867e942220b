import csv
import io
import uuid

from django.contrib.contenttypes.models import ContentType

from jalin.accounts import services
from jalin.core.models import Job, JobStatus, ObjectChange


def test_update_records_before_after_actor_and_request_id(client, owner, own_org):
    client.force_login(owner)
    response = client.post(
        f"/accounts/organisations/{own_org.pk}/edit/",
        {
            "name": "PT Logam Tegal",
            "region": own_org.region_id,
            "address": "Jl. Raya Slawi 9",
            "email": "own@ikm.test",
            "phone": "0283-111",
        },
    )
    assert response.status_code == 302
    change = ObjectChange.objects.get(action="update", object_id=str(own_org.pk))
    assert change.actor == owner
    assert change.request_id == uuid.UUID(response["X-Request-ID"])
    assert change.changed_fields[0][0] == "address"
    assert [f for f, _, _ in change.changed_fields if f != "updated"] == ["address"]
    assert change.before["address"] == "" and change.after["address"] == "Jl. Raya Slawi 9"


def test_no_change_no_log(owner, own_org):
    services.update_organisation(own_org, actor=owner, name=own_org.name)
    assert not ObjectChange.objects.filter(action="update").exists()


def test_history_page_lists_changes(client, owner, own_org):
    services.update_organisation(own_org, actor=owner, address="Jl. Mawar 1")
    client.force_login(owner)
    page = client.get(f"/accounts/organisations/{own_org.pk}/history/").content.decode()
    assert "Jl. Mawar 1" in page


def test_changelog_filters(client, officer, owner, own_org, other_org):
    services.update_organisation(own_org, actor=owner, address="A")
    services.update_organisation(other_org, actor=officer, address="B")
    client.force_login(officer)
    page = client.get("/changes/", {"q": "Klaten"}).content.decode()
    assert "CV Cor Klaten" in page and "PT Logam Tegal" not in page
    page = client.get("/changes/", {"actor": "Owner"}).content.decode()
    assert "PT Logam Tegal" in page and "CV Cor Klaten" not in page
    assert client.get("/changes/", {"since": "not-a-date"}).status_code == 200
    org_type = ContentType.objects.get_for_model(own_org)
    response = client.get("/changes/", {"type": org_type.pk})
    assert response.context["types"] == [(org_type.pk, "Organisasi")]  # the types that have changes (Indonesian)
    assert f'<option value="{org_type.pk}" selected>Organisasi</option>' in response.content.decode()
    assert len(response.context["page"].object_list) == 2


def test_changelog_export_job(client, officer, owner, own_org, django_capture_on_commit_callbacks):
    services.update_organisation(own_org, actor=owner, name='=HYPERLINK("http://evil")')
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/changes/export/")
    job = Job.objects.get()
    assert response.status_code == 302 and str(job.pk) in response["Location"]
    assert job.status == JobStatus.SUCCEEDED and job.percent == 100 and job.result == {"rows": 1}
    body = client.get(f"/jobs/{job.pk}/download/").getvalue().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:4] == ["time", "actor", "request_id", "action"]
    assert rows[1][3] == "update" and rows[1][6].startswith("'=HYPERLINK")  # the object name, neutralised
    assert client.get(f"/jobs/{job.pk}/").status_code == 200


def test_safe_cell():
    from jalin.core.spreadsheet import safe_cell

    assert safe_cell("=1+1") == "'=1+1"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("-5") == "'-5"
    assert safe_cell(-5) == -5
    assert safe_cell("Knalpot") == "Knalpot"
    assert safe_cell(None) == ""
