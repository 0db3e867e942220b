"""The real 2018 Link and Match story as registry profiles, written through the registry services.

Real (PRODUCT.md): the names, that the three buyers are a Tier-1 of motorcycle frames and parts
(PT Dharma Polimetal), a Tier-1 of stamping parts (PT Mada Wikri Tunggal) and the heavy-equipment maker
of the Astra group (PT United Tractors Pandu Engineering, PATRIA), that the buyers work around Cikarang
(Kabupaten Bekasi), and that the six IKM are in Kabupaten Tegal.

Demo data, invented: every NIB, NPWP, certificate number, workforce, investment, machine, product
list, address detail, coordinate and plant other than the Cikarang ones. Coordinates are approximate
district centres. Every write goes through ``companies.services`` and so lands in the change log.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from jalin.accounts.models import Organisation
from jalin.companies import services
from jalin.companies.models import (
    BuyerType,
    Certification,
    CertificationType,
    Company,
    CompanyKind,
    Kbli,
    Machine,
    Material,
    Plant,
    Process,
    Product,
)
from jalin.regions.models import Region

from .population import npwp16

BILLION = 1_000_000_000


@dataclass(frozen=True)
class StoryCompany:
    organisation: str  # Organisation.name, as in demo.loader.ORGANISATIONS
    kind: str
    nib: str
    npwp: str
    region: str
    address: str
    latitude: str
    longitude: str
    workforce: int
    investment: int
    products: str
    hs_codes: str
    processes: tuple[str, ...]
    materials: tuple[str, ...]
    kbli: tuple[str, ...]
    monthly_capacity: int | None
    contact_name: str
    phone: str
    email: str
    buyer_type: str = ""
    brand_name: str = ""
    capacity_note: str = ""
    items: tuple[tuple[str, str], ...] = ()  # product name, HS code
    machines: tuple[tuple[str, int, str, int], ...] = ()  # type, count, capacity, year
    # certification type code, number, issuer, valid until (days from today; negative = lapsed)
    certifications: tuple[tuple[str, str, str, int], ...] = ()
    plants: tuple[tuple[str, str, str], ...] = ()  # name, regency code, address


KAB_BEKASI, KAB_KARAWANG, KAB_TEGAL, KOTA_BALIKPAPAN = "32.16", "32.15", "33.28", "64.71"

BUYERS = (
    StoryCompany(
        "PT Dharma Polimetal",
        CompanyKind.INDUSTRY,
        nib="8120001180014",
        npwp=npwp16("01318447", kpp=431),
        region=KAB_BEKASI,
        address="Kawasan Industri, Cikarang, Kabupaten Bekasi",
        latitude="-6.326100",
        longitude="107.168400",
        workforce=3200,
        investment=450 * BILLION,
        products="Rangka (frame), swing arm, tangki bahan bakar dan part stamping sepeda motor; part bodi roda empat",
        hs_codes="8714.10, 8708.29",
        processes=("stamping", "welding", "painting", "assembly", "pipe-bending"),
        materials=("sheet-steel", "steel-pipe", "carbon-steel"),
        kbli=("30912", "29300"),
        monthly_capacity=450_000,
        contact_name="Dewi Lestari",
        phone="021-89830000",
        email="purchasing@dharmapolimetal.jalin.demo",
        buyer_type=BuyerType.TIER_1,
        items=(("Rangka sepeda motor", "8714.10"), ("Tangki bahan bakar", "8714.10"), ("Swing arm", "8714.10")),
        certifications=(
            ("iso-9001", "ID10231-QMS", "TÜV Rheinland Indonesia", 500),
            ("iatf-16949", "IATF 0410231", "TÜV Rheinland Indonesia", 500),
            ("iso-14001", "ID10232-EMS", "TÜV Rheinland Indonesia", 500),
        ),
        plants=(
            ("Plant Cikarang", KAB_BEKASI, "Kawasan industri, Cikarang, Kabupaten Bekasi"),
            ("Plant Karawang", KAB_KARAWANG, "Kawasan industri, Telukjambe Timur, Kabupaten Karawang"),
        ),
    ),
    StoryCompany(
        "PT Mada Wikri Tunggal",
        CompanyKind.INDUSTRY,
        nib="8120001180021",
        npwp=npwp16("01452918", kpp=431),
        region=KAB_BEKASI,
        address="Cikarang, Kabupaten Bekasi",
        latitude="-6.295300",
        longitude="107.152900",
        workforce=950,
        investment=120 * BILLION,
        products="Part stamping dan sub-assy las untuk sepeda motor dan mobil: bracket, stay, reinforcement, plate",
        hs_codes="8714.10, 8708.29",
        processes=("stamping", "die-making", "welding", "assembly"),
        materials=("sheet-steel", "carbon-steel"),
        kbli=("25910", "30912"),
        monthly_capacity=900_000,
        contact_name="Hendra Gunawan",
        phone="021-89840000",
        email="purchasing@madawikri.jalin.demo",
        buyer_type=BuyerType.TIER_1,
        items=(("Bracket stamping", "8714.10"), ("Reinforcement", "8708.29")),
        certifications=(
            ("iso-9001", "ID20517-QMS", "BSI Group Indonesia", 400),
            ("iatf-16949", "IATF 0420517", "BSI Group Indonesia", 400),
        ),
        plants=(("Plant Cikarang", KAB_BEKASI, "Cikarang, Kabupaten Bekasi"),),
    ),
    StoryCompany(
        "PT United Tractors Pandu Engineering (PATRIA)",
        CompanyKind.INDUSTRY,
        nib="8120001180038",
        npwp=npwp16("01305571", kpp=431),
        region=KAB_BEKASI,
        address="Kawasan Industri Jababeka, Cikarang, Kabupaten Bekasi",
        latitude="-6.288000",
        longitude="107.146000",
        workforce=2500,
        investment=900 * BILLION,
        brand_name="PATRIA",
        products=(
            "Attachment dan komponen alat berat (bucket, vessel dump truck, boom), trailer dan fabrikasi baja berat"
        ),
        hs_codes="8431.49, 8707.90",
        processes=("welding", "sheet-metal", "cnc-machining", "painting", "assembly"),
        materials=("carbon-steel", "alloy-steel", "sheet-steel"),
        # Heavy-equipment KBLI codes (e.g. 28240) are not in the starting reference list.
        kbli=(),
        monthly_capacity=None,
        contact_name="Bambang Hartono",
        phone="021-89830500",
        email="procurement@patria.jalin.demo",
        buyer_type=BuyerType.HEAVY,
        items=(("Bucket excavator", "8431.49"), ("Vessel dump truck", "8707.90")),
        certifications=(
            ("iso-9001", "ID30118-QMS", "PT Sucofindo", 700),
            ("iso-14001", "ID30119-EMS", "PT Sucofindo", 700),
            ("iso-45001", "ID30120-OHS", "PT Sucofindo", 700),
        ),
        plants=(
            ("Plant Cikarang", KAB_BEKASI, "Kawasan Industri Jababeka, Cikarang, Kabupaten Bekasi"),
            ("Workshop Balikpapan", KOTA_BALIKPAPAN, "Kota Balikpapan, Kalimantan Timur"),
        ),
    ),
)


def _ikm(organisation: str, nib: str, npwp_head: str, district: str, lat: str, lon: str, **fields) -> StoryCompany:
    return StoryCompany(
        organisation,
        CompanyKind.IKM,
        nib=nib,
        npwp=npwp16(npwp_head, kpp=525),
        region=KAB_TEGAL,
        address=f"Kec. {district}, Kabupaten Tegal",
        latitude=lat,
        longitude=lon,
        **fields,
    )


IKM = (
    _ikm(
        "PT Sadiyah Cahaya Logam",
        "8120107180011",
        "02815530",
        "Talang",
        "-6.919800",
        "109.131200",
        workforce=45,
        investment=3_500_000_000,
        products="Pres stamping bracket, stay dan dudukan untuk rangka sepeda motor; sub-assy las (las MIG & spot)",
        hs_codes="8714.10",
        processes=("stamping", "welding", "die-making", "painting"),
        materials=("sheet-steel", "carbon-steel"),
        kbli=("25910", "30912"),
        monthly_capacity=60_000,
        capacity_note="2 shift",
        contact_name="Slamet Riyadi",
        phone="0283-351200",
        email="sadiyah@ikm.jalin.demo",
        items=(("Bracket rangka", "8714.10"), ("Stay footstep", "8714.10")),
        machines=(
            ("Mesin press (power press)", 4, "60 ton", 2012),
            ("Mesin press (power press)", 2, "110 ton", 2017),
            ("Mesin las MIG", 6, "350 A", 2016),
            ("Mesin las spot", 2, "35 kVA", 2015),
        ),
        certifications=(("iso-9001", "ID41870-QMS", "PT Sucofindo", 420),),
    ),
    _ikm(
        "PT Karya Manunggal Manufaktur",
        "8120107180028",
        "02817726",
        "Adiwerna",
        "-6.938500",
        "109.128300",
        workforce=38,
        investment=4_200_000_000,
        products="Bubut CNC dan frais: as, pin, bushing, collar untuk part sepeda motor",
        hs_codes="8714.10, 8483.30",
        processes=("turning", "cnc-machining", "milling", "heat-treatment"),
        materials=("carbon-steel", "alloy-steel"),
        kbli=("25920", "30912"),
        monthly_capacity=80_000,
        contact_name="Teguh Prasetyo",
        phone="0283-352310",
        email="kmm@ikm.jalin.demo",
        items=(("As / pin", "8714.10"), ("Bushing", "8483.30")),
        machines=(
            ("Mesin bubut CNC", 5, "Ø 250 mm", 2018),
            ("Machining center 3 axis", 2, "800×500 mm", 2019),
            ("Mesin bubut konvensional", 6, "1 m", 2008),
        ),
        # Expires within weeks: shows on the expiring-soon list.
        certifications=(("iso-9001", "ID41902-QMS", "BSI Group Indonesia", 25),),
    ),
    _ikm(
        "PT Prima Karya",
        "8120107180035",
        "02819902",
        "Dukuhturi",
        "-6.901700",
        "109.103400",
        workforce=60,
        investment=6_000_000_000,
        products="Part stamping dan las: bracket, plate, reinforcement; pengecatan (cat oven)",
        hs_codes="8708.29, 8714.10",
        processes=("stamping", "welding", "painting", "die-making"),
        materials=("sheet-steel", "carbon-steel"),
        kbli=("25910", "29300"),
        monthly_capacity=120_000,
        capacity_note="2 shift",
        contact_name="Sri Wahyuni",
        phone="0283-353455",
        email="primakarya@ikm.jalin.demo",
        items=(("Bracket", "8708.29"), ("Plate reinforcement", "8714.10")),
        machines=(
            ("Mesin press (power press)", 6, "80 ton", 2014),
            ("Mesin las MIG", 8, "350 A", 2016),
            ("Booth cat", 1, "", 2015),
        ),
        certifications=(
            ("iso-9001", "ID42011-QMS", "TÜV Rheinland Indonesia", 300),
            ("iso-14001", "ID42012-EMS", "TÜV Rheinland Indonesia", -60),  # lapsed
        ),
    ),
    _ikm(
        "PT Gaya Teknik Logam",
        "8120107180042",
        "02821184",
        "Talang",
        "-6.915300",
        "109.137900",
        workforce=28,
        investment=1_800_000_000,
        products="Pres dan bubut: bos, ring, bracket kecil untuk sepeda motor; zinc plating lewat subkon",
        hs_codes="8714.10, 7318.22",
        processes=("stamping", "turning", "drilling"),
        materials=("sheet-steel", "carbon-steel"),
        kbli=("25910", "25920"),
        monthly_capacity=50_000,
        contact_name="Eko Susanto",
        phone="0283-354120",
        email="gayateknik@ikm.jalin.demo",
        items=(("Ring plat", "7318.22"), ("Bos", "8714.10")),
        machines=(("Mesin press (power press)", 3, "35 ton", 2010), ("Mesin bubut konvensional", 4, "1 m", 2006)),
    ),
    _ikm(
        "PT Manunggal Manufaktur",
        "8120107180059",
        "02823360",
        "Adiwerna",
        "-6.944100",
        "109.121700",
        workforce=32,
        investment=2_400_000_000,
        products="Stamping & welding sub-assy, jig las dan cetakan pres buatan sendiri",
        hs_codes="8714.10",
        processes=("stamping", "welding", "die-making"),
        materials=("sheet-steel",),
        kbli=("25910",),
        monthly_capacity=40_000,
        contact_name="Joko Nugroho",
        phone="0283-355890",
        email="manunggal@ikm.jalin.demo",
        items=(("Sub-assy las bracket", "8714.10"),),
        machines=(("Mesin press (power press)", 3, "60 ton", 2013), ("Mesin las MIG", 4, "250 A", 2014)),
        certifications=(("iso-9001", "ID42250-QMS", "PT Mutuagung Lestari", 650),),
    ),
    _ikm(
        "PT Mitra Karya Tegal",
        "8120107180066",
        "02825546",
        "Talang",
        "-6.924900",
        "109.125600",
        workforce=55,
        investment=7_500_000_000,
        products="Fabrikasi & machining part alat berat: pin, bushing, bracket, plat las; pengecatan",
        hs_codes="8431.49, 8483.30",
        processes=("welding", "sheet-metal", "turning", "milling", "painting"),
        materials=("carbon-steel", "sheet-steel", "alloy-steel"),
        kbli=("25999", "25920"),
        monthly_capacity=8_000,
        capacity_note="part alat berat, per bulan",
        contact_name="Wahyu Hidayat",
        phone="0283-356712",
        email="mitrakarya@ikm.jalin.demo",
        items=(("Pin alat berat", "8431.49"), ("Bushing", "8483.30")),
        machines=(
            ("Mesin tekuk plat (press brake)", 1, "3 m", 2016),
            ("Mesin las MIG", 10, "350 A", 2016),
            ("Mesin bubut CNC", 2, "Ø 300 mm", 2019),
            ("Mesin boring", 1, "", 2011),
        ),
        certifications=(
            ("iso-9001", "ID42377-QMS", "PT Sucofindo", 200),
            ("smk3", "SMK3/4410", "Kementerian Ketenagakerjaan", 800),
        ),
    ),
)

STORY = BUYERS + IKM


@dataclass
class StoryResult:
    created: int = 0
    existing: int = 0


def _create(story: StoryCompany, organisation: Organisation, verifier) -> Company:
    regions = {r.code: r for r in Region.objects.filter(code__in={story.region, *(p[1] for p in story.plants)})}
    company = services.create_company(
        actor=None,
        kind=story.kind,
        buyer_type=story.buyer_type,
        organisation=organisation,
        legal_name=organisation.name,
        brand_name=story.brand_name,
        nib=story.nib,
        npwp=story.npwp,
        region=regions[story.region],
        address=story.address,
        latitude=Decimal(story.latitude),
        longitude=Decimal(story.longitude),
        workforce=story.workforce,
        investment=Decimal(story.investment),
        products=story.products,
        hs_codes=story.hs_codes,
        monthly_capacity=story.monthly_capacity,
        capacity_note=story.capacity_note,
        contact_name=story.contact_name,
        phone=story.phone,
        email=story.email,
        processes=list(Process.objects.filter(code__in=story.processes)),
        materials=list(Material.objects.filter(code__in=story.materials)),
        kbli=list(Kbli.objects.filter(code__in=story.kbli)),
    )
    today = timezone.localdate()
    for name, hs_code in story.items:
        services.save_child(Product, actor=None, company=company, name=name, hs_code=hs_code)
    for machine_type, count, capacity, year in story.machines:
        services.save_child(
            Machine, actor=None, company=company, machine_type=machine_type, count=count, capacity=capacity, year=year
        )
    for code, number, issuer, days_left in story.certifications:
        valid_until = today + datetime.timedelta(days=days_left)
        services.save_child(
            Certification,
            actor=None,
            company=company,
            certification_type=CertificationType.objects.get(code=code),
            number=number,
            issuer=issuer,
            valid_from=valid_until - datetime.timedelta(days=3 * 365),
            valid_until=valid_until,
        )
    for name, code, address in story.plants:
        services.save_child(Plant, actor=None, company=company, name=name, region=regions[code], address=address)
    if verifier is not None:
        company = services.verify_company(company, actor=verifier)
    return company


def load_story(report: Callable[[str], None] = lambda message: None, *, verifier=None) -> StoryResult:
    """Create the registry profiles of the story's buyers and IKM, each linked to its organisation and
    verified by ``verifier`` (the programme officer). A profile that exists (by NIB or organisation) is
    left as it is."""
    result = StoryResult()
    organisations = {o.name: o for o in Organisation.objects.filter(name__in=[s.organisation for s in STORY])}
    for story in STORY:
        organisation = organisations[story.organisation]
        if Company.objects.filter(Q(nib=story.nib) | Q(organisation=organisation)).exists():
            result.existing += 1
            continue
        with transaction.atomic():
            _create(story, organisation, verifier)
        result.created += 1
    if result.created:
        report(f"registry profiles of the story: {result.created} created")
    return result
