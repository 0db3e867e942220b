"""The demo registry: the real story's companies and the generated IKM population."""

import random
import time
from collections import Counter

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

from jalin.accounts.models import Organisation, User
from jalin.companies import services
from jalin.companies.identifiers import clean_nib, clean_npwp
from jalin.companies.models import (
    BuyerType,
    Certification,
    CertificationType,
    Company,
    CompanyKind,
    Kbli,
    Machine,
    Material,
    Process,
    Product,
    Verification,
)
from jalin.companies.queries import CompanyFilters, company_list
from jalin.core.models import ObjectChange
from jalin.demo import bulk, population
from jalin.demo.companies import BUYERS, IKM, STORY
from jalin.demo.loader import load_demo
from jalin.demo.population import RegionInfo, demo_nib, generate
from jalin.demo.vocabulary import CLUSTERS, ISSUERS, TRADES
from jalin.regions.models import Region

N = 300
SEED = population.DEFAULT_SEED
FAKE_REGIONS = {c.code: RegionInfo(i, c.label, -7.0, 110.0) for i, c in enumerate(CLUSTERS)}


@pytest.fixture
def demo(db):
    load_demo(companies=N)
    return User.objects.get(email="officer@jalin.demo")


def generated():
    return Company.objects.filter(nib__startswith="91")


def registry_counts():
    return (
        Company.objects.count(),
        Company.processes.through.objects.count(),
        Company.materials.through.objects.count(),
        Company.kbli.through.objects.count(),
        Machine.objects.count(),
        Certification.objects.count(),
        Product.objects.count(),
        ObjectChange.objects.count(),
    )


def test_vocabulary_uses_known_codes(db):
    processes = set(Process.objects.values_list("code", flat=True))
    materials = set(Material.objects.values_list("code", flat=True))
    kbli = set(Kbli.objects.values_list("code", flat=True))
    for trade in TRADES.values():
        assert {code for code, _ in trade.processes} <= processes, trade.key
        assert {code for code, _ in trade.materials} <= materials, trade.key
        assert set(trade.kbli) <= kbli, trade.key
    assert set(ISSUERS) <= set(CertificationType.objects.values_list("code", flat=True))
    assert sum(c.weight for c in CLUSTERS) == 100
    for cluster in CLUSTERS:
        assert {key for key, _ in cluster.trades} <= set(TRADES)
    regions = {r.code: r for r in Region.objects.filter(code__in=[c.code for c in CLUSTERS])}
    assert regions["33.28"].name == "Kabupaten Tegal" and regions["33.76"].name == "Kota Tegal"
    assert regions["33.03"].name == "Kabupaten Purbalingga" and regions["33.10"].name == "Kabupaten Klaten"
    assert regions["35.15"].name == "Kabupaten Sidoarjo" and regions["35.14"].name == "Kabupaten Pasuruan"
    assert regions["32.16"].name == "Kabupaten Bekasi" and regions["32.15"].name == "Kabupaten Karawang"
    assert regions["32.01"].name == "Kabupaten Bogor" and regions["36.03"].name == "Kabupaten Tangerang"


def test_generation_is_deterministic():
    first = [generate(SEED, i, FAKE_REGIONS) for i in range(50)]
    again = [generate(SEED, i, FAKE_REGIONS) for i in reversed(range(50))][::-1]
    assert first == again
    other = [generate(SEED + 1, i, FAKE_REGIONS) for i in range(50)]
    assert [c.nib for c in first] != [c.nib for c in other]
    assert [c.legal_name for c in first] != [c.legal_name for c in other]


def test_generated_population_has_realistic_noise():
    rows = [generate(SEED, i, FAKE_REGIONS) for i in range(3000)]
    share = Counter()
    for row in rows:
        share["no processes"] += not row.processes
        share["no npwp"] += not row.npwp
        share["no coordinates"] += row.latitude is None
        share["no capacity"] += row.monthly_capacity is None
        share["incomplete"] += not (row.processes and row.npwp and row.latitude and row.monthly_capacity)
        share["verified"] += row.verified_days_ago is not None
        share["upper case"] += bool(row.products) and row.products == row.products.upper()
        share["english"] += any(d in row.products for t in TRADES.values() for d in t.english)
        share["iso-9001"] += any(c[0] == "iso-9001" for c in row.certifications)
        share["iatf-16949"] += any(c[0] == "iatf-16949" for c in row.certifications)
    pct = {key: 100 * value / len(rows) for key, value in share.items()}
    assert 10 <= pct["no processes"] <= 25
    assert 10 <= pct["no npwp"] <= 30
    assert 28 <= pct["incomplete"] <= 50
    assert 35 <= pct["verified"] <= 45
    assert 5 <= pct["upper case"] <= 25 and 5 <= pct["english"] <= 30
    assert 2 <= pct["iso-9001"] <= 15 and 0 < pct["iatf-16949"] < pct["iso-9001"]
    assert len({row.nib for row in rows}) == len(rows)
    assert len({row.npwp for row in rows if row.npwp}) == sum(1 for row in rows if row.npwp)


def test_size_classes_are_mostly_small_and_medium_with_a_few_large():
    from jalin.companies.classification import industry_class

    classes = Counter(
        industry_class(r.workforce, r.investment).size for r in (generate(7, i, FAKE_REGIONS) for i in range(4000))
    )
    classified = sum(n for size, n in classes.items() if size)
    assert classes["small"] > classes["medium"] > classes["large"] > 0
    assert classes["large"] / classified < 0.05
    assert (classes["small"] + classes["medium"]) / classified > 0.9


def test_load_is_deterministic_and_idempotent(demo):
    first = registry_counts()
    nibs = list(generated().order_by("nib").values_list("nib", "legal_name"))
    assert len(nibs) == N
    expected = sorted((demo_nib(SEED, i), generate(SEED, i, FAKE_REGIONS).legal_name) for i in range(N))
    assert nibs == expected

    result = load_demo(companies=N)
    assert result.created == 0 and registry_counts() == first

    # An interrupted run resumes: missing rows come back identical, with any batch size.
    # (Companies taking part in the demo events are protected by their participation: lose others.)
    lost = list(generated().filter(event_participations=None).order_by("pk").values_list("nib", flat=True)[:40])
    generated().filter(nib__in=lost).delete()
    reports = []
    again = bulk.load_population(N, seed=SEED, batch_size=17, report=reports.append)
    assert (again.created, again.existing) == (40, N - 40)
    assert registry_counts()[:-1] == first[:-1]
    assert list(generated().order_by("nib").values_list("nib", "legal_name")) == expected


def test_progress_is_reported(db, monkeypatch):
    monkeypatch.setattr(bulk, "PROGRESS_EVERY", 50)
    reports = []
    bulk.load_population(120, seed=3, batch_size=40, report=reports.append)
    assert [r.split(" of ")[0] for r in reports] == ["companies: 80", "companies: 120"]


def test_identifiers_are_valid(demo):
    for nib, npwp in Company.objects.values_list("nib", "npwp"):
        assert clean_nib(nib) == nib
        if npwp:
            assert len(npwp) == 16 and clean_npwp(npwp) == npwp
    assert generated().exclude(npwp="").count() > N / 2


def test_population_spreads_over_the_clusters(demo):
    by_region = Counter(generated().values_list("region__code", flat=True))
    assert set(by_region) == {c.code for c in CLUSTERS}
    assert by_region["33.28"] == max(by_region.values())
    assert Company.objects.filter(region__code="33.03", products__icontains="knalpot").exists()
    assert Company.objects.filter(region__code="33.10", processes__code="casting").exists()


def test_search_finds_trade_slang(demo):
    officer = demo

    def found(**filters):
        return company_list(officer, CompanyFilters(**filters))

    knalpot = found(q="knalpot")
    assert knalpot.filter(region__code="33.03").count() >= 5
    purbalingga = Counter(knalpot.values_list("region__code", flat=True)).most_common(1)[0][0]
    assert purbalingga in {"33.03", "33.28"}
    assert found(q="cor", region="33.10").exists()
    assert found(q="bubut", process="turning", region="33").exists()
    assert found(q="bracket").exists() and found(q="per keong").exists() and found(q="kampas rem").exists()


def test_generated_rows_are_complete_registry_rows(demo):
    rows = generated()
    assert set(rows.exclude(industry_class="").values_list("industry_class", flat=True)) >= {"small", "medium"}
    assert rows.filter(verification=Verification.VERIFIED, verified_by=demo).count() > N * 0.3
    assert rows.filter(verification=Verification.SELF_DECLARED, verified_by=None).count() > N * 0.5
    assert Machine.objects.filter(company__in=rows).exists() and Certification.objects.filter(company__in=rows).exists()
    generated_type = ContentType.objects.get_for_model(Company)
    ids = [str(pk) for pk in rows.values_list("pk", flat=True)]
    assert not ObjectChange.objects.filter(content_type=generated_type, object_id__in=ids).exists()


def test_derived_fields_equal_what_services_compute(demo):
    rows = generated()
    sample = set(rows.filter(product_items__isnull=False).values_list("pk", flat=True)[:10])
    sample |= set(rows.filter(certifications__isnull=False).values_list("pk", flat=True)[:10])
    pks = list(rows.values_list("pk", flat=True))
    sample |= set(random.Random(1).sample(pks, 30))
    fields = ("industry_class", "industry_class_rule", "enterprise_class", "enterprise_class_rule")
    for company in Company.objects.filter(pk__in=sample):
        stored = {f: getattr(company, f) for f in (*fields, "completeness", "search_text")}
        services.derive(company)
        assert stored == {f: getattr(company, f) for f in (*fields, "completeness", "search_text")}, company.nib


def test_story_companies_are_linked_and_verified(demo):
    officer = demo
    for story in STORY:
        company = Company.objects.get(nib=story.nib)
        assert company.organisation == Organisation.objects.get(name=story.organisation)
        assert company.legal_name == story.organisation and company.kind == story.kind
        assert company.verification == Verification.VERIFIED and company.verified_by == officer
        assert clean_npwp(company.npwp) == company.npwp
        assert ObjectChange.objects.filter(
            content_type=ContentType.objects.get_for_model(Company), object_id=str(company.pk)
        ).exists()
    buyers = {b.organisation: Company.objects.get(nib=b.nib) for b in BUYERS}
    assert buyers["PT Dharma Polimetal"].buyer_type == BuyerType.TIER_1
    assert buyers["PT Mada Wikri Tunggal"].buyer_type == BuyerType.TIER_1
    assert buyers["PT United Tractors Pandu Engineering (PATRIA)"].buyer_type == BuyerType.HEAVY
    assert all(b.kind == CompanyKind.INDUSTRY and b.industry_class == "large" for b in buyers.values())
    assert all(b.plants.filter(region__code="32.16").exists() for b in buyers.values())
    for story in IKM:
        company = Company.objects.get(nib=story.nib)
        assert company.region.code == "33.28" and company.kind == CompanyKind.IKM
        assert company.processes.exists() and company.machines.exists() and company.product_items.exists()
        assert all(p.hs_code for p in company.product_items.all())
    sadiyah = Company.objects.get(organisation__name="PT Sadiyah Cahaya Logam")
    assert User.objects.get(email="ikm@jalin.demo").organisation.company == sadiyah


def test_command_prints_registry_counts(db, capsys):
    call_command("demo", "--companies", "40", "--quiet")
    out = capsys.readouterr().out
    assert "Registry: 49 companies (46 IKM, 3 industry)" in out
    call_command("demo", "--companies", "40", "--quiet")
    assert "0 records created" in capsys.readouterr().out


def test_background_writer_hands_errors_to_the_caller(monkeypatch):
    written = []

    def write(rows, ctx):
        if rows == ["bad"]:
            raise ValueError("bad batch")
        written.append(rows)

    monkeypatch.setattr(bulk, "write", write)
    writer = bulk._BackgroundWriter(ctx=None)
    writer.put(["good"])
    writer.put(["bad"])
    with pytest.raises(ValueError, match="bad batch"):
        for _ in range(100):  # the writer fails in its own time; every later put or the close reports it
            writer.put(["after"])
            time.sleep(0.01)
    with pytest.raises(ValueError):
        writer.close()
    assert written == [["good"]]  # nothing after the failed batch
