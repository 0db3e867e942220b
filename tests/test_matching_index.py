"""The matching adapter: companies and needs as engine rows, the live index and how it stays fresh.

Real database, real engine: no mocks. Each test starts with no index (``fresh_index``).
"""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jalin.companies import services
from jalin.companies.models import (
    Certification,
    CertificationType,
    Company,
    CompanyKind,
    Material,
    Plant,
    Process,
    Product,
)
from jalin.matching import index as matching
from jalin.matching.engine.types import CompanyRow, NeedQuery
from jalin.matching.models import Candidate, LexiconEntry
from jalin.regions.models import Region
from jalin.sourcing.models import Need, NeedStatus, Visibility

TEGAL, PURBALINGGA, BEKASI = "33.28", "33.03", "32.16"
_nib = itertools.count(9130000000001)
_ref = itertools.count(1)


@pytest.fixture(autouse=True)
def fresh_index():
    matching.reset_index()
    yield
    matching.reset_index()


def make_company(name: str, code: str = TEGAL, *, processes=(), materials=(), **fields) -> Company:
    return services.create_company(
        actor=None,
        legal_name=name,
        nib=fields.pop("nib", None) or str(next(_nib)),
        region=Region.objects.get(code=code),
        processes=list(Process.objects.filter(code__in=processes)),
        materials=list(Material.objects.filter(code__in=materials)),
        **fields,
    )


def add_cert(company: Company, code: str = "iso-9001", days: int | None = 365) -> Certification:
    return services.save_child(
        Certification,
        actor=None,
        company=company,
        certification_type=CertificationType.objects.get(code=code),
        valid_until=timezone.localdate() + datetime.timedelta(days=days) if days is not None else None,
    )


def make_buyer(name: str = "PT Astra Honda Motor") -> Company:
    return make_company(name, BEKASI, kind=CompanyKind.INDUSTRY)


def make_need(buyer: Company, title: str, *, processes=(), materials=(), required=(), preferred=(), **fields) -> Need:
    fields.setdefault("status", NeedStatus.OPEN)
    need = Need.objects.create(reference=f"T-{next(_ref):03d}", buyer=buyer, title=title, **fields)
    need.processes.set(Process.objects.filter(code__in=processes))
    need.materials.set(Material.objects.filter(code__in=materials))
    need.required_certifications.set(CertificationType.objects.filter(code__in=required))
    need.preferred_certifications.set(CertificationType.objects.filter(code__in=preferred))
    return need


def ids(matches) -> list[int]:
    return [m.company_id for m in matches]


def match_for(matches, company):
    return next((m for m in matches if m.company_id == company.pk), None)


# --- rows --------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_company_row_carries_certifications_taxonomies_and_own_words():
    company = make_company(
        "CV Knalpot Purbalingga Jaya",
        PURBALINGGA,
        brand_name="PBG Racing",
        products="Knalpot racing dan standar untuk motor bebek",
        hs_codes="8714.10",
        monthly_capacity=4000,
        processes=["pipe-bending", "welding"],
        materials=["steel-pipe"],
    )
    services.save_child(
        Product, actor=None, company=company, name="Muffler assy", hs_code="8708.92", description="silencer 110cc"
    )
    add_cert(company, "iso-9001", days=-30)  # lapsed
    later = add_cert(company, "iso-9001", days=400)  # the one that counts
    add_cert(company, "sni", days=None)  # no expiry
    services.verify_company(company, actor=None)

    (row,) = matching.company_rows(Company.objects.filter(pk=company.pk))

    assert isinstance(row, CompanyRow) and row.id == company.pk and row.name == company.legal_name
    assert row.processes == {"pipe-bending", "welding"} and row.materials == {"steel-pipe"}
    assert row.certifications == {"iso-9001": later.valid_until.toordinal(), "sni": None}
    assert row.monthly_capacity == 4000 and row.verified and row.kind == "ikm" and row.region == PURBALINGGA
    assert row.completeness == Company.objects.get(pk=company.pk).completeness > 0
    # No coordinates of its own: the regency's centre.
    region = Region.objects.get(code=PURBALINGGA)
    assert (row.latitude, row.longitude) == (float(region.latitude), float(region.longitude))
    # What the company wrote, not the taxonomy names (the search matches them at query time) or the region
    # that search_text adds.
    for words in ("CV Knalpot Purbalingga Jaya", "PBG Racing", "motor bebek", "8714.10", "Muffler assy", "8708.92"):
        assert words in row.text
    assert "silencer 110cc" in row.text
    assert "Pengelasan" not in row.text
    assert "Purbalingga" not in row.text.replace("CV Knalpot Purbalingga Jaya", "")
    assert "Kabupaten Purbalingga" in Company.objects.get(pk=company.pk).search_text


@pytest.mark.django_db
def test_company_row_keeps_its_own_coordinates():
    company = make_company("CV Titik", latitude=Decimal("-6.975000"), longitude=Decimal("109.140000"))
    (row,) = matching.company_rows(Company.objects.filter(pk=company.pk))
    assert (row.latitude, row.longitude) == (-6.975, 109.14)
    assert row.certifications == {} and row.processes == frozenset() and not row.verified


def _count_row_queries(chunk_size=5000) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        rows = list(matching.company_rows(chunk_size=chunk_size))
    return len(rows), len(ctx.captured_queries)


def _add_full_company(i: int) -> None:
    company = make_company(f"CV Uji {i}", processes=["turning", "milling"], materials=["carbon-steel"])
    add_cert(company)
    services.save_child(Product, actor=None, company=company, name=f"Poros {i}", hs_code="8483.10")


@pytest.mark.django_db
def test_company_rows_query_count_does_not_grow():
    _add_full_company(0)
    one, queries_one = _count_row_queries()
    _add_full_company(1)
    _add_full_company(2)
    three, queries_three = _count_row_queries()
    assert (one, three) == (1, 3)
    assert queries_one == queries_three <= 9  # 4 lookups + base + 4 child tables
    # Chunked: a fixed number of queries per chunk, rows identical whatever the chunk size.
    assert list(matching.company_rows(chunk_size=2)) == list(matching.company_rows())


# --- needs -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_need_query():
    buyer = make_buyer()
    plant = Plant.objects.create(
        company=buyer, name="Cikarang", region=Region.objects.get(code=BEKASI), latitude=Decimal("-6.300000"),
        longitude=Decimal("107.150000"),
    )  # fmt: skip
    need = make_need(
        buyer,
        "Muffler assembly for 110cc scooter",
        description="Complete silencer with heat shield",
        part_category="Exhaust",
        hs_code="8714.10",
        processes=["pipe-bending", "welding"],
        materials=["steel-pipe"],
        required=["iso-9001"],
        preferred=["iatf-16949"],
        annual_volume=60_000,
        delivery_plant=plant,
        hard_filter=False,
    )
    query = matching.need_query(need)
    assert isinstance(query, NeedQuery) and query.id == need.pk
    for words in ("Muffler assembly", "heat shield", "Exhaust", "8714.10"):
        assert words in query.text
    assert query.processes == {"pipe-bending", "welding"} and query.materials == {"steel-pipe"}
    assert query.required_certifications == {"iso-9001"} and query.preferred_certifications == {"iatf-16949"}
    assert query.monthly_volume == 5000
    assert (query.latitude, query.longitude) == (-6.3, 107.15)
    assert query.hard_filter is False and query.as_of == timezone.localdate().toordinal()
    assert query.kinds == {"ikm"}

    # A plant without coordinates: its regency's centre. No plant, no volume: unknown.
    plant.latitude = plant.longitude = None
    plant.save()
    need.refresh_from_db()
    region = Region.objects.get(code=BEKASI)
    assert matching.need_query(need).latitude == float(region.latitude)
    bare = matching.need_query(make_need(buyer, "Baut M8"))
    assert (bare.latitude, bare.monthly_volume, bare.processes) == (None, None, frozenset())


@pytest.mark.django_db
def test_need_queries_query_count_does_not_grow():
    buyer = make_buyer()

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            matching.need_queries(Need.objects.all())
        return len(ctx.captured_queries)

    make_need(buyer, "Gear", processes=["turning"], required=["iso-9001"])
    one = count()
    make_need(buyer, "Shaft", processes=["milling"], preferred=["sni"])
    make_need(buyer, "Bracket", materials=["sheet-steel"])
    assert count() == one


# --- the write path stamps every change ---------------------------------------------------------------------


@pytest.mark.django_db
def test_child_row_edits_bump_company_updated():
    """companies.services._refresh writes with QuerySet.update(), which skips auto_now: it stamps by hand."""
    company = make_company("CV Stempel")

    def stamp():
        return Company.objects.values_list("updated", flat=True).get(pk=company.pk)

    before = stamp()
    cert = add_cert(company)
    after_add = stamp()
    assert after_add > before
    services.save_child(Certification, actor=None, company=company, instance=cert, number="ID-1")
    after_edit = stamp()
    assert after_edit > after_add
    services.delete_child(cert, actor=None)
    assert stamp() > after_edit


# --- freshness -----------------------------------------------------------------------------------------------


@pytest.fixture
def gear_market(db):
    """A need for a heat-treated gear shaft and three turning shops that write about gear shafts."""
    buyer = make_buyer()
    need = make_need(
        buyer,
        "Gear shaft, heat treated",
        description="Gear shaft for motorcycle transmission, hardened",
        processes=["turning", "heat-treatment"],
        materials=["alloy-steel"],
    )
    products = "Bubut poros dan as presisi untuk motor"  # no gear word: a gear implies heat treatment
    shops = {
        "lagging": make_company("CV Bubut Tertinggal", products=products, processes=["turning"]),
        "able": make_company(
            "CV Bubut Lengkap", products=products, processes=["turning", "heat-treatment"], materials=["alloy-steel"]
        ),
        "other": make_company("CV Per Daun", products="Per daun truk", processes=["spring-making"]),
    }
    return need, shops


@pytest.mark.django_db
def test_company_edit_reaches_ranking_without_rebuild(gear_market):
    need, shops = gear_market
    lagging = shops["lagging"]
    before = matching.rank_need(need, top_k=10)
    assert ids(before).index(shops["able"].pk) < ids(before).index(lagging.pk)
    processes_before = match_for(before, lagging).parts["processes"]
    status = matching.index_status()
    assert status["builds"] == 1 and status["companies"] == 4  # three shops and the buyer

    services.update_company(
        lagging,
        actor=None,
        processes=list(Process.objects.filter(code__in=["turning", "heat-treatment"])),
        materials=list(Material.objects.filter(code__in=["alloy-steel"])),
    )
    after = matching.rank_need(need, top_k=10)

    assert match_for(after, lagging).parts["processes"] > processes_before
    assert match_for(after, lagging).score > match_for(before, lagging).score
    assert ids(after).index(lagging.pk) < ids(before).index(lagging.pk) or ids(after).index(lagging.pk) == 0
    status = matching.index_status()
    assert status["builds"] == 1, "the edit must not rebuild the index"
    assert status["upserted"] >= 1


@pytest.mark.django_db
def test_sync_picks_up_create_update_and_delete(gear_market):
    need, _shops = gear_market
    matching.rank_need(need)
    assert matching.sync() == {"upserted": 0, "removed": 0, "lexicon": ""}

    newcomer = make_company(
        "CV Pendatang Baru", products="Gear shaft hardened", processes=["turning", "heat-treatment"]
    )
    assert matching.sync()["upserted"] == 1
    assert newcomer.pk in ids(matching.rank_need(need))
    assert matching.index_status()["companies"] == 5

    services.update_company(newcomer, actor=None, legal_name="CV Pendatang Lama")
    assert matching.sync()["upserted"] == 1
    assert matching.sync()["upserted"] == 0  # seen with that stamp: not fetched again

    services.delete_company(newcomer, actor=None)
    assert matching.sync()["removed"] == 1
    assert newcomer.pk not in ids(matching.rank_need(need))
    assert matching.index_status()["companies"] == 4
    assert matching.sync()["removed"] == 0  # applied once
    assert matching.index_status()["builds"] == 1


@pytest.mark.django_db
def test_certification_added_reaches_a_hard_requirement(gear_market):
    need, shops = gear_market
    need.required_certifications.set(CertificationType.objects.filter(code="iatf-16949"))
    assert shops["able"].pk not in ids(matching.rank_need(need))  # filtered out: no IATF 16949

    add_cert(shops["able"], "iatf-16949")
    assert shops["able"].pk in ids(matching.rank_need(need))
    assert matching.index_status()["builds"] == 1


@pytest.mark.django_db
def test_a_late_commit_with_an_older_stamp_is_not_missed(gear_market):
    """A transaction that stamped its row before another one committed and synced is still picked up."""
    need, shops = gear_market
    matching.rank_need(need)
    index = matching.get_index()
    make_company("CV Cepat")  # commits and is synced: the watermark moves past the slow one's stamp
    matching.sync()
    slow = shops["other"]
    slow_stamp = index.watermark - datetime.timedelta(seconds=5)
    Company.objects.filter(pk=slow.pk).update(products="Gear shaft hardened", updated=slow_stamp)
    assert matching.sync()["upserted"] == 1
    assert "Gear shaft hardened" in index_row_text(slow)


def index_row_text(company) -> str:
    (row,) = matching.company_rows(Company.objects.filter(pk=company.pk))
    return row.text


@pytest.mark.django_db
def test_a_company_deleted_behind_the_services_back_is_never_shown(gear_market):
    need, shops = gear_market
    able = shops["able"]
    assert able.pk in ids(matching.rank_need(need))
    Company.objects.filter(pk=able.pk).delete()  # no change log entry
    assert able.pk not in ids(matching.rank_need(need))
    assert matching.index_status()["companies"] == 3


@pytest.mark.django_db
def test_lexicon_change_rebuilds_the_index(gear_market):
    """The engine analyses text once, when indexing, and keeps no text: a new lexicon takes the rows again."""
    need, _shops = gear_market
    plain = make_company("CV Kata Asing", products="Gembrot kuningan")
    need.title, need.description = "Flibber", ""
    need.processes.clear()
    need.materials.clear()
    need.save()
    before = match_for(matching.rank_need(need), plain)
    assert before is None or before.parts["text"] == 0

    LexiconEntry.objects.create(term="gembrot", concept="flibber", language="slang")
    LexiconEntry.objects.create(term="flibber", concept="flibber", language="en")
    after = match_for(matching.rank_need(need), plain)
    assert after is not None and after.parts["text"] > 0
    status = matching.index_status()
    assert (status["builds"], status["lexicon_rebuilds"]) == (2, 1)
    assert matching.sync()["lexicon"] == ""  # once

    LexiconEntry.objects.filter(term="gembrot").delete()
    assert (
        match_for(matching.rank_need(need), plain) is None
        or match_for(matching.rank_need(need), plain).parts["text"] == 0
    )
    assert matching.index_status()["lexicon_rebuilds"] == 2


@pytest.mark.django_db
def test_opportunities_are_the_open_needs_the_company_may_see(gear_market):
    need, shops = gear_market
    buyer = need.buyer
    make_need(buyer, "Gear shaft draft", status=NeedStatus.DRAFT, processes=["turning"])
    make_need(buyer, "Gear shaft closed", status=NeedStatus.CLOSED, processes=["turning"])
    private = make_need(buyer, "Gear shaft private", visibility=Visibility.INVITATION, processes=["turning"])
    able = shops["able"]

    found = matching.opportunities(able)
    assert [n.pk for n, _m in found] == [need.pk]
    (_need, match) = found[0]
    assert match.parts["processes"] > 0 and match.score > 0

    Candidate.objects.create(need=private, company=able, status="invited")
    assert {n.pk for n, _m in matching.opportunities(able)} == {need.pk, private.pk}
    assert matching.opportunities(shops["other"], top_k=1)[0][0].pk == need.pk


@pytest.mark.django_db
def test_index_status(gear_market):
    need, _shops = gear_market
    matching.rank_need(need)
    status = matching.index_status()
    assert status["companies"] == 4 and status["builds"] == 1
    assert status["memory_bytes"] > 0 and status["build_seconds"] >= status["fetch_seconds"] >= 0
    assert status["built_at"] <= status["last_sync"] <= timezone.now()


@pytest.mark.django_db(transaction=True)
def test_a_large_index_rebuilds_for_a_new_lexicon_in_the_background(monkeypatch):
    """Rankings go on with the old lexicon while a new index is built in a thread, then it is swapped in."""
    import time

    monkeypatch.setattr(matching, "BACKGROUND_REBUILD_MIN", 1)  # "large" from one company on
    buyer = make_buyer()
    plain = make_company("CV Kata Asing", products="Gembrot kuningan")
    need = make_need(buyer, "Flibber")
    assert match_for(matching.rank_need(need), plain).parts["text"] == 0

    LexiconEntry.objects.create(term="gembrot", concept="flibber", language="slang")
    LexiconEntry.objects.create(term="flibber", concept="flibber", language="en")
    assert matching.sync()["lexicon"] == "rebuilding"
    deadline = time.monotonic() + 30
    while matching.index_status()["rebuilding"] and time.monotonic() < deadline:
        time.sleep(0.05)
    status = matching.index_status()
    assert (status["rebuilding"], status["builds"], status["lexicon_rebuilds"]) == (False, 2, 1)
    assert match_for(matching.rank_need(need), plain).parts["text"] > 0


@pytest.mark.django_db
def test_reference_data_is_still_there_after_the_transactional_test():
    assert Process.objects.filter(code="welding").exists() and Region.objects.filter(code=TEGAL).exists()
