"""The needs pages: list filters, search, sort and what each role sees; detail with private fields; create and
edit; status actions; attachments with a permission-checked download; delete; history; N+1 guards."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from jalin.companies.models import CertificationType, Material, Process
from jalin.core.models import ObjectChange
from jalin.sourcing import services
from jalin.sourcing.models import Need, NeedAttachment, NeedStatus
from tests.test_sourcing_services import PDF, build_needs, make_need


@pytest.fixture
def client_language():
    """Signed-in clients of ``client_for`` ask for English pages."""
    return "en"


@pytest.fixture
def needs(db, buyer_org, own_org):
    return build_needs(buyer_org, own_org)


def titles(response) -> list[str]:
    assert response.status_code == 200, response.status_code
    return sorted(n.title for n in response.context["page"].object_list)


def form_data(**overrides) -> dict:
    data = {
        "reference": "",
        "title": "Swing arm bracket",
        "part_category": "stamping part",
        "description": "SPHC 2,3 mm, ED coating",
        "hs_code": "8714.10",
        "processes": [Process.objects.get(code="stamping").pk, Process.objects.get(code="welding").pk],
        "materials": [Material.objects.get(code="sheet-steel").pk],
        "annual_volume": "120000",
        "volume_unit": "pcs",
        "target_price": "Rp 12.500",
        "start_date": "2026-09-01",
        "required_certifications": [CertificationType.objects.get(code="iso-9001").pk],
        "preferred_certifications": [CertificationType.objects.get(code="iatf-16949").pk],
        "max_defect_ppm": "300",
        "hard_filter": "on",
        "delivery_plant": "",
        "annual_import_value": "",
        "visibility": "open",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# ------------------------------------------------------------------------------------ list


def test_each_list_filter_filters(client_for, officer, needs):
    client = client_for(officer)
    get = lambda **params: titles(client.get("/needs/", params))  # noqa: E731
    assert len(get()) == 6
    assert get(status="draft") == ["Bracket stamping draft", "Stay bracket draft"]
    assert get(status="closed") == ["Pin bucket closed"]
    assert get(buyer=str(needs["other"].pk)) == ["Reinforcement plate", "Stay bracket draft"]
    assert get(process="turning") == ["Bushing track roller", "Pin bucket closed"]
    assert get(material="sheet-steel") == ["Reinforcement plate"]
    assert get(imported="1") == ["Muffler assembly 110cc scooter"]
    assert len(get(imported="0")) == 5
    assert get(visibility="invitation") == ["Bushing track roller"]
    assert get(status="bogus") == get()  # an unknown value is ignored, not an error


def test_search_looks_in_title_description_reference_and_category(client_for, officer, needs):
    client = client_for(officer)
    get = lambda q: titles(client.get("/needs/", {"q": q}))  # noqa: E731
    assert get("muffler") == ["Muffler assembly 110cc scooter"]
    assert get("KNALPOT heat") == ["Muffler assembly 110cc scooter"]  # description, every word
    assert get("exhaust") == ["Muffler assembly 110cc scooter"]  # part category
    assert get(needs["other_open"].reference) == ["Reinforcement plate"]
    assert get("knalpot bracket") == []


def test_sort_and_pagination(client_for, officer, needs):
    client = client_for(officer)
    rows = client.get("/needs/", {"sort": "title"}).context["page"].object_list
    assert [n.title for n in rows] == sorted(n.title for n in rows)
    rows = client.get("/needs/", {"sort": "-volume"}).context["page"].object_list
    assert rows[0].title == "Muffler assembly 110cc scooter" and rows[-1].annual_volume is None
    page = client.get("/needs/", {"per_page": 4, "page": 2}).context["page"]
    assert page.number == 2 and len(page.object_list) == 2
    html = client.get("/needs/", {"status": "open"}).content.decode()
    assert "/needs/export.csv?status=open" in html and "/needs/export.xlsx?status=open" in html


def test_each_role_sees_its_needs(client_for, people, needs):
    everything = titles(client_for(people["officer"]).get("/needs/"))
    assert titles(client_for(people["regional"]).get("/needs/")) == everything
    own = ["Bracket stamping draft", "Bushing track roller", "Muffler assembly 110cc scooter", "Pin bucket closed"]
    assert titles(client_for(people["buyer"]).get("/needs/")) == own
    # An IKM sees open needs and the invitation-only one it was invited to; never drafts or closed ones.
    invited = ["Bushing track roller", "Muffler assembly 110cc scooter", "Reinforcement plate"]
    assert titles(client_for(people["owner"]).get("/needs/")) == invited
    assert titles(client_for(people["colleague"]).get("/needs/")) == invited
    assert titles(client_for(people["outsider"]).get("/needs/")) == [
        "Muffler assembly 110cc scooter",
        "Reinforcement plate",
    ]
    assert titles(client_for(people["assessor"]).get("/needs/")) == [
        "Muffler assembly 110cc scooter",
        "Reinforcement plate",
    ]
    page = client_for(people["owner"]).get("/needs/").content.decode()
    assert "Post a need" not in page and 'name="visibility"' not in page
    page = client_for(people["buyer"]).get("/needs/").content.decode()
    assert "Post a need" in page and 'name="buyer"' not in page


def test_empty_states(client_for, people, db, buyer_org):
    from tests.test_sourcing_services import build_buyers

    build_buyers(buyer_org)
    assert (
        "Post the parts your company wants made locally" in client_for(people["buyer"]).get("/needs/").content.decode()
    )
    assert "No open needs right now" in client_for(people["owner"]).get("/needs/").content.decode()
    html = client_for(people["buyer"]).get("/needs/", {"q": "nothing"}).content.decode()
    assert "No needs match these filters" in html


def test_navigation_has_needs(client_for, owner, db):
    html = client_for(owner).get("/").content.decode()
    assert 'href="/needs/"' in html


# ------------------------------------------------------------------------------------ detail


def test_detail_shows_private_price_only_to_buyer_and_officers(client_for, people, needs):
    url = needs["open"].get_absolute_url()
    for name in ("buyer", "officer", "regional"):
        html = client_for(people[name]).get(url).content.decode()
        assert "Target unit price" in html and "185,000" in html, name
    for name in ("owner", "outsider", "assessor", "regional_other"):
        response = client_for(people[name]).get(url)
        html = response.content.decode()
        assert response.status_code == 200, name
        if name in ("owner", "outsider", "assessor"):
            assert "Target unit price" not in html and "185" not in html, name
            assert "Muffler assembly 110cc scooter" in html and "Plant Cikarang" in html
            assert "/history/" not in html and "Recent changes" not in html
    assert client_for(people["outsider"]).get(needs["invited"].get_absolute_url()).status_code == 404
    assert client_for(people["owner"]).get(needs["invited"].get_absolute_url()).status_code == 200
    assert client_for(people["owner"]).get(needs["draft"].get_absolute_url()).status_code == 404
    assert client_for(people["buyer"]).get(needs["other_open"].get_absolute_url()).status_code == 404


def test_detail_shows_everything_to_the_buyer(client_for, buyer, needs):
    html = client_for(buyer).get(needs["open"].get_absolute_url()).content.decode()
    for text in (
        needs["open"].reference,
        "8714.10",
        "Pipe bending",
        "Steel pipe",
        "ISO 9001",
        "60,000",
        "5,000",  # a month
        "7,500,000,000",
        "Plant Cikarang",
        "Recent changes",
        "status: Draft → Open",
        "created the need",
        "Close",
        "Mark as awarded",
    ):
        assert text in html, text
    assert 'name="status" value="closed"' in html and 'name="status" value="awarded"' in html
    try:
        expected = reverse("matching:need_candidates", args=[needs["open"].pk])
    except NoReverseMatch:
        expected = None
    response = client_for(buyer).get(needs["open"].get_absolute_url())
    assert response.context["candidates_url"] == expected
    assert (expected in html) if expected else ("See the candidates" not in html)


def test_status_buttons_follow_the_workflow(client_for, buyer, needs):
    html = client_for(buyer).get(needs["draft"].get_absolute_url()).content.decode()
    assert re.findall(r'name="status" value="(\w+)"', html) == ["open"]
    html = client_for(buyer).get(needs["closed"].get_absolute_url()).content.decode()
    assert re.findall(r'name="status" value="(\w+)"', html) == ["open"]
    services.set_status(needs["open"], actor=None, status=NeedStatus.AWARDED)
    html = client_for(buyer).get(needs["open"].get_absolute_url()).content.decode()
    assert re.findall(r'name="status" value="(\w+)"', html) == []


# ------------------------------------------------------------------------------------ create and edit


def test_a_buyer_creates_a_need_for_its_own_company(client_for, buyer, needs):
    client = client_for(buyer)
    page = client.get("/needs/new/").content.decode()
    assert 'name="buyer"' not in page and "PT Pembeli Otomotif" in page
    assert "Plant Cikarang" in page and "Plant Teluk" not in page  # only the buyer's plants
    drawing = SimpleUploadedFile("drawing.pdf", PDF, content_type="application/pdf")
    data = form_data(delivery_plant=needs["plant"].pk, drawings=drawing)
    response = client.post("/needs/new/", data)
    assert response.status_code == 302, response.context["form"].errors
    need = Need.objects.get(title="Swing arm bracket")
    assert response["Location"] == need.get_absolute_url()
    assert need.buyer == needs["buyer"] and need.status == NeedStatus.DRAFT
    assert re.fullmatch(r"POT-\d{4}-\d{3}", need.reference)
    assert need.target_price == 12500 and need.hs_code == "8714.10" and need.delivery_plant == needs["plant"]
    assert sorted(need.processes.values_list("code", flat=True)) == ["stamping", "welding"]
    assert need.attachments.count() == 1
    assert ObjectChange.objects.filter(object_id=str(need.pk), action="create", actor=buyer).exists()


def test_a_buyer_cannot_smuggle_another_buyer_or_plant(client_for, buyer, needs):
    client = client_for(buyer)
    response = client.post("/needs/new/", form_data(buyer=needs["other"].pk, delivery_plant=needs["other_plant"].pk))
    assert response.status_code == 200 and "delivery_plant" in response.context["form"].errors
    response = client.post("/needs/new/", form_data(buyer=needs["other"].pk))
    assert response.status_code == 302
    assert Need.objects.get(title="Swing arm bracket").buyer == needs["buyer"]  # the posted buyer is ignored


def test_form_rules_show_on_their_fields(client_for, buyer, needs):
    client = client_for(buyer)
    iso = CertificationType.objects.get(code="iso-9001").pk
    response = client.post(
        "/needs/new/",
        form_data(preferred_certifications=[iso], imported="on", hs_code="87", title="", target_price="abc"),
    )
    errors = response.context["form"].errors
    assert {"preferred_certifications", "annual_import_value", "hs_code", "title", "target_price"} <= set(errors)
    assert "cannot be both required and preferred" in str(errors["preferred_certifications"])
    existing = needs["open"].reference
    assert "reference" in client.post("/needs/new/", form_data(reference=existing)).context["form"].errors
    assert Need.objects.count() == 6


def test_an_officer_chooses_the_buyer_and_its_plant(client_for, officer, needs):
    client = client_for(officer)
    page = client.get("/needs/new/").content.decode()
    assert 'name="buyer"' in page and "PT Mada Wikri Tunggal" in page
    assert "PT Logam Tegal" not in page.split('name="buyer"')[1].split("</select>")[0]  # only large industry
    fragment = client.get("/needs/new/plant-field/", {"buyer": needs["other"].pk}).content.decode()
    assert "Plant Teluk" in fragment and "Plant Cikarang" not in fragment and 'id="plant-field"' in fragment
    response = client.post(
        "/needs/new/", form_data(buyer=needs["other"].pk, delivery_plant=needs["plant"].pk, reference="mwt-x-1")
    )
    assert "delivery_plant" in response.context["form"].errors
    response = client.post(
        "/needs/new/", form_data(buyer=needs["other"].pk, delivery_plant=needs["other_plant"].pk, reference="mwt-x-1")
    )
    assert response.status_code == 302
    need = Need.objects.get(reference="MWT-X-1")
    assert need.buyer == needs["other"] and need.delivery_plant == needs["other_plant"]
    assert "buyer" in client.post("/needs/new/", form_data(reference="x2")).context["form"].errors


def test_edit_keeps_the_reference_and_logs(client_for, buyer, needs):
    need = needs["open"]
    client = client_for(buyer)
    page = client.get(f"/needs/{need.pk}/edit/").content.decode()
    assert 'value="185.000"' in page and "Muffler assembly 110cc scooter" in page
    data = form_data(
        title="Muffler assembly 125cc", reference="HACKED", imported="on", annual_import_value="7.500.000.000"
    )
    response = client.post(f"/needs/{need.pk}/edit/", data)
    assert response.status_code == 302, response.context["form"].errors
    need.refresh_from_db()
    assert need.title == "Muffler assembly 125cc" and need.reference != "HACKED" and need.status == NeedStatus.OPEN
    change = ObjectChange.objects.filter(object_id=str(need.pk), action="update").first()
    assert change.actor == buyer and change.after["title"] == "Muffler assembly 125cc"


# ------------------------------------------------------------------------------------ status, delete, history


def test_status_actions(client_for, people, needs):
    need = needs["draft"]
    url = f"/needs/{need.pk}/status/"
    assert client_for(people["owner"]).post(url, {"status": "open"}).status_code == 404
    assert client_for(people["regional"]).post(url, {"status": "open"}).status_code == 403
    client = client_for(people["buyer"])
    response = client.post(url, {"status": "open"}, follow=True)
    assert "is open" in response.content.decode()
    need.refresh_from_db()
    assert need.status == NeedStatus.OPEN
    response = client.post(url, {"status": "draft"}, follow=True)
    assert "cannot become" in response.content.decode()
    assert client.get(url).status_code == 405
    for step in ("closed", "open", "awarded"):
        assert client.post(url, {"status": step}).status_code == 302
    need.refresh_from_db()
    assert need.status == NeedStatus.AWARDED


def test_delete_only_drafts(client_for, people, needs):
    draft, opened = needs["draft"], needs["open"]
    client = client_for(people["buyer"])
    assert "Only a draft can be deleted" in client.get(f"/needs/{opened.pk}/delete/").content.decode()
    response = client.post(f"/needs/{opened.pk}/delete/", follow=True)
    assert "Only a draft can be deleted" in response.content.decode() and Need.objects.filter(pk=opened.pk).exists()
    assert client_for(people["owner"]).post(f"/needs/{draft.pk}/delete/").status_code == 404
    client = client_for(people["buyer"])
    assert "Yes, delete" in client.get(f"/needs/{draft.pk}/delete/").content.decode()
    response = client.post(f"/needs/{draft.pk}/delete/")
    assert response.status_code == 302 and response["Location"] == "/needs/"
    assert not Need.objects.filter(pk=draft.pk).exists()


def test_history_is_for_those_who_see_private_fields(client_for, people, needs):
    need = needs["open"]
    services.update_need(need, actor=people["buyer"], title="Muffler v2")
    services.add_attachment(need, actor=people["buyer"], file=SimpleUploadedFile("spec.pdf", PDF), title="Spec")
    url = f"/needs/{need.pk}/history/"
    html = client_for(people["buyer"]).get(url).content.decode()
    assert "Muffler v2" in html and "Spec" in html and "target_price" in html
    assert client_for(people["regional"]).get(url).status_code == 200
    assert client_for(people["owner"]).get(url).status_code == 403
    assert client_for(people["outsider"]).get(f"/needs/{needs['invited'].pk}/history/").status_code == 404


# ------------------------------------------------------------------------------------ attachments


def test_attachment_upload_and_permission_checked_download(client_for, people, needs):
    opened, invited, draft = needs["open"], needs["invited"], needs["draft"]
    client = client_for(people["buyer"])
    fake = SimpleUploadedFile("gambar.pdf", b"MZ not a pdf", content_type="application/pdf")
    response = client.post(f"/needs/{opened.pk}/attachments/new/", {"file": fake, "title": "x"})
    assert response.status_code == 400 and "file" in response.context["form"].errors
    urls = {}
    for key, need in (("open", opened), ("invited", invited), ("draft", draft)):
        upload = SimpleUploadedFile(f"{key}.pdf", PDF, content_type="application/pdf")
        response = client.post(f"/needs/{need.pk}/attachments/new/", {"file": upload, "title": f"Drawing {key}"})
        assert response.status_code == 302
        attachment = NeedAttachment.objects.get(need=need)
        urls[key] = f"/needs/{need.pk}/attachments/{attachment.pk}/"
    html = client.get(opened.get_absolute_url()).content.decode()
    assert "Drawing open" in html and urls["open"] in html
    may = {
        "open": {"officer", "regional", "regional_other", "buyer", "owner", "colleague", "outsider", "assessor"},
        "invited": {"officer", "regional", "regional_other", "buyer", "owner", "colleague"},
        "draft": {"officer", "regional", "regional_other", "buyer"},
    }
    for key, url in urls.items():
        for name, user in people.items():
            if user is None:
                continue
            response = client_for(user).get(url)
            if name in may[key]:
                assert response.status_code == 200, (key, name)
                assert b"".join(response.streaming_content) == PDF
            else:
                assert response.status_code == 404, (key, name)
    # Another need's id in the path does not reach the file.
    other = NeedAttachment.objects.get(need=draft)
    assert client_for(people["buyer"]).get(f"/needs/{opened.pk}/attachments/{other.pk}/").status_code == 404
    # Delete: only those who may change the need.
    assert client_for(people["owner"]).post(f"{urls['open']}delete/").status_code == 403
    response = client_for(people["buyer"]).post(f"{urls['open']}delete/")
    assert response.status_code == 302 and not NeedAttachment.objects.filter(need=opened).exists()


# ------------------------------------------------------------------------------------ N+1 guards


def _rich_need(i, needs):
    return make_need(
        needs["buyer"],
        f"Part {i}",
        processes=["welding", "stamping", "turning", "painting"],
        materials=["sheet-steel"],
        required_certifications=["iso-9001"],
        preferred_certifications=["iatf-16949"],
        delivery_plant=needs["plant"],
        annual_volume=1000 + i,
    )


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url",
    [
        "/needs/",
        "/needs/?q=part&process=welding&status=open",
        "/api/needs/",
        "/api/needs/?process=welding&sort=-volume",
    ],
)
@pytest.mark.parametrize("who", ["officer", "buyer", "owner"])
def test_list_queries_do_not_grow(client_for, people, db, buyer_org, url, who):
    from tests.test_sourcing_services import build_buyers

    data = build_buyers(buyer_org)
    client = client_for(people[who])
    _rich_need(0, data)
    one = count_queries(client, url)
    _rich_need(1, data)
    _rich_need(2, data)
    three = count_queries(client, url)
    assert one == three, f"{url} as {who}: {one} queries for 1 row, {three} for 3"


def test_detail_page_answers_with_a_bounded_number_of_queries(client_for, buyer, needs):
    for i in range(3):
        services.add_attachment(needs["open"], actor=None, file=SimpleUploadedFile(f"{i}.pdf", PDF))
    assert count_queries(client_for(buyer), needs["open"].get_absolute_url()) <= 25
