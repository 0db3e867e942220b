"""The needs' services: references, the status workflow (with the refused transitions), the rules that span
fields, who may post for which buyer, attachments and deletion. Other sourcing tests import the builders here."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jalin.companies import services as company_services
from jalin.companies.models import CertificationType, Company, Material, Plant, Process
from jalin.core.models import ObjectChange
from jalin.core.roles import Role
from jalin.matching.models import Candidate, CandidateStatus
from jalin.regions.models import Region
from jalin.sourcing import services
from jalin.sourcing.models import Need, NeedAttachment, NeedStatus, Visibility
from tests.conftest import make_org, make_user
from tests.test_registry_pages import BEKASI, TEGAL, make_company

KARAWANG = "32.15"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
DXF = b"  0\r\nSECTION\r\n  2\r\nHEADER\r\n  0\r\nENDSEC\r\n  0\r\nEOF\r\n"
STEP = b"ISO-10303-21;\nHEADER;\nENDSEC;\nEND-ISO-10303-21;\n"

pytestmark = pytest.mark.usefixtures("english")  # assertions read English (tests/conftest.py)


def codes(model, *values):
    return list(model.objects.filter(code__in=values))


def make_need(buyer: Company, title: str, *, status=NeedStatus.OPEN, actor=None, **fields) -> Need:
    """A need of ``buyer`` moved to ``status`` through the workflow."""
    for name, model in (
        ("processes", Process),
        ("materials", Material),
        ("required_certifications", CertificationType),
        ("preferred_certifications", CertificationType),
    ):
        if name in fields and fields[name] and isinstance(fields[name][0], str):
            fields[name] = codes(model, *fields[name])
    need = services.create_need(actor=actor, buyer=buyer, title=title, **fields)
    for step in services.transition_path(NeedStatus.DRAFT, status):
        services.set_status(need, actor=actor, status=step)
    return need


def build_buyers(buyer_org) -> dict:
    """The buyer company of ``buyer_org`` (Bekasi, two plants) and another buyer with its own plant."""
    buyer = make_company(
        "PT Pembeli Otomotif", BEKASI, org=buyer_org, verified=True, kind="industry", buyer_type="tier1"
    )
    bekasi, karawang = Region.objects.get(code=BEKASI), Region.objects.get(code=KARAWANG)
    plant = company_services.save_child(Plant, actor=None, company=buyer, name="Plant Cikarang", region=bekasi)
    company_services.save_child(Plant, actor=None, company=buyer, name="Plant Karawang", region=karawang)
    other_org = make_org("PT Pembeli Lain", "buyer", KARAWANG)
    other = make_company(
        "PT Mada Wikri Tunggal", KARAWANG, org=other_org, verified=True, kind="industry", buyer_type="tier1"
    )
    other_plant = company_services.save_child(Plant, actor=None, company=other, name="Plant Teluk", region=karawang)
    return {
        "buyer": buyer,
        "plant": plant,
        "other_org": other_org,
        "other": other,
        "other_plant": other_plant,
    }


def build_needs(buyer_org, own_org) -> dict:
    """Needs in every state that matters for who sees what: the buyer's open, draft, invitation-only (own_org's
    IKM invited) and closed needs, and another buyer's open and draft needs."""
    data = build_buyers(buyer_org)
    buyer, other = data["buyer"], data["other"]
    own_ikm = make_company("PT Logam Tegal", TEGAL, org=own_org, verified=True, processes=["welding"])
    data["own_ikm"] = own_ikm
    data["open"] = make_need(
        buyer,
        "Muffler assembly 110cc scooter",
        description="Knalpot lengkap dengan heat shield",
        part_category="exhaust",
        hs_code="8714.10",
        processes=["pipe-bending", "welding"],
        materials=["steel-pipe"],
        annual_volume=60000,
        target_price=Decimal("185000"),
        required_certifications=["iso-9001"],
        delivery_plant=data["plant"],
        imported=True,
        annual_import_value=Decimal("7500000000"),
        start_date=datetime.date(2026, 7, 1),
    )
    data["draft"] = make_need(buyer, "Bracket stamping draft", status=NeedStatus.DRAFT, processes=["stamping"])
    data["invited"] = make_need(
        buyer,
        "Bushing track roller",
        visibility=Visibility.INVITATION,
        processes=["turning"],
        materials=["alloy-steel"],
    )
    Candidate.objects.create(need=data["invited"], company=own_ikm, status=CandidateStatus.INVITED)
    data["closed"] = make_need(buyer, "Pin bucket closed", status=NeedStatus.CLOSED, processes=["turning"])
    data["other_open"] = make_need(other, "Reinforcement plate", processes=["stamping"], materials=["sheet-steel"])
    data["other_draft"] = make_need(other, "Stay bracket draft", status=NeedStatus.DRAFT)
    return data


@pytest.fixture
def buyers(db, buyer_org):
    return build_buyers(buyer_org)


def errors_of(exc: ValidationError) -> dict:
    return exc.message_dict


# ------------------------------------------------------------------------------------ references


def test_reference_is_made_from_initials_year_and_sequence(buyer, buyers):
    year = timezone.localdate().year
    first = services.create_need(actor=buyer, title="Part A")
    second = services.create_need(actor=buyer, title="Part B")
    assert first.reference == f"POT-{year}-001" and second.reference == f"POT-{year}-002"
    assert first.buyer == buyers["buyer"] and first.status == NeedStatus.DRAFT
    other = services.create_need(actor=None, buyer=buyers["other"], title="Part C")
    assert other.reference == f"MWT-{year}-001"
    given = services.create_need(actor=None, buyer=buyers["other"], title="Part D", reference=" rfq-77 ")
    assert given.reference == "RFQ-77"
    with pytest.raises(ValidationError) as caught:
        services.create_need(actor=None, buyer=buyers["other"], title="Part E", reference="RFQ-77")
    assert "reference" in errors_of(caught.value)
    # The sequence continues after the highest number, not the count.
    Need.objects.filter(pk=first.pk).update(reference=f"POT-{year}-041")
    assert services.create_need(actor=buyer, title="Part F").reference == f"POT-{year}-042"


@pytest.mark.parametrize(
    ("legal_name", "brand", "initials"),
    [
        ("PT Dharma Polimetal", "", "DPO"),
        ("PT Mada Wikri Tunggal", "", "MWT"),
        ("PT United Tractors Pandu Engineering (PATRIA)", "PATRIA", "PATRIA"),
        ("PT Astra Honda Motor Tbk", "", "AHM"),
        ("CV Sinar", "", "SIN"),
    ],
)
def test_buyer_initials(legal_name, brand, initials):
    assert services.buyer_initials(Company(legal_name=legal_name, brand_name=brand)) == initials


# ------------------------------------------------------------------------------------ who posts for whom


def test_a_buyer_posts_only_for_its_own_company(buyer, buyers):
    need = services.create_need(actor=buyer, title="Part A")
    assert need.buyer == buyers["buyer"]
    with pytest.raises(PermissionDenied):
        services.create_need(actor=buyer, buyer=buyers["other"], title="Part B")
    with pytest.raises(PermissionDenied):
        services.update_need(need, actor=buyer, buyer=buyers["other"])
    assert Need.objects.count() == 1


def test_a_buyer_without_a_registry_profile_is_told_why(db):
    org = make_org("PT Belum Terdaftar", "buyer", BEKASI)
    user = make_user("new.buyer@test.id", Role.BUYER, org)
    with pytest.raises(ValidationError, match="no buyer profile"):
        services.create_need(actor=user, title="Part A")


def test_officers_choose_an_industry_buyer(officer, regional, owner, buyers, own_org):
    need = services.create_need(actor=officer, buyer=buyers["other"], title="Part A")
    assert need.buyer == buyers["other"]
    ikm = make_company("CV Kecil", TEGAL, org=own_org)
    with pytest.raises(ValidationError) as caught:
        services.create_need(actor=officer, buyer=ikm, title="Part B")
    assert "buyer" in errors_of(caught.value)
    for user in (regional, owner):
        with pytest.raises(PermissionDenied):
            services.create_need(actor=user, buyer=buyers["buyer"], title="Part C")
    # An officer may move a need to another buyer (and its plant must follow).
    services.update_need(need, actor=officer, buyer=buyers["buyer"], delivery_plant=buyers["plant"])
    assert Need.objects.get(pk=need.pk).buyer == buyers["buyer"]


# ------------------------------------------------------------------------------------ rules across fields


def test_a_certification_cannot_be_both_required_and_preferred(buyer, buyers):
    iso, iatf = codes(CertificationType, "iso-9001"), codes(CertificationType, "iatf-16949")
    with pytest.raises(ValidationError) as caught:
        services.create_need(
            actor=buyer, title="Part", required_certifications=iso, preferred_certifications=iso + iatf
        )
    assert "ISO 9001" in errors_of(caught.value)["preferred_certifications"][0]
    need = services.create_need(actor=buyer, title="Part", required_certifications=iso, preferred_certifications=iatf)
    with pytest.raises(ValidationError) as caught:  # the stored lists count on an update of one of them
        services.update_need(need, actor=buyer, preferred_certifications=iso)
    assert "preferred_certifications" in errors_of(caught.value)


def test_an_imported_part_needs_its_import_value(buyer, buyers):
    with pytest.raises(ValidationError) as caught:
        services.create_need(actor=buyer, title="Part", imported=True)
    assert "annual_import_value" in errors_of(caught.value)
    need = services.create_need(actor=buyer, title="Part", imported=True, annual_import_value=Decimal("1000000"))
    assert need.annual_import_value == Decimal("1000000")
    need = services.update_need(need, actor=buyer, imported=False, annual_import_value=Decimal("5"))
    assert Need.objects.get(pk=need.pk).annual_import_value is None  # no value for a part not imported
    with pytest.raises(ValidationError):
        services.update_need(need, actor=buyer, imported=True)


def test_the_delivery_plant_is_one_of_the_buyers_own(buyer, buyers):
    with pytest.raises(ValidationError) as caught:
        services.create_need(actor=buyer, title="Part", delivery_plant=buyers["other_plant"])
    assert "Plant Teluk is not a plant of PT Pembeli Otomotif" in errors_of(caught.value)["delivery_plant"][0]
    need = services.create_need(actor=buyer, title="Part", delivery_plant=buyers["plant"])
    assert need.delivery_plant == buyers["plant"]


def test_hs_code_and_amounts_are_checked(buyer, buyers):
    need = services.create_need(actor=buyer, title="Part", hs_code="870892")
    assert need.hs_code == "8708.92"
    with pytest.raises(ValidationError) as caught:
        services.create_need(actor=buyer, title="Part", hs_code="87", target_price=Decimal("-1"))
    assert set(errors_of(caught.value)) == {"hs_code", "target_price"}


def test_every_write_is_logged_with_the_actor(buyer, buyers):
    need = services.create_need(actor=buyer, title="Part", target_price=Decimal("1000"))
    services.update_need(need, actor=buyer, title="Part v2")
    services.set_status(need, actor=buyer, status=NeedStatus.OPEN)
    actions = list(
        ObjectChange.objects.filter(object_id=str(need.pk), content_type__model="need")
        .order_by("time", "pk")
        .values_list("action", "actor")
    )
    assert actions == [("create", buyer.pk), ("update", buyer.pk), ("update", buyer.pk)]
    last = ObjectChange.objects.filter(object_id=str(need.pk)).order_by("-pk").first()
    assert last.before["status"] == "draft" and last.after["status"] == "open"


# ------------------------------------------------------------------------------------ the workflow


def test_allowed_transitions(buyer, buyers):
    need = services.create_need(actor=buyer, title="Part")
    services.set_status(need, actor=buyer, status=NeedStatus.OPEN)
    services.set_status(need, actor=buyer, status=NeedStatus.CLOSED)
    services.set_status(need, actor=buyer, status=NeedStatus.OPEN)  # reopened
    services.set_status(need, actor=buyer, status=NeedStatus.AWARDED)
    assert Need.objects.get(pk=need.pk).status == NeedStatus.AWARDED


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        ([], NeedStatus.CLOSED),  # draft → closed
        ([], NeedStatus.AWARDED),  # draft → awarded
        ([], NeedStatus.DRAFT),  # draft → draft
        ([NeedStatus.OPEN], NeedStatus.DRAFT),  # open → draft
        ([NeedStatus.OPEN, NeedStatus.CLOSED], NeedStatus.AWARDED),  # closed → awarded
        ([NeedStatus.OPEN, NeedStatus.AWARDED], NeedStatus.OPEN),  # awarded is final
        ([NeedStatus.OPEN, NeedStatus.AWARDED], NeedStatus.CLOSED),
        ([], "archived"),
    ],
)
def test_refused_transitions_change_nothing(buyer, buyers, path, refused):
    need = services.create_need(actor=buyer, title="Part")
    for step in path:
        services.set_status(need, actor=buyer, status=step)
    logged = ObjectChange.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.set_status(need, actor=buyer, status=refused)
    assert "status" in errors_of(caught.value)
    assert Need.objects.get(pk=need.pk).status == (path[-1] if path else NeedStatus.DRAFT)
    assert ObjectChange.objects.count() == logged


def test_a_draft_visibility_cannot_be_published(buyer, buyers):
    need = services.create_need(actor=buyer, title="Part", visibility=Visibility.DRAFT)
    with pytest.raises(ValidationError) as caught:
        services.set_status(need, actor=buyer, status=NeedStatus.OPEN)
    assert "visibility" in errors_of(caught.value)
    services.update_need(need, actor=buyer, visibility=Visibility.INVITATION)
    assert services.set_status(need, actor=buyer, status=NeedStatus.OPEN).status == NeedStatus.OPEN


def test_status_is_changed_only_by_set_status(buyer, buyers):
    need = services.create_need(actor=buyer, title="Part", status=NeedStatus.AWARDED)
    assert need.status == NeedStatus.DRAFT
    services.update_need(need, actor=buyer, status=NeedStatus.AWARDED, title="Part 2")
    assert Need.objects.get(pk=need.pk).status == NeedStatus.DRAFT


def test_others_cannot_move_the_status(buyers, people):
    need = make_need(buyers["other"], "Part")
    for name in ("buyer", "regional", "owner", "assessor"):
        with pytest.raises(PermissionDenied):
            services.set_status(need, actor=people[name], status=NeedStatus.CLOSED)
    services.set_status(need, actor=people["officer"], status=NeedStatus.CLOSED)


def test_transition_path():
    assert services.transition_path("draft", "awarded") == ["open", "awarded"]
    assert services.transition_path("closed", "awarded") == ["open", "awarded"]
    assert services.transition_path("open", "open") == []
    assert services.transition_path("awarded", "open") is None
    assert services.transition_path("open", "draft") is None


# ------------------------------------------------------------------------------------ delete and attachments


def test_only_drafts_are_deleted_with_their_files(buyer, buyers, django_capture_on_commit_callbacks):
    from django.core.files.storage import default_storage

    need = services.create_need(actor=buyer, title="Part")
    attachment = services.add_attachment(need, actor=buyer, file=SimpleUploadedFile("a.pdf", PDF), title="Drawing")
    stored = attachment.file.name
    assert default_storage.exists(stored)
    opened = make_need(buyers["buyer"], "Open part")
    with pytest.raises(ValidationError, match="Only a draft"):
        services.delete_need(opened, actor=buyer)
    assert Need.objects.filter(pk=opened.pk).exists()
    with pytest.raises(PermissionDenied):
        services.delete_need(make_need(buyers["other"], "Theirs", status=NeedStatus.DRAFT), actor=buyer)
    pk = need.pk
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_need(need, actor=buyer)
    assert not Need.objects.filter(pk=pk).exists() and not NeedAttachment.objects.exists()
    assert ObjectChange.objects.filter(object_id=str(pk), action="delete").exists()
    assert not default_storage.exists(stored)


@pytest.mark.parametrize(
    ("name", "content", "ok"),
    [
        ("gambar.pdf", PDF, True),
        ("foto.PNG", PNG, True),
        ("foto.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 16, True),
        ("part.dxf", DXF, True),
        ("part.step", STEP, True),
        ("part.stp", STEP, True),
        ("set.zip", b"PK\x03\x04" + b"\x00" * 26, True),
        ("virus.exe", PDF, False),
        ("fake.pdf", b"MZ\x90\x00", False),
        ("fake.dxf", b"hello world", False),
        ("noextension", PDF, False),
    ],
)
def test_attachment_types(buyer, buyers, name, content, ok):
    need = services.create_need(actor=buyer, title="Part")
    upload = SimpleUploadedFile(name, content)
    if ok:
        assert services.add_attachment(need, actor=buyer, file=upload).need == need
    else:
        with pytest.raises(ValidationError):
            services.add_attachment(need, actor=buyer, file=upload)
        assert not NeedAttachment.objects.exists()


def test_attachment_size_limit_and_permissions(buyer, buyers, owner):
    need = services.create_need(actor=buyer, title="Part")
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (20 * 1024 * 1024))
    with pytest.raises(ValidationError, match="20 MB"):
        services.add_attachment(need, actor=buyer, file=big)
    with pytest.raises(PermissionDenied):
        services.add_attachment(need, actor=owner, file=SimpleUploadedFile("a.pdf", PDF))
    attachment = services.add_attachment(need, actor=buyer, file=SimpleUploadedFile("a.pdf", PDF))
    with pytest.raises(PermissionDenied):
        services.delete_attachment(attachment, actor=owner)
    services.delete_attachment(attachment, actor=buyer)
    assert not NeedAttachment.objects.exists()
    assert ObjectChange.objects.filter(content_type__model="needattachment", action="delete").exists()
